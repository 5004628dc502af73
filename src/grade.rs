//! `shelltutor grade`: runs a learner's answers non-interactively and reports which exercises pass.
//!
//! Each exercise gets a fresh sandbox: its setup runs, then the answer script is typed line by line as a learner
//! would (compound commands kept together), then the checks run. A malicious answer is confined like any learner
//! command and cannot touch another exercise's sandbox. Exit status 0 only if every graded exercise passes.

pub mod format;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde::Serialize;

use crate::attempt::{is_complete, split_commands, Attempt};
use crate::catalog::{closest, Catalog};
use crate::lesson::{keys, Exercise, Lesson};
use crate::parallel::{default_jobs, for_each_ordered};
use crate::programs;
use crate::quote;
use crate::render::sanitize;
use crate::safe_file::{self, Links, ReadError};

/// Answer scripts larger than this are refused: nobody types that much into a shell exercise.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// At most this many commands of an answer run, in at most this much time: each command is limited by the sandbox,
/// and these bound a whole answer, so that a thousand `sleep 100` lines cannot hold a grading run for hours.
const MAX_ANSWER_COMMANDS: usize = 1000;
const MAX_ANSWER_TIME: Duration = Duration::from_secs(300);

/// How many entries of the answers folder (and of each lesson folder in it) are looked at for unmatched files.
const MAX_LISTED_ENTRIES: usize = 10_000;

/// Where the answers come from.
#[derive(Debug, Clone)]
pub enum Answers {
    /// `DIR/<lesson>/<exercise>.sh` (or `.keys`, keystrokes) for every exercise; a missing file is "not attempted".
    Folder(PathBuf),
    /// One exercise, one script.
    Single { exercise: String, script: PathBuf },
}

/// How one exercise went. The names are part of the JSON format (docs/workshops.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    NotAttempted,
    Skipped,
    Error,
}

/// One check's result in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub check: String,
    /// The line of the lesson file the check is on.
    pub line: usize,
    pub passed: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expected: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub found: String,
}

/// One graded exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExerciseResult {
    pub id: String,
    pub lesson: String,
    pub title: String,
    pub status: Status,
    /// Why it did not pass, in a sentence (not attempted, skipped, error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub checks: Vec<CheckResult>,
    #[serde(serialize_with = "as_millis", rename = "duration_ms")]
    pub duration: Duration,
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

/// A whole grading run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeReport {
    /// The JSON format's version; bumped only when a field changes meaning or disappears.
    pub version: u32,
    pub passed: usize,
    pub failed: usize,
    pub not_attempted: usize,
    pub skipped: usize,
    pub errors: usize,
    pub exercises: Vec<ExerciseResult>,
}

impl GradeReport {
    /// The report of these results, with every quoted text bounded (see [`quote::bounded`]).
    fn new(mut exercises: Vec<ExerciseResult>) -> GradeReport {
        for result in &mut exercises {
            if let Some(message) = &mut result.message {
                *message = quote::bounded(message);
            }
            for check in &mut result.checks {
                check.expected = quote::bounded(&check.expected);
                check.found = quote::bounded(&check.found);
            }
        }
        let count = |status| exercises.iter().filter(|e| e.status == status).count();
        GradeReport {
            version: 1,
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            not_attempted: count(Status::NotAttempted),
            skipped: count(Status::Skipped),
            errors: count(Status::Error),
            exercises,
        }
    }

    pub fn all_passed(&self) -> bool {
        self.passed == self.exercises.len() && !self.exercises.is_empty()
    }
}

/// Grades and prints the report in `format`.
pub fn run(
    catalog: &Catalog,
    answers: &Answers,
    only: &[String],
    format: format::Format,
    options: &sandbox::Options,
) -> Result<ExitCode> {
    let tasks = select(catalog, answers, only)?;
    if tasks.is_empty() {
        bail!(
            "nothing to grade: {} no exercises; check the lesson set (--lessons) and --only",
            if only.is_empty() {
                "the lessons have".to_string()
            } else {
                format!(
                    "the lessons or exercises given with --only ({}) have",
                    only.join(", ")
                )
            }
        );
    }
    if let Answers::Folder(dir) = answers {
        for warning in unmatched_answer_files(catalog, dir) {
            eprintln!("warning: {warning}");
        }
    }
    let work = |(lesson, exercise, source): &(&Lesson, &Exercise, Source)| {
        grade_exercise(lesson, exercise, source, options)
    };
    let mut results = Vec::new();
    for_each_ordered(&tasks, default_jobs(), work, |_, result| {
        results.push(result);
        Ok::<(), std::io::Error>(())
    })?;
    let report = GradeReport::new(results);
    let mut out = std::io::stdout().lock();
    format::write(&report, format, &mut out)?;
    out.flush()?;
    Ok(if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where one exercise's answer is read from.
#[derive(Debug, Clone)]
enum Source {
    /// `relative` inside the answers folder `root`, with no link followed.
    Inside { root: PathBuf, relative: PathBuf },
    /// A script named on the command line (it exists: checked before grading).
    Script(PathBuf),
}

impl Source {
    /// How messages name the answer file.
    fn shown(&self) -> String {
        let path = match self {
            Source::Inside { relative, .. } => relative,
            Source::Script(path) => path,
        };
        sanitize::message(&path.display().to_string())
    }
}

/// The exercises to grade, each with where its answer is.
fn select<'a>(
    catalog: &'a Catalog,
    answers: &Answers,
    only: &[String],
) -> Result<Vec<(&'a Lesson, &'a Exercise, Source)>> {
    match answers {
        Answers::Single { exercise, script } => {
            let (lesson, found) = catalog.find_exercise(exercise)?;
            // A missing script is the grader's mistake, not the learner's: say so before grading anything.
            if std::fs::symlink_metadata(script).is_err() {
                bail!(
                    "the answer script '{}' does not exist; give the path of a file with the learner's commands",
                    sanitize::message(&script.display().to_string())
                );
            }
            Ok(vec![(lesson, found, Source::Script(script.clone()))])
        }
        Answers::Folder(dir) => {
            if !dir.is_dir() {
                bail!("answers folder '{}' does not exist; it should hold <lesson>/<exercise>.sh files (see docs/workshops.md)", sanitize::message(&dir.display().to_string()));
            }
            for id in only {
                if id.contains('/') {
                    catalog.find_exercise(id)?;
                } else {
                    catalog.find(id)?;
                }
            }
            let selected = |lesson: &Lesson, exercise: &Exercise| {
                only.is_empty() || only.iter().any(|id| *id == lesson.id || *id == exercise.id)
            };
            Ok(catalog
                .lessons
                .iter()
                .flat_map(|lesson| {
                    lesson
                        .exercises
                        .iter()
                        .map(move |exercise| (lesson, exercise))
                })
                .filter(|(lesson, exercise)| selected(lesson, exercise))
                .map(|(lesson, exercise)| {
                    let source = Source::Inside {
                        root: dir.clone(),
                        relative: answer_path(exercise),
                    };
                    (lesson, exercise, source)
                })
                .collect())
        }
    }
}

/// `<lesson>/<exercise slug>.sh`: where an exercise's answer is, inside the answers folder.
fn answer_path(exercise: &Exercise) -> PathBuf {
    let (lesson, slug) = exercise.id.split_once('/').unwrap_or(("", &exercise.id));
    Path::new(lesson).join(format!("{slug}.sh"))
}

/// How an answer is written: shell lines (`.sh`), or keystrokes for interactive programs (`.keys`, the format of
/// a lesson's `keys solution`, see docs/lesson-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnswerForm {
    Lines,
    Keys,
}

impl AnswerForm {
    fn of(path: &Path) -> AnswerForm {
        if path.extension().is_some_and(|ext| ext == "keys") {
            AnswerForm::Keys
        } else {
            AnswerForm::Lines
        }
    }
}

/// Files in the answers folder that no exercise reads (a typo in a name, an unknown lesson folder), each with the
/// closest expected name. Hidden files and README files are not answers and are left out; links are not followed.
fn unmatched_answer_files(catalog: &Catalog, dir: &Path) -> Vec<String> {
    let expected: Vec<String> = catalog
        .lessons
        .iter()
        .flat_map(|lesson| &lesson.exercises)
        .flat_map(|exercise| {
            let lines = answer_path(exercise);
            let keys = lines.with_extension("keys");
            [lines.display().to_string(), keys.display().to_string()]
        })
        .collect();
    let mut found = Vec::new();
    let is_answer_like =
        |name: &str| !name.starts_with('.') && !name.to_ascii_lowercase().starts_with("readme");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    for entry in entries.flatten().take(MAX_LISTED_ENTRIES) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_answer_like(&name) {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let Ok(inner) = std::fs::read_dir(entry.path()) else {
                continue;
            };
            for file in inner.flatten().take(MAX_LISTED_ENTRIES) {
                let file_name = file.file_name().to_string_lossy().into_owned();
                if is_answer_like(&file_name) {
                    found.push(format!("{name}/{file_name}"));
                }
            }
        } else {
            found.push(name);
        }
    }
    found.sort();
    found
        .into_iter()
        .filter(|relative| !expected.contains(relative))
        .map(|relative| {
            let guess = match closest(&relative, expected.iter().map(String::as_str)).first() {
                Some(best) => format!(" (did you mean '{best}'?)"),
                None => String::new(),
            };
            sanitize::message(&format!(
                "'{relative}' in the answers folder matches no exercise{guess}, so it was not graded; answers are <lesson>/<exercise>.sh or .keys ('shelltutor list --json' has the ids)"
            ))
        })
        .collect()
}

fn grade_exercise(
    lesson: &Lesson,
    exercise: &Exercise,
    source: &Source,
    options: &sandbox::Options,
) -> ExerciseResult {
    let started = Instant::now();
    let (status, message, checks) = match grade_inner(lesson, exercise, source, options) {
        Ok(graded) => graded,
        Err(error) => (
            Status::Error,
            Some(format!(
                "{error:#} (a problem of the grading machine or the lesson, not of the answer)"
            )),
            Vec::new(),
        ),
    };
    ExerciseResult {
        id: exercise.id.clone(),
        lesson: lesson.id.clone(),
        title: exercise.title.clone(),
        status,
        message,
        checks,
        duration: started.elapsed(),
    }
}

type Graded = (Status, Option<String>, Vec<CheckResult>);

/// A result without checks: not attempted, skipped, or failed for a reason found before running anything.
fn verdict(status: Status, message: String) -> Graded {
    (status, Some(message), Vec::new())
}

fn grade_inner(
    lesson: &Lesson,
    exercise: &Exercise,
    source: &Source,
    options: &sandbox::Options,
) -> Result<Graded> {
    let missing = programs::missing(&lesson.requires);
    if !missing.is_empty() {
        return Ok(verdict(
            Status::Skipped,
            format!(
                "needs programs that are not installed here: {}",
                missing.join(", ")
            ),
        ));
    }
    let (text, form) = match read_answer(source) {
        Ok(found) => found,
        Err(Unusable::Missing) => {
            return Ok(verdict(
                Status::NotAttempted,
                format!("not attempted (no {})", source.shown()),
            ))
        }
        Err(Unusable::Learner(why)) => return Ok(verdict(Status::Failed, why)),
        Err(Unusable::Machine(why)) => return Ok(verdict(Status::Error, why)),
    };
    let mut attempt = Attempt::start(exercise, options.clone())?;
    if exercise.quiz.is_some() {
        attempt.answer = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from);
    }
    // A quiz's answer file holds letters, not commands.
    if !exercise.checks.is_empty() || !exercise.shell_checks.is_empty() {
        let commands = match answer_commands(&text, form) {
            Ok(commands) => commands,
            Err(why) => {
                return Ok(verdict(
                    Status::Failed,
                    format!("the answer file '{}' {why}", source.shown()),
                ))
            }
        };
        let started = Instant::now();
        for (index, (command, keys)) in commands.iter().enumerate() {
            if index >= MAX_ANSWER_COMMANDS || started.elapsed() > MAX_ANSWER_TIME {
                return Ok(verdict(
                    Status::Failed,
                    format!(
                        "the answer was stopped after {index} commands and {} seconds; an answer may run at most {MAX_ANSWER_COMMANDS} commands in {} seconds",
                        started.elapsed().as_secs(),
                        MAX_ANSWER_TIME.as_secs()
                    ),
                ));
            }
            match keys {
                None => attempt.run(command)?,
                Some(keys) => attempt.run_keys(command, keys)?,
            };
        }
    }
    let report = attempt.check()?;
    let checks: Vec<CheckResult> = report
        .verdicts
        .iter()
        .map(|v| CheckResult {
            check: v.source.clone(),
            line: v.line,
            passed: v.passed,
            expected: v.expected.clone(),
            found: v.found.clone(),
        })
        .collect();
    let status = if report.passed() {
        Status::Passed
    } else {
        Status::Failed
    };
    Ok((status, None, checks))
}

/// A command of an answer and, for a `.keys` answer, the keystrokes typed into it.
type AnswerCommand = (String, Option<Vec<sandbox::KeyStep>>);

/// The commands of an answer, each with the keystrokes typed into it (`.keys` answers); comment lines of a
/// `.sh` answer are left out.
fn answer_commands(text: &str, form: AnswerForm) -> Result<Vec<AnswerCommand>, String> {
    match form {
        AnswerForm::Lines => Ok(split_commands(text)
            .into_iter()
            .filter(|command| !command.trim_start().starts_with('#') || command.contains('\n'))
            .map(|command| (command, None))
            .collect()),
        AnswerForm::Keys => keys::parse(text, is_complete)
            .map(|lines| {
                lines
                    .into_iter()
                    .map(|line| (line.command, Some(line.keys)))
                    .collect()
            })
            .map_err(|error| {
                format!(
                    "is not a keystroke script: line {}, column {}: {}",
                    error.line + 1,
                    error.column,
                    error.message
                )
            }),
    }
}

/// Why an answer could not be used.
#[derive(Debug)]
enum Unusable {
    /// No file: not attempted.
    Missing,
    /// The learner's mistake (a link, a FIFO, too big, not text): the exercise fails with this reason.
    Learner(String),
    /// Not the learner's doing (the file cannot be read by the grader): an error.
    Machine(String),
}

/// The answer's text and form: a regular file (no link followed inside the answers folder), at most
/// [`MAX_ANSWER_BYTES`], UTF-8 without NUL bytes. In an answers folder, `<exercise>.keys` is read when there is no
/// `<exercise>.sh`; both at once is the learner's mistake, named.
fn read_answer(source: &Source) -> Result<(String, AnswerForm), Unusable> {
    let mut shown = source.shown();
    let (read, form) = match source {
        Source::Inside { root, relative } => {
            let keys = relative.with_extension("keys");
            match safe_file::read_inside(root, relative, MAX_ANSWER_BYTES) {
                Err(ReadError::NotFound) => {
                    shown = sanitize::message(&keys.display().to_string());
                    (
                        safe_file::read_inside(root, &keys, MAX_ANSWER_BYTES),
                        AnswerForm::Keys,
                    )
                }
                read => {
                    if std::fs::symlink_metadata(root.join(&keys)).is_ok() {
                        return Err(Unusable::Learner(format!(
                            "both '{shown}' and '{}' exist; keep the one that is the answer",
                            sanitize::message(&keys.display().to_string())
                        )));
                    }
                    (read, AnswerForm::Lines)
                }
            }
        }
        Source::Script(path) => (
            safe_file::read(path, MAX_ANSWER_BYTES, Links::Refuse),
            AnswerForm::of(path),
        ),
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(ReadError::NotFound) => return Err(Unusable::Missing),
        Err(ReadError::Io(error)) => {
            return Err(Unusable::Machine(format!(
                "the answer file '{shown}' cannot be read: {error}"
            )))
        }
        Err(ReadError::TooLarge { size, limit }) => {
            return Err(Unusable::Learner(format!(
                "the answer file '{shown}' is {}; answers are limited to {} (nobody types that much into an exercise)",
                safe_file::human_size(size),
                safe_file::human_size(limit)
            )))
        }
        Err(other) => {
            return Err(Unusable::Learner(format!(
                "the answer file '{shown}' {other}; answers must be regular files inside the answers folder (links are not followed)"
            )))
        }
    };
    let text = String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        Unusable::Learner(format!(
            "the answer file '{shown}' is not UTF-8 text (line {line}); save it as UTF-8"
        ))
    })?;
    if let Some(offset) = text.find('\0') {
        let line = text[..offset].matches('\n').count() + 1;
        return Err(Unusable::Learner(format!(
            "the answer file '{shown}' contains a NUL byte (line {line}); answers are text, as typed into a shell"
        )));
    }
    Ok((text, form))
}
