//! The learner's keyboard, owned by the tutor, so that nothing they type is lost: not lines typed ahead while a
//! command runs, not a long plain paste.
//!
//! The line editor (rustyline) reads the terminal in chunks of up to a kilobyte and keeps only the first line: a
//! paste of 200 lines would lose most of them. So the tutor puts a pseudo-terminal of its own between the real
//! terminal and everything that reads keys: a thread reads the real terminal into a queue, and feeds the
//! pseudo-terminal (which is standard input from then on) at the pace the reader wants:
//! - at the prompt, keys up to and including one Enter, so the editor takes exactly one line;
//! - while a line runs, everything (the command gets what it reads; what it does not read comes back as the
//!   next lines, in order);
//! - in between, nothing: keys wait in the queue.
//!
//! Only used when standard input and output are terminals; piped sessions read lines directly.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{self, SetArg, Termios};

/// Who may read keys now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Keys wait in the queue.
    Idle,
    /// The line editor reads one line: feed keys until an Enter has been fed.
    Prompt { line_fed: bool },
    /// A line runs: feed everything.
    Command,
}

#[derive(Debug)]
struct State {
    queue: VecDeque<u8>,
    mode: Mode,
    stop: bool,
}

/// The tutor's hold on the keyboard; standard input is its pseudo-terminal until it is dropped.
#[derive(Debug)]
pub struct Keyboard {
    state: Arc<Mutex<State>>,
    master: Arc<OwnedFd>,
    /// The real terminal (a copy of the original standard input), put back on drop.
    real: Arc<OwnedFd>,
    /// The real terminal's modes before the tutor took it.
    saved: Termios,
    thread: Option<JoinHandle<()>>,
}

impl Keyboard {
    /// Takes the keyboard: standard input becomes a pseudo-terminal like the real one. `None` when that is not
    /// possible (the tutor then reads the real terminal directly).
    pub fn take() -> Option<Keyboard> {
        let stdin = io::stdin();
        let real = Arc::new(stdin.as_fd().try_clone_to_owned().ok()?);
        let modes = termios::tcgetattr(real.as_fd()).ok()?;
        let pair = nix::pty::openpty(None, Some(&modes)).ok()?;
        // The real terminal hands every key over as it comes (no echo, no line editing, no signals: the
        // pseudo-terminal does all that for whoever reads it); its output processing stays as it was.
        let mut keys_only = modes.clone();
        keys_only.local_flags.remove(
            termios::LocalFlags::ICANON
                | termios::LocalFlags::ECHO
                | termios::LocalFlags::ISIG
                | termios::LocalFlags::IEXTEN,
        );
        keys_only.input_flags.remove(
            termios::InputFlags::ICRNL | termios::InputFlags::IXON | termios::InputFlags::INLCR,
        );
        keys_only.control_chars[termios::SpecialCharacterIndices::VMIN as usize] = 1;
        keys_only.control_chars[termios::SpecialCharacterIndices::VTIME as usize] = 0;
        copy_window_size(real.as_fd(), pair.master.as_fd());
        for fd in [&pair.master, &pair.slave] {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            )
            .ok()?;
        }
        nix::fcntl::fcntl(
            &pair.master,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .ok()?;
        // From here on the editor and the commands read the pseudo-terminal.
        termios::tcsetattr(real.as_fd(), SetArg::TCSANOW, &keys_only).ok()?;
        if nix::unistd::dup2_stdin(&pair.slave).is_err() {
            let _ = termios::tcsetattr(real.as_fd(), SetArg::TCSANOW, &modes);
            return None;
        }
        drop(pair.slave);
        let state = Arc::new(Mutex::new(State {
            queue: VecDeque::new(),
            mode: Mode::Idle,
            stop: false,
        }));
        let master = Arc::new(pair.master);
        let thread = {
            let state = Arc::clone(&state);
            let master = Arc::clone(&master);
            let real = Arc::clone(&real);
            std::thread::Builder::new()
                .name("keyboard".into())
                .spawn(move || read_keys(&state, &master, &real))
                .ok()
        };
        Some(Keyboard {
            state,
            master,
            real,
            saved: modes,
            thread,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The editor is about to read a line.
    pub fn prompt(&self) {
        copy_window_size(self.real.as_fd(), self.master.as_fd());
        let mut state = self.lock();
        state.mode = Mode::Prompt { line_fed: false };
        feed(&mut state, &self.master);
    }

    /// A line was read and runs now (a shell line reads what it wants; a tutor command reads nothing).
    pub fn command(&self) {
        copy_window_size(self.real.as_fd(), self.master.as_fd());
        let mut state = self.lock();
        state.mode = Mode::Command;
        feed(&mut state, &self.master);
    }

    /// The line has finished; `unread` is what the command did not read. It comes first, then whatever reached
    /// standard input after it, then the queue.
    pub fn finished(&self, unread: &[u8]) {
        let mut state = self.lock();
        state.mode = Mode::Idle;
        let mut late = read_pending(io::stdin().as_fd());
        late = sandbox::typed_text(&late);
        let mut queue: VecDeque<u8> = unread.iter().copied().collect();
        queue.extend(late);
        queue.extend(state.queue.drain(..));
        state.queue = queue;
    }
}

impl Drop for Keyboard {
    fn drop(&mut self) {
        self.lock().stop = true;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Standard input is the real terminal again, as it was (for anything after the tutor).
        let _ = termios::tcsetattr(self.real.as_fd(), SetArg::TCSANOW, &self.saved);
        let _ = nix::unistd::dup2_stdin(self.real.as_ref());
    }
}

/// The thread: reads the real terminal into the queue and feeds the pseudo-terminal as the mode allows.
fn read_keys(state: &Mutex<State>, master: &OwnedFd, real: &OwnedFd) {
    let mut buffer = [0u8; 4096];
    loop {
        let mut fds = [PollFd::new(real.as_fd(), PollFlags::POLLIN)];
        let ready = matches!(
            nix::poll::poll(&mut fds, PollTimeout::from(50u16)),
            Ok(n) if n > 0
        );
        let mut read = Vec::new();
        if ready {
            match nix::unistd::read(real.as_fd(), &mut buffer) {
                Ok(0) | Err(nix::errno::Errno::EIO) => {
                    // The terminal hung up (its window closed, tmux killed): leave as for SIGHUP, which saves
                    // progress and exits, rather than wait for keys that cannot come.
                    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGHUP);
                    return;
                }
                Ok(n) => read.extend_from_slice(&buffer[..n]),
                Err(_) => {}
            }
        }
        let mut state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.stop {
            return;
        }
        state.queue.extend(read);
        feed(&mut state, master);
    }
}

/// Writes queued keys to the pseudo-terminal, as much as the mode allows and the terminal takes.
fn feed(state: &mut State, master: &OwnedFd) {
    let allowed = match state.mode {
        Mode::Idle | Mode::Prompt { line_fed: true } => 0,
        Mode::Command => state.queue.len(),
        Mode::Prompt { line_fed: false } => state
            .queue
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .map_or(state.queue.len(), |end| end + 1),
    };
    if allowed == 0 {
        return;
    }
    let bytes: Vec<u8> = state.queue.iter().take(allowed).copied().collect();
    let written = nix::unistd::write(master, &bytes).unwrap_or_default();
    state.queue.drain(..written);
    if let Mode::Prompt { line_fed } = &mut state.mode {
        if bytes[..written].iter().any(|&b| b == b'\r' || b == b'\n') {
            *line_fed = true;
        }
    }
}

/// Reads what waits on a terminal, without blocking.
fn read_pending(fd: BorrowedFd<'_>) -> Vec<u8> {
    let mut pending = Vec::new();
    let mut buffer = [0u8; 4096];
    while pending.len() < 1024 * 1024 {
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        if !matches!(nix::poll::poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0) {
            break;
        }
        match nix::unistd::read(fd, &mut buffer) {
            Ok(n) if n > 0 => pending.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    pending
}

/// Gives the pseudo-terminal the real terminal's size (the editor wraps lines by it, commands draw with it).
fn copy_window_size(from: BorrowedFd<'_>, to: BorrowedFd<'_>) {
    sandbox::copy_window_size(from, to);
}
