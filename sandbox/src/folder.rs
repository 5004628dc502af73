//! The sandbox's folder on the host: a per-user parent (safe against other users in a shared temp dir), one locked
//! folder per sandbox with `home/` and `tmp/`, sweeping of folders left behind
//! by a killed tutor, and removal that succeeds whatever the learner did to the modes inside.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use crate::Error;

/// Prefix of every sandbox folder's name; the sweeper only touches these.
const PREFIX: &str = "sb-";
/// Prefix of folders kept with `--keep`: never swept.
const KEPT_PREFIX: &str = "kept-";
/// Prefix while a folder is being made (before it is locked and renamed); swept only when old.
const CREATING_PREFIX: &str = ".creating-sb-";

/// A sandbox folder that this process holds (locked) until it is dropped.
#[derive(Debug)]
pub(crate) struct Folder {
    pub root: PathBuf,
    pub home: PathBuf,
    pub tmp: PathBuf,
    /// The tutor's own files about the sandbox (its `/etc/hosts`, undo copies): never the learner's.
    pub private: PathBuf,
    /// The open, `flock`ed root: while it is held, sweepers leave the folder alone.
    _lock: nix::fcntl::Flock<File>,
    kept: bool,
}

/// The default parent: `$TMPDIR/shelltutor-<uid>` (per user, so users never share or fight over it).
pub(crate) fn default_parent() -> PathBuf {
    std::env::temp_dir().join(format!("shelltutor-{}", nix::unistd::geteuid()))
}

/// Makes sure `parent` exists, is ours, and cannot be written by others.
pub(crate) fn prepare_parent(parent: &Path) -> Result<PathBuf, Error> {
    let folder_error = |source| Error::Folder {
        path: parent.to_path_buf(),
        source,
    };
    match fs::DirBuilder::new().mode(0o711).create(parent) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(folder_error(error)),
    }
    let metadata = fs::symlink_metadata(parent).map_err(folder_error)?;
    let unsafe_parent = |why: &str| Error::UnsafeParent {
        path: parent.to_path_buf(),
        why: why.to_owned(),
    };
    if !metadata.is_dir() {
        return Err(unsafe_parent("it is not a folder (a symlink?)"));
    }
    if metadata.uid() != nix::unistd::geteuid().as_raw() {
        return Err(unsafe_parent("another user owns it"));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(unsafe_parent("other users may write in it"));
    }
    // Root-mapped learners run as another uid and must be able to pass through.
    if metadata.mode() & 0o711 != 0o711 {
        fs::set_permissions(parent, fs::Permissions::from_mode(0o711)).map_err(folder_error)?;
    }
    fs::canonicalize(parent).map_err(folder_error)
}

impl Folder {
    /// Makes a fresh sandbox folder in `parent`, locked by this process. `owner` is who the learner is on the host
    /// (files in `home` and `tmp` must be theirs).
    pub(crate) fn create(parent: &Path, owner: Option<(u32, u32)>) -> Result<Folder, Error> {
        let name = unique_name();
        let creating = parent.join(format!("{CREATING_PREFIX}{name}"));
        let root = parent.join(format!("{PREFIX}{name}"));
        let error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Folder { path, source }
        };
        fs::DirBuilder::new()
            // Private to the learner; root's learner runs as another uid and only needs to pass through.
            .mode(if owner.is_some() { 0o711 } else { 0o700 })
            .create(&creating)
            .map_err(error(&creating))?;
        let lock = File::open(&creating).map_err(error(&creating))?;
        let lock = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusiveNonblock)
            .map_err(|(_, errno)| Error::Folder {
                path: creating.clone(),
                source: errno.into(),
            })?;
        fs::rename(&creating, &root).map_err(error(&root))?;
        let folder = Folder {
            home: root.join("home"),
            tmp: root.join("tmp"),
            private: root.join(".tutor"),
            root,
            _lock: lock,
            kept: false,
        };
        // Passable (not listable) by root's learner, whose environment binds the hosts file from here.
        fs::DirBuilder::new()
            .mode(0o711)
            .create(&folder.private)
            .map_err(error(&folder.private))?;
        folder.populate(owner)?;
        Ok(folder)
    }

    /// The sandbox's `/etc/hosts`: the host's, plus `names` on the loopback.
    pub(crate) fn hosts_file(&self) -> PathBuf {
        self.private.join("hosts")
    }

    /// Writes the sandbox's `/etc/hosts` (readable by the learner, written only by the tutor).
    pub(crate) fn write_hosts(&self, names: &[String]) -> Result<(), Error> {
        let mut hosts = fs::read_to_string("/etc/hosts").unwrap_or_default();
        if !hosts.is_empty() && !hosts.ends_with('\n') {
            hosts.push('\n');
        }
        if !names.is_empty() {
            hosts.push_str("# names served by the sandbox itself (shelltutor)\n");
            hosts.push_str(&format!("127.0.0.1\t{}\n", names.join(" ")));
        }
        let path = self.hosts_file();
        fs::write(&path, hosts)
            .and_then(|()| fs::set_permissions(&path, fs::Permissions::from_mode(0o644)))
            .map_err(|source| Error::Folder { path, source })
    }

    /// Creates (or re-creates) `home` and `tmp` with the right owner.
    pub(crate) fn populate(&self, owner: Option<(u32, u32)>) -> Result<(), Error> {
        for (dir, mode) in [(&self.home, 0o755), (&self.tmp, 0o700)] {
            match fs::DirBuilder::new().mode(mode).create(dir) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(source) => {
                    return Err(Error::Folder {
                        path: dir.clone(),
                        source,
                    })
                }
            }
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|source| {
                    Error::Folder {
                        path: dir.clone(),
                        source,
                    }
                })?;
            }
        }
        Ok(())
    }

    /// Empties `home` and `tmp` and forgets the shell state: a fresh sandbox in the same folder.
    pub(crate) fn reset(&self, owner: Option<(u32, u32)>) -> Result<(), Error> {
        for dir in [&self.home, &self.tmp] {
            remove_tree(dir).map_err(|source| Error::Folder {
                path: dir.clone(),
                source,
            })?;
        }
        self.populate(owner)
    }
}

impl Folder {
    /// Leaves the folder on disk when dropped (`--keep`), renamed so that sweeps leave it alone, and returns where
    /// it now is.
    pub(crate) fn keep(&mut self) -> PathBuf {
        self.kept = true;
        let name = self
            .root
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kept = self
            .root
            .with_file_name(format!("{KEPT_PREFIX}{}", name.trim_start_matches(PREFIX)));
        match fs::rename(&self.root, &kept) {
            Ok(()) => kept,
            Err(_) => self.root.clone(),
        }
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        // Nothing can be done about a failure here but to leave it to the next sweep.
        let _ = remove_tree(&self.root);
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{:08x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// Removes sandbox folders in `parent` that no live tutor holds (their tutor was killed before it could clean up).
pub(crate) fn sweep_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if name.starts_with(PREFIX) {
            if is_unlocked(&path) {
                let _ = remove_tree(&path);
            }
        } else if name.starts_with(CREATING_PREFIX) && is_older_than(&path, Duration::from_secs(60))
        {
            let _ = remove_tree(&path);
        }
    }
}

fn is_unlocked(path: &Path) -> bool {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return false;
    };
    if !metadata.is_dir() {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    // A lock we obtain here is released when `file` closes.
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).is_ok()
}

fn is_older_than(path: &Path, age: Duration) -> bool {
    fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

/// Removes a tree even after `chmod -R 000`: restores owner access to folders (never following symlinks) and
/// retries. Trees too deep for that (paths beyond PATH_MAX, more levels than open files) go to coreutils, whose
/// `chmod -R` and `rm -rf` walk any depth without following symlinks.
pub(crate) fn remove_tree(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => return Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) => {}
    }
    let _ = restore_access(path);
    if fs::remove_dir_all(path).is_ok() {
        return Ok(());
    }
    let quiet = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
    };
    let _ = quiet("chmod", &["-R", "u+rwx", "--"]);
    let _ = quiet("rm", &["-rf", "--one-file-system", "--"]);
    match fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        _ => fs::remove_dir_all(path),
    }
}

/// Gives the owner full access to every folder in the tree, iteratively and without following symlinks.
fn restore_access(path: &Path) -> io::Result<()> {
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(metadata) = fs::symlink_metadata(&dir) else {
            continue;
        };
        if !metadata.is_dir() {
            continue;
        }
        if metadata.mode() & 0o700 != 0o700 {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                pending.push(entry.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn removes_a_tree_without_permissions() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("t");
        fs::create_dir_all(root.join("a/b/c")).unwrap();
        fs::write(root.join("a/b/c/f"), "x").unwrap();
        for dir in ["a/b/c", "a/b", "a", ""] {
            fs::set_permissions(root.join(dir), fs::Permissions::from_mode(0o000)).unwrap();
        }
        remove_tree(&root).unwrap();
        assert!(!root.exists());
    }

    #[test]
    fn sweeps_unlocked_folders_only() {
        let temp = tempfile::tempdir().unwrap();
        let held = Folder::create(temp.path(), None).unwrap();
        let stale = temp.path().join("sb-stale");
        fs::create_dir_all(stale.join("home")).unwrap();
        sweep_stale(temp.path());
        assert!(!stale.exists());
        assert!(held.home.exists());
    }
}
