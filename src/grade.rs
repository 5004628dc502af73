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

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::attempt::{split_commands, Attempt};
use crate::catalog::Catalog;
use crate::lesson::{Exercise, Lesson};
use crate::parallel::{default_jobs, for_each_ordered};
use crate::programs;

/// Answer scripts larger than this are refused: nobody types a megabyte into a shell exercise.
const MAX_ANSWER_BYTES: u64 = 256 * 1024;

/// Where the answers come from.
#[derive(Debug, Clone)]
pub enum Answers {
    /// `DIR/<lesson>/<exercise>.sh` for every exercise; a missing file is "not attempted".
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
    fn new(exercises: Vec<ExerciseResult>) -> GradeReport {
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
    let work = |(lesson, exercise, script): &(&Lesson, &Exercise, Option<PathBuf>)| {
        grade_exercise(lesson, exercise, script.as_deref(), options)
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

/// The exercises to grade, each with its answer script (if there is one).
fn select<'a>(
    catalog: &'a Catalog,
    answers: &Answers,
    only: &[String],
) -> Result<Vec<(&'a Lesson, &'a Exercise, Option<PathBuf>)>> {
    match answers {
        Answers::Single { exercise, script } => {
            let (lesson, found) = catalog.find_exercise(exercise)?;
            Ok(vec![(lesson, found, Some(script.clone()))])
        }
        Answers::Folder(dir) => {
            if !dir.is_dir() {
                bail!("answers folder '{}' does not exist; it should hold <lesson>/<exercise>.sh files (see docs/workshops.md)", dir.display());
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
                .map(|(lesson, exercise)| (lesson, exercise, Some(answer_path(dir, exercise))))
                .collect())
        }
    }
}

/// `DIR/<lesson>/<exercise slug>.sh`.
pub fn answer_path(dir: &Path, exercise: &Exercise) -> PathBuf {
    let (lesson, slug) = exercise.id.split_once('/').unwrap_or(("", &exercise.id));
    dir.join(lesson).join(format!("{slug}.sh"))
}

fn grade_exercise(
    lesson: &Lesson,
    exercise: &Exercise,
    script: Option<&Path>,
    options: &sandbox::Options,
) -> ExerciseResult {
    let started = Instant::now();
    let (status, message, checks) = match grade_inner(lesson, exercise, script, options) {
        Ok(graded) => graded,
        Err(error) => (Status::Error, Some(format!("{error:#}")), Vec::new()),
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

fn grade_inner(
    lesson: &Lesson,
    exercise: &Exercise,
    script: Option<&Path>,
    options: &sandbox::Options,
) -> Result<Graded> {
    let missing = programs::missing(&lesson.requires);
    if !missing.is_empty() {
        return Ok((
            Status::Skipped,
            Some(format!(
                "needs programs that are not installed here: {}",
                missing.join(", ")
            )),
            Vec::new(),
        ));
    }
    let Some(script) = script.filter(|path| path.is_file()) else {
        let wanted = script.map_or_else(String::new, |p| format!(" (no {})", p.display()));
        return Ok((
            Status::NotAttempted,
            Some(format!("not attempted{wanted}")),
            Vec::new(),
        ));
    };
    let text = read_answer(script)?;
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
        for command in split_commands(&text) {
            if command.trim_start().starts_with('#') && !command.contains('\n') {
                continue;
            }
            attempt.run(&command)?;
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

fn read_answer(path: &Path) -> Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading answer {}", path.display()))?
        .len();
    if size > MAX_ANSWER_BYTES {
        bail!(
            "answer {} is {size} bytes; answers are limited to {MAX_ANSWER_BYTES} bytes",
            path.display()
        );
    }
    let bytes =
        std::fs::read(path).with_context(|| format!("reading answer {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("answer {} is not UTF-8 text", path.display()))
}
