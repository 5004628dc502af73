//! The learner's processes and listening ports in an exercise's environment, read from the host's `/proc`.
//!
//! A process belongs to the environment when its PID namespace is the init's. Reading `/proc` from outside costs
//! one `readlink` per host process, so callers scan only when they need to: after a line (`:status`, checks) and
//! while something runs (the monitor).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// One process running in the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    /// The pid on the host (for signalling from the tutor).
    pub host_pid: i32,
    /// The pid as the learner sees it (`ps` inside).
    pub pid: i32,
    /// The process name (`comm`), e.g. `nginx`.
    pub name: String,
    /// The command line, arguments separated by spaces (empty for kernel-like processes).
    pub command_line: String,
    /// Resident memory in bytes.
    pub resident: u64,
    /// Stopped (Ctrl-Z, or SIGSTOP), not running.
    pub stopped: bool,
}

/// The inode of a process's PID namespace, which identifies the namespace.
pub(crate) fn pid_namespace(host_pid: i32) -> Option<u64> {
    fs::metadata(format!("/proc/{host_pid}/ns/pid"))
        .ok()
        .map(|m| m.ino())
}

/// The session of a process (host pid of its leader), from `/proc/<pid>/stat`.
fn session_of(host_pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{host_pid}/stat")).ok()?;
    // `pid (comm) state ppid pgrp session ...`; comm may hold spaces and parentheses, so read after the last ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(3)?.parse().ok()
}

/// Kills every process of the session led by `leader` (host pid): a line's shell and everything it started that
/// did not start a session of its own (a daemon does). Repeated a few times, since a process may fork while its
/// session is being killed.
pub(crate) fn kill_session(leader: i32) {
    for _ in 0..3 {
        let Ok(entries) = fs::read_dir("/proc") else {
            return;
        };
        let members: Vec<i32> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| session_of(pid) == Some(leader))
            .collect();
        if members.is_empty() {
            return;
        }
        for pid in members {
            if let Ok(pidfd) = crate::spawn::open_pidfd_quiet(pid) {
                // Checked again through the pidfd's process: the pid may have been reused meanwhile.
                if session_of(pid) == Some(leader) {
                    crate::spawn::send_signal(std::os::fd::AsFd::as_fd(&pidfd), libc::SIGKILL);
                }
            }
        }
    }
}

/// Every process of the namespace `namespace`, except its init (pid 1 inside).
pub(crate) fn in_namespace(namespace: u64) -> Vec<ProcessInfo> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(host_pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        // Another user's process, or one that just ended: not ours.
        if pid_namespace(host_pid) != Some(namespace) {
            continue;
        }
        if let Some(info) = describe(host_pid) {
            if info.pid != 1 {
                found.push(info);
            }
        }
    }
    found.sort_by_key(|p| p.pid);
    found
}

/// Reads one process's name, inner pid, command line and resident memory.
fn describe(host_pid: i32) -> Option<ProcessInfo> {
    let dir = Path::new("/proc").join(host_pid.to_string());
    let status = fs::read_to_string(dir.join("status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
    };
    let name = field("Name:").unwrap_or_default().to_owned();
    // NSpid lists the pid in every namespace from the host's inwards; the last is the learner's view.
    let pid = field("NSpid:")
        .and_then(|pids| pids.split_whitespace().last())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or(host_pid);
    let resident = field("VmRSS:")
        .and_then(|kb| kb.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024;
    let stopped = field("State:").is_some_and(|state| state.starts_with('T'));
    let command_line = fs::read(dir.join("cmdline"))
        .map(|bytes| {
            bytes
                .split(|&b| b == 0)
                .filter(|part| !part.is_empty())
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    Some(ProcessInfo {
        host_pid,
        pid,
        name,
        command_line,
        resident,
        stopped,
    })
}

/// Whether the init (`host_pid`) has children: something the learner started still runs.
pub(crate) fn has_children(host_pid: i32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{host_pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        fs::read_to_string(task.path().join("children")).is_ok_and(|c| !c.trim().is_empty())
    })
}

/// TCP ports something listens on in the network namespace of `host_pid`.
pub(crate) fn listening_ports(host_pid: i32) -> Vec<u16> {
    let mut ports: Vec<u16> = ["tcp", "tcp6"]
        .iter()
        .filter_map(|table| fs::read_to_string(format!("/proc/{host_pid}/net/{table}")).ok())
        .flat_map(|text| parse_listening(&text))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The local ports of the sockets in state LISTEN (`0A`) of a `/proc/net/tcp` table.
fn parse_listening(table: &str) -> Vec<u16> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let state = fields.get(3)?;
            if *state != "0A" {
                return None;
            }
            let port = local.rsplit(':').next()?;
            u16::from_str_radix(port, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_sockets_are_read_from_the_table() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
            0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n\
            1: 0100007F:01BB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2\n";
        assert_eq!(parse_listening(table), vec![80]);
    }

    #[test]
    fn this_process_is_described() {
        let me = std::process::id() as i32;
        let info = describe(me).expect("our own process");
        assert_eq!(info.host_pid, me);
        assert!(info.resident > 0);
        assert!(pid_namespace(me).is_some());
    }
}
