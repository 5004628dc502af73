//! The code that runs in freshly cloned children between `clone` and `execve`.
//!
//! Three kinds of child run this code:
//! - the **init** of an exercise's environment: it creates the namespaces' view (mounts, loopback, hostname) once
//!   and then stays as PID 1, reaping orphans, until the exercise ends ([`enter_init`], then `init::serve`);
//! - a **line** in that environment: a short-lived helper joins the init's namespaces (`setns`) and clones the
//!   line's process as a child of the tutor ([`enter_environment`]); that process confines itself and becomes bash
//!   ([`line_main`]);
//! - a **one-shot** line (`shelltutor sandbox -c`), or any line where namespaces are unavailable: the namespaces
//!   (if any) and the line's confinement in one child that becomes bash ([`enter_one_shot`]).
//!
//! The children are raw `clone`s of a process that may have other threads (the test harness, a REPL's helpers), so
//! they must not allocate or take locks: everything they need is prepared by the parent in a plan, and they only
//! make system calls. When a step fails a child writes the step and `errno` to the error pipe and exits, and the
//! parent turns that into an error (or falls back to fewer layers).
#![allow(unsafe_code)]

use std::ffi::{c_char, CString};
use std::os::fd::RawFd;

use crate::landlock;

/// Steps of a child's setup, reported to the parent when one fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Stage {
    ParentGone = 1,
    Identity,
    MountClone,
    MountReadOnly,
    MountTmp,
    MountPoint,
    MountHome,
    MountRun,
    MountShm,
    MountProc,
    MountWritable,
    MountHosts,
    Loopback,
    Hostname,
    JoinNamespaces,
    // Stages from here on are not about namespaces: failing them is not a reason to fall back.
    DeathSignal = 100,
    Limits,
    Stdio,
    Terminal,
    WorkingDirectory,
    NoNewPrivileges,
    Landlock,
    Capabilities,
    CloneLine,
    Exec,
}

impl Stage {
    pub(crate) fn from_code(code: u32) -> Stage {
        const ALL: [Stage; 25] = [
            Stage::ParentGone,
            Stage::Identity,
            Stage::MountClone,
            Stage::MountReadOnly,
            Stage::MountTmp,
            Stage::MountPoint,
            Stage::MountHome,
            Stage::MountRun,
            Stage::MountShm,
            Stage::MountProc,
            Stage::MountWritable,
            Stage::MountHosts,
            Stage::Loopback,
            Stage::Hostname,
            Stage::JoinNamespaces,
            Stage::DeathSignal,
            Stage::Limits,
            Stage::Stdio,
            Stage::Terminal,
            Stage::WorkingDirectory,
            Stage::NoNewPrivileges,
            Stage::Landlock,
            Stage::Capabilities,
            Stage::CloneLine,
            Stage::Exec,
        ];
        ALL.into_iter()
            .find(|stage| *stage as u32 == code)
            .unwrap_or(Stage::Exec)
    }

    /// Whether this step belongs to the namespace layers (failing it means namespaces do not work here).
    pub(crate) fn is_namespace_setup(self) -> bool {
        (self as u32) < 100
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Stage::ParentGone => "waiting for the tutor",
            Stage::Identity => "taking the learner's identity in the user namespace",
            Stage::MountClone => "cloning the sandbox home's mount",
            Stage::MountReadOnly => "making the root file system read-only",
            Stage::MountTmp => "mounting a private /tmp",
            Stage::MountPoint => "making the home's mount point",
            Stage::MountHome => "mounting the sandbox home",
            Stage::MountRun => "hiding /run",
            Stage::MountShm => "mounting a private /dev/shm",
            Stage::MountProc => "mounting /proc for the PID namespace",
            Stage::MountWritable => "mounting writable system folders",
            Stage::MountHosts => "mounting the sandbox's /etc/hosts",
            Stage::Loopback => "bringing up the private loopback",
            Stage::Hostname => "setting the sandbox's host name",
            Stage::JoinNamespaces => "joining the exercise's namespaces",
            Stage::DeathSignal => "tying the command's life to the tutor",
            Stage::Limits => "setting resource limits",
            Stage::Stdio => "connecting input and output",
            Stage::Terminal => "taking the pseudo-terminal",
            Stage::WorkingDirectory => "entering the sandbox home",
            Stage::NoNewPrivileges => "forbidding new privileges",
            Stage::Landlock => "enforcing Landlock",
            Stage::Capabilities => "dropping capabilities",
            Stage::CloneLine => "starting the line's process in the exercise",
            Stage::Exec => "starting bash",
        }
    }
}

/// A mount point to create (a folder, or an empty file for a file bind mount) inside a fresh tmpfs.
#[derive(Debug)]
pub(crate) struct MountPoint {
    pub path: CString,
    pub is_file: bool,
}

/// The mounts that give the learner a read-only view of `/` with only their home (at their real home path) and
/// a few fresh, private system folders writable.
#[derive(Debug)]
pub(crate) struct MountPlan {
    /// The sandbox home on the host: cloned before `/` turns read-only, attached at `home_target`.
    pub home_source: CString,
    /// Where the home appears inside (the learner's real home path, or the host path when that is unusable).
    pub home_target: CString,
    /// Folders (or files) to create, outermost first, so that `home_target` can be mounted when it lies in a fresh
    /// tmpfs (e.g. the host path under `/tmp`).
    pub mount_points: Vec<MountPoint>,
    pub tmp_options: CString,
    /// Hide `/run` (the user's D-Bus, systemd and ssh-agent sockets) behind an empty tmpfs.
    pub hide_run: bool,
    pub run_options: CString,
    pub private_shm: bool,
    /// Existing system folders that get a fresh, writable tmpfs (`/var/log`, `/var/lib/nginx`, ...).
    pub writable: Vec<CString>,
    pub writable_options: CString,
    /// Folders to create inside those tmpfs (e.g. `/var/log/nginx`), so programs find their usual places.
    pub writable_subdirs: Vec<CString>,
    /// A file bound read-only over `/etc/hosts` (names such as `example.test` resolve to the loopback).
    pub hosts_file: Option<CString>,
}

/// Everything about creating namespaces: identity inside the user namespace, mounts, loopback, host name.
#[derive(Debug)]
pub(crate) struct NamespacePlan {
    /// Read end of the pipe on which the parent says "your id maps are written" (and whose hang-up says the tutor
    /// died).
    pub sync_fd: RawFd,
    /// The tutor is root: drop supplementary groups and become uid/gid 0 inside (mapped to an unused id outside).
    pub become_root_inside: bool,
    pub mounts: MountPlan,
    pub hostname: CString,
}

/// Joining an existing environment: the init's pidfd and where to put the line's process.
#[derive(Debug)]
pub(crate) struct JoinPlan {
    pub init_pidfd: RawFd,
    pub become_root_inside: bool,
    /// Top of the stack the line's process runs its setup on (16-byte aligned, inside memory the parent keeps).
    pub line_stack_top: usize,
    /// Write end of the pipe on which the helper reports the line's pid.
    pub pid_fd: RawFd,
}

/// Landlock steps: rules for the per-environment tmpfs mounts, then enforcement.
#[derive(Debug)]
pub(crate) struct LandlockPlan {
    pub ruleset_fd: RawFd,
    pub tmpfs_rules: Vec<(CString, u64)>,
}

/// Everything a line's process needs to confine itself and become bash.
#[derive(Debug)]
pub(crate) struct LinePlan {
    pub landlock: Option<LandlockPlan>,
    /// Write end of the CLOEXEC pipe on which setup failures are reported.
    pub error_fd: RawFd,
    /// Descriptors that become 0, 1 and 2.
    pub stdio: [RawFd; 3],
    /// Descriptor that becomes [`STATE_FD`] (where the shell writes its state on exit), if any.
    pub state_fd: Option<RawFd>,
    /// Descriptor that becomes [`SAVED_STATE_FD`] (the previous line's state, to source), if any.
    pub saved_state_fd: Option<RawFd>,
    /// Descriptor that becomes [`TRACE_FD`] (bash's xtrace: the commands as they ran), if any.
    pub trace_fd: Option<RawFd>,
    /// Descriptor that becomes [`PROGRAM_FD`] (the line's program, read by bash), if any.
    pub program_fd: Option<RawFd>,
    /// Descriptor that becomes [`CONTROL_FD`] (a socket on which a shell with stopped jobs waits), if any.
    pub control_fd: Option<RawFd>,
    /// stdin is a pseudo-terminal slave that becomes the controlling terminal.
    pub terminal: bool,
    pub cwd: CString,
    pub rlimits: Vec<(libc::__rlimit_resource_t, libc::rlimit)>,
    pub last_capability: u32,
    /// Root's learner keeps CAP_SETUID and CAP_SETGID (see `drop_capabilities`).
    pub keep_identity_capabilities: bool,
    /// Capability dropping needs CAP_SETPCAP, which only a process inside a user namespace has.
    pub in_user_namespace: bool,
    /// Read end of a pipe the parent holds open until the exec: a hang-up means the tutor died meanwhile.
    pub alive_fd: Option<RawFd>,
    pub program: CString,
    pub argv: Vec<*const c_char>,
    pub envp: Vec<*const c_char>,
}

/// What an init needs besides its namespaces: the descriptor it reports reaped processes on, and its name.
#[derive(Debug)]
pub(crate) struct InitPlan {
    pub report_fd: RawFd,
    /// The memory holding the tutor's command line (`/proc/self/stat` fields 48 and 49), overwritten so that `ps`
    /// inside shows `init` rather than the tutor's arguments.
    pub arguments: Option<(usize, usize)>,
}

/// Descriptor number on which the shell writes its state for the next line.
pub(crate) const STATE_FD: RawFd = 99;
/// Descriptor from which the shell sources the previous line's state (and then closes).
pub(crate) const SAVED_STATE_FD: RawFd = 98;
/// Descriptor on which the shell traces the commands it runs (`BASH_XTRACEFD`).
pub(crate) const TRACE_FD: RawFd = 97;
/// Descriptor from which the shell reads the line's program (and then closes).
pub(crate) const PROGRAM_FD: RawFd = 95;
/// Descriptor on which a shell left with stopped jobs (Ctrl-Z) reports them and waits for `fg` or `exit`.
pub(crate) const CONTROL_FD: RawFd = 94;

/// The one-shot child: namespaces (if planned), then the line. Never returns.
pub(crate) fn enter_one_shot(namespaces: Option<&NamespacePlan>, line: &LinePlan) -> ! {
    // SAFETY: this runs in a freshly cloned child; every call below is a plain system call on data prepared by the
    // parent, with no allocation, so it is safe even though the parent may have had other threads at the clone.
    unsafe {
        set_death_signal(line.error_fd);
        if let Some(namespaces) = namespaces {
            build_namespaces(line.error_fd, namespaces);
        }
        confine_and_exec(line, namespaces.map(|n| n.sync_fd))
    }
}

/// The init of an environment: builds its namespaces' view, then serves as PID 1 until killed. Never returns.
pub(crate) fn enter_init(namespaces: &NamespacePlan, init: &InitPlan, error_fd: RawFd) -> ! {
    // SAFETY: as in `enter_one_shot`; the init is a copy of the tutor (no shared memory), and from here on only
    // makes system calls on its own stack and the plan.
    unsafe {
        set_death_signal(error_fd);
        build_namespaces(error_fd, namespaces);
        // Taking the learner's identity cleared the death signal: set it again, then check that the tutor is still
        // there; from here on, the death signal covers it.
        set_death_signal(error_fd);
        let mut poll = libc::pollfd {
            fd: namespaces.sync_fd,
            events: libc::POLLIN,
            revents: 0,
        };
        if libc::poll(&mut poll, 1, 0) > 0 && poll.revents & libc::POLLHUP != 0 {
            fail(error_fd, Stage::ParentGone);
        }
        crate::init::serve(init, error_fd)
    }
}

/// The helper that joins an environment and starts the line's process there, as a child of the tutor. Never
/// returns: it reports the line's pid and exits.
pub(crate) fn enter_environment(join: &JoinPlan, line: &LinePlan) -> ! {
    // SAFETY: as in `enter_one_shot`. The line's process is cloned onto a stack the parent prepared and keeps alive
    // until that process has exec'd or failed.
    unsafe {
        let all = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWIPC;
        if libc::syscall(libc::SYS_setns, join.init_pidfd, all) != 0 {
            fail(line.error_fd, Stage::JoinNamespaces);
        }
        if join.become_root_inside {
            become_root(line.error_fd);
        }
        // CLONE_PARENT: the line's process is the tutor's child, so the tutor waits for it and gets its status, while
        // it lives in the exercise's PID namespace (the setns above applies to children).
        let pid = libc::clone(
            line_main,
            join.line_stack_top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_PARENT | libc::SIGCHLD,
            (line as *const LinePlan).cast_mut().cast(),
        );
        if pid < 0 {
            fail(line.error_fd, Stage::CloneLine);
        }
        let bytes = pid.to_ne_bytes();
        libc::write(join.pid_fd, bytes.as_ptr().cast(), bytes.len());
        libc::_exit(0)
    }
}

/// Entry point of a line's process inside an environment.
extern "C" fn line_main(plan: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `enter_environment` passes a pointer to a `LinePlan` that the tutor keeps alive until this process has
    // exec'd or failed; the process only makes system calls on it.
    unsafe {
        let line = &*(plan as *const LinePlan);
        set_death_signal(line.error_fd);
        confine_and_exec(line, None)
    }
}

/// Reports the failed step and `errno` to the parent and exits.
pub(crate) fn fail(error_fd: RawFd, stage: Stage) -> ! {
    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let mut report = [0u8; 8];
    report[..4].copy_from_slice(&(stage as u32).to_ne_bytes());
    report[4..].copy_from_slice(&errno.to_ne_bytes());
    // SAFETY: writing a stack buffer to a descriptor we own, then exiting without running any destructors.
    unsafe {
        libc::write(error_fd, report.as_ptr().cast(), report.len());
        libc::_exit(126)
    }
}

fn check(error_fd: RawFd, result: libc::c_long, stage: Stage) {
    if result < 0 {
        fail(error_fd, stage);
    }
}

unsafe fn build_namespaces(error_fd: RawFd, namespaces: &NamespacePlan) {
    // Wait until the parent has written our uid/gid maps; EOF means it gave up or died.
    let mut byte = 0u8;
    if libc::read(namespaces.sync_fd, (&mut byte as *mut u8).cast(), 1) != 1 {
        fail(error_fd, Stage::ParentGone);
    }
    if namespaces.become_root_inside {
        become_root(error_fd);
    }
    mount_sandbox_view(error_fd, &namespaces.mounts);
    bring_up_loopback(error_fd);
    let name = namespaces.hostname.as_bytes();
    check(
        error_fd,
        libc::sethostname(name.as_ptr().cast(), name.len()).into(),
        Stage::Hostname,
    );
}

/// Root's learner is uid and gid 0 inside (an unused id outside), without supplementary groups.
unsafe fn become_root(error_fd: RawFd) {
    // Raw system calls: glibc's set*id wrappers synchronise with the parent's other threads, which do not exist in
    // this child, and would wait for them forever.
    check(
        error_fd,
        libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()),
        Stage::Identity,
    );
    check(
        error_fd,
        libc::syscall(libc::SYS_setresgid, 0, 0, 0),
        Stage::Identity,
    );
    check(
        error_fd,
        libc::syscall(libc::SYS_setresuid, 0, 0, 0),
        Stage::Identity,
    );
}

/// Confines the calling process as a learner's line and execs bash.
unsafe fn confine_and_exec(line: &LinePlan, sync_fd: Option<RawFd>) -> ! {
    let error_fd = line.error_fd;
    connect_stdio(line);
    if libc::chdir(line.cwd.as_ptr()) != 0 && libc::chdir(c"/".as_ptr()) != 0 {
        fail(error_fd, Stage::WorkingDirectory);
    }
    if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
        fail(error_fd, Stage::NoNewPrivileges);
    }
    if let Some(landlock) = &line.landlock {
        enforce_landlock(error_fd, landlock);
    }
    // Last: the child still holds every descriptor the tutor had open, and with RLIMIT_NOFILE set it could open no
    // more (nor use high descriptor numbers).
    set_limits(line);
    drop_capabilities(line);
    reset_signals();
    tie_to_parent_again(line, sync_fd);
    libc::execve(
        line.program.as_ptr(),
        line.argv.as_ptr(),
        line.envp.as_ptr(),
    );
    fail(error_fd, Stage::Exec)
}

/// Asks the kernel to kill this child when the tutor dies, so nothing outlives a killed tutor.
unsafe fn set_death_signal(error_fd: RawFd) {
    if libc::prctl(
        libc::PR_SET_PDEATHSIG,
        libc::SIGKILL as libc::c_ulong,
        0,
        0,
        0,
    ) != 0
    {
        fail(error_fd, Stage::DeathSignal);
    }
}

/// Changing uid clears the parent-death signal; set it again, then make sure the parent did not die before that
/// (it holds the pipes open until we exec, so a hang-up means it is gone).
unsafe fn tie_to_parent_again(line: &LinePlan, sync_fd: Option<RawFd>) {
    set_death_signal(line.error_fd);
    for fd in [sync_fd, line.alive_fd].into_iter().flatten() {
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        if libc::poll(&mut poll, 1, 0) > 0 && poll.revents & libc::POLLHUP != 0 {
            fail(line.error_fd, Stage::ParentGone);
        }
    }
}

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

unsafe fn mount_setattr(
    fd: RawFd,
    path: &std::ffi::CStr,
    flags: libc::c_uint,
    attr: &MountAttr,
) -> libc::c_long {
    libc::syscall(
        libc::SYS_mount_setattr,
        fd,
        path.as_ptr(),
        flags,
        attr as *const MountAttr,
        size_of::<MountAttr>(),
    )
}

unsafe fn open_tree_clone(error_fd: RawFd, path: &std::ffi::CStr, recursive: bool) -> RawFd {
    let mut flags = libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC;
    if recursive {
        flags |= libc::AT_RECURSIVE as libc::c_uint;
    }
    let tree = libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, path.as_ptr(), flags);
    check(error_fd, tree, Stage::MountClone);
    tree as RawFd
}

unsafe fn move_mount(error_fd: RawFd, tree: RawFd, target: &std::ffi::CStr, stage: Stage) {
    check(
        error_fd,
        libc::syscall(
            libc::SYS_move_mount,
            tree,
            c"".as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::MOVE_MOUNT_F_EMPTY_PATH,
        ),
        stage,
    );
    libc::close(tree);
}

unsafe fn mount_tmpfs(
    error_fd: RawFd,
    target: &std::ffi::CStr,
    extra: libc::c_ulong,
    options: &CString,
    stage: Stage,
) {
    let result = libc::mount(
        c"tmpfs".as_ptr(),
        target.as_ptr(),
        c"tmpfs".as_ptr(),
        libc::MS_NOSUID | libc::MS_NODEV | extra,
        options.as_ptr().cast(),
    );
    check(error_fd, result.into(), stage);
}

unsafe fn mount_sandbox_view(error_fd: RawFd, mounts: &MountPlan) {
    // Clones are taken first: the recursive read-only attribute below applies to the namespace's tree, not to them.
    let home = open_tree_clone(error_fd, &mounts.home_source, true);
    let hosts = mounts
        .hosts_file
        .as_ref()
        .map(|file| open_tree_clone(error_fd, file, false));
    let read_only = MountAttr {
        attr_set: libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID,
        attr_clr: 0,
        propagation: libc::MS_PRIVATE,
        userns_fd: 0,
    };
    check(
        error_fd,
        mount_setattr(
            libc::AT_FDCWD,
            c"/",
            libc::AT_RECURSIVE as libc::c_uint,
            &read_only,
        ),
        Stage::MountReadOnly,
    );
    mount_tmpfs(error_fd, c"/tmp", 0, &mounts.tmp_options, Stage::MountTmp);
    if mounts.hide_run {
        mount_tmpfs(
            error_fd,
            c"/run",
            libc::MS_NOEXEC,
            &mounts.run_options,
            Stage::MountRun,
        );
    }
    if mounts.private_shm {
        mount_tmpfs(
            error_fd,
            c"/dev/shm",
            libc::MS_NOEXEC,
            &mounts.tmp_options,
            Stage::MountShm,
        );
    }
    for dir in &mounts.writable {
        mount_tmpfs(
            error_fd,
            dir,
            0,
            &mounts.writable_options,
            Stage::MountWritable,
        );
    }
    for dir in &mounts.writable_subdirs {
        if libc::mkdir(dir.as_ptr(), 0o755) != 0 && *libc::__errno_location() != libc::EEXIST {
            fail(error_fd, Stage::MountWritable);
        }
    }
    for point in &mounts.mount_points {
        let made = if point.is_file {
            let fd = libc::open(
                point.path.as_ptr(),
                libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                0o644,
            );
            if fd >= 0 {
                libc::close(fd);
            }
            fd >= 0
        } else {
            libc::mkdir(point.path.as_ptr(), 0o755) == 0
        };
        if !made && *libc::__errno_location() != libc::EEXIST {
            fail(error_fd, Stage::MountPoint);
        }
    }
    move_mount(error_fd, home, &mounts.home_target, Stage::MountHome);
    if let Some(hosts) = hosts {
        check(
            error_fd,
            mount_setattr(hosts, c"", libc::AT_EMPTY_PATH as libc::c_uint, &read_only),
            Stage::MountHosts,
        );
        move_mount(error_fd, hosts, c"/etc/hosts", Stage::MountHosts);
    }
    let result = libc::mount(
        c"proc".as_ptr(),
        c"/proc".as_ptr(),
        c"proc".as_ptr(),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        std::ptr::null(),
    );
    check(error_fd, result.into(), Stage::MountProc);
}

unsafe fn bring_up_loopback(error_fd: RawFd) {
    let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
    check(error_fd, socket.into(), Stage::Loopback);
    let mut request: libc::ifreq = std::mem::zeroed();
    request.ifr_name[0] = b'l' as c_char;
    request.ifr_name[1] = b'o' as c_char;
    request.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    check(
        error_fd,
        libc::ioctl(socket, libc::SIOCSIFFLAGS, &request).into(),
        Stage::Loopback,
    );
    libc::close(socket);
    // The learner has no capabilities, yet lessons run nginx on ports 80 and 443 and ping localhost: this network
    // namespace is theirs alone, so let any port be bound and any group ping. Best effort.
    write_file(c"/proc/sys/net/ipv4/ip_unprivileged_port_start", b"0");
    write_file(c"/proc/sys/net/ipv4/ping_group_range", b"0 2147483647");
}

pub(crate) unsafe fn write_file(path: &std::ffi::CStr, content: &[u8]) {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    if fd >= 0 {
        libc::write(fd, content.as_ptr().cast(), content.len());
        libc::close(fd);
    }
}

unsafe fn set_limits(line: &LinePlan) {
    for (resource, limit) in &line.rlimits {
        check(
            line.error_fd,
            libc::setrlimit(*resource, limit).into(),
            Stage::Limits,
        );
    }
    // Under memory pressure the kernel should kill the learner's processes, never the tutor.
    write_file(c"/proc/self/oom_score_adj", b"1000");
}

unsafe fn connect_stdio(line: &LinePlan) {
    // Our own session: no access to the tutor's controlling terminal (no TIOCSTI into it, no /dev/tty).
    libc::setsid();
    // Move the sources out of the way first: if the tutor runs with 0, 1 or 2 closed, a pipe may sit there.
    let wanted = [
        Some(line.stdio[0]),
        Some(line.stdio[1]),
        Some(line.stdio[2]),
        line.state_fd,
        line.saved_state_fd,
        line.trace_fd,
        line.program_fd,
        line.control_fd,
    ];
    let targets = [
        0,
        1,
        2,
        STATE_FD,
        SAVED_STATE_FD,
        TRACE_FD,
        PROGRAM_FD,
        CONTROL_FD,
    ];
    let mut sources = [-1; 8];
    for (slot, source) in wanted.iter().enumerate() {
        if let Some(source) = source {
            sources[slot] = libc::fcntl(*source, libc::F_DUPFD_CLOEXEC, STATE_FD + 1);
            check(line.error_fd, sources[slot].into(), Stage::Stdio);
        }
    }
    for (source, target) in sources.iter().zip(targets) {
        if *source >= 0 {
            check(
                line.error_fd,
                libc::dup2(*source, target).into(),
                Stage::Stdio,
            );
        }
    }
    if line.terminal {
        check(
            line.error_fd,
            libc::ioctl(0, libc::TIOCSCTTY, 0).into(),
            Stage::Terminal,
        );
    }
    // Everything else the tutor had open is closed at exec (our own pipes are already close-on-exec).
    libc::syscall(
        libc::SYS_close_range,
        3u32,
        (CONTROL_FD - 1) as u32,
        libc::CLOSE_RANGE_CLOEXEC,
    );
    libc::syscall(
        libc::SYS_close_range,
        (PROGRAM_FD + 1) as u32,
        (TRACE_FD - 1) as u32,
        libc::CLOSE_RANGE_CLOEXEC,
    );
    libc::syscall(
        libc::SYS_close_range,
        (STATE_FD + 1) as u32,
        u32::MAX,
        libc::CLOSE_RANGE_CLOEXEC,
    );
}

unsafe fn enforce_landlock(error_fd: RawFd, landlock_plan: &LandlockPlan) {
    for (path, access) in &landlock_plan.tmpfs_rules {
        let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        if fd < 0 && *libc::__errno_location() == libc::ENOENT {
            continue;
        }
        check(error_fd, fd.into(), Stage::Landlock);
        check(
            error_fd,
            landlock::add_rule(landlock_plan.ruleset_fd, fd, *access),
            Stage::Landlock,
        );
        libc::close(fd);
    }
    check(
        error_fd,
        landlock::restrict_self(landlock_plan.ruleset_fd),
        Stage::Landlock,
    );
}

/// The capabilities root's learner keeps (numbers from `linux/capability.h`): CAP_CHOWN, CAP_DAC_OVERRIDE,
/// CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE and
/// CAP_SYS_CHROOT. sshd running as root always locks its pre-login process into `/run/sshd` and drops every
/// connection when it cannot; a chroot inside the sandbox's mount namespace reaches nothing the namespace does not
/// already show.
pub(crate) const ROOT_CAPABILITIES: u32 = 0b100_0000_0100_1111_1111;

/// Leaves the command without capabilities, for good: inside the user namespace the setup ran with all of them,
/// which would let it undo the mounts. The one exception is root's learner (uid 0 inside, with only a few unused
/// ids mapped), who keeps what makes root root for files and identities ([`ROOT_CAPABILITIES`]): servers started
/// as root (nginx, sshd) chown their folders and switch to their service accounts, as on a real machine. In a user
/// namespace these capabilities act only on ids mapped into it (the sandbox's own), never on a host file or user,
/// and the read-only mounts and Landlock still bound every write.
unsafe fn drop_capabilities(line: &LinePlan) {
    let kept: u32 = if line.keep_identity_capabilities {
        ROOT_CAPABILITIES
    } else {
        0
    };
    // Without kept capabilities, uid 0 must not regain any at exec; lock that in. Only possible with CAP_SETPCAP
    // (namespace mode); without it there are no capabilities to drop anyway.
    let secure_bits = libc::SECBIT_NOROOT
        | libc::SECBIT_NOROOT_LOCKED
        | libc::SECBIT_NO_SETUID_FIXUP
        | libc::SECBIT_NO_SETUID_FIXUP_LOCKED
        | libc::SECBIT_KEEP_CAPS_LOCKED;
    let has_setpcap = if kept == 0 {
        libc::prctl(
            libc::PR_SET_SECUREBITS,
            secure_bits as libc::c_ulong,
            0,
            0,
            0,
        ) == 0
    } else {
        line.in_user_namespace
    };
    if has_setpcap {
        for capability in 0..=line.last_capability {
            if capability >= 32 || kept & (1 << capability) == 0 {
                libc::prctl(libc::PR_CAPBSET_DROP, capability as libc::c_ulong, 0, 0, 0);
            }
        }
    }
    libc::prctl(
        libc::PR_CAP_AMBIENT,
        libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
        0,
        0,
        0,
    );
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let header = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    // Kept capabilities stay permitted, so that exec under no_new_privs does not count them as newly gained.
    let data = [
        Data {
            effective: kept,
            permitted: kept,
            inheritable: 0,
        },
        Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        },
    ];
    check(
        line.error_fd,
        libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()),
        Stage::Capabilities,
    );
}

unsafe fn reset_signals() {
    // The tutor ignores SIGPIPE (Rust does) and may block signals; the learner's commands expect the defaults.
    for signal in 1..=64 {
        if signal != libc::SIGKILL && signal != libc::SIGSTOP {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
    let mut none: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut none);
    libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_codes_round_trip() {
        for stage in [
            Stage::ParentGone,
            Stage::Loopback,
            Stage::JoinNamespaces,
            Stage::Landlock,
            Stage::CloneLine,
            Stage::Exec,
        ] {
            assert_eq!(Stage::from_code(stage as u32), stage);
        }
        assert!(Stage::MountProc.is_namespace_setup());
        assert!(Stage::JoinNamespaces.is_namespace_setup());
        assert!(!Stage::Landlock.is_namespace_setup());
    }
}
