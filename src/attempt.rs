//! One learner's go at one exercise: a fresh sandbox with the exercise's setup run, the lines typed so far, and
//! checking after each of them. Shared by the REPL, `grade` and `verify`, so all three judge alike.

use anyhow::{bail, Context, Result};
use sandbox::{Outcome, Sandbox};

use crate::check::baseline::Baseline;
use crate::check::evaluate::{evaluate, Observation, Verdict};
use crate::check::text::Placeholders;
use crate::check::view::View;
use crate::lesson::Exercise;

/// An exercise in progress.
#[derive(Debug)]
pub struct Attempt<'a> {
    pub exercise: &'a Exercise,
    pub sandbox: Sandbox,
    baseline: Baseline,
    /// The lines the learner ran, oldest first (tutor commands excluded).
    pub typed: Vec<String>,
    pub last: Option<Outcome>,
    /// The learner's answer to a quiz, if given.
    pub answer: Option<String>,
}

/// The result of checking an exercise once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub verdicts: Vec<Verdict>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.verdicts.is_empty() && self.verdicts.iter().all(|v| v.passed)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| !v.passed)
    }
}

impl<'a> Attempt<'a> {
    /// A fresh sandbox with the exercise's setup run in it. A failing setup is a defect of the lesson.
    pub fn start(exercise: &'a Exercise, options: sandbox::Options) -> Result<Attempt<'a>> {
        let sandbox = Sandbox::new(options)?;
        let mut attempt = Attempt {
            exercise,
            sandbox,
            baseline: Baseline::default(),
            typed: Vec::new(),
            last: None,
            answer: None,
        };
        attempt.set_up()?;
        Ok(attempt)
    }

    /// Runs the setup scripts and records the baseline for `appended` and `unchanged`.
    fn set_up(&mut self) -> Result<()> {
        for script in &self.exercise.setup {
            let outcome = self
                .sandbox
                .run(&script.value)
                .context("running the exercise's setup")?;
            if !outcome.status.success() {
                bail!(
                    "the setup of exercise '{}' (line {}) failed with {}",
                    self.exercise.id,
                    script.line,
                    crate::quote::failed_run(&outcome)
                );
            }
        }
        self.baseline = Baseline::capture(&self.view(), &self.exercise.checks);
        Ok(())
    }

    /// Empties the sandbox and starts the exercise over.
    pub fn reset(&mut self) -> Result<()> {
        self.sandbox.reset()?;
        self.typed.clear();
        self.last = None;
        self.answer = None;
        self.set_up()
    }

    /// Runs a line headless, as `grade` and `verify` do, and remembers it.
    pub fn run(&mut self, line: &str) -> Result<&Outcome> {
        let outcome = self.sandbox.run(line)?;
        Ok(self.record(line, outcome))
    }

    /// Remembers a line that was run (by whatever means) and its outcome.
    pub fn record(&mut self, line: &str, outcome: Outcome) -> &Outcome {
        self.typed.push(line.to_string());
        self.last.insert(outcome)
    }

    pub fn view(&self) -> View {
        View {
            home: self.sandbox.home().to_path_buf(),
            boundary: self.sandbox.root().to_path_buf(),
        }
    }

    /// Runs every check of the exercise: assertions, `sh check` scripts (in a subshell, so they cannot change the
    /// learner's shell state) and the quiz.
    pub fn check(&mut self) -> Result<Report> {
        let view = self.view();
        let placeholders = Placeholders {
            user: self.sandbox.user_name().to_string_lossy().into_owned(),
            home: self.sandbox.learner_home().display().to_string(),
            cwd: self.sandbox.learner_cwd().display().to_string(),
        };
        let observation = Observation {
            view: &view,
            placeholders: &placeholders,
            cwd: self.last.as_ref().map(|o| o.cwd.as_path()),
            last: self
                .last
                .as_ref()
                .map(|o| (o.status.code(), o.output.as_slice())),
            typed: &self.typed,
            baseline: &self.baseline,
        };
        let mut verdicts = evaluate(&self.exercise.checks, &observation);
        for script in &self.exercise.shell_checks {
            verdicts.push(self.run_shell_check(&script.value, script.line)?);
        }
        if let Some(quiz) = &self.exercise.quiz {
            verdicts.push(quiz_verdict(&quiz.value, quiz.line, self.answer.as_deref()));
        }
        Ok(Report { verdicts })
    }

    fn run_shell_check(&mut self, script: &str, line: usize) -> Result<Verdict> {
        // A subshell keeps the learner's directory, variables and functions as they were.
        let outcome = self
            .sandbox
            .run(&format!("(\n{script}\n)"))
            .context("running a 'sh check' script")?;
        let output = outcome.output_lossy().trim().to_string();
        let passed = outcome.status.success();
        Ok(Verdict {
            passed,
            source: "sh check".to_string(),
            line,
            expected: if output.is_empty() {
                "the check script to succeed".to_string()
            } else {
                output.clone()
            },
            found: match outcome.limit {
                Some(limit) => limit.message().to_string(),
                None => format!("it exited with status {}", outcome.status.code()),
            },
        })
    }
}

fn quiz_verdict(quiz: &crate::lesson::Quiz, line: usize, answer: Option<&str>) -> Verdict {
    let source = "quiz".to_string();
    match answer.map(|a| quiz.is_correct(a)) {
        Some(Ok(true)) => Verdict {
            passed: true,
            source,
            line,
            expected: String::new(),
            found: String::new(),
        },
        Some(Ok(false)) => Verdict {
            passed: false,
            source,
            line,
            expected: "the right answer".into(),
            found: format!("'{}' is not it", answer.unwrap_or_default().trim()),
        },
        Some(Err(error)) => Verdict {
            passed: false,
            source,
            line,
            expected: "an answer".into(),
            found: error.to_string(),
        },
        None => Verdict {
            passed: false,
            source,
            line,
            expected: format!("an answer: {}", quiz.choices()),
            found: "no answer yet".into(),
        },
    }
}

/// Splits a script into the commands a person would type: lines, joined where bash says the command is not yet
/// complete (an open quote, a heredoc, `if` without `fi`, a trailing `\`), as an interactive shell's `>` prompt
/// would continue them.
pub fn split_commands(script: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut pending = String::new();
    for line in script.lines() {
        if pending.is_empty() && line.trim().is_empty() {
            continue;
        }
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line);
        if is_complete(&pending) {
            commands.push(std::mem::take(&mut pending));
        }
    }
    if !pending.trim().is_empty() {
        commands.push(pending);
    }
    commands
}

/// Whether bash can parse `text` as complete commands (`bash -n` reports no unexpected end of file): an open
/// quote, a here-document, `if` without `fi` or a trailing `\` mean more lines are to come.
pub fn is_complete(text: &str) -> bool {
    if !text.contains(['\'', '"', '<', '\\', '(', '{', '`']) && !has_compound_keyword(text) {
        return true;
    }
    let output = std::process::Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(text)
        .output();
    match output {
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            !(stderr.contains("unexpected end of file")
                || stderr.contains("unexpected EOF")
                || stderr.contains("here-document")
                || text.ends_with('\\'))
        }
        Err(_) => true,
    }
}

fn has_compound_keyword(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "if" | "for" | "while" | "until" | "case" | "function" | "select"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_simple_lines_and_keeps_compound_commands_together() {
        assert_eq!(split_commands("cd a\n\nls -l\n"), ["cd a", "ls -l"]);
        assert_eq!(
            split_commands("cat > f <<EOF\nhello\nEOF\necho done"),
            ["cat > f <<EOF\nhello\nEOF", "echo done"]
        );
        assert_eq!(
            split_commands("for i in 1 2; do\n  echo $i\ndone"),
            ["for i in 1 2; do\n  echo $i\ndone"]
        );
        assert_eq!(split_commands("echo 'a\nb'\npwd"), ["echo 'a\nb'", "pwd"]);
        assert_eq!(split_commands("echo a \\\n  b"), ["echo a \\\n  b"]);
        assert_eq!(split_commands("echo 'never closed"), ["echo 'never closed"]);
    }

    fn quiz() -> crate::lesson::Quiz {
        crate::lesson::Quiz::parse("Q?\n- [ ] a\n- [x] b").expect("valid")
    }

    #[test]
    fn quiz_verdicts() {
        assert!(quiz_verdict(&quiz(), 1, Some("b")).passed);
        let wrong = quiz_verdict(&quiz(), 1, Some("a"));
        assert!(!wrong.passed);
        assert_eq!(wrong.found, "'a' is not it");
        assert_eq!(quiz_verdict(&quiz(), 1, None).found, "no answer yet");
        assert!(quiz_verdict(&quiz(), 1, Some("z"))
            .found
            .contains("not an option"));
    }
}
