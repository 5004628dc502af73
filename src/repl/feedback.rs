//! Feedback between lines: after a line that did something the exercise's checks care about but did not pass,
//! the tutor says the first failing check's message, one line, unprompted. Lines that touch nothing relevant
//! (an `ls` to look around) stay quiet, so the learner is nudged, not nagged; after a few quiet lines without a
//! pass a single reminder points at `:check` and `:hint`.

use std::path::Path;

use crate::attempt::Report;
use crate::check::assertion::Assertion;
use crate::check::commands;
use crate::check::evaluate::LineRecord;
use crate::lesson::Exercise;

/// After this many lines in a row with neither a pass nor a nudge, the learner is reminded of `:check`.
pub const QUIET_LINES_BEFORE_REMINDER: usize = 3;

/// Whether the last line did something the checks look at: it changed a file a check names (or a folder on the
/// way to one), ran a command a check names, the exercise judges the last line's output, or a check changed its
/// verdict.
pub fn is_relevant(
    exercise: &Exercise,
    changed: &[impl AsRef<Path>],
    line: &LineRecord,
    before: Option<&Report>,
    after: &Report,
) -> bool {
    let assertions: Vec<&Assertion> = exercise.checks.iter().map(|c| &c.assertion).collect();
    let touches_checked_path = changed.iter().any(|path| {
        let parts: Vec<String> = path
            .as_ref()
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        assertions
            .iter()
            .flat_map(|a| a.paths())
            .any(|rule| parts.starts_with(&rule.components) || rule.components.starts_with(&parts))
    });
    let names: Vec<&str> = assertions.iter().flat_map(|a| a.command_names()).collect();
    let runs_checked_command = line
        .commands
        .iter()
        .flat_map(commands::runs)
        .any(|run| names.contains(&run.name));
    // Typing a checked command's name or a checked file's name is trying, even when it did not run
    // (`echo whoami`, `cat notes.txt` before making it).
    let typed_words: Vec<&str> = line
        .typed
        .split(|c: char| c.is_whitespace() || "'\";|&<>()/".contains(c))
        .filter(|word| !word.is_empty())
        .collect();
    let mentions_checked_name = names.iter().any(|name| typed_words.contains(name))
        || assertions
            .iter()
            .flat_map(|a| a.paths())
            .filter_map(|rule| rule.components.last())
            .any(|file| typed_words.contains(&file.as_str()));
    let ran: Vec<&str> = line
        .commands
        .iter()
        .flat_map(commands::runs)
        .map(|run| run.name)
        .collect();
    let judged_by_state = assertions.iter().any(|a| judged_by_line(a, &ran));
    let verdict_changed = before.is_some_and(|before| {
        before
            .verdicts
            .iter()
            .map(|v| v.passed)
            .ne(after.verdicts.iter().map(|v| v.passed))
    });
    touches_checked_path
        || runs_checked_command
        || mentions_checked_name
        || judged_by_state
        || verdict_changed
}

/// Commands that only look around: they change nothing a state check could see.
const LOOKING_AROUND: [&str; 12] = [
    "ls", "cat", "pwd", "echo", "less", "more", "man", "help", "type", "which", "clear", "history",
];

/// Whether a line that ran `ran` bears on the assertion even without naming a path or command of it: the output
/// and status of the last line always do; the folder does after `cd`; servers, ports, requests and checker
/// commands do after anything but looking around.
fn judged_by_line(assertion: &Assertion, ran: &[&str]) -> bool {
    match assertion {
        Assertion::Output(_) | Assertion::StatusIs(_) | Assertion::StatusIsNot(_) => true,
        Assertion::Cwd(_) => ran
            .iter()
            .any(|name| matches!(*name, "cd" | "pushd" | "popd")),
        Assertion::Http { .. }
        | Assertion::ProcessRuns(_)
        | Assertion::PortListening(_)
        | Assertion::Command(..)
        | Assertion::TypeIs(..)
        | Assertion::Program(..) => ran.iter().any(|name| !LOOKING_AROUND.contains(name)),
        Assertion::Not(inner) => judged_by_line(inner, ran),
        _ => false,
    }
}

/// The one line said after a relevant line that did not pass: the first failing check's message (the author's
/// advice when there is one), and what was found.
pub fn nudge(report: &Report) -> Option<String> {
    let failure = report.failures().next()?;
    let found = failure.found.trim();
    Some(if found.is_empty() {
        format!("Not yet: {}", failure.expected.trim())
    } else {
        format!("Not yet: {} ({found})", failure.expected.trim())
    })
}

/// The reminder after a few quiet lines.
pub const REMINDER: &str =
    "Not done yet. :check shows what is checked and what was found; :hint gives a hint.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate::Verdict;
    use crate::lesson::parse::parse_lesson;

    fn exercise(checks: &str) -> Exercise {
        let text = format!(
            "+++\ntitle = \"L\"\n+++\n\n## Exercise: E\n\n```check\n{checks}\n```\n\n```sh solution\ntrue\n```\n"
        );
        let lesson = parse_lesson("l.md", "l.md", text.as_bytes()).expect("valid lesson");
        lesson.exercises[0].clone()
    }

    fn line(argv: &str) -> LineRecord {
        LineRecord {
            typed: argv.to_string(),
            commands: vec![sandbox::Executed {
                argv: argv.split(' ').map(String::from).collect(),
                assignments: Vec::new(),
                status: Some(0),
                depth: 0,
                shell_pid: 1,
                cwd: "/home/a".into(),
            }],
            output: Vec::new(),
            status: 0,
        }
    }

    fn report(passed: &[bool]) -> Report {
        Report {
            verdicts: passed
                .iter()
                .map(|&passed| Verdict {
                    passed,
                    source: "exists x".into(),
                    line: 1,
                    expected: "~/notes/2024 should exist".into(),
                    found: "there is no ~/notes/2024".into(),
                })
                .collect(),
        }
    }

    const NOTHING: [&str; 0] = [];

    #[test]
    fn touching_a_checked_path_or_a_folder_on_its_way_is_relevant() {
        let exercise = exercise("dir notes/2024");
        let failing = report(&[false]);
        assert!(is_relevant(
            &exercise,
            &["notes"],
            &line("mkdir notes"),
            None,
            &failing
        ));
        assert!(is_relevant(
            &exercise,
            &["notes/2024/x"],
            &line("touch x"),
            None,
            &failing
        ));
        assert!(!is_relevant(
            &exercise,
            &["other"],
            &line("mkdir other"),
            None,
            &failing
        ));
        assert!(!is_relevant(
            &exercise,
            &NOTHING,
            &line("ls"),
            None,
            &failing
        ));
    }

    #[test]
    fn running_a_checked_command_or_flipping_a_verdict_is_relevant() {
        let exercise = exercise("ran whoami");
        let failing = report(&[false]);
        assert!(is_relevant(
            &exercise,
            &NOTHING,
            &line("sudo whoami"),
            None,
            &failing
        ));
        assert!(!is_relevant(
            &exercise,
            &NOTHING,
            &line("id"),
            None,
            &failing
        ));
        let two = exercise_with_two();
        assert!(is_relevant(
            &two,
            &NOTHING,
            &line("ls"),
            Some(&report(&[false, false])),
            &report(&[true, false])
        ));
    }

    fn exercise_with_two() -> Exercise {
        exercise("exists a\nexists b")
    }

    #[test]
    fn output_checks_make_every_line_relevant() {
        let exercise = exercise("output contains \"x\"");
        assert!(is_relevant(
            &exercise,
            &NOTHING,
            &line("ls"),
            None,
            &report(&[false])
        ));
    }

    #[test]
    fn state_checks_are_relevant_after_doing_not_looking() {
        let failing = report(&[false]);
        let server = exercise("port 8080 is listening");
        assert!(is_relevant(
            &server,
            &NOTHING,
            &line("python3 -m http.server"),
            None,
            &failing
        ));
        assert!(!is_relevant(
            &server,
            &NOTHING,
            &line("ls -l"),
            None,
            &failing
        ));
        let folder = exercise("cwd is ~/projects");
        assert!(is_relevant(
            &folder,
            &NOTHING,
            &line("cd /tmp"),
            None,
            &failing
        ));
        assert!(!is_relevant(
            &folder,
            &NOTHING,
            &line("touch x"),
            None,
            &failing
        ));
    }

    #[test]
    fn the_nudge_is_the_first_failure_in_one_line() {
        assert_eq!(
            nudge(&report(&[true, false])).as_deref(),
            Some("Not yet: ~/notes/2024 should exist (there is no ~/notes/2024)")
        );
        assert_eq!(nudge(&report(&[true])), None);
    }
}
