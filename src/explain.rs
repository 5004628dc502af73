//! `explain`: a command line taken apart the way bash reads it, each part named and explained, without running
//! anything.
//!
//! The line is parsed by `brush-parser`, a real bash parser, into commands, pipelines, lists, compound commands,
//! redirections and words; words are parsed again into their quoted parts and expansions. [`walk`] turns that tree
//! into a flat list of [`Part`]s with a depth (a command inside `sudo`, `$(...)` or a loop is one level deeper),
//! and [`danger`] looks at the same tree for patterns that destroy data. Option meanings come from the card, else
//! the installed man page, else bash's `help` (see [`sources`]). Nothing of the line is ever executed: command
//! substitutions are parsed and explained, never run (a test proves it with canary files).

pub mod danger;
pub mod render;
pub mod shellcheck;
pub mod sources;
pub mod syntax;
mod simple;
mod walk;
mod words;

use std::path::PathBuf;

pub use danger::Danger;
pub use sources::{Sources, SystemSources};
pub use syntax::SyntaxError;

/// What the line is explained against: where it would run, and what the shell knows.
#[derive(Debug, Clone)]
pub struct Context {
    /// The current directory, on this machine's file system (globs are matched there, files looked up there).
    pub cwd: PathBuf,
    /// How the current directory is shown (`~/notes`).
    pub cwd_shown: String,
    /// The home folder on this machine's file system (for matching `~/x*`).
    pub home_dir: PathBuf,
    /// What `~` and `$HOME` expand to, as the shell would print it.
    pub home: String,
    pub user: String,
    /// Aliases of the shell the line would run in: (name, value).
    pub aliases: Vec<(String, String)>,
    /// Functions defined in that shell.
    pub functions: Vec<String>,
}

impl Context {
    /// The context of this process: its directory, `HOME` and `USER`, no aliases or functions (a fresh bash).
    pub fn current() -> Context {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let home = std::env::var("HOME").unwrap_or_else(|_| "/".to_string());
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "you".to_string());
        Context {
            cwd_shown: tilde(&cwd.display().to_string(), &home),
            cwd,
            home_dir: PathBuf::from(&home),
            home,
            user,
            aliases: Vec::new(),
            functions: Vec::new(),
        }
    }
}

/// `path` with the home folder shown as `~`.
pub fn tilde(path: &str, home: &str) -> String {
    if home.is_empty() || home == "/" {
        return path.to_string();
    }
    match path.strip_prefix(home) {
        Some("") => "~".to_string(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// One explained part of the line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    /// Nesting: 0 for the line's own commands and operators, one more inside `sudo`, `$(...)`, loops...
    pub depth: usize,
    /// The part as written (`-rf`, `2>&1`, `~/old`).
    pub text: String,
    /// What it is and does.
    pub what: String,
}

/// The explanation of a whole line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    pub line: String,
    pub parts: Vec<Part>,
    pub dangers: Vec<Danger>,
}

/// Explains `line` without running any of it.
pub fn explain(line: &str, context: &Context, sources: &dyn Sources) -> Result<Explanation, SyntaxError> {
    let program = parse(line)?;
    let mut walker = walk::Walker::new(line, context, sources);
    walker.program(&program);
    Ok(Explanation {
        line: line.to_string(),
        parts: walker.parts,
        dangers: walker.dangers,
    })
}

/// The dangerous patterns of `line` (none for a line that does not parse), for the tutor's warning after a line
/// ran: `context.cwd` must be where the line started, so that `> file` on an existing file is noticed.
pub fn dangers(line: &str, context: &Context, sources: &dyn Sources) -> Vec<Danger> {
    explain(line, context, sources).map_or_else(|_| Vec::new(), |e| e.dangers)
}

/// Parses a line (or a script) with bash's grammar.
pub fn parse(line: &str) -> Result<brush_parser::ast::Program, SyntaxError> {
    let options = brush_parser::ParserOptions::default();
    let mut parser = brush_parser::Parser::new(std::io::Cursor::new(line.as_bytes()), &options);
    parser
        .parse_program()
        .map_err(|error| syntax::from_parse_error(&error, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_shown_as_tilde() {
        assert_eq!(tilde("/home/a/x", "/home/a"), "~/x");
        assert_eq!(tilde("/home/a", "/home/a"), "~");
        assert_eq!(tilde("/home/ab", "/home/a"), "/home/ab");
        assert_eq!(tilde("/x", "/"), "/x");
    }
}
