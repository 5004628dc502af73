//! Interactive lines: the command gets a pseudo-terminal of its own, set up like the learner's terminal, and the
//! tutor relays keystrokes and output between the two while the learner's terminal is in raw mode.
//!
//! Why a pty of its own: Ctrl-C and Ctrl-Z become signals for the command's foreground job (never for the tutor,
//! whose terminal is raw), TIOCSTI can only inject into the command's own terminal, escape sequences the command
//! leaves behind (modes, alternate screen) die with its pty, and the learner's terminal modes are restored whatever
//! happens. Pressing Ctrl-C three times within two seconds stops a command that ignores it.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{self, SetArg, Termios};

use crate::capture::{Relayed, STATE_LIMIT};
use crate::spawn::Child;
use crate::watch::{Recorder, Watch};
use crate::LimitHit;

const CTRL_C: u8 = 0x03;
const CTRL_C_PRESSES_TO_KILL: usize = 3;
const CTRL_C_WINDOW: Duration = Duration::from_secs(2);
const DRAIN_GRACE: Duration = Duration::from_millis(300);
const WINDOW_SIZE_CHECK: Duration = Duration::from_millis(250);

/// A pseudo-terminal pair: the command gets `slave`, the tutor keeps `master`.
#[derive(Debug)]
pub(crate) struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// Opens a pty whose modes and size copy the learner's terminal.
pub(crate) fn open_like(terminal: BorrowedFd<'_>) -> io::Result<Pty> {
    let modes = termios::tcgetattr(terminal).map_err(io::Error::from)?;
    let size = window_size(terminal);
    let pair = nix::pty::openpty(size.as_ref(), Some(&modes)).map_err(io::Error::from)?;
    for fd in [&pair.master, &pair.slave] {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )?;
    }
    Ok(Pty {
        master: pair.master,
        slave: pair.slave,
    })
}

/// Whether `fd` is a terminal.
pub(crate) fn is_terminal(fd: BorrowedFd<'_>) -> bool {
    nix::unistd::isatty(fd).unwrap_or(false)
}

#[allow(unsafe_code)]
fn window_size(fd: BorrowedFd<'_>) -> Option<nix::pty::Winsize> {
    use std::os::fd::AsRawFd;
    let mut size = nix::pty::Winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` struct into the valid, writable `size`.
    let result = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
    (result == 0 && size.ws_row > 0).then_some(size)
}

#[allow(unsafe_code)]
fn set_window_size(fd: BorrowedFd<'_>, size: &nix::pty::Winsize) {
    use std::os::fd::AsRawFd;
    // SAFETY: TIOCSWINSZ reads one valid `winsize` struct.
    unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::TIOCSWINSZ,
            size as *const nix::pty::Winsize,
        );
    }
}

/// Puts the learner's terminal in raw mode and restores the saved modes when dropped.
#[derive(Debug)]
pub(crate) struct RawMode<'a> {
    terminal: BorrowedFd<'a>,
    saved: Termios,
}

impl<'a> RawMode<'a> {
    pub(crate) fn enter(terminal: BorrowedFd<'a>) -> io::Result<RawMode<'a>> {
        let saved = termios::tcgetattr(terminal).map_err(io::Error::from)?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        termios::tcsetattr(terminal, SetArg::TCSANOW, &raw).map_err(io::Error::from)?;
        Ok(RawMode { terminal, saved })
    }
}

impl Drop for RawMode<'_> {
    fn drop(&mut self) {
        discard_pending_input(self.terminal);
        let _ = termios::tcsetattr(self.terminal, SetArg::TCSANOW, &self.saved);
    }
}

/// Drops input waiting on the learner's terminal: a command's last escape sequences can make the terminal answer
/// (cursor position, device attributes), and those answers must not reach the tutor or the learner's shell as if
/// typed.
pub(crate) fn discard_pending_input(terminal: BorrowedFd<'_>) {
    // Only from the foreground: a background tutor touching the terminal would be stopped by SIGTTOU.
    let in_foreground =
        nix::unistd::tcgetpgrp(terminal).is_ok_and(|group| group == nix::unistd::getpgrp());
    if is_terminal(terminal) && in_foreground {
        let _ = termios::tcflush(terminal, termios::FlushArg::TCIFLUSH);
    }
}

/// The learner's side of an interactive run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoints<'a> {
    pub input: BorrowedFd<'a>,
    pub output: BorrowedFd<'a>,
}

/// Relays between the learner's terminal and the command's pty until the command has ended.
pub(crate) fn relay(
    child: &mut Child,
    master: OwnedFd,
    state: Option<OwnedFd>,
    ends: Endpoints<'_>,
    output_limit: usize,
    watch: &mut Watch,
) -> io::Result<Relayed> {
    for fd in [Some(&master), state.as_ref()].into_iter().flatten() {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )?;
    }
    let mut state = state;
    let mut master_open = true;
    let mut input_open = true;
    let mut relayed = Relayed {
        output: Recorder::new(output_limit),
        limit: None,
        state: Vec::new(),
    };
    let mut exited_at: Option<Instant> = None;
    let mut ctrl_c_presses: Vec<Instant> = Vec::new();
    let mut size = window_size(ends.input);
    let mut next_size_check = Instant::now() + WINDOW_SIZE_CHECK;
    let mut buffer = vec![0u8; 16 * 1024];
    let mut screen = ScreenModes::default();
    loop {
        if exited_at.is_some_and(|at| at.elapsed() > DRAIN_GRACE)
            || (exited_at.is_some() && !master_open && state.is_none())
        {
            break;
        }
        let mut fds = Vec::with_capacity(4);
        let master_slot = master_open.then(|| {
            fds.push(PollFd::new(master.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let state_slot = state.as_ref().map(|fd| {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let input_slot = (input_open && exited_at.is_none()).then(|| {
            fds.push(PollFd::new(ends.input, PollFlags::POLLIN));
            fds.len() - 1
        });
        let child_slot = exited_at.is_none().then(|| {
            fds.push(PollFd::new(child.pidfd.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let timeout = watch.poll_timeout().min(WINDOW_SIZE_CHECK);
        match nix::poll::poll(
            &mut fds,
            PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(error) => return Err(error.into()),
        }
        let ready = |slot: Option<usize>| slot.and_then(|i| fds[i].any()).unwrap_or(false);
        let (master_ready, state_ready, input_ready, child_ready) = (
            ready(master_slot),
            ready(state_slot),
            ready(input_slot),
            ready(child_slot),
        );
        drop(fds);
        if master_ready {
            master_open = pass_output(
                &master,
                ends.output,
                &mut buffer,
                &mut relayed.output,
                &mut screen,
            )?;
        }
        if state_ready {
            read_state(&mut state, &mut buffer, &mut relayed.state);
        }
        if input_ready {
            match nix::unistd::read(ends.input, &mut buffer) {
                Ok(0) => input_open = false,
                Ok(n) => {
                    let keys = &buffer[..n];
                    // Dropping keystrokes when the command does not read them keeps the tutor responsive.
                    let _ = nix::unistd::write(&master, keys);
                    if count_ctrl_c(&mut ctrl_c_presses, keys) && relayed.limit.is_none() {
                        relayed.limit = Some(LimitHit::Interrupted);
                        child.kill();
                    }
                }
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(_) => input_open = false,
            }
        }
        if child_ready {
            exited_at = Some(Instant::now());
        }
        if exited_at.is_none() && relayed.limit.is_none() {
            if let Some(limit) = watch.check() {
                relayed.limit = Some(limit);
                child.kill();
            }
        }
        if Instant::now() >= next_size_check {
            next_size_check = Instant::now() + WINDOW_SIZE_CHECK;
            let current = window_size(ends.input);
            if let (Some(new), true) = (
                &current,
                current.map(|s| (s.ws_row, s.ws_col)) != size.map(|s| (s.ws_row, s.ws_col)),
            ) {
                set_window_size(master.as_fd(), new);
            }
            size = current;
        }
    }
    // The pty dies with the command, but what it told the learner's terminal (colours, alternate screen, hidden
    // cursor, mouse reporting) stays: undo it.
    write_all(ends.output, &screen.restore_sequence());
    Ok(relayed)
}

/// Terminal modes a command may have switched on with escape sequences and left on.
#[derive(Debug, Default)]
struct ScreenModes {
    alternate_screen: bool,
}

impl ScreenModes {
    fn notice(&mut self, chunk: &[u8]) {
        let last = |needle: &[u8]| {
            chunk
                .windows(needle.len())
                .rposition(|window| window == needle)
        };
        let entered = [b"\x1b[?1049h".as_slice(), b"\x1b[?1047h", b"\x1b[?47h"]
            .iter()
            .filter_map(|n| last(n))
            .max();
        let left = [b"\x1b[?1049l".as_slice(), b"\x1b[?1047l", b"\x1b[?47l"]
            .iter()
            .filter_map(|n| last(n))
            .max();
        match (entered, left) {
            (Some(on), Some(off)) => self.alternate_screen = on > off,
            (Some(_), None) => self.alternate_screen = true,
            (None, Some(_)) => self.alternate_screen = false,
            (None, None) => {}
        }
    }

    /// Plain attributes, a visible cursor, no mouse reporting, and the normal screen if the command left it.
    fn restore_sequence(&self) -> Vec<u8> {
        let mut sequence = b"\x1b[0m\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l".to_vec();
        if self.alternate_screen {
            sequence.extend_from_slice(b"\x1b[?1049l");
        }
        sequence
    }
}

/// Copies what the command printed to the learner's terminal. Returns false once the pty has no writer left.
fn pass_output(
    master: &OwnedFd,
    output: BorrowedFd<'_>,
    buffer: &mut [u8],
    recorder: &mut Recorder,
    screen: &mut ScreenModes,
) -> io::Result<bool> {
    for _ in 0..16 {
        match nix::unistd::read(master, buffer) {
            Ok(0) | Err(nix::errno::Errno::EIO) => return Ok(false),
            Ok(n) => {
                write_all(output, &buffer[..n]);
                recorder.record(&buffer[..n]);
                screen.notice(&buffer[..n]);
            }
            Err(nix::errno::Errno::EAGAIN) => return Ok(true),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(true)
}

fn write_all(output: BorrowedFd<'_>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match nix::unistd::write(output, bytes) {
            Ok(0) => return,
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => return,
        }
    }
}

fn read_state(state: &mut Option<OwnedFd>, buffer: &mut [u8], collected: &mut Vec<u8>) {
    let Some(fd) = state.as_ref() else { return };
    for _ in 0..16 {
        match nix::unistd::read(fd, buffer) {
            Ok(0) => {
                *state = None;
                return;
            }
            Ok(n) if collected.len() + n <= STATE_LIMIT => {
                collected.extend_from_slice(&buffer[..n])
            }
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => return,
            Err(_) => {
                *state = None;
                return;
            }
        }
    }
}

/// Notes Ctrl-C presses; true when enough came within the window to stop the command for the learner.
fn count_ctrl_c(presses: &mut Vec<Instant>, keys: &[u8]) -> bool {
    let now = Instant::now();
    presses.extend(keys.iter().filter(|&&key| key == CTRL_C).map(|_| now));
    presses.retain(|at| now.duration_since(*at) <= CTRL_C_WINDOW);
    presses.len() >= CTRL_C_PRESSES_TO_KILL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_left_alternate_screen_is_left_again() {
        let mut screen = ScreenModes::default();
        screen.notice(b"\x1b[?1049hfull screen");
        assert!(screen.restore_sequence().ends_with(b"\x1b[?1049l"));
        screen.notice(b"bye\x1b[?1049l");
        assert!(!screen.restore_sequence().ends_with(b"\x1b[?1049l"));
    }

    #[test]
    fn three_ctrl_c_in_a_row_stop_the_command() {
        let mut presses = Vec::new();
        assert!(!count_ctrl_c(&mut presses, b"\x03"));
        assert!(!count_ctrl_c(&mut presses, b"x\x03"));
        assert!(count_ctrl_c(&mut presses, b"\x03"));
    }
}
