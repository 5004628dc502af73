//! Watching an exercise's environment from a thread of the tutor for as long as the exercise lasts, also between
//! lines while the learner reads or types: what the learner left running may not take the machine with it.
//!
//! Four times a second (and whenever the init reports a reaped process or a background process prints) it:
//! - reads the init's reports of processes that ended, for the tutor to tell the learner ("nginx ended");
//! - stops a runaway: when the processes of the environment hold more resident memory than `Limits::memory` in
//!   sum, it kills the biggest; when their number stays above three quarters of `Limits::processes` for a second
//!   (a fork bomb), it kills them all;
//! - drains what background processes print into the output of lines that have ended (their pipes or terminals),
//!   so that they never block or die of a broken pipe, and keeps the latest of it for the tutor to show.
//!
//! CPU time and file sizes are bounded by the kernel (rlimits); the init's reports say when they struck.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};

use crate::init::{Reaped, RECORD_SIZE};
use crate::processes;
use crate::LimitHit;

/// How often the environment is looked at.
const TICK: Duration = Duration::from_millis(250);
/// Most background output kept for the tutor to show (the latest bytes).
const BACKGROUND_OUTPUT_KEPT: usize = 64 * 1024;
/// Longest a fork bomb is swept.
const SWEEP_TIME: Duration = Duration::from_secs(5);
/// Most killed pids remembered while their ends are awaited (a bomb's sweep kills a few hundred).
const KILLED_REMEMBERED: usize = 4096;

/// Something that happened in the environment while nobody was looking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A process the learner left running ended (reaped by the environment's init).
    Ended {
        /// The pid as the learner saw it.
        pid: i32,
        name: String,
        /// Its exit code, or the signal that ended it (`signal` is then set).
        status: i32,
        signal: bool,
    },
    /// The tutor stopped processes because a limit of the exercise was crossed.
    Stopped { names: Vec<String>, limit: LimitHit },
    /// The environment ended by itself (the system stopped its init); a fresh one was made for the next line.
    EnvironmentLost,
}

impl Notice {
    /// A sentence for the learner.
    pub fn message(&self) -> String {
        match self {
            Notice::Ended {
                pid,
                name,
                status,
                signal: false,
            } => format!("Background process {name} (pid {pid}) ended with status {status}."),
            Notice::Ended {
                pid, name, status, ..
            } => {
                let why = match *status {
                    libc::SIGXCPU => "it used up its CPU time (an endless loop?)".to_owned(),
                    libc::SIGXFSZ => "a file it wrote grew past the size limit".to_owned(),
                    libc::SIGKILL => "it was killed (SIGKILL)".to_owned(),
                    signal => format!("it was ended by signal {signal}"),
                };
                format!("Background process {name} (pid {pid}) stopped: {why}.")
            }
            Notice::Stopped { names, limit } => {
                let mut names = names.clone();
                names.sort();
                names.dedup();
                let what = match limit {
                    LimitHit::Memory => "they used more memory than the sandbox allows",
                    LimitHit::Processes => "too many processes were running (a fork bomb?)",
                    _ => "a limit was crossed",
                };
                format!("The tutor stopped {}: {what}.", names.join(", "))
            }
            Notice::EnvironmentLost => {
                "The sandbox's processes ended unexpectedly (the system stopped them); a \
                 fresh environment was started. Your files are as they were."
                    .to_owned()
            }
        }
    }
}

/// Limits the monitor enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub memory: u64,
    pub processes: u64,
}

#[derive(Debug, Default)]
struct State {
    notices: Vec<Notice>,
    /// Outputs of ended lines that background processes still hold, on their way to the thread; `false` for
    /// descriptors whose data is only drained (the shell's trace), not shown.
    adopted: Vec<(OwnedFd, bool)>,
    output: Vec<u8>,
    /// A line runs in the foreground: scan even if the init has no children.
    line_running: bool,
    /// A limit the monitor enforced while a line ran (the line reports it).
    line_limit: Option<LimitHit>,
    /// A fork bomb is being swept: every process of the environment is killed until it stays empty.
    sweeping: bool,
    stop: bool,
}

/// The monitoring thread of one environment; stops when dropped.
#[derive(Debug)]
pub(crate) struct Monitor {
    state: Arc<Mutex<State>>,
    wake: OwnedFd,
    thread: Option<JoinHandle<()>>,
}

impl Monitor {
    pub(crate) fn start(
        init_pid: i32,
        namespace: u64,
        report: OwnedFd,
        bounds: Bounds,
    ) -> std::io::Result<Monitor> {
        let (wake_read, wake) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)?;
        let state = Arc::new(Mutex::new(State::default()));
        let watcher = Watcher {
            state: Arc::clone(&state),
            init_pid,
            namespace,
            report,
            wake: wake_read,
            bounds,
            crowded_since: None,
            background: Vec::new(),
            killed: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("sandbox-monitor".into())
            .spawn(move || watcher.run())?;
        Ok(Monitor {
            state,
            wake,
            thread: Some(thread),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn nudge(&self) {
        let _ = nix::unistd::write(&self.wake, b"!");
    }

    /// Hands over the outputs of a line that background processes still hold. `shown`: what they print is kept
    /// for the learner (output), or only drained so that the writers never block or die of a broken pipe (the
    /// trace of a background subshell).
    pub(crate) fn adopt(&self, fds: Vec<OwnedFd>, shown: bool) {
        if fds.is_empty() {
            return;
        }
        for fd in &fds {
            let _ = nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
            );
        }
        self.state()
            .adopted
            .extend(fds.into_iter().map(|fd| (fd, shown)));
        self.nudge();
    }

    /// Marks the start and end of a foreground line; at the end, returns a limit the monitor enforced meanwhile.
    pub(crate) fn line(&self, running: bool) -> Option<LimitHit> {
        let mut state = self.state();
        state.line_running = running;
        if running {
            state.line_limit = None;
            None
        } else {
            state.line_limit.take()
        }
    }

    /// Waits (at most a few seconds) until no fork bomb is being swept, so that a line started now is not
    /// swept with it.
    pub(crate) fn wait_for_sweep(&self) {
        let deadline = Instant::now() + SWEEP_TIME + Duration::from_secs(1);
        while self.state().sweeping && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What happened since the last call.
    pub(crate) fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut self.state().notices)
    }

    /// What background processes printed since the last call (at most the latest 64 KiB).
    pub(crate) fn take_output(&self) -> Vec<u8> {
        std::mem::take(&mut self.state().output)
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.state().stop = true;
        self.nudge();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's side.
struct Watcher {
    state: Arc<Mutex<State>>,
    init_pid: i32,
    namespace: u64,
    report: OwnedFd,
    wake: OwnedFd,
    bounds: Bounds,
    /// When the environment first held (almost) as many processes as allowed.
    crowded_since: Option<Instant>,
    /// Outputs of ended lines that background processes still hold (pipes, or pseudo-terminal masters), and
    /// whether what they carry is shown.
    background: Vec<(OwnedFd, bool)>,
    /// Inner pids the monitor killed whose end the init has not reported yet.
    killed: Vec<i32>,
}

impl Watcher {
    fn run(mut self) {
        let mut next_tick = Instant::now() + TICK;
        loop {
            let mut fds = vec![
                PollFd::new(self.wake.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.report.as_fd(), PollFlags::POLLIN),
            ];
            fds.extend(
                self.background
                    .iter()
                    .map(|(fd, _)| PollFd::new(fd.as_fd(), PollFlags::POLLIN)),
            );
            let timeout = next_tick.saturating_duration_since(Instant::now());
            let _ = nix::poll::poll(
                &mut fds,
                PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX),
            );
            let ready: Vec<bool> = fds
                .iter()
                .map(|fd| fd.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            if ready[0] {
                let mut buffer = [0u8; 64];
                while nix::unistd::read(&self.wake, &mut buffer).is_ok_and(|n| n > 0) {}
                let mut state = self.lock();
                if state.stop {
                    return;
                }
                let adopted = std::mem::take(&mut state.adopted);
                drop(state);
                self.background.extend(adopted);
            }
            if ready[1] {
                self.read_reports();
            }
            let ready_background: Vec<bool> = ready[2..].to_vec();
            if ready_background.iter().any(|&r| r) {
                self.drain_background(&ready_background);
            }
            if Instant::now() >= next_tick {
                next_tick = Instant::now() + TICK;
                self.enforce();
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read_reports(&mut self) {
        let mut buffer = [0u8; RECORD_SIZE * 32];
        loop {
            match nix::unistd::read(&self.report, &mut buffer) {
                Ok(n) if n > 0 => {
                    let notices: Vec<Notice> = buffer[..n]
                        .chunks_exact(RECORD_SIZE)
                        .filter_map(Reaped::parse)
                        .filter(|reaped| !self.announced(reaped))
                        .map(|reaped| Notice::Ended {
                            pid: reaped.pid,
                            signal: reaped.signal().is_some(),
                            status: reaped.signal().unwrap_or(reaped.status),
                            name: reaped.name,
                        })
                        .collect();
                    self.lock().notices.extend(notices);
                }
                _ => return,
            }
        }
    }

    /// A process the monitor killed for a limit it already announced.
    fn announced(&mut self, reaped: &Reaped) -> bool {
        if reaped.signal() != Some(libc::SIGKILL) {
            return false;
        }
        let Some(at) = self.killed.iter().position(|&pid| pid == reaped.pid) else {
            return false;
        };
        self.killed.swap_remove(at);
        true
    }

    fn drain_background(&mut self, ready: &[bool]) {
        let mut buffer = vec![0u8; 16 * 1024];
        let mut printed = Vec::new();
        let mut open = Vec::with_capacity(self.background.len());
        for ((fd, shown), &is_ready) in std::mem::take(&mut self.background).into_iter().zip(ready)
        {
            let mut closed = false;
            for _ in 0..16 {
                if !is_ready {
                    break;
                }
                match nix::unistd::read(&fd, &mut buffer) {
                    Ok(0) | Err(nix::errno::Errno::EIO) => {
                        closed = true;
                        break;
                    }
                    Ok(n) if shown => printed.extend_from_slice(&buffer[..n]),
                    Ok(_) => {}
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(nix::errno::Errno::EAGAIN) => break,
                    Err(_) => {
                        closed = true;
                        break;
                    }
                }
            }
            if !closed {
                open.push((fd, shown));
            }
        }
        self.background = open;
        if !printed.is_empty() {
            let mut state = self.lock();
            state.output.extend_from_slice(&printed);
            let excess = state.output.len().saturating_sub(BACKGROUND_OUTPUT_KEPT);
            state.output.drain(..excess);
        }
    }

    /// Stops runaways: too much memory in sum, or a fork bomb.
    fn enforce(&mut self) {
        let running = self.lock().line_running;
        if !running && !processes::has_children(self.init_pid) {
            self.crowded_since = None;
            return;
        }
        let found = processes::in_namespace(self.namespace);
        // A bomb plateaus somewhat below the limit (zombies, processes half-made, threads are not all listed) and
        // its count wobbles as forks fail and are retried: three quarters of the limit starts the clock, and only
        // falling below half stops it, so a second of that is taken as a bomb.
        let count = found.len() as u64;
        if count * 4 >= self.bounds.processes * 3 {
            self.crowded_since.get_or_insert_with(Instant::now);
        } else if count * 2 < self.bounds.processes {
            self.crowded_since = None;
        }
        // A moment at the limit can be a big `make -j`; a second of it is a fork bomb.
        if self
            .crowded_since
            .is_some_and(|since| since.elapsed() >= Duration::from_secs(1))
        {
            self.crowded_since = None;
            // Said before the first kill: the line whose shell dies in the sweep must find the reason when it ends.
            let names = found.iter().map(|p| p.name.clone()).collect();
            self.stopped(names, LimitHit::Processes);
            // A bomb forks while it is being killed (a fork under way completes): sweep until nothing has been left
            // for five scans in a row (100 ms), or five seconds have passed. On a loaded machine a shorter sweep
            // let a late fork survive.
            let deadline = Instant::now() + SWEEP_TIME;
            self.lock().sweeping = true;
            let mut remaining = found;
            let mut quiet_scans = 0;
            while quiet_scans < 5 && Instant::now() < deadline {
                for process in &remaining {
                    self.kill(process);
                }
                std::thread::sleep(Duration::from_millis(20));
                remaining = processes::in_namespace(self.namespace);
                quiet_scans = if remaining.is_empty() {
                    quiet_scans + 1
                } else {
                    0
                };
            }
            self.lock().sweeping = false;
            return;
        }
        let total: u64 = found.iter().map(|p| p.resident).sum();
        if total > self.bounds.memory {
            if let Some(biggest) = found.iter().max_by_key(|p| p.resident) {
                self.stopped(vec![biggest.name.clone()], LimitHit::Memory);
                self.kill(biggest);
            }
        }
    }

    /// Announces a stop: through the running line, which ends with it as its reason, and as a notice naming what
    /// was stopped, except for a fork bomb stopped while a line runs (everything was, the line too: its reason
    /// says it all).
    fn stopped(&self, names: Vec<String>, limit: LimitHit) {
        let mut state = self.lock();
        let running = state.line_running;
        if running {
            state.line_limit.get_or_insert(limit);
        }
        if !(running && limit == LimitHit::Processes) {
            state.notices.push(Notice::Stopped { names, limit });
        }
    }

    /// Kills a process through a pidfd, so that a recycled pid is never hit, and remembers it: its end was
    /// announced with the reason, and is not news again as "killed (SIGKILL)".
    fn kill(&mut self, process: &crate::ProcessInfo) {
        if let Ok(pidfd) = crate::spawn::open_pidfd_quiet(process.host_pid) {
            crate::spawn::send_signal(pidfd.as_fd(), libc::SIGKILL);
            if self.killed.len() >= KILLED_REMEMBERED {
                self.killed.remove(0);
            }
            if !self.killed.contains(&process.pid) {
                self.killed.push(process.pid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_read_as_sentences() {
        let ended = Notice::Ended {
            pid: 7,
            name: "yes".into(),
            status: libc::SIGXCPU,
            signal: true,
        };
        assert!(ended.message().contains("CPU time"));
        let stopped = Notice::Stopped {
            names: vec!["bash".into(), "bash".into()],
            limit: LimitHit::Processes,
        };
        assert_eq!(
            stopped.message(),
            "The tutor stopped bash: too many processes were running (a fork bomb?)."
        );
    }
}
