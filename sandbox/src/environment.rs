//! One exercise's confined environment: the init that holds its namespaces, and the monitor that watches it.
//!
//! Made when the exercise's first line runs, ended when the sandbox is reset or dropped. Ending it kills the init,
//! and with it (the kernel sees to that) every process of its PID namespace: nothing a learner started survives
//! the exercise, however it was started.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::monitor::{Bounds, Monitor, Notice};
use crate::processes::{self, ProcessInfo};
use crate::spawn::Child;

/// A running environment.
#[derive(Debug)]
pub(crate) struct Environment {
    // Declared first so that it stops before the init is killed.
    monitor: Monitor,
    init: Child,
    namespace: u64,
}

impl Environment {
    /// Wraps a started init: finds its PID namespace and starts watching it.
    pub(crate) fn new(
        init: Child,
        report: OwnedFd,
        bounds: Bounds,
    ) -> std::io::Result<Environment> {
        let namespace = processes::pid_namespace(init.pid)
            .ok_or_else(|| std::io::Error::other("the environment's init ended at once"))?;
        let monitor = Monitor::start(init.pid, namespace, report, bounds)?;
        Ok(Environment {
            monitor,
            init,
            namespace,
        })
    }

    /// The init's pidfd, to join its namespaces.
    pub(crate) fn pidfd(&self) -> RawFd {
        self.init.pidfd.as_raw_fd()
    }

    /// Whether the init still runs (something outside may have killed it, e.g. the kernel's OOM killer).
    pub(crate) fn is_alive(&self) -> bool {
        !self.init.has_ended()
    }

    /// The learner's processes (everything but the init).
    pub(crate) fn processes(&self) -> Vec<ProcessInfo> {
        // Cheap first: when the init has no children, nothing the learner started is left (between lines).
        if !processes::has_children(self.init.pid) {
            return Vec::new();
        }
        processes::in_namespace(self.namespace)
    }

    /// TCP ports something listens on in the environment's network.
    pub(crate) fn listening_ports(&self) -> Vec<u16> {
        processes::listening_ports(self.init.pid)
    }

    pub(crate) fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// Notices and background output gathered so far.
    pub(crate) fn take_notices(&self) -> Vec<Notice> {
        self.monitor.take_notices()
    }
}
