//! Starting confined children, waiting for them and killing them.
//!
//! - [`spawn_init`]: one `clone` into new user, mount, PID, network, UTS and IPC namespaces, not sharing memory
//!   with the tutor; the child builds the sandbox's view and stays as the environment's PID 1.
//! - [`spawn_in_environment`]: a helper that shares the tutor's memory (like `posix_spawn`) joins the init's
//!   namespaces and clones the line's process as the tutor's child; that process becomes bash.
//! - [`spawn_one_shot`]: one `clone` that creates the namespaces (or none, where they are unavailable) and becomes
//!   bash itself, as PID 1: a one-line exercise.
//!
//! The id maps of a new user namespace are written from outside, then the child is released; a child reports a
//! failed setup step on a close-on-exec error pipe, whose EOF means it exec'd (or, for an init, finished).
#![allow(unsafe_code)]

use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::child::{self, InitPlan, JoinPlan, LinePlan, NamespacePlan, Stage};
use crate::outcome::Status;

/// How the child's ids look from outside, written to `/proc/PID/{uid,gid}_map`.
#[derive(Debug, Clone)]
pub(crate) struct IdMaps {
    /// Id inside the namespace (the caller's uid, or 0 when the caller is root).
    pub inside_uid: u32,
    pub inside_gid: u32,
    /// Id outside (the caller's, or an unused id when the caller is root, so that RLIMIT_NPROC binds).
    pub outside_uid: u32,
    pub outside_gid: u32,
    /// Further (inside, outside) ids mapped for root's learner: service accounts such as `www-data` and `sshd`,
    /// each to another unused id, so that nginx and sshd can drop privileges as on a real machine.
    pub extra_uids: Vec<(u32, u32)>,
    pub extra_gids: Vec<(u32, u32)>,
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

/// A started child, PID 1 of its namespace for inits and one-shots.
#[derive(Debug)]
pub(crate) struct Child {
    pub pid: libc::pid_t,
    /// Readable when the child has exited; lets the relay loops wait for output and exit at once.
    pub pidfd: OwnedFd,
    reaped: bool,
    /// PID 1 of a PID namespace of its own (an environment's init, a one-shot line): its death ends every process
    /// of the namespace, so killing it needs no search for what it started.
    leads_namespace: bool,
}

/// Stack for a child's setup (a few kilobytes are used; page faults only touch what is).
const CHILD_STACK_SIZE: usize = 256 * 1024;

/// Memory a child runs its setup on; it must outlive the child's use of it.
struct Stack(Vec<u8>);

impl Stack {
    fn new() -> Stack {
        Stack(vec![0u8; CHILD_STACK_SIZE])
    }

    /// The top of the stack, 16-byte aligned.
    fn top(&mut self) -> usize {
        self.0.as_mut_ptr().wrapping_add(CHILD_STACK_SIZE) as usize & !15
    }
}

/// Descriptors for one start: the error pipe's read end, the sync pipe's write end (namespaces), and the
/// descriptors only the child needs (closed here right after the clone, so that EOF arrives when it is done).
#[derive(Debug)]
pub(crate) struct Channels {
    pub error_read: OwnedFd,
    pub sync_write: Option<OwnedFd>,
    pub child_ends: Vec<OwnedFd>,
}

/// Clones a one-shot child (with new namespaces when `namespaces` is given), writes its id maps, releases it and
/// waits until it has exec'd bash (or failed).
pub(crate) fn spawn_one_shot(
    namespaces: Option<(&NamespacePlan, &IdMaps)>,
    line: &LinePlan,
    channels: Channels,
) -> Result<Child, SpawnError> {
    struct Arguments<'a> {
        namespaces: Option<&'a NamespacePlan>,
        line: &'a LinePlan,
    }
    extern "C" fn main(arguments: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `spawn_one_shot` passes a pointer to `Arguments` that outlives the child's use of it.
        let arguments = unsafe { &*(arguments as *const Arguments<'_>) };
        child::enter_one_shot(arguments.namespaces, arguments.line)
    }
    let arguments = Arguments {
        namespaces: namespaces.map(|(plan, _)| plan),
        line,
    };
    let flags = if namespaces.is_some() {
        NAMESPACE_FLAGS
    } else {
        0
    };
    let mut stack = Stack::new();
    // The child shares our memory until it execs (CLONE_VM, as posix_spawn does): copying the tutor's page tables
    // and tearing the copy down again at exec would cost about a millisecond for a large binary.
    // SAFETY: glibc's `clone` switches to the top of `stack` and calls `main` with `arguments`, which stay alive
    // and unchanged until the child has exec'd or exited (we wait for that below, or kill and reap it on every
    // error path). The child only makes system calls on data in the plans and its own stack.
    let pid = unsafe {
        libc::clone(
            main,
            stack.top() as *mut libc::c_void,
            flags | libc::CLONE_VM | libc::SIGCHLD,
            (&arguments as *const Arguments<'_>).cast_mut().cast(),
        )
    };
    let result = after_clone(pid, namespaces.map(|(_, maps)| maps), channels);
    drop(stack);
    result
}

/// Clones the init of a new environment, writes its id maps, releases it and waits until its setup is done.
pub(crate) fn spawn_init(
    namespaces: &NamespacePlan,
    maps: &IdMaps,
    init: &InitPlan,
    error_write: RawFd,
    channels: Channels,
) -> Result<Child, SpawnError> {
    struct Arguments<'a> {
        namespaces: &'a NamespacePlan,
        init: &'a InitPlan,
        error_write: RawFd,
    }
    extern "C" fn main(arguments: *mut libc::c_void) -> libc::c_int {
        // SAFETY: the init has its own copy of the parent's memory, in which `arguments` is valid.
        let arguments = unsafe { &*(arguments as *const Arguments<'_>) };
        child::enter_init(arguments.namespaces, arguments.init, arguments.error_write)
    }
    let arguments = Arguments {
        namespaces,
        init,
        error_write,
    };
    let mut stack = Stack::new();
    // SAFETY: without CLONE_VM the child gets a copy of our memory (the stack and `arguments` included), so nothing
    // is shared; it lives on as the environment's init and only makes system calls.
    let pid = unsafe {
        libc::clone(
            main,
            stack.top() as *mut libc::c_void,
            NAMESPACE_FLAGS | libc::SIGCHLD,
            (&arguments as *const Arguments<'_>).cast_mut().cast(),
        )
    };
    let result = after_clone(pid, Some(maps), channels);
    drop(stack);
    result
}

/// Starts a line's process inside the environment whose init is `init_pidfd`: a helper joins its namespaces and
/// clones the process, which becomes bash. Returns once it has exec'd (or failed).
pub(crate) fn spawn_in_environment(
    init_pidfd: RawFd,
    become_root_inside: bool,
    line: &LinePlan,
    channels: Channels,
) -> Result<Child, SpawnError> {
    struct Arguments<'a> {
        join: &'a JoinPlan,
        line: &'a LinePlan,
    }
    extern "C" fn main(arguments: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `spawn_in_environment` passes a pointer to `Arguments` that outlives the helper and the line's
        // setup (it waits for both below).
        let arguments = unsafe { &*(arguments as *const Arguments<'_>) };
        child::enter_environment(arguments.join, arguments.line)
    }
    let (pid_read, pid_write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|errno| plain_error("creating a pipe", errno.into()))?;
    let mut helper_stack = Stack::new();
    let mut line_stack = Stack::new();
    let join = JoinPlan {
        init_pidfd,
        become_root_inside,
        line_stack_top: line_stack.top(),
        pid_fd: pid_write.as_raw_fd(),
    };
    let arguments = Arguments { join: &join, line };
    // SAFETY: as in `spawn_one_shot`: the helper and the line's process share our memory and run on `helper_stack`
    // and `line_stack`, which live until both are done with them (the helper is reaped and the line's process has
    // exec'd or failed before they are dropped).
    let helper = unsafe {
        libc::clone(
            main,
            helper_stack.top() as *mut libc::c_void,
            libc::CLONE_VM | libc::SIGCHLD,
            (&arguments as *const Arguments<'_>).cast_mut().cast(),
        )
    };
    drop(pid_write);
    if helper < 0 {
        return Err(plain_error(
            "starting the line (clone)",
            io::Error::last_os_error(),
        ));
    }
    reap(helper);
    let mut pid_bytes = [0u8; 4];
    let got_pid = fs::File::from(pid_read).read_exact(&mut pid_bytes).is_ok();
    let pid = if got_pid {
        i32::from_ne_bytes(pid_bytes)
    } else {
        -1
    };
    let result = if got_pid {
        after_clone(pid, None, channels)
    } else {
        // The helper failed before cloning: its report is on the error pipe.
        drop(channels.child_ends);
        drop(channels.sync_write);
        Err(match read_setup_failure(channels.error_read) {
            Some((stage, errno)) => stage_error(stage, errno),
            None => plain_error("joining the exercise", io::ErrorKind::Other.into()),
        })
    };
    drop(helper_stack);
    drop(line_stack);
    result
}

const NAMESPACE_FLAGS: libc::c_int = libc::CLONE_NEWUSER
    | libc::CLONE_NEWNS
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC;

/// Common steps after a clone: close the child's ends, write id maps and release the child, then read its setup
/// result.
fn after_clone(
    pid: libc::c_int,
    maps: Option<&IdMaps>,
    channels: Channels,
) -> Result<Child, SpawnError> {
    let Channels {
        error_read,
        sync_write,
        child_ends,
    } = channels;
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
        leads_namespace: maps.is_some(),
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
            return Err(plain_error("releasing the child", source));
        }
        hold = Some(sync_write);
    }
    let failure = read_setup_failure(error_read);
    drop(hold);
    match failure {
        None => Ok(child),
        Some((stage, errno)) => {
            child.kill();
            Err(stage_error(stage, errno))
        }
    }
}

fn stage_error(stage: u32, errno: i32) -> SpawnError {
    let stage = Stage::from_code(stage);
    SpawnError {
        stage: stage.describe(),
        namespace_problem: stage.is_namespace_setup(),
        source: io::Error::from_raw_os_error(errno),
    }
}

fn plain_error(stage: &'static str, source: io::Error) -> SpawnError {
    SpawnError {
        stage,
        namespace_problem: false,
        source,
    }
}

/// Waits for a helper child of ours, whatever it did.
fn reap(pid: libc::pid_t) {
    loop {
        // SAFETY: waiting for our own child with no status pointer.
        let result = unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::__WALL) };
        if result == pid || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

pub(crate) fn open_pidfd(pid: libc::pid_t) -> Result<OwnedFd, SpawnError> {
    // SAFETY: plain system call; it returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0u32) };
    if fd < 0 {
        let source = io::Error::last_os_error();
        // SAFETY: the child must not be left behind; killing and reaping our own child is always sound.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        return Err(plain_error(
            "watching the child (pidfd_open, Linux 5.3+)",
            source,
        ));
    }
    // SAFETY: `pidfd_open` returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// A pidfd for any process (not only our children), for signalling it safely.
pub(crate) fn open_pidfd_quiet(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: plain system call; it returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0u32) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pidfd_open` returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn write_id_maps(pid: libc::pid_t, maps: &IdMaps) -> io::Result<()> {
    if maps.deny_setgroups {
        fs::write(format!("/proc/{pid}/setgroups"), "deny")?;
    }
    let table = |first: (u32, u32), extra: &[(u32, u32)]| {
        std::iter::once(first)
            .chain(extra.iter().copied())
            .map(|(inside, outside)| format!("{inside} {outside} 1\n"))
            .collect::<String>()
    };
    fs::write(
        format!("/proc/{pid}/uid_map"),
        table((maps.inside_uid, maps.outside_uid), &maps.extra_uids),
    )?;
    fs::write(
        format!("/proc/{pid}/gid_map"),
        table((maps.inside_gid, maps.outside_gid), &maps.extra_gids),
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
    /// Kills the child and everything it started in its session. A one-shot child is PID 1 of its namespace, whose
    /// death takes every process of the namespace with it; a line of an exercise is not (the environment's init
    /// is), so the command it runs (`sleep`, `yes`) must be killed with it, or it would run on after the tutor
    /// said it was stopped. Each line leads a session of its own (`setsid` before exec).
    pub(crate) fn kill(&mut self) {
        if !self.reaped {
            // Scanning /proc for the session costs milliseconds on a busy host; a namespace's PID 1 needs none.
            if !self.leads_namespace {
                crate::processes::kill_session(self.pid);
            }
            send_signal(self.pidfd.as_fd(), libc::SIGKILL);
        }
    }

    /// Whether the child has ended (its pidfd is readable), without reaping it.
    pub(crate) fn has_ended(&self) -> bool {
        let mut fds = [nix::poll::PollFd::new(
            self.pidfd.as_fd(),
            nix::poll::PollFlags::POLLIN,
        )];
        matches!(nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO), Ok(n) if n > 0)
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

/// Sends `signal` through a pidfd (which cannot hit a recycled pid).
pub(crate) fn send_signal(pidfd: std::os::fd::BorrowedFd<'_>, signal: libc::c_int) -> bool {
    // SAFETY: plain system call on a descriptor we hold.
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal,
            std::ptr::null::<u8>(),
            0u32,
        ) == 0
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
