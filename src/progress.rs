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
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

/// The progress of one learner, loaded from and saved to one data dir.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    file: ProgressFile,
    /// The open lock file while this store may change the progress; `None` for a store only read for reports.
    _lock: Option<File>,
}

impl Store {
    /// Opens the progress in `dir` to change it: creates `dir` (mode 0700) and takes its lock, then loads.
    ///
    /// Fails if another shelltutor has it open (the message says which process), or if `dir` cannot be written.
    /// Otherwise as [`Store::read`]. The lock is held until the store is dropped.
    pub fn open(dir: &Path) -> Result<(Store, Option<String>)> {
        let lock = lock(dir)?;
        let (mut store, warning) = Store::read(dir)?;
        store._lock = Some(lock);
        Ok((store, warning))
    }

    /// Loads the progress in `dir` without taking the lock, for reports; a missing dir or file means no progress.
    ///
    /// A corrupt file is moved aside (`progress.json.corrupt-<unix time>`) and the store starts empty; the
    /// returned warning names both paths and should be shown to the learner. A file written by a newer format
    /// version is an error, so that it is never overwritten.
    pub fn read(dir: &Path) -> Result<(Store, Option<String>)> {
        remove_stale_temp_files(dir);
        let path = dir.join(FILE_NAME);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => {
                return Ok((Store::empty(dir), None));
            }
            Err(error) => {
                return Err(error).with_context(|| {
                    format!(
                        "cannot read your progress from '{}'; check its permissions, or set SHELLTUTOR_DATA_DIR to another folder",
                        path.display()
                    )
                })
            }
        };
        match parse(&bytes) {
            Ok(file) => Ok((
                Store {
                    dir: dir.to_path_buf(),
                    file,
                    _lock: None,
                },
                None,
            )),
            Err(ParseError::TooNew(version)) => bail!(
                "'{}' was written by a newer shelltutor (progress format {version}; this one reads format {FORMAT_VERSION}); update shelltutor to keep that progress, or move the file away to start over",
                path.display()
            ),
            Err(ParseError::Corrupt(reason)) => {
                let aside = move_aside(&path)?;
                let warning = format!(
                    "your progress file '{}' could not be read ({reason}); it was moved to '{}' and you start with no progress. \
                     To get it back, repair that file and move it back to '{}' (docs/progress.md describes the format).",
                    path.display(),
                    aside.display(),
                    path.display()
                );
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
    pub fn save(&self) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&self.file).context("encoding the progress")?;
        json.push(b'\n');
        write_atomically(&self.dir, FILE_NAME, &json).with_context(|| {
            format!(
                "cannot save your progress in '{}'; make that folder writable, or set SHELLTUTOR_DATA_DIR to a folder you can write",
                self.dir.display()
            )
        })
    }
}

/// Creates `dir` and takes the exclusive lock on its progress, writing our process id into the lock file.
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_NAME);
    let cannot = |what: &str| {
        format!(
            "cannot {what} '{}'; make that folder writable, or set SHELLTUTOR_DATA_DIR to a folder you can write",
            path.display()
        )
    };
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| cannot("create the folder for"))?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .with_context(|| cannot("open the lock file"))?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            let holder = match holder.trim() {
                "" => String::new(),
                pid => format!(" (process {pid})"),
            };
            bail!(
                "another shelltutor{holder} is using the progress in '{}'; close it first (type ':quit' there), then try again",
                dir.display()
            );
        }
        // A file system without locks (some network mounts): carry on unprotected rather than not at all.
        Err(_) => return Ok(file),
    }
    // Only a message needs the id, so failing to record it is no reason to stop.
    let _ = file
        .set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(file)
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
    serde_json::from_value(value)
        .map_err(|e| ParseError::Corrupt(format!("unexpected content: {e}")))
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
        if !candidate.exists() {
            break candidate;
        }
        suffix += 1;
    };
    fs::rename(path, &aside).with_context(|| {
        format!(
            "your progress file '{}' is corrupt and could not be moved to '{}'; move it away yourself (or make its folder writable) to start over",
            path.display(),
            aside.display()
        )
    })?;
    if let Some(dir) = path.parent() {
        // Best effort: the rename has happened; losing it in a crash only means seeing the warning again.
        let _ = sync_dir(dir);
    }
    Ok(aside)
}

/// Replaces `dir/name` by `bytes`: temp file, fsync, rename over, fsync the folder. Creates `dir` (mode 0700).
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let temp = dir.join(temp_name(name, std::process::id()));
    let result = write_and_sync(&temp, bytes)
        .and_then(|()| fs::rename(&temp, dir.join(name)))
        .and_then(|()| sync_dir(dir));
    if result.is_err() {
        // Leave nothing half-written behind; the old file is untouched.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_and_sync(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// `.progress.json.<pid>.tmp`: hidden, and per process, so two tutors never write the same temp file.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.tmp")
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
            .and_then(|rest| rest.strip_suffix(".tmp"))
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
    let days = unix / 86_400;
    let seconds = unix % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Howard Hinnant's `civil_from_days`, for days since 1970-01-01 (never negative here).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
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
            let (store, warning) = read(dir.path());
            let warning = warning.expect("a warning");
            assert_eq!(store.exercises().count(), 0);
            let names = file_names(dir.path());
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
            read(dir.path());
        }
        assert_eq!(file_names(dir.path()).len(), 2);
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
        let stale = dir.path().join(temp_name(FILE_NAME, 4_000_000_000));
        let ours = dir.path().join(temp_name(FILE_NAME, std::process::id()));
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
                Err(error) if error.kind() == ErrorKind::NotFound && last == 0 => 0,
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
