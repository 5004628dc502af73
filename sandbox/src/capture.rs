//! The headless relay: the line's stdin is `/dev/null`, its stdout and stderr are pipes that the tutor records
//! (bounded) and, for `shelltutor sandbox -c`, passes through live. It stops the line when a limit is crossed:
//! wall time, disk, or output beyond the recorded bound (so `yes` ends at once instead of running for 30 s).

use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};

use crate::spawn::Child;
use crate::watch::{Recorder, Watch};
use crate::LimitHit;

/// What a relay brings back.
#[derive(Debug)]
pub(crate) struct Relayed {
    pub output: Recorder,
    pub limit: Option<LimitHit>,
    /// What the shell wrote on its state descriptor at exit.
    pub state: Vec<u8>,
}

/// Most state a shell may hand back; more is dropped (and the previous state kept).
pub(crate) const STATE_LIMIT: usize = 4 * 1024 * 1024;
/// After the child ended, how long to keep draining output held by stragglers (none, with a PID namespace).
const DRAIN_GRACE: Duration = Duration::from_millis(300);

/// Pipes of a headless run, parent ends.
#[derive(Debug)]
pub(crate) struct Pipes {
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub state: Option<OwnedFd>,
}

/// Relays until the child has ended and its output is drained, or a limit stops it.
pub(crate) fn relay(
    child: &mut Child,
    pipes: Pipes,
    echo: bool,
    output_limit: usize,
    watch: &mut Watch,
) -> io::Result<Relayed> {
    let mut streams: Vec<Option<OwnedFd>> =
        vec![Some(pipes.stdout), Some(pipes.stderr), pipes.state];
    for stream in streams.iter().flatten() {
        nix::fcntl::fcntl(
            stream,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )?;
    }
    let mut relayed = Relayed {
        output: Recorder::new(output_limit),
        limit: None,
        state: Vec::new(),
    };
    let mut exited_at: Option<Instant> = None;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let open: Vec<usize> = (0..streams.len())
            .filter(|&i| streams[i].is_some())
            .collect();
        if open.is_empty() && exited_at.is_some() {
            break;
        }
        if exited_at.is_some_and(|at| at.elapsed() > DRAIN_GRACE) {
            break;
        }
        let mut poll_fds: Vec<PollFd> = open
            .iter()
            .filter_map(|&i| streams[i].as_ref())
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
            let within_bound =
                !ready[slot] || drain(&mut streams[index], index, &mut buffer, &mut relayed, echo)?;
            // Output shown live (`-c`) keeps flowing like in a terminal; only recording stops. Captured output that
            // nobody sees is a flood: stop it. Abuse of the state descriptor is stopped either way.
            if !within_bound && relayed.limit.is_none() && (!echo || index == 2) {
                relayed.limit = Some(LimitHit::Output);
                child.kill();
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
    Ok(relayed)
}

/// Reads what is available on one stream. Returns false when the output bound was crossed.
fn drain(
    stream: &mut Option<OwnedFd>,
    index: usize,
    buffer: &mut [u8],
    relayed: &mut Relayed,
    echo: bool,
) -> io::Result<bool> {
    let Some(fd) = stream.as_ref() else {
        return Ok(true);
    };
    let mut within_bound = true;
    // A bounded number of reads per wake-up, so a fast writer cannot keep the relay from checking its limits.
    for _ in 0..16 {
        if !within_bound {
            break;
        }
        match nix::unistd::read(fd, buffer) {
            Ok(0) => {
                *stream = None;
                break;
            }
            Ok(n) => {
                let chunk = &buffer[..n];
                if index == 2 {
                    // Only the shell's exit trap writes here; a flood means the line is abusing the descriptor.
                    within_bound = relayed.state.len() + n <= STATE_LIMIT;
                    if within_bound {
                        relayed.state.extend_from_slice(chunk);
                    }
                    continue;
                }
                if echo {
                    // A closed tutor stdout must not stop the line; the output is still recorded.
                    let _ = if index == 0 {
                        io::stdout().write_all(chunk)
                    } else {
                        io::stderr().write_all(chunk)
                    };
                }
                within_bound &= relayed.output.record(chunk);
            }
            Err(nix::errno::Errno::EAGAIN) => break,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    if echo {
        let _ = io::stdout().flush();
    }
    Ok(within_bound)
}
