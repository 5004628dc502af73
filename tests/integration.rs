//! Integration tests of the `shelltutor` binary: one test binary (fast to build), one module per command.
//!
//! Every test runs the real binary through [`support::Tutor`], in a fresh temp dir with a scrubbed environment, so
//! no test depends on or touches the developer's own files and settings.

mod integration {
    pub mod broken_lessons;
    pub mod ecosystem;
    pub mod exercise;
    pub mod explain;
    pub mod grade;
    pub mod hostile;
    pub mod list;
    pub mod progress;
    pub mod reference;
    pub mod show;
    pub mod support;
    pub mod tutor;
    pub mod typing;
    pub mod verify;
    pub mod wrong_answers;
}
