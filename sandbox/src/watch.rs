//! Watching a running line from the outside: its wall-time deadline, the disk space it eats, and the output it
//! prints (recorded up to a bound). Shared by the headless and the terminal relays.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::LimitHit;

/// How often the disk is looked at (one `statvfs`, cheap).
const DISK_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// Deadline and disk watch for one run.
#[derive(Debug)]
pub(crate) struct Watch {
    deadline: Option<Instant>,
    disk_path: PathBuf,
    disk_budget: u64,
    free_at_start: Option<u64>,
    next_disk_check: Instant,
}

impl Watch {
    pub(crate) fn new(wall_time: Option<Duration>, disk_path: &Path, disk_budget: u64) -> Watch {
        let now = Instant::now();
        Watch {
            deadline: wall_time.map(|wall| now + wall),
            disk_path: disk_path.to_path_buf(),
            disk_budget,
            free_at_start: free_bytes(disk_path),
            next_disk_check: now + DISK_CHECK_INTERVAL,
        }
    }

    /// How long the relay may sleep in `poll` before the next check is due.
    pub(crate) fn poll_timeout(&self) -> Duration {
        let now = Instant::now();
        let mut due = self.next_disk_check;
        if let Some(deadline) = self.deadline {
            due = due.min(deadline);
        }
        due.saturating_duration_since(now)
            .max(Duration::from_millis(1))
    }

    /// A limit the line has crossed by now, if any.
    pub(crate) fn check(&mut self) -> Option<LimitHit> {
        let now = Instant::now();
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            return Some(LimitHit::WallTime);
        }
        if now >= self.next_disk_check {
            self.next_disk_check = now + DISK_CHECK_INTERVAL;
            // Free space is cheap to watch but shared with every other writer on the machine: when it has dropped
            // by more than the budget, measure the sandbox itself before blaming it.
            if let (Some(start), Some(free)) = (self.free_at_start, free_bytes(&self.disk_path)) {
                if start.saturating_sub(free) > self.disk_budget
                    && usage(&self.disk_path) > self.disk_budget
                {
                    return Some(LimitHit::Disk);
                }
            }
        }
        None
    }
}

/// Bytes allocated by the files under `root` (symlinks not followed), counting at most a bounded number of entries
/// so that a tree of millions of files cannot stall the relay.
fn usage(root: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .take(200_000)
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .fold(0u64, |total, metadata| {
            total.saturating_add(metadata.blocks().saturating_mul(512))
        })
}

fn free_bytes(path: &Path) -> Option<u64> {
    let stats = nix::sys::statvfs::statvfs(path).ok()?;
    Some(stats.blocks_available() as u64 * stats.fragment_size() as u64)
}

/// Output recorded up to a bound.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub bytes: Vec<u8>,
    pub truncated: bool,
    limit: usize,
}

impl Recorder {
    pub(crate) fn new(limit: usize) -> Recorder {
        Recorder {
            bytes: Vec::new(),
            truncated: false,
            limit,
        }
    }

    /// Records what fits; returns false when the bound was crossed.
    pub(crate) fn record(&mut self, chunk: &[u8]) -> bool {
        let room = self.limit.saturating_sub(self.bytes.len());
        if chunk.len() > room {
            self.bytes.extend_from_slice(&chunk[..room]);
            self.truncated = true;
            return false;
        }
        self.bytes.extend_from_slice(chunk);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_keeps_at_most_its_limit() {
        let mut recorder = Recorder::new(4);
        assert!(recorder.record(b"ab"));
        assert!(!recorder.record(b"cde"));
        assert_eq!(recorder.bytes, b"abcd");
        assert!(recorder.truncated);
    }

    #[test]
    fn deadline_passes() {
        let mut watch = Watch::new(Some(Duration::ZERO), Path::new("/"), u64::MAX);
        assert_eq!(watch.check(), Some(LimitHit::WallTime));
        let mut unlimited = Watch::new(None, Path::new("/"), u64::MAX);
        assert_eq!(unlimited.check(), None);
    }
}
