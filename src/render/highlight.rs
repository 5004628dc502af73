//! Syntax highlighting of code blocks in colour mode, with syntect's bundled syntaxes and themes.
//!
//! Loading the bundled dumps costs tens of milliseconds, so it happens once, lazily, and only when a code block is
//! rendered in colour mode; plain mode never calls into this module, which keeps `--plain` start-up fast.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::line::Line;
use super::style::{palette, Color, Style};

/// Solarized's accent colours were chosen to read on both dark and light backgrounds, which matters because the
/// learner's terminal background is unknown.
const THEME_NAME: &str = "Solarized (dark)";

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn theme() -> Option<&'static Theme> {
    static THEMES: OnceLock<ThemeSet> = OnceLock::new();
    THEMES
        .get_or_init(ThemeSet::load_defaults)
        .themes
        .get(THEME_NAME)
}

/// Info words for a terminal transcript: prompts with commands, and the commands' output.
const TRANSCRIPT_LANGUAGES: [&str; 3] = ["console", "shell-session", "terminal"];

/// Prompts that start a command line in a transcript.
const PROMPTS: [&str; 2] = ["$ ", "# "];

/// The syntax for a code block's language word, if syntect knows it under that name or a common alias.
fn syntax_for(language: &str) -> Option<&'static SyntaxReference> {
    let token = match language {
        // Other shells read well enough as Bash.
        "shell" | "zsh" | "ksh" | "dash" => "bash",
        other => other,
    };
    syntaxes().find_syntax_by_token(token)
}

/// `lines` (already sanitised, tabs expanded) highlighted as `language`; `None` when the language is unknown or
/// highlighting fails, so the caller shows the code unstyled.
pub fn highlight(lines: &[String], language: &str) -> Option<Vec<Line>> {
    let language = language.to_ascii_lowercase();
    if TRANSCRIPT_LANGUAGES.contains(&language.as_str()) {
        return highlight_transcript(lines);
    }
    let mut highlighter = Highlighter::new(syntax_for(&language)?)?;
    lines.iter().map(|line| highlighter.line(line)).collect()
}

/// A transcript: the prompt dimmed, the command after it highlighted as Bash, the output left as printed (colouring
/// output as if it were code would make it look like something to type).
fn highlight_transcript(lines: &[String]) -> Option<Vec<Line>> {
    let bash = syntax_for("bash")?;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let prompt = PROMPTS.iter().find(|prompt| line.starts_with(**prompt));
        let rendered = match prompt {
            Some(prompt) => {
                let mut rendered = Line::styled(*prompt, palette::DECORATION);
                rendered.append(Highlighter::new(bash)?.line(&line[prompt.len()..])?);
                rendered
            }
            None => Line::styled(line.clone(), Style::PLAIN),
        };
        out.push(rendered);
    }
    Some(out)
}

/// Highlights consecutive lines of one piece of code, carrying the parser state from line to line.
struct Highlighter {
    lines: HighlightLines<'static>,
    default_foreground: Option<syntect::highlighting::Color>,
}

impl Highlighter {
    fn new(syntax: &'static SyntaxReference) -> Option<Highlighter> {
        let theme = theme()?;
        Some(Highlighter {
            lines: HighlightLines::new(syntax, theme),
            default_foreground: theme.settings.foreground,
        })
    }

    fn line(&mut self, line: &str) -> Option<Line> {
        let with_newline = format!("{line}\n");
        let regions = self.lines.highlight_line(&with_newline, syntaxes()).ok()?;
        let mut rendered = Line::new();
        for (region_style, text) in regions {
            let mut style = Style::PLAIN;
            // The theme's default colour is left to the terminal, so ordinary text keeps the learner's contrast.
            if Some(region_style.foreground) != self.default_foreground {
                let c = region_style.foreground;
                style.foreground = Some(Color::Rgb(c.r, c.g, c.b));
            }
            style.bold = region_style.font_style.contains(FontStyle::BOLD);
            rendered.push(text.trim_end_matches('\n'), style);
        }
        Some(rendered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_code_gets_colours() {
        let lines = vec!["echo \"hello\" | grep h".to_string()];
        let highlighted = highlight(&lines, "sh").expect("sh is a bundled syntax");
        assert_eq!(highlighted[0].text(), lines[0]);
        assert!(highlighted[0]
            .spans
            .iter()
            .any(|span| matches!(span.style.foreground, Some(Color::Rgb(..)))));
    }

    #[test]
    fn aliases_and_unknown_languages() {
        assert!(syntax_for("zsh").is_some());
        assert!(syntax_for("no-such-language").is_none());
        assert!(highlight(&["x".to_string()], "no-such-language").is_none());
    }

    #[test]
    fn transcripts_highlight_commands_but_not_output() {
        let lines = vec!["$ echo \"hi\"".to_string(), "hi".to_string()];
        let highlighted = highlight(&lines, "console").expect("bash is a bundled syntax");
        assert_eq!(highlighted[0].spans[0].text, "$ ");
        assert_eq!(highlighted[0].spans[0].style, palette::DECORATION);
        assert!(highlighted[0]
            .spans
            .iter()
            .any(|span| matches!(span.style.foreground, Some(Color::Rgb(..)))));
        assert_eq!(highlighted[1], Line::styled("hi", Style::PLAIN));
    }
}
