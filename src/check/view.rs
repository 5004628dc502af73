//! A careful, read-only look at files inside the sandbox, for checks.
//!
//! The learner controls everything in the sandbox, so reading it is reading hostile input: a symlink may point at
//! `/etc/shadow`, a FIFO would block a plain `open`, a device never ends, a file may be gigabytes. This module
//! resolves a check's path one component at a time without ever following a link out of the sandbox, opens files
//! with `O_NOFOLLOW | O_NONBLOCK`, refuses anything but regular files, and reads at most [`MAX_READ`] bytes.
//! Commands do not run while checks do, so the state cannot change between resolving and opening.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use super::assertion::PathRule;

/// How much of a file a check reads. Lesson files are small; a bigger one is compared by its first MiB.
pub const MAX_READ: u64 = 1024 * 1024;

/// Symlink hops allowed while resolving one path (Linux allows 40 too).
const MAX_LINKS: usize = 40;

/// What a path names, without following a final symlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File {
        path: PathBuf,
        size: u64,
        mode: u32,
    },
    Dir {
        path: PathBuf,
        mode: u32,
    },
    Symlink {
        path: PathBuf,
        target: PathBuf,
    },
    /// A FIFO, socket or device: never opened.
    Special {
        path: PathBuf,
        mode: u32,
    },
    /// The path leads out of the sandbox through a symlink, which checks never follow.
    Outside,
}

impl Entry {
    pub fn describe(&self) -> &'static str {
        match self {
            Entry::Missing => "missing",
            Entry::File { .. } => "a file",
            Entry::Dir { .. } => "a folder",
            Entry::Symlink { .. } => "a symbolic link",
            Entry::Special { .. } => "a special file (a pipe, socket or device)",
            Entry::Outside => "a link leading out of the sandbox",
        }
    }

    pub fn mode(&self) -> Option<u32> {
        match self {
            Entry::File { mode, .. } | Entry::Dir { mode, .. } | Entry::Special { mode, .. } => {
                Some(*mode)
            }
            _ => None,
        }
    }
}

/// The sandbox as checks see it: the learner's home, inside a boundary nothing may be read beyond.
#[derive(Debug, Clone)]
pub struct View {
    pub home: PathBuf,
    pub boundary: PathBuf,
}

impl View {
    /// The entry at `rule`, following symlinks in the middle of the path (and at its end if `follow_last`) only
    /// while they stay inside the boundary.
    pub fn entry(&self, rule: &PathRule, follow_last: bool) -> Entry {
        let mut pending: Vec<String> = rule.components.iter().rev().cloned().collect();
        let mut current = self.home.clone();
        let mut hops = 0;
        while let Some(name) = pending.pop() {
            let candidate = current.join(&name);
            let Ok(meta) = fs::symlink_metadata(&candidate) else {
                return Entry::Missing;
            };
            let is_last = pending.is_empty();
            if meta.file_type().is_symlink() && (!is_last || follow_last) {
                hops += 1;
                let Ok(target) = fs::read_link(&candidate) else {
                    return Entry::Missing;
                };
                let Some(absolute) = self.inside(&current, &target) else {
                    return Entry::Outside;
                };
                if hops > MAX_LINKS {
                    return Entry::Missing;
                }
                // Continue from the boundary with the target's components, then what was left of the path.
                let relative = absolute.strip_prefix(&self.boundary).unwrap_or(&absolute);
                pending.extend(
                    relative
                        .components()
                        .rev()
                        .filter_map(|c| c.as_os_str().to_str().map(String::from)),
                );
                current = self.boundary.clone();
                continue;
            }
            if !is_last && !meta.is_dir() {
                return Entry::Missing;
            }
            current = candidate;
            if is_last {
                return classify(current, &meta);
            }
        }
        match fs::symlink_metadata(&current) {
            Ok(meta) => classify(current, &meta),
            Err(_) => Entry::Missing,
        }
    }

    /// `target` (as read from a link in `dir`) as a normalised absolute path, if it stays inside the boundary.
    fn inside(&self, dir: &Path, target: &Path) -> Option<PathBuf> {
        let joined = if target.is_absolute() {
            target.to_path_buf()
        } else {
            dir.join(target)
        };
        let normal = normalise(&joined);
        normal.starts_with(&self.boundary).then_some(normal)
    }

    /// Up to [`MAX_READ`] bytes of a regular file, and whether it was longer.
    pub fn read(&self, entry: &Entry) -> Option<(Vec<u8>, bool)> {
        let Entry::File { path, .. } = entry else {
            return None;
        };
        read_bounded(path)
    }
}

/// `path` with `.` and `..` resolved by the text alone, never touching the file system (so no link is followed).
pub fn normalise(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

fn classify(path: PathBuf, meta: &fs::Metadata) -> Entry {
    let mode = meta.mode() & 0o7777;
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = fs::read_link(&path).unwrap_or_default();
        Entry::Symlink { path, target }
    } else if kind.is_dir() {
        Entry::Dir { path, mode }
    } else if kind.is_file() {
        Entry::File {
            size: meta.len(),
            path,
            mode,
        }
    } else {
        Entry::Special { path, mode }
    }
}

/// Opens without following a final link and without blocking on a FIFO, then reads a bounded prefix.
fn read_bounded(path: &Path) -> Option<(Vec<u8>, bool)> {
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    // The path was a regular file when resolved; make sure the opened object is one too.
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_READ + 1).read_to_end(&mut bytes).ok()?;
    let truncated = bytes.len() as u64 > MAX_READ;
    bytes.truncate(MAX_READ as usize);
    Some((bytes, truncated))
}

/// Counts the entries of a folder, stopping early: checks only need to know whether it is empty.
pub fn is_empty_dir(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::check::parse::path_rule;

    fn rule(text: &str) -> PathRule {
        path_rule(text).expect("a path inside")
    }

    fn sandbox() -> (tempfile::TempDir, View) {
        let dir = tempfile::tempdir().expect("temp dir");
        let boundary = dir.path().join("box");
        let home = boundary.join("home");
        fs::create_dir_all(&home).expect("home");
        (dir, View { home, boundary })
    }

    #[test]
    fn classifies_files_folders_and_links() {
        let (_dir, view) = sandbox();
        fs::write(view.home.join("f"), "hello").expect("write");
        fs::create_dir(view.home.join("d")).expect("mkdir");
        symlink("f", view.home.join("l")).expect("symlink");
        assert!(matches!(
            view.entry(&rule("f"), false),
            Entry::File { size: 5, .. }
        ));
        assert!(matches!(view.entry(&rule("d"), false), Entry::Dir { .. }));
        assert!(matches!(
            view.entry(&rule("l"), false),
            Entry::Symlink { .. }
        ));
        assert!(matches!(view.entry(&rule("l"), true), Entry::File { .. }));
        assert_eq!(view.entry(&rule("nope/x"), false), Entry::Missing);
        assert_eq!(view.entry(&rule("f/x"), false), Entry::Missing);
    }

    #[test]
    fn links_out_of_the_sandbox_are_never_followed() {
        let (dir, view) = sandbox();
        let secret = dir.path().join("secret");
        fs::write(&secret, "canary").expect("write");
        symlink(&secret, view.home.join("out")).expect("symlink");
        symlink("../../secret", view.home.join("rel")).expect("symlink");
        symlink(dir.path(), view.home.join("outdir")).expect("symlink");
        assert_eq!(view.entry(&rule("out"), true), Entry::Outside);
        assert_eq!(view.entry(&rule("rel"), true), Entry::Outside);
        assert_eq!(view.entry(&rule("outdir/secret"), false), Entry::Outside);
        assert!(matches!(
            view.entry(&rule("out"), false),
            Entry::Symlink { .. }
        ));
    }

    #[test]
    fn link_loops_end() {
        let (_dir, view) = sandbox();
        symlink("b", view.home.join("a")).expect("symlink");
        symlink("a", view.home.join("b")).expect("symlink");
        assert_eq!(view.entry(&rule("a"), true), Entry::Missing);
    }

    #[test]
    fn fifos_are_not_opened_and_reads_are_bounded() {
        let (_dir, view) = sandbox();
        let fifo = view.home.join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let entry = view.entry(&rule("pipe"), true);
        assert!(matches!(entry, Entry::Special { .. }));
        assert_eq!(view.read(&entry), None);

        let big = view.home.join("big");
        fs::write(&big, vec![b'x'; (MAX_READ + 10) as usize]).expect("write");
        let (bytes, truncated) = view
            .read(&view.entry(&rule("big"), true))
            .expect("readable");
        assert_eq!(bytes.len() as u64, MAX_READ);
        assert!(truncated);
    }
}
