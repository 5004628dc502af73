//! The TOML front matter between `+++` lines at the top of a lesson.
//!
//! Keys are checked by hand before deserialising, so that an unknown key is reported at its own line with a
//! suggestion, rather than as one generic serde message for the whole block.

use serde::Deserialize;

use super::error::{line_column, ErrorKind};

/// The keys a lesson may set.
pub const KEYS: [&str; 4] = ["id", "title", "requires", "teaches"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub teaches: Vec<String>,
}

/// The front matter split off a lesson's text.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the `+++` lines.
    pub toml: &'a str,
    /// The 1-based line the TOML starts on (the line after the opening `+++`).
    pub toml_line: usize,
    /// The number of lines the front matter takes, both `+++` lines included.
    pub lines: usize,
}

/// Finds the front matter at the very start of `text` (an optional byte-order mark is allowed before it).
pub fn split(text: &str) -> Result<Split<'_>, ErrorKind> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err(ErrorKind::MissingFrontMatter);
    }
    let start = first.len();
    let mut offset = start;
    for (index, line) in lines.enumerate() {
        if line.trim_end() == "+++" {
            return Ok(Split {
                toml: &text[start..offset],
                toml_line: 2,
                lines: index + 2,
            });
        }
        offset += line.len();
    }
    Err(ErrorKind::UnclosedFrontMatter)
}

/// A front-matter problem at a line and column relative to the file.
pub type Located = (usize, usize, ErrorKind);

/// Parses and checks the TOML; positions in errors are relative to the file.
pub fn parse(split: &Split<'_>) -> Result<FrontMatter, Vec<Located>> {
    let at = |offset: usize| {
        let (line, column) = line_column(split.toml, offset);
        (line + split.toml_line - 1, column)
    };
    let table: toml::Table = toml::from_str(split.toml).map_err(|error| {
        let (line, column) = at(error.span().map_or(0, |span| span.start));
        vec![(
            line,
            column,
            ErrorKind::BadToml {
                message: first_line(error.message()),
            },
        )]
    })?;
    let mut problems = Vec::new();
    for (key, value) in &table {
        let position = at(key_offset(split.toml, key));
        if !KEYS.contains(&key.as_str()) {
            let suggestion = KEYS
                .iter()
                .min_by_key(|known| strsim::levenshtein(known, key))
                .filter(|known| strsim::levenshtein(known, key) <= 3)
                .map(|known| known.to_string());
            problems.push((
                position.0,
                position.1,
                ErrorKind::UnknownKey {
                    key: key.clone(),
                    suggestion,
                },
            ));
        } else if let Some(expected) = type_problem(key, value) {
            problems.push((
                position.0,
                position.1,
                ErrorKind::WrongType {
                    key: key.clone(),
                    expected,
                },
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Keys and types are checked above, so this cannot fail for those reasons; map anything else to BadToml.
    table.try_into().map_err(|error: toml::de::Error| {
        vec![(
            split.toml_line,
            1,
            ErrorKind::BadToml {
                message: first_line(error.message()),
            },
        )]
    })
}

fn type_problem(key: &str, value: &toml::Value) -> Option<&'static str> {
    match key {
        "id" | "title" if !value.is_str() => Some("a string"),
        "requires" | "teaches" => {
            let all_strings = value
                .as_array()
                .is_some_and(|items| items.iter().all(toml::Value::is_str));
            (!all_strings).then_some("a list of strings, e.g. [\"vi\"]")
        }
        _ => None,
    }
}

/// The byte offset of the line defining `key`, or 0 if it cannot be found (e.g. a quoted or dotted key).
fn key_offset(toml: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in toml.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let defines = trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if defines {
            return offset + (line.len() - trimmed.len());
        }
        offset += line.len();
    }
    0
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<FrontMatter, Vec<Located>> {
        parse(&split(text).expect("front matter present"))
    }

    #[test]
    fn splits_off_the_front_matter() {
        let split = split("+++\ntitle = \"x\"\n+++\n# Body\n").expect("split");
        assert_eq!(split.toml, "title = \"x\"\n");
        assert_eq!(split.lines, 3);
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert_eq!(split("# Title\n"), Err(ErrorKind::MissingFrontMatter));
        assert_eq!(
            split("+++\ntitle = \"x\"\n"),
            Err(ErrorKind::UnclosedFrontMatter)
        );
    }

    #[test]
    fn parses_all_keys() {
        let fm = parse_text(
            "+++\nid = \"mkdir\"\ntitle = \"T\"\nrequires = [\"vi\"]\nteaches = [\"mkdir\"]\n+++\n",
        )
        .expect("valid");
        assert_eq!(fm.id.as_deref(), Some("mkdir"));
        assert_eq!(fm.requires, ["vi"]);
    }

    #[test]
    fn unknown_key_is_located_with_a_suggestion() {
        let problems = parse_text("+++\ntitle = \"T\"\n  titel = \"x\"\n+++\n")
            .expect_err("the front matter is broken");
        assert_eq!(
            problems,
            [(
                3,
                3,
                ErrorKind::UnknownKey {
                    key: "titel".into(),
                    suggestion: Some("title".into())
                }
            )]
        );
    }

    #[test]
    fn bad_toml_is_located() {
        let problems = parse_text("+++\ntitle = \"T\"\nrequires = [\"vi\"\n+++\n")
            .expect_err("the front matter is broken");
        assert_eq!(problems.len(), 1);
        let (line, _, kind) = &problems[0];
        assert!(*line >= 3, "line {line}");
        assert!(matches!(kind, ErrorKind::BadToml { .. }));
    }

    #[test]
    fn wrong_types_are_reported() {
        let problems = parse_text("+++\ntitle = 3\nrequires = \"vi\"\n+++\n")
            .expect_err("the front matter is broken");
        assert_eq!(problems.len(), 2);
        assert!(problems
            .iter()
            .all(|(_, _, kind)| matches!(kind, ErrorKind::WrongType { .. })));
    }
}
