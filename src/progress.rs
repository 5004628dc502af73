//! The learner's progress: what is done, how it went, and where to resume, kept in `progress.json` in the data dir.
//!
//! The tutor can be killed at any moment, so the file is only ever replaced whole: a temp file in the same folder
//! is written and fsynced, renamed over the old one, and the folder is fsynced. Readers therefore see the previous
//! or the new version, never a mix. A file that cannot be read is moved aside and reported, never overwritten, and
//! a file from a newer shelltutor is refused rather than downgraded. The format is in `docs/progress.md`.
//!
//! Whoever changes the progress holds an exclusive `flock` on `progress.lock` while it has the store open, so a
//! second tutor, or a `reset` while a tutor is open, is refused instead of one silently overwriting the other's
//! progress. The kernel drops the lock when its holder dies, so a killed tutor never leaves a stale lock.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::render::sanitize;
use crate::safe_file::{self, Links, ReadError};

/// The file format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// The progress file's name inside the data dir.
pub const FILE_NAME: &str = "progress.json";

/// The file whose `flock` says who may change the progress (it also holds that process's id, for messages).
const LOCK_NAME: &str = "progress.lock";

/// Where shelltutor keeps its data: `SHELLTUTOR_DATA_DIR`, else `$XDG_DATA_HOME/shelltutor`, else
/// `~/.local/share/shelltutor`.
pub fn data_dir() -> Result<PathBuf> {
    data_dir_from(|name| std::env::var_os(name))
}

/// [`data_dir`] with the environment passed in, so tests need not change the real one.
fn data_dir_from(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf> {
    let set = |name| env(name).filter(|value| !value.is_empty());
    if let Some(dir) = set("SHELLTUTOR_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if let Some(xdg) = set("XDG_DATA_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Ok(xdg.join("shelltutor"));
        }
    }
    match set("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/shelltutor")),
        None => bail!(
            "cannot tell where to keep your progress: HOME is not set; set SHELLTUTOR_DATA_DIR to a folder you can write"
        ),
    }
}

/// How one exercise went. Unknown fields (from a newer shelltutor of the same format version) are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExerciseProgress {
    pub done: bool,
    /// When the exercise was first completed, in seconds since the Unix epoch.
    pub completed_at: Option<u64>,
    /// Commands (or quiz answers) the learner tried.
    pub attempts: u64,
    pub hints_used: u64,
    pub solution_used: bool,
    pub seconds_spent: u64,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

impl ExerciseProgress {
    /// Marks the exercise done; the completion time stays that of the first time.
    pub fn mark_done(&mut self) {
        if !self.done || self.completed_at.is_none() {
            self.completed_at = Some(unix_now());
        }
        self.done = true;
    }

    /// Adds time spent on the exercise, rounded down to whole seconds.
    pub fn add_time(&mut self, spent: Duration) {
        self.seconds_spent = self.seconds_spent.saturating_add(spent.as_secs());
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ProgressFile {
    version: u64,
    /// The exercise to resume at.
    #[serde(default)]
    current: Option<String>,
    /// Keyed by exercise id; entries for exercises not in the current lesson set are kept.
    #[serde(default)]
    exercises: BTreeMap<String, ExerciseProgress>,
    #[serde(flatten)]
    unknown: Map<String, Value>,
}

/// The largest progress file read: a learner with every exercise of 400 lessons done needs well under 1 MiB.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The progress of one learner, loaded from and saved to one data dir.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    file: ProgressFile,
    /// The locked lock file while this store may change the progress; `None` for a store only read for reports.
    _lock: Option<Flock<File>>,
    /// Why the last save failed, while saves keep failing: said once, not after every command.
    failing: Option<String>,
    /// When the progress was last written, for [`Store::save_routine`].
    saved_at: Option<std::time::Instant>,
}

/// How often a routine change (one more attempt, time spent) is written; anything that matters (a pass, a hint,
/// a solution shown, leaving an exercise or the tutor) is written at once.
const ROUTINE_SAVE_INTERVAL: Duration = Duration::from_secs(10);

/// Whether loading may change the data dir (move a corrupt file aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    Owner,
}

impl Store {
    /// Opens the progress in `dir` to change it: creates `dir` (mode 0700) and takes its lock, then loads.
    ///
    /// Fails if another shelltutor has it open (the message says which process), or if `dir` cannot be written.
    /// A corrupt file is moved aside (`progress.json.corrupt-<unix time>`) and the store starts empty; the returned
    /// warning names both paths and should be shown to the learner. A file written by a newer format version is an
    /// error, so that it is never overwritten. The lock is held until the store is dropped.
    pub fn open(dir: &Path) -> Result<(Store, Option<String>)> {
        let lock = lock(dir)?;
        let (mut store, warning) = Store::load(dir, Access::Owner)?;
        store._lock = lock;
        Ok((store, warning))
    }

    /// Loads the progress in `dir` for reports, changing nothing: no lock, no folder created, and a corrupt file
    /// stays where it is (the warning says so; the next `open` moves it aside). A missing dir or file means no
    /// progress.
    pub fn read(dir: &Path) -> Result<(Store, Option<String>)> {
        Store::load(dir, Access::ReadOnly)
    }

    fn load(dir: &Path, access: Access) -> Result<(Store, Option<String>)> {
        if access == Access::Owner {
            remove_stale_temp_files(dir);
        }
        let path = dir.join(FILE_NAME);
        let shown = sanitize::message(&path.display().to_string());
        let bytes = match safe_file::read(&path, MAX_FILE_BYTES, Links::Follow) {
            Ok(bytes) => bytes,
            Err(error) if error.is_not_found() => return Ok((Store::empty(dir), None)),
            Err(ReadError::NotRegular(what)) => bail!(
                "your progress file '{shown}' is {what}, not a regular file; move it away (you then start with no progress), or set SHELLTUTOR_DATA_DIR to another folder"
            ),
            Err(error) => bail!(
                "your progress file '{shown}' {error}; move it away (you then start with no progress), or set SHELLTUTOR_DATA_DIR to another folder"
            ),
        };
        match parse(&bytes) {
            Ok(file) => Ok((
                Store {
                    file,
                    ..Store::empty(dir)
                },
                None,
            )),
            Err(ParseError::TooNew(version)) => bail!(
                "'{shown}' was written by a newer shelltutor (progress format {version}; this one reads format {FORMAT_VERSION}); update shelltutor to keep that progress, or move the file away to start over"
            ),
            Err(ParseError::Corrupt(reason)) => {
                let reason = sanitize::message(&reason);
                let warning = match access {
                    Access::ReadOnly => format!(
                        "your progress file '{shown}' could not be read ({reason}), so no progress is shown. It was left as it is; \
                         the tutor moves it aside when it next starts. To keep that progress, repair the file (docs/progress.md describes the format)."
                    ),
                    Access::Owner => {
                        let aside = move_aside(&path)?;
                        let aside = sanitize::message(&aside.display().to_string());
                        format!(
                            "your progress file '{shown}' could not be read ({reason}); it was moved to '{aside}' and you start with no progress. \
                             To get it back, repair that file and move it back to '{shown}' (docs/progress.md describes the format)."
                        )
                    }
                };
                Ok((Store::empty(dir), Some(warning)))
            }
        }
    }

    fn empty(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
            file: ProgressFile {
                version: FORMAT_VERSION,
                ..ProgressFile::default()
            },
            _lock: None,
            failing: None,
            saved_at: None,
        }
    }

    pub fn exercise(&self, id: &str) -> Option<&ExerciseProgress> {
        self.file.exercises.get(id)
    }

    /// Every stored entry, including those for exercises no longer in the lesson set.
    pub fn exercises(&self) -> impl Iterator<Item = (&str, &ExerciseProgress)> {
        self.file.exercises.iter().map(|(id, p)| (id.as_str(), p))
    }

    /// Changes an exercise's progress, creating its entry if there is none. Call [`Store::save`] to keep it.
    pub fn update(&mut self, id: &str, change: impl FnOnce(&mut ExerciseProgress)) {
        change(self.file.exercises.entry(id.to_string()).or_default());
    }

    pub fn is_done(&self, id: &str) -> bool {
        self.exercise(id).is_some_and(|p| p.done)
    }

    /// The exercise to resume at, as last set; it may no longer exist in the lesson set.
    pub fn current(&self) -> Option<&str> {
        self.file.current.as_deref()
    }

    pub fn set_current(&mut self, id: &str) {
        self.file.current = Some(id.to_string());
    }

    /// Forgets the progress of every exercise whose id matches (and the resume point if it matches);
    /// returns how many entries were removed. Call [`Store::save`] to keep it.
    pub fn reset(&mut self, mut matches: impl FnMut(&str) -> bool) -> usize {
        let before = self.file.exercises.len();
        self.file.exercises.retain(|id, _| !matches(id));
        if self.file.current.as_deref().is_some_and(&mut matches) {
            self.file.current = None;
        }
        before - self.file.exercises.len()
    }

    /// Writes the progress atomically: after a crash at any moment the file holds the old or the new state.
    ///
    /// A failure is returned once, when saving starts to fail (a full disk, a folder made read-only), with a
    /// message saying that progress is not being saved; while it goes on failing, later saves stay quiet, so a
    /// session is not buried under the same error after every command. [`Store::close`] reports it again.
    pub fn save(&mut self) -> Result<()> {
        match self.write() {
            Ok(()) => {
                self.failing = None;
                self.saved_at = Some(std::time::Instant::now());
                Ok(())
            }
            Err(_) if self.failing.is_some() => Ok(()),
            Err(error) => {
                let reason = format!("{error:#}");
                self.failing = Some(reason.clone());
                bail!("{reason}. Your progress is not being saved from now on; the tutor keeps going, and says so again when you leave")
            }
        }
    }

    /// Saves a routine change (the count of attempts) if the last save is [`ROUTINE_SAVE_INTERVAL`] old: a file
    /// written, synced and renamed after every line would be most of a line's cost. A crash loses at most that much
    /// counting; [`Store::close`] writes the rest.
    pub fn save_routine(&mut self) -> Result<()> {
        match self.saved_at {
            Some(at) if at.elapsed() < ROUTINE_SAVE_INTERVAL => Ok(()),
            _ => self.save(),
        }
    }

    /// The last save, when leaving: fails whenever the progress could not be written, so that the program ends
    /// with a non-zero status instead of a "saved" that is not true.
    pub fn close(&mut self) -> Result<()> {
        self.write().map_err(|error| {
            anyhow::anyhow!("{error:#}. Your progress since saving started to fail is lost")
        })?;
        self.failing = None;
        Ok(())
    }

    fn write(&self) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&self.file).context("encoding the progress")?;
        json.push(b'\n');
        let shown = sanitize::message(&self.dir.display().to_string());
        create_data_dir(&self.dir)?;
        let target = save_target(&self.dir.join(FILE_NAME));
        write_atomically(&target, &json).with_context(|| {
            format!(
                "cannot save your progress in '{shown}'; make that folder writable (or free some space), or set SHELLTUTOR_DATA_DIR to a folder you can write"
            )
        })
    }
}

/// Creates the data dir (mode 0700), with a message that says what is in the way when it cannot.
fn create_data_dir(dir: &Path) -> Result<()> {
    let shown = sanitize::message(&dir.display().to_string());
    if let Ok(metadata) = fs::metadata(dir) {
        if !metadata.is_dir() {
            bail!(
                "the data folder '{shown}' is {}, not a folder; move it away, or set SHELLTUTOR_DATA_DIR to a folder",
                safe_file::describe(metadata.file_type())
            );
        }
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|error| {
            let why = match error.raw_os_error() {
                Some(libc::ENOTDIR | libc::EEXIST) => {
                    "a part of that path is a file, not a folder".to_string()
                }
                _ => error.to_string(),
            };
            anyhow::anyhow!(
                "cannot create the data folder '{shown}': {why}; set SHELLTUTOR_DATA_DIR to a folder you can write"
            )
        })
}

/// Where a save writes: the progress file, or, if it is a symbolic link (kept in a dotfiles repository, say), the
/// file it points to, so that saving keeps the link instead of replacing it with a file.
fn save_target(path: &Path) -> PathBuf {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return path.to_path_buf();
    }
    match fs::canonicalize(path) {
        Ok(target) => target,
        // A dangling link: write where it points, relative to the link's folder.
        Err(_) => match (fs::read_link(path), path.parent()) {
            (Ok(link), Some(parent)) => parent.join(link),
            _ => path.to_path_buf(),
        },
    }
}

/// Creates `dir` and takes the exclusive lock on its progress, writing our process id into the lock file; `None`
/// where the file system has no locks.
fn lock(dir: &Path) -> Result<Option<Flock<File>>> {
    let path = dir.join(LOCK_NAME);
    let shown = sanitize::message(&path.display().to_string());
    create_data_dir(dir)?;
    // No link is followed and nothing but a regular file is used: the lock file is truncated below.
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .with_context(|| {
            format!(
                "cannot open the lock file '{shown}'; if it is a link or not a file, remove it; else make its folder writable, or set SHELLTUTOR_DATA_DIR to a folder you can write"
            )
        })?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        bail!(
            "the lock file '{shown}' is {}, not a regular file; remove it and try again",
            safe_file::describe(metadata.file_type())
        );
    }
    let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(locked) => locked,
        Err((_, Errno::EWOULDBLOCK)) => {
            let holder = safe_file::read(&path, 64, Links::Refuse).unwrap_or_default();
            let holder = match String::from_utf8_lossy(&holder).trim() {
                pid if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => {
                    format!(" (process {pid})")
                }
                _ => String::new(),
            };
            bail!(
                "another shelltutor{holder} is using the progress in '{}'; close it first (type ':quit' there), then try again",
                sanitize::message(&dir.display().to_string())
            );
        }
        // A file system without locks (some network mounts): carry on unprotected rather than not at all.
        Err(_) => return Ok(None),
    };
    // Only a message needs the id, so failing to record it is no reason to stop.
    let _ = file
        .set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(Some(file))
}

/// Why a progress file's bytes were not accepted.
#[derive(Debug, PartialEq)]
enum ParseError {
    /// Not JSON, not the right shape, or an old/missing version: move it aside.
    Corrupt(String),
    /// Written by a newer format: leave it alone.
    TooNew(u64),
}

fn parse(bytes: &[u8]) -> Result<ProgressFile, ParseError> {
    // Some editors save UTF-8 with a byte-order mark; JSON parsers refuse it, people do not see it.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::Corrupt(format!("not valid JSON: {e}")))?;
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| ParseError::Corrupt("no \"version\" number at the top".to_string()))?;
    if version > FORMAT_VERSION {
        return Err(ParseError::TooNew(version));
    }
    if version < FORMAT_VERSION {
        return Err(ParseError::Corrupt(format!(
            "unknown format version {version}"
        )));
    }
    // Parsed again from the bytes, so that a wrong field is reported with its place: its path and line.
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        ParseError::Corrupt(format!(
            "unexpected content at '{}': {}",
            error.path(),
            error.inner()
        ))
    })
}

/// Renames a bad file to `<name>.corrupt-<unix time>` (with `-2`, `-3`... if taken) and returns the new path.
fn move_aside(path: &Path) -> Result<PathBuf> {
    let stamp = unix_now();
    let mut suffix = 1;
    let aside = loop {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".corrupt-{stamp}"));
        if suffix > 1 {
            name.push(format!("-{suffix}"));
        }
        let candidate = PathBuf::from(name);
        if fs::symlink_metadata(&candidate).is_err() {
            break candidate;
        }
        suffix += 1;
    };
    fs::rename(path, &aside).with_context(|| {
        format!(
            "your progress file '{}' is corrupt and could not be moved to '{}'; move it away yourself (or make its folder writable) to start over",
            sanitize::message(&path.display().to_string()),
            sanitize::message(&aside.display().to_string())
        )
    })?;
    if let Some(dir) = path.parent() {
        // Best effort: the rename has happened; losing it in a crash only means seeing the warning again.
        let _ = sync_dir(dir);
    }
    Ok(aside)
}

/// Replaces the file at `target` by `bytes`: a temp file beside it, written and fsynced, renamed over it, and the
/// folder fsynced. A failure leaves the old file untouched and no temp file behind.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy());
    // Private (tempfile makes it 0600) and hidden, with our process id so a later start can tell it is stale.
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(&name, std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|error| error.error)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// `.progress.json.<pid>.`: the start of our temp files' names (a random part and `.tmp` follow).
fn temp_prefix(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.")
}

/// Removes temp files left by tutors that were killed mid-save (their process no longer exists).
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{FILE_NAME}.");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(&prefix)
            .filter(|rest| rest.ends_with(".tmp"))
            .and_then(|rest| rest.split('.').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-11-23T21:40:00Z` for a Unix time, for people and exports.
pub fn format_utc(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use super::*;

    fn temp_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("shelltutor-progress-")
            .tempdir()
            .expect("a temp dir")
    }

    fn open(dir: &Path) -> (Store, Option<String>) {
        Store::open(dir).expect("the store opens")
    }

    fn read(dir: &Path) -> (Store, Option<String>) {
        Store::read(dir).expect("the store reads")
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("the dir lists")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_data_dir_follows_the_override_then_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| OsString::from(value))
            }
        };
        let dir = |pairs| data_dir_from(env(pairs)).expect("a data dir");
        assert_eq!(
            dir(&[("SHELLTUTOR_DATA_DIR", "/d"), ("HOME", "/h")]),
            PathBuf::from("/d")
        );
        assert_eq!(
            dir(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]),
            PathBuf::from("/x/shelltutor")
        );
        assert_eq!(
            dir(&[("XDG_DATA_HOME", "relative"), ("HOME", "/h")]),
            PathBuf::from("/h/.local/share/shelltutor")
        );
        assert_eq!(
            dir(&[("SHELLTUTOR_DATA_DIR", ""), ("HOME", "/h")]),
            PathBuf::from("/h/.local/share/shelltutor")
        );
        let error = data_dir_from(env(&[])).expect_err("no home, no dir");
        assert!(error.to_string().contains("SHELLTUTOR_DATA_DIR"), "{error}");
    }

    #[test]
    fn a_missing_file_is_no_progress() {
        let dir = temp_dir();
        let (store, warning) = read(&dir.path().join("not/yet"));
        assert_eq!(warning, None);
        assert_eq!(store.exercises().count(), 0);
        assert_eq!(store.current(), None);
        assert!(!dir.path().join("not").exists(), "reading creates nothing");
    }

    #[test]
    fn progress_survives_a_round_trip() {
        let dir = temp_dir();
        let (mut store, _) = open(dir.path());
        store.update("cd/go-into-a-folder", |p| {
            p.attempts += 3;
            p.hints_used += 1;
            p.solution_used = true;
            p.add_time(Duration::from_millis(65_900));
            p.mark_done();
        });
        store.update("cd/go-home", |p| p.attempts += 1);
        store.set_current("cd/go-home");
        store.save().expect("saved");

        let (again, warning) = read(dir.path());
        assert_eq!(warning, None);
        let done = again.exercise("cd/go-into-a-folder").expect("an entry");
        assert_eq!(
            (
                done.attempts,
                done.hints_used,
                done.solution_used,
                done.seconds_spent
            ),
            (3, 1, true, 65)
        );
        assert!(done.completed_at.is_some());
        assert!(again.is_done("cd/go-into-a-folder"));
        assert!(!again.is_done("cd/go-home"));
        assert!(!again.is_done("cd/never-seen"));
        assert_eq!(again.current(), Some("cd/go-home"));
    }

    #[test]
    fn the_first_completion_time_is_kept() {
        let mut progress = ExerciseProgress {
            done: true,
            completed_at: Some(42),
            ..ExerciseProgress::default()
        };
        progress.mark_done();
        assert_eq!(progress.completed_at, Some(42));
    }

    #[test]
    fn saving_creates_a_private_dir_and_leaves_no_temp_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir();
        let data = dir.path().join("a/b/shelltutor");
        let (mut store, _) = open(&data);
        store.set_current("whoami/print-it");
        store.save().expect("saved");
        store.save().expect("saved again");
        assert_eq!(file_names(&data), [FILE_NAME, LOCK_NAME]);
        let mode = fs::metadata(&data).expect("the dir").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn an_unwritable_dir_is_an_error_naming_it_and_what_to_do() {
        // A folder under a regular file cannot be created even by root, unlike a chmod-ed one.
        let dir = temp_dir();
        fs::write(dir.path().join("file"), "").expect("written");
        let data = dir.path().join("file/shelltutor");
        let error = Store::empty(&data).save().expect_err("cannot save");
        let message = format!("{error:#}");
        assert!(message.contains(&data.display().to_string()), "{message}");
        assert!(message.contains("SHELLTUTOR_DATA_DIR"), "{message}");
        assert!(
            message.contains("a part of that path is a file"),
            "{message}"
        );
        assert!(!message.contains("os error"), "{message}");

        let error = Store::open(&dir.path().join("file")).expect_err("a file, not a folder");
        let message = format!("{error:#}");
        assert!(
            message.contains("is a regular file, not a folder"),
            "{message}"
        );
    }

    #[test]
    fn a_failing_save_is_reported_once_and_again_when_closing() {
        let dir = temp_dir();
        let data = dir.path().join("data");
        let (mut store, _) = open(&data);
        store.save().expect("saved");
        // Replacing the folder by a file makes every later save fail, as a full disk would.
        fs::remove_dir_all(&data).expect("removed");
        fs::write(&data, "").expect("a file in the way");
        let first = store.save().expect_err("the first failure is reported");
        assert!(
            format!("{first:#}").contains("not being saved from now on"),
            "{first:#}"
        );
        store.update("cd/a", |p| p.attempts += 1);
        assert!(store.save().is_ok(), "later failures stay quiet");
        let last = store.close().expect_err("leaving reports it again");
        assert!(format!("{last:#}").contains("is lost"), "{last:#}");
        fs::remove_file(&data).expect("removed");
        store.save().expect("saving works again");
        store.close().expect("and so does leaving");
    }

    #[test]
    fn reading_for_a_report_changes_nothing_even_when_the_file_is_corrupt() {
        let dir = temp_dir();
        fs::write(dir.path().join(FILE_NAME), "not json").expect("written");
        let (store, warning) = read(dir.path());
        assert_eq!(store.exercises().count(), 0);
        let warning = warning.expect("a warning");
        assert!(warning.contains("was left as it is"), "{warning}");
        assert_eq!(file_names(dir.path()), [FILE_NAME]);
    }

    #[test]
    fn a_wrong_field_is_reported_with_its_place_and_a_byte_order_mark_is_fine() {
        let bad = b"{\"version\": 1,\n \"exercises\": {\"cd/x\": {\"attempts\": \"many\"}}}";
        let Err(ParseError::Corrupt(reason)) = parse(bad) else {
            panic!("corrupt");
        };
        assert!(reason.contains("exercises.cd/x.attempts"), "{reason}");
        assert!(reason.contains("line 2"), "{reason}");
        let with_bom = b"\xef\xbb\xbf{\"version\": 1, \"current\": \"cd/x\"}";
        assert_eq!(
            parse(with_bom).expect("parses").current.as_deref(),
            Some("cd/x")
        );
    }

    #[test]
    fn fifos_devices_and_huge_files_are_refused_with_the_file_named() {
        let dir = temp_dir();
        let path = dir.path().join(FILE_NAME);
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        let error = Store::read(dir.path()).expect_err("a FIFO");
        let message = format!("{error:#}");
        assert!(message.contains("FIFO"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        fs::remove_file(&path).expect("removed");
        std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
        let error = Store::open(dir.path()).expect_err("a device");
        assert!(
            format!("{error:#}").contains("character device"),
            "{error:#}"
        );
    }

    #[test]
    fn a_symlinked_progress_file_stays_a_link() {
        let dir = temp_dir();
        let elsewhere = dir.path().join("dotfiles");
        fs::create_dir(&elsewhere).expect("mkdir");
        let data = dir.path().join("data");
        fs::create_dir(&data).expect("mkdir");
        std::os::unix::fs::symlink(elsewhere.join("progress.json"), data.join(FILE_NAME))
            .expect("symlink");
        let (mut store, _) = open(&data);
        store.set_current("cd/a");
        store.save().expect("saved");
        store.set_current("cd/b");
        store.save().expect("saved again");
        let link = fs::symlink_metadata(data.join(FILE_NAME)).expect("still there");
        assert!(link.file_type().is_symlink());
        let (again, _) = read(&data);
        assert_eq!(again.current(), Some("cd/b"));
    }

    #[test]
    fn only_one_store_at_a_time_may_change_the_progress() {
        let dir = temp_dir();
        let (mut first, _) = open(dir.path());
        let error = Store::open(dir.path()).expect_err("the lock is taken");
        let message = error.to_string();
        assert!(
            message.contains(&format!(
                "another shelltutor (process {})",
                std::process::id()
            )),
            "{message}"
        );
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
        first.update("cd/a", |p| p.attempts += 1);
        first.save().expect("saved");
        let (report, _) = read(dir.path());
        assert_eq!(report.exercises().count(), 1, "reading needs no lock");
        drop(first);
        let (second, _) = open(dir.path());
        assert!(second.exercise("cd/a").is_some());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_with_its_bytes() {
        for bad in [
            &b"{\"version\": 1, \"exercises\": {\"cd/x\": {\"done\": tr"[..],
            b"not json",
            b"",
            b"[1, 2]",
            b"{\"version\": 1, \"exercises\": {\"cd/x\": {\"attempts\": \"three\"}}}",
            b"{\"version\": 0}",
            b"{\"exercises\": {}}",
        ] {
            let dir = temp_dir();
            fs::write(dir.path().join(FILE_NAME), bad).expect("written");
            let (store, warning) = open(dir.path());
            let warning = warning.expect("a warning");
            assert_eq!(store.exercises().count(), 0);
            let names: Vec<String> = file_names(dir.path())
                .into_iter()
                .filter(|name| name != LOCK_NAME)
                .collect();
            assert_eq!(names.len(), 1, "{names:?}");
            assert!(names[0].starts_with("progress.json.corrupt-"), "{names:?}");
            let aside = dir.path().join(&names[0]);
            assert_eq!(fs::read(&aside).expect("moved file"), bad);
            assert!(warning.contains(&aside.display().to_string()), "{warning}");
            assert!(
                warning.contains(&dir.path().join(FILE_NAME).display().to_string()),
                "{warning}"
            );
        }
    }

    #[test]
    fn a_second_corrupt_file_does_not_replace_the_first() {
        let dir = temp_dir();
        for bytes in ["first", "second"] {
            fs::write(dir.path().join(FILE_NAME), bytes).expect("written");
            open(dir.path());
        }
        assert_eq!(
            file_names(dir.path()).len(),
            3,
            "two set aside, and the lock"
        );
    }

    #[test]
    fn a_newer_format_is_refused_and_left_alone() {
        let dir = temp_dir();
        let newer = b"{\"version\": 2, \"everything\": \"different\"}";
        fs::write(dir.path().join(FILE_NAME), newer).expect("written");
        let error = Store::read(dir.path()).expect_err("refused");
        assert!(error.to_string().contains("newer shelltutor"), "{error}");
        assert_eq!(file_names(dir.path()), [FILE_NAME]);
        let error = Store::open(dir.path()).expect_err("refused");
        assert!(error.to_string().contains("newer shelltutor"), "{error}");
        assert_eq!(fs::read(dir.path().join(FILE_NAME)).expect("kept"), newer);
    }

    #[test]
    fn entries_and_fields_this_build_does_not_know_are_kept() {
        let dir = temp_dir();
        let old = r#"{"version": 1, "current": "gone/away", "theme": "dark",
            "exercises": {"gone/away": {"done": true, "attempts": 2, "mood": "happy"}}}"#;
        fs::write(dir.path().join(FILE_NAME), old).expect("written");
        let (mut store, warning) = open(dir.path());
        assert_eq!(warning, None);
        store.update("cd/new", |p| p.attempts += 1);
        store.save().expect("saved");
        let saved: Value =
            serde_json::from_slice(&fs::read(dir.path().join(FILE_NAME)).expect("read"))
                .expect("JSON");
        assert_eq!(saved["theme"], "dark");
        assert_eq!(saved["exercises"]["gone/away"]["mood"], "happy");
        assert_eq!(saved["exercises"]["gone/away"]["attempts"], 2);
        assert_eq!(saved["exercises"]["cd/new"]["attempts"], 1);
        assert_eq!(saved["current"], "gone/away");
    }

    #[test]
    fn reset_removes_matching_entries_and_the_resume_point() {
        let dir = temp_dir();
        let (mut store, _) = open(dir.path());
        for id in ["cd/a", "cd/b", "whoami/a"] {
            store.update(id, |p| p.attempts += 1);
        }
        store.set_current("cd/b");
        assert_eq!(store.reset(|id| id == "cd/a"), 1);
        assert_eq!(store.current(), Some("cd/b"));
        assert_eq!(store.reset(|id| id.starts_with("cd/")), 1);
        assert_eq!(store.current(), None);
        assert_eq!(store.reset(|_| true), 1);
        assert_eq!(store.exercises().count(), 0);
    }

    #[test]
    fn stale_temp_files_of_dead_tutors_are_removed() {
        let dir = temp_dir();
        // PIDs are below 2^22 on Linux, so this one cannot be alive.
        let stale = dir
            .path()
            .join(format!("{}x7Rq.tmp", temp_prefix(FILE_NAME, 4_000_000_000)));
        let ours = dir.path().join(format!(
            "{}a1b2.tmp",
            temp_prefix(FILE_NAME, std::process::id())
        ));
        fs::write(&stale, "half").expect("written");
        fs::write(&ours, "mine").expect("written");
        open(dir.path());
        assert!(!stale.exists());
        assert!(
            ours.exists(),
            "a live process's temp file is not ours to remove"
        );
    }

    #[test]
    fn utc_times_are_formatted() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_469_000), "2026-11-23T21:23:20Z");
    }

    /// Set to a folder, this makes [`save_loop_child`] save forever there (for the crash test).
    const SAVE_LOOP_DIR: &str = "SHELLTUTOR_TEST_SAVE_LOOP_DIR";
    const SAVE_LOOP_EXERCISES: u64 = 300;

    /// The state after save number `n`: every field of every entry says `n`, so a torn write would show.
    fn apply_generation(store: &mut Store, n: u64) {
        for index in 0..SAVE_LOOP_EXERCISES {
            store.update(&format!("lesson/exercise-{index}"), |p| {
                p.attempts = n;
                p.hints_used = n;
                p.seconds_spent = n * 2;
                p.done = n % 2 == 1;
            });
        }
        store.set_current(&format!("lesson/exercise-{}", n % SAVE_LOOP_EXERCISES));
    }

    /// The generation a saved file holds, after checking it is one whole, consistent state.
    fn generation_of(bytes: &[u8]) -> u64 {
        let file = parse(bytes).expect("the file parses after a kill");
        let n = file
            .exercises
            .get("lesson/exercise-0")
            .map_or(0, |p| p.attempts);
        let mut expected = Store::empty(Path::new("/unused"));
        if n > 0 {
            apply_generation(&mut expected, n);
        }
        assert_eq!(file, expected.file, "the file mixes generations");
        n
    }

    /// Not a test on its own: with [`SAVE_LOOP_DIR`] set, continues the saved generation and saves forever.
    #[test]
    fn save_loop_child() {
        let Some(dir) = std::env::var_os(SAVE_LOOP_DIR).map(PathBuf::from) else {
            return;
        };
        let (mut store, warning) = Store::open(&dir).expect("the store opens");
        assert_eq!(warning, None);
        let mut n = store
            .exercise("lesson/exercise-0")
            .map_or(0, |p| p.attempts);
        loop {
            n += 1;
            apply_generation(&mut store, n);
            store.save().expect("saved");
        }
    }

    #[test]
    fn a_killed_save_leaves_the_old_or_the_new_file() {
        let dir = temp_dir();
        let exe = std::env::current_exe().expect("the test binary");
        let mut random = u64::from(std::process::id()) | 1;
        let mut last = 0;
        let deadline = Instant::now() + Duration::from_secs(60);
        for _ in 0..50 {
            if Instant::now() > deadline {
                break;
            }
            // xorshift: enough randomness to hit startup, mid-write and mid-rename moments.
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut child = Command::new(&exe)
                .args(["progress::tests::save_loop_child", "--exact", "--nocapture"])
                .env(SAVE_LOOP_DIR, dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("the child starts");
            std::thread::sleep(Duration::from_micros(random % 60_000));
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
            let now = match fs::read(dir.path().join(FILE_NAME)) {
                Ok(bytes) => generation_of(&bytes),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound && last == 0 => 0,
                Err(error) => panic!("the progress file is gone: {error}"),
            };
            assert!(now >= last, "progress went back from {last} to {now}");
            last = now;
        }
        assert!(last > 0, "the child never saved; the test tested nothing");
        open(dir.path());
        assert_eq!(
            file_names(dir.path()),
            [FILE_NAME, LOCK_NAME],
            "no temp or corrupt files"
        );
    }
}
