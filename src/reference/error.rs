//! Everything that can be wrong with a reference card, as values that name `file:line:column` and the fix.
//!
//! Like lessons, loading collects every problem of every card instead of stopping at the first, so an author
//! fixes a folder in one pass. Tests match on [`CardErrorKind`]; people read the `Display` form.

use thiserror::Error;

/// One problem in one card file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}:{column}: {kind}")]
pub struct CardError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub kind: CardErrorKind,
}

impl CardError {
    pub fn new(file: &str, line: usize, column: usize, kind: CardErrorKind) -> Self {
        CardError {
            file: file.to_string(),
            line,
            column,
            kind,
        }
    }
}

/// What is wrong, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardErrorKind {
    #[error("cannot read the file: {message}")]
    Unreadable { message: String },
    #[error("not a card ({reason}); cards are UTF-8 Markdown files named '<command>.md'")]
    NotMarkdown { reason: String },
    #[error(
        "the file is empty; a card starts with '+++' front matter (see docs/reference-format.md)"
    )]
    Empty,
    #[error("the file is not valid UTF-8; save it as UTF-8 text")]
    NotUtf8,
    #[error("no front matter; a card starts with a '+++' line, TOML such as 'command = \"rm\"', and another '+++' line")]
    MissingFrontMatter,
    #[error("the front matter opened with '+++' is never closed; add a '+++' line after it")]
    UnclosedFrontMatter,
    #[error("invalid TOML in the front matter: {message}")]
    BadToml { message: String },
    #[error("unknown front-matter key '{key}'{}; the keys are command, aliases, summary, kind, lesson, see_also and requires", did_you_mean(suggestion.as_deref()))]
    UnknownKey {
        key: String,
        suggestion: Option<String>,
    },
    #[error("front-matter key '{key}' must be {expected}")]
    WrongType { key: String, expected: &'static str },
    #[error("the front matter has no '{key}'; add '{key} = \"...\"'")]
    MissingKey { key: &'static str },
    #[error("'{value}' is not a command name a card can have; use the name as typed, without spaces or '/'")]
    BadCommandName { value: String },
    #[error("the summary must be one line")]
    MultiLineSummary,
    #[error("unknown kind '{kind}'; use \"program\", \"builtin\" or \"keyword\"")]
    BadKind { kind: String },
    #[error("the card for '{command}' must be in a file named '{command}.md', not '{file_name}'")]
    WrongFileName { command: String, file_name: String },
    #[error(
        "'{name}' is already the command or an alias of the card {first}; each name finds one card"
    )]
    Collision { name: String, first: String },
    #[error("the card has no title; start the body with '# {command} — {summary}'")]
    MissingTitle { command: String, summary: String },
    #[error("the title must start with the command: '# {command} — ...'")]
    TitleWithoutCommand { command: String },
    #[error("a second level-1 heading; a card has one title, and its sections are level-2 headings ('## Options')")]
    SecondTitle,
    #[error("unknown section '## {name}'{}; the sections are Synopsis, Options, Examples, Pitfalls and Related", did_you_mean(suggestion.as_deref()))]
    UnknownSection {
        name: String,
        suggestion: Option<String>,
    },
    #[error("a second '## {name}' section (the first is on line {first_line}); merge them")]
    DuplicateSection { name: String, first_line: usize },
    #[error("the card has no '## {name}' section, which every card needs (see docs/reference-format.md)")]
    MissingSection { name: &'static str },
    #[error("the Synopsis section needs a ```text block with the command's usage lines")]
    SynopsisWithoutBlock,
    #[error("the Options section needs a bullet list: - `-f`, `--force`: what it does")]
    OptionsWithoutList,
    #[error("the Examples section needs at least one ```console or ```console proven block")]
    ExamplesWithoutBlock,
    #[error("an option item starts with its spellings in backticks, then a colon and the meaning: - `-f`, `--force`: ignore missing files")]
    OptionWithoutSpelling,
    #[error("expected ', `' before another spelling or ':' before the meaning, found '{found}'; write - `-f`, `--force`: meaning")]
    OptionSeparator { found: String },
    #[error("the option '{spelling}' has no meaning after its colon; say what it does")]
    OptionWithoutMeaning { spelling: String },
    #[error(
        "empty spelling in backticks; write the option as typed, e.g. `-n NUM` or `--lines=NUM`"
    )]
    EmptySpelling,
    #[error("unknown block kind '```{info}'{}; cards know '```sh setup' and '```console proven' (a plain language such as '```console' shows code)", did_you_mean(*suggestion))]
    UnknownBlock {
        info: String,
        suggestion: Option<&'static str>,
    },
    #[error("a lesson's '```{info}' block in a card; cards prove their examples with '```console proven' blocks instead")]
    LessonBlock { info: String },
    #[error("empty '```{info}' block; write its content or remove it")]
    EmptyBlock { info: &'static str },
    #[error("a proven block starts with a '$ ' command line; this line comes before any command")]
    OutputBeforeCommand,
    #[error("a '$' line without a command; write '$ ' and the command")]
    EmptyCommand,
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean '{s}'?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_location_first_with_a_suggestion() {
        let error = CardError::new(
            "reference/rm.md",
            3,
            1,
            CardErrorKind::UnknownKey {
                key: "summry".into(),
                suggestion: Some("summary".into()),
            },
        );
        assert_eq!(
            error.to_string(),
            "reference/rm.md:3:1: unknown front-matter key 'summry' (did you mean 'summary'?); the keys are command, aliases, summary, kind, lesson, see_also and requires"
        );
    }
}
