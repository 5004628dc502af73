//! Everything that can be wrong with a lesson file, as values that name `file:line:column` and the fix.
//!
//! Loading collects every problem it can find rather than stopping at the first, so an author fixes a file in one
//! pass. Callers match on [`ErrorKind`] (tests do), and print the error with `Display`.

use thiserror::Error;

use super::quiz::QuizError;
use crate::check::parse::CheckErrorKind;

/// One problem in one lesson file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}:{column}: {kind}")]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub kind: ErrorKind,
}

/// What is wrong, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ErrorKind {
    #[error("cannot use this file: {message}")]
    Unreadable { message: String },
    #[error("the file is {}; lessons are limited to {} (split it into several lessons)", crate::safe_file::human_size(*size), crate::safe_file::human_size(*limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("the file holds more than {limit} characters of Markdown syntax (brackets, backslashes, quote markers, line breaks...); a lesson is mostly prose, so this is not one (or it must be split)")]
    TooMuchMarkup { limit: usize },
    #[error(
        "the file is empty; a lesson starts with '+++' front matter (see docs/lesson-format.md)"
    )]
    Empty,
    #[error("the file is not valid UTF-8; save it as UTF-8 text")]
    NotUtf8,
    #[error("not a Markdown lesson ({reason}); lessons are UTF-8 Markdown files ending in '.md'")]
    NotMarkdown { reason: String },
    #[error("no front matter; a lesson starts with a '+++' line, TOML such as 'title = \"...\"', and another '+++' line")]
    MissingFrontMatter,
    #[error("the front matter opened with '+++' is never closed; add a '+++' line after it")]
    UnclosedFrontMatter,
    #[error("invalid TOML in the front matter: {message}")]
    BadToml { message: String },
    #[error("unknown front-matter key '{key}'{}; the keys are id, title, requires and teaches", did_you_mean(suggestion.as_deref()))]
    UnknownKey {
        key: String,
        suggestion: Option<String>,
    },
    #[error("front-matter key '{key}' must be {expected}")]
    WrongType { key: String, expected: &'static str },
    #[error("the front matter has no title; add 'title = \"...\"'")]
    MissingTitle,
    #[error("invalid lesson id '{id}'; use lower-case letters, digits and dashes, e.g. 'mkdir-p'")]
    BadId { id: String },
    #[error("duplicate lesson id '{id}', already used by {first}; give one of them another 'id' in its front matter")]
    DuplicateLesson { id: String, first: String },
    #[error("unknown block kind '```{info}'{}; known kinds are 'sh setup', 'check', 'sh check', 'sh solution', 'keys solution', 'random' and 'quiz' (a plain language such as '```sh' shows code)", did_you_mean(*suggestion))]
    UnknownBlock {
        info: String,
        suggestion: Option<&'static str>,
    },
    #[error(
        "a '{info}' block outside an exercise; move it under a '## Exercise: <title>' heading"
    )]
    BlockOutsideExercise { info: &'static str },
    #[error("a 'Hint:' outside an exercise; move it under a '## Exercise: <title>' heading")]
    HintOutsideExercise,
    #[error("a second '{info}' block in this exercise; an exercise has at most one (the first is on line {first_line})")]
    DuplicateBlock {
        info: &'static str,
        first_line: usize,
    },
    #[error("the exercise heading has no title; write '## Exercise: <what to do>'")]
    EmptyExerciseTitle,
    #[error("the exercise title '{title}' has no letter or digit to make its id from; use words, e.g. '## Exercise: Make a folder'")]
    TitleWithoutId { title: String },
    #[error("exercise id '{id}' is used twice (first on line {first_line}); give one of the exercises another title")]
    DuplicateExercise { id: String, first_line: usize },
    #[error("exercise '{id}' has no check; add a 'check' block, a 'sh check' block or a 'quiz' so the tutor can tell when it is done")]
    NoCheck { id: String },
    #[error("empty '{info}' block; write its content or remove it")]
    EmptyBlock { info: &'static str },
    #[error("a check with an empty path; write a path relative to the learner's home, like 'notes' or '~/notes'")]
    EmptyPath,
    #[error("this {fence} fence is never closed, so the rest of the file (or of its list or quote) is shown as code and any exercise in it is lost; close it with a line of at least {fence}")]
    UnclosedFence { fence: String },
    #[error("the lesson has no exercise ('## Exercise: <title>' headings); it can be read but not practised")]
    NoExercise,
    #[error("bad check: {0}")]
    BadCheck(CheckErrorKind),
    #[error("bad random value: {0}")]
    BadRandom(String),
    #[error("bad keystroke solution: {0}")]
    BadKeys(String),
    #[error("an exercise has one solution: a 'sh solution' or a 'keys solution' (the first is on line {first_line})")]
    TwoSolutions { first_line: usize },
    #[error("bad quiz: {0}")]
    BadQuiz(QuizError),
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean '{s}'?)"))
}

impl LessonError {
    pub fn new(file: &str, line: usize, column: usize, kind: ErrorKind) -> Self {
        LessonError {
            file: file.to_string(),
            line,
            column,
            kind,
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_location_first() {
        let error = LessonError::new("lessons/x.md", 3, 5, ErrorKind::MissingTitle);
        assert_eq!(
            error.to_string(),
            "lessons/x.md:3:5: the front matter has no title; add 'title = \"...\"'"
        );
    }

    #[test]
    fn suggestions_are_offered_when_known() {
        let kind = ErrorKind::UnknownKey {
            key: "titel".into(),
            suggestion: Some("title".into()),
        };
        assert!(kind.to_string().contains("(did you mean 'title'?)"));
        let kind = ErrorKind::UnknownKey {
            key: "zzz".into(),
            suggestion: None,
        };
        assert!(!kind.to_string().contains("did you mean"));
    }

    #[test]
    fn line_columns_count_characters() {
        let text = "ab\nçd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 5), (2, 2));
        assert_eq!(line_column(text, 100), (3, 3));
    }
}
