//! Evaluating assertions: each check against the sandbox, the commands the exercise's lines ran, and the
//! exercise's baseline, giving a [`Verdict`] that says in plain words what was expected and what was found.
//!
//! Most checks read the sandbox's files (carefully: see `view.rs`) or the recorded lines. Some must ask the
//! sandbox itself (`type`, `program`, `command`, `http`, keys and certificates): they go through a [`Probe`], which
//! runs a line in the learner's shell without changing it, and reports the processes and ports.

use std::path::{Path, PathBuf};

use sandbox::{Executed, ProcessInfo};

use super::assertion::{
    Assertion, CertificateField, Check, CommandPattern, CommandTest, HttpTest, ModeTest, PathRule,
    Pattern, PemKind, Test,
};
use super::baseline::{record, Baseline};
use super::commands::{self, Run};
use super::http;
use super::pki;
use super::text::{for_equality, normalise_newlines, Placeholders};
use super::view::{is_empty_dir, Entry, View};

/// One line the learner ran in this exercise, as checks see it.
#[derive(Debug, Clone)]
pub struct LineRecord {
    /// What was typed.
    pub typed: String,
    /// The commands the shell ran for it.
    pub commands: Vec<Executed>,
    /// Its output (stdout and stderr together), bounded.
    pub output: Vec<u8>,
    /// Its exit status (`$?` after it).
    pub status: i32,
}

/// Asks the sandbox what files cannot tell: runs a line in the learner's shell state without changing it, lists
/// the processes and listening ports.
pub trait Probe {
    /// The exit status and output (stdout and stderr) of `line`, or why it could not run.
    fn run(&mut self, line: &str) -> Result<(i32, Vec<u8>), String>;
    fn processes(&mut self) -> Vec<ProcessInfo>;
    fn ports(&mut self) -> Vec<u16>;
    /// The user name (inside the sandbox) of a host uid, for `owner`.
    fn owner_name(&mut self, uid: u32) -> String;
}

/// What happened in the exercise so far, as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub view: &'a View,
    pub placeholders: &'a Placeholders,
    /// The shell's working directory after the last command (a host path), if any command ran.
    pub cwd: Option<&'a Path>,
    /// The lines the learner ran in this exercise, oldest first.
    pub lines: &'a [LineRecord],
    pub baseline: &'a Baseline,
    /// The home as the learner's commands see it (`/home/alice`), to compare paths given to commands.
    pub learner_home: &'a Path,
}

impl Observation<'_> {
    fn last(&self) -> Option<&LineRecord> {
        self.lines.last()
    }

    /// A path of a check as the learner's commands see it (for the tools run in the sandbox).
    fn learner_path(&self, rule: &PathRule) -> PathBuf {
        rule.components
            .iter()
            .fold(self.learner_home.to_path_buf(), |path, part| {
                path.join(part)
            })
    }
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
pub fn evaluate(
    checks: &[Check],
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
) -> Vec<Verdict> {
    checks
        .iter()
        .map(|check| evaluate_one(check, observation, probe))
        .collect()
}

fn evaluate_one(check: &Check, observation: &Observation<'_>, probe: &mut dyn Probe) -> Verdict {
    let assessed = match with_paths_filled_in(&check.assertion, observation.placeholders) {
        Ok(assertion) => assess_settled(&assertion, observation, probe),
        Err(found) => Err(Failure {
            expected: "a path inside the home".to_string(),
            found,
        }),
    };
    let (passed, expected, found) = match assessed {
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

/// The assertion with the placeholders in its paths (`logs/app-{a}.log`) replaced by this attempt's values. A
/// path that then leaves the home cannot be checked: the error says what it became.
pub fn with_paths_filled_in(
    assertion: &Assertion,
    placeholders: &Placeholders,
) -> Result<Assertion, String> {
    let mut assertion = assertion.clone();
    for rule in assertion.paths_mut() {
        if !rule.written.contains('{') {
            continue;
        }
        // A leading `{home}` is the home itself, as `~` is; the rest is filled in.
        let (start, rest) = match rule.written.strip_prefix("{home}") {
            Some(rest) => ("{home}", rest),
            None => ("", rule.written.as_str()),
        };
        let written = format!("{start}{}", placeholders.expand(rest));
        *rule = super::parse::path_rule(&written).ok_or_else(|| {
            format!(
                "with this attempt's values the path {} is {written}, outside the home",
                rule.written
            )
        })?;
    }
    Ok(assertion)
}

/// Commands that return before the service they control has caught up: `nginx -s reload` only signals the master,
/// whose new workers answer some 20 to 100 ms later.
const SERVICE_CONTROL: [&str; 12] = [
    "nginx",
    "sshd",
    "kill",
    "pkill",
    "killall",
    "systemctl",
    "service",
    "certbot",
    "apachectl",
    "setsid",
    "nohup",
    "pebble",
];

/// How long a check of a service waits for it to settle after such a command.
const SETTLE_TIME: std::time::Duration = std::time::Duration::from_millis(1500);

/// Assesses; a failing check of a service (a request, a process, a port) right after the last line controlled a
/// service or started one in the background is tried again until it passes or the service had time to settle.
fn assess_settled(
    assertion: &Assertion,
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
) -> Result<(), Failure> {
    let first = assess(assertion, observation, probe);
    if first.is_ok() || !is_about_a_service(assertion) || !last_line_controls_services(observation)
    {
        return first;
    }
    let deadline = std::time::Instant::now() + SETTLE_TIME;
    let mut result = first;
    while result.is_err() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        result = assess(assertion, observation, probe);
    }
    result
}

fn is_about_a_service(assertion: &Assertion) -> bool {
    match assertion {
        Assertion::Http { .. } | Assertion::ProcessRuns(_) | Assertion::PortListening(_) => true,
        Assertion::Not(inner) => is_about_a_service(inner),
        _ => false,
    }
}

fn last_line_controls_services(observation: &Observation<'_>) -> bool {
    observation.last().is_some_and(|line| {
        line.typed.contains('&')
            || line
                .commands
                .iter()
                .flat_map(commands::runs)
                .any(|run| SERVICE_CONTROL.contains(&run.name))
    })
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

fn assess(
    assertion: &Assertion,
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
) -> Result<(), Failure> {
    let view = observation.view;
    let found_entry = |rule: &PathRule, entry: &Entry| format!("{rule} is {}", entry.describe());
    match assertion {
        Assertion::Not(inner) => match assess(inner, observation, probe) {
            Ok(()) => fail(
                format!("this should not be so: {}", describe(inner)),
                what_makes_it_so(inner, observation),
            ),
            Err(_) => Ok(()),
        },
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
        Assertion::SameContent(a, b) => {
            let (first, second) = (file_bytes(view, a)?, file_bytes(view, b)?);
            if first == second {
                Ok(())
            } else {
                fail(
                    format!("{a} should hold the same as {b}"),
                    format!("they differ ({} and {} bytes)", first.len(), second.len()),
                )
            }
        }
        Assertion::EntryCount(rule, count) => match view.entry(rule, true) {
            Entry::Dir { path, .. } => {
                let found =
                    std::fs::read_dir(&path).map_or(0, |entries| entries.take(100_000).count());
                if found == *count {
                    Ok(())
                } else {
                    fail(
                        format!(
                            "{rule} should hold {count} {}",
                            plural(*count, "entry", "entries")
                        ),
                        format!("it holds {found}"),
                    )
                }
            }
            entry => fail(
                format!("{rule} should be a folder"),
                found_entry(rule, &entry),
            ),
        },
        Assertion::Mode(rule, test) => mode(view, rule, test),
        Assertion::ModeUnder(rule, test) => mode_under(view, rule, test),
        Assertion::Owner(rule, wanted) => {
            let wanted = observation.placeholders.expand(wanted);
            let entry = view.entry(rule, false);
            let path = match &entry {
                Entry::File { path, .. }
                | Entry::Dir { path, .. }
                | Entry::Symlink { path, .. }
                | Entry::Special { path, .. } => path,
                _ => {
                    return fail(
                        format!("{rule} should belong to {wanted}"),
                        found_entry(rule, &entry),
                    )
                }
            };
            let uid =
                std::fs::symlink_metadata(path).map(|m| std::os::unix::fs::MetadataExt::uid(&m));
            let owner = uid.map(|uid| probe.owner_name(uid)).unwrap_or_default();
            if owner == wanted {
                Ok(())
            } else {
                fail(
                    format!("{rule} should belong to {wanted}"),
                    format!("it belongs to {owner}"),
                )
            }
        }
        Assertion::Cwd(rule) => cwd(observation, rule),
        Assertion::StatusIs(code) => match observation.last() {
            Some(line) if line.status == *code => Ok(()),
            Some(line) => fail(
                format!("the last command should exit with status {code}"),
                format!("it exited with {}", line.status),
            ),
            None => fail(
                format!("a command that exits with status {code}"),
                "no command has run yet",
            ),
        },
        Assertion::StatusIsNot(code) => match observation.last() {
            Some(line) if line.status != *code => Ok(()),
            Some(_) => fail(
                format!("the last command should not exit with status {code}"),
                format!("it exited with {code}"),
            ),
            None => fail(
                format!("a command that does not exit with status {code}"),
                "no command has run yet",
            ),
        },
        Assertion::Output(test) => match observation.last() {
            Some(line) => {
                let text = String::from_utf8_lossy(&line.output);
                text_test(test, &text, "the output", observation.placeholders)
            }
            None => fail("a command's output", "no command has run yet"),
        },
        Assertion::OutputOf(names, test) => {
            let line = observation
                .lines
                .iter()
                .rev()
                .find(|line| line_ran(line, names));
            match line {
                Some(line) => {
                    let text = String::from_utf8_lossy(&line.output);
                    text_test(
                        test,
                        &text,
                        &format!("the output of {}", names.join(" or ")),
                        observation.placeholders,
                    )
                }
                None => fail(
                    format!("{} should run", names.join(" or ")),
                    typed_summary(observation.lines),
                ),
            }
        }
        Assertion::StatusOf(names, code) => {
            let status = observation
                .lines
                .iter()
                .rev()
                .flat_map(|line| line.commands.iter().rev())
                .flat_map(commands::runs)
                .find(|run| names.iter().any(|n| n == run.name))
                .map(|run| run.status);
            match status {
                Some(Some(status)) if status == *code => Ok(()),
                Some(Some(status)) => fail(
                    format!("{} should exit with status {code}", names.join(" or ")),
                    format!("it exited with {status}"),
                ),
                Some(None) => fail(
                    format!("{} should exit with status {code}", names.join(" or ")),
                    "its status is not known (it ran in a pipeline)",
                ),
                None => fail(
                    format!("{} should run", names.join(" or ")),
                    typed_summary(observation.lines),
                ),
            }
        }
        Assertion::Appended(rule) => appended(observation, rule),
        Assertion::Unchanged(rule) => {
            let now = record(view, rule);
            match observation.baseline.get(rule) {
                Some(before) if before.entry == now.entry && before.content == now.content => {
                    Ok(())
                }
                Some(before) => fail(
                    format!("{rule} should be left as it was"),
                    changed(before, &now, rule),
                ),
                None => Ok(()),
            }
        }
        Assertion::Modified(rule) => {
            let now = record(view, rule);
            match observation.baseline.get(rule) {
                _ if now.entry == Entry::Missing => fail(
                    format!("{rule} should exist and be touched"),
                    format!("there is no {rule}"),
                ),
                Some(before)
                    if before.modified != now.modified || before.entry == Entry::Missing =>
                {
                    Ok(())
                }
                _ => fail(
                    format!("{rule} should have a new modification time"),
                    "its modification time is what it was when the exercise began",
                ),
            }
        }
        Assertion::Ran(pattern) => ran(observation, pattern),
        Assertion::DidNotRun(pattern) => match find_run(observation, pattern) {
            None => Ok(()),
            Some(line) => fail(
                format!("you should not run {}", pattern.describe()),
                format!("it ran: {line}"),
            ),
        },
        Assertion::TypeIs(name, kind) => {
            let output = probe_text(probe, &format!("type -t -- {}", sandbox::shell_quote(name)))?;
            let found = output.lines().next().unwrap_or("").trim().to_string();
            if found == *kind {
                Ok(())
            } else {
                fail(
                    format!("type should say that {name} is a {kind}"),
                    if found.is_empty() {
                        format!("{name} is not a command here")
                    } else {
                        format!("{name} is a {found}")
                    },
                )
            }
        }
        Assertion::Program(name, at) => {
            let output = probe_text(probe, &format!("type -P -- {}", sandbox::shell_quote(name)))?;
            let found = output.lines().next().unwrap_or("").trim().to_string();
            match at {
                _ if found.is_empty() => fail(
                    format!("a program {name} should be found on PATH"),
                    format!("no program {name} is on PATH"),
                ),
                Some(wanted) => {
                    let wanted = observation.placeholders.expand(wanted);
                    if found == wanted {
                        Ok(())
                    } else {
                        fail(
                            format!("{name} should be found at {wanted}"),
                            format!("it is found at {found}"),
                        )
                    }
                }
                None => Ok(()),
            }
        }
        Assertion::ProcessRuns(name) => {
            let processes = probe.processes();
            let runs = processes.iter().any(|p| {
                p.name == *name
                    || p.command_line
                        .split_whitespace()
                        .next()
                        .is_some_and(|first| first.rsplit('/').next() == Some(name.as_str()))
            });
            if runs {
                Ok(())
            } else {
                let running: Vec<&str> = processes.iter().map(|p| p.name.as_str()).collect();
                fail(
                    format!("a {name} process should be running"),
                    if running.is_empty() {
                        "nothing you started is running".to_string()
                    } else {
                        format!("running: {}", running.join(", "))
                    },
                )
            }
        }
        Assertion::PortListening(port) => {
            let ports = probe.ports();
            if ports.contains(port) {
                Ok(())
            } else {
                fail(
                    format!("something should listen on port {port}"),
                    if ports.is_empty() {
                        "nothing listens on any port".to_string()
                    } else {
                        format!(
                            "listening: {}",
                            ports
                                .iter()
                                .map(u16::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                )
            }
        }
        Assertion::Http { url, trust, test } => {
            http_check(observation, probe, url, trust.as_ref(), test)
        }
        Assertion::Pem(rule, kind) => pem(observation, probe, rule, *kind),
        Assertion::KeyMatches(a, b) => {
            let first = public_key(observation, probe, a)?;
            let second = public_key(observation, probe, b)?;
            if same_key(observation, probe, &first, &second)? {
                Ok(())
            } else {
                fail(
                    format!("{a} and {b} should hold the same key pair"),
                    "their public keys differ",
                )
            }
        }
        Assertion::Certificate(rule, field, test) => {
            let fields = certificate_file(observation, probe, rule)?;
            let value = field_value(&fields, *field);
            text_test(
                test,
                value,
                &format!("the certificate's {}", field.name()),
                observation.placeholders,
            )
        }
        Assertion::CertificateValidFor(rule, days) => {
            certificate_file(observation, probe, rule)?;
            let path = observation.learner_path(rule);
            let seconds = days.saturating_mul(86_400);
            let (status, _) = probe_run(
                probe,
                &format!(
                    "openssl x509 -noout -checkend {seconds} -in {}",
                    quote_path(&path)
                ),
            )?;
            if status == 0 {
                Ok(())
            } else {
                fail(
                    format!("{rule} should still be valid in {days} days"),
                    "it expires before then (or has expired)",
                )
            }
        }
        Assertion::SshKeyType(rule, kind) => {
            let key = ssh_key(view, rule)?;
            if key.kind == *kind {
                Ok(())
            } else {
                fail(
                    format!("{rule} should be an {kind} key"),
                    format!("it is an {} key", key.kind),
                )
            }
        }
        Assertion::SshKeyPassphrase(rule, wanted) => {
            let key = ssh_key(view, rule)?;
            match (key.has_passphrase, wanted) {
                (true, true) | (false, false) => Ok(()),
                (false, true) => fail(
                    format!("{rule} should be protected by a passphrase"),
                    "it has none",
                ),
                (true, false) => fail(format!("{rule} should have no passphrase"), "it has one"),
            }
        }
        Assertion::AuthorizedKeysContain(keys, key) => authorized(observation, probe, keys, key),
        Assertion::NoPrivateKey(rule) => {
            let text = file_text(view, rule)?;
            if pki::has_private_key(&text) {
                fail(
                    format!("{rule} should hold no private key"),
                    "it holds private key material (a private key must never leave its owner's machine)",
                )
            } else {
                Ok(())
            }
        }
        Assertion::Command(line, test) => {
            let line = observation.placeholders.expand_script(line);
            let (status, output) = probe_run(probe, &line)?;
            let text = String::from_utf8_lossy(&output).into_owned();
            match test {
                CommandTest::Succeeds if status == 0 => Ok(()),
                CommandTest::Succeeds => fail(
                    format!("`{line}` should succeed"),
                    format!("it failed with status {status}: {}", excerpt(&text)),
                ),
                CommandTest::Fails if status != 0 => Ok(()),
                CommandTest::Fails => fail(
                    format!("`{line}` should fail"),
                    format!("it succeeded: {}", excerpt(&text)),
                ),
                CommandTest::Output(test) => text_test(
                    test,
                    &text,
                    &format!("the output of `{line}`"),
                    observation.placeholders,
                ),
            }
        }
    }
}

/// For a `not` check that failed: what the learner did that the mistake is (the command that ran, the output),
/// so the message can be read against it; empty where the message says it all.
fn what_makes_it_so(assertion: &Assertion, observation: &Observation<'_>) -> String {
    match assertion {
        Assertion::Ran(pattern) => find_run(observation, pattern)
            .map_or_else(String::new, |line| format!("you ran: {line}")),
        Assertion::Output(_) => observation.last().map_or_else(String::new, |line| {
            format!(
                "the output was: {}",
                excerpt(&String::from_utf8_lossy(&line.output))
            )
        }),
        Assertion::Not(inner) => what_makes_it_so(inner, observation),
        _ => String::new(),
    }
}

/// An assertion in words, for `not` (without the author's message, which says it better).
fn describe(assertion: &Assertion) -> String {
    match assertion {
        Assertion::Ran(pattern) => format!("running {}", pattern.describe()),
        Assertion::Content(rule, Test::Contains(text)) => format!("{rule} containing \"{text}\""),
        Assertion::Content(rule, Test::Matches(regex)) => {
            format!("{rule} matching /{}/", regex.as_str())
        }
        Assertion::Exists(rule) => format!("{rule} existing"),
        _ => "the check inside `not`".to_string(),
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// Whether any command `line` ran is one of `names`.
fn line_ran(line: &LineRecord, names: &[String]) -> bool {
    line.commands
        .iter()
        .flat_map(commands::runs)
        .any(|run| names.iter().any(|n| n == run.name))
}

/// The lines a command pattern looks at: the last, or all of them.
fn lines_in_scope<'a>(observation: &Observation<'a>, pattern: &CommandPattern) -> &'a [LineRecord] {
    let lines = observation.lines;
    if pattern.last_line {
        &lines[lines.len().saturating_sub(1)..]
    } else {
        lines
    }
}

/// The first run (as a command line) that matches the pattern, newest line first.
fn find_run(observation: &Observation<'_>, pattern: &CommandPattern) -> Option<String> {
    lines_in_scope(observation, pattern)
        .iter()
        .rev()
        .flat_map(|line| line.commands.iter())
        .flat_map(commands::runs)
        .find(|run| {
            commands::matches(
                pattern,
                run,
                observation.placeholders,
                observation.learner_home,
            )
        })
        .map(|run| commands::command_line(&run))
}

fn ran(observation: &Observation<'_>, pattern: &CommandPattern) -> Result<(), Failure> {
    if find_run(observation, pattern).is_some() {
        return Ok(());
    }
    let scope = lines_in_scope(observation, pattern);
    // Say what came closest: the same command with other options, or what ran at all.
    let same_name: Vec<Run<'_>> = scope
        .iter()
        .flat_map(|line| line.commands.iter())
        .flat_map(commands::runs)
        .filter(|run| pattern.names.iter().any(|n| n == run.name))
        .collect();
    let found = match (same_name.last(), scope.last()) {
        (Some(run), _) => format!("you ran: {}", commands::command_line(run)),
        (None, Some(line)) if pattern.last_line => {
            format!("your last command was: {}", line.typed.trim())
        }
        _ => typed_summary(observation.lines),
    };
    fail(format!("you should run {}", pattern.describe()), found)
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
            let regex = pattern.compile(placeholders).map_err(|message| Failure {
                expected: format!("{what} should match {}", show_pattern(pattern)),
                found: format!("the pattern does not work with this attempt's values: {message}"),
            })?;
            if regex.is_match(&normalise_newlines(text)) {
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

fn mode(view: &View, rule: &PathRule, test: &ModeTest) -> Result<(), Failure> {
    let entry = view.entry(rule, true);
    let wanted = mode_wanted(test);
    match entry.mode() {
        Some(mode) if mode_holds(test, mode) => Ok(()),
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

fn mode_holds(test: &ModeTest, mode: u32) -> bool {
    match test {
        ModeTest::Is(bits) => mode & 0o7777 == *bits,
        ModeTest::Lacks(bits, _) => mode & bits == 0,
        ModeTest::Has(bits, _) => mode & bits == *bits,
    }
}

fn mode_wanted(test: &ModeTest) -> String {
    match test {
        ModeTest::Is(bits) => format!("{bits:03o}"),
        ModeTest::Lacks(_, spec) => format!("without {}", spec.replace('+', "-")),
        ModeTest::Has(_, spec) => format!("with {spec}"),
    }
}

/// The mode test on a path and everything below it (links are not followed, nor tested), at most 10,000 entries.
fn mode_under(view: &View, rule: &PathRule, test: &ModeTest) -> Result<(), Failure> {
    mode(view, rule, test)?;
    let Entry::Dir { path: top, .. } = view.entry(rule, true) else {
        return Ok(());
    };
    let mut pending = vec![top.clone()];
    let mut seen = 0;
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > 10_000 {
                return Ok(());
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.file_type().is_symlink() {
                continue;
            }
            let mode = std::os::unix::fs::MetadataExt::mode(&meta);
            if !mode_holds(test, mode) {
                let relative = entry
                    .path()
                    .strip_prefix(&top)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let shown = format!("{rule}/{}", relative.display());
                return fail(
                    format!(
                        "{rule} and everything in it should have mode {}",
                        mode_wanted(test)
                    ),
                    format!(
                        "{shown} has mode {:03o} ({})",
                        mode & 0o7777,
                        symbolic(mode)
                    ),
                );
            }
            if meta.is_dir() {
                pending.push(entry.path());
            }
        }
    }
    Ok(())
}

fn file_bytes(view: &View, rule: &PathRule) -> Result<Vec<u8>, Failure> {
    let entry = view.entry(rule, true);
    view.read(&entry)
        .map(|(bytes, _)| bytes)
        .ok_or_else(|| Failure {
            expected: format!("{rule} should be a file"),
            found: format!("{rule} is {}", entry.describe()),
        })
}

/// Runs a line through the probe; a line that cannot run at all is the check's failure, said plainly.
fn probe_run(probe: &mut dyn Probe, line: &str) -> Result<(i32, Vec<u8>), Failure> {
    probe.run(line).map_err(|why| Failure {
        expected: "the checker could run in the sandbox".to_string(),
        found: why,
    })
}

fn probe_text(probe: &mut dyn Probe, line: &str) -> Result<String, Failure> {
    probe_run(probe, line).map(|(_, output)| String::from_utf8_lossy(&output).into_owned())
}

/// A path for a command line in the sandbox, quoted.
fn quote_path(path: &Path) -> String {
    sandbox::shell_quote(&path.display().to_string())
}

fn http_check(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    url: &str,
    trust: Option<&PathRule>,
    test: &HttpTest,
) -> Result<(), Failure> {
    let url = observation.placeholders.expand(url);
    let what = |part: &str| format!("{part} of {url}");
    if let HttpTest::Certificate(..) | HttpTest::CertificateMatchesKey(_) = test {
        let (fields, served_key) =
            http::served_certificate(probe, &url).map_err(|why| Failure {
                expected: format!("a TLS certificate served for {url}"),
                found: why,
            })?;
        return match test {
            HttpTest::Certificate(field, text) => text_test(
                text,
                field_value(&fields, *field),
                &what(&format!("the certificate's {}", field.name())),
                observation.placeholders,
            ),
            HttpTest::CertificateMatchesKey(key) => {
                let key_pem = public_key(observation, probe, key)?;
                if normalise_pem(&key_pem.pem) == normalise_pem(&served_key) {
                    Ok(())
                } else {
                    fail(
                        format!("the certificate served for {url} should be the one for {key}"),
                        "it holds another public key (is ssl_certificate the right file?)",
                    )
                }
            }
            _ => Ok(()),
        };
    }
    let trust_path = trust.map(|rule| observation.learner_path(rule).display().to_string());
    let response = http::request(probe, &url, trust_path.as_deref()).map_err(|why| Failure {
        expected: format!("an answer from {url}"),
        found: why,
    })?;
    match test {
        HttpTest::Status(code) => {
            if response.status == *code {
                Ok(())
            } else {
                fail(
                    format!("{url} should answer with status {code}"),
                    format!("it answered {}", response.status),
                )
            }
        }
        HttpTest::Header(name, text) => match response.header(name) {
            Some(value) => text_test(
                text,
                value,
                &what(&format!("the {name} header")),
                observation.placeholders,
            ),
            None => fail(
                format!("{url} should answer with a {name} header"),
                format!("its answer ({}) has none", response.status),
            ),
        },
        HttpTest::Body(text) => {
            let body = String::from_utf8_lossy(&response.body);
            text_test(text, &body, &what("the body"), observation.placeholders)
        }
        _ => Ok(()),
    }
}

fn field_value(fields: &pki::CertificateFields, field: CertificateField) -> &str {
    match field {
        CertificateField::Subject => &fields.subject,
        CertificateField::Issuer => &fields.issuer,
        CertificateField::San => &fields.san,
    }
}

/// The fields of a certificate file, read with `openssl x509` in the sandbox.
fn certificate_file(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    rule: &PathRule,
) -> Result<pki::CertificateFields, Failure> {
    file_text(observation.view, rule)?;
    let path = observation.learner_path(rule);
    let (status, output) = probe_run(
        probe,
        &format!(
            "openssl x509 -noout -subject -issuer -ext subjectAltName -in {} 2>&1",
            quote_path(&path)
        ),
    )?;
    let text = String::from_utf8_lossy(&output);
    if status != 0 {
        return Err(Failure {
            expected: format!("{rule} should be a certificate"),
            found: format!("openssl cannot read it: {}", excerpt(&text)),
        });
    }
    Ok(pki::certificate_fields(&text))
}

fn pem(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    rule: &PathRule,
    kind: PemKind,
) -> Result<(), Failure> {
    let text = file_text(observation.view, rule)?;
    let labels = pki::pem_labels(&text);
    let labelled = match kind {
        PemKind::Certificate => labels.iter().any(|l| l == "CERTIFICATE"),
        PemKind::PrivateKey => labels.iter().any(|l| l.ends_with("PRIVATE KEY")),
        PemKind::PublicKey => labels
            .iter()
            .any(|l| l == "PUBLIC KEY" || l == "RSA PUBLIC KEY"),
        PemKind::CertificateRequest => labels.iter().any(|l| l.contains("CERTIFICATE REQUEST")),
    };
    if !labelled {
        let holds = if labels.is_empty() {
            "no PEM block".to_string()
        } else {
            labels.join(", ")
        };
        return fail(
            format!("{rule} should hold {}", kind.name()),
            format!("it holds {holds}"),
        );
    }
    // An encrypted key cannot be opened without its passphrase; its label is proof enough.
    if labels.iter().any(|l| l == "ENCRYPTED PRIVATE KEY")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Ok(());
    }
    let path = quote_path(&observation.learner_path(rule));
    let line = match kind {
        PemKind::Certificate => format!("openssl x509 -noout -in {path} 2>&1"),
        PemKind::PrivateKey => format!("openssl pkey -noout -passin pass: -in {path} 2>&1"),
        PemKind::PublicKey => format!("openssl pkey -pubin -noout -in {path} 2>&1"),
        PemKind::CertificateRequest => format!("openssl req -noout -in {path} 2>&1"),
    };
    let (status, output) = probe_run(probe, &line)?;
    if status == 0 {
        Ok(())
    } else {
        fail(
            format!("{rule} should hold {}", kind.name()),
            format!(
                "it is labelled so, but openssl cannot read it: {}",
                excerpt(&String::from_utf8_lossy(&output))
            ),
        )
    }
}

/// A public key, as both a PEM SubjectPublicKeyInfo (when openssl could make one) and an OpenSSH blob (when the
/// file is an OpenSSH key).
#[derive(Debug, Default)]
struct KeyHalf {
    pem: String,
    openssh: Option<pki::PublicKey>,
}

fn public_key(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    rule: &PathRule,
) -> Result<KeyHalf, Failure> {
    let text = file_text(observation.view, rule)?;
    let path = quote_path(&observation.learner_path(rule));
    let labels = pki::pem_labels(&text);
    let unreadable = |why: String| Failure {
        expected: format!("{rule} should hold a key or a certificate"),
        found: why,
    };
    let pem_line = if labels.iter().any(|l| l == "OPENSSH PRIVATE KEY") {
        let key = pki::ssh_private_key(&text)
            .ok_or_else(|| unreadable("an OpenSSH key that cannot be read".into()))?;
        let openssh = key.public_blob.map(|blob| pki::PublicKey {
            algorithm: String::new(),
            blob,
        });
        return Ok(KeyHalf {
            pem: String::new(),
            openssh,
        });
    } else if let Some(key) = text.lines().find_map(pki::public_key_in_line) {
        return Ok(KeyHalf {
            pem: String::new(),
            openssh: Some(key),
        });
    } else if labels.iter().any(|l| l == "CERTIFICATE") {
        format!("openssl x509 -noout -pubkey -in {path} 2>&1")
    } else if labels.iter().any(|l| l.ends_with("PRIVATE KEY")) {
        format!("openssl pkey -pubout -passin pass: -in {path} 2>&1")
    } else if labels.iter().any(|l| l.contains("PUBLIC KEY")) {
        format!("openssl pkey -pubin -pubout -in {path} 2>&1")
    } else {
        return Err(unreadable("it holds no key or certificate".into()));
    };
    let (status, output) = probe_run(probe, &pem_line)?;
    let pem = String::from_utf8_lossy(&output).into_owned();
    if status != 0 {
        return Err(unreadable(format!(
            "openssl cannot read it: {}",
            excerpt(&pem)
        )));
    }
    Ok(KeyHalf { pem, openssh: None })
}

/// Whether two key halves are the same key, converting an OpenSSH key to PEM with `ssh-keygen` when the other is
/// PEM.
fn same_key(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    a: &KeyHalf,
    b: &KeyHalf,
) -> Result<bool, Failure> {
    let _ = observation;
    match (&a.openssh, &b.openssh) {
        (Some(x), Some(y)) => Ok(x.blob == y.blob),
        (None, None) => Ok(normalise_pem(&a.pem) == normalise_pem(&b.pem)),
        (Some(ssh), None) | (None, Some(ssh)) => {
            let pem = if a.openssh.is_some() { &b.pem } else { &a.pem };
            let algorithm = if ssh.algorithm.is_empty() {
                "ssh-ed25519".to_string()
            } else {
                ssh.algorithm.clone()
            };
            let line = format!(
                "printf '%s %s\n' {} {} | ssh-keygen -e -m PKCS8 -f /dev/stdin 2>&1",
                sandbox::shell_quote(&algorithm),
                sandbox::shell_quote(&ssh.blob)
            );
            let (status, output) = probe_run(probe, &line)?;
            Ok(status == 0
                && normalise_pem(&String::from_utf8_lossy(&output)) == normalise_pem(pem))
        }
    }
}

fn normalise_pem(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn ssh_key(view: &View, rule: &PathRule) -> Result<pki::SshPrivateKey, Failure> {
    let text = file_text(view, rule)?;
    if let Some(key) = pki::ssh_private_key(&text) {
        return Ok(key);
    }
    if let Some(public) = text.lines().find_map(pki::public_key_in_line) {
        return Ok(pki::SshPrivateKey {
            kind: pki::key_kind(&public.algorithm),
            has_passphrase: false,
            public_blob: Some(public.blob),
        });
    }
    Err(Failure {
        expected: format!("{rule} should be an SSH key"),
        found: "it holds no SSH key".to_string(),
    })
}

fn authorized(
    observation: &Observation<'_>,
    probe: &mut dyn Probe,
    keys: &PathRule,
    key: &PathRule,
) -> Result<(), Failure> {
    let listed = pki::authorized_keys(&file_text(observation.view, keys)?);
    let wanted = public_key(observation, probe, key)?;
    let Some(wanted) = wanted.openssh else {
        return fail(
            format!("{key} should be an OpenSSH public key (the .pub file)"),
            "it is not one",
        );
    };
    if listed.iter().any(|k| k.blob == wanted.blob) {
        Ok(())
    } else {
        fail(
            format!("{keys} should list the key in {key}"),
            match listed.len() {
                0 => "it lists no key".to_string(),
                n => format!("it lists {n} other {}", plural(n, "key", "keys")),
            },
        )
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

fn show_pattern(pattern: &Pattern) -> String {
    format!("/{}/", pattern.as_str())
}

fn typed_summary(lines: &[LineRecord]) -> String {
    match lines.last() {
        None => "you have not run a command in this exercise yet".to_string(),
        Some(last) => format!("your last command was: {}", last.typed.trim()),
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

    /// A sandbox-like folder, the lines run so far and a scripted probe, to evaluate single check lines against.
    struct World {
        _dir: tempfile::TempDir,
        view: View,
        placeholders: Placeholders,
        cwd: Option<PathBuf>,
        lines: Vec<LineRecord>,
        baseline: Baseline,
        probe: FakeProbe,
    }

    /// Answers probe questions from fixed tables, as the sandbox would.
    #[derive(Default)]
    struct FakeProbe {
        /// Lines the checker may run, with their status and output; any other line fails to run.
        answers: Vec<(String, i32, String)>,
        processes: Vec<ProcessInfo>,
        ports: Vec<u16>,
    }

    impl Probe for FakeProbe {
        fn run(&mut self, line: &str) -> Result<(i32, Vec<u8>), String> {
            self.answers
                .iter()
                .find(|(asked, _, _)| asked == line)
                .map(|(_, status, output)| (*status, output.as_bytes().to_vec()))
                .ok_or_else(|| format!("the test did not expect the line {line:?}"))
        }
        fn processes(&mut self) -> Vec<ProcessInfo> {
            self.processes.clone()
        }
        fn ports(&mut self) -> Vec<u16> {
            self.ports.clone()
        }
        fn owner_name(&mut self, uid: u32) -> String {
            if uid == rustix_uid() {
                "alice".into()
            } else {
                format!("uid {uid}")
            }
        }
    }

    /// The uid that owns the files this test writes.
    fn rustix_uid() -> u32 {
        nix::unistd::getuid().as_raw()
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
                values: vec![("token".into(), "k3y".into())],
            };
            World {
                _dir: dir,
                view: View { home, boundary },
                placeholders,
                cwd: None,
                lines: Vec::new(),
                baseline: Baseline::default(),
                probe: FakeProbe::default(),
            }
        }

        fn write(&self, name: &str, content: &str) -> &World {
            let path = self.view.home.join(name);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, content).expect("write");
            self
        }

        /// Records a typed line that ran the given commands (each a space-separated argv, exiting with `status`).
        fn ran_commands(
            &mut self,
            typed: &str,
            commands: &[(&str, i32)],
            status: i32,
            output: &str,
        ) {
            let cwd = self
                .cwd
                .clone()
                .unwrap_or_else(|| self.view.home.clone())
                .display()
                .to_string();
            let commands = commands
                .iter()
                .map(|(argv, status)| Executed {
                    argv: argv.split(' ').map(String::from).collect(),
                    assignments: Vec::new(),
                    status: Some(*status),
                    depth: 0,
                    shell_pid: 1,
                    cwd: cwd.clone(),
                })
                .collect();
            self.lines.push(LineRecord {
                typed: typed.to_string(),
                commands,
                output: output.as_bytes().to_vec(),
                status,
            });
        }

        /// Records a typed line that ran exactly what was typed, split at spaces.
        fn ran(&mut self, line: &str, status: i32, output: &str) {
            self.ran_commands(line, &[(line, status)], status, output);
        }

        fn begin(&mut self, lines: &[&str]) {
            let checks: Vec<Check> = lines
                .iter()
                .map(|l| parse_check(l, 1, 0).expect("valid check"))
                .collect();
            self.baseline = Baseline::capture(&self.view, &checks, &self.placeholders);
        }

        fn verdict(&mut self, line: &str) -> Verdict {
            let check = parse_check(line, 1, 0).unwrap_or_else(|e| panic!("{line}: {e}"));
            let observation = Observation {
                view: &self.view,
                placeholders: &self.placeholders,
                cwd: self.cwd.as_deref(),
                lines: &self.lines,
                baseline: &self.baseline,
                learner_home: &self.view.home,
            };
            evaluate(std::slice::from_ref(&check), &observation, &mut self.probe).remove(0)
        }

        fn passes(&mut self, line: &str) {
            let verdict = self.verdict(line);
            assert!(verdict.passed, "'{line}' should pass: {verdict:?}");
        }

        /// Asserts the check fails and its messages contain the given words.
        fn fails(&mut self, line: &str, expected: &str, found: &str) {
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
        let mut world = World::new();
        world.write("a/b.txt", "x");
        world.passes("exists ~/a/b.txt");
        world.fails("exists c", "~/c should exist", "there is no ~/c");
        world.passes("missing c");
        world.fails("missing a", "~/a should not exist", "~/a is a folder");
    }

    #[test]
    fn dir_file_and_empty() {
        let mut world = World::new();
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
        let mut world = World::new();
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
        let mut world = World::new();
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
        let mut world = World::new();
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
        world.passes("ran cd");
        world.passes("did not run \"rm\"");
        world.passes("did not run rm");
        world.ran("rm -rf x", 0, "");
        world.fails(
            "did not run \"rm\"",
            "you should not run a command matching /rm/",
            "it ran: rm -rf x",
        );
        world.fails("did not run rm", "you should not run rm", "rm -rf x");
        world.fails(
            "ran ls",
            "you should run ls",
            "your last command was: rm -rf x",
        );
    }

    #[test]
    fn options_match_in_any_spelling() {
        let mut world = World::new();
        world.ran("mkdir -vp a/b", 0, "");
        world.passes("ran mkdir with -p|--parents");
        world.passes("ran mkdir with -v -p");
        world.fails(
            "ran mkdir with -m|--mode",
            "you should run mkdir with -m|--mode",
            "you ran: mkdir -vp a/b",
        );
        world.ran("mkdir --par c/d", 0, "");
        world.passes("ran mkdir with --parents in the last line");
        world.ran("rmdir --parents=x", 0, "");
        world.passes("ran rmdir with --parents");
    }

    #[test]
    fn wrappers_run_what_they_wrap_and_aliases_count_as_expanded() {
        let mut world = World::new();
        // `ll` is an alias: the trace shows what bash ran, `ls -l`.
        world.ran_commands("ll", &[("ls -l", 0)], 0, "");
        world.passes("ran ls with -l");
        world.fails("ran ll", "you should run ll", "");
        world.ran_commands(
            "sudo -u bob /usr/bin/env LC_ALL=C whoami",
            &[("sudo -u bob /usr/bin/env LC_ALL=C whoami", 0)],
            0,
            "",
        );
        world.passes("ran whoami in the last line");
        world.passes("ran sudo");
    }

    #[test]
    fn the_last_line_scope_and_success() {
        let mut world = World::new();
        world.ran("touch a", 1, "touch: cannot touch 'a'");
        world.fails("ran touch successfully", "successfully", "");
        world.passes("ran touch unsuccessfully");
        world.ran("touch b", 0, "");
        world.passes("ran touch successfully");
        world.ran("ls", 0, "b");
        world.passes("ran touch");
        world.fails(
            "ran touch in the last line",
            "you should run touch",
            "your last command was: ls",
        );
        world.passes("did not run touch in the last line");
        world.passes("ran ls without arguments");
        world.ran("ls -a", 0, "");
        world.fails(
            "ran ls without arguments in the last line",
            "without arguments",
            "ls -a",
        );
    }

    #[test]
    fn quoted_arguments_and_paths() {
        let mut world = World::new();
        world.ran("ssh-keygen -t ed25519 -f /k", 0, "");
        world.passes("ran ssh-keygen with -t \"ed25519\"");
        world.fails("ran ssh-keygen with -t \"rsa\"", "\"rsa\"", "ed25519");
        world.cwd = Some(world.view.home.join("notes"));
        world.ran("touch ../todo.txt", 0, "");
        world.passes("ran touch with path \"todo.txt\"");
        world.fails(
            "ran touch with path \"notes/todo.txt\"",
            "the path",
            "touch ../todo.txt",
        );
    }

    #[test]
    fn output_and_status_of_a_named_command() {
        let mut world = World::new();
        world.fails("output of id contains \"uid\"", "id", "");
        world.ran("id -u", 0, "1000\n");
        world.ran("pwd", 0, "/home/alice\n");
        world.passes("output of id equals \"1000\"");
        world.passes("status of id is 0");
        world.passes("output equals \"/home/alice\"");
        world.fails("output of id contains \"uid=\"", "uid=", "1000");
    }

    #[test]
    fn probes_answer_program_type_process_and_port_checks() {
        let mut world = World::new();
        world
            .probe
            .answers
            .push(("type -t -- ll".into(), 0, "alias\n".into()));
        world.passes("type ll is alias");
        world.fails("type ll is function", "function", "alias");
        world.probe.ports.push(8080);
        world.passes("port 8080 is listening");
        world.fails("port 80 is listening", "80", "8080");
        world.fails("process nginx runs", "nginx", "");
        world.probe.answers.push(("exit 3".into(), 3, "".into()));
        world.passes("command \"exit 3\" fails");
        world.fails("command \"exit 3\" succeeds", "", "3");
    }

    #[test]
    fn owner_and_same_content_and_entries() {
        let mut world = World::new();
        world
            .write("a", "same\n")
            .write("b", "same\n")
            .write("c", "other\n");
        world.passes("owner a is {user}");
        world.fails("owner a is root", "root", "alice");
        world.passes("content a equals file b");
        world.fails("content a equals file c", "~/c", "");
        world.passes("dir ~ has 3 entries");
        world.fails("dir ~ has 2 entries", "2", "3");
    }

    #[test]
    fn not_inverts_and_names_the_mistake() {
        let mut world = World::new();
        world.write("nginx.conf", "server {\n  ssl on;\n}\n");
        let verdict = world.verdict(
            "not content nginx.conf matches \"(?m)^\\s*ssl\\s+on\" else \"'ssl on;' is obsolete\"",
        );
        assert!(!verdict.passed);
        assert_eq!(verdict.expected, "'ssl on;' is obsolete");
        world.write("nginx.conf", "server {\n  listen 443 ssl;\n}\n");
        world.passes("not content nginx.conf matches \"(?m)^\\s*ssl\\s+on\"");
    }

    #[test]
    fn random_values_expand_in_checks() {
        let mut world = World::new();
        world.write("t", "k3y\n");
        world.passes("content t equals \"{token}\"");
        world.passes("content t matches \"^{token}$\"");
        world.write("logs/app-k3y.log", "");
        world.passes("exists logs/app-{token}.log");
        world.fails(
            "missing logs/app-{token}.log",
            "~/logs/app-k3y.log should not exist",
            "is a file",
        );
        world.passes("exists {home}/logs/app-{token}.log");
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
        let mut world = World::new();
        let verdict = world.verdict("exists x else \"Make x, {user}\"");
        assert!(!verdict.passed);
        assert_eq!(verdict.expected, "Make x, alice");
        assert_eq!(verdict.found, "there is no ~/x");
    }

    #[test]
    fn links_out_of_the_sandbox_are_not_read() {
        let mut world = World::new();
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
