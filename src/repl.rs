//! The interactive tutor: `shelltutor` with no arguments (or `shelltutor start ID`).
//!
//! Reads lines with rustyline on a terminal (history in the data dir, completion, Ctrl-C clears the line, Ctrl-D
//! leaves), or plain lines from a pipe, so a whole session can be scripted. Each line goes to [`Session`].

pub mod command;
pub mod complete;
pub mod feedback;
pub mod keyboard;
pub mod session;
pub mod signals;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;

use self::complete::TutorHelper;
use self::keyboard::Keyboard;
use self::session::{Flow, Screen, Session, Tone};
use crate::catalog::Catalog;
use crate::progress::Store;
use crate::terminal::Style;

/// Runs the tutor until the learner leaves.
pub fn run(
    catalog: &Catalog,
    start: Option<&str>,
    style: Style,
    data_dir: &Path,
    options: sandbox::Options,
) -> Result<ExitCode> {
    signals::install();
    let (store, warning) = Store::open(data_dir)?;
    let screen = Screen { style };
    if let Some(warning) = warning {
        screen.say(Tone::Fail, &warning)?;
    }
    let mut session = Session::new(catalog, store, screen, options);
    if !session.has_exercises() {
        anyhow::bail!("these lessons have no exercises; read them with 'shelltutor show ID'");
    }
    session.begin(start)?;
    session.screen.say(
        Tone::Info,
        "Type shell commands; the tutor checks the exercise after each one (:check shows every check). :help lists the tutor's commands, :quit leaves.",
    )?;
    let mut input = Input::open(data_dir)?;
    let result = read_loop(&mut session, &mut input);
    let saved = session.finish();
    input.close();
    result?;
    saved?;
    session.screen.say(
        Tone::Info,
        "Progress saved. Run shelltutor again to go on where you left off.",
    )?;
    Ok(ExitCode::SUCCESS)
}

fn read_loop(session: &mut Session<'_>, input: &mut Input) -> Result<()> {
    loop {
        session.before_prompt()?;
        // Lines typed ahead while a command ran come first, as in a shell; they are shown after the prompt.
        let line = if let Some(line) = session.next_pending() {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}{line}", session.prompt())?;
            out.flush()?;
            line
        } else {
            if let Input::Editor { editor, .. } = input {
                if let Some(helper) = editor.helper_mut() {
                    helper.context = session.completion_context();
                }
            }
            match input.read(&session.prompt(), &session.take_partial())? {
                Read::Line(line) => line,
                Read::Interrupted => continue,
                Read::End => return Ok(()),
            }
        };
        // A command not finished on its line (an open quote, a here-document, `if` without `fi`) goes on at a
        // continuation prompt, as in a shell.
        let mut line = line;
        while !line.trim_start().starts_with(':') && !crate::attempt::is_complete(&line) {
            let more = match session.next_pending() {
                Some(more) => more,
                None => match input.read(CONTINUATION_PROMPT, "")? {
                    Read::Line(more) => more,
                    // Ctrl-C drops the unfinished command, as bash does.
                    Read::Interrupted => {
                        line.clear();
                        break;
                    }
                    Read::End => break,
                },
            };
            line.push('\n');
            line.push_str(&more);
        }
        input.line_runs();
        let flow = session.handle(&line);
        // What the learner typed while the line ran, and the line did not read, comes next.
        let typed = session.take_typed_ahead();
        if !input.typed_ahead(&typed) {
            session.queue_typed(&typed);
        }
        match flow {
            Ok(Flow::Quit) => return Ok(()),
            Ok(Flow::Continue) => {}
            // A failure of one line (a sandbox that cannot start, a lesson setup that fails) is reported, and the
            // session goes on: the learner's progress is never lost to it.
            Err(error) => session
                .screen
                .say(Tone::Fail, &format!("error: {error:#}"))?,
        }
    }
}

/// The prompt for the rest of a command that goes on over several lines (bash's `PS2`).
const CONTINUATION_PROMPT: &str = "> ";

/// One read from the learner.
enum Read {
    Line(String),
    /// Ctrl-C at the prompt: the line is dropped.
    Interrupted,
    /// Ctrl-D, or the end of piped input.
    End,
}

/// Where lines come from: an editor on a terminal, or a pipe.
enum Input {
    Editor {
        editor: Box<Editor<TutorHelper, FileHistory>>,
        history: PathBuf,
        /// The tutor's hold on the keyboard, so that nothing typed ahead or pasted is lost.
        keyboard: Option<Keyboard>,
    },
    Piped(std::io::StdinLock<'static>),
}

impl Input {
    fn open(data_dir: &Path) -> Result<Input> {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Ok(Input::Piped(stdin.lock()));
        }
        let config = rustyline::Config::builder()
            .auto_add_history(true)
            .max_history_size(1000)?
            .build();
        let keyboard = if std::io::stdout().is_terminal() {
            Keyboard::take()
        } else {
            None
        };
        let mut editor = Editor::with_config(config).context("starting the line editor")?;
        editor.set_helper(Some(TutorHelper::default()));
        // Ctrl-Z at the prompt would suspend the tutor itself; in a shell it does nothing there either.
        editor.bind_sequence(
            rustyline::KeyEvent::ctrl('Z'),
            rustyline::EventHandler::Simple(rustyline::Cmd::Noop),
        );
        // The tutor's history is its own, kept apart from the learner's real shell history.
        let history = crate::paths::history_file(data_dir);
        let _ = editor.load_history(&history);
        Ok(Input::Editor {
            editor: Box::new(editor),
            history,
            keyboard,
        })
    }

    /// A line was read and runs now.
    fn line_runs(&self) {
        if let Input::Editor {
            keyboard: Some(keyboard),
            ..
        } = self
        {
            keyboard.command();
        }
    }

    /// Gives back what was typed ahead during the line; false when there is no keyboard to take it.
    fn typed_ahead(&self, typed: &[u8]) -> bool {
        match self {
            Input::Editor {
                keyboard: Some(keyboard),
                ..
            } => {
                keyboard.finished(typed);
                true
            }
            _ => false,
        }
    }

    /// Reads a line; `initial` is text already typed (ahead of the prompt) that the line starts with.
    fn read(&mut self, prompt: &str, initial: &str) -> Result<Read> {
        match self {
            Input::Editor {
                editor, keyboard, ..
            } => {
                if let Some(keyboard) = keyboard {
                    keyboard.prompt();
                }
                match editor.readline_with_initial(prompt, (initial, "")) {
                    Ok(line) => Ok(Read::Line(line)),
                    Err(ReadlineError::Interrupted) => Ok(Read::Interrupted),
                    Err(ReadlineError::Eof) => Ok(Read::End),
                    Err(error) => Err(error).context("reading a line"),
                }
            }
            Input::Piped(stdin) => {
                let mut line = String::new();
                if stdin.read_line(&mut line)? == 0 {
                    return Ok(Read::End);
                }
                let line = line.trim_end_matches(['\n', '\r']).to_string();
                // Echo what was typed, so a piped session reads like a transcript.
                let mut out = std::io::stdout().lock();
                writeln!(out, "{prompt}{line}")?;
                out.flush()?;
                Ok(Read::Line(line))
            }
        }
    }

    fn close(&mut self) {
        if let Input::Editor {
            editor,
            history,
            keyboard,
        } = self
        {
            let _ = editor.save_history(history);
            // Gives the real terminal back.
            *keyboard = None;
        }
    }
}

/// The style for the tutor: as for other commands, but plain whenever stdin is not a terminal either.
pub fn style_for_tutor(style: Style) -> Style {
    Style {
        plain: style.plain || !std::io::stdin().is_terminal(),
        ..style
    }
}
