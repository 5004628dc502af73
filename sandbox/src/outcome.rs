//! What happened when a line ran: how it ended, what it printed (bounded), how long it took, which limit (if any)
//! stopped it, and where the shell was afterwards. Checkers and the REPL read this.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the line ended, as a shell would report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The shell exited with this code (`$?`).
    Exited(i32),
    /// The shell was killed by this signal (e.g. 9 when a limit ended the line).
    Signaled(i32),
}

impl Status {
    /// True for `Exited(0)`.
    pub fn success(self) -> bool {
        self == Status::Exited(0)
    }

    /// The number `$?` would hold: the exit code, or 128 + the signal.
    pub fn code(self) -> i32 {
        match self {
            Status::Exited(code) => code,
            Status::Signaled(signal) => 128 + signal,
        }
    }
}

/// A limit that ended (or cut short) a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// The line ran longer than the wall-time limit and everything it started was stopped.
    WallTime,
    /// A process used up its CPU time (a busy loop).
    CpuTime,
    /// The line printed more than the output limit and was stopped.
    Output,
    /// A file reached the size limit.
    FileSize,
    /// The line filled more disk than allowed and was stopped.
    Disk,
    /// A process could not get more memory.
    Memory,
    /// Too many processes (a fork bomb, usually) made the line run until its time was up.
    Processes,
    /// The learner pressed Ctrl-C three times and the command did not stop by itself, so the tutor stopped it.
    Interrupted,
    /// A keystroke script waited for text that never appeared on the screen (see `Outcome::waited_for`).
    WaitedTooLong,
}

impl LimitHit {
    /// A sentence for the learner: what happened and why.
    pub fn message(self) -> &'static str {
        match self {
            LimitHit::WallTime => {
                "The command ran too long, so the tutor stopped it and everything it started \
                 (commands here are limited in time; `sleep infinity` or a command waiting for input never ends)."
            }
            LimitHit::CpuTime => {
                "A process used too much CPU time and was stopped (an endless loop?)."
            }
            LimitHit::Output => {
                "The command printed more output than the tutor keeps, so it was stopped (try `| head`)."
            }
            LimitHit::FileSize => "A file grew past the sandbox's size limit, so writing it was stopped.",
            LimitHit::Disk => {
                "The command filled too much disk space, so the tutor stopped it. Delete big files with `rm`."
            }
            LimitHit::Memory => {
                "The command used more memory than the sandbox allows, so it was stopped (or could not get more)."
            }
            LimitHit::Processes => {
                "Too many processes were running (a fork bomb?); the sandbox's process limit stopped them."
            }
            LimitHit::Interrupted => "The command ignored Ctrl-C, so the tutor stopped it.",
            LimitHit::WaitedTooLong => {
                "The keystrokes waited for text that never appeared on the screen, so the command was stopped."
            }
        }
    }
}

/// The result of running one line.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// How the shell ended.
    pub status: Status,
    /// Standard output and error as they arrived, interleaved, at most `Limits::output` bytes.
    pub output: Vec<u8>,
    /// More output was produced than was recorded.
    pub output_truncated: bool,
    /// Real time from start to the end of every process of the line.
    pub duration: Duration,
    /// The limit that ended the line, if one did.
    pub limit: Option<LimitHit>,
    /// The shell's current directory after the line, as a host path when it is inside the sandbox home (the
    /// learner sees it at their home path), else as the learner sees it (`/etc`). Without persisted shell state
    /// this is where the line started.
    pub cwd: PathBuf,
    /// Sandbox home on the host, to show `cwd` with `~`.
    pub(crate) home: PathBuf,
    /// The simple commands the shell ran, with their expanded words (empty without persisted shell state).
    pub commands: Vec<crate::Executed>,
    /// The text a keystroke script waited for in vain (with `LimitHit::WaitedTooLong`).
    pub waited_for: Option<String>,
    /// What the learner typed during an interactive line that the command did not read (type-ahead, the rest of
    /// a paste), escape sequences removed: the tutor runs it next, as a shell would.
    pub unread_input: Vec<u8>,
    /// The line left jobs stopped with Ctrl-Z; its shell waits for `fg` (see `Sandbox::resume`).
    pub stopped_jobs: bool,
}

impl Outcome {
    /// The output as text, with invalid UTF-8 replaced.
    pub fn output_lossy(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }

    /// `cwd` as the learner would see it in a prompt: `~`, `~/a/b`, or the absolute path.
    pub fn cwd_display(&self) -> String {
        display_with_tilde(&self.cwd, &self.home)
    }
}

/// Shows `path` relative to `home` with a leading `~`, as shells do in prompts.
pub(crate) fn display_with_tilde(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_follow_the_shell() {
        assert_eq!(Status::Exited(3).code(), 3);
        assert_eq!(Status::Signaled(9).code(), 137);
        assert!(Status::Exited(0).success());
        assert!(!Status::Signaled(2).success());
    }

    #[test]
    fn tilde_display() {
        let home = Path::new("/s/home");
        assert_eq!(display_with_tilde(Path::new("/s/home"), home), "~");
        assert_eq!(display_with_tilde(Path::new("/s/home/a/b"), home), "~/a/b");
        assert_eq!(display_with_tilde(Path::new("/etc"), home), "/etc");
    }
}
