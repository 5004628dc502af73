//! Test support: sandboxes with tight limits, canary trees outside the sandbox whose content, modes and times are
//! compared before and after, a watchdog so that no test can hang, a scan for surviving processes, and a fake
//! "learner terminal" (a pty pair) for interactive runs.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use sandbox::{Io, Limits, Options, Outcome, Sandbox};

/// Longest any test may take before the watchdog fails it (every line is bounded far below this).
const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs a test body on its own thread and fails the test if it does not finish in time.
pub fn bounded<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let value = body();
        let _ = sender.send(());
        value
    });
    match receiver.recv_timeout(WATCHDOG) {
        Ok(()) => handle.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test hung for {WATCHDOG:?}"),
    }
}

/// Limits small enough for tests to run fast, large enough for real commands.
pub fn test_limits() -> Limits {
    Limits {
        wall_time: Duration::from_secs(10),
        interactive_wall_time: Some(Duration::from_secs(20)),
        cpu_time: Duration::from_secs(2),
        processes: 64,
        file_size: 8 * 1024 * 1024,
        memory: 256 * 1024 * 1024,
        address_space: 8 * 1024 * 1024 * 1024,
        disk: 48 * 1024 * 1024,
        output: 64 * 1024,
        echoed_output: 256 * 1024,
        tmpfs: 16 * 1024 * 1024,
        open_files: 256,
    }
}

/// A fresh sandbox with test limits, in the default per-user parent folder (as the tutor would use).
pub fn sandbox() -> Sandbox {
    Sandbox::new(Options {
        limits: test_limits(),
        ..Options::default()
    })
    .unwrap()
}

/// Runs a line and returns its outcome, with a readable failure if the sandbox itself failed.
pub fn run(sandbox: &mut Sandbox, line: &str) -> Outcome {
    sandbox
        .run(line)
        .unwrap_or_else(|error| panic!("running {line:?} failed: {error}"))
}

/// What one file-system entry looks like, to compare before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EntryState {
    kind: &'static str,
    mode: u32,
    uid: u32,
    mtime: (i64, i64),
    ctime: (i64, i64),
    content: Vec<u8>,
}

/// Canary trees outside the sandbox: one in a temp dir that sandboxed commands can see (read-only) and one in the
/// real home of the user running the tests. Removed when dropped.
pub struct Canaries {
    pub roots: Vec<PathBuf>,
    before: BTreeMap<PathBuf, EntryState>,
    _temp: Vec<tempfile::TempDir>,
}

impl Canaries {
    pub fn new() -> Canaries {
        let mut temps = Vec::new();
        // /var/tmp is visible (read-only) inside the sandbox, unlike /tmp; fall back to the temp dir.
        let visible = if Path::new("/var/tmp").is_dir() {
            PathBuf::from("/var/tmp")
        } else {
            std::env::temp_dir()
        };
        temps.push(
            tempfile::Builder::new()
                .prefix("shelltutor-canary-")
                .tempdir_in(visible)
                .unwrap(),
        );
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|home| home.is_dir());
        if let Some(home) = home {
            if let Ok(temp) = tempfile::Builder::new()
                .prefix(".shelltutor-canary-")
                .tempdir_in(home)
            {
                temps.push(temp);
            }
        }
        temps.push(
            tempfile::Builder::new()
                .prefix("shelltutor-canary-")
                .tempdir()
                .unwrap(),
        );
        let roots: Vec<PathBuf> = temps.iter().map(|temp| temp.path().to_path_buf()).collect();
        for root in &roots {
            // World-readable and -traversable so that the learner (root's learner runs as another uid) can try.
            fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
            fs::write(root.join("secret.txt"), "the learner's real work\n").unwrap();
            fs::write(root.join("open.txt"), "writable by everyone on the host\n").unwrap();
            fs::set_permissions(
                root.join("open.txt"),
                std::os::unix::fs::PermissionsExt::from_mode(0o666),
            )
            .unwrap();
            fs::create_dir(root.join("folder")).unwrap();
            fs::write(root.join("folder/inner.txt"), "inner\n").unwrap();
            std::os::unix::fs::symlink("secret.txt", root.join("link")).unwrap();
        }
        let before = snapshot(&roots);
        Canaries {
            roots,
            before,
            _temp: temps,
        }
    }

    /// The canary that sandboxed commands can see.
    pub fn visible(&self) -> &Path {
        &self.roots[0]
    }

    /// All canaries as one shell word list, for lines that attack every one.
    pub fn all_words(&self) -> String {
        self.roots
            .iter()
            .map(|root| format!("'{}'", root.display()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Fails if anything in any canary changed: content, mode, owner, times, or entries added or removed.
    pub fn assert_untouched(&self) {
        let after = snapshot(&self.roots);
        for (path, state) in &self.before {
            match after.get(path) {
                None => panic!("{} was removed from outside the sandbox", path.display()),
                Some(now) if now != state => panic!(
                    "{} changed: before {state:?}, after {now:?}",
                    path.display()
                ),
                Some(_) => {}
            }
        }
        for path in after.keys() {
            assert!(
                self.before.contains_key(path),
                "{} was created outside the sandbox",
                path.display()
            );
        }
    }
}

fn snapshot(roots: &[PathBuf]) -> BTreeMap<PathBuf, EntryState> {
    let mut states = BTreeMap::new();
    let mut pending: Vec<PathBuf> = roots.to_vec();
    while let Some(path) = pending.pop() {
        let Ok(metadata) = fs::symlink_metadata(&path) else {
            continue;
        };
        let kind = if metadata.file_type().is_symlink() {
            "symlink"
        } else if metadata.is_dir() {
            "dir"
        } else {
            "file"
        };
        let content = match kind {
            "file" => fs::read(&path).unwrap_or_default(),
            "symlink" => fs::read_link(&path)
                .map(|t| t.into_os_string().into_encoded_bytes())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        if kind == "dir" {
            if let Ok(entries) = fs::read_dir(&path) {
                pending.extend(entries.flatten().map(|entry| entry.path()));
            }
        }
        let state = EntryState {
            kind,
            mode: metadata.mode(),
            uid: metadata.uid(),
            mtime: (metadata.mtime(), metadata.mtime_nsec()),
            ctime: (metadata.ctime(), metadata.ctime_nsec()),
            content,
        };
        states.insert(path, state);
    }
    states
}

/// A marker unique to this test, to find processes a line tried to leave behind.
pub fn marker(name: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("st-marker-{name}-{}-{count}", std::process::id())
}

/// Processes whose command line contains `marker`, waiting a little for dying ones to go.
pub fn survivors(marker: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = find_processes(marker);
        if found.is_empty() || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Processes whose command line contains `marker` right now (without waiting).
pub fn running(marker: &str) -> Vec<String> {
    find_processes(marker)
}

/// Waits (at most 5 s) until `count` processes with `marker` run, and returns how many do.
pub fn wait_for_running(marker: &str, count: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = find_processes(marker).len();
        if found >= count || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn find_processes(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(cmdline) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let state = fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = state
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'));
        if text.contains(marker) && !zombie && pid != std::process::id().to_string() {
            found.push(format!("{pid}: {text}"));
        }
    }
    found
}

/// A stand-in for the learner's terminal: a pty pair whose slave the sandbox relays, and whose master the test
/// types into and reads the screen from.
pub struct FakeTerminal {
    master: OwnedFd,
    slave: OwnedFd,
    screen: Arc<Mutex<Vec<u8>>>,
}

impl FakeTerminal {
    pub fn new() -> FakeTerminal {
        let size = nix::pty::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pair = nix::pty::openpty(Some(&size), None).unwrap();
        for fd in [&pair.master, &pair.slave] {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            )
            .unwrap();
        }
        let screen = Arc::new(Mutex::new(Vec::new()));
        let reader = pair.master.try_clone().unwrap();
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut file = fs::File::from(reader);
            let mut buffer = [0u8; 4096];
            while let Ok(n) = file.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        FakeTerminal {
            master: pair.master,
            slave: pair.slave,
            screen,
        }
    }

    /// Runs `line` interactively on this terminal while `keys` types at it from another thread.
    pub fn run(
        &self,
        sandbox: &mut Sandbox,
        line: &str,
        keys: impl FnOnce(&Typist) + Send + 'static,
    ) -> Outcome {
        let typist = Typist {
            master: self.master.try_clone().unwrap(),
            screen: Arc::clone(&self.screen),
        };
        let typing = std::thread::spawn(move || keys(&typist));
        let outcome = sandbox
            .run_with(
                line,
                Io::Terminal {
                    input: self.slave.as_fd(),
                    output: self.slave.as_fd(),
                },
            )
            .unwrap_or_else(|error| panic!("running {line:?} on a terminal failed: {error}"));
        typing.join().unwrap();
        outcome
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Bytes waiting to be read on the learner's side of the terminal (injected keystrokes would show up here).
    pub fn pending_input(&self) -> Vec<u8> {
        let fd = self.slave.try_clone().unwrap();
        nix::fcntl::fcntl(
            &fd,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .unwrap();
        let mut buffer = [0u8; 256];
        match nix::unistd::read(&fd, &mut buffer) {
            Ok(n) => buffer[..n].to_vec(),
            Err(_) => Vec::new(),
        }
    }

    /// The device path of the learner's side, e.g. `/dev/pts/3`.
    pub fn slave_path(&self) -> String {
        nix::unistd::ttyname(self.slave.as_fd())
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }

    /// The terminal's modes, to check that they are restored.
    pub fn modes(&self) -> nix::sys::termios::Termios {
        nix::sys::termios::tcgetattr(self.slave.as_fd()).unwrap()
    }
}

/// Types into the fake terminal and watches its screen.
pub struct Typist {
    master: OwnedFd,
    screen: Arc<Mutex<Vec<u8>>>,
}

impl Typist {
    /// Waits until `text` appears on the screen (or gives up after a while; the test then fails on its checks).
    pub fn wait_for(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if String::from_utf8_lossy(&self.screen.lock().unwrap()).contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn type_keys(&self, keys: &[u8]) {
        for chunk in keys.chunks(16) {
            let _ = nix::unistd::write(&self.master, chunk);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pause(&self, millis: u64) {
        std::thread::sleep(Duration::from_millis(millis));
    }
}
