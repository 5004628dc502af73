//! The commands a line's shell actually ran, read back from its `set -x` trace.
//!
//! Checks judge what the learner's commands did, not what was typed: `/bin/pwd` is `pwd`, `ll` is the `ls -l` its
//! alias stands for, `mkdir -p "$d"` ran with the expanded folder name. Bash's xtrace prints exactly that: each
//! simple command after expansion, with aliases resolved, builtins and functions included, each word quoted so it
//! reads back unambiguously. The tutor's `PS4` adds the fields it needs (see `shell_state.rs`): the status of the
//! command before (`$?`), the shell's pid (subshells and pipeline parts differ), and the function nesting.
//!
//! The record of a command does not hold its own exit status; it is the `$?` of the next command at the same or a
//! lower nesting in the same shell, or the line's status for the last one. Commands whose status cannot be known
//! that way (the parts of a pipeline, each in its own subshell) have none.

use crate::shell_state::{FIELD_END, RECORD_START};

/// A simple command as the shell ran it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The words after expansion: the command's name (as written: `/bin/pwd`) and its arguments. Keyword
    /// commands appear as bash shows them (`[[ -d a ]]`, `for i in 1 2`).
    pub argv: Vec<String>,
    /// Variable assignments before the command (`LANG=C ls`).
    pub assignments: Vec<String>,
    /// Its exit status, when known.
    pub status: Option<i32>,
    /// 0 for a command of the typed line; more inside `eval`, `$(...)` or a function.
    pub depth: u32,
    /// The pid of the shell that ran it (a subshell has its own).
    pub shell_pid: i32,
    /// The shell's working directory when it ran, as the learner sees it (relative arguments start there).
    pub cwd: String,
}

impl Executed {
    /// The command's name without any folder: `/bin/pwd` is `pwd`.
    pub fn name(&self) -> &str {
        let first = self.argv.first().map(String::as_str).unwrap_or_default();
        first.rsplit('/').next().unwrap_or(first)
    }

    /// The command written as a shell line, words quoted where needed: `mkdir -p 'a b'`.
    pub fn command_line(&self) -> String {
        self.argv
            .iter()
            .map(|word| quote(word))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One record as traced, before statuses are worked out.
#[derive(Debug, Clone)]
struct Record {
    level: u32,
    previous_status: i32,
    pid: i32,
    function_depth: u32,
    function: String,
    cwd: String,
    words: Vec<String>,
}

/// Reads a line's trace into the commands the learner's line ran, oldest first. `final_status` is the line's
/// exit status (the status of its last command).
pub fn parse_with_status(trace: &[u8], final_status: Option<i32>) -> Vec<Executed> {
    let records = records(trace);
    // The tutor's own commands come first, up to its `eval` of the line (`eval '__st_ret ...'`); the learner's
    // commands are one level deeper. Its helper functions are the tutor's too.
    let Some(eval) = records.iter().position(|r| {
        r.words.first().is_some_and(|w| w == "eval")
            && r.words.get(1).is_some_and(|w| w.starts_with("__st_ret "))
    }) else {
        return Vec::new();
    };
    let base = records[eval].level + 1;
    // The line's own shell is the one that ran the `eval`; the learner's first record may be a subshell's
    // (`cmd "$(sed ...)"` traces `sed` first).
    let main_pid = Some(records[eval].pid);
    let learner: Vec<Record> = records
        .into_iter()
        .skip(eval + 1)
        .filter(|r| r.level >= base)
        .filter(|r| !r.function.starts_with("__st_"))
        .filter(|r| !r.words.first().is_some_and(|w| w.starts_with("__st_")))
        .map(|mut r| {
            r.level = r.level - base + 2;
            r
        })
        .collect();
    let nesting = |r: &Record| (r.level, r.function_depth);
    let mut executed = Vec::with_capacity(learner.len());
    for (index, record) in learner.iter().enumerate() {
        let next = learner[index + 1..]
            .iter()
            .find(|later| later.pid == record.pid && nesting(later) <= nesting(record));
        let is_last_of_line = Some(record.pid) == main_pid
            && nesting(record) == (2, 0)
            && !learner[index + 1..]
                .iter()
                .any(|later| later.pid == record.pid && nesting(later) == (2, 0));
        let status = match next {
            Some(next) => Some(next.previous_status),
            None if is_last_of_line => final_status,
            None => None,
        };
        let split = record
            .words
            .iter()
            .position(|word| !is_assignment(word))
            .unwrap_or(record.words.len());
        let (assignments, argv) = record.words.split_at(split);
        if argv.is_empty() {
            continue;
        }
        executed.push(Executed {
            argv: argv.to_vec(),
            assignments: assignments.to_vec(),
            status,
            depth: (record.level - 2) + u32::from(record.function_depth > 0),
            shell_pid: record.pid,
            cwd: record.cwd.clone(),
        });
    }
    executed
}

/// The last argument of the last command the line's own shell ran at the top: what `$_` holds for the next line.
pub fn last_argument(commands: &[Executed]) -> Option<String> {
    let main = commands.first()?.shell_pid;
    commands
        .iter()
        .rev()
        .find(|c| c.shell_pid == main && c.depth == 0)
        .and_then(|c| c.argv.last().cloned())
}

/// Splits the trace into records. A record starts with one or more [`RECORD_START`] bytes (the level) and runs to
/// the first newline outside quotes, so that quoted arguments cannot fake a record.
fn records(trace: &[u8]) -> Vec<Record> {
    let text = String::from_utf8_lossy(trace);
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != RECORD_START {
            index += 1;
            continue;
        }
        let mut level = 0;
        while index < bytes.len() && bytes[index] == RECORD_START {
            level += 1;
            index += 1;
        }
        // The header: status, pid, function depth and name, working directory, each ended by FIELD_END.
        let mut fields: Vec<&str> = Vec::with_capacity(4);
        while fields.len() < 5 {
            let Some(offset) = bytes[index..]
                .iter()
                .position(|&b| b == FIELD_END || b == b'\n' || b == RECORD_START)
            else {
                break;
            };
            if bytes[index + offset] != FIELD_END {
                break;
            }
            fields.push(&text[index..index + offset]);
            index += offset + 1;
        }
        if fields.len() < 5 {
            continue;
        }
        let (words, end) = words(&text, index);
        records.push(Record {
            level,
            previous_status: fields[0].parse().unwrap_or(0),
            pid: fields[1].parse().unwrap_or(0),
            function_depth: fields[2].parse().unwrap_or(0),
            function: fields[3].to_owned(),
            cwd: fields[4].to_owned(),
            words,
        });
        index = end;
    }
    records
}

/// Reads the words of one traced command starting at `start`, up to a newline outside quotes. Returns the words
/// and the index after the newline. Linear in the record's length.
fn words(text: &str, start: usize) -> (Vec<String>, usize) {
    let mut chars = text[start..].char_indices().peekable();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut end = text.len();
    while let Some((offset, c)) = chars.next() {
        match c {
            '\n' => {
                end = start + offset + 1;
                break;
            }
            ' ' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for (_, quoted) in chars.by_ref() {
                    if quoted == '\'' {
                        break;
                    }
                    word.push(quoted);
                }
            }
            '$' if chars.peek().is_some_and(|&(_, next)| next == '\'') => {
                in_word = true;
                chars.next();
                ansi_c(&mut chars, &mut word);
            }
            '\\' => {
                in_word = true;
                if let Some((_, escaped)) = chars.next() {
                    word.push(escaped);
                }
            }
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    (words, end)
}

/// Decodes a `$'...'` word body (after the opening quote) into `word`, consuming the closing quote.
fn ansi_c(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, word: &mut String) {
    while let Some((_, c)) = chars.next() {
        if c == '\'' {
            return;
        }
        if c != '\\' {
            word.push(c);
            continue;
        }
        let Some((_, escape)) = chars.next() else {
            word.push('\\');
            return;
        };
        let simple = match escape {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            'e' | 'E' => Some('\x1b'),
            '\\' | '\'' | '"' | '?' => Some(escape),
            _ => None,
        };
        if let Some(decoded) = simple {
            word.push(decoded);
            continue;
        }
        let (radix, max, mut digits) = match escape {
            'x' => (16, 2, String::new()),
            'u' => (16, 4, String::new()),
            'U' => (16, 8, String::new()),
            '0'..='7' => (8, 3, escape.to_string()),
            other => {
                word.push('\\');
                word.push(other);
                continue;
            }
        };
        while digits.len() < max {
            match chars.peek() {
                Some(&(_, d)) if d.is_digit(radix) => {
                    digits.push(d);
                    chars.next();
                }
                _ => break,
            }
        }
        if let Some(decoded) = u32::from_str_radix(&digits, radix)
            .ok()
            .and_then(char::from_u32)
        {
            word.push(decoded);
        }
    }
}

/// `NAME=...` with a valid shell name.
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    let name = name.split('[').next().unwrap_or(name);
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Quotes a word for a shell line only where needed.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
pub(crate) fn parse(trace: &[u8]) -> Vec<Executed> {
    parse_with_status(trace, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        level: usize,
        status: i32,
        pid: i32,
        depth: u32,
        function: &str,
        text: &str,
    ) -> Vec<u8> {
        let mut bytes = vec![RECORD_START; level];
        bytes.extend_from_slice(
            format!("{status}\x1f{pid}\x1f{depth}\x1f{function}\x1f/home/a\x1f{text}\n").as_bytes(),
        );
        bytes
    }

    #[test]
    fn records_become_commands_with_statuses() {
        let mut trace = record(1, 0, 10, 0, "", "eval '__st_ret 0 x'");
        trace.extend(record(2, 0, 10, 0, "", "__st_ret 0 ''"));
        trace.extend(record(2, 0, 10, 2, "__st_ret", "return 0"));
        trace.extend(record(2, 0, 10, 0, "", "false"));
        trace.extend(record(2, 1, 10, 0, "", "f"));
        trace.extend(record(2, 1, 10, 2, "f", "/bin/pwd"));
        trace.extend(record(3, 0, 11, 0, "", "whoami"));
        trace.extend(record(2, 0, 10, 0, "", "x=root"));
        trace.extend(record(2, 0, 10, 0, "", "LANG=C mkdir -p 'a b' 'it'\\''s'"));
        let commands = parse_with_status(&trace, Some(0));
        let names: Vec<&str> = commands.iter().map(Executed::name).collect();
        assert_eq!(names, ["false", "f", "pwd", "whoami", "mkdir"]);
        assert_eq!(commands[0].status, Some(1));
        assert_eq!(
            commands[1].status,
            Some(0),
            "f: the next command at its nesting"
        );
        assert_eq!(commands[3].depth, 1);
        assert_eq!(
            commands[3].status, None,
            "a command substitution's own shell"
        );
        assert_eq!(commands[4].argv, ["mkdir", "-p", "a b", "it's"]);
        assert_eq!(commands[4].assignments, ["LANG=C"]);
        assert_eq!(commands[4].status, Some(0));
        assert_eq!(last_argument(&commands).as_deref(), Some("it's"));
    }

    #[test]
    fn the_last_command_gets_the_line_status_even_after_a_command_substitution() {
        // `ssh-copy-id -p "$(sed ...)" host`: the substitution's shell is traced first.
        let mut trace = record(1, 0, 10, 0, "", "eval '__st_ret 0 x'");
        trace.extend(record(3, 0, 12, 0, "", "sed -n s/^Port//p f"));
        trace.extend(record(2, 0, 10, 0, "", "ssh-copy-id -p 22 localhost"));
        let commands = parse_with_status(&trace, Some(0));
        assert_eq!(commands[1].name(), "ssh-copy-id");
        assert_eq!(commands[1].status, Some(0));
    }

    #[test]
    fn quoted_arguments_cannot_fake_records() {
        let forged = "echo 'a\n\x1e\x1e0\x1f10\x1f0\x1f\x1f/\x1fwhoami\n'";
        let mut trace = record(1, 0, 10, 0, "", "eval '__st_ret 0 x'");
        trace.extend(record(2, 0, 10, 0, "", forged));
        let commands = parse(&trace);
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].name(), "echo");
    }

    #[test]
    fn ansi_c_words_decode() {
        let mut trace = record(1, 0, 10, 0, "", "eval '__st_ret 0 x'");
        trace.extend(record(2, 0, 10, 0, "", "printf $'a\\tb\\x41\\101\\'' x"));
        let commands = parse(&trace);
        assert_eq!(commands[0].argv, ["printf", "a\tbAA'", "x"]);
    }

    #[test]
    fn command_lines_quote_only_where_needed() {
        let command = Executed {
            argv: vec!["mkdir".into(), "-p".into(), "a b".into()],
            assignments: Vec::new(),
            status: None,
            depth: 0,
            shell_pid: 1,
            cwd: "/home/a".into(),
        };
        assert_eq!(command.command_line(), "mkdir -p 'a b'");
    }
}
