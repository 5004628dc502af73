//! The hostile suite: learners' worst commands, each in a fresh sandbox, each checking that the host is untouched
//! (canary trees outside the sandbox, compared before and after), that the tutor is alive, and that the sandbox
//! says what happened. Runs as root (CI) and as an unprivileged user (see `.ci/sandbox-tests`).

#![allow(clippy::unwrap_used)]

mod support;

mod degraded;
mod files;
mod network;
mod processes;
mod shell;
mod terminal;
mod tutor;
