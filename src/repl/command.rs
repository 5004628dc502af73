//! The tutor's own commands (lines starting with `:`), parsed from what the learner typed.

/// One tutor command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TutorCommand {
    Help,
    Lessons,
    Lesson(String),
    Next,
    Prev,
    Check,
    Hint,
    Solution,
    Reset,
    Undo,
    Diff,
    Ref(String),
    Explain(String),
    Progress,
    Status,
    Answer(String),
    Quit,
}

/// Every command with its argument and what it does, for `:help` and completion.
pub const COMMANDS: [(&str, &str, &str); 17] = [
    (":help", "", "this list"),
    (":lessons", "", "all lessons, with what you have done"),
    (
        ":lesson",
        "ID",
        "go to a lesson, or to an exercise (LESSON/EXERCISE)",
    ),
    (
        ":next",
        "",
        "the next exercise (Enter on an empty line does this once an exercise is done)",
    ),
    (":prev", "", "the previous exercise"),
    (
        ":check",
        "",
        "check the exercise now and show what each check expects and finds",
    ),
    (":hint", "", "one more hint"),
    (
        ":solution",
        "",
        "the reference solution (after you have tried)",
    ),
    (":reset", "", "start this exercise over in a fresh sandbox"),
    (
        ":undo",
        "",
        "put the files back as they were before your last command",
    ),
    (
        ":diff",
        "",
        "files created, changed and removed since the exercise began",
    ),
    (":ref", "CMD", "where the lessons teach a command"),
    (":explain", "LINE", "explain a command line"),
    (":progress", "", "what you have done so far"),
    (
        ":status",
        "",
        "the programs you left running in this exercise, and their ports",
    ),
    (":answer", "X", "answer a quiz with the letter of an option"),
    (":quit", "", "save and leave (Ctrl-D does the same)"),
];

/// Why a `:` line is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("unknown tutor command '{given}'{}; type :help for the list", suggestion.as_ref().map_or_else(String::new, |s| format!(" (did you mean '{s}'?)")))]
    Unknown {
        given: String,
        suggestion: Option<String>,
    },
    #[error("'{command}' needs {what}, e.g. {example}")]
    MissingArgument {
        command: &'static str,
        what: &'static str,
        example: &'static str,
    },
}

/// Parses a line that starts with `:`.
pub fn parse(line: &str) -> Result<TutorCommand, CommandError> {
    let line = line.trim();
    let (name, argument) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(n, a)| (n, a.trim()));
    let needs = |command, what, example| {
        if argument.is_empty() {
            Err(CommandError::MissingArgument {
                command,
                what,
                example,
            })
        } else {
            Ok(argument.to_string())
        }
    };
    Ok(match name {
        ":help" | ":h" | ":?" => TutorCommand::Help,
        ":lessons" => TutorCommand::Lessons,
        ":lesson" => TutorCommand::Lesson(needs(":lesson", "a lesson id", ":lesson cd")?),
        ":next" | ":n" => TutorCommand::Next,
        ":prev" | ":p" => TutorCommand::Prev,
        ":check" | ":c" => TutorCommand::Check,
        ":hint" => TutorCommand::Hint,
        ":solution" => TutorCommand::Solution,
        ":reset" => TutorCommand::Reset,
        ":undo" => TutorCommand::Undo,
        ":diff" => TutorCommand::Diff,
        ":ref" => TutorCommand::Ref(needs(":ref", "a command name", ":ref mkdir")?),
        ":explain" => TutorCommand::Explain(needs(
            ":explain",
            "a command line",
            ":explain rm -rf ~/old",
        )?),
        ":progress" => TutorCommand::Progress,
        ":status" | ":jobs" => TutorCommand::Status,
        ":answer" | ":a" => {
            TutorCommand::Answer(needs(":answer", "the letter of an option", ":answer b")?)
        }
        ":quit" | ":q" | ":exit" => TutorCommand::Quit,
        other => {
            let suggestion = COMMANDS
                .iter()
                .map(|(name, _, _)| (strsim::levenshtein(name, other), *name))
                .filter(|(distance, _)| *distance <= 2)
                .min()
                .map(|(_, name)| name.to_string());
            return Err(CommandError::Unknown {
                given: other.to_string(),
                suggestion,
            });
        }
    })
}

/// The `:help` text.
pub fn help() -> String {
    let mut text = String::from("Type shell commands as in a normal shell; the tutor checks the exercise after each one.\nTutor commands:\n");
    for (name, argument, what) in COMMANDS {
        let usage = if argument.is_empty() {
            name.to_string()
        } else {
            format!("{name} {argument}")
        };
        text.push_str(&format!("  {usage:<14} {what}\n"));
    }
    text.push_str("Ctrl-C clears the line (or stops a running command); Ctrl-D leaves.\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_arguments() {
        assert_eq!(parse(":hint"), Ok(TutorCommand::Hint));
        assert_eq!(
            parse("  :lesson   cd/go-home  "),
            Ok(TutorCommand::Lesson("cd/go-home".into()))
        );
        assert_eq!(
            parse(":explain rm -rf ~"),
            Ok(TutorCommand::Explain("rm -rf ~".into()))
        );
        assert_eq!(parse(":a b"), Ok(TutorCommand::Answer("b".into())));
        assert_eq!(parse(":q"), Ok(TutorCommand::Quit));
    }

    #[test]
    fn errors_suggest_and_explain() {
        let error = parse(":hitn").expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "unknown tutor command ':hitn' (did you mean ':hint'?); type :help for the list"
        );
        let error = parse(":lesson").expect_err("needs an id");
        assert!(error.to_string().contains("e.g. :lesson cd"), "{error}");
        assert!(matches!(
            parse(":zzzzzz"),
            Err(CommandError::Unknown {
                suggestion: None,
                ..
            })
        ));
    }

    #[test]
    fn help_lists_every_command() {
        let help = help();
        for (name, _, _) in COMMANDS {
            assert!(help.contains(name), "{name}");
        }
    }
}
