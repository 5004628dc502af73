//! The init of an exercise's environment: PID 1 of its namespaces for as long as the exercise lasts.
//!
//! It exists so that what a line leaves running (a `&` job, nginx, sshd, a double fork) outlives the line but not
//! the exercise: orphans are reparented to it, it reaps them (so no zombie counts against the process limit), and
//! when the tutor kills it the kernel kills every process of its PID namespace. It holds the namespaces open
//! between lines, so each line only joins them.
//!
//! It is a copy of the tutor made by `clone` (without shared memory) in a possibly multi-threaded process, so it
//! never allocates: only system calls on its stack. For each orphan it reaps it writes a fixed-size record (pid,
//! how it ended, its name) to a pipe the tutor reads, so the tutor can say "nginx stopped: CPU time limit".
//! Learners cannot kill it (the kernel protects a namespace's init from signals it does not handle) nor ptrace it
//! (it keeps capabilities they lack).
#![allow(unsafe_code)]

use std::os::fd::RawFd;

use crate::child::InitPlan;

/// Size of one record on the report pipe: pid, `si_code`, `si_status` (each a native-endian i32), then the
/// process name (`/proc/PID/comm`, up to 16 bytes, NUL-padded).
pub(crate) const RECORD_SIZE: usize = 12 + 16;

/// One reaped process, as the tutor reads it from the report pipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reaped {
    /// The pid inside the sandbox.
    pub pid: i32,
    /// `CLD_EXITED`, `CLD_KILLED` or `CLD_DUMPED`.
    pub code: i32,
    /// The exit code, or the signal.
    pub status: i32,
    pub name: String,
}

impl Reaped {
    pub(crate) fn parse(record: &[u8]) -> Option<Reaped> {
        if record.len() != RECORD_SIZE {
            return None;
        }
        let int = |at: usize| {
            let mut bytes = [0u8; 4];
            bytes.copy_from_slice(&record[at..at + 4]);
            i32::from_ne_bytes(bytes)
        };
        let name = &record[12..];
        let end = name
            .iter()
            .position(|&b| b == 0 || b == b'\n')
            .unwrap_or(name.len());
        Some(Reaped {
            pid: int(0),
            code: int(4),
            status: int(8),
            name: String::from_utf8_lossy(&name[..end]).into_owned(),
        })
    }

    /// The signal that killed it, if it was killed.
    pub(crate) fn signal(&self) -> Option<i32> {
        (self.code == libc::CLD_KILLED || self.code == libc::CLD_DUMPED).then_some(self.status)
    }
}

/// Becomes the init: closes everything but the report pipe, takes the name `init`, and reaps until killed.
///
/// # Safety
/// Must run in the freshly cloned init child (see `child::enter_init`), after its namespaces are built.
pub(crate) unsafe fn serve(plan: &InitPlan, error_fd: RawFd) -> ! {
    libc::prctl(libc::PR_SET_NAME, c"init".as_ptr(), 0, 0, 0);
    if let Some((start, end)) = plan.arguments {
        // The command line `ps` shows is the memory the tutor's arguments were in; this copy of it is ours.
        let area = std::slice::from_raw_parts_mut(start as *mut u8, end.saturating_sub(start));
        area.fill(0);
        let name = b"init";
        let n = name.len().min(area.len());
        area[..n].copy_from_slice(&name[..n]);
    }
    crate::child::write_file(c"/proc/self/oom_score_adj", b"1000");
    let mut children: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut children);
    libc::sigaddset(&mut children, libc::SIGCHLD);
    libc::sigprocmask(libc::SIG_BLOCK, &children, std::ptr::null_mut());
    // A tutor that stopped reading must not kill us with SIGPIPE mid-record; its death kills us anyway.
    libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    // Closing the error pipe (the last copy of its write end) tells the tutor that the environment is ready.
    let report_fd = plan.report_fd;
    for fd in 0..report_fd {
        libc::close(fd);
    }
    let _ = error_fd;
    libc::syscall(
        libc::SYS_close_range,
        (report_fd + 1) as u32,
        u32::MAX,
        0u32,
    );
    loop {
        while reap_one(report_fd) {}
        let mut info: libc::siginfo_t = std::mem::zeroed();
        libc::sigwaitinfo(&children, &mut info);
    }
}

/// Reaps one exited child, if there is one, and reports it. Returns false when none is waiting.
unsafe fn reap_one(report_fd: RawFd) -> bool {
    let mut info: libc::siginfo_t = std::mem::zeroed();
    let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT | libc::__WALL;
    if libc::waitid(libc::P_ALL, 0, &mut info, flags) != 0 {
        return false;
    }
    let pid = info.si_pid();
    if pid == 0 {
        return false;
    }
    let mut record = [0u8; RECORD_SIZE];
    record[0..4].copy_from_slice(&pid.to_ne_bytes());
    record[4..8].copy_from_slice(&info.si_code.to_ne_bytes());
    record[8..12].copy_from_slice(&info.si_status().to_ne_bytes());
    read_comm(pid, &mut record[12..]);
    libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG | libc::__WALL);
    // Best effort: if the tutor is not reading, the record is dropped rather than blocking the reaper.
    libc::write(report_fd, record.as_ptr().cast(), record.len());
    true
}

/// Reads `/proc/PID/comm` into `name` (the zombie still has it until it is reaped).
unsafe fn read_comm(pid: libc::pid_t, name: &mut [u8]) {
    let mut path = [0u8; 32];
    let prefix = b"/proc/";
    path[..prefix.len()].copy_from_slice(prefix);
    let mut at = prefix.len() + write_decimal(pid, &mut path[prefix.len()..]);
    let suffix = b"/comm\0";
    path[at..at + suffix.len()].copy_from_slice(suffix);
    at += suffix.len();
    let _ = at;
    let fd = libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC);
    if fd >= 0 {
        libc::read(fd, name.as_mut_ptr().cast(), name.len());
        libc::close(fd);
    }
}

/// Writes `value` (non-negative) in decimal into `out` and returns the number of digits; no allocation.
fn write_decimal(value: i32, out: &mut [u8]) -> usize {
    let mut digits = [0u8; 10];
    let mut n = value.max(0) as u32;
    let mut count = 0;
    loop {
        digits[count] = b'0' + (n % 10) as u8;
        count += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..count {
        out[i] = digits[count - 1 - i];
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_without_allocating() {
        let mut out = [0u8; 10];
        let n = write_decimal(40213, &mut out);
        assert_eq!(&out[..n], b"40213");
        let n = write_decimal(0, &mut out);
        assert_eq!(&out[..n], b"0");
    }

    #[test]
    fn records_round_trip() {
        let mut record = [0u8; RECORD_SIZE];
        record[0..4].copy_from_slice(&7i32.to_ne_bytes());
        record[4..8].copy_from_slice(&libc::CLD_KILLED.to_ne_bytes());
        record[8..12].copy_from_slice(&libc::SIGXCPU.to_ne_bytes());
        record[12..16].copy_from_slice(b"yes\n");
        let reaped = Reaped::parse(&record).expect("a record");
        assert_eq!(reaped.pid, 7);
        assert_eq!(reaped.name, "yes");
        assert_eq!(reaped.signal(), Some(libc::SIGXCPU));
    }
}
