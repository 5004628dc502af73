//! `shelltutor progress` and `shelltutor reset`: show (or export, for instructors) and forget a learner's progress.
//!
//! Both report against the current lesson set, in catalog order: stored entries for exercises that no longer
//! exist are neither shown nor counted, but stay in the file (see `docs/progress.md`). Neither needs a terminal;
//! `reset` asks before forgetting anything unless given `--yes`, and refuses to guess when it cannot ask.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::catalog::{self, Catalog};
use crate::lesson::Lesson;
use crate::progress::{self, ExerciseProgress, Store};
use crate::render::sanitize;
use crate::terminal::Style;

#[derive(clap::Args, Debug)]
pub struct ProgressArgs {
    /// Print JSON for instructors instead of text (the format is in docs/progress.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["id", "all"])))]
pub struct ResetArgs {
    /// A lesson id (all its exercises) or an exercise id LESSON/EXERCISE (see 'shelltutor list')
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::completion::lesson_or_exercise_ids))]
    pub id: Option<String>,

    /// Forget all progress, including where to resume
    #[arg(long, conflicts_with = "id")]
    pub all: bool,

    /// Do not ask for confirmation (needed when not run from a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run_progress(
    args: &ProgressArgs,
    catalog: &Catalog,
    data_dir: &Path,
    style: &Style,
) -> Result<ExitCode> {
    // Only reads, so it works while a tutor is open and on a read-only data dir.
    let (store, warning) = Store::read(data_dir)?;
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::json::write_pretty(&mut out, &export(catalog, &store))?;
    } else {
        // Written as plain io so that a closed pipe (`| head`) is recognised and stays quiet.
        out.write_all(report(catalog, &store, style.width).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The text of the tutor's `:progress` (the same report as `shelltutor progress`, unwrapped).
pub fn report_text(catalog: &Catalog, store: &Store) -> String {
    report(catalog, store, usize::MAX)
}

/// The text of `shelltutor progress`: per lesson done/total, then per exercise, wrapped to `width` columns.
fn report(catalog: &Catalog, store: &Store, width: usize) -> String {
    let known = |id: &str| store.exercise(id).is_some();
    let started = catalog
        .lessons
        .iter()
        .flat_map(|lesson| &lesson.exercises)
        .any(|exercise| known(&exercise.id));
    if !started {
        return fit("No progress yet. Start with 'shelltutor' (it opens the first exercise), or pick one with \
                'shelltutor start ID' (ids: 'shelltutor list').", width, 0);
    }
    let (done, total) = count(catalog.lessons.iter(), store);
    let mut text = format!("{done} of {total} exercises done.\n");
    let slug_width = catalog
        .lessons
        .iter()
        .flat_map(|lesson| &lesson.exercises)
        .map(|exercise| slug(&exercise.id).len())
        .max()
        .unwrap_or(0);
    for lesson in &catalog.lessons {
        let (done, total) = count(std::iter::once(lesson), store);
        text.push('\n');
        text.push_str(&fit(
            &format!("{} ({}): {done} of {total} done", lesson.title, lesson.id),
            width,
            0,
        ));
        for exercise in &lesson.exercises {
            let line = match store.exercise(&exercise.id) {
                Some(progress) => describe(progress),
                None => "not started".to_string(),
            };
            let row = format!("  {:<slug_width$}  {line}", slug(&exercise.id));
            if row.chars().count() <= width {
                text.push_str(&row);
                text.push('\n');
            } else {
                // Too narrow for two columns: the description goes under the exercise.
                text.push_str(&fit(slug(&exercise.id), width, 2));
                text.push_str(&fit(&line, width, 6));
            }
        }
    }
    if let Some(current) = store.current().filter(|id| exercise_exists(catalog, id)) {
        text.push('\n');
        text.push_str(&fit(
            &format!("You are at {current}; 'shelltutor' continues there."),
            width,
            0,
        ));
    }
    text
}

/// `text` (sanitized) wrapped to `width` columns, every line indented by `indent` spaces, ending in a newline.
fn fit(text: &str, width: usize, indent: usize) -> String {
    let text = sanitize::inline(text);
    if indent + text.chars().count() <= width {
        return format!("{:indent$}{text}\n", "");
    }
    crate::render::wrap_text(&text, width.saturating_sub(indent).max(10))
        .iter()
        .map(|part| format!("{:indent$}{part}\n", ""))
        .collect()
}

/// `done     3 attempts, 1 hint, solution shown, 2m 05s`.
fn describe(progress: &ExerciseProgress) -> String {
    let status = if progress.done { "done" } else { "started" };
    let mut parts = vec![plural(progress.attempts, "attempt")];
    if progress.hints_used > 0 {
        parts.push(plural(progress.hints_used, "hint"));
    }
    if progress.solution_used {
        parts.push("solution shown".to_string());
    }
    parts.push(duration(progress.seconds_spent));
    format!("{status:<8} {}", parts.join(", "))
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `45s`, `2m 05s`, `1h 02m`.
fn duration(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m {:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h {:02}m", seconds / 3600, seconds / 60 % 60),
    }
}

fn slug(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn count<'a>(lessons: impl Iterator<Item = &'a Lesson>, store: &Store) -> (usize, usize) {
    lessons
        .flat_map(|lesson| &lesson.exercises)
        .fold((0, 0), |(done, total), exercise| {
            (done + usize::from(store.is_done(&exercise.id)), total + 1)
        })
}

fn exercise_exists(catalog: &Catalog, id: &str) -> bool {
    catalog
        .lessons
        .iter()
        .flat_map(|lesson| &lesson.exercises)
        .any(|exercise| exercise.id == id)
}

/// `progress --json`: a stable export. Fields are only ever added; a change of meaning bumps `version`.
#[derive(Debug, Serialize)]
struct Export<'a> {
    version: u64,
    /// `$USER` (or `$LOGNAME`), so an instructor can tell exports apart.
    user: Option<String>,
    exported_at: String,
    current: Option<&'a str>,
    done: usize,
    total: usize,
    lessons: Vec<ExportLesson<'a>>,
}

#[derive(Debug, Serialize)]
struct ExportLesson<'a> {
    id: &'a str,
    title: &'a str,
    done: usize,
    total: usize,
    exercises: Vec<ExportExercise<'a>>,
}

#[derive(Debug, Serialize)]
struct ExportExercise<'a> {
    id: &'a str,
    title: &'a str,
    started: bool,
    done: bool,
    completed_at: Option<String>,
    attempts: u64,
    hints_used: u64,
    solution_used: bool,
    seconds_spent: u64,
}

const EXPORT_VERSION: u64 = 1;

fn export<'a>(catalog: &'a Catalog, store: &'a Store) -> Export<'a> {
    let lessons: Vec<ExportLesson> = catalog
        .lessons
        .iter()
        .map(|lesson| {
            let (done, total) = count(std::iter::once(lesson), store);
            ExportLesson {
                id: &lesson.id,
                title: &lesson.title,
                done,
                total,
                exercises: lesson
                    .exercises
                    .iter()
                    .map(|exercise| {
                        let progress = store.exercise(&exercise.id);
                        let fields = progress.cloned().unwrap_or_default();
                        ExportExercise {
                            id: &exercise.id,
                            title: &exercise.title,
                            started: progress.is_some(),
                            done: fields.done,
                            completed_at: fields.completed_at.map(progress::format_utc),
                            attempts: fields.attempts,
                            hints_used: fields.hints_used,
                            solution_used: fields.solution_used,
                            seconds_spent: fields.seconds_spent,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Export {
        version: EXPORT_VERSION,
        user: ["USER", "LOGNAME"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|user| !user.is_empty()),
        exported_at: progress::format_utc(progress::unix_now()),
        current: store.current().filter(|id| exercise_exists(catalog, id)),
        done: lessons.iter().map(|l| l.done).sum(),
        total: lessons.iter().map(|l| l.total).sum(),
        lessons,
    }
}

/// What `reset` forgets, resolved against the lesson set.
#[derive(Debug, PartialEq)]
enum Target {
    All,
    Lesson { id: String, exercises: usize },
    Exercise(String),
}

impl Target {
    fn matches(&self, id: &str) -> bool {
        match self {
            Target::All => true,
            Target::Lesson { id: lesson, .. } => id
                .split_once('/')
                .is_some_and(|(prefix, _)| prefix == lesson),
            Target::Exercise(exercise) => id == exercise,
        }
    }

    fn describe(&self) -> String {
        match self {
            Target::All => "all progress".to_string(),
            Target::Lesson { id, exercises } => {
                format!(
                    "progress of lesson '{id}' ({})",
                    plural(*exercises as u64, "exercise")
                )
            }
            Target::Exercise(id) => format!("progress of exercise '{id}'"),
        }
    }
}

pub fn run_reset(args: &ResetArgs, catalog: &Catalog, data_dir: &Path) -> Result<ExitCode> {
    let target = resolve(args, catalog)?;
    let (mut store, warning) = Store::open(data_dir)?;
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    if !store.exercises().any(|(id, _)| target.matches(id)) {
        writeln!(
            std::io::stdout(),
            "Nothing to reset: there is no {}.",
            target.describe()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let question = format!("Reset {}? [y/N] ", target.describe());
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "not resetting {} without confirmation: there is no terminal to ask on; pass --yes to reset anyway",
                target.describe()
            );
        }
        let confirmed = confirm(
            &question,
            &mut std::io::stdin().lock(),
            &mut std::io::stderr(),
        )
        .context("asking for confirmation")?;
        if !confirmed {
            writeln!(std::io::stdout(), "Nothing was reset.")?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    let removed = store.reset(|id| target.matches(id));
    store.save()?;
    writeln!(
        std::io::stdout(),
        "Reset {} ({} with progress forgotten).",
        target.describe(),
        plural(removed as u64, "exercise")
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Turns `reset ID` / `reset --all` into a [`Target`], with "did you mean" for ids not in the lesson set.
fn resolve(args: &ResetArgs, catalog: &Catalog) -> Result<Target> {
    let Some(id) = args.id.as_deref().filter(|_| !args.all) else {
        return Ok(Target::All);
    };
    let Some((lesson_id, _)) = id.split_once('/') else {
        let lesson = catalog.find(id)?;
        return Ok(Target::Lesson {
            id: lesson.id.clone(),
            exercises: lesson.exercises.len(),
        });
    };
    let lesson = catalog.find(lesson_id)?;
    if lesson.exercises.iter().any(|e| e.id == id) {
        return Ok(Target::Exercise(id.to_string()));
    }
    let ids: Vec<&str> = lesson.exercises.iter().map(|e| e.id.as_str()).collect();
    let guess = match catalog::closest(id, ids.iter().copied()).first() {
        Some(best) => format!(" (did you mean '{best}'?)"),
        None => String::new(),
    };
    bail!(
        "exercise '{id}' not found{guess}; the exercises of '{lesson_id}' are: {}",
        ids.join(", ")
    )
}

/// Asks `question` on `output` and reads one line: only `y` or `yes` (any case) confirms.
fn confirm(
    question: &str,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> std::io::Result<bool> {
    write!(output, "{question}")?;
    output.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    let answer = answer.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_y_or_yes_confirms() {
        for (typed, expected) in [
            ("y\n", true),
            ("YES\n", true),
            (" yes \n", true),
            ("n\n", false),
            ("\n", false),
            ("", false),
            ("yes please\n", false),
            ("yep\n", false),
        ] {
            let mut shown = Vec::new();
            let confirmed =
                confirm("Reset? [y/N] ", &mut typed.as_bytes(), &mut shown).expect("asked");
            assert_eq!(confirmed, expected, "{typed:?}");
            assert_eq!(shown, b"Reset? [y/N] ");
        }
    }

    #[test]
    fn a_lesson_target_matches_only_its_own_exercises() {
        let target = Target::Lesson {
            id: "cd".to_string(),
            exercises: 2,
        };
        assert!(target.matches("cd/go-home"));
        assert!(!target.matches("cdx/go-home"));
        assert!(!target.matches("cd"));
        assert_eq!(target.describe(), "progress of lesson 'cd' (2 exercises)");
    }

    #[test]
    fn a_narrow_report_puts_descriptions_under_the_exercise() {
        let catalog = Catalog::bundled().expect("bundled lessons load");
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut store, _) = Store::open(dir.path()).expect("opens");
        let id = &catalog.lessons[0].exercises[0].id;
        store.update(id, |p| p.attempts = 3);
        let wide = report(&catalog, &store, 200);
        assert!(
            wide.lines()
                .any(|l| l.starts_with(&format!("  {}", slug(id)))
                    && l.contains("started  3 attempts")),
            "{wide}"
        );
        let narrow = report(&catalog, &store, 30);
        assert!(
            narrow
                .lines()
                .all(|l| l.chars().count() <= 30 || !l.contains(' ')),
            "{narrow}"
        );
        assert!(narrow.contains("\n      started  3 attempts"), "{narrow}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(125), "2m 05s");
        assert_eq!(duration(3720), "1h 02m");
    }

    #[test]
    fn resolving_ids_against_the_bundled_lessons() {
        let catalog = Catalog::bundled().expect("bundled lessons load");
        let args = |id: &str| ResetArgs {
            id: Some(id.to_string()),
            all: false,
            yes: true,
        };
        let lesson = &catalog.lessons[0];
        assert!(matches!(
            resolve(&args(&lesson.id), &catalog),
            Ok(Target::Lesson { exercises, .. }) if exercises == lesson.exercises.len()
        ));
        let exercise = &lesson.exercises[0].id;
        assert_eq!(
            resolve(&args(exercise), &catalog).expect("found"),
            Target::Exercise(exercise.clone())
        );
        let typo = format!("{}x", exercise);
        let error = resolve(&args(&typo), &catalog).expect_err("unknown");
        assert!(error.to_string().contains("did you mean"), "{error}");
        let error = resolve(&args("whoamii"), &catalog).expect_err("unknown");
        assert!(
            error.to_string().contains("did you mean 'whoami'"),
            "{error}"
        );
    }
}
