//! What can go wrong when making a sandbox or running a line in it, said so that the caller can tell the learner
//! what to do next. Callers match on the variants (e.g. to explain `NoConfinement`), so each one is a distinct case.

use std::io;
use std::path::PathBuf;

/// Everything the sandbox can fail with. A command that *runs* and fails is not an error: it is an [`Outcome`]
/// with a non-zero status.
///
/// [`Outcome`]: crate::Outcome
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Neither Landlock nor user namespaces work here, so nothing would stop a command from changing the learner's
    /// files. The tutor refuses to run commands unless the caller asked for `unconfined`.
    #[error(
        "cannot confine commands on this system, so none will be run: {}. \
         Run `shelltutor doctor` for details, use a Linux kernel with Landlock (5.13+) or allow unprivileged \
         user namespaces; `--unconfined` runs commands without protection (not recommended)",
        reasons.join("; ")
    )]
    NoConfinement { reasons: Vec<String> },

    /// Only Linux has the kernel features the sandbox is made of.
    #[error("the sandbox needs Linux (Landlock and namespaces); this system is not supported")]
    Unsupported,

    /// The learner's shell is bash; without it there is nothing to run commands with.
    #[error("bash was not found (looked in PATH and /bin/bash); install bash, e.g. `sudo apt install bash`")]
    BashMissing,

    /// The sandbox folder (or its per-user parent) could not be made, checked or cleaned.
    #[error("sandbox folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The per-user parent folder exists but is not safe to use (someone else owns it, or others may write in it).
    #[error(
        "the sandbox parent folder {path} is not safe to use: {why}; remove it or choose another parent folder"
    )]
    UnsafeParent { path: PathBuf, why: String },

    /// Starting the confined command failed before the learner's line ran.
    #[error("could not start the command in the sandbox ({stage}): {source}")]
    Spawn {
        stage: &'static str,
        #[source]
        source: io::Error,
    },

    /// Relaying input and output of a running command failed.
    #[error("lost contact with the running command: {0}")]
    Relay(#[source] io::Error),

    /// An interactive run was asked for without a terminal to run it on.
    #[error("this needs a terminal (stdin and stdout must be a terminal); run a single line with `-c` instead")]
    NotATerminal,

    /// A path given by a lesson or checker leaves the sandbox (`..`, an absolute path elsewhere, or a symlink).
    #[error("{path} is outside the sandbox")]
    OutsideSandbox { path: String },
}
