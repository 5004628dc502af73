//! What the output can be: plain or styled, how wide, whether links may be OSC 8 hyperlinks, and the pager.
//!
//! Decided once from flags and the environment, then passed down, so the renderer never looks at the world.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::settings::{ColorWhen, Paging, Settings, MAX_WIDTH, MIN_WIDTH};

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
    /// `CLICOLOR_FORCE` set to anything but `0`: colour even into a pipe.
    pub clicolor_force: bool,
    /// `CLICOLOR=0`: no colour on a terminal either.
    pub clicolor_off: bool,
    pub term: Option<String>,
    pub stdout_is_terminal: bool,
    pub terminal_size: Option<(usize, usize)>,
    /// `COLUMNS`, for output that is not a terminal.
    pub columns: Option<usize>,
    pub supports_hyperlinks: bool,
}

impl Environment {
    pub fn current() -> Self {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        Environment {
            // https://no-color.org: set and not empty.
            no_color: var("NO_COLOR").is_some(),
            // https://bixense.com/clicolors
            clicolor_force: var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            clicolor_off: var("CLICOLOR").is_some_and(|v| v == "0"),
            term: std::env::var("TERM").ok(),
            stdout_is_terminal,
            terminal_size: terminal_size::terminal_size()
                .map(|(w, h)| (usize::from(w.0), usize::from(h.0))),
            columns: var("COLUMNS").and_then(|v| v.to_str()?.trim().parse().ok()),
            supports_hyperlinks: stdout_is_terminal
                && supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout),
        }
    }

    /// Whether colour is wanted when the choice is `auto`.
    fn auto_color(&self) -> bool {
        if self.no_color {
            return false;
        }
        self.clicolor_force
            || (self.stdout_is_terminal
                && !self.clicolor_off
                && self.term.as_deref() != Some("dumb"))
    }
}

/// Wider than this is hard to read, so a wide terminal still gets lines of at most this many columns.
const DEFAULT_WIDTH: usize = 80;
const MAX_AUTO_WIDTH: usize = 100;

impl Style {
    /// The style from the settings in force (flags, environment, settings file) and the terminal.
    pub fn decide(settings: &Settings, env: &Environment) -> Style {
        let color = match settings.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => env.auto_color(),
        };
        let (min, max) = (usize::from(MIN_WIDTH), usize::from(MAX_WIDTH));
        let width = settings
            .width
            .map(usize::from)
            .or_else(|| {
                env.terminal_size
                    .filter(|_| env.stdout_is_terminal)
                    .map(|(w, _)| w.min(MAX_AUTO_WIDTH))
            })
            .or_else(|| env.columns.filter(|c| (min..=max).contains(c)))
            .unwrap_or(DEFAULT_WIDTH)
            .clamp(min, max);
        Style {
            plain: !color,
            width,
            hyperlinks: color && env.supports_hyperlinks,
            terminal: env.stdout_is_terminal,
            height: env.terminal_size.map(|(_, h)| h),
        }
    }
}

/// Writes `text` to stdout, through a pager as `paging` says (`auto`: when it would not fit on a terminal).
///
/// The pager is `pager` (from `SHELLTUTOR_PAGER`, the settings file or `PAGER`; run by `sh -c`, as git does), or
/// `less`; an empty one means none. When it is `less`, `-R` is added so colours show even when the learner's own
/// `LESS` lacks `R`. If the pager cannot be started the text is printed directly: paging is a comfort, not a
/// reason to fail.
pub fn print_paged(
    text: &[u8],
    style: &Style,
    paging: Paging,
    pager: Option<&str>,
) -> std::io::Result<()> {
    let lines = text.iter().filter(|b| **b == b'\n').count();
    let fits = style.height.is_none_or(|height| lines < height);
    let page = match paging {
        Paging::Never => false,
        Paging::Always => true,
        Paging::Auto => style.terminal && !fits,
    };
    let pager = pager.unwrap_or("less").trim();
    if !page || pager.is_empty() {
        return write_stdout(text);
    }
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(pager_command(pager, !style.plain))
        .stdin(Stdio::piped());
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

/// The shell command that runs `pager`: with `-R` added when it is `less` and the text has colours, since a `LESS`
/// without `R` would show the escape sequences as `ESC[1m` noise (a command-line option wins over `LESS`).
fn pager_command(pager: &str, colored: bool) -> OsString {
    let program = pager.split_whitespace().next().unwrap_or("");
    let is_less = Path::new(program)
        .file_name()
        .is_some_and(|name| name == "less");
    if is_less && colored {
        OsString::from(format!("{pager} -R"))
    } else {
        OsString::from(pager)
    }
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

    fn settings(color: ColorWhen, width: Option<u16>) -> Settings {
        Settings {
            color,
            width,
            paging: Paging::Auto,
            pager: None,
        }
    }

    fn auto() -> Settings {
        settings(ColorWhen::Auto, None)
    }

    #[test]
    fn a_terminal_gets_colour_and_links() {
        let style = Style::decide(&auto(), &terminal());
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
        let mut clicolor_off = terminal();
        clicolor_off.clicolor_off = true;
        for (choice, env) in [
            (ColorWhen::Never, terminal()),
            (ColorWhen::Auto, no_color),
            (ColorWhen::Auto, dumb),
            (ColorWhen::Auto, piped),
            (ColorWhen::Auto, clicolor_off),
        ] {
            let style = Style::decide(&settings(choice, None), &env);
            assert!(style.plain, "{env:?}");
            assert!(!style.hyperlinks, "{env:?}");
        }
    }

    #[test]
    fn colour_can_be_forced_into_a_pipe() {
        let piped = Environment::default();
        assert!(!Style::decide(&settings(ColorWhen::Always, None), &piped).plain);
        let forced = Environment {
            clicolor_force: true,
            ..Environment::default()
        };
        assert!(!Style::decide(&auto(), &forced).plain);
        let both = Environment {
            clicolor_force: true,
            no_color: true,
            ..Environment::default()
        };
        assert!(Style::decide(&auto(), &both).plain, "NO_COLOR wins");
    }

    #[test]
    fn width_comes_from_the_setting_then_the_terminal_then_columns() {
        assert_eq!(
            Style::decide(&settings(ColorWhen::Auto, Some(60)), &terminal()).width,
            60
        );
        assert_eq!(
            Style::decide(&auto(), &Environment::default()).width,
            DEFAULT_WIDTH
        );
        let piped = Environment {
            columns: Some(132),
            terminal_size: Some((50, 20)),
            ..Environment::default()
        };
        assert_eq!(
            Style::decide(&auto(), &piped).width,
            132,
            "COLUMNS when not a terminal"
        );
        let silly = Environment {
            columns: Some(3),
            ..Environment::default()
        };
        assert_eq!(Style::decide(&auto(), &silly).width, DEFAULT_WIDTH);
    }

    #[test]
    fn less_always_gets_raw_colours() {
        assert_eq!(pager_command("less", true), "less -R");
        assert_eq!(
            pager_command("/usr/bin/less -S", true),
            "/usr/bin/less -S -R"
        );
        assert_eq!(pager_command("less", false), "less");
        assert_eq!(pager_command("most", true), "most");
        assert_eq!(pager_command("lesser", true), "lesser");
    }
}
