//! Typing into a command's pseudo-terminal from a script, as a person at a keyboard would: for keystroke
//! solutions of interactive exercises (vi, `cat > file` ended with Ctrl-D, ssh-keygen's passphrase prompts), which
//! `verify` and `grade` must be able to prove without a person.
//!
//! The notation, one string per step list: plain characters are typed as they are; named keys go in angle brackets
//! (`<Enter>`, `<Esc>`, `<Tab>`, `<BS>`, `<Space>`, `<Up>`, `<Down>`, `<Left>`, `<Right>`, `<Home>`, `<End>`,
//! `<Del>`, `<C-a>` ... `<C-z>`, `<lt>` for a literal `<`); `<wait "TEXT">` waits until the command's screen shows
//! TEXT; `<pause>` waits 200 ms (`<pause 500>`: 500 ms).

use std::fmt;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};

use crate::capture::{Relayed, STATE_LIMIT, TRACE_LIMIT};
use crate::spawn::Child;
use crate::terminal::{still_held, PtyEnds};
use crate::watch::{Recorder, Watch};
use crate::LimitHit;

/// How long a `<wait "TEXT">` waits before the run fails.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

/// One step of a keystroke script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStep {
    /// Bytes to type.
    Type(Vec<u8>),
    /// Wait until the screen shows this text (escape sequences removed).
    WaitFor(String),
    Pause(Duration),
}

/// Why a keystroke notation cannot be read; `column` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (column {})", self.message, self.column)
    }
}

impl std::error::Error for KeyError {}

/// Reads the notation into steps; consecutive typed characters become one step.
pub fn parse_keys(text: &str) -> Result<Vec<KeyStep>, KeyError> {
    let chars: Vec<char> = text.chars().collect();
    let mut steps = Vec::new();
    let mut typed: Vec<u8> = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c != '<' {
            let mut encoded = [0u8; 4];
            typed.extend_from_slice(c.encode_utf8(&mut encoded).as_bytes());
            index += 1;
            continue;
        }
        let column = index + 1;
        let (inside, next) = bracketed(&chars, index + 1).ok_or_else(|| KeyError {
            column,
            message:
                "'<' opens a key name that is never closed with '>'; write <lt> for a literal '<'"
                    .to_owned(),
        })?;
        index = next;
        if let Some(rest) = inside.strip_prefix("wait") {
            let wanted = quoted_argument(rest).ok_or_else(|| KeyError {
                column,
                message: "write the text to wait for in double quotes: <wait \"notes.txt\">"
                    .to_owned(),
            })?;
            flush(&mut typed, &mut steps);
            steps.push(KeyStep::WaitFor(wanted));
            continue;
        }
        if let Some(rest) = inside.strip_prefix("pause") {
            let millis = match rest.trim() {
                "" => 200,
                number => number.parse::<u64>().map_err(|_| KeyError {
                    column,
                    message: format!("'{number}' is not a number of milliseconds: <pause 500>"),
                })?,
            };
            flush(&mut typed, &mut steps);
            steps.push(KeyStep::Pause(Duration::from_millis(millis.min(10_000))));
            continue;
        }
        let bytes = named_key(&inside).ok_or_else(|| KeyError {
            column,
            message: format!(
                "unknown key <{inside}>; known keys: <Enter> <Esc> <Tab> <BS> <Space> <Up> <Down> <Left> \
                 <Right> <Home> <End> <Del> <C-a>..<C-z> <lt>, and <wait \"TEXT\">, <pause>"
            ),
        })?;
        typed.extend_from_slice(&bytes);
    }
    flush(&mut typed, &mut steps);
    Ok(steps)
}

fn flush(typed: &mut Vec<u8>, steps: &mut Vec<KeyStep>) {
    if !typed.is_empty() {
        steps.push(KeyStep::Type(std::mem::take(typed)));
    }
}

/// The text between `<` (before `start`) and the matching `>`, allowing `>` inside a quoted argument.
fn bracketed(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut inside = String::new();
    let mut quoted = false;
    let mut index = start;
    while index < chars.len() {
        match chars[index] {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some((inside, index + 1)),
            '\\' if quoted && index + 1 < chars.len() => {
                inside.push('\\');
                index += 1;
            }
            _ => {}
        }
        inside.push(chars[index]);
        index += 1;
    }
    None
}

/// `"TEXT"` (with `\"` and `\\`), surrounded by optional spaces.
fn quoted_argument(text: &str) -> Option<String> {
    let body = text.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The bytes a terminal sends for a named key (case does not matter).
fn named_key(name: &str) -> Option<Vec<u8>> {
    let lower = name.trim().to_ascii_lowercase();
    let bytes: &[u8] = match lower.as_str() {
        "enter" | "cr" | "return" => b"\r",
        "esc" | "escape" => b"\x1b",
        "tab" => b"\t",
        "bs" | "backspace" => b"\x7f",
        "space" => b" ",
        "up" => b"\x1b[A",
        "down" => b"\x1b[B",
        "right" => b"\x1b[C",
        "left" => b"\x1b[D",
        "home" => b"\x1b[H",
        "end" => b"\x1b[F",
        "del" | "delete" => b"\x1b[3~",
        "lt" => b"<",
        other => {
            let letter = other.strip_prefix("c-")?;
            let mut letters = letter.chars();
            let (Some(c), None) = (letters.next(), letters.next()) else {
                return None;
            };
            return match c {
                'a'..='z' => Some(vec![c as u8 - b'a' + 1]),
                '[' => Some(vec![0x1b]),
                '\\' => Some(vec![0x1c]),
                ']' => Some(vec![0x1d]),
                _ => None,
            };
        }
    };
    Some(bytes.to_vec())
}

/// Runs the steps against a command on a pty, then waits for it to end (bounded by `watch`).
pub(crate) fn relay(
    child: &mut Child,
    ends: PtyEnds,
    steps: &[KeyStep],
    output_limit: usize,
    watch: &mut Watch,
    lingering: bool,
) -> io::Result<Relayed> {
    let PtyEnds {
        master,
        slave,
        mut state,
        mut trace,
        control: _,
    } = ends;
    for fd in [Some(&master), state.as_ref(), trace.as_ref()]
        .into_iter()
        .flatten()
    {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )?;
    }
    let mut relayed = Relayed {
        output: Recorder::new(output_limit),
        trace: Recorder::new(TRACE_LIMIT),
        ..Relayed::default()
    };
    // The screen as text, to wait on; `seen` is where the last wait matched, so the same text can be waited for
    // twice in a row.
    let mut screen = String::new();
    let mut seen = 0;
    let mut steps = steps.iter();
    let mut step = steps.next();
    let mut step_started = Instant::now();
    let mut exited = false;
    let mut master_open = true;
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        // Act on the current step as far as possible.
        while let Some(current) = step {
            let done = match current {
                KeyStep::Type(bytes) => {
                    write_all(&master, bytes);
                    true
                }
                KeyStep::WaitFor(text) => match screen[seen..].find(text.as_str()) {
                    Some(at) => {
                        seen += at + text.len();
                        true
                    }
                    None if step_started.elapsed() > WAIT_LIMIT || exited => {
                        relayed.waited_for = Some(text.clone());
                        relayed.limit = Some(LimitHit::WaitedTooLong);
                        child.kill();
                        step = None;
                        break;
                    }
                    None => false,
                },
                KeyStep::Pause(duration) => step_started.elapsed() >= *duration,
            };
            if !done {
                break;
            }
            step = steps.next();
            step_started = Instant::now();
        }
        if exited {
            break;
        }
        let mut fds = vec![PollFd::new(child.pidfd.as_fd(), PollFlags::POLLIN)];
        if master_open {
            fds.push(PollFd::new(master.as_fd(), PollFlags::POLLIN));
        }
        for fd in [state.as_ref(), trace.as_ref()].into_iter().flatten() {
            fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
        }
        let timeout = watch.poll_timeout().min(Duration::from_millis(50));
        match nix::poll::poll(
            &mut fds,
            PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(error) => return Err(error.into()),
        }
        let child_ended = fds[0].any().unwrap_or(false);
        drop(fds);
        if master_open {
            master_open = read_screen(&master, &mut buffer, &mut relayed.output, &mut screen);
        }
        read_into(&mut state, &mut buffer, &mut relayed.state, STATE_LIMIT);
        read_into(
            &mut trace,
            &mut buffer,
            &mut relayed.trace.bytes,
            TRACE_LIMIT,
        );
        if child_ended {
            exited = true;
            continue;
        }
        if relayed.limit.is_none() {
            if let Some(limit) = watch.check() {
                relayed.limit = Some(limit);
                child.kill();
            }
        }
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
    if master_open {
        master_open = read_screen(&master, &mut buffer, &mut relayed.output, &mut screen);
    }
    drop(slave);
    if lingering {
        relayed.trace_leftover = trace;
    }
    if lingering && master_open && still_held(&master) {
        relayed.leftovers.push(master);
    }
    Ok(relayed)
}

/// Reads the command's output; false once nobody holds the pty's other end.
fn read_screen(
    master: &OwnedFd,
    buffer: &mut [u8],
    output: &mut Recorder,
    screen: &mut String,
) -> bool {
    for _ in 0..16 {
        match nix::unistd::read(master, buffer) {
            Ok(0) | Err(nix::errno::Errno::EIO) => return false,
            Ok(n) => {
                output.record(&buffer[..n]);
                screen.push_str(&String::from_utf8_lossy(&screen_text(&buffer[..n])));
                // The screen text only serves waits: keep it bounded.
                if screen.len() > 4 * 1024 * 1024 {
                    screen.drain(..2 * 1024 * 1024);
                }
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return true,
        }
    }
    true
}

/// Output without escape sequences, for finding text on the screen.
fn screen_text(output: &[u8]) -> Vec<u8> {
    crate::terminal::typed_text(output)
}

/// Reads what is available on a state or trace descriptor (bounded per call); true when something was read.
pub(crate) fn read_into(
    stream: &mut Option<OwnedFd>,
    buffer: &mut [u8],
    collected: &mut Vec<u8>,
    limit: usize,
) -> bool {
    let Some(fd) = stream.as_ref() else {
        return false;
    };
    let mut read_any = false;
    for _ in 0..16 {
        match nix::unistd::read(fd, buffer) {
            Ok(0) => {
                *stream = None;
                return read_any;
            }
            Ok(n) => {
                read_any = true;
                if collected.len() + n <= limit {
                    collected.extend_from_slice(&buffer[..n]);
                }
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => return read_any,
            Err(_) => {
                *stream = None;
                return read_any;
            }
        }
    }
    read_any
}

fn write_all(master: &OwnedFd, mut bytes: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !bytes.is_empty() && Instant::now() < deadline {
        match nix::unistd::write(master, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notation_becomes_steps() {
        let steps =
            parse_keys("<wait \"a > b\">ihello<Esc>:wq<Enter><C-d><lt><pause 5>").expect("valid");
        assert_eq!(
            steps,
            vec![
                KeyStep::WaitFor("a > b".into()),
                KeyStep::Type(b"ihello\x1b:wq\r\x04<".to_vec()),
                KeyStep::Pause(Duration::from_millis(5)),
            ]
        );
    }

    #[test]
    fn bad_notation_names_the_column() {
        let error = parse_keys("ab<Foo>").expect_err("unknown key");
        assert_eq!(error.column, 3);
        assert!(error.message.contains("unknown key <Foo>"));
        assert!(parse_keys("a<Esc").is_err());
        assert!(parse_keys("<wait notes>").is_err());
        assert!(parse_keys("<pause x>").is_err());
    }
}
