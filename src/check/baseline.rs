//! The state of the paths that `appended`, `unchanged` and `modified` name, taken when an exercise begins.
//!
//! Only those paths are recorded, each bounded by [`MAX_READ`](super::view::MAX_READ), so the snapshot costs the
//! same in a sandbox with ten files or ten thousand.

use super::assertion::{Check, PathRule};
use super::evaluate::with_paths_filled_in;
use super::text::Placeholders;
use super::view::{Entry, View};

/// What one path was when the exercise began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub entry: Entry,
    /// The file's first bytes, for files.
    pub content: Option<Vec<u8>>,
    /// The modification time (seconds and nanoseconds), when there is an entry.
    pub modified: Option<(i64, i64)>,
}

/// The recorded paths of one exercise.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    paths: Vec<(PathRule, Recorded)>,
}

impl Baseline {
    /// Records every path the checks compare against, with the attempt's placeholder values filled in.
    pub fn capture(view: &View, checks: &[Check], placeholders: &Placeholders) -> Baseline {
        let paths = checks
            .iter()
            .filter_map(|check| with_paths_filled_in(&check.assertion, placeholders).ok())
            .filter_map(|assertion| assertion.baseline_path().cloned())
            .map(|rule| {
                let recorded = record(view, &rule);
                (rule, recorded)
            })
            .collect();
        Baseline { paths }
    }

    pub fn get(&self, rule: &PathRule) -> Option<&Recorded> {
        self.paths
            .iter()
            .find(|(r, _)| r == rule)
            .map(|(_, recorded)| recorded)
    }
}

/// The current state of a path, in the same form as a baseline.
pub fn record(view: &View, rule: &PathRule) -> Recorded {
    let entry = view.entry(rule, true);
    let content = view.read(&entry).map(|(bytes, _)| bytes);
    let modified = match &entry {
        Entry::File { path, .. } | Entry::Dir { path, .. } | Entry::Special { path, .. } => {
            std::fs::symlink_metadata(path).ok().map(|m| {
                (
                    std::os::unix::fs::MetadataExt::mtime(&m),
                    std::os::unix::fs::MetadataExt::mtime_nsec(&m),
                )
            })
        }
        _ => None,
    };
    Recorded {
        entry,
        content,
        modified,
    }
}
