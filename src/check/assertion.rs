//! The typed form of one `check` line.

use std::fmt;

use regex::Regex;

/// One line of a `check` block: an assertion and the message shown when it fails.
#[derive(Debug, Clone)]
pub struct Check {
    pub assertion: Assertion,
    /// The author's words for a failure (`else "..."`); a generic message is used without one.
    pub message: Option<String>,
    pub line: usize,
    /// The line as written, for reports.
    pub source: String,
}

/// A path named by a check, relative to the learner's home (`~`, `~/a`, `a/b` are all inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    /// Normalised components below the home folder; empty for home itself.
    pub components: Vec<String>,
    /// As the author wrote it, for messages.
    pub written: String,
}

impl PathRule {
    /// The path as the learner would type it: `~` or `~/a/b`.
    pub fn shown(&self) -> String {
        if self.components.is_empty() {
            "~".to_string()
        } else {
            format!("~/{}", self.components.join("/"))
        }
    }
}

impl fmt::Display for PathRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

/// A text test, used on file contents and command output.
#[derive(Debug, Clone)]
pub enum Test {
    /// Equal after the whitespace rule (see `text::normalise`).
    Equals(String),
    Contains(String),
    Matches(Regex),
    IsEmpty,
}

/// What a check line asserts.
#[derive(Debug, Clone)]
pub enum Assertion {
    Exists(PathRule),
    Missing(PathRule),
    Dir(PathRule),
    File(PathRule),
    /// A symbolic link, optionally pointing at exactly this target text.
    Symlink(PathRule, Option<String>),
    /// An empty file, or a folder with no entries.
    Empty(PathRule),
    Content(PathRule, Test),
    LineCount(PathRule, usize),
    /// Permission bits equal these (e.g. 0o600).
    ModeIs(PathRule, u32),
    /// None of these permission bits is set (`mode PATH lacks go+w`).
    ModeLacks(PathRule, u32, String),
    /// All of these permission bits are set (`mode PATH has u+x`).
    ModeHas(PathRule, u32, String),
    /// The shell's working directory after the last command.
    Cwd(PathRule),
    StatusIs(i32),
    StatusIsNot(i32),
    Output(Test),
    /// The file still starts with what it held when the exercise began, and is longer.
    Appended(PathRule),
    /// The file or folder is as it was when the exercise began (content, kind and mode; or still missing).
    Unchanged(PathRule),
    /// Some line the learner typed in this exercise matches.
    Ran(Regex),
    /// No line the learner typed in this exercise matches.
    DidNotRun(Regex),
}

impl Assertion {
    /// The paths whose state when the exercise began the assertion compares against.
    pub fn baseline_path(&self) -> Option<&PathRule> {
        match self {
            Assertion::Appended(path) | Assertion::Unchanged(path) => Some(path),
            _ => None,
        }
    }
}
