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
    /// Resident memory of all the processes of an exercise together: the tutor watches the sum and stops the
    /// biggest process when it is crossed.
    pub memory: u64,
    /// Address space per process (`RLIMIT_AS`), a last guard far above `memory`: runtimes such as Go and Node
    /// reserve gigabytes of address space they never use, so a tight limit here kills them at start.
    pub address_space: u64,
    /// Disk space the sandbox's files may take; a line that grows them beyond it is stopped (the tutor watches the
    /// file system's free space while a line runs and measures the sandbox when it drops).
    pub disk: u64,
    /// Bytes of output recorded per line. A headless line that prints more is stopped; an interactive one keeps
    /// showing output but stops recording it.
    pub output: usize,
    /// Bytes of output passed through to the tutor's stdout when that is not a terminal (`shelltutor sandbox -c yes
    /// > file`): past it the line is stopped. A terminal keeps seeing live output.
    pub echoed_output: usize,
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
            memory: 1024 * MIB,
            address_space: 64 * 1024 * MIB,
            disk: 512 * MIB,
            output: MIB as usize,
            echoed_output: 16 * MIB as usize,
            tmpfs: 64 * MIB,
            open_files: 1024,
        }
    }
}
