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

use crate::capture::{Relayed, STATE_LIMIT, TRACE_LIMIT};
use crate::keys::read_into;
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

/// Opens a pty for a scripted run (no learner terminal to copy): cooked mode with echo, 100 columns by 30 rows.
pub(crate) fn open_scripted() -> io::Result<Pty> {
    let size = nix::pty::Winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pair = nix::pty::openpty(Some(&size), None).map_err(io::Error::from)?;
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
    /// The output side of the learner's terminal, when it is another terminal than the input (the tutor may read
    /// keys through a terminal of its own): raw too, so a command's output reaches the screen byte for byte.
    output: Option<(BorrowedFd<'a>, Termios)>,
}

impl<'a> RawMode<'a> {
    pub(crate) fn enter(terminal: BorrowedFd<'a>) -> io::Result<RawMode<'a>> {
        let saved = make_raw(terminal)?;
        Ok(RawMode {
            terminal,
            saved,
            output: None,
        })
    }

    /// Raw mode on both sides of the learner's terminal.
    pub(crate) fn enter_both(
        input: BorrowedFd<'a>,
        output: BorrowedFd<'a>,
    ) -> io::Result<RawMode<'a>> {
        let mut raw = RawMode::enter(input)?;
        if is_terminal(output) && !same_terminal(input, output) {
            raw.output = Some((output, make_raw(output)?));
        }
        Ok(raw)
    }
}

/// Puts a terminal in raw mode; returns the modes it had.
fn make_raw(terminal: BorrowedFd<'_>) -> io::Result<Termios> {
    let saved = termios::tcgetattr(terminal).map_err(io::Error::from)?;
    let mut raw = saved.clone();
    termios::cfmakeraw(&mut raw);
    termios::tcsetattr(terminal, SetArg::TCSANOW, &raw).map_err(io::Error::from)?;
    Ok(saved)
}

/// Whether two descriptors are the same terminal device.
fn same_terminal(a: BorrowedFd<'_>, b: BorrowedFd<'_>) -> bool {
    match (nix::sys::stat::fstat(a), nix::sys::stat::fstat(b)) {
        (Ok(a), Ok(b)) => a.st_rdev == b.st_rdev,
        _ => false,
    }
}

/// Gives the terminal `to` the window size of `from` (a pseudo-terminal standing in for a real one).
pub fn copy_window_size(from: BorrowedFd<'_>, to: BorrowedFd<'_>) {
    if let Some(size) = window_size(from) {
        set_window_size(to, &size);
    }
}

impl RawMode<'_> {
    /// Takes what the learner typed that nobody read yet (the next lines), dropping the terminal's answers to a
    /// command's queries (cursor position, device attributes): those must not reach the tutor as if typed.
    pub(crate) fn take_typed(&self) -> Vec<u8> {
        typed_text(&read_pending(self.terminal))
    }
}

impl Drop for RawMode<'_> {
    fn drop(&mut self) {
        // Whatever is still pending was not typed for the tutor (see `take_typed`).
        let _ = read_pending(self.terminal);
        let _ = termios::tcsetattr(self.terminal, SetArg::TCSANOW, &self.saved);
        if let Some((output, saved)) = &self.output {
            let _ = termios::tcsetattr(*output, SetArg::TCSANOW, saved);
        }
    }
}

/// Reads the input waiting on a terminal in raw mode, without blocking.
fn read_pending(terminal: BorrowedFd<'_>) -> Vec<u8> {
    let mut pending = Vec::new();
    let mut buffer = [0u8; 4096];
    while pending.len() < 1024 * 1024 {
        let mut fds = [PollFd::new(terminal, PollFlags::POLLIN)];
        if !matches!(nix::poll::poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0) {
            break;
        }
        match nix::unistd::read(terminal, &mut buffer) {
            Ok(n) if n > 0 => pending.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    pending
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

/// The tutor's ends of an interactive run: the pty master, a copy of its slave (to take back input the command did
/// not read), the shell's state and trace descriptors, and the control socket of a shell with job control.
#[derive(Debug)]
pub(crate) struct PtyEnds {
    pub master: OwnedFd,
    pub slave: OwnedFd,
    pub state: Option<OwnedFd>,
    pub trace: Option<OwnedFd>,
    pub control: Option<OwnedFd>,
}

/// How an interactive relay ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// The command ended (its shell exited).
    Exited,
    /// The line's shell is alive with stopped jobs (Ctrl-Z): the pty and control socket are handed back, to resume
    /// with `fg` later.
    Suspended(PtyEnds),
}

/// Relays between the learner's terminal and the command's pty until the command has ended, or its shell reports
/// stopped jobs. `lingering`: background processes may outlive the command (an exercise's environment), so do not
/// wait for them to close the pty; hand its master back instead.
pub(crate) fn relay(
    child: &mut Child,
    ends: PtyEnds,
    learner: Endpoints<'_>,
    output_limit: usize,
    watch: &mut Watch,
    lingering: bool,
) -> io::Result<(Relayed, Ended)> {
    let PtyEnds {
        master,
        slave,
        state,
        trace,
        control,
    } = ends;
    for fd in [
        Some(&master),
        state.as_ref(),
        trace.as_ref(),
        control.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )?;
    }
    let mut state = state;
    let mut trace = trace;
    let mut control = control;
    let mut control_text: Vec<u8> = Vec::new();
    let mut master_open = true;
    let mut input_open = true;
    let mut relayed = Relayed {
        output: Recorder::new(output_limit),
        trace: Recorder::new(TRACE_LIMIT),
        ..Relayed::default()
    };
    let mut exited_at: Option<Instant> = None;
    let mut suspended = false;
    let mut pending_keys: Vec<u8> = Vec::new();
    let mut ctrl_c_presses: Vec<Instant> = Vec::new();
    let mut size = window_size(learner.input);
    let mut next_size_check = Instant::now() + WINDOW_SIZE_CHECK;
    let mut buffer = vec![0u8; 16 * 1024];
    let mut screen = ScreenModes::default();
    loop {
        if exited_at.is_some() || suspended {
            // The command has ended (or stopped): take what it printed; input it did not read goes back to the
            // tutor.
            if master_open {
                master_open = pass_output(
                    &master,
                    learner.output,
                    &mut buffer,
                    &mut relayed.output,
                    &mut screen,
                )?;
            }
            // The shell wrote its state and trace before it ended: take all of it.
            while read_into(&mut state, &mut buffer, &mut relayed.state, STATE_LIMIT)
                | read_into(
                    &mut trace,
                    &mut buffer,
                    &mut relayed.trace.bytes,
                    TRACE_LIMIT,
                )
            {}
            if suspended
                || lingering
                || exited_at.is_some_and(|at| at.elapsed() > DRAIN_GRACE)
                || (!master_open && state.is_none() && trace.is_none())
            {
                break;
            }
        }
        let mut fds = Vec::with_capacity(6);
        let master_slot = master_open.then(|| {
            let mut events = PollFlags::POLLIN;
            if !pending_keys.is_empty() {
                events |= PollFlags::POLLOUT;
            }
            fds.push(PollFd::new(master.as_fd(), events));
            fds.len() - 1
        });
        let state_slot = state.as_ref().map(|fd| {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let trace_slot = trace.as_ref().map(|fd| {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let control_slot = control.as_ref().map(|fd| {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            fds.len() - 1
        });
        let input_slot = (input_open && exited_at.is_none()).then(|| {
            fds.push(PollFd::new(learner.input, PollFlags::POLLIN));
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
        let (master_ready, state_ready, trace_ready, control_ready, input_ready, child_ready) = (
            ready(master_slot),
            ready(state_slot),
            ready(trace_slot),
            ready(control_slot),
            ready(input_slot),
            ready(child_slot),
        );
        drop(fds);
        if master_ready {
            master_open = pass_output(
                &master,
                learner.output,
                &mut buffer,
                &mut relayed.output,
                &mut screen,
            )?;
        }
        if state_ready {
            read_into(&mut state, &mut buffer, &mut relayed.state, STATE_LIMIT);
        }
        if trace_ready {
            read_into(
                &mut trace,
                &mut buffer,
                &mut relayed.trace.bytes,
                TRACE_LIMIT,
            );
        }
        if control_ready {
            match job_report(&mut control, &mut buffer, &mut control_text) {
                Some(true) => suspended = true,
                // No stopped job: the shell may end.
                Some(false) => {
                    if let Some(socket) = &control {
                        let _ = nix::unistd::write(socket, b"exit\n");
                    }
                }
                None => {}
            }
        }
        if input_ready {
            match nix::unistd::read(learner.input, &mut buffer) {
                Ok(0) => input_open = false,
                Ok(n) => {
                    let keys = &buffer[..n];
                    // An interrupt jumps the queue of keys the command has not taken yet, as on a terminal.
                    if keys.contains(&CTRL_C) && !pending_keys.is_empty() {
                        let _ = nix::unistd::write(&master, &[CTRL_C]);
                    }
                    pending_keys.extend_from_slice(keys);
                    if count_ctrl_c(&mut ctrl_c_presses, keys) && relayed.limit.is_none() {
                        relayed.limit = Some(LimitHit::Interrupted);
                        child.kill();
                    }
                }
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(_) => input_open = false,
            }
        }
        // Keys go to the command as fast as its terminal takes them; the rest waits here (a long paste), and what
        // is left when the command ends is the learner's next lines.
        if !pending_keys.is_empty() && exited_at.is_none() && !suspended {
            match nix::unistd::write(&master, &pending_keys) {
                Ok(n) => {
                    pending_keys.drain(..n);
                }
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(_) => pending_keys.clear(),
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
            let current = window_size(learner.input);
            if let (Some(new), true) = (
                &current,
                current.map(|s| (s.ws_row, s.ws_col)) != size.map(|s| (s.ws_row, s.ws_col)),
            ) {
                set_window_size(master.as_fd(), new);
            }
            size = current;
        }
    }
    // The pty lives on while background processes hold it, but what the command told the learner's terminal
    // (colours, alternate screen, hidden cursor, mouse reporting) must not: undo it.
    write_all(learner.output, &screen.restore_sequence());
    relayed.unread_input = typed_text(&take_unread_input(&slave));
    relayed.unread_input.extend(typed_text(&pending_keys));
    if suspended {
        return Ok((
            relayed,
            Ended::Suspended(PtyEnds {
                master,
                slave,
                state: None,
                trace,
                control,
            }),
        ));
    }
    drop(slave);
    if lingering {
        relayed.trace_leftover = trace;
    }
    if lingering && master_open && still_held(&master) {
        relayed.leftovers.push(master);
    }
    Ok((relayed, Ended::Exited))
}

/// Reads the shell's report of its stopped jobs (pids, then a line `.`). `Some(true)` when jobs are stopped,
/// `Some(false)` when none are, `None` while the report is incomplete (or the socket closed).
fn job_report(
    control: &mut Option<OwnedFd>,
    buffer: &mut [u8],
    text: &mut Vec<u8>,
) -> Option<bool> {
    let socket = control.as_ref()?;
    match nix::unistd::read(socket, buffer) {
        Ok(0) | Err(nix::errno::Errno::ECONNRESET) => {
            *control = None;
            return None;
        }
        Ok(n) => text.extend_from_slice(&buffer[..n]),
        Err(_) => return None,
    }
    let end = text
        .windows(2)
        .position(|w| w == b".\n")
        .filter(|&at| at == 0 || text[at - 1] == b'\n')?;
    let report = String::from_utf8_lossy(&text[..end]).into_owned();
    text.drain(..end + 2);
    Some(report.lines().any(|line| !line.trim().is_empty()))
}

/// Writes a command for a shell waiting with stopped jobs (`fg %1`, `jobs`) to its control socket.
pub(crate) fn send_job_command(control: &OwnedFd, command: &str) -> io::Result<()> {
    let mut line = command.replace('\n', " ").into_bytes();
    line.push(b'\n');
    let mut written = 0;
    while written < line.len() {
        written += nix::unistd::write(control, &line[written..])?;
    }
    Ok(())
}

/// Input that reached the command's terminal but was never read: a real terminal keeps it for the shell, so the
/// tutor does too. The slave is switched to non-canonical mode so that a half-typed line can be read as well.
fn take_unread_input(slave: &OwnedFd) -> Vec<u8> {
    let saved = termios::tcgetattr(slave).ok();
    if let Some(mut modes) = saved.clone() {
        modes.local_flags.remove(termios::LocalFlags::ICANON);
        modes.control_chars[termios::SpecialCharacterIndices::VMIN as usize] = 0;
        modes.control_chars[termios::SpecialCharacterIndices::VTIME as usize] = 0;
        let _ = termios::tcsetattr(slave, SetArg::TCSANOW, &modes);
    }
    let mut unread = Vec::new();
    let mut buffer = [0u8; 4096];
    while unread.len() < 1024 * 1024 {
        match nix::unistd::read(slave, &mut buffer) {
            Ok(n) if n > 0 => unread.extend_from_slice(&buffer[..n]),
            Err(nix::errno::Errno::EINTR) => {}
            _ => break,
        }
    }
    // A stopped job may use this terminal again (`fg`): leave its modes as they were.
    if let Some(saved) = saved {
        let _ = termios::tcsetattr(slave, SetArg::TCSANOW, &saved);
    }
    unread
}

/// Whether something besides the tutor still holds the pty's slave (a read on the master says EIO otherwise).
pub(crate) fn still_held(master: &OwnedFd) -> bool {
    let mut byte = [0u8; 1];
    !matches!(
        nix::unistd::read(master, &mut byte),
        Err(nix::errno::Errno::EIO)
    )
}

/// Keeps what a person typed from raw terminal input: printable text, tabs and line ends. Escape sequences (arrow
/// keys, the terminal's answers to a program's queries) and other control keys are dropped.
pub fn typed_text(input: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(input.len());
    let mut index = 0;
    while index < input.len() {
        let byte = input[index];
        if byte == 0x1b {
            index = skip_escape(input, index);
            continue;
        }
        match byte {
            b'\r' => kept.push(b'\n'),
            b'\n' | b'\t' => kept.push(byte),
            0x00..=0x1f | 0x7f => {}
            _ => kept.push(byte),
        }
        index += 1;
    }
    kept
}

/// The index after the escape sequence starting at `start` (CSI, OSC, DCS and other string sequences, SS3, or a
/// two-byte sequence).
fn skip_escape(input: &[u8], start: usize) -> usize {
    let Some(&kind) = input.get(start + 1) else {
        return input.len();
    };
    match kind {
        b'[' => {
            // Parameters and intermediates, then one final byte in 0x40..=0x7e.
            let mut index = start + 2;
            while index < input.len() && !(0x40..=0x7e).contains(&input[index]) {
                index += 1;
            }
            (index + 1).min(input.len())
        }
        b']' | b'P' | b'X' | b'^' | b'_' => {
            // Strings end with BEL or ST (ESC \\).
            let mut index = start + 2;
            while index < input.len() {
                if input[index] == 0x07 {
                    return index + 1;
                }
                if input[index] == 0x1b && input.get(index + 1) == Some(&b'\\') {
                    return index + 2;
                }
                index += 1;
            }
            input.len()
        }
        b'O' => (start + 3).min(input.len()),
        _ => (start + 2).min(input.len()),
    }
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
