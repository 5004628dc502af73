//! `shelltutor verify`: proves a lesson set's exercises can be failed and can be passed.
//!
//! For every exercise, in fresh sandboxes and in parallel: the untouched state (setup only) must FAIL, since a
//! check that cannot fail is a defect; the reference solution, typed line by line, must PASS. Lessons whose
//! `requires` are missing are SKIPPED with the reason, never passed; `SHELLTUTOR_REQUIRE_TOOLS=1` turns a skip into
//! a failure so a CI run cannot hide untested lessons.
//!
//! Reference cards are verified the same way (`reference/proven.rs`): every `console proven` example runs in a fresh
//! sandbox and must print what the card shows. They are reported as `card:<command>`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::attempt::Attempt;
use crate::catalog::Catalog;
use crate::lesson::{Exercise, Lesson};
use crate::parallel::for_each_ordered;
use crate::programs;
use crate::quote;
use crate::reference::{proven::verify_card, Card, Reference};
use crate::render::sanitize;

/// What verifying one exercise found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed(Vec<String>),
    Skipped(String),
}

/// Whether a missing tool must fail rather than skip (CI sets it).
pub fn tools_required() -> bool {
    std::env::var_os("SHELLTUTOR_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Tallies verdicts, turning a skip into a failure when tools are required.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    require_tools: bool,
}

impl Tally {
    fn count(&mut self, verdict: Verdict) -> Verdict {
        let verdict = match verdict {
            Verdict::Skipped(reason) if self.require_tools => Verdict::Failed(vec![format!(
                "{reason} (SHELLTUTOR_REQUIRE_TOOLS is set, so this fails)"
            )]),
            other => other,
        };
        match &verdict {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed(_) => self.failed += 1,
            Verdict::Skipped(_) => self.skipped += 1,
        }
        verdict
    }
}

/// What `verify` checks: lesson sets, and card sets with the lesson ids their `lesson` keys may name.
#[derive(Debug)]
pub struct Sets {
    pub catalogs: Vec<(String, Result<Catalog>)>,
    pub references: Vec<(String, Result<Reference>)>,
    /// The ids of the current lesson set, to warn about cards naming a lesson it does not have.
    pub lesson_ids: Vec<String>,
}

/// Verifies the lesson and card sets and prints one line per exercise and card, and a summary.
pub fn run(sets: Sets, options: &sandbox::Options, jobs: usize) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut tally = Tally {
        require_tools: tools_required(),
        ..Tally::default()
    };
    for (name, catalog) in sets.catalogs {
        let shown = sanitize::message(&name);
        let catalog = match catalog {
            Ok(catalog) => catalog,
            Err(error) => {
                let error = sanitize::message(&format!("{error:#}"));
                writeln!(out, "FAIL {shown}: the lessons do not load:\n{error}")?;
                tally.failed += 1;
                continue;
            }
        };
        // Verifying nothing proves nothing: an empty folder, or the folder above the lessons, is a failure.
        if catalog.exercise_count() == 0 {
            writeln!(out, "FAIL {shown}: {}", nothing_to_verify(&name, &catalog))?;
            tally.failed += 1;
            continue;
        }
        for warning in catalog.lessons.iter().flat_map(|lesson| &lesson.warnings) {
            writeln!(out, "WARN {}", sanitize::message(&warning.to_string()))?;
        }
        let tasks: Vec<(&Lesson, &Exercise)> = catalog
            .lessons
            .iter()
            .flat_map(|l| l.exercises.iter().map(move |e| (l, e)))
            .collect();
        let verify =
            |(lesson, exercise): &(&Lesson, &Exercise)| verify_exercise(lesson, exercise, options);
        for_each_ordered(&tasks, jobs, verify, |(_, exercise), verdict| {
            print_verdict(&mut out, &exercise.id, &tally.count(verdict))
        })?;
    }
    for (name, reference) in sets.references {
        let cards = match reference.and_then(|r| r.load_all().map_err(Into::into)) {
            Ok(cards) => cards,
            Err(error) => {
                let error = sanitize::message(&format!("{error:#}"));
                writeln!(
                    out,
                    "FAIL {}: the cards do not load:\n{error}",
                    sanitize::message(&name)
                )?;
                tally.failed += 1;
                continue;
            }
        };
        for card in &cards {
            warn_about_lesson(&mut out, card, &sets.lesson_ids)?;
        }
        let verify = |card: &Card| verify_card(card, options);
        for_each_ordered(&cards, jobs, verify, |card, verdict| {
            print_verdict(
                &mut out,
                &format!("card:{}", card.command),
                &tally.count(verdict),
            )
        })?;
    }
    let Tally {
        passed,
        failed,
        skipped,
        ..
    } = tally;
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Why a lesson set with no exercise cannot be verified, with the likely fix.
fn nothing_to_verify(name: &str, catalog: &Catalog) -> String {
    let inner = Path::new(name).join("lessons");
    let hint = if inner.is_dir() {
        format!(" (did you mean '{}'?)", inner.display())
    } else {
        String::new()
    };
    if catalog.lessons.is_empty() {
        format!("no lessons here{hint}; lessons are '*.md' files directly in the folder (see docs/lesson-format.md)")
    } else {
        let warnings: Vec<String> = catalog
            .lessons
            .iter()
            .flat_map(|lesson| &lesson.warnings)
            .map(|warning| format!("\n     {warning}"))
            .collect();
        format!(
            "{} lessons but no exercise to verify{hint}; exercises are '## Exercise: <title>' sections{}",
            catalog.lessons.len(),
            warnings.concat()
        )
    }
}

/// A card may name a lesson the current set does not have yet: worth a warning, not a failure.
fn warn_about_lesson(
    out: &mut impl Write,
    card: &Card,
    lesson_ids: &[String],
) -> std::io::Result<()> {
    match &card.lesson {
        Some(lesson) if !lesson_ids.contains(&lesson.value) => writeln!(
            out,
            "WARN card:{}: {}:{}: lesson '{}' is not in the current lesson set",
            card.command, card.source, lesson.line, lesson.value
        ),
        _ => Ok(()),
    }
}

/// One verdict; lesson output quoted in reasons is bounded and sanitized.
fn print_verdict(out: &mut impl Write, id: &str, verdict: &Verdict) -> std::io::Result<()> {
    let id = sanitize::message(id);
    let quoted = |text: &str| sanitize::message(&quote::bounded(text));
    match verdict {
        Verdict::Passed => writeln!(out, "PASS {id}"),
        Verdict::Skipped(reason) => writeln!(out, "SKIP {id}: {}", quoted(reason)),
        Verdict::Failed(reasons) => {
            writeln!(out, "FAIL {id}")?;
            reasons.iter().try_for_each(|reason| {
                writeln!(out, "     {}", quoted(reason).replace('\n', "\n     "))
            })
        }
    }
}

/// The two runs of one exercise: untouched must fail, the solution must pass.
pub fn verify_exercise(
    lesson: &Lesson,
    exercise: &Exercise,
    options: &sandbox::Options,
) -> Verdict {
    if let Some(missing) = programs::missing_with_hints(&lesson.requires) {
        return Verdict::Skipped(format!("needs programs that are not installed: {missing}"));
    }
    let mut problems = Vec::new();
    match untouched_passes(exercise, options) {
        Ok(false) => {}
        Ok(true) => problems.push(
            "its checks pass before the learner does anything: a check that cannot fail is a defect; \
             make the checks test what the exercise asks for"
                .to_string(),
        ),
        Err(error) => problems.push(format!("the untouched run failed to run: {error:#}")),
    }
    match solution_failures(exercise, options) {
        Ok(failures) => problems.extend(failures),
        Err(error) => problems.push(format!("the solution run failed to run: {error:#}")),
    }
    if problems.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(problems)
    }
}

fn untouched_passes(exercise: &Exercise, options: &sandbox::Options) -> Result<bool> {
    let mut attempt = Attempt::start(exercise, options.clone())?;
    Ok(attempt.check()?.passed())
}

/// What goes wrong when the reference solution is typed in (empty when it passes).
fn solution_failures(exercise: &Exercise, options: &sandbox::Options) -> Result<Vec<String>> {
    if !exercise.has_solution() && exercise.quiz.is_none() {
        return Ok(vec![format!(
            "it has no 'sh solution' or 'keys solution' block, so nothing shows it can be done; add one after the checks (line {})",
            exercise.line
        )]);
    }
    let mut attempt = Attempt::start(exercise, options.clone())?;
    attempt.run_solution()?;
    let report = attempt.check()?;
    Ok(report
        .failures()
        .map(|v| {
            format!(
                "the solution fails '{}' (line {}): expected {}; found {}",
                v.source, v.line, v.expected, v.found
            )
        })
        .collect())
}
