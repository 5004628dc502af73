//! The headless relay: the line's stdin is `/dev/null`, its stdout and stderr are pipes that the tutor records
//! (bounded) and, for `shelltutor sandbox -c` or a piped tutor, passes through live. It stops the line when a
//! limit is crossed: wall time, disk, output nobody watches beyond the recorded bound (so `yes` ends at once
//! instead of running for 30 s), or output passed to something that is not a terminal beyond its bound (so
//! `shelltutor sandbox -c yes > file` cannot fill the disk).
//!
//! Besides the output it collects what the shell hands back on its own descriptors: the state for the next line
//! and the trace of the commands it ran. In an exercise, background processes may still hold the output pipes
//! when the line ends; what they print later is the monitor's business, so their pipes are handed back as
//! leftovers instead of being waited for.

use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};

use crate::spawn::Child;
use crate::watch::{Recorder, Watch};
use crate::LimitHit;

/// What a relay brings back.
#[derive(Debug, Default)]
pub(crate) struct Relayed {
    pub output: Recorder,
    pub limit: Option<LimitHit>,
    /// What the shell wrote on its state descriptor at exit.
    pub state: Vec<u8>,
    /// What the shell traced (`set -x`) on its trace descriptor: the commands as they ran.
    pub trace: Recorder,
    /// Output descriptors that background processes still hold after the line ended.
    pub leftovers: Vec<OwnedFd>,
    /// The trace descriptor, which background subshells still write to (it must stay open and drained).
    pub trace_leftover: Option<OwnedFd>,
    /// Input the learner typed that the command did not read (type-ahead, a paste): the next lines.
    pub unread_input: Vec<u8>,
    /// The text a keystroke script waited for in vain.
    pub waited_for: Option<String>,
}

/// Most state a shell may hand back; more is dropped (and the previous state kept).
pub(crate) const STATE_LIMIT: usize = 4 * 1024 * 1024;
/// Most trace kept per line; a longer trace (a loop of a million iterations) is cut, the line goes on.
pub(crate) const TRACE_LIMIT: usize = 512 * 1024;
/// Without an environment (one-shot, Landlock only), how long to keep draining output held by stragglers after
/// the shell ended (with a PID namespace, none: the kernel ends them with the shell).
const DRAIN_GRACE: Duration = Duration::from_millis(300);

/// The parent ends of a headless run's pipes.
#[derive(Debug)]
pub(crate) struct Pipes {
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub state: Option<OwnedFd>,
    pub trace: Option<OwnedFd>,
}

/// How output is passed through while it is recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Echo {
    /// Pass stdout and stderr through to the tutor's own.
    pub live: bool,
    /// Stop the line once this many bytes were passed through (when they do not go to a terminal).
    pub bound: Option<usize>,
}

/// Which stream a descriptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
    State,
    Trace,
}

/// Relays until the child has ended and its output is drained, or a limit stops it. `lingering`: background
/// processes may outlive the child (an exercise's environment), so do not wait for their pipes to close.
pub(crate) fn relay(
    child: &mut Child,
    pipes: Pipes,
    echo: Echo,
    output_limit: usize,
    watch: &mut Watch,
    lingering: bool,
) -> io::Result<Relayed> {
    let mut streams: Vec<(Stream, Option<OwnedFd>)> = vec![
        (Stream::Stdout, Some(pipes.stdout)),
        (Stream::Stderr, Some(pipes.stderr)),
        (Stream::State, pipes.state),
        (Stream::Trace, pipes.trace),
    ];
    streams.retain(|(_, fd)| fd.is_some());
    for (_, stream) in &streams {
        if let Some(fd) = stream {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
            )?;
        }
    }
    let mut relayed = Relayed {
        output: Recorder::new(output_limit),
        trace: Recorder::new(TRACE_LIMIT),
        ..Relayed::default()
    };
    let mut passed = 0usize;
    let mut exited_at: Option<Instant> = None;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let open: Vec<usize> = (0..streams.len())
            .filter(|&i| streams[i].1.is_some())
            .collect();
        if exited_at.is_some() && (open.is_empty() || lingering) {
            // The shell has ended: take what is already there; what stragglers print later is not this line's.
            for &index in &open {
                drain(
                    &mut streams[index],
                    &mut buffer,
                    &mut relayed,
                    echo,
                    &mut passed,
                )?;
            }
            break;
        }
        if exited_at.is_some_and(|at| at.elapsed() > DRAIN_GRACE) {
            break;
        }
        let mut poll_fds: Vec<PollFd> = open
            .iter()
            .filter_map(|&i| streams[i].1.as_ref())
            .map(|fd| PollFd::new(fd.as_fd(), PollFlags::POLLIN))
            .collect();
        if exited_at.is_none() {
            poll_fds.push(PollFd::new(child.pidfd.as_fd(), PollFlags::POLLIN));
        }
        let timeout = if exited_at.is_some() {
            DRAIN_GRACE
        } else {
            watch.poll_timeout()
        };
        let timeout = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
        match nix::poll::poll(&mut poll_fds, timeout) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(error) => return Err(error.into()),
        }
        let ready: Vec<bool> = poll_fds
            .iter()
            .map(|fd| fd.any().unwrap_or(false))
            .collect();
        drop(poll_fds);
        for (slot, &index) in open.iter().enumerate() {
            if !ready[slot] {
                continue;
            }
            let crossed = drain(
                &mut streams[index],
                &mut buffer,
                &mut relayed,
                echo,
                &mut passed,
            )?;
            if let Some(limit) = crossed {
                if relayed.limit.is_none() {
                    relayed.limit = Some(limit);
                    child.kill();
                }
            }
        }
        if exited_at.is_none() && ready.get(open.len()).copied().unwrap_or(false) {
            exited_at = Some(Instant::now());
        }
        if exited_at.is_none() && relayed.limit.is_none() {
            if let Some(limit) = watch.check() {
                relayed.limit = Some(limit);
                child.kill();
            }
        }
    }
    // Background processes keep the learner's output going: hand the pipes over rather than close them under them.
    for (kind, fd) in streams {
        match (kind, fd) {
            (Stream::Stdout | Stream::Stderr, Some(fd)) => relayed.leftovers.push(fd),
            (Stream::Trace, Some(fd)) if lingering => relayed.trace_leftover = Some(fd),
            _ => {}
        }
    }
    Ok(relayed)
}

/// Reads what is available on one stream. Returns the limit crossed, if one was.
fn drain(
    (kind, stream): &mut (Stream, Option<OwnedFd>),
    buffer: &mut [u8],
    relayed: &mut Relayed,
    echo: Echo,
    passed: &mut usize,
) -> io::Result<Option<LimitHit>> {
    let Some(fd) = stream.as_ref() else {
        return Ok(None);
    };
    let mut crossed = None;
    // A bounded number of reads per wake-up, so a fast writer cannot keep the relay from checking its limits.
    for _ in 0..16 {
        if crossed.is_some() {
            break;
        }
        match nix::unistd::read(fd, buffer) {
            Ok(0) => {
                *stream = None;
                break;
            }
            Ok(n) => {
                let chunk = &buffer[..n];
                match kind {
                    Stream::State => {
                        // Only the shell's exit trap writes here; a flood means the line is abusing the descriptor.
                        if relayed.state.len() + n > STATE_LIMIT {
                            crossed = Some(LimitHit::Output);
                        } else {
                            relayed.state.extend_from_slice(chunk);
                        }
                    }
                    Stream::Trace => {
                        relayed.trace.record(chunk);
                    }
                    Stream::Stdout | Stream::Stderr => {
                        if echo.live {
                            // A closed tutor stdout must not stop the line; the output is still recorded.
                            let _ = if *kind == Stream::Stdout {
                                io::stdout().write_all(chunk)
                            } else {
                                io::stderr().write_all(chunk)
                            };
                            *passed += n;
                            if echo.bound.is_some_and(|bound| *passed > bound) {
                                crossed = Some(LimitHit::Output);
                            }
                        }
                        // Output shown live keeps flowing like in a terminal; only recording stops. Captured output
                        // that nobody sees is a flood: stop it.
                        if !relayed.output.record(chunk) && !echo.live {
                            crossed = Some(LimitHit::Output);
                        }
                    }
                }
            }
            Err(nix::errno::Errno::EAGAIN) => break,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    if echo.live {
        let _ = io::stdout().flush();
    }
    Ok(crossed)
}
