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
    /// A one-line sandbox (`shelltutor sandbox -c`, the practice shell): the line's bash is PID 1 of fresh
    /// namespaces and everything ends with it; no shell state is kept and no commands are recorded. Otherwise the
    /// sandbox is an exercise: one environment (an init holding the namespaces) lives from the first line until
    /// the sandbox is reset or dropped, what a line leaves running keeps running, and the shell state and the
    /// commands each line ran are kept.
    pub one_shot: bool,
    /// Use this bash instead of the one found in `PATH`.
    pub bash: Option<PathBuf>,
    /// Use user, mount, PID and network namespaces where the kernel allows them. Turning this off runs with Landlock
    /// and limits only, as on systems that block unprivileged namespaces (for tests of that degraded mode).
    pub namespaces: bool,
    /// Where the learner's home appears inside: `None` means their real home from the password database
    /// (`/home/alice`, `/root`), so that `pwd`, `~` and ssh-keygen's defaults look as on their machine.
    pub home_path: Option<PathBuf>,
    /// Host names that resolve to the sandbox's loopback (added to its `/etc/hosts`).
    pub local_names: Vec<String>,
    /// System folders that get a fresh, empty, writable tmpfs in each exercise, when they exist (servers write
    /// their logs and temporary files there).
    pub writable_dirs: Vec<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            parent_dir: None,
            env: Vec::new(),
            unconfined: false,
            one_shot: false,
            bash: None,
            namespaces: true,
            home_path: None,
            local_names: vec!["example.test".into(), "www.example.test".into()],
            writable_dirs: vec!["/var/log".into(), "/var/lib/nginx".into()],
        }
    }
}
