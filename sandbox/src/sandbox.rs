//! The `Sandbox`: a folder with a learner home, and the means to run bash lines in it under every layer the
//! kernel offers, keeping shell state between lines, bounding every line, and cleaning up everything.

use std::ffi::{CString, OsStr, OsString};
use std::fs;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::capture::{self, Pipes, Relayed};
use crate::child::{ChildPlan, LandlockPlan, MountPlan, NamespacePlan};
use crate::folder::{self, Folder};
use crate::landlock::{self, Ruleset};
use crate::layers::LayerFacts;
use crate::outcome::display_with_tilde;
use crate::spawn::{self, IdMaps, SpawnError};
use crate::terminal::{self, Endpoints};
use crate::watch::Watch;
use crate::{Error, Layers, LimitHit, Options, Outcome, Status};

/// The uid (and gid) that root's learner runs as outside the sandbox: an id no account uses, so that
/// `RLIMIT_NPROC` binds (root is exempt from it) and no host file is the learner's own.
pub const ROOT_PROXY_ID: u32 = 2_000_000_000;

/// Raises this process's soft limit on open files to its hard limit, once.
///
/// Removing a learner's very deep tree holds one descriptor per level (std's `remove_dir_all`), and callers such as
/// `verify` run several sandboxes at once: under the usual soft limit of 1024 that can starve another thread of a
/// pipe. The learner's own processes keep their bound: the child sets `Limits::open_files` itself.
fn raise_open_file_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(raise_soft_to_hard);
}

fn raise_soft_to_hard() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let wanted = hard.min(1 << 20);
        if soft < wanted {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, wanted, hard);
        }
    }
}

/// Once namespaces failed in this process, later sandboxes do not try them again.
static NAMESPACES_BROKEN: Mutex<Option<String>> = Mutex::new(None);

/// Devices the learner may read and write (by path: anything else in /dev is read-only at most).
const WRITABLE_DEVICES: [&str; 6] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
];

/// Where a line's input and output go.
#[derive(Debug, Clone, Copy)]
pub enum Io<'a> {
    /// stdin is `/dev/null`; output is recorded only.
    Captured,
    /// stdin is `/dev/null`; output is recorded and passed through to the tutor's stdout and stderr as it comes.
    Echoed,
    /// The command gets a pseudo-terminal of its own, relayed to this terminal (put in raw mode meanwhile).
    Terminal {
        input: BorrowedFd<'a>,
        output: BorrowedFd<'a>,
    },
}

/// A throwaway, confined folder with a learner home, in which bash lines run. Dropping it kills nothing (no process
/// outlives a line) and removes the folder.
#[derive(Debug)]
pub struct Sandbox {
    options: Options,
    folder: Folder,
    facts: LayerFacts,
    bash: CString,
    maps: IdMaps,
    user_name: OsString,
    /// The shell's directory after the last line.
    cwd: PathBuf,
    /// What the last line's shell left (a script of `declare`, `alias`, ... lines), sourced by the next one.
    shell_state: Vec<u8>,
}

impl Sandbox {
    /// Makes a fresh sandbox: sweeps stale ones, creates the folder, finds bash and checks which layers work.
    pub fn new(options: Options) -> Result<Sandbox, Error> {
        if !cfg!(target_os = "linux") {
            return Err(Error::Unsupported);
        }
        raise_open_file_limit();
        let bash = find_bash(options.bash.as_deref()).ok_or(Error::BashMissing)?;
        let landlock = landlock::abi_version();
        let namespaces = match NAMESPACES_BROKEN.lock().map(|broken| broken.clone()) {
            _ if !options.namespaces => Err("turned off by the caller".to_owned()),
            Ok(Some(why)) => Err(why),
            _ => namespaces_allowed(),
        };
        let euid = nix::unistd::geteuid().as_raw();
        let egid = nix::unistd::getegid().as_raw();
        let maps = if euid == 0 {
            IdMaps {
                inside_uid: 0,
                inside_gid: 0,
                outside_uid: ROOT_PROXY_ID,
                outside_gid: ROOT_PROXY_ID,
                deny_setgroups: false,
            }
        } else {
            IdMaps {
                inside_uid: euid,
                inside_gid: egid,
                outside_uid: euid,
                outside_gid: egid,
                deny_setgroups: true,
            }
        };
        let facts = LayerFacts {
            landlock,
            namespaces,
            root_mapped_to: (euid == 0).then_some(ROOT_PROXY_ID),
        };
        refuse_without_confinement(&facts, options.unconfined)?;
        let parent = options
            .parent_dir
            .clone()
            .unwrap_or_else(folder::default_parent);
        let parent = folder::prepare_parent(&parent)?;
        folder::sweep_stale(&parent);
        let folder = Folder::create(&parent, owner(&facts, maps))?;
        let cwd = folder.home.clone();
        Ok(Sandbox {
            options,
            folder,
            facts,
            bash,
            maps,
            user_name: user_name(euid),
            cwd,
            shell_state: Vec::new(),
        })
    }

    /// Runs a line headless (stdin `/dev/null`, output recorded) and reports what happened.
    pub fn run(&mut self, line: &str) -> Result<Outcome, Error> {
        self.run_with(line, Io::Captured)
    }

    /// Runs a line headless while passing its output through to the tutor's stdout and stderr.
    pub fn run_echoed(&mut self, line: &str) -> Result<Outcome, Error> {
        self.run_with(line, Io::Echoed)
    }

    /// Runs a line on a pseudo-terminal of its own, relayed to the tutor's stdin and stdout (which must be a
    /// terminal). vi, less, man and password prompts work; Ctrl-C and Ctrl-Z reach the command only.
    pub fn run_interactive(&mut self, line: &str) -> Result<Outcome, Error> {
        let input = std::io::stdin();
        let output = std::io::stdout();
        let (input, output) = (
            std::os::fd::AsFd::as_fd(&input),
            std::os::fd::AsFd::as_fd(&output),
        );
        if !terminal::is_terminal(input) || !terminal::is_terminal(output) {
            return Err(Error::NotATerminal);
        }
        self.run_with(line, Io::Terminal { input, output })
    }

    /// Runs a line with the given input and output.
    pub fn run_with(&mut self, line: &str, io: Io<'_>) -> Result<Outcome, Error> {
        self.folder.populate(owner(&self.facts, self.maps))?;
        match self.attempt(line, io) {
            Err(Attempt::Namespaces(why)) => {
                if let Ok(mut broken) = NAMESPACES_BROKEN.lock() {
                    *broken = Some(why.clone());
                }
                self.facts.namespaces = Err(why);
                refuse_without_confinement(&self.facts, self.options.unconfined)?;
                // Root's learner no longer runs as the proxy uid: give the folders back to the tutor's own uid.
                let (uid, gid) = (
                    nix::unistd::geteuid().as_raw(),
                    nix::unistd::getegid().as_raw(),
                );
                for dir in [&self.folder.home, &self.folder.tmp] {
                    let _ = std::os::unix::fs::chown(dir, Some(uid), Some(gid));
                }
                self.attempt(line, io).map_err(Attempt::into_error)
            }
            other => other.map_err(Attempt::into_error),
        }
    }

    /// Empties home and temp folders and forgets the shell state: a fresh sandbox in the same place.
    pub fn reset(&mut self) -> Result<(), Error> {
        self.folder.reset(owner(&self.facts, self.maps))?;
        self.cwd = self.folder.home.clone();
        self.shell_state.clear();
        Ok(())
    }

    /// The sandbox folder on the host (holds `home/` and `tmp/`).
    pub fn root(&self) -> &Path {
        &self.folder.root
    }

    /// The learner's home (`~` and `$HOME` inside), as a host path.
    pub fn home(&self) -> &Path {
        &self.folder.home
    }

    /// The shell's current directory after the last line.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The learner's user name as `whoami` prints it inside (the caller's own name).
    pub fn user_name(&self) -> &OsStr {
        &self.user_name
    }

    /// Which layers confine this sandbox's commands.
    pub fn layers(&self) -> Layers {
        self.facts.layers()
    }

    /// Shows a host path inside the sandbox the way the learner sees it (`~/a/b`).
    pub fn display_path(&self, path: &Path) -> String {
        display_with_tilde(path, &self.folder.home)
    }

    /// Resolves a learner's path (`~/a/b`, `a/b` relative to home, or an absolute path inside the sandbox) to a host
    /// path, refusing anything that leaves the sandbox, including through symlinks. The path need not exist.
    pub fn resolve(&self, learner_path: &str) -> Result<PathBuf, Error> {
        resolve_inside(&self.folder.root, &self.folder.home, learner_path)
    }

    /// Keeps the folder on disk (for `--keep`), out of reach of the stale-sandbox sweep, and returns where it is.
    pub fn keep(mut self) -> PathBuf {
        self.folder.keep()
    }

    fn attempt(&mut self, line: &str, io: Io<'_>) -> Result<Outcome, Attempt> {
        let started = Instant::now();
        let persist = self.options.persist_shell_state;
        let terminal_mode = matches!(io, Io::Terminal { .. });
        let argv = self.argv(line, persist, terminal_mode)?;
        let saved_state = if persist && !self.shell_state.is_empty() {
            Some(
                sealed_memfd(&self.shell_state)
                    .map_err(|source| spawn_error("handing over the shell state", source))?,
            )
        } else {
            None
        };
        let envp = self.environment(io)?;
        let (error_read, error_write) = pipe()?;
        let (sync_read, sync_write) = if self.facts.namespaces.is_ok() {
            let (read, write) = pipe()?;
            (Some(read), Some(write))
        } else {
            (None, None)
        };
        let (state_read, state_write) = if persist {
            let (read, write) = pipe()?;
            (Some(read), Some(write))
        } else {
            (None, None)
        };
        let ruleset = match &self.facts.landlock {
            Ok(abi) => Some(
                self.ruleset(*abi)
                    .map_err(|source| spawn_error("building the Landlock ruleset", source))?,
            ),
            Err(_) => None,
        };
        let null = fs::File::open("/dev/null")
            .map_err(|source| spawn_error("opening /dev/null", source))?;
        let (stdio_parent, stdio_child): (Option<(OwnedFd, OwnedFd)>, Vec<OwnedFd>) = match io {
            Io::Terminal { input, .. } => {
                let pty = terminal::open_like(input)
                    .map_err(|source| spawn_error("opening a pseudo-terminal", source))?;
                (None, vec![pty.master, pty.slave])
            }
            Io::Captured | Io::Echoed => {
                let (out_read, out_write) = pipe()?;
                let (err_read, err_write) = pipe()?;
                (Some((out_read, err_read)), vec![out_write, err_write])
            }
        };
        let stdio = match io {
            Io::Terminal { .. } => [stdio_child[1].as_raw_fd(); 3],
            _ => [
                null.as_raw_fd(),
                stdio_child[0].as_raw_fd(),
                stdio_child[1].as_raw_fd(),
            ],
        };
        let plan = ChildPlan {
            namespaces: match (&self.facts.namespaces, &sync_read) {
                (Ok(()), Some(sync_read)) => Some(NamespacePlan {
                    sync_fd: sync_read.as_raw_fd(),
                    become_root_inside: self.maps.inside_uid == 0,
                    mounts: self.mount_plan()?,
                }),
                _ => None,
            },
            landlock: ruleset.as_ref().map(|ruleset| LandlockPlan {
                ruleset_fd: ruleset.raw_fd(),
                tmpfs_rules: if self.facts.namespaces.is_ok() {
                    vec![
                        (c"/tmp".to_owned(), ruleset.handled),
                        (c"/dev/shm".to_owned(), ruleset.handled),
                    ]
                } else {
                    Vec::new()
                },
            }),
            error_fd: error_write.as_raw_fd(),
            stdio,
            state_fd: state_write.as_ref().map(AsRawFd::as_raw_fd),
            saved_state_fd: saved_state.as_ref().map(AsRawFd::as_raw_fd),
            terminal: terminal_mode,
            cwd: c_path(&self.folder.home)?,
            rlimits: self.rlimits(),
            last_capability: last_capability(),
            keep_identity_capabilities: self.facts.namespaces.is_ok() && self.maps.inside_uid == 0,
            program: self.bash.clone(),
            argv: pointers(&argv),
            envp: pointers(&envp),
        };
        let maps = self.facts.namespaces.is_ok().then_some(self.maps);
        // The child has its own copies of these; ours must close so that EOF and EIO arrive when it ends.
        let child_ends = [
            Some(error_write),
            sync_read,
            state_write,
            saved_state,
            Some(null.into()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let spawned = spawn::spawn(&plan, maps, sync_write, error_read, child_ends);
        let mut child = match spawned {
            Ok(child) => child,
            Err(SpawnError {
                stage,
                namespace_problem: true,
                source,
            }) => return Err(Attempt::Namespaces(format!("{stage} failed: {source}"))),
            Err(SpawnError { stage, source, .. }) => {
                return Err(Attempt::Other(Error::Spawn { stage, source }))
            }
        };
        drop(ruleset);
        let limits = &self.options.limits;
        let mut stdio_child = stdio_child.into_iter();
        let relayed = match (io, stdio_parent) {
            (Io::Terminal { input, output }, _) => {
                let master = stdio_child.next();
                drop(stdio_child); // the slave: only the child may hold it
                let Some(master) = master else {
                    return Err(Attempt::Other(Error::Relay(
                        std::io::ErrorKind::NotFound.into(),
                    )));
                };
                let mut watch =
                    Watch::new(limits.interactive_wall_time, &self.folder.root, limits.disk);
                let _raw =
                    terminal::RawMode::enter(input).map_err(|e| Attempt::Other(Error::Relay(e)))?;
                terminal::relay(
                    &mut child,
                    master,
                    state_read,
                    Endpoints { input, output },
                    limits.output,
                    &mut watch,
                )
            }
            (_, Some((stdout, stderr))) => {
                drop(stdio_child);
                let mut watch = Watch::new(Some(limits.wall_time), &self.folder.root, limits.disk);
                let pipes = Pipes {
                    stdout,
                    stderr,
                    state: state_read,
                };
                let relayed = capture::relay(
                    &mut child,
                    pipes,
                    matches!(io, Io::Echoed),
                    limits.output,
                    &mut watch,
                );
                if matches!(io, Io::Echoed) {
                    terminal::discard_pending_input(std::os::fd::AsFd::as_fd(&std::io::stdin()));
                }
                relayed
            }
            (_, None) => Err(std::io::ErrorKind::NotFound.into()),
        };
        let relayed = match relayed {
            Ok(relayed) => relayed,
            Err(error) => {
                child.kill();
                return Err(Attempt::Other(Error::Relay(error)));
            }
        };
        let shell_cpu = child.cpu_time();
        let status = child.wait().map_err(|e| Attempt::Other(Error::Relay(e)))?;
        Ok(self.finish(status, relayed, started, shell_cpu))
    }

    fn finish(
        &mut self,
        status: Status,
        relayed: Relayed,
        started: Instant,
        shell_cpu: Option<Duration>,
    ) -> Outcome {
        if relayed.limit.is_none() {
            if let Some((state, cwd)) = crate::shell_state::parse(&relayed.state) {
                // Kept in the tutor's memory, out of the learner's reach, and handed to the next line's shell.
                self.shell_state = state.to_vec();
                self.cwd = PathBuf::from(OsString::from_vec(cwd.to_vec()));
            }
        }
        let limit = relayed
            .limit
            .or_else(|| self.guess_limit(status, &relayed.output.bytes, shell_cpu));
        Outcome {
            status,
            output: relayed.output.bytes,
            output_truncated: relayed.output.truncated,
            duration: started.elapsed(),
            limit,
            cwd: self.cwd.clone(),
            home: self.folder.home.clone(),
        }
    }

    /// Limits enforced by the kernel do not announce themselves; recognise their traces.
    fn guess_limit(
        &self,
        status: Status,
        output: &[u8],
        shell_cpu: Option<Duration>,
    ) -> Option<LimitHit> {
        let said = |needle: &str| {
            output
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
        };
        // The shell itself (PID 1) ignores SIGXCPU unless it handles it, and is killed at the hard CPU limit, or
        // crashes in its own handler; either way it has used (most of) its CPU time by then.
        let cpu_limit = self.options.limits.cpu_time;
        let shell_used_its_cpu = shell_cpu.is_some_and(|used| used * 2 >= cpu_limit);
        match status {
            Status::Signaled(libc::SIGXCPU) | Status::Exited(152) => Some(LimitHit::CpuTime),
            Status::Signaled(_) if shell_used_its_cpu => Some(LimitHit::CpuTime),
            Status::Signaled(libc::SIGXFSZ) | Status::Exited(153) => Some(LimitHit::FileSize),
            _ if said("cpu time limit exceeded") => Some(LimitHit::CpuTime),
            _ if said("file size limit exceeded") || said("file too large") => {
                Some(LimitHit::FileSize)
            }
            _ if [
                "cannot allocate memory",
                "xmalloc",
                "out of memory",
                "memory exhausted",
            ]
            .iter()
            .any(|s| said(s)) =>
            {
                Some(LimitHit::Memory)
            }
            _ if said("fork: retry") || said("fork: resource temporarily unavailable") => {
                Some(LimitHit::Processes)
            }
            _ => None,
        }
    }

    fn argv(&self, line: &str, persist: bool, job_control: bool) -> Result<Vec<CString>, Attempt> {
        let text = |s: &str| CString::new(s).map_err(|_| Attempt::Other(nul_error()));
        let mut argv = vec![self.bash.clone(), text("-c")?];
        if persist {
            argv.push(text(&crate::shell_state::program(job_control))?);
            argv.push(text("bash")?);
            argv.push(text(line)?);
        } else if job_control {
            // Ctrl-Z must stop only the command's job, which needs job control in this non-interactive shell.
            argv.push(text("set -m; eval \"$1\"")?);
            argv.push(text("bash")?);
            argv.push(text(line)?);
        } else {
            argv.push(text(line)?);
        }
        Ok(argv)
    }

    fn environment(&self, io: Io<'_>) -> Result<Vec<CString>, Attempt> {
        let mut env: Vec<(OsString, OsString)> = Vec::new();
        let mut set = |key: &str, value: &OsStr| {
            env.retain(|(existing, _)| existing != key);
            env.push((key.into(), value.to_owned()));
        };
        set("HOME", self.folder.home.as_os_str());
        set("USER", &self.user_name);
        set("LOGNAME", &self.user_name);
        set("SHELL", OsStr::from_bytes(self.bash.as_bytes()));
        set("TMPDIR", self.folder.tmp.as_os_str());
        let path = std::env::var_os("PATH").unwrap_or_else(|| {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()
        });
        set("PATH", &path);
        let term = match io {
            Io::Terminal { .. } => {
                std::env::var_os("TERM").unwrap_or_else(|| "xterm-256color".into())
            }
            _ => "dumb".into(),
        };
        set("TERM", &term);
        for (key, value) in std::env::vars_os() {
            let key_text = key.to_string_lossy();
            if key_text == "LANG"
                || key_text == "LANGUAGE"
                || key_text == "TZ"
                || key_text.starts_with("LC_")
            {
                set(&key_text, &value);
            }
        }
        for (key, value) in &self.options.env {
            set(&key.to_string_lossy(), value);
        }
        env.into_iter()
            .map(|(key, value)| {
                let mut entry = key.into_vec();
                entry.push(b'=');
                entry.extend(value.into_vec());
                CString::new(entry).map_err(|_| Attempt::Other(nul_error()))
            })
            .collect()
    }

    fn ruleset(&self, abi: u32) -> std::io::Result<Ruleset> {
        let writable = [self.folder.home.as_path(), self.folder.tmp.as_path()];
        let devices: Vec<&Path> = WRITABLE_DEVICES.iter().map(Path::new).collect();
        Ruleset::build(abi, &writable, &devices, self.facts.namespaces.is_err())
    }

    fn mount_plan(&self) -> Result<MountPlan, Attempt> {
        let root = &self.folder.root;
        let tmp = Path::new("/tmp");
        let mut mount_points = Vec::new();
        if let Ok(below_tmp) = root.strip_prefix(tmp) {
            let mut point = tmp.to_path_buf();
            for component in below_tmp.components() {
                point.push(component);
                mount_points.push(c_path(&point)?);
            }
        }
        let size = |bytes: u64| {
            CString::new(format!("mode=1777,size={bytes}")).map_err(|_| Attempt::Other(nul_error()))
        };
        Ok(MountPlan {
            sandbox: c_path(root)?,
            mount_points,
            tmp_options: size(self.options.limits.tmpfs)?,
            hide_run: Path::new("/run").is_dir() && !root.starts_with("/run"),
            run_options: CString::new("mode=755,size=1048576")
                .map_err(|_| Attempt::Other(nul_error()))?,
            private_shm: Path::new("/dev/shm").is_dir(),
        })
    }

    fn rlimits(&self) -> Vec<(libc::__rlimit_resource_t, libc::rlimit)> {
        let limits = &self.options.limits;
        let limit = |soft: u64, hard: u64| libc::rlimit {
            rlim_cur: soft,
            rlim_max: hard,
        };
        let cpu = limits.cpu_time.as_secs().max(1);
        let mut rlimits = vec![
            (libc::RLIMIT_CPU, limit(cpu, cpu + 1)),
            (
                libc::RLIMIT_FSIZE,
                limit(limits.file_size, limits.file_size),
            ),
            (libc::RLIMIT_AS, limit(limits.memory, limits.memory)),
            (libc::RLIMIT_CORE, limit(0, 0)),
            (
                libc::RLIMIT_NOFILE,
                limit(limits.open_files, limits.open_files),
            ),
        ];
        // Outside a user namespace RLIMIT_NPROC counts every process of the account: only set it inside one.
        if self.facts.namespaces.is_ok() {
            rlimits.push((
                libc::RLIMIT_NPROC,
                limit(limits.processes, limits.processes),
            ));
        }
        rlimits
    }
}

/// Why one attempt to run failed: the namespaces (so fall back) or anything else.
enum Attempt {
    Namespaces(String),
    Other(Error),
}

impl Attempt {
    fn into_error(self) -> Error {
        match self {
            Attempt::Namespaces(why) => Error::Spawn {
                stage: "setting up namespaces",
                source: std::io::Error::other(why),
            },
            Attempt::Other(error) => error,
        }
    }
}

impl From<Error> for Attempt {
    fn from(error: Error) -> Attempt {
        Attempt::Other(error)
    }
}

fn spawn_error(stage: &'static str, source: std::io::Error) -> Attempt {
    Attempt::Other(Error::Spawn { stage, source })
}

fn nul_error() -> Error {
    Error::Spawn {
        stage: "preparing the command",
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the line or a path contains a NUL byte",
        ),
    }
}

/// A read-only, in-memory file holding `content`: the learner's shell can source it but not change it, and it has
/// no path anyone could replace with a symlink.
fn sealed_memfd(content: &[u8]) -> std::io::Result<OwnedFd> {
    use nix::fcntl::{fcntl, FcntlArg, SealFlag};
    use nix::sys::memfd::{memfd_create, MFdFlags};
    let fd = memfd_create(
        c"shelltutor-state",
        MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING,
    )?;
    let mut file = fs::File::from(fd);
    std::io::Write::write_all(&mut file, content)?;
    let seals = SealFlag::F_SEAL_SEAL
        | SealFlag::F_SEAL_SHRINK
        | SealFlag::F_SEAL_GROW
        | SealFlag::F_SEAL_WRITE;
    fcntl(&file, FcntlArg::F_ADD_SEALS(seals))?;
    Ok(file.into())
}

fn pipe() -> Result<(OwnedFd, OwnedFd), Attempt> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|errno| spawn_error("creating a pipe", errno.into()))
}

fn c_path(path: &Path) -> Result<CString, Attempt> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| Attempt::Other(nul_error()))
}

fn pointers(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// Who owns `home` and `tmp` on the host: the proxy id when root's learner runs mapped to it.
fn owner(facts: &LayerFacts, maps: IdMaps) -> Option<(u32, u32)> {
    (facts.namespaces.is_ok() && maps.inside_uid == 0)
        .then_some((maps.outside_uid, maps.outside_gid))
}

fn refuse_without_confinement(facts: &LayerFacts, unconfined: bool) -> Result<(), Error> {
    if facts.landlock.is_ok() || facts.namespaces.is_ok() || unconfined {
        return Ok(());
    }
    let reasons = [&facts.landlock.clone().map(|_| ()), &facts.namespaces]
        .into_iter()
        .filter_map(|result| result.clone().err())
        .collect();
    Err(Error::NoConfinement { reasons })
}

/// Cheap checks for settings that forbid unprivileged user namespaces (the real test is the first run).
fn namespaces_allowed() -> Result<(), String> {
    let read = |path: &str| {
        fs::read_to_string(path)
            .ok()
            .map(|text| text.trim().to_owned())
    };
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return Err("user namespaces are disabled (user.max_user_namespaces = 0)".to_owned());
    }
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0")
        && !nix::unistd::geteuid().is_root()
    {
        return Err(
            "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)"
                .to_owned(),
        );
    }
    Ok(())
}

fn find_bash(configured: Option<&Path>) -> Option<CString> {
    let candidates = configured.map(Path::to_path_buf).into_iter().chain(
        std::env::var_os("PATH")
            .map(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join("bash"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    candidates
        .chain([PathBuf::from("/bin/bash"), PathBuf::from("/usr/bin/bash")])
        .filter(|path| path.is_absolute())
        .find(|path| nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok())
        .and_then(|path| CString::new(path.into_os_string().into_vec()).ok())
}

/// The caller's user name, so that `whoami`, `$USER` and the prompt agree with the real account.
fn user_name(uid: u32) -> OsString {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|user| OsString::from(user.name))
        .or_else(|| std::env::var_os("USER"))
        .unwrap_or_else(|| "learner".into())
}

fn last_capability() -> u32 {
    fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(63)
}

/// Resolves `learner_path` inside `root` (relative paths and `~` start at `home`), following symlinks only while they
/// stay inside.
pub(crate) fn resolve_inside(
    root: &Path,
    home: &Path,
    learner_path: &str,
) -> Result<PathBuf, Error> {
    let outside = || Error::OutsideSandbox {
        path: learner_path.to_owned(),
    };
    let requested = if learner_path == "~" {
        home.to_path_buf()
    } else if let Some(rest) = learner_path.strip_prefix("~/") {
        home.join(rest)
    } else {
        home.join(learner_path)
    };
    let mut resolved = PathBuf::new();
    let mut hops = 0;
    let mut queue: std::collections::VecDeque<OsString> = requested
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    while let Some(part) = queue.pop_front() {
        let part_path = Path::new(&part);
        match part_path.components().next() {
            Some(Component::RootDir) => resolved = PathBuf::from("/"),
            Some(Component::ParentDir) => {
                resolved.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(Component::Normal(name)) => {
                let candidate = resolved.join(name);
                match fs::symlink_metadata(&candidate) {
                    Ok(metadata) if metadata.file_type().is_symlink() => {
                        hops += 1;
                        if hops > 40 {
                            return Err(outside());
                        }
                        let target = fs::read_link(&candidate).map_err(|_| outside())?;
                        let mut expanded: std::collections::VecDeque<OsString> = target
                            .components()
                            .map(|c| c.as_os_str().to_owned())
                            .collect();
                        expanded.extend(queue.drain(..));
                        queue = expanded;
                    }
                    _ => resolved = candidate,
                }
            }
            Some(Component::Prefix(_)) => return Err(outside()),
        }
    }
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(outside())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_open_file_limit_is_raised_to_the_hard_limit() {
        use nix::sys::resource::{getrlimit, setrlimit, Resource};
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        // Start from a low soft limit, as a login session has (only lowering: anyone may do that).
        setrlimit(Resource::RLIMIT_NOFILE, 1024.min(hard), hard).unwrap();
        raise_soft_to_hard();
        let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!(soft, hard.min(1 << 20));
    }

    #[test]
    fn resolve_stays_inside() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("sb");
        let home = root.join("home");
        fs::create_dir_all(home.join("a")).unwrap();
        std::os::unix::fs::symlink("/etc", home.join("out")).unwrap();
        std::os::unix::fs::symlink("a", home.join("in")).unwrap();
        assert_eq!(
            resolve_inside(&root, &home, "~/a/b").unwrap(),
            home.join("a/b")
        );
        assert_eq!(resolve_inside(&root, &home, "a").unwrap(), home.join("a"));
        assert_eq!(
            resolve_inside(&root, &home, "in/x").unwrap(),
            home.join("a/x")
        );
        assert!(resolve_inside(&root, &home, "../../x").is_err());
        assert!(resolve_inside(&root, &home, "/etc/passwd").is_err());
        assert!(resolve_inside(&root, &home, "out/passwd").is_err());
        assert_eq!(resolve_inside(&root, &home, "~").unwrap(), home);
    }
}
