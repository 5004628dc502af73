//! How a sandbox is made: its limits, where its folder lives, what the learner's environment holds, and whether
//! the caller insists on running without confinement.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::Limits;

/// Settings for [`Sandbox::new`](crate::Sandbox::new). `Options::default()` is right for the tutor.
#[derive(Debug, Clone)]
pub struct Options {
    /// Resource limits applied to every line.
    pub limits: Limits,
    /// Folder that holds sandboxes; `None` means a per-user folder in the system temp dir
    /// (`$TMPDIR/shelltutor-<uid>`). Stale sandboxes in it are swept when a sandbox is made.
    pub parent_dir: Option<PathBuf>,
    /// Extra environment variables for the learner's shell (set after the defaults, so they can override them).
    pub env: Vec<(OsString, OsString)>,
    /// Run commands even when no file-system confinement is available. Dangerous: for `--unconfined` only.
    pub unconfined: bool,
    /// Keep variables, aliases, functions, options and the current directory from one line to the next. Turn off
    /// for one-shot runs (`shelltutor sandbox -c`), where it only costs time.
    pub persist_shell_state: bool,
    /// Use this bash instead of the one found in `PATH`.
    pub bash: Option<PathBuf>,
    /// Use user, mount, PID and network namespaces where the kernel allows them. Turning this off runs with Landlock
    /// and limits only, as on systems that block unprivileged namespaces (for tests of that degraded mode).
    pub namespaces: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            parent_dir: None,
            env: Vec::new(),
            unconfined: false,
            persist_shell_state: true,
            bash: None,
            namespaces: true,
        }
    }
}
