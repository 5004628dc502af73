//! Proving a card's examples: each `console proven` block runs in a fresh sandbox, after every `sh setup` block of
//! the card, one `$ ` line at a time, and each line's output must be what the card shows.
//!
//! This is what keeps the reference true to the installed tools: a card that shows output the tool does not print
//! fails `shelltutor verify`, with the expected and the found output side by side.

use anyhow::{Context, Result};
use sandbox::Sandbox;

use super::card::{Card, Proven};
use super::expected::{self, Placeholders};
use crate::programs;
use crate::verify::Verdict;

/// Runs every proven block of `card`; a card whose `requires` are missing is skipped with the reason.
pub fn verify_card(card: &Card, options: &sandbox::Options) -> Verdict {
    if let Some(missing) = programs::missing_with_hints(&card.requires) {
        return Verdict::Skipped(format!(
            "its examples need programs that are not installed: {missing}"
        ));
    }
    let mut problems = Vec::new();
    for block in &card.proven {
        match run_block(card, block, options) {
            Ok(mut found) => problems.append(&mut found),
            Err(error) => problems.push(format!(
                "{}:{}: the example could not run: {error:#}",
                card.source, block.line
            )),
        }
    }
    if problems.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(problems)
    }
}

/// The locale and time zone examples run in, whatever the verifier's own: messages, quotes (‘’ or '') and sort
/// orders depend on the locale, and dates on the time zone, so a card shows one output that holds everywhere.
pub const ENVIRONMENT: [(&str, &str); 4] = [
    ("LANG", "C.UTF-8"),
    ("LC_ALL", "C.UTF-8"),
    ("LANGUAGE", ""),
    ("TZ", "UTC"),
];

/// The mismatches of one block (empty when every line printed what the card shows).
fn run_block(card: &Card, block: &Proven, options: &sandbox::Options) -> Result<Vec<String>> {
    let mut options = options.clone();
    options
        .env
        .extend(ENVIRONMENT.iter().map(|(k, v)| ((*k).into(), (*v).into())));
    let mut sandbox = Sandbox::new(options).context("making a sandbox")?;
    for script in &card.setup {
        let outcome = sandbox
            .run(&script.value)
            .context("running a setup block")?;
        if !outcome.status.success() {
            anyhow::bail!(
                "the setup block at line {} failed with status {}: {}",
                script.line,
                outcome.status.code(),
                outcome.output_lossy().trim()
            );
        }
    }
    let placeholders = placeholders(&mut sandbox, block)?;
    let mut problems = Vec::new();
    for step in &block.steps {
        let outcome = sandbox
            .run(&step.command)
            .with_context(|| format!("running '{}'", step.command))?;
        let output = outcome.output_lossy();
        if !expected::matches(&step.expected, &output, &placeholders) {
            problems.push(mismatch(
                &card.source,
                step.line,
                &step.command,
                &expected::normalise_expected(&step.expected, &placeholders),
                &expected::normalise_output(&output),
                outcome.status.code(),
            ));
        }
    }
    Ok(problems)
}

/// The learner's name and home as the sandbox's shell sees them. The home is asked of the shell only when a line
/// uses `{home}`: where namespaces work it is the learner's real home path, elsewhere the sandbox folder.
fn placeholders(sandbox: &mut Sandbox, block: &Proven) -> Result<Placeholders> {
    let user = sandbox.user_name().to_string_lossy().into_owned();
    let uses_home = block
        .steps
        .iter()
        .any(|step| step.expected.iter().any(|line| line.contains("{home}")));
    let home = if uses_home {
        let outcome = sandbox
            .run("printf '%s' \"$HOME\"")
            .context("asking the sandbox for its home")?;
        outcome.output_lossy()
    } else {
        sandbox.home().display().to_string()
    };
    Ok(Placeholders { user, home })
}

/// A readable report of one line whose output differs: where, the command, what the card shows, what it printed.
pub fn mismatch(
    source: &str,
    line: usize,
    command: &str,
    expected: &[String],
    found: &[String],
    status: i32,
) -> String {
    let block = |lines: &[String]| {
        if lines.is_empty() {
            "       (no output)".to_string()
        } else {
            lines
                .iter()
                .map(|l| format!("       | {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    format!(
        "{source}:{line}: '$ {command}' printed something else than the card shows (exit status {status})\n  expected:\n{}\n  found:\n{}",
        block(expected),
        block(found)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_names_the_card_line_and_both_outputs() {
        let text = mismatch(
            "reference/rm.md",
            31,
            "ls",
            &["a".into()],
            &["b".into(), "c".into()],
            0,
        );
        assert_eq!(
            text,
            "reference/rm.md:31: '$ ls' printed something else than the card shows (exit status 0)\n  expected:\n       | a\n  found:\n       | b\n       | c"
        );
        assert!(mismatch("x", 1, "true", &[], &[], 0).contains("(no output)"));
    }
}
