//! The state of a tutoring session: where the learner is, the exercise's sandbox, and what each line does.
//!
//! Everything the learner sees goes through [`Screen`], so plain mode (no colour, `PASS`/`FAIL` markers, no screen
//! clearing) holds everywhere, and tests can read the output.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};

use super::command::{self, TutorCommand};
use crate::attempt::Attempt;
use crate::catalog::Catalog;
use crate::lesson::{Exercise, Lesson};
use crate::progress::Store;
use crate::render::{render_markdown, RenderOptions};
use crate::snapshot::{Limits, Snapshot};
use crate::terminal::Style;

/// Where output goes, and how it looks.
#[derive(Debug)]
pub struct Screen {
    pub style: Style,
}

impl Screen {
    fn markdown(&self, markdown: &str) -> Result<()> {
        let options = RenderOptions {
            width: self.style.width,
            color: !self.style.plain,
            hyperlinks: self.style.hyperlinks,
        };
        let mut out = std::io::stdout().lock();
        render_markdown(markdown, &options, &mut out)?;
        out.flush()?;
        Ok(())
    }

    /// A line of tutor text; `tone` colours it outside plain mode.
    pub fn say(&self, tone: Tone, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        if self.style.plain {
            writeln!(out, "{text}")?;
        } else {
            writeln!(out, "\x1b[{}m{text}\x1b[0m", tone.sgr())?;
        }
        out.flush()?;
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        if !self.style.plain {
            let mut out = std::io::stdout().lock();
            write!(out, "\x1b[H\x1b[2J")?;
            out.flush()?;
        }
        Ok(())
    }
}

/// The kind of a tutor message, for its colour.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Info,
    Pass,
    Fail,
    Hint,
}

impl Tone {
    fn sgr(self) -> &'static str {
        match self {
            Tone::Info => "2",
            Tone::Pass => "1;32",
            Tone::Fail => "1;31",
            Tone::Hint => "33",
        }
    }
}

/// What the loop should do after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// One learner's session over a lesson set.
pub struct Session<'a> {
    catalog: &'a Catalog,
    /// Every exercise in order: (lesson index, exercise index).
    order: Vec<(usize, usize)>,
    position: usize,
    store: Store,
    pub screen: Screen,
    options: sandbox::Options,
    attempt: Option<Attempt<'a>>,
    hints_shown: usize,
    since: Instant,
    /// The home folder when the exercise began (for `:diff`), or why it could not be copied.
    start: Option<Result<Snapshot, String>>,
    /// The home folder before the last command (for `:undo`).
    before_last: Option<Result<Snapshot, String>>,
}

impl<'a> Session<'a> {
    pub fn new(
        catalog: &'a Catalog,
        store: Store,
        screen: Screen,
        options: sandbox::Options,
    ) -> Session<'a> {
        let order = catalog
            .lessons
            .iter()
            .enumerate()
            .flat_map(|(l, lesson)| (0..lesson.exercises.len()).map(move |e| (l, e)))
            .collect();
        Session {
            catalog,
            order,
            position: 0,
            store,
            screen,
            options,
            attempt: None,
            hints_shown: 0,
            since: Instant::now(),
            start: None,
            before_last: None,
        }
    }

    pub fn has_exercises(&self) -> bool {
        !self.order.is_empty()
    }

    /// Where to begin: `start` (a lesson or exercise id), else where the learner left off, else the first
    /// unfinished exercise.
    pub fn begin(&mut self, start: Option<&str>) -> Result<()> {
        let position = match start {
            Some(id) => self.resolve(id)?,
            None => self
                .store
                .current()
                .and_then(|id| self.index_of(id))
                .filter(|&index| !self.store.is_done(&self.exercise_at(index).1.id))
                .or_else(|| self.first_unfinished(0))
                .unwrap_or(0),
        };
        self.enter(position)
    }

    fn exercise_at(&self, index: usize) -> (&'a Lesson, &'a Exercise) {
        let (lesson, exercise) = self.order[index];
        let lesson = &self.catalog.lessons[lesson];
        (lesson, &lesson.exercises[exercise])
    }

    fn current(&self) -> (&'a Lesson, &'a Exercise) {
        self.exercise_at(self.position)
    }

    fn index_of(&self, exercise_id: &str) -> Option<usize> {
        (0..self.order.len()).find(|&i| self.exercise_at(i).1.id == exercise_id)
    }

    fn first_unfinished(&self, from: usize) -> Option<usize> {
        (from..self.order.len()).find(|&i| !self.store.is_done(&self.exercise_at(i).1.id))
    }

    /// A lesson id (its first unfinished exercise) or an exercise id.
    fn resolve(&self, id: &str) -> Result<usize> {
        if id.contains('/') {
            let (_, exercise) = self.catalog.find_exercise(id)?;
            return self
                .index_of(&exercise.id)
                .context("the exercise is not in this lesson set");
        }
        let lesson = self.catalog.find(id)?;
        let indices: Vec<usize> = (0..self.order.len())
            .filter(|&i| self.exercise_at(i).0.id == lesson.id)
            .collect();
        let first = *indices.first().with_context(|| {
            format!("lesson '{id}' has no exercises; read it with 'shelltutor show {id}'")
        })?;
        Ok(indices
            .iter()
            .copied()
            .find(|&i| !self.store.is_done(&self.exercise_at(i).1.id))
            .unwrap_or(first))
    }

    /// Opens the exercise at `position`: a fresh sandbox, its setup, and the lesson text up to and including it.
    fn enter(&mut self, position: usize) -> Result<()> {
        // Make the new sandbox first: if its setup fails, the learner stays where they were.
        let (lesson, exercise) = self.exercise_at(position);
        let attempt = Attempt::start(exercise, self.options.clone())?;
        self.leave();
        self.position = position;
        self.start = Some(
            Snapshot::take(attempt.sandbox.home(), Limits::default()).map_err(|e| e.to_string()),
        );
        self.before_last = None;
        self.attempt = Some(attempt);
        self.hints_shown = 0;
        self.since = Instant::now();
        self.store.set_current(&exercise.id);
        self.store.save()?;

        self.screen.clear()?;
        let exercise_number = lesson
            .exercises
            .iter()
            .position(|e| e.id == exercise.id)
            .unwrap_or(0)
            + 1;
        self.screen.say(
            Tone::Info,
            &format!(
                "Lesson '{}' - exercise {exercise_number} of {} ({})",
                lesson.id,
                lesson.exercises.len(),
                exercise.id
            ),
        )?;
        let from = match exercise_number {
            1 => 1,
            n => lesson.exercises[n - 2].end_line,
        };
        self.screen
            .markdown(&lesson.markdown_lines(from, exercise.end_line))?;
        if self.store.is_done(&exercise.id) {
            self.screen.say(
                Tone::Info,
                "You have done this exercise before; do it again, or press Enter for the next.",
            )?;
        }
        Ok(())
    }

    /// Books the time spent on the current exercise.
    fn leave(&mut self) {
        if self.attempt.is_some() {
            let id = self.current().1.id.clone();
            let spent = self.since.elapsed();
            self.store.update(&id, |progress| progress.add_time(spent));
            self.since = Instant::now();
        }
    }

    /// Saves progress; called on every way out.
    pub fn finish(&mut self) -> Result<()> {
        self.leave();
        self.store.save()
    }

    /// The prompt: the lesson and the sandbox directory with `~`.
    pub fn prompt(&self) -> String {
        let (lesson, _) = self.current();
        let cwd = self.attempt.as_ref().map_or_else(
            || "~".to_string(),
            |a| a.sandbox.display_path(a.sandbox.cwd()),
        );
        format!("[{}] {cwd} $ ", lesson.id)
    }

    /// Completion data: every lesson and exercise id, the taught commands, the sandbox's current folder and root.
    pub fn completion_context(&self) -> super::complete::Context {
        let mut ids: Vec<String> = Vec::new();
        let mut commands: Vec<String> = Vec::new();
        for lesson in &self.catalog.lessons {
            ids.push(lesson.id.clone());
            ids.extend(lesson.exercises.iter().map(|e| e.id.clone()));
            commands.extend(lesson.teaches.iter().cloned());
        }
        commands.sort();
        commands.dedup();
        let (cwd, root, home) = match &self.attempt {
            Some(attempt) => (
                attempt.sandbox.cwd().to_path_buf(),
                attempt.sandbox.root().to_path_buf(),
                attempt.sandbox.home().to_path_buf(),
            ),
            None => Default::default(),
        };
        super::complete::Context {
            ids,
            commands,
            cwd,
            root,
            home,
        }
    }

    /// Handles one line the learner typed.
    pub fn handle(&mut self, line: &str) -> Result<Flow> {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if self.store.is_done(&self.current().1.id) {
                return self.step(1);
            }
            return Ok(Flow::Continue);
        }
        if is_tutor_command(trimmed) {
            return match command::parse(trimmed) {
                Ok(command) => self.command(command),
                Err(error) => {
                    self.screen.say(Tone::Fail, &error.to_string())?;
                    Ok(Flow::Continue)
                }
            };
        }
        self.run_shell(line)?;
        Ok(Flow::Continue)
    }

    fn attempt(&mut self) -> Result<&mut Attempt<'a>> {
        self.attempt.as_mut().context("no exercise is open")
    }

    fn run_shell(&mut self, line: &str) -> Result<()> {
        let home = self.attempt()?.sandbox.home().to_path_buf();
        self.before_last =
            Some(Snapshot::take(&home, Limits::default()).map_err(|e| e.to_string()));
        let attempt = self.attempt()?;
        let dangers = crate::explain_cmd::dangers_before_run(
            line,
            crate::explain_cmd::Sandboxed {
                cwd: attempt.sandbox.cwd(),
                home: attempt.sandbox.home(),
                typed: &attempt.typed,
            },
        );
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let outcome = if interactive {
            attempt.sandbox.run_interactive(line)?
        } else {
            attempt.sandbox.run_echoed(line)?
        };
        let limit = outcome.limit;
        // Output without a final newline would run into the next prompt.
        if outcome.output.last().is_some_and(|&byte| byte != b'\n') {
            println!();
        }
        attempt.record(line, outcome);
        if let Some(limit) = limit {
            self.screen.say(Tone::Fail, limit.message())?;
        }
        crate::explain_cmd::warn_after_run(&dangers, &self.screen.style)?;
        let id = self.current().1.id.clone();
        self.store.update(&id, |progress| progress.attempts += 1);
        self.auto_check()
    }

    /// After every command: announce a pass at once, stay quiet about failures.
    fn auto_check(&mut self) -> Result<()> {
        let report = self.attempt()?.check()?;
        let (_, exercise) = self.current();
        if report.passed() && !self.store.is_done(&exercise.id) {
            let spent = self.since.elapsed();
            self.since = Instant::now();
            self.store.update(&exercise.id, |progress| {
                progress.mark_done();
                progress.add_time(spent);
            });
            self.store.save()?;
            let next = if self.position + 1 < self.order.len() {
                "Press Enter (or type :next) for the next exercise."
            } else {
                "That was the last exercise: well done!"
            };
            self.screen
                .say(Tone::Pass, &format!("PASS {}: done! {next}", exercise.id))?;
        } else {
            self.store.save()?;
        }
        Ok(())
    }

    fn command(&mut self, command: TutorCommand) -> Result<Flow> {
        match command {
            TutorCommand::Help => self.screen.say(Tone::Info, command::help().trim_end())?,
            TutorCommand::Quit => return Ok(Flow::Quit),
            TutorCommand::Next => return self.step(1),
            TutorCommand::Prev => return self.step(-1),
            TutorCommand::Lesson(id) => match self.resolve(&id) {
                Ok(position) => self.enter(position)?,
                Err(error) => self.screen.say(Tone::Fail, &format!("{error:#}"))?,
            },
            TutorCommand::Lessons => self.lessons()?,
            TutorCommand::Progress => self.progress()?,
            TutorCommand::Check => self.check()?,
            TutorCommand::Hint => self.hint()?,
            TutorCommand::Solution => self.solution()?,
            TutorCommand::Reset => self.reset()?,
            TutorCommand::Undo => self.undo()?,
            TutorCommand::Diff => self.diff()?,
            TutorCommand::Answer(answer) => self.answer(&answer)?,
            TutorCommand::Ref(name) => crate::ref_cmd::in_tutor(&name, &self.screen.style)?,
            TutorCommand::Explain(line) => crate::explain_cmd::in_tutor(
                &line,
                self.attempt
                    .as_ref()
                    .map(|a| crate::explain_cmd::Sandboxed {
                        cwd: a.sandbox.cwd(),
                        home: a.sandbox.home(),
                        typed: &a.typed,
                    }),
                &self.screen.style,
            )?,
        }
        Ok(Flow::Continue)
    }

    fn step(&mut self, delta: isize) -> Result<Flow> {
        let target = self
            .position
            .checked_add_signed(delta)
            .filter(|&p| p < self.order.len());
        match target {
            Some(position) => self.enter(position)?,
            None if delta > 0 => self.screen.say(
                Tone::Info,
                "This is the last exercise. :lessons lists them all; :quit leaves.",
            )?,
            None => self.screen.say(Tone::Info, "This is the first exercise.")?,
        }
        Ok(Flow::Continue)
    }

    fn check(&mut self) -> Result<()> {
        let report = self.attempt()?.check()?;
        for verdict in &report.verdicts {
            if verdict.passed {
                self.screen
                    .say(Tone::Pass, &format!("PASS {}", verdict.source))?;
            } else {
                self.screen
                    .say(Tone::Fail, &format!("FAIL {}", verdict.source))?;
                self.screen
                    .say(Tone::Info, &format!("     expected: {}", verdict.expected))?;
                self.screen
                    .say(Tone::Info, &format!("     found:    {}", verdict.found))?;
            }
        }
        if report.passed() {
            self.auto_check()?;
        }
        Ok(())
    }

    fn hint(&mut self) -> Result<()> {
        let (_, exercise) = self.current();
        let Some(hint) = exercise.hints.get(self.hints_shown) else {
            let message = if exercise.hints.is_empty() {
                "This exercise has no hints."
            } else {
                "No more hints. :solution shows the answer once you have tried."
            };
            return self.screen.say(Tone::Hint, message);
        };
        self.hints_shown += 1;
        let shown = self.hints_shown as u64;
        self.store.update(&exercise.id, |progress| {
            progress.hints_used = progress.hints_used.max(shown)
        });
        self.store.save()?;
        self.screen.say(
            Tone::Hint,
            &format!("Hint {} of {}:", self.hints_shown, exercise.hints.len()),
        )?;
        self.screen.markdown(&hint.value)
    }

    fn solution(&mut self) -> Result<()> {
        let (_, exercise) = self.current();
        let attempt = self.attempt()?;
        if attempt.typed.is_empty() && attempt.answer.is_none() {
            return self.screen.say(
                Tone::Hint,
                "Try it yourself first: the solution opens after your first attempt. :hint helps.",
            );
        }
        self.store
            .update(&exercise.id, |progress| progress.solution_used = true);
        self.store.save()?;
        if let Some(solution) = &exercise.solution {
            self.screen.say(Tone::Info, "The reference solution:")?;
            self.screen
                .markdown(&format!("```sh\n{}```\n", solution.value))?;
        }
        if let Some(quiz) = &exercise.quiz {
            self.screen.say(
                Tone::Info,
                &format!("The answer: {}", quiz.value.correct_answer()),
            )?;
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<()> {
        let attempt = self.attempt()?;
        attempt.reset()?;
        let home = attempt.sandbox.home().to_path_buf();
        self.start = Some(Snapshot::take(&home, Limits::default()).map_err(|e| e.to_string()));
        self.before_last = None;
        self.screen
            .say(Tone::Info, "Fresh sandbox: the exercise starts over.")
    }

    fn undo(&mut self) -> Result<()> {
        let home = self.attempt()?.sandbox.home().to_path_buf();
        match self.before_last.take() {
            None => self.screen.say(
                Tone::Info,
                "Nothing to undo: no command has run since the exercise began (or the last undo).",
            ),
            Some(Err(why)) => self.screen.say(
                Tone::Fail,
                &format!("Cannot undo the last command: {why}. :reset starts the exercise over."),
            ),
            Some(Ok(snapshot)) => {
                snapshot.restore(&home).context("putting the files back")?;
                self.screen.say(Tone::Info, "Undone: the files are as they were before your last command (the shell's folder and variables stay as they are).")
            }
        }
    }

    fn diff(&mut self) -> Result<()> {
        let home = self.attempt()?.sandbox.home().to_path_buf();
        let start = match &self.start {
            Some(Ok(start)) => start,
            Some(Err(why)) => {
                return self
                    .screen
                    .say(Tone::Fail, &format!("Cannot show changes: {why}."))
            }
            None => return Ok(()),
        };
        let now = match Snapshot::take(&home, Limits::default()) {
            Ok(now) => now,
            Err(error) => {
                return self
                    .screen
                    .say(Tone::Fail, &format!("Cannot show changes: {error}."))
            }
        };
        let changes = start.changes(&now);
        if changes.is_empty() {
            return self
                .screen
                .say(Tone::Info, "No files changed since the exercise began.");
        }
        for (label, paths) in [
            ("created", &changes.created),
            ("changed", &changes.changed),
            ("removed", &changes.removed),
        ] {
            for path in paths {
                self.screen
                    .say(Tone::Info, &format!("{label:<8} ~/{}", path.display()))?;
            }
        }
        Ok(())
    }

    fn answer(&mut self, answer: &str) -> Result<()> {
        let (_, exercise) = self.current();
        if exercise.quiz.is_none() {
            return self.screen.say(
                Tone::Info,
                "This exercise is not a quiz: type shell commands.",
            );
        }
        self.attempt()?.answer = Some(answer.to_string());
        self.store
            .update(&exercise.id, |progress| progress.attempts += 1);
        let report = self.attempt()?.check()?;
        if report.passed() {
            return self.auto_check();
        }
        self.store.save()?;
        let why = report
            .failures()
            .map(|v| v.found.clone())
            .collect::<Vec<_>>()
            .join("; ");
        self.screen
            .say(Tone::Fail, &format!("FAIL {why}. Try again."))
    }

    fn lessons(&mut self) -> Result<()> {
        let current = self.current().1.id.clone();
        for lesson in &self.catalog.lessons {
            let done = lesson
                .exercises
                .iter()
                .filter(|e| self.store.is_done(&e.id))
                .count();
            let marker = if lesson.exercises.iter().any(|e| e.id == current) {
                ">"
            } else {
                " "
            };
            self.screen.say(
                Tone::Info,
                &format!(
                    "{marker} {:<12} {done}/{} done  {}",
                    lesson.id,
                    lesson.exercises.len(),
                    lesson.title
                ),
            )?;
        }
        self.screen.say(Tone::Info, "Go to one with :lesson ID.")
    }

    fn progress(&mut self) -> Result<()> {
        // The same report as `shelltutor progress`, with the time of the exercise in hand booked first.
        self.leave();
        let report = crate::progress_cmd::report_text(self.catalog, &self.store);
        self.screen.say(Tone::Info, report.trim_end())
    }
}

/// Whether a line is for the tutor: `:` followed by a word (`:hint`, `:lesson cd`). Shell lines may start with `:`
/// too (`: > file` empties a file, `:(){ ...` defines a function), and those go to the shell.
fn is_tutor_command(line: &str) -> bool {
    let word = line.split_whitespace().next().unwrap_or("");
    word.strip_prefix(':').is_some_and(|name| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == '?')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tutor_commands_are_colon_words_and_everything_else_is_shell() {
        for line in [":hint", ":lesson cd", ":q", ":?", ":hitn x"] {
            assert!(is_tutor_command(line), "{line}");
        }
        for line in [": > notes.txt", ":(){ :|:& };:", ":", "echo :hint", "::"] {
            assert!(!is_tutor_command(line), "{line}");
        }
    }
}
