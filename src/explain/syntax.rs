//! A line bash would refuse, explained: what is wrong, and a caret under the column where bash's parser stopped.

use brush_parser::{ParseError, TokenizerError};

/// Why a line cannot be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error at line {line}, column {column}: {message}\n{}", caret(.source_line, *.column))]
pub struct SyntaxError {
    pub message: String,
    /// 1-based, in characters.
    pub line: usize,
    pub column: usize,
    /// The line of the input the error is on.
    pub source_line: String,
}

fn caret(source_line: &str, column: usize) -> String {
    let shown: String = source_line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let pad: String = shown
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("  {shown}\n  {pad}^")
}

/// Turns brush's error into one a learner can act on.
pub fn from_parse_error(error: &ParseError, input: &str) -> SyntaxError {
    let at_end = || {
        let lines: Vec<&str> = input.lines().collect();
        let line = lines.len().max(1);
        let column = lines.last().map_or(1, |l| l.chars().count() + 1);
        (line, column)
    };
    let (message, (line, column)) = match error {
        ParseError::ParsingNear(position) => {
            let token = token_at(input, position.line, position.column);
            let message = if token.is_empty() {
                "bash would not accept the line here".to_string()
            } else {
                format!("unexpected '{token}' here; bash would refuse the line (is a word missing before it, or a keyword in the wrong place?)")
            };
            (message, (position.line, position.column))
        }
        ParseError::ParsingAtEndOfInput => (
            "the line ends in the middle of a command: something is left open (after '|', '&&' or '||' a command must follow; 'if' needs 'then ... fi', 'for'/'while' need 'do ... done', '(' and '{' need closing)".to_string(),
            at_end(),
        ),
        ParseError::Tokenizing { inner, position } => {
            let (message, start) = tokenizer_message(inner);
            let place = start
                .or_else(|| position.as_ref().map(|p| (p.line, p.column)))
                .unwrap_or_else(at_end);
            (message, place)
        }
    };
    let source_line = input
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string();
    SyntaxError {
        message,
        line: line.max(1),
        column: column.max(1),
        source_line,
    }
}

fn tokenizer_message(error: &TokenizerError) -> (String, Option<(usize, usize)>) {
    let at = |p: &brush_parser::SourcePosition| Some((p.line, p.column));
    match error {
        TokenizerError::UnterminatedSingleQuote(p) => (
            "this single quote (') is never closed; add the closing ' (inside single quotes nothing is special, not even \\')".to_string(),
            at(p),
        ),
        TokenizerError::UnterminatedDoubleQuote(p) => (
            "this double quote (\") is never closed; add the closing \"".to_string(),
            at(p),
        ),
        TokenizerError::UnterminatedAnsiCQuote(p) => (
            "this $'...' quote is never closed; add the closing '".to_string(),
            at(p),
        ),
        TokenizerError::UnterminatedBackquote(p) => (
            "this backquote (`) is never closed; better, write $(...) instead of `...`".to_string(),
            at(p),
        ),
        TokenizerError::UnterminatedExtendedGlob(p) => {
            ("this extended glob pattern is never closed with ')'".to_string(), at(p))
        }
        TokenizerError::UnterminatedEscapeSequence => (
            "the line ends with a backslash, which would continue it on the next line".to_string(),
            None,
        ),
        TokenizerError::UnterminatedVariable => (
            "a ${...} is never closed; add the closing }".to_string(),
            None,
        ),
        TokenizerError::UnterminatedCommandSubstitution => (
            "a $( is never closed; add the closing )".to_string(),
            None,
        ),
        TokenizerError::UnterminatedExpansion => (
            "an expansion ($(( ... )) or ${ ... }) is never closed".to_string(),
            None,
        ),
        TokenizerError::MissingHereTag(tag) | TokenizerError::UnterminatedHereDocuments(tag, _) => (
            format!("a here-document is never ended: a line holding only '{tag}' must end it"),
            None,
        ),
        other => (other.to_string(), None),
    }
}

/// The word starting at a 1-based line and column.
fn token_at(input: &str, line: usize, column: usize) -> String {
    let Some(text) = input.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let rest: String = text.chars().skip(column.saturating_sub(1)).collect();
    let operators = [
        ";;", "&&", "||", ";", "&", "|", "(", ")", "{", "}", "<", ">",
    ];
    if let Some(op) = operators.iter().find(|op| rest.starts_with(**op)) {
        return (*op).to_string();
    }
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !";&|()<>".contains(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(line: &str) -> SyntaxError {
        let mut parser = brush_parser::Parser::new(
            std::io::Cursor::new(line.as_bytes()),
            &brush_parser::ParserOptions::default(),
        );
        let error = parser.parse_program().expect_err("a syntax error");
        from_parse_error(&error, line)
    }

    #[test]
    fn points_at_the_unclosed_quote() {
        let error = error_of("echo \"hello");
        assert_eq!((error.line, error.column), (1, 6));
        assert_eq!(
            error.to_string().lines().skip(1).collect::<Vec<_>>(),
            ["  echo \"hello", "       ^"]
        );
    }

    #[test]
    fn names_the_unexpected_token() {
        let error = error_of("echo )");
        assert_eq!(error.column, 6);
        assert!(
            error.message.contains("unexpected ')'"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_unfinished_line_points_at_its_end() {
        let error = error_of("ls |");
        assert_eq!((error.line, error.column), (1, 5));
        assert!(
            error.message.contains("ends in the middle"),
            "{}",
            error.message
        );
    }
}
