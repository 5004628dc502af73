//! Parsing `check` lines into [`Check`] values, with errors that point at the column of the problem.
//!
//! A line is words and double-quoted strings (`\"`, `\\`, `\n` and `\t` escapes), optionally ending in
//! `else "message"`. The grammar is listed in docs/lesson-format.md; each form reads as an English sentence.

use thiserror::Error;

use super::assertion::{
    build_regex, Assertion, CertificateField, Check, CommandPattern, CommandTest, HttpTest,
    ModeTest, PathRule, Pattern, PemKind, Test,
};
use super::text::{placeholder_names, PLACEHOLDERS};

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
    #[error("unknown placeholder '{{{name}}}'; the placeholders are {{user}}, {{home}}, {{cwd}}, {{uid}}, {{gid}}, {{group}}, {{hostname}} and the exercise's random values (write {{{{ for a brace)")]
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
const WORDS: [&str; 31] = [
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
    "modified",
    "ran",
    "did",
    "not",
    "owner",
    "type",
    "program",
    "process",
    "port",
    "http",
    "pem",
    "key",
    "certificate",
    "ssh",
    "authorized",
    "command",
    "run",
    "with",
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
    let mut parser = Parser {
        tokens: &tokens,
        position: 0,
        end_column,
    };
    let assertion = parser.assertion().map_err(shift)?;
    if let Some(extra) = tokens.get(parser.position) {
        return Err(shift(CheckError {
            column: extra.column,
            kind: CheckErrorKind::Extra {
                text: extra.text.clone(),
            },
        }));
    }
    let placeholders = tokens
        .iter()
        .chain(message.iter())
        .flat_map(|token| {
            placeholder_names(&token.text)
                .into_iter()
                .map(move |name| (token.column + indent, name))
        })
        .collect();
    Ok(Check {
        assertion,
        message: message.map(|token| token.text),
        line: line_number,
        source: line.to_string(),
        placeholders,
    })
}

/// Checks a line's placeholders against the names the exercise defines (random values) and the built-in ones.
pub fn check_placeholders(check: &Check, defined: &[String]) -> Result<(), CheckError> {
    for (column, name) in &check.placeholders {
        if !PLACEHOLDERS.contains(&name.as_str()) && !defined.iter().any(|d| d == name) {
            return Err(CheckError {
                column: *column,
                kind: CheckErrorKind::UnknownPlaceholder { name: name.clone() },
            });
        }
    }
    Ok(())
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
            "not" => Assertion::Not(Box::new(self.assertion()?)),
            "exists" => Assertion::Exists(self.path("exists")?),
            "missing" => Assertion::Missing(self.path("missing")?),
            "dir" => {
                let path = self.path("dir")?;
                if self.optional_word("has") {
                    let count = self.count("dir PATH has")?;
                    self.expect_one_of(&["entries", "entry"])?;
                    Assertion::EntryCount(path, count)
                } else {
                    Assertion::Dir(path)
                }
            }
            "file" => Assertion::File(self.path("file")?),
            "empty" => Assertion::Empty(self.path("empty")?),
            "appended" => Assertion::Appended(self.path("appended")?),
            "unchanged" => Assertion::Unchanged(self.path("unchanged")?),
            "modified" => Assertion::Modified(self.path("modified")?),
            "symlink" => self.symlink()?,
            "content" => self.content()?,
            "mode" => self.mode()?,
            "owner" => {
                let path = self.path("owner")?;
                self.expect_word("is")?;
                let name = self.next_word("a user name", "owner ~/f is {user}")?;
                Assertion::Owner(path, name.text)
            }
            "cwd" => {
                self.optional_word("is");
                Assertion::Cwd(self.path("cwd is")?)
            }
            "status" => self.status()?,
            "output" => {
                if self.optional_word("of") {
                    let names = self.names("output of")?;
                    Assertion::OutputOf(names, self.test("output of NAME")?)
                } else {
                    Assertion::Output(self.test("output")?)
                }
            }
            "ran" => Assertion::Ran(self.command_pattern()?),
            "did" => {
                self.expect_word("not")?;
                self.expect_word("run")?;
                Assertion::DidNotRun(self.command_pattern()?)
            }
            "type" => {
                let name = self.next_word("a command name", "type cd is builtin")?;
                self.expect_word("is")?;
                let kind = self.next_word("a kind", "builtin, keyword, alias, function or file")?;
                if !["builtin", "keyword", "alias", "function", "file"]
                    .contains(&kind.text.as_str())
                {
                    return Err(CheckError {
                        column: kind.column,
                        kind: CheckErrorKind::Expected {
                            expected: "builtin, keyword, alias, function or file",
                            found: kind.text,
                        },
                    });
                }
                Assertion::TypeIs(name.text, kind.text)
            }
            "program" => {
                let name = self.next_word("a program name", "program ls is found")?;
                self.expect_word("is")?;
                if self.optional_word("found") {
                    Assertion::Program(name.text, None)
                } else {
                    self.expect_word("at")?;
                    let path = self.string("program NAME is at")?;
                    Assertion::Program(name.text, Some(path.text))
                }
            }
            "process" => {
                let name = self.next_word("a process name", "process nginx runs")?;
                self.expect_word("runs")?;
                Assertion::ProcessRuns(name.text)
            }
            "port" => {
                let port = self.number("port")?;
                let port = u16::try_from(port).map_err(|_| self.bad_number(&port.to_string()))?;
                self.expect_word("is")?;
                self.expect_word("listening")?;
                Assertion::PortListening(port)
            }
            "http" => self.http()?,
            "pem" => {
                let path = self.path("pem")?;
                self.expect_word("is")?;
                Assertion::Pem(path, self.pem_kind()?)
            }
            "key" => {
                let path = self.path("key")?;
                self.expect_word("matches")?;
                Assertion::KeyMatches(path, self.path("key PATH matches")?)
            }
            "certificate" => {
                let path = self.path("certificate")?;
                if self.optional_word("expires") {
                    self.expect_word("after")?;
                    let days = self.number("certificate PATH expires after")?;
                    self.expect_one_of(&["days", "day"])?;
                    Assertion::CertificateValidFor(path, days)
                } else {
                    let field = self.certificate_field()?;
                    Assertion::Certificate(path, field, self.test("certificate PATH FIELD")?)
                }
            }
            "ssh" => {
                self.expect_word("key")?;
                let path = self.path("ssh key")?;
                if self.optional_word("type") {
                    self.expect_word("is")?;
                    let kind = self.next_word("a key type", "ed25519")?;
                    Assertion::SshKeyType(path, kind.text)
                } else {
                    self.expect_word("has")?;
                    let without = self.optional_word("no");
                    self.expect_word("passphrase")?;
                    Assertion::SshKeyPassphrase(path, !without)
                }
            }
            "authorized" => {
                self.expect_word("keys")?;
                let path = self.path("authorized keys")?;
                self.expect_one_of(&["contain", "contains"])?;
                self.expect_word("key")?;
                Assertion::AuthorizedKeysContain(
                    path,
                    self.path("authorized keys PATH contain key")?,
                )
            }
            "command" => {
                let line = self.string("command")?;
                let test = match self
                    .next_word("succeeds, fails or output", "command \"nginx -t\" succeeds")?
                {
                    word if word.text == "succeeds" => CommandTest::Succeeds,
                    word if word.text == "fails" => CommandTest::Fails,
                    word if word.text == "output" => {
                        CommandTest::Output(self.test("command LINE output")?)
                    }
                    word => {
                        return Err(CheckError {
                            column: word.column,
                            kind: CheckErrorKind::Expected {
                                expected: "succeeds, fails or output",
                                found: word.text,
                            },
                        })
                    }
                };
                Assertion::Command(line.text, test)
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
        Ok(assertion)
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.position)?;
        self.position += 1;
        Some(token)
    }

    fn peek_word(&self, word: &str) -> bool {
        self.tokens
            .get(self.position)
            .is_some_and(|t| !t.quoted && t.text == word)
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

    fn bad_number(&self, text: &str) -> CheckError {
        CheckError {
            column: self
                .tokens
                .get(self.position.saturating_sub(1))
                .map_or(self.end_column, |t| t.column),
            kind: CheckErrorKind::BadNumber {
                text: text.to_string(),
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
        let present = self.peek_word(word);
        if present {
            self.position += 1;
        }
        present
    }

    fn expect_word(&mut self, word: &'static str) -> Result<(), CheckError> {
        self.expect_one_of(&[word])
    }

    fn expect_one_of(&mut self, words: &[&'static str]) -> Result<(), CheckError> {
        match self.next().cloned() {
            Some(token) if !token.quoted && words.contains(&token.text.as_str()) => Ok(()),
            Some(token) => Err(CheckError {
                column: token.column,
                kind: CheckErrorKind::Expected {
                    expected: words[0],
                    found: token.text,
                },
            }),
            None => Err(CheckError {
                column: self.end_column,
                kind: CheckErrorKind::Expected {
                    expected: words[0],
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

    /// Command names, alternatives separated by `|`: `vi|vim`.
    fn names(&mut self, assertion: &str) -> Result<Vec<String>, CheckError> {
        let error = self.missing(assertion, "a command name", "whoami");
        let token = self.next().cloned().ok_or(error)?;
        Ok(token
            .text
            .split('|')
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect())
    }

    fn regex(&mut self, assertion: &str) -> Result<Pattern, CheckError> {
        let token = self.string(assertion)?;
        check_regex(&token)?;
        Ok(Pattern { source: token.text })
    }

    /// `NAMES [with ITEM...] [without arguments] [successfully|unsuccessfully] [in the last line]`, or the legacy
    /// `"REGEX" [in the last line]`.
    fn command_pattern(&mut self) -> Result<CommandPattern, CheckError> {
        let first = self
            .tokens
            .get(self.position)
            .cloned()
            .ok_or_else(|| self.missing("ran", "a command name", "whoami"))?;
        let mut pattern = CommandPattern {
            names: Vec::new(),
            regex: None,
            options: Vec::new(),
            arguments: Vec::new(),
            paths: Vec::new(),
            no_arguments: false,
            succeeded: None,
            last_line: false,
        };
        if first.quoted {
            pattern.regex = Some(self.regex("ran")?);
        } else {
            pattern.names = self.names("ran")?;
            if self.optional_word("with") {
                self.command_items(&mut pattern)?;
            }
            if self.optional_word("without") {
                self.expect_one_of(&["arguments", "argument"])?;
                pattern.no_arguments = true;
            }
            if self.optional_word("successfully") {
                pattern.succeeded = Some(true);
            } else if self.optional_word("unsuccessfully") {
                pattern.succeeded = Some(false);
            }
        }
        if self.optional_word("in") {
            self.expect_word("the")?;
            self.expect_word("last")?;
            self.expect_word("line")?;
            pattern.last_line = true;
        }
        Ok(pattern)
    }

    /// Options (`-p|--parents`), quoted arguments and `path "P"` after `with`, optionally joined by `and`.
    fn command_items(&mut self, pattern: &mut CommandPattern) -> Result<(), CheckError> {
        let mut items = 0;
        while let Some(token) = self.tokens.get(self.position).cloned() {
            if token.quoted {
                self.position += 1;
                pattern.arguments.push(token.text);
            } else if token.text == "and" {
                self.position += 1;
                continue;
            } else if token.text == "path" {
                self.position += 1;
                let path = self.string("with path")?;
                let rule = path_rule(&path.text).ok_or(CheckError {
                    column: path.column,
                    kind: CheckErrorKind::OutsideSandbox { path: path.text },
                })?;
                pattern.paths.push(rule);
            } else if token.text.starts_with('-') && token.text.len() > 1 {
                self.position += 1;
                let spellings: Vec<String> = token
                    .text
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(bad) = spellings
                    .iter()
                    .find(|s| !s.starts_with('-') || s.len() < 2)
                {
                    return Err(CheckError {
                        column: token.column,
                        kind: CheckErrorKind::Expected {
                            expected: "an option such as -p or --parents",
                            found: bad.clone(),
                        },
                    });
                }
                pattern.options.push(spellings);
            } else {
                break;
            }
            items += 1;
        }
        if items == 0 {
            return Err(self.missing(
                "ran NAME with",
                "options, quoted arguments or path \"P\"",
                "ran mkdir with -p|--parents",
            ));
        }
        Ok(())
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
            if self.optional_word("no") {
                self.expect_word("private")?;
                self.expect_word("key")?;
                return Ok(Assertion::NoPrivateKey(path));
            }
            let count = self.count("content PATH has")?;
            self.expect_one_of(&["lines", "line"])?;
            return Ok(Assertion::LineCount(path, count));
        }
        if self.peek_word("equals")
            && self
                .tokens
                .get(self.position + 1)
                .is_some_and(|t| !t.quoted && t.text == "file")
        {
            self.position += 2;
            return Ok(Assertion::SameContent(
                path,
                self.path("content PATH equals file")?,
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
        if self.optional_word("under") {
            let path = self.path("mode under")?;
            return Ok(Assertion::ModeUnder(path, self.mode_test()?));
        }
        let path = self.path("mode")?;
        Ok(Assertion::Mode(path, self.mode_test()?))
    }

    fn mode_test(&mut self) -> Result<ModeTest, CheckError> {
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
                    ModeTest::Lacks(bits, spec.text)
                } else {
                    ModeTest::Has(bits, spec.text)
                })
            }
            "is" => {
                let digits = self
                    .next()
                    .cloned()
                    .ok_or_else(|| self.missing("mode PATH is", "octal digits", "600"))?;
                octal(&digits.text)
                    .map(ModeTest::Is)
                    .ok_or_else(|| bad_mode(&digits.text, digits.column))
            }
            text => octal(text)
                .map(ModeTest::Is)
                .ok_or_else(|| bad_mode(text, token.column)),
        }
    }

    fn status(&mut self) -> Result<Assertion, CheckError> {
        if self.optional_word("of") {
            let names = self.names("status of")?;
            self.expect_word("is")?;
            let code = self.number("status of NAME is")?;
            return Ok(Assertion::StatusOf(
                names,
                i32::try_from(code).unwrap_or(i32::MAX),
            ));
        }
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

    /// `http URL [trusting PATH] (status is N | header NAME TEST | body TEST | certificate FIELD TEST |
    /// certificate matches key PATH)`.
    fn http(&mut self) -> Result<Assertion, CheckError> {
        let url = self.next_word("a URL", "http http://example.test/ status is 200")?;
        if !(url.text.starts_with("http://") || url.text.starts_with("https://")) {
            return Err(CheckError {
                column: url.column,
                kind: CheckErrorKind::Expected {
                    expected: "a URL starting with http:// or https://",
                    found: url.text,
                },
            });
        }
        let trust = if self.optional_word("trusting") {
            Some(self.path("http URL trusting")?)
        } else {
            None
        };
        let word = self.next_word("status, header, body or certificate", "status is 200")?;
        let test = match word.text.as_str() {
            "status" => {
                self.expect_word("is")?;
                let code = self.number("http URL status is")?;
                HttpTest::Status(
                    u16::try_from(code).map_err(|_| self.bad_number(&code.to_string()))?,
                )
            }
            "header" => {
                let name = self.next_word("a header name", "Location")?;
                HttpTest::Header(name.text, self.test("http URL header NAME")?)
            }
            "body" => HttpTest::Body(self.test("http URL body")?),
            "certificate" => {
                if self.optional_word("matches") {
                    self.expect_word("key")?;
                    HttpTest::CertificateMatchesKey(self.path("http URL certificate matches key")?)
                } else {
                    let field = self.certificate_field()?;
                    HttpTest::Certificate(field, self.test("http URL certificate FIELD")?)
                }
            }
            _ => {
                return Err(CheckError {
                    column: word.column,
                    kind: CheckErrorKind::Expected {
                        expected: "status, header, body or certificate",
                        found: word.text,
                    },
                })
            }
        };
        Ok(Assertion::Http {
            url: url.text,
            trust,
            test,
        })
    }

    fn certificate_field(&mut self) -> Result<CertificateField, CheckError> {
        let word = self.next_word(
            "subject, issuer or san",
            "subject contains \"CN=example.test\"",
        )?;
        match word.text.as_str() {
            "subject" => Ok(CertificateField::Subject),
            "issuer" => Ok(CertificateField::Issuer),
            "san" => Ok(CertificateField::San),
            _ => Err(CheckError {
                column: word.column,
                kind: CheckErrorKind::Expected {
                    expected: "subject, issuer or san",
                    found: word.text,
                },
            }),
        }
    }

    fn pem_kind(&mut self) -> Result<PemKind, CheckError> {
        let word = self.next_word(
            "what it holds",
            "certificate, private key, public key or certificate request",
        )?;
        let second = |parser: &mut Self, expected: &'static str| parser.expect_word(expected);
        match word.text.as_str() {
            "certificate" => {
                if self.optional_word("request") {
                    Ok(PemKind::CertificateRequest)
                } else {
                    Ok(PemKind::Certificate)
                }
            }
            "private" => second(self, "key").map(|()| PemKind::PrivateKey),
            "public" => second(self, "key").map(|()| PemKind::PublicKey),
            _ => Err(CheckError {
                column: word.column,
                kind: CheckErrorKind::Expected {
                    expected: "certificate, private key, public key or certificate request",
                    found: word.text,
                },
            }),
        }
    }

    fn count(&mut self, assertion: &str) -> Result<usize, CheckError> {
        Ok(usize::try_from(self.number(assertion)?).unwrap_or(usize::MAX))
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

/// Whether a quoted token is a valid regular expression once its placeholders are filled in (with a plain word:
/// every value is escaped when the check runs, so the word stands for any of them).
fn check_regex(token: &Token) -> Result<(), CheckError> {
    let mut filled = token.text.clone();
    for name in placeholder_names(&token.text) {
        filled = filled.replace(&format!("{{{name}}}"), "x");
    }
    build_regex(&filled)
        .map(drop)
        .map_err(|message| CheckError {
            column: token.column,
            kind: CheckErrorKind::BadRegex { message },
        })
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
        assert_eq!(
            pattern.regex.as_ref().map(Pattern::as_str),
            Some(r#"^id\b\s+"x"\."#)
        );
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
            Assertion::Mode(_, ModeTest::Is(0o600))
        ));
        assert!(matches!(
            parse("mode f lacks go+w").assertion,
            Assertion::Mode(_, ModeTest::Lacks(0o022, _))
        ));
        assert!(matches!(
            parse("mode f has a+x").assertion,
            Assertion::Mode(_, ModeTest::Has(0o111, _))
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
        // Placeholders are checked once the exercise's random values are known.
        let check = parse("output contains \"{usr} {token}\"");
        let unknown =
            check_placeholders(&check, &["token".to_string()]).expect_err("usr is unknown");
        assert_eq!(unknown.column, 17);
        assert_eq!(
            unknown.kind,
            CheckErrorKind::UnknownPlaceholder { name: "usr".into() }
        );
        assert!(check_placeholders(&check, &["usr".to_string(), "token".to_string()]).is_ok());
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
