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
use std::process::ExitCode;

use anyhow::Result;

use crate::attempt::{split_commands, Attempt};
use crate::catalog::Catalog;
use crate::lesson::{Exercise, Lesson};
use crate::parallel::for_each_ordered;
use crate::programs;
use crate::reference::{proven::verify_card, Card, Reference};

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
        let catalog = match catalog {
            Ok(catalog) => catalog,
            Err(error) => {
                writeln!(out, "FAIL {name}: the lessons do not load:\n{error:#}")?;
                tally.failed += 1;
                continue;
            }
        };
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
                writeln!(out, "FAIL {name}: the cards do not load:\n{error:#}")?;
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

fn print_verdict(out: &mut impl Write, id: &str, verdict: &Verdict) -> std::io::Result<()> {
    match verdict {
        Verdict::Passed => writeln!(out, "PASS {id}"),
        Verdict::Skipped(reason) => writeln!(out, "SKIP {id}: {reason}"),
        Verdict::Failed(reasons) => {
            writeln!(out, "FAIL {id}")?;
            reasons
                .iter()
                .try_for_each(|reason| writeln!(out, "     {}", reason.replace('\n', "\n     ")))
        }
    }
}

/// The two runs of one exercise: untouched must fail, the solution must pass.
pub fn verify_exercise(
    lesson: &Lesson,
    exercise: &Exercise,
    options: &sandbox::Options,
) -> Verdict {
    let missing = programs::missing(&lesson.requires);
    if !missing.is_empty() {
        let hints: Vec<String> = missing
            .iter()
            .map(|p| format!("{p} ({})", programs::install_hint(p)))
            .collect();
        return Verdict::Skipped(format!(
            "needs programs that are not installed: {}",
            hints.join(", ")
        ));
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
    if exercise.solution.is_none() && exercise.quiz.is_none() {
        return Ok(vec![format!(
            "it has no 'sh solution' block, so nothing shows it can be done; add one after the checks (line {})",
            exercise.line
        )]);
    }
    let mut attempt = Attempt::start(exercise, options.clone())?;
    if let Some(solution) = &exercise.solution {
        for command in split_commands(&solution.value) {
            attempt.run(&command)?;
        }
    }
    if let Some(quiz) = &exercise.quiz {
        attempt.answer = Some(quiz.value.correct_answer());
    }
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
