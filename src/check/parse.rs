//! Parsing `check` lines into [`Check`] values, with errors that point at the column of the problem.
//!
//! A line is words and double-quoted strings (`\"`, `\\`, `\n` and `\t` escapes), optionally ending in
//! `else "message"`. The grammar is listed in docs/lesson-format.md; each form reads as an English sentence.

use regex::Regex;
use thiserror::Error;

use super::assertion::{Assertion, Check, PathRule, Test};
use super::text::unknown_placeholders;

/// Why a check line cannot be understood; `column` is 1-based within the line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}")]
pub struct CheckError {
    pub column: usize,
    pub kind: CheckErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckErrorKind {
    #[error("unknown assertion '{word}'{}; see the list of assertions in docs/lesson-format.md", suggestion.as_ref().map_or_else(String::new, |s| format!(" (did you mean '{s}'?)")))]
    UnknownAssertion {
        word: String,
        suggestion: Option<String>,
    },
    #[error("'{assertion}' needs {what}, e.g. {example}")]
    Missing {
        assertion: String,
        what: &'static str,
        example: &'static str,
    },
    #[error("unexpected '{text}'; the assertion ends before it (a failure message is written: else \"...\")")]
    Extra { text: String },
    #[error("unterminated string; close it with '\"'")]
    Unterminated,
    #[error("the path '{path}' leaves the sandbox; paths are relative to the learner's home, like '~/notes' or 'notes'")]
    OutsideSandbox { path: String },
    #[error("invalid regular expression: {message}")]
    BadRegex { message: String },
    #[error("invalid mode '{text}'; write octal digits like 600, or who+what like go+w")]
    BadMode { text: String },
    #[error("'{text}' is not a whole number")]
    BadNumber { text: String },
    #[error("unknown placeholder '{{{name}}}'; the placeholders are {{user}}, {{home}} and {{cwd}} (write {{{{ for a brace)")]
    UnknownPlaceholder { name: String },
    #[error("expected '{expected}' here, found '{found}'")]
    Expected {
        expected: &'static str,
        found: String,
    },
}

/// A word or a quoted string, with the column it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    quoted: bool,
    column: usize,
}

/// The assertion words, for suggestions.
const WORDS: [&str; 16] = [
    "exists",
    "missing",
    "dir",
    "file",
    "symlink",
    "empty",
    "content",
    "mode",
    "cwd",
    "status",
    "output",
    "appended",
    "unchanged",
    "ran",
    "did",
    "not",
];

/// Parses one check line (already trimmed of indentation; `column` offsets are relative to `indent`).
pub fn parse_check(line: &str, line_number: usize, indent: usize) -> Result<Check, CheckError> {
    let shift = |mut error: CheckError| {
        error.column += indent;
        error
    };
    let mut tokens = tokenize(line).map_err(shift)?;
    let message = split_message(&mut tokens).map_err(shift)?;
    let end_column = line.chars().count() + 1;
    let assertion = Parser {
        tokens: &tokens,
        position: 0,
        end_column,
    }
    .assertion()
    .map_err(shift)?;
    for token in tokens.iter().chain(message.iter()) {
        if let Some(name) = unknown_placeholders(&token.text).into_iter().next() {
            return Err(shift(CheckError {
                column: token.column,
                kind: CheckErrorKind::UnknownPlaceholder { name },
            }));
        }
    }
    Ok(Check {
        assertion,
        message: message.map(|token| token.text),
        line: line_number,
        source: line.to_string(),
    })
}

fn tokenize(line: &str) -> Result<Vec<Token>, CheckError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if chars[index].is_whitespace() {
            index += 1;
            continue;
        }
        let column = index + 1;
        if chars[index] == '"' {
            let (text, next) = quoted(&chars, index + 1).ok_or(CheckError {
                column,
                kind: CheckErrorKind::Unterminated,
            })?;
            tokens.push(Token {
                text,
                quoted: true,
                column,
            });
            index = next;
        } else {
            let start = index;
            while index < chars.len() && !chars[index].is_whitespace() && chars[index] != '"' {
                index += 1;
            }
            tokens.push(Token {
                text: chars[start..index].iter().collect(),
                quoted: false,
                column,
            });
        }
    }
    Ok(tokens)
}

/// The string starting after an opening quote at `start`, and the index after its closing quote.
fn quoted(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut index = start;
    while index < chars.len() {
        match chars[index] {
            '"' => return Some((text, index + 1)),
            '\\' if index + 1 < chars.len() => {
                index += 1;
                // `\"`, `\\`, `\n` and `\t` are escapes; any other `\x` is kept whole, so regexes keep `\b`, `\s`, `\d`.
                match chars[index] {
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    c @ ('"' | '\\') => text.push(c),
                    other => {
                        text.push('\\');
                        text.push(other);
                    }
                }
            }
            other => text.push(other),
        }
        index += 1;
    }
    None
}

/// Takes a trailing `else "message"` off the tokens.
fn split_message(tokens: &mut Vec<Token>) -> Result<Option<Token>, CheckError> {
    let Some(position) = tokens.iter().position(|t| !t.quoted && t.text == "else") else {
        return Ok(None);
    };
    let rest = tokens.split_off(position);
    match rest.as_slice() {
        [_, message] if message.quoted => Ok(Some(message.clone())),
        [word] => Err(CheckError {
            column: word.column,
            kind: CheckErrorKind::Missing {
                assertion: "else".into(),
                what: "a quoted message",
                example: "else \"Make the folder first\"",
            },
        }),
        [_, second, ..] if !second.quoted => Err(CheckError {
            column: second.column,
            kind: CheckErrorKind::Expected {
                expected: "a quoted message",
                found: second.text.clone(),
            },
        }),
        [_, _, extra, ..] => Err(CheckError {
            column: extra.column,
            kind: CheckErrorKind::Extra {
                text: extra.text.clone(),
            },
        }),
        _ => Ok(None),
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    position: usize,
    end_column: usize,
}

impl Parser<'_> {
    fn assertion(&mut self) -> Result<Assertion, CheckError> {
        let first = self.next_word("an assertion", "exists ~/notes")?;
        let assertion = match first.text.as_str() {
            "exists" => Assertion::Exists(self.path("exists")?),
            "missing" => Assertion::Missing(self.path("missing")?),
            "dir" => Assertion::Dir(self.path("dir")?),
            "file" => Assertion::File(self.path("file")?),
            "empty" => Assertion::Empty(self.path("empty")?),
            "appended" => Assertion::Appended(self.path("appended")?),
            "unchanged" => Assertion::Unchanged(self.path("unchanged")?),
            "symlink" => self.symlink()?,
            "content" => self.content()?,
            "mode" => self.mode()?,
            "cwd" => {
                self.optional_word("is");
                Assertion::Cwd(self.path("cwd is")?)
            }
            "status" => self.status()?,
            "output" => Assertion::Output(self.test("output")?),
            "ran" => Assertion::Ran(self.regex("ran")?),
            "did" => {
                self.expect_word("not")?;
                self.expect_word("run")?;
                Assertion::DidNotRun(self.regex("did not run")?)
            }
            word => {
                let suggestion = WORDS
                    .iter()
                    .filter(|w| strsim::levenshtein(w, word) <= 2)
                    .min_by_key(|w| strsim::levenshtein(w, word))
                    .map(|w| w.to_string());
                return Err(CheckError {
                    column: first.column,
                    kind: CheckErrorKind::UnknownAssertion {
                        word: word.to_string(),
                        suggestion,
                    },
                });
            }
        };
        match self.tokens.get(self.position) {
            Some(extra) => Err(CheckError {
                column: extra.column,
                kind: CheckErrorKind::Extra {
                    text: extra.text.clone(),
                },
            }),
            None => Ok(assertion),
        }
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.position)?;
        self.position += 1;
        Some(token)
    }

    fn missing(&self, assertion: &str, what: &'static str, example: &'static str) -> CheckError {
        CheckError {
            column: self.end_column,
            kind: CheckErrorKind::Missing {
                assertion: assertion.into(),
                what,
                example,
            },
        }
    }

    fn next_word(
        &mut self,
        what: &'static str,
        example: &'static str,
    ) -> Result<Token, CheckError> {
        let error = self.missing("check", what, example);
        self.next().cloned().ok_or(error)
    }

    fn optional_word(&mut self, word: &str) -> bool {
        let present = self
            .tokens
            .get(self.position)
            .is_some_and(|t| !t.quoted && t.text == word);
        if present {
            self.position += 1;
        }
        present
    }

    fn expect_word(&mut self, word: &'static str) -> Result<(), CheckError> {
        match self.next().cloned() {
            Some(token) if !token.quoted && token.text == word => Ok(()),
            Some(token) => Err(CheckError {
                column: token.column,
                kind: CheckErrorKind::Expected {
                    expected: word,
                    found: token.text,
                },
            }),
            None => Err(CheckError {
                column: self.end_column,
                kind: CheckErrorKind::Expected {
                    expected: word,
                    found: "the end of the line".into(),
                },
            }),
        }
    }

    fn path(&mut self, assertion: &str) -> Result<PathRule, CheckError> {
        let error = self.missing(assertion, "a path", "~/notes/todo.txt");
        let token = self.next().cloned().ok_or(error)?;
        path_rule(&token.text).ok_or(CheckError {
            column: token.column,
            kind: CheckErrorKind::OutsideSandbox {
                path: token.text.clone(),
            },
        })
    }

    fn string(&mut self, assertion: &str) -> Result<Token, CheckError> {
        let error = self.missing(assertion, "a quoted text", "\"hello\"");
        self.next().cloned().ok_or(error)
    }

    fn regex(&mut self, assertion: &str) -> Result<Regex, CheckError> {
        let token = self.string(assertion)?;
        // Multi-line mode: `^` and `$` match at every line's start and end, as a learner reading output expects.
        regex::RegexBuilder::new(&token.text)
            .multi_line(true)
            .build()
            .map_err(|error| CheckError {
                column: token.column,
                kind: CheckErrorKind::BadRegex {
                    message: error
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                },
            })
    }

    fn symlink(&mut self) -> Result<Assertion, CheckError> {
        let path = self.path("symlink")?;
        if !self.optional_word("->") {
            return Ok(Assertion::Symlink(path, None));
        }
        let target = self.string("symlink PATH ->")?;
        Ok(Assertion::Symlink(path, Some(target.text)))
    }

    fn content(&mut self) -> Result<Assertion, CheckError> {
        let path = self.path("content")?;
        if self.optional_word("has") {
            let count = self.number("content PATH has")?;
            self.expect_word("lines")?;
            return Ok(Assertion::LineCount(
                path,
                usize::try_from(count).unwrap_or(0),
            ));
        }
        Ok(Assertion::Content(path, self.test("content PATH")?))
    }

    fn test(&mut self, assertion: &str) -> Result<Test, CheckError> {
        let word = self.next().cloned().ok_or_else(|| {
            self.missing(
                assertion,
                "equals, contains, matches or is empty",
                "contains \"hello\"",
            )
        })?;
        match word.text.as_str() {
            "equals" => Ok(Test::Equals(self.string(assertion)?.text)),
            "contains" => Ok(Test::Contains(self.string(assertion)?.text)),
            "matches" => Ok(Test::Matches(self.regex(assertion)?)),
            "is" => {
                self.expect_word("empty")?;
                Ok(Test::IsEmpty)
            }
            _ => Err(CheckError {
                column: word.column,
                kind: CheckErrorKind::Expected {
                    expected: "equals, contains, matches or is empty",
                    found: word.text,
                },
            }),
        }
    }

    fn mode(&mut self) -> Result<Assertion, CheckError> {
        let path = self.path("mode")?;
        let token = self
            .next()
            .cloned()
            .ok_or_else(|| self.missing("mode PATH", "a mode", "600, lacks go+w or has u+x"))?;
        let bad_mode = |text: &str, column| CheckError {
            column,
            kind: CheckErrorKind::BadMode {
                text: text.to_string(),
            },
        };
        match token.text.as_str() {
            "lacks" | "has" => {
                let spec = self
                    .next()
                    .cloned()
                    .ok_or_else(|| self.missing("mode PATH lacks", "permissions", "go+w"))?;
                let bits =
                    symbolic_bits(&spec.text).ok_or_else(|| bad_mode(&spec.text, spec.column))?;
                Ok(if token.text == "lacks" {
                    Assertion::ModeLacks(path, bits, spec.text)
                } else {
                    Assertion::ModeHas(path, bits, spec.text)
                })
            }
            "is" => {
                let digits = self
                    .next()
                    .cloned()
                    .ok_or_else(|| self.missing("mode PATH is", "octal digits", "600"))?;
                octal(&digits.text)
                    .map(|bits| Assertion::ModeIs(path, bits))
                    .ok_or_else(|| bad_mode(&digits.text, digits.column))
            }
            text => octal(text)
                .map(|bits| Assertion::ModeIs(path, bits))
                .ok_or_else(|| bad_mode(text, token.column)),
        }
    }

    fn status(&mut self) -> Result<Assertion, CheckError> {
        self.optional_word("is");
        let negated = self.optional_word("not");
        let code = self.number("status is")?;
        let code = i32::try_from(code).unwrap_or(i32::MAX);
        Ok(if negated {
            Assertion::StatusIsNot(code)
        } else {
            Assertion::StatusIs(code)
        })
    }

    fn number(&mut self, assertion: &str) -> Result<u64, CheckError> {
        let token = self
            .next()
            .cloned()
            .ok_or_else(|| self.missing(assertion, "a number", "0"))?;
        token.text.parse().map_err(|_| CheckError {
            column: token.column,
            kind: CheckErrorKind::BadNumber {
                text: token.text.clone(),
            },
        })
    }
}

/// A path relative to the learner's home, or `None` if it would leave the sandbox.
pub fn path_rule(written: &str) -> Option<PathRule> {
    let relative = if written == "~" || written == "{home}" {
        ""
    } else if let Some(rest) = written
        .strip_prefix("~/")
        .or_else(|| written.strip_prefix("{home}/"))
    {
        rest
    } else if written.starts_with('/') || written.starts_with('~') || written.is_empty() {
        return None;
    } else {
        written
    };
    let mut components: Vec<String> = Vec::new();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                components.pop()?;
            }
            name => components.push(name.to_string()),
        }
    }
    Some(PathRule {
        components,
        written: written.to_string(),
    })
}

fn octal(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    u32::from_str_radix(text, 8).ok()
}

/// `go+w` -> 0o022; `u+x` -> 0o100; `a+r` -> 0o444.
fn symbolic_bits(spec: &str) -> Option<u32> {
    let (who, what) = spec.split_once('+')?;
    let who_mask = who.chars().try_fold(0u32, |mask, c| match c {
        'u' => Some(mask | 0o700),
        'g' => Some(mask | 0o070),
        'o' => Some(mask | 0o007),
        'a' => Some(mask | 0o777),
        _ => None,
    })?;
    let what_mask = what.chars().try_fold(0u32, |mask, c| match c {
        'r' => Some(mask | 0o444),
        'w' => Some(mask | 0o222),
        'x' => Some(mask | 0o111),
        _ => None,
    })?;
    (who_mask != 0 && what_mask != 0).then_some(who_mask & what_mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Check {
        parse_check(line, 7, 0).unwrap_or_else(|e| panic!("'{line}' should parse: {e}"))
    }

    fn error(line: &str) -> (usize, CheckErrorKind) {
        let error = parse_check(line, 7, 0).expect_err("should not parse");
        (error.column, error.kind)
    }

    #[test]
    fn every_form_parses() {
        let forms = [
            "exists ~/a",
            "missing a/b",
            "dir ~",
            "file \"my notes.txt\"",
            "symlink link",
            "symlink link -> \"target\"",
            "empty ~/e",
            "content f equals \"x\"",
            "content f contains \"x\"",
            "content f matches \"^x$\"",
            "content f is empty",
            "content f has 3 lines",
            "mode f 600",
            "mode f is 0600",
            "mode ~/.ssh lacks go+w",
            "mode run.sh has u+x",
            "cwd is ~/p",
            "cwd ~",
            "status is 0",
            "status is not 0",
            "status 2",
            "output equals \"{user}\"",
            "output contains \"x\"",
            "output matches \"a+\"",
            "output is empty",
            "appended log",
            "unchanged ~/keep",
            "ran \"^mkdir -p\"",
            "did not run \"rm\"",
        ];
        for form in forms {
            parse(form);
        }
    }

    #[test]
    fn messages_and_positions_are_kept() {
        let check = parse("exists ~/a else \"Make a first\"");
        assert_eq!(check.message.as_deref(), Some("Make a first"));
        assert_eq!(check.line, 7);
        assert!(matches!(check.assertion, Assertion::Exists(ref p) if p.components == ["a"]));
    }

    #[test]
    fn backslashes_keep_regex_escapes() {
        let Assertion::Ran(pattern) = parse(r#"ran "^id\b\s+\"x\"\\.""#).assertion else {
            panic!("a ran assertion")
        };
        assert_eq!(pattern.as_str(), r#"^id\b\s+"x"\."#);
        let Assertion::Output(Test::Equals(text)) = parse(r#"output equals "a\nb\tc""#).assertion
        else {
            panic!("output equals")
        };
        assert_eq!(text, "a\nb\tc");
    }

    #[test]
    fn modes_become_bits() {
        assert!(matches!(
            parse("mode f 600").assertion,
            Assertion::ModeIs(_, 0o600)
        ));
        assert!(matches!(
            parse("mode f lacks go+w").assertion,
            Assertion::ModeLacks(_, 0o022, _)
        ));
        assert!(matches!(
            parse("mode f has a+x").assertion,
            Assertion::ModeHas(_, 0o111, _)
        ));
    }

    #[test]
    fn paths_stay_inside() {
        assert_eq!(
            path_rule("a/../b").map(|p| p.components),
            Some(vec!["b".to_string()])
        );
        assert_eq!(
            path_rule("~/./a/").map(|p| p.components),
            Some(vec!["a".to_string()])
        );
        assert_eq!(
            path_rule("{home}/x").map(|p| p.shown()),
            Some("~/x".to_string())
        );
        for outside in ["/etc/passwd", "..", "a/../../b", "~root", ""] {
            assert_eq!(path_rule(outside), None, "{outside}");
        }
    }

    #[test]
    fn errors_name_the_column() {
        assert_eq!(error("exsts a").0, 1);
        assert!(
            matches!(error("exsts a").1, CheckErrorKind::UnknownAssertion { suggestion: Some(ref s), .. } if s == "exists")
        );
        assert!(matches!(
            error("exists"),
            (7, CheckErrorKind::Missing { .. })
        ));
        assert!(matches!(
            error("exists /etc/passwd"),
            (8, CheckErrorKind::OutsideSandbox { .. })
        ));
        assert!(matches!(
            error("exists ../x"),
            (8, CheckErrorKind::OutsideSandbox { .. })
        ));
        assert!(matches!(
            error("exists a b"),
            (10, CheckErrorKind::Extra { .. })
        ));
        assert!(matches!(
            error("output equals \"x"),
            (15, CheckErrorKind::Unterminated)
        ));
        assert!(matches!(
            error("ran \"(\""),
            (5, CheckErrorKind::BadRegex { .. })
        ));
        assert!(matches!(
            error("mode f 9"),
            (8, CheckErrorKind::BadMode { .. })
        ));
        assert!(matches!(
            error("mode f lacks q+w"),
            (14, CheckErrorKind::BadMode { .. })
        ));
        assert!(matches!(
            error("status is x"),
            (11, CheckErrorKind::BadNumber { .. })
        ));
        assert!(matches!(
            error("output contains \"{usr}\""),
            (17, CheckErrorKind::UnknownPlaceholder { .. })
        ));
        assert!(matches!(
            error("did run \"x\""),
            (
                5,
                CheckErrorKind::Expected {
                    expected: "not",
                    ..
                }
            )
        ));
        assert!(matches!(
            error("output sounds \"x\""),
            (8, CheckErrorKind::Expected { .. })
        ));
        assert!(matches!(
            error("exists a else"),
            (10, CheckErrorKind::Missing { .. })
        ));
        assert!(matches!(
            error("exists a else oops"),
            (15, CheckErrorKind::Expected { .. })
        ));
    }

    #[test]
    fn indentation_shifts_columns() {
        let error = parse_check("exists /x", 3, 2).expect_err("outside");
        assert_eq!(error.column, 10);
    }
}
