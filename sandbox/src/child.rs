//! The code that runs in the freshly cloned child between `clone` and `execve`: it finishes building the
//! confinement (mounts, loopback, Landlock, rlimits, capabilities) and then becomes bash.
//!
//! The child is a raw `clone` of a process that may have other threads (the test harness, a REPL's helpers), so
//! it must not allocate or take locks: everything it needs is prepared by the parent in a [`ChildPlan`], and it
//! only makes system calls. When a step fails it writes the step and `errno` to the error pipe and exits, and the
//! parent turns that into an error (or falls back to fewer layers).
#![allow(unsafe_code)]

use std::ffi::{c_char, CString};
use std::os::fd::RawFd;

use crate::landlock;

/// Steps of the child's setup, reported to the parent when one fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Stage {
    ParentGone = 1,
    Identity,
    MountClone,
    MountReadOnly,
    MountTmp,
    MountPoint,
    MountSandbox,
    MountRun,
    MountShm,
    MountProc,
    Loopback,
    // Stages from here on are not about namespaces: failing them is not a reason to fall back.
    DeathSignal = 100,
    Limits,
    Stdio,
    Terminal,
    WorkingDirectory,
    NoNewPrivileges,
    Landlock,
    Capabilities,
    Exec,
}

impl Stage {
    pub(crate) fn from_code(code: u32) -> Stage {
        const ALL: [Stage; 20] = [
            Stage::ParentGone,
            Stage::Identity,
            Stage::MountClone,
            Stage::MountReadOnly,
            Stage::MountTmp,
            Stage::MountPoint,
            Stage::MountSandbox,
            Stage::MountRun,
            Stage::MountShm,
            Stage::MountProc,
            Stage::Loopback,
            Stage::DeathSignal,
            Stage::Limits,
            Stage::Stdio,
            Stage::Terminal,
            Stage::WorkingDirectory,
            Stage::NoNewPrivileges,
            Stage::Landlock,
            Stage::Capabilities,
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
            Stage::MountClone => "cloning the sandbox mount",
            Stage::MountReadOnly => "making the root file system read-only",
            Stage::MountTmp => "mounting a private /tmp",
            Stage::MountPoint => "making the sandbox mount point",
            Stage::MountSandbox => "mounting the sandbox folder",
            Stage::MountRun => "hiding /run",
            Stage::MountShm => "mounting a private /dev/shm",
            Stage::MountProc => "mounting /proc for the PID namespace",
            Stage::Loopback => "bringing up the private loopback",
            Stage::DeathSignal => "tying the command's life to the tutor",
            Stage::Limits => "setting resource limits",
            Stage::Stdio => "connecting input and output",
            Stage::Terminal => "taking the pseudo-terminal",
            Stage::WorkingDirectory => "entering the sandbox home",
            Stage::NoNewPrivileges => "forbidding new privileges",
            Stage::Landlock => "enforcing Landlock",
            Stage::Capabilities => "dropping capabilities",
            Stage::Exec => "starting bash",
        }
    }
}

/// The mounts that give the command a read-only view of `/` with only the sandbox writable.
#[derive(Debug)]
pub(crate) struct MountPlan {
    /// The sandbox folder (absolute, canonical): cloned before `/` turns read-only, re-attached at the same path.
    pub sandbox: CString,
    /// Folders to create in the fresh `/tmp` so the sandbox can be re-attached at its own path (when it lives under
    /// `/tmp`), outermost first.
    pub mount_points: Vec<CString>,
    pub tmp_options: CString,
    /// Hide `/run` (the user's D-Bus, systemd and ssh-agent sockets) behind an empty tmpfs.
    pub hide_run: bool,
    pub run_options: CString,
    pub private_shm: bool,
}

/// Namespace-related steps: identity inside the user namespace, mounts and the loopback.
#[derive(Debug)]
pub(crate) struct NamespacePlan {
    /// Read end of the pipe on which the parent says "your id maps are written".
    pub sync_fd: RawFd,
    /// The tutor is root: drop supplementary groups and become uid/gid 0 inside (mapped to an unused id outside).
    pub become_root_inside: bool,
    pub mounts: MountPlan,
}

/// Landlock steps: rules for the per-command tmpfs mounts, then enforcement.
#[derive(Debug)]
pub(crate) struct LandlockPlan {
    pub ruleset_fd: RawFd,
    pub tmpfs_rules: Vec<(CString, u64)>,
}

/// Everything the child needs, prepared by the parent so the child never allocates.
#[derive(Debug)]
pub(crate) struct ChildPlan {
    pub namespaces: Option<NamespacePlan>,
    pub landlock: Option<LandlockPlan>,
    /// Write end of the CLOEXEC pipe on which setup failures are reported.
    pub error_fd: RawFd,
    /// Descriptors that become 0, 1 and 2.
    pub stdio: [RawFd; 3],
    /// Descriptor that becomes [`STATE_FD`] (where the shell writes its state on exit), if any.
    pub state_fd: Option<RawFd>,
    /// Descriptor that becomes [`SAVED_STATE_FD`] (the previous line's state, to source), if any.
    pub saved_state_fd: Option<RawFd>,
    /// stdin is a pseudo-terminal slave that becomes the controlling terminal.
    pub terminal: bool,
    pub cwd: CString,
    pub rlimits: Vec<(libc::__rlimit_resource_t, libc::rlimit)>,
    pub last_capability: u32,
    /// Root's learner keeps CAP_SETUID and CAP_SETGID (see `drop_capabilities`).
    pub keep_identity_capabilities: bool,
    pub program: CString,
    pub argv: Vec<*const c_char>,
    pub envp: Vec<*const c_char>,
}

/// Descriptor number on which the shell writes its state for the next line.
pub(crate) const STATE_FD: RawFd = 99;
/// Descriptor from which the shell sources the previous line's state (and then closes).
pub(crate) const SAVED_STATE_FD: RawFd = 98;

/// Runs the child's setup and execs bash. Never returns.
pub(crate) fn enter(plan: &ChildPlan) -> ! {
    // SAFETY: this runs in a freshly cloned child that owns its copy of memory and descriptors; every call below is
    // a plain system call on data prepared by the parent, with no allocation, so it is safe even though the parent
    // may have had other threads at the time of the clone.
    unsafe {
        set_death_signal(plan);
        if let Some(namespaces) = &plan.namespaces {
            enter_namespaces(plan, namespaces);
        }
        connect_stdio(plan);
        if libc::chdir(plan.cwd.as_ptr()) != 0 && libc::chdir(c"/".as_ptr()) != 0 {
            fail(plan, Stage::WorkingDirectory);
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            fail(plan, Stage::NoNewPrivileges);
        }
        if let Some(landlock) = &plan.landlock {
            enforce_landlock(plan, landlock);
        }
        // Last: the child still holds every descriptor the tutor had open, and with RLIMIT_NOFILE set it could
        // open no more (nor use high descriptor numbers).
        set_limits(plan);
        drop_capabilities(plan);
        reset_signals();
        tie_to_parent_again(plan);
        libc::execve(
            plan.program.as_ptr(),
            plan.argv.as_ptr(),
            plan.envp.as_ptr(),
        );
        fail(plan, Stage::Exec)
    }
}

/// Reports the failed step and `errno` to the parent and exits.
fn fail(plan: &ChildPlan, stage: Stage) -> ! {
    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let mut report = [0u8; 8];
    report[..4].copy_from_slice(&(stage as u32).to_ne_bytes());
    report[4..].copy_from_slice(&errno.to_ne_bytes());
    // SAFETY: writing a stack buffer to a descriptor we own, then exiting without running any destructors.
    unsafe {
        libc::write(plan.error_fd, report.as_ptr().cast(), report.len());
        libc::_exit(126)
    }
}

fn check(plan: &ChildPlan, result: libc::c_long, stage: Stage) {
    if result < 0 {
        fail(plan, stage);
    }
}

unsafe fn enter_namespaces(plan: &ChildPlan, namespaces: &NamespacePlan) {
    // Wait until the parent has written our uid/gid maps; EOF means it gave up or died.
    let mut byte = 0u8;
    if libc::read(namespaces.sync_fd, (&mut byte as *mut u8).cast(), 1) != 1 {
        fail(plan, Stage::ParentGone);
    }
    if namespaces.become_root_inside {
        // Raw system calls: glibc's set*id wrappers synchronise with the parent's other threads, which do not exist
        // in this child, and would wait for them forever.
        check(
            plan,
            libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()),
            Stage::Identity,
        );
        check(
            plan,
            libc::syscall(libc::SYS_setresgid, 0, 0, 0),
            Stage::Identity,
        );
        check(
            plan,
            libc::syscall(libc::SYS_setresuid, 0, 0, 0),
            Stage::Identity,
        );
    }
    mount_sandbox_view(plan, &namespaces.mounts);
    bring_up_loopback(plan);
}

/// Asks the kernel to kill this child when the tutor dies, so nothing outlives a killed tutor.
unsafe fn set_death_signal(plan: &ChildPlan) {
    if libc::prctl(
        libc::PR_SET_PDEATHSIG,
        libc::SIGKILL as libc::c_ulong,
        0,
        0,
        0,
    ) != 0
    {
        fail(plan, Stage::DeathSignal);
    }
}

/// Changing uid clears the parent-death signal; set it again, then make sure the parent did not die before that
/// (it holds the sync pipe open until we exec, so a hang-up means it is gone).
unsafe fn tie_to_parent_again(plan: &ChildPlan) {
    set_death_signal(plan);
    if let Some(namespaces) = &plan.namespaces {
        let mut poll = libc::pollfd {
            fd: namespaces.sync_fd,
            events: libc::POLLIN,
            revents: 0,
        };
        if libc::poll(&mut poll, 1, 0) > 0 && poll.revents & libc::POLLHUP != 0 {
            fail(plan, Stage::ParentGone);
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

unsafe fn mount_sandbox_view(plan: &ChildPlan, mounts: &MountPlan) {
    let tree = libc::syscall(
        libc::SYS_open_tree,
        libc::AT_FDCWD,
        mounts.sandbox.as_ptr(),
        libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC,
    );
    check(plan, tree, Stage::MountClone);
    let read_only = MountAttr {
        attr_set: libc::MOUNT_ATTR_RDONLY | libc::MOUNT_ATTR_NOSUID,
        attr_clr: 0,
        propagation: libc::MS_PRIVATE,
        userns_fd: 0,
    };
    check(
        plan,
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c"/".as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &read_only as *const MountAttr,
            size_of::<MountAttr>(),
        ),
        Stage::MountReadOnly,
    );
    let tmpfs_flags = libc::MS_NOSUID | libc::MS_NODEV;
    let result = libc::mount(
        c"tmpfs".as_ptr(),
        c"/tmp".as_ptr(),
        c"tmpfs".as_ptr(),
        tmpfs_flags,
        mounts.tmp_options.as_ptr().cast(),
    );
    check(plan, result.into(), Stage::MountTmp);
    for dir in &mounts.mount_points {
        if libc::mkdir(dir.as_ptr(), 0o755) != 0 && *libc::__errno_location() != libc::EEXIST {
            fail(plan, Stage::MountPoint);
        }
    }
    check(
        plan,
        libc::syscall(
            libc::SYS_move_mount,
            tree as RawFd,
            c"".as_ptr(),
            libc::AT_FDCWD,
            mounts.sandbox.as_ptr(),
            libc::MOVE_MOUNT_F_EMPTY_PATH,
        ),
        Stage::MountSandbox,
    );
    libc::close(tree as RawFd);
    if mounts.hide_run {
        let result = libc::mount(
            c"tmpfs".as_ptr(),
            c"/run".as_ptr(),
            c"tmpfs".as_ptr(),
            tmpfs_flags | libc::MS_NOEXEC,
            mounts.run_options.as_ptr().cast(),
        );
        check(plan, result.into(), Stage::MountRun);
    }
    if mounts.private_shm {
        let result = libc::mount(
            c"tmpfs".as_ptr(),
            c"/dev/shm".as_ptr(),
            c"tmpfs".as_ptr(),
            tmpfs_flags | libc::MS_NOEXEC,
            mounts.tmp_options.as_ptr().cast(),
        );
        check(plan, result.into(), Stage::MountShm);
    }
    let result = libc::mount(
        c"proc".as_ptr(),
        c"/proc".as_ptr(),
        c"proc".as_ptr(),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        std::ptr::null(),
    );
    check(plan, result.into(), Stage::MountProc);
}

unsafe fn bring_up_loopback(plan: &ChildPlan) {
    let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
    check(plan, socket.into(), Stage::Loopback);
    let mut request: libc::ifreq = std::mem::zeroed();
    request.ifr_name[0] = b'l' as c_char;
    request.ifr_name[1] = b'o' as c_char;
    request.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    check(
        plan,
        libc::ioctl(socket, libc::SIOCSIFFLAGS, &request).into(),
        Stage::Loopback,
    );
    libc::close(socket);
    // The learner has no capabilities, yet lessons run nginx on ports 80 and 443 and ping localhost: this network
    // namespace is theirs alone, so let any port be bound and any group ping. Best effort.
    write_file(c"/proc/sys/net/ipv4/ip_unprivileged_port_start", b"0");
    write_file(c"/proc/sys/net/ipv4/ping_group_range", b"0 2147483647");
}

unsafe fn write_file(path: &std::ffi::CStr, content: &[u8]) {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    if fd >= 0 {
        libc::write(fd, content.as_ptr().cast(), content.len());
        libc::close(fd);
    }
}

unsafe fn set_limits(plan: &ChildPlan) {
    for (resource, limit) in &plan.rlimits {
        check(
            plan,
            libc::setrlimit(*resource, limit).into(),
            Stage::Limits,
        );
    }
    // Under memory pressure the kernel should kill the learner's processes, never the tutor.
    write_file(c"/proc/self/oom_score_adj", b"1000");
}

unsafe fn connect_stdio(plan: &ChildPlan) {
    // Our own session: no access to the tutor's controlling terminal (no TIOCSTI into it, no /dev/tty).
    libc::setsid();
    // Move the sources out of the way first: if the tutor runs with 0, 1 or 2 closed, a pipe may sit there.
    let wanted = [
        Some(plan.stdio[0]),
        Some(plan.stdio[1]),
        Some(plan.stdio[2]),
        plan.state_fd,
        plan.saved_state_fd,
    ];
    let targets = [0, 1, 2, STATE_FD, SAVED_STATE_FD];
    let mut sources = [-1; 5];
    for (slot, source) in wanted.iter().enumerate() {
        if let Some(source) = source {
            sources[slot] = libc::fcntl(*source, libc::F_DUPFD_CLOEXEC, STATE_FD + 1);
            check(plan, sources[slot].into(), Stage::Stdio);
        }
    }
    for (source, target) in sources.iter().zip(targets) {
        if *source >= 0 {
            check(plan, libc::dup2(*source, target).into(), Stage::Stdio);
        }
    }
    if plan.terminal {
        check(
            plan,
            libc::ioctl(0, libc::TIOCSCTTY, 0).into(),
            Stage::Terminal,
        );
    }
    // Everything else the tutor had open is closed at exec (our own pipes are already close-on-exec).
    libc::syscall(
        libc::SYS_close_range,
        3u32,
        (SAVED_STATE_FD - 1) as u32,
        libc::CLOSE_RANGE_CLOEXEC,
    );
    libc::syscall(
        libc::SYS_close_range,
        (STATE_FD + 1) as u32,
        u32::MAX,
        libc::CLOSE_RANGE_CLOEXEC,
    );
}

unsafe fn enforce_landlock(plan: &ChildPlan, landlock_plan: &LandlockPlan) {
    for (path, access) in &landlock_plan.tmpfs_rules {
        let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        if fd < 0 && *libc::__errno_location() == libc::ENOENT {
            continue;
        }
        check(plan, fd.into(), Stage::Landlock);
        check(
            plan,
            landlock::add_rule(landlock_plan.ruleset_fd, fd, *access),
            Stage::Landlock,
        );
        libc::close(fd);
    }
    check(
        plan,
        landlock::restrict_self(landlock_plan.ruleset_fd),
        Stage::Landlock,
    );
}

/// Capability numbers from `linux/capability.h`.
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;

/// Leaves the command without capabilities, for good: inside the user namespace the setup ran with all of them,
/// which would let it undo the mounts. The one exception is root's learner (uid 0 inside, with only uid and gid 0
/// mapped), who keeps CAP_SETUID and CAP_SETGID: servers started as root (nginx) switch to uid 0 and call
/// `setgroups`, and with a single mapped id these capabilities can reach no other identity.
unsafe fn drop_capabilities(plan: &ChildPlan) {
    let kept: u32 = if plan.keep_identity_capabilities {
        (1 << CAP_SETGID) | (1 << CAP_SETUID)
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
        plan.namespaces.is_some()
    };
    if has_setpcap {
        for capability in 0..=plan.last_capability {
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
        plan,
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
            Stage::Landlock,
            Stage::Exec,
        ] {
            assert_eq!(Stage::from_code(stage as u32), stage);
        }
        assert!(Stage::MountProc.is_namespace_setup());
        assert!(!Stage::Landlock.is_namespace_setup());
    }
}
