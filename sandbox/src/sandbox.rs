//! The `Sandbox`: a folder with a learner home, and the means to run bash lines in it under every layer the
//! kernel offers, keeping shell state between lines, bounding every line, and cleaning up everything.
//!
//! A sandbox is an exercise: its first line makes an environment (an init holding user, mount, PID, network, UTS
//! and IPC namespaces) that lives until the sandbox is reset or dropped, so that a server started in one line can
//! be reached in the next; each line is a fresh bash that joins it. A one-shot sandbox (`Options::one_shot`) is an
//! exercise of one line: its bash is PID 1 of namespaces made for it alone. Where namespaces are unavailable,
//! lines run under Landlock and limits only.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::capture::{self, Echo, Pipes, Relayed};
use crate::child::{InitPlan, LandlockPlan, LinePlan, MountPlan, MountPoint, NamespacePlan};
use crate::environment::Environment;
use crate::folder::{self, Folder};
use crate::keys::KeyStep;
use crate::landlock::{self, Ruleset};
use crate::layers::LayerFacts;
use crate::monitor::{Bounds, Notice};
use crate::outcome::display_with_tilde;
use crate::processes::ProcessInfo;
use crate::spawn::{self, Channels, Child, IdMaps, SpawnError};
use crate::terminal::{self, Ended, Endpoints, PtyEnds};
use crate::watch::Watch;
use crate::{Error, Layers, LimitHit, Options, Outcome, Status};

/// The uid (and gid) that root's learner runs as outside the sandbox: an id no account uses, so that
/// `RLIMIT_NPROC` binds (root is exempt from it) and no host file is the learner's own. The service accounts mapped
/// for root's learner get the ids right after it.
pub const ROOT_PROXY_ID: u32 = 2_000_000_000;

/// Service accounts that root's learner may switch to (nginx's workers, sshd's privilege separation).
const SERVICE_ACCOUNTS: [&str; 3] = ["www-data", "sshd", "nobody"];

/// The host name inside the sandbox.
const HOSTNAME: &CStr = c"sandbox";

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
    /// The command gets a pseudo-terminal of its own, typed into by a script (see [`crate::parse_keys`]).
    Keys(&'a [KeyStep]),
}

/// A throwaway, confined folder with a learner home, in which bash lines run. Dropping it ends everything that
/// runs in it and removes the folder.
#[derive(Debug)]
pub struct Sandbox {
    /// A line's shell left alive with jobs stopped by Ctrl-Z, waiting for `fg` (see `resume`).
    suspended: Option<Suspended>,
    // Declared before `folder`: the environment's processes end before the folder is removed.
    environment: Option<Environment>,
    options: Options,
    folder: Folder,
    facts: LayerFacts,
    bash: CString,
    maps: IdMaps,
    user_name: OsString,
    /// The home as the learner's commands see it (their real home path, when namespaces allow it).
    learner_home: PathBuf,
    /// The shell's directory after the last line, as the learner sees it.
    learner_cwd: PathBuf,
    /// What the last line's shell left (a script of `declare`, `alias`, ... lines), sourced by the next one.
    shell_state: Vec<u8>,
    /// Notices about the environment not yet taken (e.g. that it had to be made anew).
    notices: Vec<Notice>,
    /// The line running now is the checker's, not the learner's: it leaves the shell state as it was.
    probing: bool,
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
        let maps = id_maps(euid, egid);
        let facts = LayerFacts {
            landlock,
            namespaces,
            root_mapped_to: (euid == 0).then_some(ROOT_PROXY_ID),
            home_shown_at: None,
        };
        refuse_without_confinement(&facts, options.unconfined)?;
        let parent = options
            .parent_dir
            .clone()
            .unwrap_or_else(folder::default_parent);
        let parent = folder::prepare_parent(&parent)?;
        folder::sweep_stale(&parent);
        let folder = Folder::create(&parent, owner(&facts, &maps))?;
        folder.write_hosts(&options.local_names)?;
        let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(euid))
            .ok()
            .flatten();
        let user_name = user
            .as_ref()
            .map(|user| OsString::from(&user.name))
            .or_else(|| std::env::var_os("USER"))
            .unwrap_or_else(|| "learner".into());
        let real_home = options
            .home_path
            .clone()
            .or_else(|| user.map(|user| user.dir));
        let mut sandbox = Sandbox {
            suspended: None,
            environment: None,
            learner_home: folder.home.clone(),
            learner_cwd: folder.home.clone(),
            options,
            folder,
            facts,
            bash,
            maps,
            user_name,
            shell_state: Vec::new(),
            notices: Vec::new(),
            probing: false,
        };
        if sandbox.facts.namespaces.is_ok() {
            if let Some(home) = real_home.filter(|home| home_path_usable(home)) {
                sandbox.facts.home_shown_at = Some(home.clone());
                sandbox.learner_cwd = home.clone();
                sandbox.learner_home = home;
            }
        }
        Ok(sandbox)
    }

    /// Runs a line headless (stdin `/dev/null`, output recorded) and reports what happened.
    pub fn run(&mut self, line: &str) -> Result<Outcome, Error> {
        self.run_with(line, Io::Captured)
    }

    /// Runs a line for a checker: headless, in the learner's shell state (their folder, variables, aliases,
    /// `PATH`), but leaving that state as it was (`$?`, the folder, variables), as if the learner had not typed it.
    pub fn run_check(&mut self, line: &str) -> Result<Outcome, Error> {
        self.probing = true;
        let outcome = self.run_with(line, Io::Captured);
        self.probing = false;
        outcome
    }

    /// The name (inside the sandbox) of the user that owns a file whose host owner is `host_uid`: the learner for
    /// their own files, a service account for its files (root's learner), or the number when unknown.
    pub fn owner_name(&self, host_uid: u32) -> String {
        let inside = if self.facts.namespaces.is_ok() {
            if host_uid == self.maps.outside_uid {
                Some(self.maps.inside_uid)
            } else {
                self.maps
                    .extra_uids
                    .iter()
                    .find(|(_, outside)| *outside == host_uid)
                    .map(|(inside, _)| *inside)
            }
        } else {
            Some(host_uid)
        };
        inside
            .and_then(|uid| {
                nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
                    .ok()
                    .flatten()
            })
            .map_or_else(|| host_uid.to_string(), |user| user.name)
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

    /// Runs a line on a pseudo-terminal of its own and types `keys` into it (see [`crate::parse_keys`]).
    pub fn run_keys(&mut self, line: &str, keys: &[KeyStep]) -> Result<Outcome, Error> {
        self.run_with(line, Io::Keys(keys))
    }

    /// Runs a line with the given input and output.
    pub fn run_with(&mut self, line: &str, io: Io<'_>) -> Result<Outcome, Error> {
        self.folder.populate(owner(&self.facts, &self.maps))?;
        match self.attempt(line, io) {
            Err(Attempt::Namespaces(why)) => {
                self.give_up_namespaces(why)?;
                self.attempt(line, io).map_err(Attempt::into_error)
            }
            other => other.map_err(Attempt::into_error),
        }
    }

    /// Ends the environment (every process the learner started), empties home and temp folders and forgets the
    /// shell state: a fresh sandbox in the same place.
    pub fn reset(&mut self) -> Result<(), Error> {
        self.suspended = None;
        self.environment = None;
        self.folder.reset(owner(&self.facts, &self.maps))?;
        self.learner_cwd = self.learner_home.clone();
        self.shell_state.clear();
        self.notices.clear();
        Ok(())
    }

    /// Ends every process the learner started, keeping the files and the shell state.
    pub fn stop_processes(&mut self) {
        self.suspended = None;
        self.environment = None;
    }

    /// Whether a line left jobs stopped with Ctrl-Z (its shell waits for `fg`, `bg` or `jobs`).
    pub fn has_stopped_jobs(&self) -> bool {
        self.suspended.is_some()
    }

    /// Hands a job-control command (`fg`, `fg %1`, `bg`, `jobs`) to the shell whose jobs are stopped, and relays
    /// the learner's terminal to it as for an interactive line. Without stopped jobs, runs `command` as a line.
    pub fn resume(&mut self, command: &str) -> Result<Outcome, Error> {
        let Some(suspended) = self.suspended.take() else {
            return self.run_interactive(command);
        };
        let input = std::io::stdin();
        let output = std::io::stdout();
        let (input, output) = (
            std::os::fd::AsFd::as_fd(&input),
            std::os::fd::AsFd::as_fd(&output),
        );
        if !terminal::is_terminal(input) || !terminal::is_terminal(output) {
            self.suspended = Some(suspended);
            return Err(Error::NotATerminal);
        }
        let started = Instant::now();
        let Suspended { mut child, ends } = suspended;
        if let Some(control) = &ends.control {
            terminal::send_job_command(control, command).map_err(Error::Relay)?;
        }
        let limits = self.options.limits.clone();
        let lingering = self.uses_environment();
        let relayed = self.relay_terminal(&mut child, ends, input, output, &limits, lingering);
        let (relayed, ended) = match relayed {
            Ok(result) => result,
            Err(error) => {
                child.kill();
                return Err(Error::Relay(error));
            }
        };
        Ok(self.conclude(child, relayed, ended, started))
    }

    /// The sandbox folder on the host (holds `home/` and `tmp/`).
    pub fn root(&self) -> &Path {
        &self.folder.root
    }

    /// The learner's home (`~` and `$HOME` inside), as a host path.
    pub fn home(&self) -> &Path {
        &self.folder.home
    }

    /// A folder for the tutor's own files about this sandbox, out of the learner's reach (not writable by the
    /// learner's commands, and not visible to them where namespaces work).
    pub fn private_dir(&self) -> &Path {
        &self.folder.private
    }

    /// The learner's home as their commands see it: their real home path where namespaces allow it.
    pub fn learner_home(&self) -> &Path {
        &self.learner_home
    }

    /// The shell's current directory after the last line, as the learner sees it.
    pub fn learner_cwd(&self) -> &Path {
        &self.learner_cwd
    }

    /// The shell's current directory after the last line, as a host path when it is inside the home.
    pub fn cwd(&self) -> PathBuf {
        self.host_path(&self.learner_cwd)
    }

    /// The learner's user name as `whoami` prints it inside (the caller's own name).
    pub fn user_name(&self) -> &OsStr {
        &self.user_name
    }

    /// The learner's uid and gid as their commands see them (`id -u`, `id -g`).
    pub fn learner_ids(&self) -> (u32, u32) {
        (self.maps.inside_uid, self.maps.inside_gid)
    }

    /// The host name as the learner's commands see it: the sandbox's own where a UTS namespace gives it one.
    pub fn hostname(&self) -> String {
        if self.facts.namespaces.is_ok() {
            HOSTNAME.to_string_lossy().into_owned()
        } else {
            nix::unistd::gethostname()
                .ok()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        }
    }

    /// The host uid that files the learner creates belong to (the proxy id for root's learner).
    pub fn learner_uid_on_host(&self) -> u32 {
        match owner(&self.facts, &self.maps) {
            Some((uid, _)) => uid,
            None => nix::unistd::geteuid().as_raw(),
        }
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
        let path = match Path::new(learner_path).strip_prefix(&self.learner_home) {
            Ok(rest) if self.learner_home != self.folder.home => {
                self.folder.home.join(rest).display().to_string()
            }
            _ => learner_path.to_owned(),
        };
        resolve_inside(&self.folder.root, &self.folder.home, &path)
    }

    /// The learner's processes still running in the environment (what lines left behind), oldest first.
    pub fn processes(&self) -> Vec<ProcessInfo> {
        let waiting_shell = self.suspended.as_ref().map(|s| s.child.pid);
        self.environment
            .as_ref()
            .map(Environment::processes)
            .unwrap_or_default()
            .into_iter()
            // The shell that waits for `fg` is the tutor's business, not one of the learner's programs.
            .filter(|p| Some(p.host_pid) != waiting_shell)
            .collect()
    }

    /// TCP ports something listens on in the sandbox's own network.
    pub fn listening_ports(&self) -> Vec<u16> {
        self.environment
            .as_ref()
            .map(Environment::listening_ports)
            .unwrap_or_default()
    }

    /// What happened in the environment since the last call: processes that ended, runaways the tutor stopped.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        let mut notices = std::mem::take(&mut self.notices);
        if let Some(environment) = &self.environment {
            notices.extend(environment.take_notices());
        }
        notices
    }

    /// What processes left running printed since the last call (the latest 64 KiB).
    pub fn take_background_output(&mut self) -> Vec<u8> {
        self.environment
            .as_ref()
            .map(|e| e.monitor().take_output())
            .unwrap_or_default()
    }

    /// Keeps the folder on disk (for `--keep`), out of reach of the stale-sandbox sweep, and returns where it is.
    pub fn keep(mut self) -> PathBuf {
        self.suspended = None;
        self.environment = None;
        self.folder.keep()
    }

    /// A host path for a path as the learner sees it: inside the home, the home's folder on the host.
    fn host_path(&self, learner_path: &Path) -> PathBuf {
        match learner_path.strip_prefix(&self.learner_home) {
            Ok(rest) if rest.as_os_str().is_empty() => self.folder.home.clone(),
            Ok(rest) => self.folder.home.join(rest),
            Err(_) => learner_path.to_path_buf(),
        }
    }

    fn give_up_namespaces(&mut self, why: String) -> Result<(), Error> {
        if let Ok(mut broken) = NAMESPACES_BROKEN.lock() {
            *broken = Some(why.clone());
        }
        self.facts.namespaces = Err(why);
        self.facts.home_shown_at = None;
        self.suspended = None;
        self.environment = None;
        refuse_without_confinement(&self.facts, self.options.unconfined)?;
        // Root's learner no longer runs as the proxy uid: give the folders back to the tutor's own uid.
        let (uid, gid) = (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        );
        for dir in [&self.folder.home, &self.folder.tmp] {
            let _ = std::os::unix::fs::chown(dir, Some(uid), Some(gid));
        }
        let learner_cwd = self.host_path(&self.learner_cwd);
        self.learner_home = self.folder.home.clone();
        self.learner_cwd = learner_cwd;
        Ok(())
    }

    /// Whether lines run in an environment that outlives them.
    fn uses_environment(&self) -> bool {
        self.facts.namespaces.is_ok() && !self.options.one_shot
    }

    /// Makes the environment if there is none (or if it died), before a line runs.
    fn ensure_environment(&mut self) -> Result<(), Attempt> {
        if let Some(environment) = &self.environment {
            if environment.is_alive() {
                return Ok(());
            }
            self.environment = None;
            self.notices.push(Notice::EnvironmentLost);
        }
        let environment = self.create_environment()?;
        self.environment = Some(environment);
        Ok(())
    }

    fn create_environment(&self) -> Result<Environment, Attempt> {
        let (error_read, error_write) = pipe()?;
        let (sync_read, sync_write) = pipe()?;
        let (report_read, report_write) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
                .map_err(|errno| spawn_error("creating a pipe", errno.into()))?;
        let namespaces = self.namespace_plan(sync_read.as_raw_fd())?;
        let init = InitPlan {
            report_fd: report_write.as_raw_fd(),
            arguments: argument_area(),
        };
        let error_fd = error_write.as_raw_fd();
        let channels = Channels {
            error_read,
            sync_write: Some(sync_write),
            child_ends: vec![error_write, sync_read, report_write],
        };
        let child = spawn::spawn_init(&namespaces, &self.maps, &init, error_fd, channels)
            .map_err(Attempt::from_spawn)?;
        let bounds = Bounds {
            memory: self.options.limits.memory,
            processes: self.options.limits.processes,
        };
        Environment::new(child, report_read, bounds)
            .map_err(|source| spawn_error("watching the environment", source))
    }

    fn attempt(&mut self, line: &str, io: Io<'_>) -> Result<Outcome, Attempt> {
        let started = Instant::now();
        let in_environment = self.uses_environment();
        if in_environment {
            self.ensure_environment()?;
        }
        let job_control = matches!(io, Io::Terminal { .. } | Io::Keys(_));
        let argv = self.argv(line, in_environment, job_control)?;
        if line.contains('\0') {
            return Err(Attempt::Other(nul_error()));
        }
        let program = if in_environment {
            Some(
                sealed_memfd(crate::shell_state::program(line, job_control).as_bytes())
                    .map_err(|source| spawn_error("handing over the line", source))?,
            )
        } else {
            None
        };
        let saved_state = if in_environment && !self.shell_state.is_empty() {
            Some(
                sealed_memfd(&self.shell_state)
                    .map_err(|source| spawn_error("handing over the shell state", source))?,
            )
        } else {
            None
        };
        let envp = self.environment_variables(io)?;
        let (error_read, error_write) = pipe()?;
        let (state_read, state_write, trace_read, trace_write) = if in_environment {
            let (state_read, state_write) = pipe()?;
            let (trace_read, trace_write) = pipe()?;
            (
                Some(state_read),
                Some(state_write),
                Some(trace_read),
                Some(trace_write),
            )
        } else {
            (None, None, None, None)
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
        // An interactive line's shell reports jobs stopped with Ctrl-Z on a socket, and waits there for `fg`.
        let (control, control_child) = if in_environment && matches!(io, Io::Terminal { .. }) {
            let (tutor, child) = nix::sys::socket::socketpair(
                nix::sys::socket::AddressFamily::Unix,
                nix::sys::socket::SockType::Stream,
                None,
                nix::sys::socket::SockFlag::SOCK_CLOEXEC,
            )
            .map_err(|errno| spawn_error("creating a socket", errno.into()))?;
            (Some(tutor), Some(child))
        } else {
            (None, None)
        };
        let mut streams = Streams::open(io)?;
        let stdio = streams.child_stdio(null.as_raw_fd());
        let line_plan = LinePlan {
            landlock: ruleset.as_ref().map(|ruleset| LandlockPlan {
                ruleset_fd: ruleset.raw_fd(),
                tmpfs_rules: if self.facts.namespaces.is_ok() {
                    self.tmpfs_paths()
                        .into_iter()
                        .map(|path| (path, ruleset.handled))
                        .collect()
                } else {
                    Vec::new()
                },
            }),
            error_fd: error_write.as_raw_fd(),
            stdio,
            state_fd: state_write.as_ref().map(AsRawFd::as_raw_fd),
            saved_state_fd: saved_state.as_ref().map(AsRawFd::as_raw_fd),
            program_fd: program.as_ref().map(AsRawFd::as_raw_fd),
            control_fd: control_child.as_ref().map(AsRawFd::as_raw_fd),
            trace_fd: trace_write.as_ref().map(AsRawFd::as_raw_fd),
            terminal: streams.is_terminal(),
            cwd: c_path(&self.learner_home)?,
            rlimits: self.rlimits(),
            last_capability: last_capability(),
            keep_identity_capabilities: self.facts.namespaces.is_ok() && self.maps.inside_uid == 0,
            in_user_namespace: self.facts.namespaces.is_ok(),
            alive_fd: None,
            program: self.bash.clone(),
            argv: pointers(&argv),
            envp: pointers(&envp),
        };
        // The child has its own copies of these; ours must close so that EOF and EIO arrive when it ends.
        let mut child_ends: Vec<OwnedFd> = [error_write, null.into()]
            .into_iter()
            .chain(state_write)
            .chain(trace_write)
            .chain(saved_state)
            .chain(program)
            .chain(control_child)
            .collect();
        child_ends.extend(streams.take_child_ends());
        let child = if in_environment {
            if let Some(environment) = &self.environment {
                // A runaway being swept would take the new line's shell with it.
                environment.monitor().wait_for_sweep();
            }
            let pidfd = self
                .environment
                .as_ref()
                .map(Environment::pidfd)
                .ok_or_else(|| {
                    spawn_error("joining the exercise", std::io::ErrorKind::NotFound.into())
                })?;
            let channels = Channels {
                error_read,
                sync_write: None,
                child_ends,
            };
            spawn::spawn_in_environment(pidfd, self.maps.inside_uid == 0, &line_plan, channels)
        } else if self.facts.namespaces.is_ok() {
            let (sync_read, sync_write) = pipe()?;
            let namespaces = self.namespace_plan(sync_read.as_raw_fd())?;
            child_ends.push(sync_read);
            let channels = Channels {
                error_read,
                sync_write: Some(sync_write),
                child_ends,
            };
            spawn::spawn_one_shot(Some((&namespaces, &self.maps)), &line_plan, channels)
        } else {
            let channels = Channels {
                error_read,
                sync_write: None,
                child_ends,
            };
            spawn::spawn_one_shot(None, &line_plan, channels)
        };
        if in_environment && child.as_ref().is_err_and(|error| error.namespace_problem) {
            // Joining failed: the environment is unusable. Dropping it ends what ran in it; the next line makes a
            // new one (and says so with `Notice::EnvironmentLost`-like wording from the caller's error).
            self.environment = None;
        }
        let mut child = child.map_err(|error| {
            if in_environment && error.namespace_problem {
                // Joining failed: the environment is unusable; the next line makes a new one.
                Attempt::Other(Error::Spawn {
                    stage: error.stage,
                    source: error.source,
                })
            } else {
                Attempt::from_spawn(error)
            }
        })?;
        drop(ruleset);
        let relayed = self.relay(
            &mut child,
            io,
            streams,
            [state_read, trace_read, control],
            in_environment,
        );
        let (relayed, ended) = match relayed {
            Ok(result) => result,
            Err(error) => {
                child.kill();
                return Err(Attempt::Other(Error::Relay(error)));
            }
        };
        Ok(self.conclude(child, relayed, ended, started))
    }

    /// After a relay: a shell with stopped jobs is kept for `resume`; any other is waited for.
    fn conclude(
        &mut self,
        mut child: Child,
        relayed: Relayed,
        ended: Ended,
        started: Instant,
    ) -> Outcome {
        match ended {
            Ended::Suspended(ends) => {
                self.suspended = Some(Suspended { child, ends });
                // What `$?` holds after Ctrl-Z: 128 + SIGTSTP.
                let mut outcome =
                    self.finish(Status::Exited(128 + libc::SIGTSTP), relayed, started, None);
                outcome.stopped_jobs = true;
                outcome
            }
            Ended::Exited => {
                let shell_cpu = child.cpu_time();
                if self.facts.namespaces.is_err() {
                    // Without a PID namespace nothing ends what the line left running: end its session (`&` jobs,
                    // `nohup`) while its ended shell still holds the session's id. A program that starts a
                    // session of its own (a daemon) escapes this; docs/sandbox.md says so.
                    crate::processes::kill_session(child.pid);
                }
                let status = child.wait().unwrap_or(Status::Signaled(libc::SIGKILL));
                self.finish(status, relayed, started, shell_cpu)
            }
        }
    }

    /// An interactive relay on the learner's terminal (raw mode meanwhile), keeping what they typed ahead.
    fn relay_terminal(
        &self,
        child: &mut Child,
        ends: PtyEnds,
        input: BorrowedFd<'_>,
        output: BorrowedFd<'_>,
        limits: &crate::Limits,
        lingering: bool,
    ) -> std::io::Result<(Relayed, Ended)> {
        let mut watch = Watch::new(limits.interactive_wall_time, &self.folder.home, limits.disk);
        let raw = terminal::RawMode::enter_both(input, output)?;
        let endpoints = Endpoints { input, output };
        let (mut relayed, ended) =
            terminal::relay(child, ends, endpoints, limits.output, &mut watch, lingering)?;
        relayed.unread_input.extend(raw.take_typed());
        Ok((relayed, ended))
    }

    fn relay(
        &mut self,
        child: &mut Child,
        io: Io<'_>,
        streams: Streams,
        [state, trace, control]: [Option<OwnedFd>; 3],
        lingering: bool,
    ) -> std::io::Result<(Relayed, Ended)> {
        let limits = self.options.limits.clone();
        if let Some(environment) = &self.environment {
            environment.monitor().line(true);
        }
        let relayed = match (io, streams) {
            (Io::Terminal { input, output }, Streams::Pty { master, slave, .. }) => {
                let ends = PtyEnds {
                    master,
                    slave,
                    state,
                    trace,
                    control,
                };
                return self.relay_terminal(child, ends, input, output, &limits, lingering);
            }
            (Io::Keys(steps), Streams::Pty { master, slave, .. }) => {
                let mut watch = Watch::new(Some(limits.wall_time), &self.folder.home, limits.disk);
                let ends = PtyEnds {
                    master,
                    slave,
                    state,
                    trace,
                    control,
                };
                crate::keys::relay(child, ends, steps, limits.output, &mut watch, lingering)?
            }
            (_, Streams::Pipes { stdout, stderr, .. }) => {
                let mut watch = Watch::new(Some(limits.wall_time), &self.folder.home, limits.disk);
                let echoed = matches!(io, Io::Echoed);
                let to_terminal =
                    terminal::is_terminal(std::os::fd::AsFd::as_fd(&std::io::stdout()));
                let echo = Echo {
                    live: echoed,
                    bound: (echoed && !to_terminal).then_some(limits.echoed_output),
                };
                let pipes = Pipes {
                    stdout,
                    stderr,
                    state,
                    trace,
                };
                let relayed =
                    capture::relay(child, pipes, echo, limits.output, &mut watch, lingering)?;
                if echoed {
                    terminal::discard_pending_input(std::os::fd::AsFd::as_fd(&std::io::stdin()));
                }
                relayed
            }
            _ => return Err(std::io::ErrorKind::NotFound.into()),
        };
        Ok((relayed, Ended::Exited))
    }

    fn finish(
        &mut self,
        status: Status,
        mut relayed: Relayed,
        started: Instant,
        shell_cpu: Option<Duration>,
    ) -> Outcome {
        let commands = crate::trace::parse_with_status(&relayed.trace.bytes, Some(status.code()));
        if relayed.limit.is_none() && !self.probing {
            if let Some((state, cwd)) = crate::shell_state::parse(&relayed.state) {
                // Kept in the tutor's memory, out of the learner's reach, and handed to the next line's shell.
                self.shell_state = state.to_vec();
                if let Some(last) = crate::trace::last_argument(&commands) {
                    self.shell_state.extend_from_slice(
                        format!("__st_prev_last={}\n", crate::trace::quote(&last)).as_bytes(),
                    );
                }
                self.learner_cwd = PathBuf::from(OsString::from_vec(cwd.to_vec()));
            }
        }
        let mut limit = relayed.limit;
        if let Some(environment) = &self.environment {
            let monitored = environment.monitor().line(false);
            limit = limit.or(monitored);
            environment
                .monitor()
                .adopt(std::mem::take(&mut relayed.leftovers), true);
            environment
                .monitor()
                .adopt(relayed.trace_leftover.take().into_iter().collect(), false);
        }
        let limit = limit.or_else(|| self.guess_limit(status, &relayed.output.bytes, shell_cpu));
        Outcome {
            status,
            output: relayed.output.bytes,
            output_truncated: relayed.output.truncated,
            duration: started.elapsed(),
            limit,
            cwd: self.cwd(),
            home: self.folder.home.clone(),
            commands,
            waited_for: relayed.waited_for,
            unread_input: relayed.unread_input,
            stopped_jobs: false,
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

    /// bash's arguments: in an environment, a short command that evaluates the line's program (see
    /// `shell_state::program`), so that `ps` and `pgrep -f` inside never see the line itself.
    fn argv(&self, line: &str, persist: bool, job_control: bool) -> Result<Vec<CString>, Attempt> {
        let text = |s: &str| CString::new(s).map_err(|_| Attempt::Other(nul_error()));
        if persist {
            // Evaluated rather than sourced, so that error messages read `bash: cd: ...` as in a terminal.
            return Ok(vec![
                text("bash")?,
                text("-c")?,
                text(crate::shell_state::RUN)?,
            ]);
        }
        let mut argv = vec![self.bash.clone(), text("-c")?];
        if job_control {
            // Ctrl-Z must stop only the command's job, which needs job control in this non-interactive shell.
            argv.push(text("set -m; eval \"$1\"")?);
            argv.push(text("bash")?);
        }
        argv.push(text(line)?);
        Ok(argv)
    }

    fn environment_variables(&self, io: Io<'_>) -> Result<Vec<CString>, Attempt> {
        let mut env: Vec<(OsString, OsString)> = Vec::new();
        let mut set = |key: &str, value: &OsStr| {
            env.retain(|(existing, _)| existing != key);
            env.push((key.into(), value.to_owned()));
        };
        set("HOME", self.learner_home.as_os_str());
        set("USER", &self.user_name);
        set("LOGNAME", &self.user_name);
        set("SHELL", OsStr::from_bytes(self.bash.as_bytes()));
        // With a mount namespace, /tmp is the exercise's own; without one, the sandbox's folder is.
        let tmp = if self.facts.namespaces.is_ok() {
            OsStr::new("/tmp")
        } else {
            self.folder.tmp.as_os_str()
        };
        set("TMPDIR", tmp);
        let path = std::env::var_os("PATH").unwrap_or_else(|| {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()
        });
        set("PATH", &path);
        let term = match io {
            Io::Terminal { .. } => {
                std::env::var_os("TERM").unwrap_or_else(|| "xterm-256color".into())
            }
            Io::Keys(_) => "xterm-256color".into(),
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
        // With namespaces, signals and abstract sockets cannot leave the sandbox anyway (PID and network namespaces),
        // and Landlock's scoping would keep each line from signalling what an earlier line started (`kill`, `nginx
        // -s stop`): every line has its own Landlock domain. Without them, scoping is what stops `kill -9 -1`.
        let isolated = self.facts.namespaces.is_ok();
        Ruleset::build(abi, &writable, &devices, !isolated, !isolated)
    }

    /// The private tmpfs mounts a line may write in (given Landlock rules once they are mounted).
    fn tmpfs_paths(&self) -> Vec<CString> {
        ["/tmp", "/dev/shm", "/run"]
            .iter()
            .map(PathBuf::from)
            .chain(self.writable_dirs())
            .filter_map(|path| CString::new(path.into_os_string().into_vec()).ok())
            .collect()
    }

    /// The configured writable system folders that exist here.
    fn writable_dirs(&self) -> Vec<PathBuf> {
        self.options
            .writable_dirs
            .iter()
            .filter(|dir| dir.is_absolute() && dir.is_dir())
            .filter(|dir| !self.learner_home.starts_with(dir))
            .cloned()
            .collect()
    }

    fn namespace_plan(&self, sync_fd: std::os::fd::RawFd) -> Result<NamespacePlan, Attempt> {
        Ok(NamespacePlan {
            sync_fd,
            become_root_inside: self.maps.inside_uid == 0,
            mounts: self.mount_plan()?,
            hostname: HOSTNAME.to_owned(),
        })
    }

    fn mount_plan(&self) -> Result<MountPlan, Attempt> {
        let size = |mode: &str, bytes: u64| {
            CString::new(format!("mode={mode},size={bytes}"))
                .map_err(|_| Attempt::Other(nul_error()))
        };
        let writable = self.writable_dirs();
        let mut writable_subdirs = Vec::new();
        for dir in &writable {
            // Programs expect their usual folders (`/var/log/nginx`): make them, empty.
            if let Ok(entries) = fs::read_dir(dir) {
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                        writable_subdirs.push(c_path(&entry.path())?);
                    }
                }
            }
        }
        let mount_points = mount_points_for(&self.learner_home, &writable)
            .into_iter()
            .map(|path| {
                Ok(MountPoint {
                    path: c_path(&path)?,
                    is_file: false,
                })
            })
            .collect::<Result<Vec<_>, Attempt>>()?;
        Ok(MountPlan {
            home_source: c_path(&self.folder.home)?,
            home_target: c_path(&self.learner_home)?,
            mount_points,
            tmp_options: size("1777", self.options.limits.tmpfs)?,
            hide_run: Path::new("/run").is_dir(),
            run_options: size("755", self.options.limits.tmpfs)?,
            private_shm: Path::new("/dev/shm").is_dir(),
            writable: writable
                .iter()
                .map(|dir| c_path(dir))
                .collect::<Result<_, _>>()?,
            writable_options: size("755", self.options.limits.tmpfs)?,
            writable_subdirs,
            hosts_file: Path::new("/etc/hosts")
                .is_file()
                .then(|| c_path(&self.folder.hosts_file()))
                .transpose()?,
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
            (
                libc::RLIMIT_AS,
                limit(limits.address_space, limits.address_space),
            ),
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

/// A line's shell alive with stopped jobs, and its terminal.
#[derive(Debug)]
struct Suspended {
    child: Child,
    ends: PtyEnds,
}

/// The descriptors of one line's input and output: pipes, or a pseudo-terminal.
enum Streams {
    Pipes {
        stdout: OwnedFd,
        stderr: OwnedFd,
        child: Vec<OwnedFd>,
    },
    Pty {
        master: OwnedFd,
        /// The tutor's copy of the slave, to take back unread input.
        slave: OwnedFd,
        child: Vec<OwnedFd>,
    },
}

impl Streams {
    fn open(io: Io<'_>) -> Result<Streams, Attempt> {
        match io {
            Io::Terminal { input, .. } => {
                let pty = terminal::open_like(input)
                    .map_err(|source| spawn_error("opening a pseudo-terminal", source))?;
                Streams::pty(pty)
            }
            Io::Keys(_) => {
                let pty = terminal::open_scripted()
                    .map_err(|source| spawn_error("opening a pseudo-terminal", source))?;
                Streams::pty(pty)
            }
            Io::Captured | Io::Echoed => {
                let (out_read, out_write) = pipe()?;
                let (err_read, err_write) = pipe()?;
                Ok(Streams::Pipes {
                    stdout: out_read,
                    stderr: err_read,
                    child: vec![out_write, err_write],
                })
            }
        }
    }

    fn pty(pty: terminal::Pty) -> Result<Streams, Attempt> {
        let slave = pty
            .slave
            .try_clone()
            .map_err(|source| spawn_error("opening a pseudo-terminal", source))?;
        Ok(Streams::Pty {
            master: pty.master,
            slave,
            child: vec![pty.slave],
        })
    }

    fn is_terminal(&self) -> bool {
        matches!(self, Streams::Pty { .. })
    }

    /// The descriptors that become the child's 0, 1 and 2.
    fn child_stdio(&self, null: std::os::fd::RawFd) -> [std::os::fd::RawFd; 3] {
        match self {
            Streams::Pty { child, .. } => [child[0].as_raw_fd(); 3],
            Streams::Pipes { child, .. } => [null, child[0].as_raw_fd(), child[1].as_raw_fd()],
        }
    }

    /// The child's ends, which the tutor closes once the child has them.
    fn take_child_ends(&mut self) -> Vec<OwnedFd> {
        match self {
            Streams::Pty { child, .. } | Streams::Pipes { child, .. } => std::mem::take(child),
        }
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

    fn from_spawn(error: SpawnError) -> Attempt {
        match error {
            SpawnError {
                stage,
                namespace_problem: true,
                source,
            } => Attempt::Namespaces(format!("{stage} failed: {source}")),
            SpawnError { stage, source, .. } => Attempt::Other(Error::Spawn { stage, source }),
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

/// The ids of the learner inside and outside: themselves, or for root an unused id (plus a few service accounts).
fn id_maps(euid: u32, egid: u32) -> IdMaps {
    if euid != 0 {
        return IdMaps {
            inside_uid: euid,
            inside_gid: egid,
            outside_uid: euid,
            outside_gid: egid,
            extra_uids: Vec::new(),
            extra_gids: Vec::new(),
            deny_setgroups: true,
        };
    }
    let mut extra_uids: Vec<(u32, u32)> = Vec::new();
    let mut extra_gids: Vec<(u32, u32)> = Vec::new();
    let mut next = ROOT_PROXY_ID + 1;
    for name in SERVICE_ACCOUNTS {
        let Ok(Some(account)) = nix::unistd::User::from_name(name) else {
            continue;
        };
        let (uid, gid) = (account.uid.as_raw(), account.gid.as_raw());
        if uid != 0 && !extra_uids.iter().any(|(inside, _)| *inside == uid) {
            extra_uids.push((uid, next));
            next += 1;
        }
        if gid != 0 && !extra_gids.iter().any(|(inside, _)| *inside == gid) {
            extra_gids.push((gid, next));
            next += 1;
        }
    }
    IdMaps {
        inside_uid: 0,
        inside_gid: 0,
        outside_uid: ROOT_PROXY_ID,
        outside_gid: ROOT_PROXY_ID,
        extra_uids,
        extra_gids,
        deny_setgroups: false,
    }
}

/// Whether the learner's real home path can show the sandbox home: an absolute folder that exists, or that can be
/// made in one of the sandbox's fresh tmpfs mounts.
fn home_path_usable(path: &Path) -> bool {
    path.is_absolute()
        && path.components().count() > 1
        && !path.components().any(|c| c == Component::ParentDir)
        && !["/proc", "/sys", "/dev"]
            .iter()
            .any(|p| path.starts_with(p))
        && (path.is_dir() || under_fresh_tmpfs(path).is_some())
}

/// The fresh tmpfs mount (of those every environment gets) that `path` lies in, if any.
fn under_fresh_tmpfs(path: &Path) -> Option<&'static Path> {
    ["/tmp", "/run", "/dev/shm"]
        .into_iter()
        .map(Path::new)
        .find(|mount| path.starts_with(mount) && path != *mount)
}

/// The folders to make, outermost first, so that `home` can be a mount point when it lies in a fresh tmpfs.
fn mount_points_for(home: &Path, writable: &[PathBuf]) -> Vec<PathBuf> {
    let mount = under_fresh_tmpfs(home)
        .map(Path::to_path_buf)
        .or_else(|| writable.iter().find(|dir| home.starts_with(dir)).cloned());
    let Some(mount) = mount else {
        return Vec::new();
    };
    let Ok(below) = home.strip_prefix(&mount) else {
        return Vec::new();
    };
    let mut point = mount;
    below
        .components()
        .map(|component| {
            point.push(component);
            point.clone()
        })
        .collect()
}

/// Where the tutor's command line lies in its memory (`/proc/self/stat` fields 48 and 49), for the init to
/// overwrite in its own copy.
fn argument_area() -> Option<(usize, usize)> {
    static AREA: OnceLock<Option<(usize, usize)>> = OnceLock::new();
    *AREA.get_or_init(|| {
        let stat = fs::read_to_string("/proc/self/stat").ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // `fields` starts at field 3.
        let start = fields.get(45)?.parse().ok()?;
        let end = fields.get(46)?.parse().ok()?;
        (end > start && end - start < 1 << 20).then_some((start, end))
    })
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
fn owner(facts: &LayerFacts, maps: &IdMaps) -> Option<(u32, u32)> {
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

    #[test]
    fn homes_in_fresh_tmpfs_mounts_get_their_mount_points() {
        assert_eq!(
            mount_points_for(Path::new("/tmp/t/home"), &[]),
            vec![PathBuf::from("/tmp/t"), PathBuf::from("/tmp/t/home")]
        );
        assert!(mount_points_for(Path::new("/home/alice"), &[]).is_empty());
        assert!(home_path_usable(Path::new("/tmp/not-there-yet/home")));
        assert!(!home_path_usable(Path::new("/")));
        assert!(!home_path_usable(Path::new("relative")));
        assert!(!home_path_usable(Path::new("/nonexistent-home-dir")));
    }

    #[test]
    fn root_maps_service_accounts_to_unused_ids() {
        let maps = id_maps(0, 0);
        assert_eq!(maps.outside_uid, ROOT_PROXY_ID);
        for (inside, outside) in maps.extra_uids.iter().chain(&maps.extra_gids) {
            assert_ne!(*inside, 0);
            assert!(*outside > ROOT_PROXY_ID && *outside < ROOT_PROXY_ID + 16);
        }
        let user = id_maps(1000, 1000);
        assert!(user.extra_uids.is_empty() && user.deny_setgroups);
    }
}
