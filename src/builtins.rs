//! What bash itself knows: its builtins and reserved words (as bash 5.2's `compgen -b` and `compgen -k` list
//! them), and a builtin's own documentation from `help NAME`.
//!
//! `explain` names a command a builtin or keyword from these lists (the shell decides that before `PATH` is
//! looked at), and `ref` shows `help NAME` for a builtin without a card, since builtins have no man page of their
//! own (`man cd` finds nothing, or bash's whole manual).

use std::process::{Command, Stdio};

/// bash's builtins.
pub const BUILTINS: [&str; 61] = [
    ".",
    ":",
    "[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
];

/// bash's reserved words.
pub const KEYWORDS: [&str; 22] = [
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
];

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// `help NAME` as bash prints it, for a builtin or keyword; `None` for anything else or when bash is missing.
pub fn help_text(name: &str) -> Option<String> {
    if !is_builtin(name) && !is_keyword(name) {
        // `help` takes patterns (`help 'c*'`), so only known names are passed to it.
        return None;
    }
    let output = Command::new("bash")
        .args([
            "--norc",
            "--noprofile",
            "-c",
            "help -- \"$1\"",
            "bash",
            name,
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The options a `help` text lists: (`-L`, its meaning), from the lines under `Options:`.
pub fn help_options(help: &str) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Vec::new();
    let mut in_options = false;
    for line in help.lines() {
        let trimmed = line.trim();
        if trimmed == "Options:" {
            in_options = true;
            continue;
        }
        if !in_options {
            continue;
        }
        if trimmed.is_empty() {
            in_options = false;
            continue;
        }
        let starts_option = (trimmed.starts_with('-') || trimmed.starts_with('+'))
            && line.len() - line.trim_start().len() <= 6;
        if starts_option {
            let (flag, meaning) = trimmed
                .split_once(char::is_whitespace)
                .map_or((trimmed, ""), |(f, m)| (f, m.trim()));
            options.push((flag.to_string(), meaning.to_string()));
        } else if let Some((_, meaning)) = options.last_mut() {
            meaning.push(' ');
            meaning.push_str(trimmed);
        }
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP_CD: &str = "cd: cd [-L|[-P [-e]] [-@]] [dir]\n    Change the shell working directory.\n    \n    Options:\n      -L\tforce symbolic links to be followed: resolve symbolic\n    \t\tlinks in DIR after processing instances of `..'\n      -P\tuse the physical directory structure\n    \n    The default is to follow symbolic links.\n";

    #[test]
    fn options_of_a_help_text() {
        let options = help_options(HELP_CD);
        assert_eq!(options.len(), 2);
        assert_eq!(options[0].0, "-L");
        assert_eq!(
            options[0].1,
            "force symbolic links to be followed: resolve symbolic links in DIR after processing instances of `..'"
        );
        assert_eq!(
            options[1],
            ("-P".into(), "use the physical directory structure".into())
        );
    }

    #[test]
    fn lists_know_builtins_and_keywords() {
        assert!(is_builtin("cd") && is_builtin("[") && !is_builtin("ls"));
        assert!(is_keyword("[[") && is_keyword("if") && !is_keyword("cd"));
        assert_eq!(help_text("ls"), None);
        assert_eq!(help_text("c*"), None);
    }

    #[test]
    fn help_text_comes_from_bash() {
        if crate::programs::find("bash").is_none() {
            return;
        }
        let text = help_text("cd").expect("bash knows cd");
        assert!(
            text.contains("Change the shell working directory"),
            "{text}"
        );
    }
}
