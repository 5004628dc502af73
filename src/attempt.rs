//! One learner's go at one exercise: a fresh sandbox with the exercise's setup run, the lines run so far (with the
//! commands the shell ran for each), and checking after each of them. Shared by the REPL, `grade` and `verify`,
//! so all three judge alike.

use anyhow::{bail, Context, Result};
use sandbox::{KeyStep, Outcome, ProcessInfo, Sandbox};

use crate::check::baseline::Baseline;
use crate::check::evaluate::{evaluate, LineRecord, Observation, Probe, Verdict};
use crate::check::text::Placeholders;
use crate::check::view::View;
use crate::lesson::keys::KeyLine;
use crate::lesson::Exercise;

/// An exercise in progress.
#[derive(Debug)]
pub struct Attempt<'a> {
    pub exercise: &'a Exercise,
    pub sandbox: Sandbox,
    baseline: Baseline,
    /// The lines the learner ran, oldest first (tutor commands excluded), with what the shell ran for each.
    pub lines: Vec<LineRecord>,
    pub last: Option<Outcome>,
    /// The learner's answer to a quiz, if given.
    pub answer: Option<String>,
    /// This attempt's random values (see `lesson/random.rs`), by name.
    pub values: Vec<(String, String)>,
    /// The tutor has said PASS for this attempt (so a learner redoing a finished exercise hears it again once).
    pub pass_announced: bool,
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
            lines: Vec::new(),
            last: None,
            answer: None,
            values: Vec::new(),
            pass_announced: false,
        };
        attempt.set_up()?;
        Ok(attempt)
    }

    /// Makes this attempt's random values, runs the setup scripts and records the baseline for `appended`,
    /// `unchanged` and `modified`.
    fn set_up(&mut self) -> Result<()> {
        self.values = crate::lesson::random::generate(&self.exercise.random);
        let placeholders = self.placeholders();
        for script in &self.exercise.setup {
            let outcome = self
                .sandbox
                .run(&placeholders.expand_script(&script.value))
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
        self.baseline = Baseline::capture(&self.view(), &self.exercise.checks, &placeholders);
        Ok(())
    }

    /// Empties the sandbox and starts the exercise over (with new random values).
    pub fn reset(&mut self) -> Result<()> {
        self.sandbox.reset()?;
        self.lines.clear();
        self.last = None;
        self.answer = None;
        self.pass_announced = false;
        self.set_up()
    }

    /// Whether the learner has run anything (or answered) in this attempt.
    pub fn tried(&self) -> bool {
        !self.lines.is_empty() || self.answer.is_some()
    }

    /// Runs a line headless, as `grade` and `verify` do, and remembers it.
    pub fn run(&mut self, line: &str) -> Result<&Outcome> {
        let outcome = self.sandbox.run(line)?;
        Ok(self.record(line, outcome))
    }

    /// Runs a line on a pseudo-terminal typed into by `keys` (a keystroke solution or answer), and remembers it.
    pub fn run_keys(&mut self, line: &str, keys: &[KeyStep]) -> Result<&Outcome> {
        let outcome = self.sandbox.run_keys(line, keys)?;
        Ok(self.record(line, outcome))
    }

    /// Types the exercise's reference solution (lines or keystrokes) with this attempt's placeholder values, as
    /// `verify` and the tutor's `:solution` proof do; a quiz gets its correct answer.
    pub fn run_solution(&mut self) -> Result<()> {
        let placeholders = self.placeholders();
        if let Some(solution) = &self.exercise.solution {
            for command in split_commands(&placeholders.expand_script(&solution.value)) {
                self.run(&command)?;
            }
        }
        if let Some(keys) = &self.exercise.keys_solution {
            let text = placeholders.expand_script(&keys.value.0);
            let lines = crate::lesson::keys::parse(&text, is_complete).map_err(|error| {
                anyhow::anyhow!(
                    "the keys solution (line {}) cannot be read once its placeholders are filled in: {}",
                    keys.line + error.line + 1,
                    error.message
                )
            })?;
            self.run_key_lines(&lines)?;
        }
        if let Some(quiz) = &self.exercise.quiz {
            self.answer = Some(quiz.value.correct_answer());
        }
        Ok(())
    }

    /// Runs each command of a keystroke script on a pseudo-terminal, typing its keys.
    pub fn run_key_lines(&mut self, lines: &[KeyLine]) -> Result<()> {
        for line in lines {
            self.run_keys(&line.command, &line.keys)?;
        }
        Ok(())
    }

    /// Remembers a line that was run (by whatever means) and its outcome.
    pub fn record(&mut self, line: &str, outcome: Outcome) -> &Outcome {
        self.lines.push(LineRecord {
            typed: line.to_string(),
            commands: outcome.commands.clone(),
            output: outcome.output.clone(),
            status: outcome.status.code(),
        });
        self.last.insert(outcome)
    }

    pub fn view(&self) -> View {
        View {
            home: self.sandbox.home().to_path_buf(),
            boundary: self.sandbox.root().to_path_buf(),
        }
    }

    /// The values placeholders stand for in this attempt: the learner's name, ids, home and folder, the host name,
    /// and the random values.
    pub fn placeholders(&self) -> Placeholders {
        let (uid, gid) = self.sandbox.learner_ids();
        let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
            .ok()
            .flatten()
            .map_or_else(|| gid.to_string(), |group| group.name);
        let mut values = vec![
            ("uid".to_string(), uid.to_string()),
            ("gid".to_string(), gid.to_string()),
            ("group".to_string(), group),
            ("hostname".to_string(), self.sandbox.hostname().to_string()),
        ];
        values.extend(self.values.iter().cloned());
        Placeholders {
            user: self.sandbox.user_name().to_string_lossy().into_owned(),
            home: self.sandbox.learner_home().display().to_string(),
            cwd: self.sandbox.learner_cwd().display().to_string(),
            values,
        }
    }

    /// Runs every check of the exercise: assertions, `sh check` scripts (which leave the learner's shell as it was)
    /// and the quiz.
    pub fn check(&mut self) -> Result<Report> {
        let view = self.view();
        let placeholders = self.placeholders();
        let cwd = self.last.as_ref().map(|o| o.cwd.clone());
        let learner_home = self.sandbox.learner_home().to_path_buf();
        let observation = Observation {
            view: &view,
            placeholders: &placeholders,
            cwd: cwd.as_deref(),
            lines: &self.lines,
            baseline: &self.baseline,
            learner_home: &learner_home,
        };
        let mut probe = SandboxProbe {
            sandbox: &mut self.sandbox,
        };
        let mut verdicts = evaluate(&self.exercise.checks, &observation, &mut probe);
        for script in &self.exercise.shell_checks {
            let script = placeholders.expand_script(&script.value);
            verdicts.push(shell_check(
                &mut self.sandbox,
                &script,
                self.exercise.shell_checks[0].line,
            )?);
        }
        if let Some(quiz) = &self.exercise.quiz {
            verdicts.push(quiz_verdict(&quiz.value, quiz.line, self.answer.as_deref()));
        }
        Ok(Report { verdicts })
    }
}

/// The checker's way into the sandbox: lines run in the learner's shell state without changing it.
struct SandboxProbe<'s> {
    sandbox: &'s mut Sandbox,
}

impl Probe for SandboxProbe<'_> {
    fn run(&mut self, line: &str) -> Result<(i32, Vec<u8>), String> {
        let outcome = self
            .sandbox
            .run_check(line)
            .map_err(|error| error.to_string())?;
        if let Some(limit) = outcome.limit {
            return Err(format!(
                "the checker's command was stopped: {}",
                limit.message()
            ));
        }
        Ok((outcome.status.code(), outcome.output))
    }

    fn processes(&mut self) -> Vec<ProcessInfo> {
        self.sandbox.processes()
    }

    fn ports(&mut self) -> Vec<u16> {
        self.sandbox.listening_ports()
    }

    fn owner_name(&mut self, uid: u32) -> String {
        self.sandbox.owner_name(uid)
    }
}

/// Runs a `sh check` script in the learner's sandbox (leaving their shell as it was): exit 0 passes, its output
/// is the feedback.
fn shell_check(sandbox: &mut Sandbox, script: &str, line: usize) -> Result<Verdict> {
    let outcome = sandbox
        .run_check(script)
        .context("running a 'sh check' script")?;
    let output = crate::quote::bounded(&outcome.output_lossy())
        .trim()
        .to_string();
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
