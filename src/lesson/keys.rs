//! Keystroke solutions: what a person types into a terminal to solve an exercise about an interactive program
//! (vi, `cat > file` ended with Ctrl-D, ssh-keygen's passphrase prompts), so that `verify` and `grade` can prove
//! it without a person.
//!
//! ```text
//! $ vi notes.txt
//! <wait "notes.txt">ihello world<Esc>:wq<Enter>
//! $ cat >> shopping.txt
//! milk<Enter>
//! <C-d>
//! ```
//!
//! A line starting with `$ ` is a command typed at the prompt (Enter is pressed after it); a command that is not
//! finished on its line (a here-document, an open quote) goes on with the next lines, as at a `>` prompt. The
//! lines after it, up to the next `$ ` line, are keystrokes for that command in the notation of
//! [`sandbox::parse_keys`]; the newline ending a block line is not typed. An answers file (`EXERCISE.keys`) for
//! `grade` has the same form.

use sandbox::KeyStep;

/// One command and the keystrokes typed into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub command: String,
    pub keys: Vec<KeyStep>,
}

/// Why a keystroke script cannot be read: the line (0-based within the script) and column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads a keystroke script. `complete` says whether a command is finished (see `attempt::is_complete`).
pub fn parse(text: &str, complete: impl Fn(&str) -> bool) -> Result<Vec<KeyLine>, KeysError> {
    let mut lines: Vec<KeyLine> = Vec::new();
    let mut open_command = false;
    for (index, line) in text.lines().enumerate() {
        if open_command {
            let current = lines.last_mut().ok_or_else(|| KeysError {
                line: index,
                column: 1,
                message: "internal: a command without a line".into(),
            })?;
            current.command.push('\n');
            current.command.push_str(line);
            open_command = !complete(&current.command);
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            lines.push(KeyLine {
                command: command.to_string(),
                keys: Vec::new(),
            });
            open_command = !complete(command);
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some(current) = lines.last_mut() else {
            return Err(KeysError {
                line: index,
                column: 1,
                message: "keystrokes come after a command: start with a line '$ COMMAND'".into(),
            });
        };
        let steps = sandbox::parse_keys(line).map_err(|error| KeysError {
            line: index,
            column: error.column,
            message: error.message,
        })?;
        for step in steps {
            push_step(&mut current.keys, step);
        }
    }
    if lines.is_empty() {
        return Err(KeysError {
            line: 0,
            column: 1,
            message: "no command: start with a line '$ COMMAND'".into(),
        });
    }
    Ok(lines)
}

/// Adds a step, joining typed text to the text before it (one write, as a paste would be).
fn push_step(keys: &mut Vec<KeyStep>, step: KeyStep) {
    match (keys.last_mut(), step) {
        (Some(KeyStep::Type(before)), KeyStep::Type(more)) => before.extend(more),
        (_, step) => keys.push(step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn always(_: &str) -> bool {
        true
    }

    #[test]
    fn commands_collect_their_keystrokes() {
        let lines = parse(
            "$ vi notes.txt\n<wait \"notes\">ihi<Esc>:wq<Enter>\n$ cat >> list\nmilk<Enter>\n<C-d>\n",
            always,
        )
        .expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].command, "vi notes.txt");
        assert_eq!(lines[0].keys[0], KeyStep::WaitFor("notes".into()));
        assert_eq!(lines[1].keys, vec![KeyStep::Type(b"milk\r\x04".to_vec())]);
    }

    #[test]
    fn an_unfinished_command_takes_the_next_lines() {
        let lines = parse("$ cat > f <<'EOF'\nline\nEOF\n$ cat f\n", |text| {
            text.ends_with("EOF")
        })
        .expect("valid");
        assert_eq!(lines[0].command, "cat > f <<'EOF'\nline\nEOF");
        assert_eq!(lines[1].command, "cat f");
    }

    #[test]
    fn mistakes_name_the_line() {
        let error = parse("ihello\n$ vi f\n", always).expect_err("keys first");
        assert_eq!(error.line, 0);
        let error = parse("$ vi f\nab<Bogus>\n", always).expect_err("unknown key");
        assert_eq!((error.line, error.column), (1, 3));
        assert!(parse("\n\n", always).is_err());
    }
}
