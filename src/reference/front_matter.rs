//! A card's TOML front matter: which command it is for, its aliases, summary, kind, lesson, related commands and
//! the programs its proven examples need.
//!
//! As for lessons, keys and types are checked by hand before deserialising, so an unknown key is reported at its
//! own line with a suggestion. The split between `+++` lines is the lesson loader's.

use serde::Deserialize;

use super::error::CardErrorKind;
use crate::lesson::error::{line_column, ErrorKind};
use crate::lesson::front_matter::{split, Split};

/// The keys a card may set.
pub const KEYS: [&str; 7] = [
    "command", "aliases", "summary", "kind", "lesson", "see_also", "requires",
];

/// What the shell makes of the command's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A program file found through `PATH`.
    #[default]
    Program,
    /// A command bash runs itself (`cd`, `echo`).
    Builtin,
    /// A reserved word of bash's grammar (`if`, `[[`).
    Keyword,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub kind: Kind,
    pub lesson: Option<String>,
    #[serde(default)]
    pub see_also: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
}

/// A problem at a line and column of the file.
pub type Located = (usize, usize, CardErrorKind);

/// The front matter of `text` and the number of lines it takes, or every problem with it.
pub fn read(text: &str) -> Result<(FrontMatter, usize, Positions), Vec<Located>> {
    let split = split(text).map_err(|kind| {
        let kind = match kind {
            ErrorKind::UnclosedFrontMatter => CardErrorKind::UnclosedFrontMatter,
            _ => CardErrorKind::MissingFrontMatter,
        };
        vec![(1, 1, kind)]
    })?;
    let positions = Positions::of(&split);
    let front = parse(&split, &positions)?;
    Ok((front, split.lines, positions))
}

/// Where each key is defined, so later checks (a collision, a bad command name) can point at it.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    lines: Vec<(String, usize, usize)>,
    first_line: usize,
}

impl Positions {
    fn of(split: &Split<'_>) -> Positions {
        let mut lines = Vec::new();
        for (index, line) in split.toml.lines().enumerate() {
            let trimmed = line.trim_start();
            let key: String = trimmed
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !key.is_empty() && trimmed[key.len()..].trim_start().starts_with('=') {
                let column = line.len() - trimmed.len() + 1;
                lines.push((key, index + split.toml_line, column));
            }
        }
        Positions {
            lines,
            first_line: split.toml_line,
        }
    }

    /// The line and column of `key`, or the first line of the front matter when it is not there.
    pub fn of_key(&self, key: &str) -> (usize, usize) {
        self.lines.iter().find(|(k, _, _)| k == key).map_or(
            (self.first_line.saturating_sub(1).max(1), 1),
            |(_, l, c)| (*l, *c),
        )
    }
}

fn parse(split: &Split<'_>, positions: &Positions) -> Result<FrontMatter, Vec<Located>> {
    let table: toml::Table = toml::from_str(split.toml).map_err(|error| {
        let (line, column) = line_column(split.toml, error.span().map_or(0, |span| span.start));
        vec![(
            line + split.toml_line - 1,
            column,
            CardErrorKind::BadToml {
                message: first_line(error.message()),
            },
        )]
    })?;
    let mut problems = Vec::new();
    for (key, value) in &table {
        let (line, column) = positions.of_key(key);
        if !KEYS.contains(&key.as_str()) {
            let suggestion = KEYS
                .iter()
                .min_by_key(|known| strsim::levenshtein(known, key))
                .filter(|known| strsim::levenshtein(known, key) <= 3)
                .map(|known| known.to_string());
            let kind = CardErrorKind::UnknownKey {
                key: key.clone(),
                suggestion,
            };
            problems.push((line, column, kind));
        } else if let Some(expected) = type_problem(key, value) {
            let kind = CardErrorKind::WrongType {
                key: key.clone(),
                expected,
            };
            problems.push((line, column, kind));
        } else if key == "kind" {
            let kind = value.as_str().unwrap_or_default();
            if !["program", "builtin", "keyword"].contains(&kind) {
                let kind = CardErrorKind::BadKind {
                    kind: kind.to_string(),
                };
                problems.push((line, column, kind));
            }
        }
    }
    for key in ["command", "summary"] {
        if !table.contains_key(key) {
            problems.push((1, 1, CardErrorKind::MissingKey { key }));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    table.try_into().map_err(|error: toml::de::Error| {
        vec![(
            split.toml_line,
            1,
            CardErrorKind::BadToml {
                message: first_line(error.message()),
            },
        )]
    })
}

fn type_problem(key: &str, value: &toml::Value) -> Option<&'static str> {
    match key {
        "command" | "summary" | "kind" | "lesson" if !value.is_str() => Some("a string"),
        "aliases" | "see_also" | "requires" => {
            let all_strings = value
                .as_array()
                .is_some_and(|items| items.iter().all(toml::Value::is_str));
            (!all_strings).then_some("a list of strings, e.g. [\"rmdir\"]")
        }
        _ => None,
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Located> {
        read(text).expect_err("the front matter is broken")
    }

    #[test]
    fn reads_every_key() {
        let (front, lines, positions) = read(
            "+++\ncommand = \"vim\"\naliases = [\"vi\"]\nsummary = \"edit text\"\nkind = \"program\"\nlesson = \"vi\"\nsee_also = [\"nano\"]\nrequires = [\"vim\"]\n+++\n# vim\n",
        )
        .expect("valid");
        assert_eq!(front.command, "vim");
        assert_eq!(front.aliases, ["vi"]);
        assert_eq!(front.kind, Kind::Program);
        assert_eq!(front.lesson.as_deref(), Some("vi"));
        assert_eq!(lines, 9);
        assert_eq!(positions.of_key("aliases"), (3, 1));
    }

    #[test]
    fn unknown_keys_bad_kinds_and_missing_keys_are_located() {
        let found = problems("+++\ncommand = \"rm\"\nsumary = \"x\"\nkind = \"tool\"\n+++\n");
        assert_eq!(
            found,
            [
                (
                    4,
                    1,
                    CardErrorKind::BadKind {
                        kind: "tool".into()
                    }
                ),
                (
                    3,
                    1,
                    CardErrorKind::UnknownKey {
                        key: "sumary".into(),
                        suggestion: Some("summary".into())
                    }
                ),
                (1, 1, CardErrorKind::MissingKey { key: "summary" }),
            ]
        );
    }

    #[test]
    fn wrong_types_and_bad_toml() {
        let found = problems("+++\ncommand = 1\nsummary = \"s\"\naliases = \"vi\"\n+++\n");
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|(_, _, kind)| matches!(kind, CardErrorKind::WrongType { .. })));
        let found = problems("+++\ncommand = \"rm\nsummary = \"s\"\n+++\n");
        assert!(matches!(found[0], (2, _, CardErrorKind::BadToml { .. })));
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert_eq!(
            problems("# rm\n"),
            [(1, 1, CardErrorKind::MissingFrontMatter)]
        );
        assert_eq!(
            problems("+++\ncommand = \"rm\"\n"),
            [(1, 1, CardErrorKind::UnclosedFrontMatter)]
        );
    }
}
