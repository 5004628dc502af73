//! The resource limits of one command, with defaults generous enough for every lesson (nginx, openssl, vi) and
//! small enough that fork bombs, floods and memory bombs end quickly without hurting the machine.

use std::time::Duration;

/// Bounds on one command line. Every run ends within `wall_time` (headless) whatever the command does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Real time a headless line may take before everything it started is killed.
    pub wall_time: Duration,
    /// Real time an interactive line may take; `None` means as long as the learner wants (they can press Ctrl-C,
    /// or Ctrl-C three times within two seconds to end a command that ignores it).
    pub interactive_wall_time: Option<Duration>,
    /// CPU time per process (`RLIMIT_CPU`): busy loops end with SIGXCPU.
    pub cpu_time: Duration,
    /// Processes and threads at once (`RLIMIT_NPROC`, counted inside the sandbox's own user namespace).
    pub processes: u64,
    /// Largest file a command may write (`RLIMIT_FSIZE`): writing more ends with SIGXFSZ.
    pub file_size: u64,
    /// Address space per process (`RLIMIT_AS`): memory bombs get allocation failures.
    pub memory: u64,
    /// Disk space the sandbox's files may take; a line that grows them beyond it is stopped (the tutor watches the
    /// file system's free space while a line runs and measures the sandbox when it drops).
    pub disk: u64,
    /// Bytes of output recorded per line. A headless line that prints more is stopped; an interactive one keeps
    /// showing output but stops recording it.
    pub output: usize,
    /// Size of the private, in-memory `/tmp` and `/dev/shm` each line gets.
    pub tmpfs: u64,
    /// Open files per process (`RLIMIT_NOFILE`).
    pub open_files: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            wall_time: Duration::from_secs(30),
            interactive_wall_time: None,
            cpu_time: Duration::from_secs(10),
            processes: 128,
            file_size: 64 * MIB,
            memory: 512 * MIB,
            disk: 512 * MIB,
            output: MIB as usize,
            tmpfs: 64 * MIB,
            open_files: 1024,
        }
    }
}
