//! The state of a tutoring session: where the learner is, the exercise's sandbox, and what each line does.
//!
//! Everything the learner sees goes through [`Screen`], so plain mode (no colour, `PASS`/`FAIL` markers, no screen
//! clearing) holds everywhere, and tests can read the output.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};

use super::command::{self, TutorCommand};
use super::feedback;
use crate::attempt::{Attempt, Report};
use crate::catalog::Catalog;
use crate::history::{History, Limits};
use crate::lesson::{Exercise, Lesson};
use crate::progress::Store;
use crate::render::{render_markdown, RenderOptions};
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

    /// A line of tutor text; `tone` colours it outside plain mode. Whatever it quotes of the learner's (file
    /// names, command lines, output) cannot act on the terminal: control characters are neutralised.
    pub fn say(&self, tone: Tone, text: &str) -> Result<()> {
        let text = crate::render::sanitize::message(text);
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
    /// What each line changed in the home (for `:undo` and `:diff`).
    history: Option<History>,
    /// The learner's processes left running after the last line, by name (to say when that changes).
    running: Vec<String>,
    /// Lines typed or pasted while a command ran that it did not read: they run next, as in a shell.
    pending: std::collections::VecDeque<String>,
    /// A half-typed line left over from the same, offered at the next prompt.
    partial: String,
    /// What the learner typed during the last line that it did not read, until the reader takes it.
    typed_ahead: Vec<u8>,
    /// The checks' results after the previous line, to tell when one changes.
    last_report: Option<Report>,
    /// Lines in a row that neither passed nor drew a nudge (see `feedback.rs`).
    quiet_lines: usize,
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
            history: None,
            running: Vec::new(),
            pending: std::collections::VecDeque::new(),
            partial: String::new(),
            last_report: None,
            quiet_lines: 0,
            typed_ahead: Vec::new(),
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
        self.history = Some(start_history(&attempt));
        self.running.clear();
        self.attempt = Some(attempt);
        self.hints_shown = 0;
        self.last_report = None;
        self.quiet_lines = 0;
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
        self.show_task(exercise_number)?;
        if self.store.is_done(&exercise.id) {
            self.screen.say(
                Tone::Info,
                "You have done this exercise before; do it again, or press Enter for the next.",
            )?;
        }
        Ok(())
    }

    /// The lesson text up to and including the exercise (the `exercise_number`th of its lesson, from 1), with this
    /// attempt's placeholder values filled in.
    fn show_task(&mut self, exercise_number: usize) -> Result<()> {
        let (lesson, exercise) = self.current();
        let from = match exercise_number {
            0 | 1 => 1,
            n => lesson.exercises[n - 2].end_line,
        };
        let text = lesson.markdown_lines(from, exercise.end_line);
        let text = self.attempt()?.placeholders().expand(&text);
        self.screen.markdown(&text)
    }

    /// Books the time spent on the current exercise.
    fn leave(&mut self) {
        if let Some(attempt) = &self.attempt {
            if attempt.sandbox.has_stopped_jobs() {
                let _ = self.screen.say(
                    Tone::Info,
                    "A program you stopped with Ctrl-Z ends with this exercise (unsaved changes in an editor are lost).",
                );
            }
        }
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
        self.store.close()
    }

    /// The prompt: the lesson and the sandbox directory with `~`.
    pub fn prompt(&self) -> String {
        let (lesson, _) = self.current();
        let cwd = self.attempt.as_ref().map_or_else(
            || "~".to_string(),
            |a| a.sandbox.display_path(&a.sandbox.cwd()),
        );
        crate::render::sanitize::inline(&format!("[{}] {cwd} $ ", lesson.id))
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
        if is_exit(trimmed) {
            self.screen.say(
                Tone::Info,
                "exit at the tutor's prompt leaves the tutor, as it would leave a shell.",
            )?;
            return Ok(Flow::Quit);
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
        if let Some(history) = &mut self.history {
            history.before_line();
        }
        let attempt = self.attempt()?;
        let dangers = crate::explain_cmd::dangers_before_run(
            line,
            crate::explain_cmd::Sandboxed {
                cwd: attempt.sandbox.cwd(),
                home: attempt.sandbox.home(),
                typed: attempt.lines.iter().map(|l| l.typed.clone()).collect(),
            },
        );
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let had_stopped_jobs = attempt.sandbox.has_stopped_jobs();
        let mut outcome = if interactive && had_stopped_jobs && is_job_command(line) {
            // The shell that stopped the job (Ctrl-Z) still waits: `fg`, `bg` and `jobs` go to it, as in bash.
            attempt.sandbox.resume(line)?
        } else if interactive {
            attempt.sandbox.run_interactive(line)?
        } else {
            attempt.sandbox.run_echoed(line)?
        };
        let stopped = outcome.stopped_jobs && !had_stopped_jobs;
        let limit = outcome.limit;
        // Output without a final newline would run into the next prompt.
        if outcome.output.last().is_some_and(|&byte| byte != b'\n') {
            writeln!(std::io::stdout())?;
        }
        let unread = std::mem::take(&mut outcome.unread_input);
        attempt.record(line, outcome);
        self.typed_ahead.extend(unread);
        if let Some(history) = &mut self.history {
            history.after_line();
        }
        if let Some(limit) = limit {
            self.screen.say(Tone::Fail, limit.message())?;
        }
        if stopped {
            self.screen.say(
                Tone::Hint,
                "That program is stopped (Ctrl-Z), not ended: type fg to go back to it, or jobs to list stopped jobs.",
            )?;
        }
        crate::explain_cmd::warn_after_run(&dangers, &self.screen.style)?;
        self.report_environment(limit.is_some())?;
        let id = self.current().1.id.clone();
        self.store.update(&id, |progress| progress.attempts += 1);
        let report = self.auto_check()?;
        self.give_feedback(&report)?;
        self.last_report = Some(report);
        Ok(())
    }

    /// After a line that did not pass: the first failing check's message if the line did something the checks
    /// look at; otherwise, after a few such quiet lines, one reminder of `:check` and `:hint`.
    fn give_feedback(&mut self, report: &Report) -> Result<()> {
        let (_, exercise) = self.current();
        if report.passed() || exercise.quiz.is_some() {
            self.quiet_lines = 0;
            return Ok(());
        }
        let changed = self
            .history
            .as_ref()
            .map(History::last_line_changes)
            .unwrap_or_default();
        let Some(line) = self.attempt.as_ref().and_then(|a| a.lines.last()) else {
            return Ok(());
        };
        if feedback::is_relevant(exercise, &changed, line, self.last_report.as_ref(), report) {
            if let Some(nudge) = feedback::nudge(report) {
                self.quiet_lines = 0;
                return self.screen.say(Tone::Hint, &crate::quote::bounded(&nudge));
            }
        }
        self.quiet_lines += 1;
        if self.quiet_lines >= feedback::QUIET_LINES_BEFORE_REMINDER {
            self.quiet_lines = 0;
            self.screen.say(Tone::Hint, feedback::REMINDER)?;
        }
        Ok(())
    }

    /// After every command: announce a pass at once. Returns the checks' results.
    fn auto_check(&mut self) -> Result<Report> {
        let attempt = self.attempt()?;
        let report = attempt.check()?;
        // Said once per attempt: also when an exercise done before is done again (after :reset or :lesson).
        let announce = report.passed() && !attempt.pass_announced;
        if announce {
            attempt.pass_announced = true;
        }
        let (_, exercise) = self.current();
        if announce && !self.store.is_done(&exercise.id) {
            let spent = self.since.elapsed();
            self.since = Instant::now();
            self.store.update(&exercise.id, |progress| {
                progress.mark_done();
                progress.add_time(spent);
            });
            self.store.save()?;
        }
        if announce {
            let next = if self.position + 1 < self.order.len() {
                "Press Enter (or type :next) for the next exercise."
            } else {
                "That was the last exercise: well done!"
            };
            self.screen
                .say(Tone::Pass, &format!("PASS {}: done! {next}", exercise.id))?;
        } else {
            self.store.save_routine()?;
        }
        Ok(report)
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
            TutorCommand::Status => self.status()?,
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
                        typed: a.lines.iter().map(|l| l.typed.clone()).collect(),
                    }),
                &self.screen.style,
            )?,
        }
        Ok(Flow::Continue)
    }

    /// What the learner typed during the last line that it did not read (taken once).
    pub fn take_typed_ahead(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.typed_ahead)
    }

    /// Keeps what the learner typed during a command that the command did not read, when no keyboard does: complete
    /// lines run next, a half-typed line is offered at the next prompt.
    pub fn queue_typed(&mut self, typed: &[u8]) {
        if typed.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(typed);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let partial = lines.pop().unwrap_or_default();
        self.pending.extend(lines.into_iter().map(str::to_owned));
        self.partial.push_str(partial);
    }

    /// A line typed ahead, to run now as if typed at the prompt.
    pub fn next_pending(&mut self) -> Option<String> {
        self.pending.pop_front()
    }

    /// A half-typed line to offer at the prompt (taken once).
    pub fn take_partial(&mut self) -> String {
        std::mem::take(&mut self.partial)
    }

    /// Before the prompt: what background processes printed meanwhile, and what happened to them.
    pub fn before_prompt(&mut self) -> Result<()> {
        let Some(attempt) = self.attempt.as_mut() else {
            return Ok(());
        };
        let printed = attempt.sandbox.take_background_output();
        if !printed.is_empty() {
            let mut out = std::io::stdout().lock();
            out.write_all(&printed)?;
            if !printed.ends_with(b"\n") {
                writeln!(out)?;
            }
            out.flush()?;
        }
        self.report_environment(false)
    }

    /// Says what changed among the processes the learner left running: which ended (and why), which run now.
    fn report_environment(&mut self, line_stopped: bool) -> Result<()> {
        let Some(attempt) = self.attempt.as_mut() else {
            return Ok(());
        };
        let notices = attempt.sandbox.take_notices();
        let mut processes = attempt.sandbox.processes();
        // A job started with `&` is a copy of the shell for a moment before it becomes the program: wait for that.
        for _ in 0..3 {
            if !processes.iter().any(|p| p.name == "bash") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(15));
            processes = attempt.sandbox.processes();
        }
        // A process of a program that still runs ending is no news: sshd's per-connection processes (the checks'
        // own logins too), nginx's old workers after a reload. The learner is told about programs, not pids.
        let notices: Vec<sandbox::Notice> = notices
            .into_iter()
            .filter(|notice| match notice {
                // What the tutor killed with a line it stopped was said with the line's limit.
                sandbox::Notice::Ended {
                    signal: true,
                    status: 9,
                    ..
                } if line_stopped => false,
                sandbox::Notice::Ended { name, .. } => !processes.iter().any(|p| p.name == *name),
                _ => true,
            })
            .collect();
        for (message, tone) in describe_notices(&notices) {
            self.screen.say(tone, &message)?;
        }
        // Which programs run, not how many of each: nginx trading an old worker for a new one at a reload is no news.
        let mut names: Vec<String> = processes
            .iter()
            .map(|p| format!("{}{}", p.name, if p.stopped { " (stopped)" } else { "" }))
            .collect();
        names.sort();
        names.dedup();
        if names != self.running {
            self.running = names;
            if !processes.is_empty() {
                self.screen.say(
                    Tone::Info,
                    &format!(
                        "Still running: {}. :status lists them; they stop when the exercise ends.",
                        summarize_processes(&processes)
                    ),
                )?;
            }
        }
        Ok(())
    }

    /// `:status`: the processes left running and the ports they listen on.
    fn status(&mut self) -> Result<()> {
        let attempt = self.attempt()?;
        let processes = attempt.sandbox.processes();
        let ports = attempt.sandbox.listening_ports();
        if processes.is_empty() {
            return self.screen.say(
                Tone::Info,
                "Nothing you started is running now. (Programs started with & keep running until the exercise ends.)",
            );
        }
        self.screen
            .say(Tone::Info, "Running in this exercise's sandbox:")?;
        for process in &processes {
            let line = format!(
                "  {:>6}  {}",
                process.pid,
                if process.command_line.is_empty() {
                    &process.name
                } else {
                    &process.command_line
                }
            );
            self.screen.say(Tone::Info, &line)?;
        }
        if !ports.is_empty() {
            let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
            self.screen.say(
                Tone::Info,
                &format!(
                    "Listening on TCP port {} (curl localhost:PORT reaches it).",
                    ports.join(", ")
                ),
            )?;
        }
        self.screen.say(
            Tone::Info,
            "Stop one with kill PID (or pkill NAME); :reset stops them all and starts the exercise over.",
        )
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
        let attempt = self.attempt()?;
        let report = attempt.check()?;
        let placeholders = attempt.placeholders();
        // Each check as the learner can read it: this attempt's values filled in, the author's message (shown as
        // what was expected, for a failure) left out.
        let shown: Vec<String> = report
            .verdicts
            .iter()
            .map(|verdict| {
                let has_message = attempt
                    .exercise
                    .checks
                    .iter()
                    .any(|check| check.line == verdict.line && check.message.is_some());
                let source = if has_message {
                    without_message(&verdict.source)
                } else {
                    &verdict.source
                };
                placeholders.expand(source)
            })
            .collect();
        for (verdict, shown) in report.verdicts.iter().zip(&shown) {
            if verdict.passed {
                self.screen.say(Tone::Pass, &format!("PASS {shown}"))?;
            } else {
                self.screen.say(Tone::Fail, &format!("FAIL {shown}"))?;
                self.screen
                    .say(Tone::Info, &format!("     expected: {}", verdict.expected))?;
                if !verdict.found.is_empty() {
                    self.screen
                        .say(Tone::Info, &format!("     found:    {}", verdict.found))?;
                }
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
        let text = self.attempt()?.placeholders().expand(&hint.value);
        self.screen.markdown(&text)
    }

    fn solution(&mut self) -> Result<()> {
        let (_, exercise) = self.current();
        let attempt = self.attempt()?;
        if !attempt.tried() {
            return self.screen.say(
                Tone::Hint,
                "Try it yourself first: the solution opens after your first attempt. :hint helps.",
            );
        }
        self.store
            .update(&exercise.id, |progress| progress.solution_used = true);
        self.store.save()?;
        let placeholders = self.attempt()?.placeholders();
        if let Some(solution) = &exercise.solution {
            self.screen.say(Tone::Info, "The reference solution:")?;
            let text = placeholders.expand_script(&solution.value);
            self.screen.markdown(&format!("```sh\n{text}```\n"))?;
        }
        if let Some(keys) = &exercise.keys_solution {
            self.screen.say(
                Tone::Info,
                "The reference solution: type each $ line at the prompt, then the keys below it (<Esc> is the Esc key, <Enter> Enter, <C-d> Ctrl-D):",
            )?;
            let text = placeholders.expand_script(&keys.value.0);
            self.screen.markdown(&format!("```text\n{text}```\n"))?;
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
        let history = start_history(attempt);
        self.history = Some(history);
        self.running.clear();
        self.last_report = None;
        self.quiet_lines = 0;
        self.screen.say(
            Tone::Info,
            "Fresh sandbox: every process you started was stopped, and the exercise starts over.",
        )?;
        let (lesson, exercise) = self.current();
        if !exercise.random.is_empty() {
            // The values in the task changed with the new attempt: show it again.
            self.screen
                .say(Tone::Info, "The exercise has new values this time:")?;
            let number = lesson
                .exercises
                .iter()
                .position(|e| e.id == exercise.id)
                .map_or(1, |i| i + 1);
            self.show_task(number)?;
        }
        Ok(())
    }

    fn undo(&mut self) -> Result<()> {
        let Some(history) = &mut self.history else {
            return Ok(());
        };
        match history.undo() {
            Ok(None) => self.screen.say(
                Tone::Info,
                "Nothing to undo: your last command changed no files (or it was undone already).",
            ),
            Err(why) => self.screen.say(
                Tone::Fail,
                &format!("Cannot undo the last command: {why}. :reset starts the exercise over."),
            ),
            Ok(Some(undone)) => {
                let count = undone.created.len() + undone.changed.len() + undone.removed.len();
                let noun = if count == 1 {
                    "file or folder"
                } else {
                    "files and folders"
                };
                self.screen.say(Tone::Info, &format!("Undone: {count} {noun} put back as they were before your last command (the shell's folder and variables, and running programs, stay as they are)."))
            }
        }
    }

    fn diff(&mut self) -> Result<()> {
        let Some(history) = &mut self.history else {
            return Ok(());
        };
        let changes = match history.changes() {
            Ok(changes) => changes,
            Err(why) => {
                return self
                    .screen
                    .say(Tone::Fail, &format!("Cannot show changes: {why}."))
            }
        };
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
            return self.auto_check().map(drop);
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

/// Starts tracking what each line changes in the attempt's home (for `:undo` and `:diff`).
fn start_history(attempt: &Attempt<'_>) -> History {
    let store = attempt.sandbox.private_dir().join("history");
    History::start(attempt.sandbox.home(), &store, Limits::default())
}

/// `exit`, `exit 3` or `logout` on its own: the learner wants to leave, as from a shell.
fn is_exit(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["exit" | "logout"] => true,
        ["exit", code] => code.parse::<i32>().is_ok(),
        _ => false,
    }
}

/// Whether a line is a job-control command meant for the shell that holds stopped jobs: `fg`, `bg`, `jobs`,
/// `%1`, or `kill %1`.
fn is_job_command(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [first, ..] if ["fg", "bg", "jobs"].contains(first) => true,
        [first] if first.starts_with('%') => true,
        ["kill", rest @ ..] => rest.iter().any(|w| w.starts_with('%')),
        _ => false,
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

/// What happened in the background, in a few lines: processes that ended normally are not worth a word (the
/// "still running" summary shows they are gone); many alike are counted rather than listed.
fn describe_notices(notices: &[sandbox::Notice]) -> Vec<(String, Tone)> {
    let mut lines: Vec<(String, Tone)> = Vec::new();
    let mut ended: Vec<(String, i32, bool, usize)> = Vec::new();
    for notice in notices {
        match notice {
            sandbox::Notice::Ended {
                signal: false,
                status: 0,
                ..
            } => {}
            sandbox::Notice::Ended {
                name,
                status,
                signal,
                ..
            } => match ended
                .iter_mut()
                .find(|(n, s, g, _)| n == name && s == status && g == signal)
            {
                Some(entry) => entry.3 += 1,
                None => ended.push((name.clone(), *status, *signal, 1)),
            },
            other => lines.push((other.message(), Tone::Fail)),
        }
    }
    for (name, status, signal, count) in ended {
        let example = sandbox::Notice::Ended {
            pid: 0,
            name: name.clone(),
            status,
            signal,
        }
        .message();
        let message = if count == 1 {
            notices
                .iter()
                .find(|n| matches!(n, sandbox::Notice::Ended { name: m, status: s, signal: g, .. } if *m == name && *s == status && *g == signal))
                .map(sandbox::Notice::message)
                .unwrap_or(example)
        } else {
            example.replacen(
                &format!("Background process {name} (pid 0)"),
                &format!("{count} background processes ({name})"),
                1,
            )
        };
        lines.push((message, Tone::Fail));
    }
    lines
}

/// A check's source without its trailing `else "message"`.
fn without_message(source: &str) -> &str {
    match source.rfind(" else \"") {
        Some(at) if source.ends_with('"') => source[..at].trim_end(),
        _ => source,
    }
}

/// `nginx (3 processes), python3`: what runs, by name.
fn summarize_processes(processes: &[sandbox::ProcessInfo]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for process in processes {
        let name = if process.stopped {
            format!("{} (stopped)", process.name)
        } else {
            process.name.clone()
        };
        match counts.iter_mut().find(|(known, _)| *known == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    let text = counts
        .iter()
        .map(|(name, count)| match count {
            1 => name.clone(),
            n => format!("{name} ({n} processes)"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_is_shown_without_its_message() {
        assert_eq!(
            without_message(r#"not file music else "music is a file""#),
            "not file music"
        );
        assert_eq!(without_message("exists notes"), "exists notes");
    }

    #[test]
    fn exit_alone_leaves_and_exit_in_a_longer_line_is_the_shells() {
        for line in ["exit", "exit 3", "logout"] {
            assert!(is_exit(line), "{line}");
        }
        for line in ["exit; echo", "cd /tmp && exit", "exit now", "exits"] {
            assert!(!is_exit(line), "{line}");
        }
    }

    #[test]
    fn job_commands_go_to_the_shell_with_stopped_jobs() {
        for line in ["fg", "fg %1", "bg", "jobs -l", "%1", "kill %2"] {
            assert!(is_job_command(line), "{line}");
        }
        for line in ["fgrep x", "kill 12", "echo fg", "jobsx"] {
            assert!(!is_job_command(line), "{line}");
        }
    }

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
