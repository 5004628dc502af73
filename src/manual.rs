//! Manual pages: `shelltutor(1)` and one page per subcommand (`shelltutor-show(1)`, ...), which the main page's
//! COMMANDS section refers to. `shelltutor manpage --dir DIR` writes them all.
//!
//! clap_mangen renders what clap knows (synopsis, description, options); the sections a man page reader looks
//! for and clap does not know are added here: EXAMPLES (from each command's `Examples:` help), ENVIRONMENT, FILES
//! and EXIT STATUS, so they are written once and cannot drift from `--help`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_mangen::Man;
use roff::{bold, italic, roman, Roff};

use crate::cli::Cli;

/// Environment variables every command reads: (name, meaning).
const ENVIRONMENT: [(&str, &str); 17] = [
    ("SHELLTUTOR_LESSONS", "A lesson folder to use instead of the bundled lessons (as --lessons)."),
    ("SHELLTUTOR_COLOR", "auto, always or never (as --color)."),
    ("SHELLTUTOR_PLAIN", "Set to 1 for plain output (as --plain)."),
    ("SHELLTUTOR_WIDTH", "Columns to wrap text to, 20 to 400 (as --width)."),
    ("SHELLTUTOR_PAGING", "auto, always or never: when 'show' uses a pager (as --paging)."),
    ("SHELLTUTOR_PAGER", "The pager for 'show', before PAGER; empty for none. 'less' gets -R added."),
    ("PAGER", "The pager when SHELLTUTOR_PAGER is not set (default: less)."),
    ("NO_COLOR", "When set and not empty, no colour unless --color always (https://no-color.org)."),
    ("CLICOLOR_FORCE", "When set and not 0, colour even when output is not a terminal (NO_COLOR wins)."),
    ("COLUMNS", "The width when output is not a terminal and no width is set."),
    ("TERM", "TERM=dumb means no colour."),
    ("SHELLTUTOR_DATA_DIR", "Where progress is kept (default: $XDG_DATA_HOME/shelltutor, ~/.local/share/shelltutor)."),
    ("SHELLTUTOR_CONFIG", "The settings file (default: $XDG_CONFIG_HOME/shelltutor/config.toml); empty for none."),
    ("SHELLTUTOR_STATE_DIR", "Where the tutor's line history is kept (default: $XDG_STATE_HOME/shelltutor, ~/.local/state/shelltutor)."),
    ("SHELLTUTOR_REQUIRE_TOOLS", "For 'verify': set to 1 to count a lesson skipped for a missing program as a failure (for CI)."),
    ("XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_STATE_HOME", "The XDG base directories the defaults above are in."),
    ("COMPLETE", "Set by the completion scripts: asks for completions instead of running a command."),
];

/// Files: (path, meaning).
const FILES: [(&str, &str); 4] = [
    ("~/.local/share/shelltutor/progress.json", "Your progress (format in docs/progress.md); written atomically. 'shelltutor paths' prints the real locations."),
    ("~/.local/share/shelltutor/progress.lock", "Held by the program that may change the progress, so two tutors cannot overwrite each other."),
    ("~/.config/shelltutor/config.toml", "Settings that stick: color, plain, width, paging, pager (TOML)."),
    ("~/.local/state/shelltutor/history", "The tutor's line history, apart from your shell's."),
];

/// The exit statuses of a command: (status, meaning).
fn exit_status(command: &str) -> Vec<(&'static str, &'static str)> {
    let error = ("2", "An error: a bad command line, a lesson set that does not load, a file that cannot be used, progress that cannot be saved. The message on standard error says what to do.");
    match command {
        "sandbox" => vec![
            ("0-255", "With -c LINE: LINE's own exit status, as 'bash -c' gives it (128+N when a signal N ended it)."),
            ("125", "shelltutor itself failed (a bad command line, no confinement, a sandbox that cannot be made), so that its failures cannot be taken for LINE's statuses 1 and 2."),
        ],
        "grade" => vec![
            ("0", "Every graded exercise passed."),
            ("1", "At least one exercise failed, was not attempted, or could not be graded."),
            error,
        ],
        "verify" => vec![
            ("0", "Every exercise can fail and its solution passes (skipped lessons do not fail unless SHELLTUTOR_REQUIRE_TOOLS is set)."),
            ("1", "At least one exercise or lesson set failed verification."),
            error,
        ],
        "doctor" => vec![
            ("0", "Commands can run confined and bash is installed."),
            ("1", "Not ready (the report says why)."),
            error,
        ],
        _ => vec![("0", "Success (also when a reader closed the output early, as 'head' does)."), error],
    }
}

/// Writes every page into `dir` (created if needed); returns the file names written.
pub fn write_all(dir: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create '{}'", dir.display()))?;
    let mut written = Vec::new();
    for (name, page) in pages()? {
        let path = dir.join(&name);
        std::fs::write(&path, page)
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        written.push(name);
    }
    Ok(written)
}

/// The main page, for `shelltutor manpage` without `--dir`.
pub fn main_page() -> Result<Vec<u8>> {
    let mut command = Cli::command();
    command.build();
    render(&command, "shelltutor", None)
}

/// (file name, roff) of the main page and of each subcommand's page.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut command = Cli::command();
    command.build();
    let mut pages = vec![(
        "shelltutor.1".to_string(),
        render(&command, "shelltutor", None)?,
    )];
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("shelltutor-{}", sub.get_name());
        let page = render(sub, &name, Some(sub.get_name()))?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// One page: clap_mangen's sections, then ours.
fn render(command: &clap::Command, name: &str, subcommand: Option<&str>) -> Result<Vec<u8>> {
    let man = Man::new(command.clone().name(name.to_string()))
        .title(name.to_ascii_uppercase())
        .manual("shelltutor manual")
        .source(format!("shelltutor {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    let (more, examples) = split_after_help(command);
    let mut roff = Roff::new();
    for paragraph in more.split("\n\n").filter(|p| !p.trim().is_empty()) {
        roff.control("PP", []);
        roff.text([roman(
            paragraph.split_whitespace().collect::<Vec<_>>().join(" "),
        )]);
    }
    roff.to_writer(&mut out)?;
    man.render_options_section(&mut out)?;
    if subcommand.is_none() {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (example, meaning) in &examples {
            roff.control("TP", []);
            roff.text([bold(example.as_str())]);
            roff.text([roman(if meaning.is_empty() {
                " "
            } else {
                meaning.as_str()
            })]);
        }
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (variable, meaning) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(variable)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["FILES"]);
    for (path, meaning) in FILES {
        roff.control("TP", []);
        roff.text([italic(path)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (status, meaning) in exit_status(subcommand.unwrap_or("")) {
        roff.control("TP", []);
        roff.text([bold(status)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    let see_also = match subcommand {
        Some(_) => "shelltutor(1)".to_string(),
        None => "bash(1), vimtutor(1)".to_string(),
    };
    roff.text([roman(see_also)]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    out.flush()?;
    Ok(out)
}

/// A command's `after_help` split into prose and its `Examples:` lines as (command line, what it does).
fn split_after_help(command: &clap::Command) -> (String, Vec<(String, String)>) {
    let text = command
        .get_after_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let (prose, examples) = text.split_once("Examples:").unwrap_or((&text, ""));
    let examples = examples
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once("  ") {
            Some((example, meaning)) => (example.trim().to_string(), meaning.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect();
    (prose.trim().to_string(), examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_a_page_with_the_usual_sections() {
        let pages = pages().expect("rendered");
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        for expected in [
            "shelltutor.1",
            "shelltutor-show.1",
            "shelltutor-grade.1",
            "shelltutor-sandbox.1",
        ] {
            assert!(names.contains(&expected), "{names:?}");
        }
        for (name, page) in &pages {
            let page = String::from_utf8_lossy(page);
            for section in [
                "SYNOPSIS",
                "EXAMPLES",
                "ENVIRONMENT",
                "FILES",
                "EXIT STATUS",
            ] {
                assert!(
                    page.contains(&format!(".SH {section}"))
                        || page.contains(&format!(".SH \"{section}\"")),
                    "{name} has no {section}"
                );
            }
        }
    }

    #[test]
    fn examples_are_split_into_command_and_meaning() {
        let command = clap::Command::new("x").after_help(
            "Some prose.\n\nExamples:\n  shelltutor show cd    read a lesson\n  shelltutor list",
        );
        let (prose, examples) = split_after_help(&command);
        assert_eq!(prose, "Some prose.");
        assert_eq!(
            examples,
            [
                (
                    "shelltutor show cd".to_string(),
                    "read a lesson".to_string()
                ),
                ("shelltutor list".to_string(), String::new())
            ]
        );
    }
}
