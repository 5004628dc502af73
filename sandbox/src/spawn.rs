//! Starting the confined child: one raw `clone` into new user, mount, PID and network namespaces (so the child is
//! PID 1 of its own namespace and everything it starts dies with it), the id maps written from outside, and the
//! child's setup result read back. Also waiting for it and killing it.
#![allow(unsafe_code)]

use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::child::{self, ChildPlan, Stage};
use crate::outcome::Status;

/// How the child's ids look from outside, written to `/proc/PID/{uid,gid}_map`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdMaps {
    /// Id inside the namespace (the caller's uid, or 0 when the caller is root).
    pub inside_uid: u32,
    pub inside_gid: u32,
    /// Id outside (the caller's, or an unused id when the caller is root, so that RLIMIT_NPROC binds).
    pub outside_uid: u32,
    pub outside_gid: u32,
    /// `setgroups` must be denied before an unprivileged process may write a gid map.
    pub deny_setgroups: bool,
}

/// Why starting failed: in which step, and whether it was the namespaces (so the caller can fall back).
#[derive(Debug)]
pub(crate) struct SpawnError {
    pub stage: &'static str,
    pub namespace_problem: bool,
    pub source: io::Error,
}

/// A started child, PID 1 of its namespace when namespaces are used.
#[derive(Debug)]
pub(crate) struct Child {
    pub pid: libc::pid_t,
    /// Readable when the child has exited; lets the relay loops wait for output and exit at once.
    pub pidfd: OwnedFd,
    reaped: bool,
}

/// Clones the child, writes its id maps, releases it and waits until it has exec'd bash (or failed).
/// `sync_write` releases the child, which waits on the read end (in the plan) until its id maps are written.
/// `child_ends` are the descriptors only the child needs; they are closed here right after the clone, so that the
/// error pipe reads EOF once the child has exec'd.
pub(crate) fn spawn(
    plan: &ChildPlan,
    maps: Option<IdMaps>,
    sync_write: Option<OwnedFd>,
    error_read: OwnedFd,
    child_ends: Vec<OwnedFd>,
) -> Result<Child, SpawnError> {
    let flags = if maps.is_some() {
        libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWNET
    } else {
        0
    };
    // The child shares our memory until it execs (CLONE_VM, as posix_spawn does): copying the tutor's page tables
    // and tearing the copy down again at exec would cost about a millisecond for a large binary. It runs on its own
    // stack, which must outlive it: `stack` is declared before `child`, whose drop kills and reaps it.
    let mut stack = vec![0u8; CHILD_STACK_SIZE];
    let stack_top = stack.as_mut_ptr().wrapping_add(CHILD_STACK_SIZE) as usize & !15;
    // SAFETY: glibc's `clone` switches to `stack_top` (inside `stack`, 16-byte aligned) and calls `child_main` with
    // `plan`, which stays alive and unchanged until the child has exec'd or exited (we wait for that below, or kill
    // and reap it on every error path). The child only makes system calls on data in `plan` and its own stack;
    // the one shared write is `errno` (same thread-local block), which only matters for error messages while this
    // thread waits in `read`.
    let pid = unsafe {
        libc::clone(
            child_main,
            stack_top as *mut libc::c_void,
            flags | libc::CLONE_VM | libc::SIGCHLD,
            (plan as *const ChildPlan).cast_mut().cast(),
        )
    };
    drop(child_ends);
    if pid < 0 {
        let source = io::Error::last_os_error();
        return Err(SpawnError {
            stage: "creating namespaces (clone)",
            namespace_problem: maps.is_some(),
            source,
        });
    }
    let mut child = Child {
        pid: pid as libc::pid_t,
        pidfd: open_pidfd(pid as libc::pid_t)?,
        reaped: false,
    };
    let mut hold = None;
    if let (Some(maps), Some(sync_write)) = (maps, sync_write) {
        if let Err(source) = write_id_maps(child.pid, maps) {
            child.kill();
            return Err(SpawnError {
                stage: "writing the user namespace id maps",
                namespace_problem: true,
                source,
            });
        }
        // Kept open until the child has exec'd: a hang-up tells it that the tutor died while it was starting.
        let mut sync_write = fs::File::from(sync_write);
        if let Err(source) = sync_write.write_all(b"!") {
            child.kill();
            return Err(SpawnError {
                stage: "releasing the child",
                namespace_problem: false,
                source,
            });
        }
        hold = Some(sync_write);
    }
    let failure = read_setup_failure(error_read);
    drop(hold);
    match failure {
        None => Ok(child),
        Some((stage, errno)) => {
            child.kill();
            let stage = Stage::from_code(stage);
            Err(SpawnError {
                stage: stage.describe(),
                namespace_problem: stage.is_namespace_setup(),
                source: io::Error::from_raw_os_error(errno),
            })
        }
    }
}

/// Stack for the child's setup (a few kilobytes are used; page faults only touch what is).
const CHILD_STACK_SIZE: usize = 256 * 1024;

/// Entry point of the cloned child.
extern "C" fn child_main(plan: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `spawn` passes a pointer to a `ChildPlan` that outlives the child's use of it.
    let plan = unsafe { &*(plan as *const ChildPlan) };
    child::enter(plan)
}

fn open_pidfd(pid: libc::pid_t) -> Result<OwnedFd, SpawnError> {
    // SAFETY: plain system call; it returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0u32) };
    if fd < 0 {
        let source = io::Error::last_os_error();
        // SAFETY: the child must not be left behind; killing and reaping our own child is always sound.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        return Err(SpawnError {
            stage: "watching the child (pidfd_open, Linux 5.3+)",
            namespace_problem: false,
            source,
        });
    }
    // SAFETY: `pidfd_open` returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn write_id_maps(pid: libc::pid_t, maps: IdMaps) -> io::Result<()> {
    if maps.deny_setgroups {
        fs::write(format!("/proc/{pid}/setgroups"), "deny")?;
    }
    fs::write(
        format!("/proc/{pid}/uid_map"),
        format!("{} {} 1\n", maps.inside_uid, maps.outside_uid),
    )?;
    fs::write(
        format!("/proc/{pid}/gid_map"),
        format!("{} {} 1\n", maps.inside_gid, maps.outside_gid),
    )?;
    Ok(())
}

/// Reads the child's report: EOF (the pipe closed at exec) means success.
fn read_setup_failure(error_read: OwnedFd) -> Option<(u32, i32)> {
    let mut report = [0u8; 8];
    let mut file = fs::File::from(error_read);
    let mut filled = 0;
    while filled < report.len() {
        match file.read(&mut report[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    if filled < report.len() {
        return None;
    }
    let stage = u32::from_ne_bytes([report[0], report[1], report[2], report[3]]);
    let errno = i32::from_ne_bytes([report[4], report[5], report[6], report[7]]);
    Some((stage, errno))
}

impl Child {
    /// Kills the child; as PID 1 of its namespace, its death takes every process of the line with it.
    pub(crate) fn kill(&mut self) {
        if !self.reaped {
            // SAFETY: signalling through our own pidfd cannot hit a recycled pid.
            unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    self.pidfd.as_raw_fd(),
                    libc::SIGKILL,
                    std::ptr::null::<u8>(),
                    0u32,
                );
            }
        }
    }

    /// CPU time the child itself has used (readable until it is reaped, also as a zombie).
    pub(crate) fn cpu_time(&self) -> Option<std::time::Duration> {
        // Wait for the exit to be complete, so that the zombie's times are final.
        let mut fds = [nix::poll::PollFd::new(
            self.pidfd.as_fd(),
            nix::poll::PollFlags::POLLIN,
        )];
        let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(2000u16));
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // Fields 14 and 15 of proc_pid_stat(5) are utime and stime; `fields` starts at field 3.
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let clock = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100);
        let per_second = u64::try_from(clock).unwrap_or(100).max(1);
        Some(std::time::Duration::from_millis(ticks * 1000 / per_second))
    }

    /// Waits for the child to end and returns how it ended.
    pub(crate) fn wait(&mut self) -> io::Result<Status> {
        let mut raw = 0;
        loop {
            // SAFETY: waiting for our own child with a valid pointer to an int.
            let result = unsafe { libc::waitpid(self.pid, &mut raw, 0) };
            if result == self.pid {
                break;
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
        self.reaped = true;
        Ok(if libc::WIFSIGNALED(raw) {
            Status::Signaled(libc::WTERMSIG(raw))
        } else {
            Status::Exited(libc::WEXITSTATUS(raw))
        })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill();
            let _ = self.wait();
        }
    }
}
