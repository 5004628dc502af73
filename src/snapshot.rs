//! Snapshots of the learner's home folder, for `:undo` (put the files back as they were before the last command)
//! and `:diff` (what changed since the exercise began).
//!
//! A snapshot holds the whole tree in memory: kinds, modes, link targets and file contents. That is the simplest
//! thing that can restore exactly, and lesson homes are small; a tree past [`Limits`] is not snapshotted and the
//! learner is told that undo is unavailable, rather than making every command slow or the tutor big.
//!
//! The tutor itself is not confined, so restoring treats the sandbox as hostile: it never follows a symlink, it
//! removes whatever stands where a folder must go, and it creates files with `O_NOFOLLOW | O_EXCL`. No learner
//! process runs between commands, so nothing changes under it while it works.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How big a tree may be to be snapshotted.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 5_000,
            bytes: 8 * 1024 * 1024,
        }
    }
}

/// One entry of a tree, keyed by its path relative to home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir {
        mode: u32,
    },
    File {
        mode: u32,
        content: Vec<u8>,
    },
    Symlink {
        target: PathBuf,
    },
    /// FIFOs, sockets, devices: noted, never read or recreated.
    Special,
}

/// A home folder's tree at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    nodes: BTreeMap<PathBuf, Node>,
}

/// Why a tree was not snapshotted.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("the home folder holds more than {0} files and folders, too many to keep a copy of")]
    TooManyEntries(usize),
    #[error("the home folder holds more than {} MiB, too much to keep a copy of", .0 / (1024 * 1024))]
    TooLarge(u64),
    #[error("the folder ~/{} cannot be read (its permissions forbid it)", .0.display())]
    Unreadable(PathBuf),
    #[error("cannot read the home folder: {0}")]
    Io(#[from] io::Error),
}

/// What changed between two snapshots, as paths relative to home.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<PathBuf>,
    pub changed: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

impl Snapshot {
    /// Reads the tree under `home` (not following symlinks), within `limits`.
    pub fn take(home: &Path, limits: Limits) -> Result<Snapshot, SnapshotError> {
        let mut snapshot = Snapshot::default();
        let mut bytes = 0u64;
        let mut pending = vec![PathBuf::new()];
        while let Some(relative) = pending.pop() {
            let directory = home.join(&relative);
            // An unreadable folder (after `chmod 000`) fails the snapshot: restoring a copy that lacks its contents
            // would delete them.
            let mut entries: Vec<_> = match fs::read_dir(&directory) {
                Ok(entries) => entries.filter_map(Result::ok).collect(),
                Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(SnapshotError::Unreadable(relative));
                }
                Err(error) => return Err(error.into()),
            };
            entries.sort_by_key(fs::DirEntry::file_name);
            for entry in entries {
                let path = relative.join(entry.file_name());
                let meta = entry.path().symlink_metadata()?;
                let node = read_node(&entry.path(), &meta, &mut bytes, limits)?;
                if matches!(node, Node::Dir { .. }) {
                    pending.push(path.clone());
                }
                snapshot.nodes.insert(path, node);
                if snapshot.nodes.len() > limits.entries {
                    return Err(SnapshotError::TooManyEntries(limits.entries));
                }
            }
        }
        Ok(snapshot)
    }

    /// What is different in `later` compared with `self`.
    pub fn changes(&self, later: &Snapshot) -> Changes {
        let mut changes = Changes::default();
        for (path, node) in &later.nodes {
            match self.nodes.get(path) {
                None => changes.created.push(path.clone()),
                Some(before) if before != node => changes.changed.push(path.clone()),
                Some(_) => {}
            }
        }
        changes.removed = self
            .nodes
            .keys()
            .filter(|p| !later.nodes.contains_key(*p))
            .cloned()
            .collect();
        changes
    }

    /// Makes the tree under `home` what this snapshot holds: removes what is new, restores what changed or went.
    pub fn restore(&self, home: &Path) -> io::Result<()> {
        let owner = fs::symlink_metadata(home).map(|m| (m.uid(), m.gid()))?;
        // Open folders up first: the learner may have run `chmod -R 000 ~`.
        make_traversable(home)?;
        remove_extra(home, Path::new(""), self)?;
        for (path, node) in &self.nodes {
            restore_node(home, path, node, owner)?;
        }
        // Modes of folders last, so a read-only folder does not stop its contents being written.
        for (path, node) in self.nodes.iter().rev() {
            if let Node::Dir { mode } = node {
                fs::set_permissions(home.join(path), fs::Permissions::from_mode(*mode))?;
            }
        }
        Ok(())
    }
}

fn read_node(
    path: &Path,
    meta: &fs::Metadata,
    bytes: &mut u64,
    limits: Limits,
) -> Result<Node, SnapshotError> {
    let mode = meta.mode() & 0o7777;
    let kind = meta.file_type();
    Ok(if kind.is_symlink() {
        Node::Symlink {
            target: fs::read_link(path)?,
        }
    } else if kind.is_dir() {
        Node::Dir { mode }
    } else if kind.is_file() {
        *bytes += meta.len();
        if *bytes > limits.bytes {
            return Err(SnapshotError::TooLarge(limits.bytes));
        }
        // An unreadable file fails the snapshot too: a copy without its content could not restore it.
        Node::File {
            mode,
            content: read_no_follow(path)?,
        }
    } else {
        Node::Special
    })
}

fn read_no_follow(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let mut content = Vec::new();
    io::Read::read_to_end(&mut file, &mut content)?;
    Ok(content)
}

/// Gives the owner full access to every folder under `dir`, without following links.
fn make_traversable(dir: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Ok(());
    }
    fs::set_permissions(
        dir,
        fs::Permissions::from_mode((meta.mode() & 0o7777) | 0o700),
    )?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            make_traversable(&entry.path())?;
        }
    }
    Ok(())
}

/// Removes every entry under `home/relative` that the snapshot does not have as the same kind.
fn remove_extra(home: &Path, relative: &Path, snapshot: &Snapshot) -> io::Result<()> {
    for entry in fs::read_dir(home.join(relative))? {
        let entry = entry?;
        let path = relative.join(entry.file_name());
        let kind = entry.file_type()?;
        let keep_dir = matches!(snapshot.nodes.get(&path), Some(Node::Dir { .. })) && kind.is_dir();
        if keep_dir {
            remove_extra(home, &path, snapshot)?;
        } else if kind.is_dir() {
            // `remove_dir_all` does not follow symlinks inside the tree.
            fs::remove_dir_all(entry.path())?;
        } else if snapshot.nodes.get(&path) != Some(&Node::Special) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

fn restore_node(
    home: &Path,
    relative: &Path,
    node: &Node,
    (uid, gid): (u32, u32),
) -> io::Result<()> {
    let path = home.join(relative);
    match node {
        Node::Dir { .. } => {
            if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                fs::create_dir(&path)?;
            }
        }
        Node::File { mode, content } => {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(*mode)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)?;
            file.write_all(content)?;
            fs::set_permissions(&path, fs::Permissions::from_mode(*mode))?;
        }
        Node::Symlink { target } => std::os::unix::fs::symlink(target, &path)?,
        Node::Special => return Ok(()),
    }
    // Files the tutor creates must belong to the learner's identity in the sandbox, not to the tutor.
    std::os::unix::fs::lchown(&path, Some(uid), Some(gid))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn home() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        fs::create_dir(&home).expect("home");
        (dir, home)
    }

    #[test]
    fn diff_names_created_changed_and_removed() {
        let (_dir, home) = home();
        fs::write(home.join("keep"), "same").expect("write");
        fs::write(home.join("edit"), "before").expect("write");
        fs::write(home.join("gone"), "x").expect("write");
        let before = Snapshot::take(&home, Limits::default()).expect("snapshot");
        fs::write(home.join("edit"), "after").expect("write");
        fs::remove_file(home.join("gone")).expect("rm");
        fs::create_dir_all(home.join("new/sub")).expect("mkdir");
        let after = Snapshot::take(&home, Limits::default()).expect("snapshot");
        let changes = before.changes(&after);
        assert_eq!(
            changes.created,
            [PathBuf::from("new"), PathBuf::from("new/sub")]
        );
        assert_eq!(changes.changed, [PathBuf::from("edit")]);
        assert_eq!(changes.removed, [PathBuf::from("gone")]);
        assert!(before.changes(&before).is_empty());
    }

    #[test]
    fn restore_undoes_removal_edits_and_new_files() {
        let (_dir, home) = home();
        fs::create_dir_all(home.join("a/b")).expect("mkdir");
        fs::write(home.join("a/b/notes"), "keep me").expect("write");
        fs::set_permissions(home.join("a/b/notes"), fs::Permissions::from_mode(0o640))
            .expect("chmod");
        symlink("a/b/notes", home.join("link")).expect("symlink");
        let before = Snapshot::take(&home, Limits::default()).expect("snapshot");

        fs::remove_dir_all(home.join("a")).expect("rm -r");
        fs::write(home.join("link2"), "new").expect("write");
        fs::remove_file(home.join("link")).expect("rm");
        fs::create_dir(home.join("link")).expect("a folder where the link was");
        before.restore(&home).expect("restore");

        assert_eq!(
            Snapshot::take(&home, Limits::default()).expect("snapshot"),
            before
        );
        assert_eq!(
            fs::read_to_string(home.join("link")).expect("through the link"),
            "keep me"
        );
    }

    #[test]
    fn restore_copes_with_locked_folders_and_never_follows_links_out() {
        let (dir, home) = home();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).expect("mkdir");
        fs::write(outside.join("canary"), "untouched").expect("write");
        fs::create_dir(home.join("d")).expect("mkdir");
        fs::write(home.join("d/f"), "x").expect("write");
        let before = Snapshot::take(&home, Limits::default()).expect("snapshot");

        // The learner replaces the folder with a link out, and locks everything.
        fs::remove_dir_all(home.join("d")).expect("rm");
        symlink(&outside, home.join("d")).expect("symlink");
        fs::create_dir(home.join("locked")).expect("mkdir");
        fs::set_permissions(home.join("locked"), fs::Permissions::from_mode(0o000)).expect("chmod");
        before.restore(&home).expect("restore");

        assert_eq!(fs::read_to_string(home.join("d/f")).expect("restored"), "x");
        assert!(!home.join("locked").exists());
        assert_eq!(
            fs::read_to_string(outside.join("canary")).expect("canary"),
            "untouched"
        );
        assert_eq!(fs::read_dir(&outside).expect("outside").count(), 1);
    }

    #[test]
    fn unreadable_folders_make_no_snapshot_rather_than_a_lossy_one() {
        if nix_is_root() {
            return; // root reads everything, so there is nothing to refuse.
        }
        let (_dir, home) = home();
        fs::create_dir(home.join("locked")).expect("mkdir");
        fs::write(home.join("locked/f"), "x").expect("write");
        fs::set_permissions(home.join("locked"), fs::Permissions::from_mode(0o000)).expect("chmod");
        let result = Snapshot::take(&home, Limits::default());
        fs::set_permissions(home.join("locked"), fs::Permissions::from_mode(0o700))
            .expect("chmod back");
        assert!(
            matches!(result, Err(SnapshotError::Unreadable(path)) if path == Path::new("locked"))
        );
    }

    fn nix_is_root() -> bool {
        fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }

    #[test]
    fn big_trees_are_refused() {
        let (_dir, home) = home();
        for i in 0..5 {
            fs::write(home.join(format!("f{i}")), "0123456789").expect("write");
        }
        let few = Limits {
            entries: 3,
            bytes: 1_000,
        };
        assert!(matches!(
            Snapshot::take(&home, few),
            Err(SnapshotError::TooManyEntries(3))
        ));
        let small = Limits {
            entries: 100,
            bytes: 25,
        };
        assert!(matches!(
            Snapshot::take(&home, small),
            Err(SnapshotError::TooLarge(25))
        ));
    }
}
