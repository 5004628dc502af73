//! What the output can be: plain or styled, how wide, whether links may be OSC 8 hyperlinks, and the pager.
//!
//! Decided once from flags and the environment, then passed down, so the renderer never looks at the world.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

/// How output should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// No colour, no escape sequences, no screen clearing: for pipes, screen readers and dumb terminals.
    pub plain: bool,
    pub width: usize,
    pub hyperlinks: bool,
    /// Whether stdout is a terminal (pager and interactive behaviour depend on it).
    pub terminal: bool,
    /// The terminal's height in rows, if known.
    pub height: Option<usize>,
}

/// The parts of the environment that decide the [`Style`], gathered so tests can fake them.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub no_color: bool,
    pub term: Option<String>,
    pub stdout_is_terminal: bool,
    pub terminal_size: Option<(usize, usize)>,
    pub supports_hyperlinks: bool,
}

impl Environment {
    pub fn current() -> Self {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        Environment {
            // https://no-color.org: set and not empty.
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            term: std::env::var("TERM").ok(),
            stdout_is_terminal,
            terminal_size: terminal_size::terminal_size()
                .map(|(w, h)| (usize::from(w.0), usize::from(h.0))),
            supports_hyperlinks: stdout_is_terminal
                && supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout),
        }
    }
}

/// Widths below this make wrapped text unreadable; wider than this is hard to read.
const MIN_WIDTH: usize = 20;
const DEFAULT_WIDTH: usize = 80;
const MAX_AUTO_WIDTH: usize = 100;

impl Style {
    pub fn decide(plain_flag: bool, width_flag: Option<usize>, env: &Environment) -> Style {
        let plain = plain_flag
            || env.no_color
            || env.term.as_deref() == Some("dumb")
            || !env.stdout_is_terminal;
        let width = width_flag
            .or_else(|| env.terminal_size.map(|(w, _)| w.min(MAX_AUTO_WIDTH)))
            .unwrap_or(DEFAULT_WIDTH)
            .max(MIN_WIDTH);
        Style {
            plain,
            width,
            hyperlinks: !plain && env.supports_hyperlinks,
            terminal: env.stdout_is_terminal,
            height: env.terminal_size.map(|(_, h)| h),
        }
    }
}

/// Writes `text` to stdout, through a pager when it would not fit on a terminal's screen.
///
/// The pager is `$PAGER` (run by `sh -c`, as git does), or `less -R`; an empty `PAGER` means none. If the pager
/// cannot be started the text is printed directly: paging is a comfort, not a reason to fail.
pub fn print_paged(text: &[u8], style: &Style, no_pager: bool) -> std::io::Result<()> {
    let lines = text.iter().filter(|b| **b == b'\n').count();
    let fits = style.height.is_none_or(|height| lines < height);
    if no_pager || !style.terminal || fits {
        return write_stdout(text);
    }
    let pager = std::env::var_os("PAGER").unwrap_or_else(|| OsString::from("less -R"));
    if pager.is_empty() {
        return write_stdout(text);
    }
    let mut command = Command::new("sh");
    command.arg("-c").arg(&pager).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        // Quit at once when the text fits after all, keep colours, and leave the text on screen afterwards.
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        return write_stdout(text);
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The learner may quit the pager before reading everything: that closes the pipe and is not an error.
        match stdin.write_all(text) {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => return Err(error),
            _ => {}
        }
    }
    child.wait()?;
    Ok(())
}

fn write_stdout(text: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text)?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal() -> Environment {
        Environment {
            stdout_is_terminal: true,
            terminal_size: Some((120, 40)),
            term: Some("xterm-256color".into()),
            supports_hyperlinks: true,
            ..Environment::default()
        }
    }

    #[test]
    fn a_terminal_gets_colour_and_links() {
        let style = Style::decide(false, None, &terminal());
        assert!(!style.plain);
        assert!(style.hyperlinks);
        assert_eq!(style.width, MAX_AUTO_WIDTH);
    }

    #[test]
    fn each_plain_trigger_turns_colour_and_links_off() {
        let mut no_color = terminal();
        no_color.no_color = true;
        let mut dumb = terminal();
        dumb.term = Some("dumb".into());
        let mut piped = terminal();
        piped.stdout_is_terminal = false;
        for (flag, env) in [
            (true, terminal()),
            (false, no_color),
            (false, dumb),
            (false, piped),
        ] {
            let style = Style::decide(flag, None, &env);
            assert!(style.plain, "{env:?}");
            assert!(!style.hyperlinks, "{env:?}");
        }
    }

    #[test]
    fn width_flag_wins_but_is_clamped() {
        assert_eq!(Style::decide(false, Some(60), &terminal()).width, 60);
        assert_eq!(Style::decide(false, Some(3), &terminal()).width, MIN_WIDTH);
        assert_eq!(
            Style::decide(false, None, &Environment::default()).width,
            DEFAULT_WIDTH
        );
    }
}
