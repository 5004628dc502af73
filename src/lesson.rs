//! Lessons: the typed form of a lesson file, and the parts that read it.
//!
//! A lesson is one Markdown file with TOML front matter; its `## Exercise: <title>` sections become [`Exercise`]
//! values whose recognised blocks (setup, checks, solution, quiz, hints) are typed and keep their source lines, so
//! that every later error (a failing check, a bad assertion) can point at `file:line:column`.

pub mod blocks;
pub mod error;
pub mod front_matter;
pub mod keys;
pub mod parse;
pub mod quiz;
pub mod random;
pub mod slug;

use crate::check::Check;
pub use error::{ErrorKind, LessonError};
pub use quiz::Quiz;

/// A value together with where it came from in the lesson file (1-based, columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// A parsed lesson.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// Stable id: from the front matter, else the file stem without its number (`01-whoami.md` -> `whoami`).
    pub id: String,
    pub title: String,
    /// Programs the lesson needs, e.g. `["vi"]`; a lesson whose programs are missing is skipped, not failed.
    pub requires: Vec<String>,
    /// Commands the lesson teaches; feeds the command reference.
    pub teaches: Vec<String>,
    /// Where the lesson came from, as shown in messages (`lessons/01-whoami.md`).
    pub source: String,
    /// The Markdown body; the front matter is replaced by blank lines so line numbers are those of the file.
    pub markdown: String,
    pub exercises: Vec<Exercise>,
    /// What the author should know but that does not stop the lesson (no exercise, a fence never closed).
    pub warnings: Vec<LessonError>,
}

/// One `## Exercise: <title>` section.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// `<lesson id>/<slug of title>`, e.g. `whoami/print-your-user-name`.
    pub id: String,
    pub title: String,
    /// The line of the `## Exercise:` heading.
    pub line: usize,
    /// The first line after the section (the next level-1 or level-2 heading, or one past the end of the file).
    pub end_line: usize,
    /// Shell scripts run in the sandbox before the exercise starts, in order.
    pub setup: Vec<Located<String>>,
    /// The assertions of the exercise's `check` blocks, in order.
    pub checks: Vec<Check>,
    /// `sh check` scripts: exit status 0 passes.
    pub shell_checks: Vec<Located<String>>,
    /// The reference solution; hidden from learners until asked for.
    pub solution: Option<Located<String>>,
    /// The reference solution as keystrokes (for interactive programs), with the block's text for `:solution`.
    pub keys_solution: Option<Located<(String, Vec<keys::KeyLine>)>>,
    /// Values made anew for each attempt, usable as `{name}` placeholders.
    pub random: Vec<random::RandomValue>,
    pub quiz: Option<Located<Quiz>>,
    /// Hint texts (Markdown), shown one at a time.
    pub hints: Vec<Located<String>>,
}

impl Exercise {
    /// Whether the exercise has a reference solution (shell lines or keystrokes).
    pub fn has_solution(&self) -> bool {
        self.solution.is_some() || self.keys_solution.is_some()
    }

    /// The names of the exercise's random values, for placeholders.
    pub fn random_names(&self) -> Vec<String> {
        self.random.iter().map(|value| value.name.clone()).collect()
    }

    /// Whether anything can tell that the exercise is done.
    pub fn has_checks(&self) -> bool {
        !self.checks.is_empty() || !self.shell_checks.is_empty() || self.quiz.is_some()
    }
}

impl Lesson {
    /// The Markdown of lines `[from, to)` (1-based) of the body: the text of one section, for the REPL.
    pub fn markdown_lines(&self, from: usize, to: usize) -> String {
        self.markdown
            .split_inclusive('\n')
            .skip(from.saturating_sub(1))
            .take(to.saturating_sub(from))
            .collect()
    }

    /// Finds an exercise by its full id (`whoami/print-it`) or by its slug alone (`print-it`).
    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises
            .iter()
            .find(|e| e.id == id || e.id.rsplit('/').next() == Some(id))
    }
}
