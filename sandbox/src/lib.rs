//! The throwaway, confined place where a learner's commands run.
//!
//! This crate knows nothing of lessons: it makes a fresh folder with a home for the learner, runs shell lines in
//! it under every confinement layer the kernel offers, and reports what happened. The tutor, `grade` and `verify`
//! are its callers.
//!
//! Layers, outermost first (see `docs/sandbox.md`): a user namespace with the learner's uid (root's learner runs as
//! an unused uid outside, so process limits bind); a mount namespace with `/` read-only, a fresh `/tmp`, `/run`
//! hidden and only the sandbox writable; a PID namespace whose init is the line's bash, so nothing outlives a line;
//! a network namespace with only a loopback; Landlock, which alone still confines writes where namespaces are
//! blocked; no capabilities and no new privileges; rlimits; and a watchful parent that bounds time, output and disk.
//!
//! ```no_run
//! let mut sandbox = sandbox::Sandbox::new(sandbox::Options::default())?;
//! let outcome = sandbox.run("mkdir -p a/b && cd a")?;
//! assert!(outcome.status.success());
//! assert_eq!(outcome.cwd_display(), "~/a");
//! # Ok::<(), sandbox::Error>(())
//! ```

mod capture;
mod child;
mod environment;
mod error;
mod folder;
mod init;
mod keys;
mod landlock;
mod layers;
mod limits;
mod monitor;
mod options;
mod outcome;
mod processes;
mod sandbox;
mod shell_state;
mod spawn;
mod terminal;
mod trace;
mod watch;

pub use crate::error::Error;
pub use crate::keys::{parse_keys, KeyError, KeyStep, WAIT_LIMIT};
pub use crate::layers::{Layer, Layers};
pub use crate::limits::Limits;
pub use crate::monitor::Notice;
pub use crate::options::Options;
pub use crate::outcome::{LimitHit, Outcome, Status};
pub use crate::processes::ProcessInfo;
pub use crate::sandbox::{Io, Sandbox, ROOT_PROXY_ID};
pub use crate::terminal::{copy_window_size, typed_text};
pub use crate::trace::{quote as shell_quote, Executed};

/// Finds out which layers work on this machine by running `true` in a throwaway sandbox (for `doctor`).
pub fn probe() -> Layers {
    let parent = std::env::temp_dir().join(format!("shelltutor-probe-{}", std::process::id()));
    let options = Options {
        parent_dir: Some(parent.clone()),
        ..Options::default()
    };
    let layers = match Sandbox::new(options) {
        Ok(mut sandbox) => {
            let ran = sandbox.run("true");
            let mut layers = sandbox.layers();
            if let Err(error) = ran {
                for layer in &mut layers.layers {
                    layer.active = false;
                    layer.detail = format!("running a command failed: {error}");
                }
            }
            layers
        }
        Err(error) => {
            let landlock = landlock::abi_version();
            let facts = layers::LayerFacts {
                landlock,
                namespaces: Err(error.to_string()),
                root_mapped_to: None,
                home_shown_at: None,
            };
            facts.layers()
        }
    };
    let _ = folder::remove_tree(&parent);
    layers
}
