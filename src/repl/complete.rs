//! Tab completion at the tutor's prompt: tutor commands, lesson and exercise ids after `:lesson`, taught commands
//! and reference card names after `:ref`, and otherwise file names inside the sandbox.

use std::path::PathBuf;

use rustyline::completion::{Completer, Pair};
use rustyline::{Helper, Highlighter, Hinter, Validator};

use super::command::COMMANDS;
use crate::check::view::normalise;

/// What completion may offer; refreshed before every prompt.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub ids: Vec<String>,
    pub commands: Vec<String>,
    pub cwd: PathBuf,
    pub root: PathBuf,
    pub home: PathBuf,
}

/// The rustyline helper.
#[derive(Debug, Default, Helper, Hinter, Highlighter, Validator)]
pub struct TutorHelper {
    pub context: Context,
}

impl Completer for TutorHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(candidates(&self.context, &line[..pos]))
    }
}

fn pairs(prefix: &str, options: impl Iterator<Item = String>) -> Vec<Pair> {
    options
        .filter(|o| o.starts_with(prefix))
        .map(|o| Pair {
            display: o.clone(),
            replacement: o,
        })
        .collect()
}

/// Where the word being completed starts, and what could finish it.
pub fn candidates(context: &Context, before_cursor: &str) -> (usize, Vec<Pair>) {
    let word_start = before_cursor
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1);
    let word = &before_cursor[word_start..];
    if before_cursor.starts_with(':') {
        if word_start == 0 {
            return (
                0,
                pairs(
                    word,
                    COMMANDS.iter().map(|(name, _, _)| (*name).to_string()),
                ),
            );
        }
        let command = before_cursor.split_whitespace().next().unwrap_or("");
        return match command {
            ":lesson" => (word_start, pairs(word, context.ids.iter().cloned())),
            ":ref" => {
                let mut names = context.commands.clone();
                names.extend(crate::reference::card_names());
                names.sort();
                names.dedup();
                (word_start, pairs(word, names.into_iter()))
            }
            _ => (word_start, Vec::new()),
        };
    }
    (word_start, file_names(context, word))
}

/// Names in the folder `word` points into, if that folder is inside the sandbox.
fn file_names(context: &Context, word: &str) -> Vec<Pair> {
    let (dir_part, name_part) = word.rsplit_once('/').map_or(("", word), |(d, n)| (d, n));
    let base = if let Some(rest) = dir_part.strip_prefix('~') {
        context.home.join(rest.trim_start_matches('/'))
    } else if word.starts_with('/') {
        PathBuf::from(if dir_part.is_empty() { "/" } else { dir_part })
    } else {
        context.cwd.join(dir_part)
    };
    if context.root.as_os_str().is_empty() || !normalise(&base).starts_with(&context.root) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let prefix = if dir_part.is_empty() && !word.contains('/') {
        String::new()
    } else {
        format!("{dir_part}/")
    };
    let mut names: Vec<Pair> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // A name holding escape sequences would act on the terminal when listed; it cannot be typed anyway.
            if name.chars().any(crate::render::sanitize::is_unsafe) {
                return None;
            }
            if !name.starts_with(name_part)
                || (name.starts_with('.') && !name_part.starts_with('.'))
            {
                return None;
            }
            let slash = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            Some(Pair {
                display: format!("{name}{slash}"),
                replacement: format!("{prefix}{name}{slash}"),
            })
        })
        .collect();
    names.sort_by(|a, b| a.display.cmp(&b.display));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> (tempfile::TempDir, Context) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("box");
        let home = root.join("home");
        std::fs::create_dir_all(home.join("projects/website")).expect("mkdir");
        std::fs::write(home.join("notes.txt"), "").expect("write");
        std::fs::write(home.join(".hidden"), "").expect("write");
        std::fs::write(home.join("no\x1b]0;pwned\x07tes"), "").expect("write");
        let context = Context {
            ids: vec!["cd".into(), "cd/go-home".into(), "whoami".into()],
            commands: vec!["cd".into(), "pwd".into()],
            cwd: home.clone(),
            root,
            home,
        };
        (dir, context)
    }

    fn replacements(context: &Context, line: &str) -> Vec<String> {
        candidates(context, line)
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn tutor_commands_and_their_arguments() {
        let (_dir, context) = context();
        assert_eq!(replacements(&context, ":he"), [":help"]);
        assert_eq!(replacements(&context, ":lesson c"), ["cd", "cd/go-home"]);
        assert_eq!(candidates(&context, ":lesson c").0, 8);
        assert_eq!(replacements(&context, ":ref pw"), ["pwd"]);
        // Card names complete too, not only the commands lessons teach.
        assert_eq!(replacements(&context, ":ref ssh-k"), ["ssh-keygen"]);
    }

    #[test]
    fn file_names_inside_the_sandbox_only() {
        let (_dir, context) = context();
        assert_eq!(replacements(&context, "cat no"), ["notes.txt"]);
        assert_eq!(replacements(&context, "cd pro"), ["projects/"]);
        assert_eq!(
            replacements(&context, "cd projects/w"),
            ["projects/website/"]
        );
        assert_eq!(replacements(&context, "ls ~/pro"), ["~/projects/"]);
        assert_eq!(replacements(&context, "cat ."), [".hidden"]);
        assert!(
            replacements(&context, "cat /et").is_empty(),
            "outside the sandbox"
        );
        assert!(
            replacements(&context, "cat ../../").is_empty(),
            "outside the sandbox"
        );
    }
}
