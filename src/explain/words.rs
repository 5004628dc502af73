//! One word of a command line: its quoting, what it expands to, and the commands nested in it.
//!
//! bash expands a word in steps: tilde, parameters (`$HOME`, `${x:-y}`), command substitution (`$(...)`),
//! arithmetic; then unquoted results are split into words and globbed against the current directory; then quotes
//! are removed. This module follows those steps as far as it can without running anything: `~`, `$HOME`, `$USER`
//! and `$PWD` are known, globs are matched against the directory, and a `$(...)` is shown as the command it would
//! run, never its output.

use brush_parser::word::{
    self, Parameter, ParameterExpr, SpecialParameter, TildeExpr, WordPiece, WordPieceWithSource,
};

use super::Context;

/// How many glob matches are listed before "and N more".
const SHOWN_MATCHES: usize = 8;

/// What one word turns into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// The word after expansion as far as it is known; unknown parts look like `‹$dir›`.
    pub value: String,
    /// The value when it is fully known (no unknown variable, no command output, no glob).
    pub literal: Option<String>,
    /// What happens to it, step by step, in words.
    pub notes: Vec<String>,
    /// The commands of `$(...)` and backquotes inside it, in order.
    pub substitutions: Vec<String>,
    /// Variables whose value is not known here (they may be empty or unset).
    pub unknown_variables: Vec<String>,
    /// Whether an unquoted `*`, `?` or `[` makes it a glob pattern.
    pub is_glob: bool,
    /// The glob's matches here (`None` when it was not matched).
    pub matches: Option<Vec<String>>,
}

/// Analyses the source text of a word.
pub fn analyse(text: &str, context: &Context) -> Word {
    let options = brush_parser::ParserOptions::default();
    let Ok(pieces) = word::parse(text, &options) else {
        return Word {
            value: text.to_string(),
            literal: Some(text.to_string()),
            notes: vec![
                "bash would read this word specially; explain cannot take it apart".to_string(),
            ],
            ..Word::default()
        };
    };
    let mut builder = Builder {
        text,
        context,
        word: Word::default(),
        pattern: String::new(),
        known: true,
        matchable: true,
    };
    builder.pieces(&pieces, false);
    let mut word = builder.word;
    if word.is_glob {
        if builder.matchable {
            let matches = glob_matches(&builder.pattern, context);
            word.notes.push(describe_matches(&matches));
            word.matches = Some(matches);
        } else {
            word.notes.push(
                "an unquoted pattern: bash matches it against file names when the line runs"
                    .to_string(),
            );
        }
    }
    word.literal = (builder.known && !word.is_glob).then(|| word.value.clone());
    if brace_expansion(text) {
        word.notes.push(
            "brace expansion: {a,b} and {1..3} make one word for each alternative (a b, 1 2 3)"
                .to_string(),
        );
        word.literal = None;
    }
    word.notes.dedup();
    word
}

struct Builder<'a> {
    /// The word as written: pieces point into it.
    text: &'a str,
    context: &'a Context,
    word: Word,
    /// The word as a glob pattern on this machine's file system (known parts escaped).
    pattern: String,
    /// Every part's value is known.
    known: bool,
    /// The glob can be matched here (no unknown part in it).
    matchable: bool,
}

impl Builder<'_> {
    fn pieces(&mut self, pieces: &[WordPieceWithSource], quoted: bool) {
        for piece in pieces {
            let source = self
                .text
                .get(piece.start_index..piece.end_index)
                .unwrap_or("")
                .to_string();
            self.piece(&piece.piece, quoted, &source);
        }
    }

    fn literal(&mut self, text: &str) {
        self.word.value.push_str(text);
        self.pattern.push_str(&glob::Pattern::escape(text));
    }

    fn unknown(&mut self, shown: String) {
        self.word.value.push_str(&shown);
        self.known = false;
        self.matchable = false;
    }

    fn piece(&mut self, piece: &WordPiece, quoted: bool, source: &str) {
        match piece {
            WordPiece::Text(text) => {
                if !quoted && text.contains(['*', '?', '[']) {
                    self.word.is_glob = true;
                    self.word.value.push_str(text);
                    // bash's `**` is `*` unless `shopt -s globstar`.
                    self.pattern.push_str(&text.replace("**", "*"));
                } else {
                    self.literal(text);
                }
            }
            WordPiece::SingleQuotedText(text) => {
                self.literal(text);
                self.note(
                    "'...': single quotes keep everything inside literally, $ and * included",
                );
            }
            WordPiece::AnsiCQuotedText(text) => {
                self.literal(&ansi_c(text));
                self.note(
                    "$'...': a string with backslash escapes such as \\n (newline) and \\t (tab)",
                );
            }
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                self.note("\"...\": double quotes keep spaces and * literal, but $ expansions still happen");
                self.pieces(inner, true);
            }
            WordPiece::TildeExpansion(tilde) => self.tilde(tilde),
            WordPiece::ParameterExpansion(expression) => self.parameter(expression, quoted, source),
            WordPiece::CommandSubstitution(command)
            | WordPiece::BackquotedCommandSubstitution(command) => {
                let backquoted = matches!(piece, WordPiece::BackquotedCommandSubstitution(_));
                self.word.substitutions.push(command.clone());
                self.unknown(format!("‹output of {}›", command.trim()));
                let how = if backquoted {
                    "`...` (old-style $(...))"
                } else {
                    "$(...)"
                };
                self.note(&format!(
                    "{how}: replaced by the output of the command inside, which runs first{}",
                    if quoted {
                        ""
                    } else {
                        "; unquoted, the output is split into words and globbed"
                    }
                ));
            }
            WordPiece::EscapeSequence(escape) => {
                let text = escape.strip_prefix('\\').unwrap_or(escape);
                self.literal(text);
                if !text.is_empty() && text != "\n" {
                    self.note(&format!(
                        "\\{text}: the backslash makes '{text}' an ordinary character"
                    ));
                }
            }
            WordPiece::ArithmeticExpression(expression) => {
                self.unknown(format!("‹$(({}))›", expression.value));
                self.note(&format!(
                    "$((...)): replaced by the result of the arithmetic {}",
                    expression.value.trim()
                ));
            }
        }
    }

    fn note(&mut self, text: &str) {
        if !self.word.notes.iter().any(|n| n == text) {
            self.word.notes.push(text.to_string());
        }
    }

    fn tilde(&mut self, tilde: &TildeExpr) {
        match tilde {
            TildeExpr::Home => {
                let home = self.context.home.clone();
                self.word.value.push_str(&home);
                self.pattern.push_str(&glob::Pattern::escape(
                    &self.context.home_dir.display().to_string(),
                ));
                self.note(&format!("~ is your home folder, {home}"));
            }
            TildeExpr::UserHome(user) => {
                self.unknown(format!("‹home of {user}›"));
                self.note(&format!("~{user} is the home folder of user {user}"));
            }
            TildeExpr::WorkingDir => {
                let cwd = self.context.cwd_shown.clone();
                self.word.value.push_str(&cwd);
                self.pattern.push_str(&glob::Pattern::escape(
                    &self.context.cwd.display().to_string(),
                ));
                self.note("~+ is the current directory ($PWD)");
            }
            TildeExpr::OldWorkingDir => {
                self.unknown("‹$OLDPWD›".to_string());
                self.note("~- is the previous directory ($OLDPWD)");
            }
            _ => {
                self.unknown("‹a directory of the stack›".to_string());
                self.note("~N: a directory of the directory stack (dirs)");
            }
        }
    }

    fn parameter(&mut self, expression: &ParameterExpr, quoted: bool, source: &str) {
        let (parameter, description) = parameter_description(expression);
        let name = parameter_name(parameter);
        let known = match parameter {
            Parameter::Named(n) if n == "HOME" => Some(self.context.home.clone()),
            Parameter::Named(n) if n == "USER" || n == "LOGNAME" => Some(self.context.user.clone()),
            Parameter::Named(n) if n == "PWD" => Some(self.context.cwd.display().to_string()),
            _ => None,
        };
        let simple = matches!(
            expression,
            ParameterExpr::Parameter {
                indirect: false,
                ..
            }
        );
        match known.filter(|_| simple) {
            Some(value) => {
                self.literal(&value);
                self.note(&format!("${name} is {value}"));
            }
            None => {
                if let Parameter::Named(variable) = parameter {
                    self.word.unknown_variables.push(variable.clone());
                }
                let shown = if simple || !source.starts_with('$') {
                    format!("‹${name}›")
                } else {
                    format!("‹{source}›")
                };
                self.unknown(shown);
                self.note(&description);
                if !quoted {
                    self.note(&format!(
                        "${name} is not quoted: its value is split at spaces into several words, and each is globbed; write \"${name}\" to keep it one word"
                    ));
                }
            }
        }
    }
}

/// The parameter an expression reads, and what the expression does, in words.
fn parameter_description(expression: &ParameterExpr) -> (&Parameter, String) {
    use ParameterExpr as E;
    let describe = |p: &Parameter| describe_parameter(p);
    match expression {
        E::Parameter {
            parameter,
            indirect,
        } => {
            let text = if *indirect {
                format!(
                    "${{!{}}}: the variable whose name is in {}",
                    parameter_name(parameter),
                    parameter_name(parameter)
                )
            } else {
                describe(parameter)
            };
            (parameter, text)
        }
        E::UseDefaultValues {
            parameter,
            default_value,
            ..
        } => (
            parameter,
            format!(
                "{}, or '{}' when it is unset or empty",
                describe(parameter),
                default_value.clone().unwrap_or_default()
            ),
        ),
        E::AssignDefaultValues {
            parameter,
            default_value,
            ..
        } => (
            parameter,
            format!(
                "{}; set to '{}' first when it is unset or empty",
                describe(parameter),
                default_value.clone().unwrap_or_default()
            ),
        ),
        E::IndicateErrorIfNullOrUnset {
            parameter,
            error_message,
            ..
        } => (
            parameter,
            format!(
                "{}; if it is unset or empty the command stops with the error '{}'",
                describe(parameter),
                error_message
                    .clone()
                    .unwrap_or_else(|| "parameter null or not set".to_string())
            ),
        ),
        E::UseAlternativeValue {
            parameter,
            alternative_value,
            ..
        } => (
            parameter,
            format!(
                "'{}' when {} is set and not empty, else nothing",
                alternative_value.clone().unwrap_or_default(),
                parameter_name(parameter)
            ),
        ),
        E::ParameterLength { parameter, .. } => {
            (parameter, format!("the length of {}", describe(parameter)))
        }
        E::RemoveSmallestSuffixPattern {
            parameter, pattern, ..
        }
        | E::RemoveLargestSuffixPattern {
            parameter, pattern, ..
        } => (
            parameter,
            format!(
                "{} without the end that matches '{}'",
                describe(parameter),
                pattern.clone().unwrap_or_default()
            ),
        ),
        E::RemoveSmallestPrefixPattern {
            parameter, pattern, ..
        }
        | E::RemoveLargestPrefixPattern {
            parameter, pattern, ..
        } => (
            parameter,
            format!(
                "{} without the start that matches '{}'",
                describe(parameter),
                pattern.clone().unwrap_or_default()
            ),
        ),
        E::Substring { parameter, .. } => (parameter, format!("part of {}", describe(parameter))),
        E::Transform { parameter, .. } => {
            (parameter, format!("{}, transformed", describe(parameter)))
        }
        E::UppercaseFirstChar { parameter, .. } | E::UppercasePattern { parameter, .. } => {
            (parameter, format!("{} in upper case", describe(parameter)))
        }
        E::LowercaseFirstChar { parameter, .. } | E::LowercasePattern { parameter, .. } => {
            (parameter, format!("{} in lower case", describe(parameter)))
        }
        E::ReplaceSubstring {
            parameter,
            pattern,
            replacement,
            ..
        } => (
            parameter,
            format!(
                "{} with '{pattern}' replaced by '{}'",
                describe(parameter),
                replacement.clone().unwrap_or_default()
            ),
        ),
        E::VariableNames { .. } | E::MemberKeys { .. } => {
            static NONE: Parameter = Parameter::Positional(0);
            (&NONE, "a list of variable names or array keys".to_string())
        }
    }
}

fn describe_parameter(parameter: &Parameter) -> String {
    match parameter {
        Parameter::Named(name) => format!("${name}: the value of the variable {name}"),
        Parameter::Positional(0) => "$0: the name of the shell or script".to_string(),
        Parameter::Positional(n) => format!("${n}: argument number {n} of the script or function"),
        Parameter::Special(special) => match special {
            SpecialParameter::AllPositionalParameters { concatenate: false } => {
                "$@: all the arguments of the script or function".to_string()
            }
            SpecialParameter::AllPositionalParameters { concatenate: true } => {
                "$*: all the arguments, joined into one".to_string()
            }
            SpecialParameter::PositionalParameterCount => {
                "$#: how many arguments there are".to_string()
            }
            SpecialParameter::LastExitStatus => {
                "$?: the exit status of the last command (0 means success)".to_string()
            }
            SpecialParameter::CurrentOptionFlags => "$-: the shell's option letters".to_string(),
            SpecialParameter::ProcessId => "$$: the process id of the shell".to_string(),
            SpecialParameter::LastBackgroundProcessId => {
                "$!: the process id of the last command started in the background".to_string()
            }
            SpecialParameter::ShellName => "$0: the name of the shell or script".to_string(),
        },
        Parameter::NamedWithIndex { name, index } => {
            format!("${{{name}[{index}]}}: element {index} of the array {name}")
        }
        Parameter::NamedWithAllIndices { name, .. } => {
            format!("${{{name}[@]}}: all elements of the array {name}")
        }
    }
}

/// The name as written after `$` (`dir`, `1`, `?`, `arr[0]`).
fn parameter_name(parameter: &Parameter) -> String {
    match parameter {
        Parameter::Named(name) => name.clone(),
        Parameter::Positional(n) => n.to_string(),
        Parameter::Special(special) => special.to_string(),
        Parameter::NamedWithIndex { name, index } => format!("{{{name}[{index}]}}"),
        Parameter::NamedWithAllIndices { name, concatenate } => {
            format!("{{{name}[{}]}}", if *concatenate { "*" } else { "@" })
        }
    }
}

/// The text of `$'...'` with its common escapes interpreted.
fn ansi_c(text: &str) -> String {
    text.replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\'", "'")
        .replace("\\\\", "\\")
}

/// Whether bash would brace-expand the word.
fn brace_expansion(text: &str) -> bool {
    if !text.contains('{') {
        return false;
    }
    let options = brush_parser::ParserOptions::default();
    matches!(
        word::parse_brace_expansions(text, &options),
        Ok(Some(parts)) if parts.iter().any(|p| matches!(p, word::BraceExpressionOrText::Expr(_)))
    )
}

/// The files a glob matches in the context's directory, shown as bash would pass them.
fn glob_matches(pattern: &str, context: &Context) -> Vec<String> {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let absolute = pattern.starts_with('/');
    let base = glob::Pattern::escape(&context.cwd.display().to_string());
    let full = if absolute {
        pattern.to_string()
    } else {
        format!("{}/{pattern}", base.trim_end_matches('/'))
    };
    let Ok(paths) = glob::glob_with(&full, options) else {
        return Vec::new();
    };
    let home_dir = context.home_dir.display().to_string();
    let mut matches: Vec<String> = paths
        .filter_map(Result::ok)
        .take(1000)
        .map(|path| {
            let shown = path.display().to_string();
            if absolute {
                match shown.strip_prefix(&home_dir) {
                    Some(rest) if !home_dir.is_empty() && home_dir != "/" => {
                        format!("{}{rest}", context.home)
                    }
                    _ => shown,
                }
            } else {
                path.strip_prefix(&context.cwd)
                    .map_or(shown, |p| p.display().to_string())
            }
        })
        .collect();
    matches.sort();
    matches
}

fn describe_matches(matches: &[String]) -> String {
    match matches.len() {
        0 => "a glob pattern that matches nothing here, so bash passes it on unchanged".to_string(),
        1 => format!("a glob pattern; here it matches 1 name: {}", matches[0]),
        n if n <= SHOWN_MATCHES => format!(
            "a glob pattern; here it matches {n} names: {}",
            matches.join(", ")
        ),
        n => format!(
            "a glob pattern; here it matches {n} names: {}, and {} more",
            matches[..SHOWN_MATCHES].join(", "),
            n - SHOWN_MATCHES
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn context(cwd: PathBuf) -> Context {
        Context {
            cwd_shown: "~".into(),
            cwd,
            home_dir: PathBuf::from("/home/alice"),
            home: "/home/alice".into(),
            user: "alice".into(),
            aliases: Vec::new(),
            functions: Vec::new(),
        }
    }

    #[test]
    fn tilde_and_known_variables_expand() {
        let ctx = context(PathBuf::from("/nonexistent"));
        let word = analyse("~/old", &ctx);
        assert_eq!(word.literal.as_deref(), Some("/home/alice/old"));
        assert!(word.notes[0].contains("home folder"), "{:?}", word.notes);
        assert_eq!(
            analyse("\"$HOME/x\"", &ctx).literal.as_deref(),
            Some("/home/alice/x")
        );
        assert_eq!(
            analyse("'~/$HOME'", &ctx).literal.as_deref(),
            Some("~/$HOME")
        );
        assert_eq!(analyse("a\\ b", &ctx).literal.as_deref(), Some("a b"));
    }

    #[test]
    fn unknown_variables_and_substitutions_are_marked() {
        let ctx = context(PathBuf::from("/nonexistent"));
        let word = analyse("\"$dir\"/", &ctx);
        assert_eq!(word.value, "‹$dir›/");
        assert_eq!(word.literal, None);
        assert_eq!(word.unknown_variables, ["dir"]);
        let word = analyse("$(date +%F).log", &ctx);
        assert_eq!(word.substitutions, ["date +%F"]);
        assert!(
            word.notes.iter().any(|n| n.contains("unquoted")),
            "{:?}",
            word.notes
        );
        let word = analyse("${name:-world}", &ctx);
        assert!(
            word.notes
                .iter()
                .any(|n| n.contains("'world' when it is unset")),
            "{:?}",
            word.notes
        );
    }

    #[test]
    fn globs_are_matched_in_the_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["a.txt", "b.txt", ".hidden.txt", "c.md"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        let ctx = context(dir.path().to_path_buf());
        let word = analyse("*.txt", &ctx);
        assert!(word.is_glob);
        assert_eq!(
            word.matches,
            Some(vec!["a.txt".to_string(), "b.txt".to_string()])
        );
        assert_eq!(analyse("'*.txt'", &ctx).matches, None);
        let none = analyse("*.zip", &ctx);
        assert_eq!(none.matches, Some(Vec::new()));
        assert!(none.notes[0].contains("matches nothing"));
    }

    #[test]
    fn brace_expansion_is_named() {
        let ctx = context(PathBuf::from("/nonexistent"));
        let word = analyse("file{1,2}.txt", &ctx);
        assert!(
            word.notes.iter().any(|n| n.contains("brace expansion")),
            "{:?}",
            word.notes
        );
        assert_eq!(word.literal, None);
    }
}
