//! What each line changed in the learner's home, for `:undo` (put back what the last line changed) and `:diff`
//! (what changed since the exercise began), at a cost in proportion to the change, not to the size of the home.
//!
//! When an exercise begins, the home is copied once into a store in the sandbox's private folder (out of the
//! learner's reach), and every folder of it is watched with inotify. After each line the tutor reads the events:
//! only the paths they name are looked at again; a path whose kind, content, mode or times differ gets its new
//! version copied into the store, and its previous version is kept as the last line's journal (for `:undo`) and,
//! the first time it changes, as its original (for `:diff`). Changes made between lines (by servers left
//! running) are taken in without being blamed on the next line.
//!
//! Limits, said plainly to the learner when crossed: a home of more than [`Limits::entries`] entries or
//! [`Limits::bytes`] bytes is not copied (no undo or diff for that exercise); when the kernel's event queue
//! overflows (a line creating tens of thousands of files), the tutor compares the whole home once instead.
//! Writes through `mmap` are not reported by inotify; a file changed only that way is not noticed.
//!
//! The tutor is not confined, so every file-system operation here treats the home as hostile: links are never
//! followed, files are opened with `O_NOFOLLOW` (and `O_NONBLOCK`, so a FIFO cannot block), and restoring removes
//! whatever stands where a folder must go.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};

/// How big a home may be to be tracked.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 200_000,
            bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Why undo and diff are unavailable.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error("the home folder holds more than {0} files and folders, too many to keep a copy of")]
    TooManyEntries(usize),
    #[error("the home folder holds more than {} MiB, too much to keep a copy of", .0 / (1024 * 1024))]
    TooLarge(u64),
    #[error("the folder ~/{} cannot be read (its permissions forbid it)", .0.display())]
    Unreadable(PathBuf),
    #[error("the system allows no more folders to be watched (fs.inotify.max_user_watches)")]
    Watches,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// What changed, as paths relative to home.
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

/// What one entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Dir,
    /// A regular file whose content is blob `blob` of the store.
    File {
        blob: u64,
    },
    Symlink(PathBuf),
    /// FIFOs, sockets, devices: noted, never read or recreated.
    Special,
}

/// One version of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    kind: Kind,
    mode: u32,
    size: u64,
    /// Identity and times, to notice a change without reading the content.
    ino: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Version {
    /// Whether `other` is the same entry as far as the learner can tell, without comparing contents.
    fn looks_same(&self, other: &Version) -> bool {
        let same_kind = match (&self.kind, &other.kind) {
            (Kind::File { .. }, Kind::File { .. }) => true,
            (a, b) => a == b,
        };
        same_kind
            && self.mode == other.mode
            && self.size == other.size
            && self.ino == other.ino
            && self.mtime == other.mtime
            && self.ctime == other.ctime
    }
}

/// The history of one exercise's home.
#[derive(Debug)]
pub struct History {
    home: PathBuf,
    store: PathBuf,
    limits: Limits,
    state: Result<Tracking, String>,
}

#[derive(Debug)]
struct Tracking {
    inotify: Inotify,
    watches: HashMap<WatchDescriptor, PathBuf>,
    /// Every entry as it is now (as of the last look).
    current: BTreeMap<PathBuf, Version>,
    /// The original of every path changed since the exercise began (`None`: it did not exist).
    originals: BTreeMap<PathBuf, Option<Version>>,
    /// What the last line changed: each path's version before it (`None`: it did not exist).
    journal: BTreeMap<PathBuf, Option<Version>>,
    /// How many of `current`, `originals` and `journal` refer to each blob.
    references: HashMap<u64, usize>,
    next_blob: u64,
    bytes: u64,
}

impl History {
    /// Copies the home into `store` and starts watching it. When that is impossible, the history is unavailable
    /// (and says why), and the exercise goes on without undo and diff.
    pub fn start(home: &Path, store: &Path, limits: Limits) -> History {
        let state = Tracking::start(home, store, limits).map_err(|why| why.to_string());
        History {
            home: home.to_path_buf(),
            store: store.to_path_buf(),
            limits,
            state,
        }
    }

    /// Why undo and diff are unavailable, if they are.
    #[cfg(test)]
    fn unavailable(&self) -> Option<&str> {
        self.state.as_ref().err().map(String::as_str)
    }

    /// Before a line: takes in what changed since the last line (servers left running), without journaling it.
    pub fn before_line(&mut self) {
        self.look(false);
    }

    /// After a line: journals what it changed (replacing the previous line's journal).
    pub fn after_line(&mut self) {
        if let Ok(tracking) = &mut self.state {
            tracking.clear_journal(&self.store);
        }
        self.look(true);
    }

    /// The paths the last line changed.
    pub fn last_line_changes(&self) -> Vec<PathBuf> {
        match &self.state {
            Ok(tracking) => tracking.journal.keys().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// What changed since the exercise began.
    pub fn changes(&mut self) -> Result<Changes, String> {
        self.look(false);
        let tracking = self.state.as_ref().map_err(Clone::clone)?;
        let mut changes = Changes::default();
        for (path, original) in &tracking.originals {
            match (original, tracking.current.get(path)) {
                (None, Some(_)) => changes.created.push(path.clone()),
                (Some(_), None) => changes.removed.push(path.clone()),
                (Some(before), Some(now)) if !tracking.same_content(&self.store, before, now) => {
                    changes.changed.push(path.clone());
                }
                _ => {}
            }
        }
        Ok(changes)
    }

    /// Puts back what the last line changed. Returns what was put back, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Changes>, String> {
        self.look(false);
        let home = self.home.clone();
        let store = self.store.clone();
        let tracking = self.state.as_mut().map_err(|why| why.clone())?;
        if tracking.journal.is_empty() {
            return Ok(None);
        }
        let journal = std::mem::take(&mut tracking.journal);
        let undone = tracking
            .restore(&home, &store, &journal)
            .map_err(|error| format!("putting the files back failed: {error}"));
        // The restored versions become current, whatever the events say; the blobs stay referenced by them.
        for (path, version) in &journal {
            tracking.set_current(&store, path, version.clone());
        }
        for version in journal.values().flatten() {
            tracking.release(&store, version);
        }
        // Our own writes raised events: take them in without journaling.
        let _ = tracking.drain(&home, &store, false, self.limits);
        undone.map(Some)
    }

    /// Reads the events since the last look and takes the changes in.
    fn look(&mut self, journal: bool) {
        let Ok(tracking) = &mut self.state else {
            return;
        };
        if let Err(why) = tracking.drain(&self.home, &self.store, journal, self.limits) {
            self.state = Err(why.to_string());
        }
    }
}

impl Tracking {
    fn start(home: &Path, store: &Path, limits: Limits) -> Result<Tracking, Unavailable> {
        fs::create_dir_all(store.join("blobs"))?;
        fs::set_permissions(store, fs::Permissions::from_mode(0o700))?;
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
            .map_err(io::Error::from)?;
        let mut tracking = Tracking {
            inotify,
            watches: HashMap::new(),
            current: BTreeMap::new(),
            originals: BTreeMap::new(),
            journal: BTreeMap::new(),
            references: HashMap::new(),
            next_blob: 0,
            bytes: 0,
        };
        tracking.watch(home, Path::new(""))?;
        tracking.scan(home, store, Path::new(""), limits, false)?;
        // What was there at the start is the baseline, not a change (none of it holds a blob reference).
        tracking.originals.clear();
        Ok(tracking)
    }

    /// Watches one folder (relative to home) for every kind of change.
    fn watch(&mut self, home: &Path, relative: &Path) -> Result<(), Unavailable> {
        let mask = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MODIFY
            | AddWatchFlags::IN_ATTRIB
            | AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_DONT_FOLLOW
            | AddWatchFlags::IN_ONLYDIR;
        match self.inotify.add_watch(&home.join(relative), mask) {
            Ok(wd) => {
                self.watches.insert(wd, relative.to_path_buf());
                Ok(())
            }
            Err(nix::errno::Errno::ENOSPC) => Err(Unavailable::Watches),
            Err(nix::errno::Errno::EACCES) => Err(Unavailable::Unreadable(relative.to_path_buf())),
            // Gone already, or replaced by a link: the events about that are on their way.
            Err(nix::errno::Errno::ENOENT | nix::errno::Errno::ENOTDIR) => Ok(()),
            Err(errno) => Err(io::Error::from(errno).into()),
        }
    }

    /// Takes in the folder `relative` and everything below it (a folder that is new, or the whole home at the
    /// start).
    fn scan(
        &mut self,
        home: &Path,
        store: &Path,
        relative: &Path,
        limits: Limits,
        journal: bool,
    ) -> Result<(), Unavailable> {
        let mut pending = vec![relative.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(home.join(&dir)) {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(Unavailable::Unreadable(dir));
                }
                // Removed meanwhile: its removal is reported by an event.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error.into()),
            };
            for entry in entries {
                let path = dir.join(entry?.file_name());
                if self.reconcile(home, store, &path, limits, journal)? == Some(true) {
                    self.watch(home, &path)?;
                    pending.push(path);
                }
            }
        }
        Ok(())
    }

    /// Looks at one path again and records a change. Returns `Some(true)` when it is a folder that is new here (so
    /// its contents must be taken in too).
    fn reconcile(
        &mut self,
        home: &Path,
        store: &Path,
        relative: &Path,
        limits: Limits,
        journal: bool,
    ) -> Result<Option<bool>, Unavailable> {
        let full = home.join(relative);
        let meta = match fs::symlink_metadata(&full) {
            Ok(meta) => meta,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.remove_tree(store, relative, journal);
                return Ok(None);
            }
            Err(error) => return Err(error.into()),
        };
        let fresh = observe(&full, &meta);
        let previous = self.current.get(relative).cloned();
        if previous.as_ref().is_some_and(|old| old.looks_same(&fresh)) {
            return Ok(Some(false));
        }
        let was_dir = matches!(
            previous,
            Some(Version {
                kind: Kind::Dir,
                ..
            })
        );
        let is_dir = fresh.kind == Kind::Dir;
        if was_dir && !is_dir {
            // A folder replaced by something else: its contents are gone.
            self.remove_tree(store, relative, journal);
        }
        let version = match fresh.kind {
            Kind::File { .. } => {
                self.bytes += meta.len();
                if self.bytes > limits.bytes {
                    return Err(Unavailable::TooLarge(limits.bytes));
                }
                let blob = self.copy_in(&full, store, relative)?;
                Version {
                    kind: Kind::File { blob },
                    ..fresh
                }
            }
            _ => fresh,
        };
        if self.current.len() >= limits.entries && previous.is_none() {
            return Err(Unavailable::TooManyEntries(limits.entries));
        }
        self.record_change(store, relative, Some(version), journal);
        Ok(Some(is_dir && !was_dir))
    }

    /// Notes that `relative` now is `version` (or is gone), keeping its previous version for undo and diff. Each of
    /// `current`, `originals` and `journal` holds one reference to the blob of a version it keeps.
    fn record_change(
        &mut self,
        store: &Path,
        relative: &Path,
        version: Option<Version>,
        journal: bool,
    ) {
        let previous = self.current.get(relative).cloned();
        if !self.originals.contains_key(relative) {
            if let Some(old) = &previous {
                self.retain(old);
            }
            self.originals
                .insert(relative.to_path_buf(), previous.clone());
        }
        if journal && !self.journal.contains_key(relative) {
            if let Some(old) = &previous {
                self.retain(old);
            }
            self.journal.insert(relative.to_path_buf(), previous);
        }
        self.set_current(store, relative, version);
    }

    fn set_current(&mut self, store: &Path, relative: &Path, version: Option<Version>) {
        if let Some(new) = &version {
            self.retain(new);
        }
        let replaced = match version {
            Some(version) => self.current.insert(relative.to_path_buf(), version),
            None => self.current.remove(relative),
        };
        if let Some(old) = replaced {
            self.release(store, &old);
        }
    }

    /// Removes `relative` and everything below it from the current tree (they are gone from the home).
    fn remove_tree(&mut self, store: &Path, relative: &Path, journal: bool) {
        let below: Vec<PathBuf> = self
            .current
            .range(relative.to_path_buf()..)
            .take_while(|(path, _)| path.starts_with(relative))
            .map(|(path, _)| path.clone())
            .collect();
        for path in below {
            self.record_change(store, &path, None, journal);
        }
    }

    fn retain(&mut self, version: &Version) {
        if let Kind::File { blob } = version.kind {
            *self.references.entry(blob).or_insert(0) += 1;
        }
    }

    fn release(&mut self, store: &Path, version: &Version) {
        if let Kind::File { blob } = version.kind {
            let count = self.references.entry(blob).or_insert(1);
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.references.remove(&blob);
                let _ = fs::remove_file(blob_path(store, blob));
                self.bytes = self.bytes.saturating_sub(version.size);
            }
        }
    }

    fn clear_journal(&mut self, store: &Path) {
        for version in std::mem::take(&mut self.journal).into_values().flatten() {
            self.release(store, &version);
        }
    }

    /// Copies a file of the home into a new blob, never following a link and never blocking on a FIFO.
    fn copy_in(&mut self, full: &Path, store: &Path, relative: &Path) -> Result<u64, Unavailable> {
        let blob = self.next_blob;
        self.next_blob += 1;
        let source = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(full);
        let mut source = match source {
            Ok(source) => source,
            Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
                return Err(Unavailable::Unreadable(relative.to_path_buf()));
            }
            Err(error) => return Err(error.into()),
        };
        let mut target = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(blob_path(store, blob))?;
        io::copy(&mut source, &mut target)?;
        Ok(blob)
    }

    /// Reads the events and takes in the paths they name.
    fn drain(
        &mut self,
        home: &Path,
        store: &Path,
        journal: bool,
        limits: Limits,
    ) -> Result<(), Unavailable> {
        let mut dirty: BTreeSet<PathBuf> = BTreeSet::new();
        let mut overflow = false;
        loop {
            let events = match self.inotify.read_events() {
                Ok(events) if !events.is_empty() => events,
                Ok(_) | Err(nix::errno::Errno::EAGAIN) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(errno) => return Err(io::Error::from(errno).into()),
            };
            for event in events {
                if event.mask.contains(AddWatchFlags::IN_Q_OVERFLOW) {
                    overflow = true;
                    continue;
                }
                if event.mask.contains(AddWatchFlags::IN_IGNORED) {
                    self.watches.remove(&event.wd);
                    continue;
                }
                let Some(dir) = self.watches.get(&event.wd) else {
                    continue;
                };
                match &event.name {
                    Some(name) => dirty.insert(dir.join(name)),
                    None => dirty.insert(dir.clone()),
                };
            }
        }
        if overflow {
            // The kernel dropped events: compare everything once.
            return self.rescan_everything(home, store, limits, journal);
        }
        // Removals first, so that a folder moved elsewhere is taken in at its new place afterwards.
        let (gone, present): (Vec<PathBuf>, Vec<PathBuf>) = dirty
            .into_iter()
            .filter(|path| !path.as_os_str().is_empty())
            .partition(|path| fs::symlink_metadata(home.join(path)).is_err());
        for path in gone {
            self.remove_tree(store, &path, journal);
        }
        for path in present {
            if self.reconcile(home, store, &path, limits, journal)? == Some(true) {
                self.watch(home, &path)?;
                self.scan(home, store, &path, limits, journal)?;
            }
        }
        Ok(())
    }

    /// After lost events: every known path and every path on disk, looked at again.
    fn rescan_everything(
        &mut self,
        home: &Path,
        store: &Path,
        limits: Limits,
        journal: bool,
    ) -> Result<(), Unavailable> {
        let known: Vec<PathBuf> = self.current.keys().cloned().collect();
        for path in known {
            if fs::symlink_metadata(home.join(&path)).is_err() {
                self.remove_tree(store, &path, journal);
            }
        }
        let mut pending = vec![PathBuf::new()];
        while let Some(dir) = pending.pop() {
            self.watch(home, &dir)?;
            let entries = match fs::read_dir(home.join(&dir)) {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(Unavailable::Unreadable(dir));
                }
                Err(_) => continue,
            };
            for entry in entries {
                let path = dir.join(entry?.file_name());
                self.reconcile(home, store, &path, limits, journal)?;
                if matches!(
                    self.current.get(&path),
                    Some(Version {
                        kind: Kind::Dir,
                        ..
                    })
                ) {
                    pending.push(path);
                }
            }
        }
        Ok(())
    }

    /// Whether two versions hold the same thing for the learner: kind, mode, and content.
    fn same_content(&self, store: &Path, a: &Version, b: &Version) -> bool {
        match (&a.kind, &b.kind) {
            (Kind::File { blob: x }, Kind::File { blob: y }) => {
                a.mode == b.mode
                    && a.size == b.size
                    && (x == y
                        || fs::read(blob_path(store, *x)).ok()
                            == fs::read(blob_path(store, *y)).ok())
            }
            (x, y) => x == y && (a.mode == b.mode || *x == Kind::Special),
        }
    }

    /// Makes each path of `journal` what it was: removes what is new, writes back what changed or went.
    fn restore(
        &self,
        home: &Path,
        store: &Path,
        journal: &BTreeMap<PathBuf, Option<Version>>,
    ) -> io::Result<Changes> {
        let owner = fs::symlink_metadata(home).map(|m| (m.uid(), m.gid()))?;
        let mut undone = Changes::default();
        // Deepest first: what did not exist before the line goes (with anything below it).
        for (path, before) in journal.iter().rev() {
            if before.is_none() {
                open_up_parents(home, path)?;
                remove_any(&home.join(path))?;
                undone.removed.push(path.clone());
            }
        }
        // Shallowest first: folders before what they hold.
        for (path, before) in journal {
            let Some(version) = before else { continue };
            open_up_parents(home, path)?;
            let full = home.join(path);
            let existed = fs::symlink_metadata(&full).is_ok();
            put_back(&full, version, store, owner)?;
            if existed {
                undone.changed.push(path.clone());
            } else {
                undone.created.push(path.clone());
            }
        }
        // Folder modes last (deepest first), so that a read-only folder does not stop its contents being written.
        for (path, before) in journal.iter().rev() {
            if let Some(Version {
                kind: Kind::Dir,
                mode,
                ..
            }) = before
            {
                fs::set_permissions(home.join(path), fs::Permissions::from_mode(*mode))?;
            }
        }
        Ok(undone)
    }
}

/// A version as seen on disk (a file's blob is filled in by the caller).
fn observe(full: &Path, meta: &fs::Metadata) -> Version {
    let kind = meta.file_type();
    let kind = if kind.is_symlink() {
        Kind::Symlink(fs::read_link(full).unwrap_or_default())
    } else if kind.is_dir() {
        Kind::Dir
    } else if kind.is_file() {
        Kind::File { blob: u64::MAX }
    } else {
        Kind::Special
    };
    Version {
        kind,
        mode: meta.mode() & 0o7777,
        size: if meta.is_file() { meta.len() } else { 0 },
        ino: meta.ino(),
        mtime: (meta.mtime(), meta.mtime_nsec()),
        ctime: (meta.ctime(), meta.ctime_nsec()),
    }
}

/// A time as `stat` gives it (seconds and nanoseconds since the epoch), if it is after the epoch.
fn system_time((seconds, nanos): (i64, i64)) -> Option<std::time::SystemTime> {
    let seconds = u64::try_from(seconds).ok()?;
    let nanos = u32::try_from(nanos).ok()?;
    std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(seconds, nanos))
}

fn blob_path(store: &Path, blob: u64) -> PathBuf {
    store.join("blobs").join(blob.to_string())
}

/// Makes sure every folder above `relative` is a real folder the tutor can write in (a link or file standing in
/// the way is removed; it was changed by the same line and is put back in its turn).
fn open_up_parents(home: &Path, relative: &Path) -> io::Result<()> {
    let mut dir = home.to_path_buf();
    let parents: Vec<Component<'_>> = relative
        .parent()
        .map_or_else(Vec::new, |p| p.components().collect());
    for component in std::iter::once(None).chain(parents.into_iter().map(Some)) {
        if let Some(component) = component {
            dir.push(component);
        }
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {
                let mode = meta.mode() & 0o7777;
                if mode & 0o700 != 0o700 {
                    fs::set_permissions(&dir, fs::Permissions::from_mode(mode | 0o700))?;
                }
            }
            Ok(_) => {
                fs::remove_file(&dir)?;
                fs::create_dir(&dir)?;
            }
            Err(_) => fs::create_dir(&dir)?,
        }
    }
    Ok(())
}

/// Removes whatever is at `path` (a folder with everything in it), never following links.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            make_traversable(path)?;
            fs::remove_dir_all(path)
        }
        Ok(_) => fs::remove_file(path),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Gives the owner full access to every folder under `dir` (the learner may have run `chmod -R 000`), without
/// following links.
fn make_traversable(dir: &Path) -> io::Result<()> {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let meta = fs::symlink_metadata(&dir)?;
        if !meta.is_dir() {
            continue;
        }
        fs::set_permissions(
            &dir,
            fs::Permissions::from_mode((meta.mode() & 0o7777) | 0o700),
        )?;
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            }
        }
    }
    Ok(())
}

/// Writes one version back at `full`, replacing whatever stands there.
fn put_back(
    full: &Path,
    version: &Version,
    store: &Path,
    (uid, gid): (u32, u32),
) -> io::Result<()> {
    let current = fs::symlink_metadata(full).ok();
    let keep_folder =
        version.kind == Kind::Dir && current.as_ref().is_some_and(fs::Metadata::is_dir);
    if !keep_folder {
        remove_any(full)?;
    }
    match &version.kind {
        Kind::Dir => {
            if !keep_folder {
                fs::create_dir(full)?;
            }
        }
        Kind::File { blob } => {
            let mut content = fs::File::open(blob_path(store, *blob))?;
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(version.mode)
                .custom_flags(libc::O_NOFOLLOW)
                .open(full)?;
            io::copy(&mut content, &mut file)?;
            file.flush()?;
            // The file as it was includes its modification time: a check that the learner changed it (`modified`)
            // must not pass because `:undo` put it back.
            if let Some(modified) = system_time(version.mtime) {
                file.set_modified(modified)?;
            }
            fs::set_permissions(full, fs::Permissions::from_mode(version.mode))?;
        }
        Kind::Symlink(target) => std::os::unix::fs::symlink(target, full)?,
        Kind::Special => return Ok(()),
    }
    // What the tutor writes must belong to the learner's identity in the sandbox, not to the tutor.
    std::os::unix::fs::lchown(full, Some(uid), Some(gid))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    struct Place {
        _dir: tempfile::TempDir,
        home: PathBuf,
        store: PathBuf,
    }

    fn place() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        fs::create_dir(&home).expect("home");
        let store = dir.path().join("store");
        Place {
            home,
            store,
            _dir: dir,
        }
    }

    fn history(place: &Place) -> History {
        History::start(&place.home, &place.store, Limits::default())
    }

    #[test]
    fn diff_names_created_changed_and_removed() {
        let p = place();
        fs::write(p.home.join("keep"), "same").expect("write");
        fs::write(p.home.join("edit"), "before").expect("write");
        fs::write(p.home.join("gone"), "x").expect("write");
        let mut history = history(&p);
        history.before_line();
        fs::write(p.home.join("edit"), "after").expect("write");
        fs::remove_file(p.home.join("gone")).expect("rm");
        fs::create_dir_all(p.home.join("new/sub")).expect("mkdir");
        fs::write(p.home.join("new/sub/f"), "x").expect("write");
        history.after_line();
        let changes = history.changes().expect("tracked");
        assert_eq!(
            changes.created,
            [
                PathBuf::from("new"),
                PathBuf::from("new/sub"),
                PathBuf::from("new/sub/f")
            ]
        );
        assert_eq!(changes.changed, [PathBuf::from("edit")]);
        assert_eq!(changes.removed, [PathBuf::from("gone")]);
    }

    #[test]
    fn a_file_written_back_as_it_was_is_no_change() {
        let p = place();
        fs::write(p.home.join("f"), "same").expect("write");
        let mut history = history(&p);
        fs::write(p.home.join("f"), "other").expect("write");
        history.after_line();
        fs::write(p.home.join("f"), "same").expect("write");
        history.after_line();
        assert!(history.changes().expect("tracked").is_empty());
    }

    #[test]
    fn undo_puts_back_only_what_the_last_line_changed() {
        let p = place();
        fs::create_dir_all(p.home.join("a/b")).expect("mkdir");
        fs::write(p.home.join("a/b/notes"), "keep me").expect("write");
        fs::set_permissions(p.home.join("a/b/notes"), fs::Permissions::from_mode(0o640))
            .expect("chmod");
        symlink("a/b/notes", p.home.join("link")).expect("symlink");
        let mut history = history(&p);
        // An earlier line.
        fs::write(p.home.join("earlier"), "stays").expect("write");
        history.after_line();
        // The line to undo: deletes a folder, replaces a link with a folder, adds a file.
        fs::remove_dir_all(p.home.join("a")).expect("rm -r");
        fs::remove_file(p.home.join("link")).expect("rm");
        fs::create_dir(p.home.join("link")).expect("a folder where the link was");
        fs::write(p.home.join("new"), "new").expect("write");
        history.after_line();
        let undone = history
            .undo()
            .expect("undo works")
            .expect("something to undo");
        assert!(undone.removed.contains(&PathBuf::from("new")));
        assert_eq!(
            fs::read_to_string(p.home.join("link")).expect("through the link"),
            "keep me"
        );
        assert_eq!(
            fs::metadata(p.home.join("a/b/notes")).expect("back").mode() & 0o777,
            0o640
        );
        assert!(!p.home.join("new").exists());
        assert_eq!(
            fs::read_to_string(p.home.join("earlier")).expect("kept"),
            "stays"
        );
        assert_eq!(history.undo().expect("nothing more"), None);
        // After the undo, the history still knows the tree: a diff names only the earlier line's file.
        let changes = history.changes().expect("tracked");
        assert_eq!(changes.created, [PathBuf::from("earlier")]);
        assert!(
            changes.changed.is_empty() && changes.removed.is_empty(),
            "{changes:?}"
        );
    }

    #[test]
    fn changes_between_lines_are_not_blamed_on_the_next_line() {
        let p = place();
        let mut history = history(&p);
        fs::write(p.home.join("log"), "a server wrote this").expect("write");
        history.before_line();
        fs::write(p.home.join("mine"), "the line wrote this").expect("write");
        history.after_line();
        assert_eq!(history.last_line_changes(), [PathBuf::from("mine")]);
        history.undo().expect("undo").expect("something");
        assert!(p.home.join("log").exists());
        assert!(!p.home.join("mine").exists());
    }

    #[test]
    fn undo_puts_back_a_file_s_modification_time() {
        let p = place();
        let diary = p.home.join("diary.txt");
        fs::write(&diary, "dear diary\n").expect("write");
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
        fs::File::options()
            .write(true)
            .open(&diary)
            .and_then(|file| file.set_modified(old))
            .expect("set the time");
        let mut history = history(&p);
        history.before_line();
        fs::write(&diary, "\n").expect("emptied");
        history.after_line();
        assert!(history.undo().expect("undo").is_some());
        assert_eq!(fs::read_to_string(&diary).expect("read"), "dear diary\n");
        assert_eq!(
            fs::metadata(&diary)
                .expect("stat")
                .modified()
                .expect("mtime"),
            old
        );
    }

    #[test]
    fn undo_copes_with_locked_folders_and_never_follows_links_out() {
        let p = place();
        let outside = p.home.parent().expect("parent").join("outside");
        fs::create_dir(&outside).expect("mkdir");
        fs::write(outside.join("canary"), "untouched").expect("write");
        fs::create_dir(p.home.join("d")).expect("mkdir");
        fs::write(p.home.join("d/f"), "x").expect("write");
        let mut history = history(&p);
        // The learner replaces the folder with a link out, and locks a new folder.
        fs::remove_dir_all(p.home.join("d")).expect("rm");
        symlink(&outside, p.home.join("d")).expect("symlink");
        fs::create_dir(p.home.join("locked")).expect("mkdir");
        fs::write(p.home.join("locked/x"), "x").expect("write");
        fs::set_permissions(p.home.join("locked"), fs::Permissions::from_mode(0o000))
            .expect("chmod");
        history.after_line();
        history.undo().expect("undo").expect("something");
        assert_eq!(
            fs::read_to_string(p.home.join("d/f")).expect("restored"),
            "x"
        );
        assert!(!p.home.join("locked").exists());
        assert_eq!(
            fs::read_to_string(outside.join("canary")).expect("canary"),
            "untouched"
        );
        assert_eq!(fs::read_dir(&outside).expect("outside").count(), 1);
    }

    #[test]
    fn moved_folders_are_followed_to_their_new_place() {
        let p = place();
        fs::create_dir_all(p.home.join("one/inner")).expect("mkdir");
        let mut history = history(&p);
        fs::rename(p.home.join("one"), p.home.join("two")).expect("mv");
        history.after_line();
        fs::write(p.home.join("two/inner/f"), "x").expect("write");
        history.after_line();
        assert_eq!(history.last_line_changes(), [PathBuf::from("two/inner/f")]);
    }

    #[test]
    fn big_homes_are_refused_with_a_reason() {
        let p = place();
        for i in 0..5 {
            fs::write(p.home.join(format!("f{i}")), "0123456789").expect("write");
        }
        let few = History::start(
            &p.home,
            &p.store,
            Limits {
                entries: 3,
                bytes: 1_000,
            },
        );
        assert!(few
            .unavailable()
            .is_some_and(|why| why.contains("more than 3")));
        let small = History::start(
            &p.home,
            &p.store.join("2"),
            Limits {
                entries: 100,
                bytes: 25,
            },
        );
        assert!(small.unavailable().is_some_and(|why| why.contains("MiB")));
    }

    #[test]
    fn fifos_are_noted_not_read() {
        let p = place();
        let mut history = history(&p);
        nix::unistd::mkfifo(
            &p.home.join("pipe"),
            nix::sys::stat::Mode::from_bits_truncate(0o600),
        )
        .expect("mkfifo");
        history.after_line();
        assert_eq!(history.last_line_changes(), [PathBuf::from("pipe")]);
        history.undo().expect("undo").expect("something");
        assert!(!p.home.join("pipe").exists());
    }
}
