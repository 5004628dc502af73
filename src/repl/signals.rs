//! Leaving cleanly when the tutor is told to stop: SIGTERM, SIGHUP (a closed terminal) or SIGINT outside a
//! command.
//!
//! Without this, a signal kills the tutor wherever it is: in the middle of a command the learner's terminal is raw
//! (no echo, no line editing), maybe still on vi's alternate screen, and stays that way in their shell. A thread
//! waits for these signals instead (they are blocked everywhere else), puts the terminal back as it was when the
//! tutor started, says that progress is safe (it is saved after every command), and exits with the signal's
//! status. Everything running in sandboxes ends with the tutor (their init dies with it).

use std::io::Write;
use std::os::fd::AsFd;

use nix::sys::signal::{SigSet, Signal};
use nix::sys::termios::{self, SetArg};

/// Blocks the signals in this thread (and the threads it starts later) and starts the thread that handles them.
/// Call it before any other thread starts.
pub fn install() {
    let mut signals = SigSet::empty();
    for signal in [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGINT] {
        signals.add(signal);
    }
    if signals.thread_block().is_err() {
        return;
    }
    // The real terminal, kept apart: standard input may later be the tutor's own pseudo-terminal (keyboard.rs).
    let stdin = std::io::stdin();
    let terminal = stdin.as_fd().try_clone_to_owned().ok();
    let saved = terminal
        .as_ref()
        .and_then(|fd| termios::tcgetattr(fd.as_fd()).ok());
    let started = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(signal) = signals.wait() else {
                return;
            };
            leave(signal, terminal.as_ref().zip(saved.as_ref()));
        });
    if started.is_err() {
        let _ = signals.thread_unblock();
    }
}

/// Restores the terminal, says why the tutor stops, and exits with 128 + the signal.
fn leave(signal: Signal, terminal: Option<(&std::os::fd::OwnedFd, &termios::Termios)>) -> ! {
    if let Some((terminal, saved)) = terminal {
        let _ = termios::tcsetattr(terminal.as_fd(), SetArg::TCSANOW, saved);
    }
    let mut out = std::io::stdout();
    if std::io::IsTerminal::is_terminal(&out) {
        // Leave an alternate screen (vi, less), show the cursor, plain colours, no mouse reporting.
        let _ = out.write_all(b"\x1b[?1049l\x1b[?25h\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1006l\r\n");
        let _ = out.flush();
    }
    let name = match signal {
        Signal::SIGHUP => "the terminal closed (SIGHUP)",
        Signal::SIGINT => "interrupted (SIGINT)",
        _ => "asked to stop (SIGTERM)",
    };
    // Not `eprintln!`: it panics when the terminal is gone (a hang-up), and this thread would die without exiting.
    let _ = writeln!(
        std::io::stderr(),
        "shelltutor: {name}; your progress was saved. Run shelltutor to go on."
    );
    std::process::exit(128 + signal as i32)
}
