//! Evaluating assertions: each check against the sandbox, the last command and the exercise's baseline, giving
//! a [`Verdict`] that says in plain words what was expected and what was found.

use regex::Regex;

use super::assertion::{Assertion, Check, PathRule, Test};
use super::baseline::{record, Baseline};
use super::text::{for_equality, normalise_newlines, Placeholders};
use super::view::{is_empty_dir, Entry, View};

/// What happened in the exercise so far, as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub view: &'a View,
    pub placeholders: &'a Placeholders,
    /// The shell's working directory after the last command (a host path), if any command ran.
    pub cwd: Option<&'a std::path::Path>,
    /// The last command's exit status (`$?`) and output, if a command ran.
    pub last: Option<(i32, &'a [u8])>,
    /// The lines the learner typed in this exercise, oldest first.
    pub typed: &'a [String],
    pub baseline: &'a Baseline,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub passed: bool,
    /// The check as written in the lesson.
    pub source: String,
    /// The lesson line the check is on.
    pub line: usize,
    /// For a failure: the author's message, or what was expected.
    pub expected: String,
    /// For a failure: what was found instead.
    pub found: String,
}

/// Evaluates every check, in order.
pub fn evaluate(checks: &[Check], observation: &Observation<'_>) -> Vec<Verdict> {
    checks
        .iter()
        .map(|check| evaluate_one(check, observation))
        .collect()
}

fn evaluate_one(check: &Check, observation: &Observation<'_>) -> Verdict {
    let (passed, expected, found) = match assess(&check.assertion, observation) {
        Ok(()) => (true, String::new(), String::new()),
        Err(Failure { expected, found }) => (false, expected, found),
    };
    let expected = match (&check.message, passed) {
        (Some(message), false) => observation.placeholders.expand(message),
        _ => expected,
    };
    Verdict {
        passed,
        source: check.source.clone(),
        line: check.line,
        expected,
        found,
    }
}

/// Why an assertion does not hold, in words for the learner.
struct Failure {
    expected: String,
    found: String,
}

fn fail(expected: impl Into<String>, found: impl Into<String>) -> Result<(), Failure> {
    Err(Failure {
        expected: expected.into(),
        found: found.into(),
    })
}

fn assess(assertion: &Assertion, observation: &Observation<'_>) -> Result<(), Failure> {
    let view = observation.view;
    let found_entry = |rule: &PathRule, entry: &Entry| format!("{rule} is {}", entry.describe());
    match assertion {
        Assertion::Exists(rule) => match view.entry(rule, false) {
            Entry::Missing => fail(
                format!("{rule} should exist"),
                format!("there is no {rule}"),
            ),
            _ => Ok(()),
        },
        Assertion::Missing(rule) => match view.entry(rule, false) {
            Entry::Missing => Ok(()),
            entry => fail(
                format!("{rule} should not exist"),
                found_entry(rule, &entry),
            ),
        },
        Assertion::Dir(rule) => match view.entry(rule, true) {
            Entry::Dir { .. } => Ok(()),
            entry => fail(
                format!("{rule} should be a folder"),
                found_entry(rule, &entry),
            ),
        },
        Assertion::File(rule) => match view.entry(rule, true) {
            Entry::File { .. } => Ok(()),
            entry => fail(
                format!("{rule} should be a file"),
                found_entry(rule, &entry),
            ),
        },
        Assertion::Symlink(rule, target) => symlink(view, rule, target.as_deref()),
        Assertion::Empty(rule) => match view.entry(rule, true) {
            Entry::File { size: 0, .. } => Ok(()),
            Entry::Dir { path, .. } if is_empty_dir(&path) => Ok(()),
            Entry::File { size, .. } => fail(
                format!("{rule} should be empty"),
                format!("it holds {size} bytes"),
            ),
            Entry::Dir { .. } => fail(
                format!("{rule} should be an empty folder"),
                "it has files in it",
            ),
            entry => fail(format!("{rule} should be empty"), found_entry(rule, &entry)),
        },
        Assertion::Content(rule, test) => {
            let text = file_text(view, rule)?;
            text_test(test, &text, &rule.to_string(), observation.placeholders)
        }
        Assertion::LineCount(rule, count) => {
            let text = file_text(view, rule)?;
            let lines = normalise_newlines(&text).lines().count();
            if lines == *count {
                Ok(())
            } else {
                fail(
                    format!("{rule} should have {count} lines"),
                    format!("it has {lines}"),
                )
            }
        }
        Assertion::ModeIs(rule, bits) => mode(
            view,
            rule,
            |mode| mode & 0o7777 == *bits,
            &format!("{bits:03o}"),
        ),
        Assertion::ModeLacks(rule, bits, spec) => mode(
            view,
            rule,
            |mode| mode & bits == 0,
            &format!("without {}", spec.replace('+', "-")),
        ),
        Assertion::ModeHas(rule, bits, spec) => mode(
            view,
            rule,
            |mode| mode & bits == *bits,
            &format!("with {spec}"),
        ),
        Assertion::Cwd(rule) => cwd(observation, rule),
        Assertion::StatusIs(code) => match observation.last {
            Some((status, _)) if status == *code => Ok(()),
            Some((status, _)) => fail(
                format!("the last command should exit with status {code}"),
                format!("it exited with {status}"),
            ),
            None => fail(
                format!("a command that exits with status {code}"),
                "no command has run yet",
            ),
        },
        Assertion::StatusIsNot(code) => match observation.last {
            Some((status, _)) if status != *code => Ok(()),
            Some(_) => fail(
                format!("the last command should not exit with status {code}"),
                format!("it exited with {code}"),
            ),
            None => fail(
                format!("a command that does not exit with status {code}"),
                "no command has run yet",
            ),
        },
        Assertion::Output(test) => match observation.last {
            Some((_, output)) => {
                let text = String::from_utf8_lossy(output);
                text_test(test, &text, "the output", observation.placeholders)
            }
            None => fail("a command's output", "no command has run yet"),
        },
        Assertion::Appended(rule) => appended(observation, rule),
        Assertion::Unchanged(rule) => {
            let now = record(view, rule);
            match observation.baseline.get(rule) {
                Some(before) if *before == now => Ok(()),
                Some(before) => fail(
                    format!("{rule} should be left as it was"),
                    changed(before, &now, rule),
                ),
                None => Ok(()),
            }
        }
        Assertion::Ran(pattern) => {
            match observation.typed.iter().any(|line| pattern.is_match(line)) {
                true => Ok(()),
                false => fail(
                    format!("a command matching {}", show_pattern(pattern)),
                    typed_summary(observation.typed),
                ),
            }
        }
        Assertion::DidNotRun(pattern) => {
            match observation.typed.iter().find(|line| pattern.is_match(line)) {
                None => Ok(()),
                Some(line) => fail(
                    format!("no command matching {}", show_pattern(pattern)),
                    format!("you ran: {line}"),
                ),
            }
        }
    }
}

fn symlink(view: &View, rule: &PathRule, wanted: Option<&str>) -> Result<(), Failure> {
    match (view.entry(rule, false), wanted) {
        (Entry::Symlink { .. }, None) => Ok(()),
        (Entry::Symlink { target, .. }, Some(wanted)) if target.as_os_str() == wanted => Ok(()),
        (Entry::Symlink { target, .. }, Some(wanted)) => fail(
            format!("{rule} should point to {wanted}"),
            format!("it points to {}", target.display()),
        ),
        (entry, _) => fail(
            format!("{rule} should be a symbolic link"),
            format!("{rule} is {}", entry.describe()),
        ),
    }
}

fn file_text(view: &View, rule: &PathRule) -> Result<String, Failure> {
    let entry = view.entry(rule, true);
    match view.read(&entry) {
        Some((bytes, _)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        None => Err(Failure {
            expected: format!("{rule} should be a file"),
            found: format!("{rule} is {}", entry.describe()),
        }),
    }
}

fn text_test(
    test: &Test,
    text: &str,
    what: &str,
    placeholders: &Placeholders,
) -> Result<(), Failure> {
    let found = || format!("{what} was: {}", excerpt(text));
    match test {
        Test::Equals(wanted) => {
            let wanted = placeholders.expand(wanted);
            if for_equality(text) == for_equality(&wanted) {
                Ok(())
            } else {
                fail(format!("{what} should be: {}", excerpt(&wanted)), found())
            }
        }
        Test::Contains(wanted) => {
            let wanted = placeholders.expand(wanted);
            if normalise_newlines(text).contains(&normalise_newlines(&wanted)) {
                Ok(())
            } else {
                fail(
                    format!("{what} should contain: {}", excerpt(&wanted)),
                    found(),
                )
            }
        }
        Test::Matches(pattern) => {
            if pattern.is_match(&normalise_newlines(text)) {
                Ok(())
            } else {
                fail(
                    format!("{what} should match {}", show_pattern(pattern)),
                    found(),
                )
            }
        }
        Test::IsEmpty => {
            if text.trim().is_empty() {
                Ok(())
            } else {
                fail(format!("{what} should be empty"), found())
            }
        }
    }
}

fn mode(
    view: &View,
    rule: &PathRule,
    holds: impl Fn(u32) -> bool,
    wanted: &str,
) -> Result<(), Failure> {
    let entry = view.entry(rule, true);
    match entry.mode() {
        Some(mode) if holds(mode) => Ok(()),
        Some(mode) => fail(
            format!("{rule} should have mode {wanted}"),
            format!("its mode is {:03o} ({})", mode & 0o7777, symbolic(mode)),
        ),
        None => fail(
            format!("{rule} should have mode {wanted}"),
            format!("{rule} is {}", entry.describe()),
        ),
    }
}

/// `0o640` -> `rw-r-----`, as `ls -l` shows it.
fn symbolic(mode: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 0o400 >> i;
            if mode & bit == 0 {
                '-'
            } else {
                ['r', 'w', 'x'][i % 3]
            }
        })
        .collect()
}

fn cwd(observation: &Observation<'_>, rule: &PathRule) -> Result<(), Failure> {
    let view = observation.view;
    let wanted = rule
        .components
        .iter()
        .fold(view.home.clone(), |path, part| path.join(part));
    match observation.cwd {
        Some(cwd) if cwd == wanted => Ok(()),
        Some(cwd) => {
            let shown = match cwd.strip_prefix(&view.home) {
                Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
                Ok(rest) => format!("~/{}", rest.display()),
                Err(_) => cwd.display().to_string(),
            };
            fail(
                format!("you should be in {rule}"),
                format!("you are in {shown}"),
            )
        }
        None => fail(format!("you should be in {rule}"), "no command has run yet"),
    }
}

fn appended(observation: &Observation<'_>, rule: &PathRule) -> Result<(), Failure> {
    let now = record(observation.view, rule);
    let before = observation
        .baseline
        .get(rule)
        .and_then(|b| b.content.clone())
        .unwrap_or_default();
    let Some(after) = now.content else {
        return fail(
            format!("{rule} should be a file that was added to"),
            format!("{rule} is {}", now.entry.describe()),
        );
    };
    if !after.starts_with(&before) {
        fail(format!("new lines should be added to the end of {rule}, keeping what was there"), "what was in it before is gone: it was replaced, not appended to (>> appends, > replaces)")
    } else if after.len() == before.len() {
        fail(
            format!("something should be added to the end of {rule}"),
            "it is unchanged",
        )
    } else {
        Ok(())
    }
}

fn changed(
    before: &super::baseline::Recorded,
    now: &super::baseline::Recorded,
    rule: &PathRule,
) -> String {
    if before.entry.describe() != now.entry.describe() {
        format!(
            "it was {} and is now {}",
            before.entry.describe(),
            now.entry.describe()
        )
    } else if before.content != now.content {
        format!("the content of {rule} changed")
    } else {
        format!("the permissions of {rule} changed")
    }
}

fn show_pattern(pattern: &Regex) -> String {
    format!("/{}/", pattern.as_str())
}

fn typed_summary(typed: &[String]) -> String {
    match typed.last() {
        None => "you have not run a command in this exercise yet".to_string(),
        Some(last) => format!("your last command was: {last}"),
    }
}

/// The first lines of a text, quoted, for messages; `(nothing)` for empty text.
fn excerpt(text: &str) -> String {
    const LINES: usize = 3;
    const WIDTH: usize = 72;
    let normalised = for_equality(text);
    if normalised.is_empty() {
        return "(nothing)".to_string();
    }
    let mut lines: Vec<String> = normalised
        .lines()
        .take(LINES)
        .map(|line| {
            let short: String = line.chars().take(WIDTH).collect();
            if short.len() < line.len() {
                format!("{short}…")
            } else {
                short
            }
        })
        .collect();
    if normalised.lines().count() > LINES {
        lines.push("…".to_string());
    }
    if lines.len() == 1 {
        format!("\"{}\"", lines[0])
    } else {
        format!("\n  {}", lines.join("\n  "))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::{symlink, PermissionsExt};

    use super::*;
    use crate::check::parse_check;

    /// A sandbox-like folder, the last command and typed lines, to evaluate single check lines against.
    struct World {
        _dir: tempfile::TempDir,
        view: View,
        placeholders: Placeholders,
        cwd: Option<std::path::PathBuf>,
        last: Option<(i32, Vec<u8>)>,
        typed: Vec<String>,
        baseline: Baseline,
    }

    impl World {
        fn new() -> World {
            let dir = tempfile::tempdir().expect("temp dir");
            let boundary = dir.path().join("box");
            let home = boundary.join("home");
            fs::create_dir_all(&home).expect("home");
            let placeholders = Placeholders {
                user: "alice".into(),
                home: home.display().to_string(),
                cwd: String::new(),
            };
            World {
                _dir: dir,
                view: View { home, boundary },
                placeholders,
                cwd: None,
                last: None,
                typed: Vec::new(),
                baseline: Baseline::default(),
            }
        }

        fn write(&self, name: &str, content: &str) -> &World {
            let path = self.view.home.join(name);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, content).expect("write");
            self
        }

        fn ran(&mut self, line: &str, status: i32, output: &str) {
            self.typed.push(line.to_string());
            self.last = Some((status, output.as_bytes().to_vec()));
        }

        fn begin(&mut self, lines: &[&str]) {
            let checks: Vec<Check> = lines
                .iter()
                .map(|l| parse_check(l, 1, 0).expect("valid check"))
                .collect();
            self.baseline = Baseline::capture(&self.view, &checks);
        }

        fn verdict(&self, line: &str) -> Verdict {
            let check = parse_check(line, 1, 0).unwrap_or_else(|e| panic!("{line}: {e}"));
            let observation = Observation {
                view: &self.view,
                placeholders: &self.placeholders,
                cwd: self.cwd.as_deref(),
                last: self.last.as_ref().map(|(s, o)| (*s, o.as_slice())),
                typed: &self.typed,
                baseline: &self.baseline,
            };
            evaluate(std::slice::from_ref(&check), &observation).remove(0)
        }

        fn passes(&self, line: &str) {
            let verdict = self.verdict(line);
            assert!(verdict.passed, "'{line}' should pass: {verdict:?}");
        }

        /// Asserts the check fails and its messages contain the given words.
        fn fails(&self, line: &str, expected: &str, found: &str) {
            let verdict = self.verdict(line);
            assert!(!verdict.passed, "'{line}' should fail");
            assert!(
                verdict.expected.contains(expected),
                "'{line}': expected '{}' lacks '{expected}'",
                verdict.expected
            );
            assert!(
                verdict.found.contains(found),
                "'{line}': found '{}' lacks '{found}'",
                verdict.found
            );
        }
    }

    #[test]
    fn exists_and_missing() {
        let world = World::new();
        world.write("a/b.txt", "x");
        world.passes("exists ~/a/b.txt");
        world.fails("exists c", "~/c should exist", "there is no ~/c");
        world.passes("missing c");
        world.fails("missing a", "~/a should not exist", "~/a is a folder");
    }

    #[test]
    fn dir_file_and_empty() {
        let world = World::new();
        world.write("f", "").write("full", "x");
        fs::create_dir(world.view.home.join("d")).expect("mkdir");
        world.passes("dir d");
        world.fails("dir f", "~/f should be a folder", "~/f is a file");
        world.passes("file f");
        world.fails("file d", "should be a file", "is a folder");
        world.passes("empty f");
        world.passes("empty d");
        world.fails("empty full", "~/full should be empty", "holds 1 bytes");
        world.fails("empty ~", "empty folder", "has files");
    }

    #[test]
    fn symlinks_and_targets() {
        let world = World::new();
        world.write("target", "x");
        symlink("target", world.view.home.join("link")).expect("symlink");
        world.passes("symlink link");
        world.passes("symlink link -> \"target\"");
        world.fails(
            "symlink link -> \"other\"",
            "should point to other",
            "points to target",
        );
        world.fails("symlink target", "should be a symbolic link", "is a file");
    }

    #[test]
    fn content_tests_with_the_whitespace_rule() {
        let world = World::new();
        world.write("notes", "hello\nworld  \n\n");
        world.passes("content notes equals \"hello\\nworld\"");
        world.passes("content notes contains \"o\\nw\"");
        world.passes("content notes matches \"^hello\"");
        world.passes("content notes has 3 lines");
        world.fails(
            "content notes equals \"hello\"",
            "should be: \"hello\"",
            "hello",
        );
        world.fails(
            "content notes contains \"bye\"",
            "should contain: \"bye\"",
            "world",
        );
        world.fails(
            "content notes matches \"^bye\"",
            "should match /^bye/",
            "hello",
        );
        world.fails(
            "content notes has 2 lines",
            "should have 2 lines",
            "it has 3",
        );
        world.fails("content notes is empty", "should be empty", "hello");
        world.fails(
            "content nope contains \"x\"",
            "~/nope should be a file",
            "missing",
        );
    }

    #[test]
    fn modes() {
        let world = World::new();
        world.write("key", "secret");
        let path = world.view.home.join("key");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        world.passes("mode key 600");
        world.passes("mode key lacks go+rwx");
        world.passes("mode key has u+rw");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o664)).expect("chmod");
        world.fails("mode key 600", "should have mode 600", "664 (rw-rw-r--)");
        world.fails("mode key lacks go+w", "without go-w", "664");
        world.fails("mode key has u+x", "with u+x", "rw-rw-r--");
    }

    #[test]
    fn working_directory() {
        let mut world = World::new();
        world.fails("cwd is ~", "you should be in ~", "no command has run yet");
        world.cwd = Some(world.view.home.join("p"));
        world.passes("cwd is ~/p");
        world.fails("cwd is ~", "you should be in ~", "you are in ~/p");
    }

    #[test]
    fn status_and_output() {
        let mut world = World::new();
        world.fails("status is 0", "status 0", "no command has run yet");
        world.fails("output contains \"x\"", "output", "no command has run yet");
        world.ran("whoami", 0, "alice\r\n");
        world.passes("status is 0");
        world.fails(
            "status is not 0",
            "should not exit with status 0",
            "exited with 0",
        );
        world.passes("output equals \"{user}\"");
        world.passes("output contains \"ali\"");
        world.passes("output matches \"^a.*e$\"");
        world.fails(
            "output equals \"bob\"",
            "the output should be: \"bob\"",
            "the output was: \"alice\"",
        );
        world.fails("output is empty", "the output should be empty", "alice");
        world.ran("false", 1, "");
        world.fails("status is 0", "should exit with status 0", "exited with 1");
        world.passes("status is not 0");
        world.passes("output is empty");
    }

    #[test]
    fn ran_and_did_not_run() {
        let mut world = World::new();
        world.fails(
            "ran \"^cd\"",
            "a command matching /^cd/",
            "not run a command",
        );
        world.ran("cd projects", 0, "");
        world.passes("ran \"^cd\"");
        world.passes("did not run \"rm\"");
        world.ran("rm -rf x", 0, "");
        world.fails(
            "did not run \"rm\"",
            "no command matching /rm/",
            "you ran: rm -rf x",
        );
        world.fails(
            "ran \"^ls\"",
            "matching /^ls/",
            "your last command was: rm -rf x",
        );
    }

    #[test]
    fn appended_against_the_baseline() {
        let mut world = World::new();
        world.write("log", "one\n");
        world.begin(&["appended log"]);
        world.fails("appended log", "something should be added", "unchanged");
        world.write("log", "one\ntwo\n");
        world.passes("appended log");
        world.write("log", "two\n");
        world.fails(
            "appended log",
            "keeping what was there",
            "replaced, not appended",
        );
    }

    #[test]
    fn unchanged_against_the_baseline() {
        let mut world = World::new();
        world.write("keep", "data");
        world.begin(&["unchanged keep", "unchanged absent"]);
        world.passes("unchanged keep");
        world.passes("unchanged absent");
        world.write("keep", "other");
        world.fails(
            "unchanged keep",
            "should be left as it was",
            "content of ~/keep changed",
        );
        world.write("absent", "new");
        world.fails(
            "unchanged absent",
            "left as it was",
            "was missing and is now a file",
        );
    }

    #[test]
    fn custom_messages_replace_the_expectation_and_expand_placeholders() {
        let world = World::new();
        let verdict = world.verdict("exists x else \"Make x, {user}\"");
        assert!(!verdict.passed);
        assert_eq!(verdict.expected, "Make x, alice");
        assert_eq!(verdict.found, "there is no ~/x");
    }

    #[test]
    fn links_out_of_the_sandbox_are_not_read() {
        let world = World::new();
        let outside = world.view.boundary.parent().expect("parent").join("secret");
        fs::write(&outside, "canary").expect("write");
        symlink(&outside, world.view.home.join("s")).expect("symlink");
        world.fails(
            "content s contains \"canary\"",
            "should be a file",
            "out of the sandbox",
        );
        world.fails("file s", "should be a file", "out of the sandbox");
        world.passes("exists s");
    }
}
