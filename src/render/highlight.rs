//! Syntax highlighting of code blocks in colour mode, with syntect's bundled syntaxes and themes.
//!
//! Loading the bundled dumps costs tens of milliseconds, so it happens once, lazily, and only when a code block is
//! rendered in colour mode; plain mode never calls into this module, which keeps `--plain` start-up fast.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::line::Line;
use super::style::{Color, Style};

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

/// The syntax for a code block's language word, if syntect knows it under that name or a common alias.
fn syntax_for(language: &str) -> Option<&'static SyntaxReference> {
    let language = language.to_ascii_lowercase();
    let token = match language.as_str() {
        // Transcripts and other shells read well enough as Bash.
        "console" | "shell" | "shell-session" | "terminal" | "zsh" | "ksh" | "dash" => "bash",
        other => other,
    };
    syntaxes().find_syntax_by_token(token)
}

/// `lines` (already sanitised, tabs expanded) highlighted as `language`; `None` when the language is unknown or
/// highlighting fails, so the caller shows the code unstyled.
pub fn highlight(lines: &[String], language: &str) -> Option<Vec<Line>> {
    let syntax = syntax_for(language)?;
    let theme = theme()?;
    let default_foreground = theme.settings.foreground;
    let mut highlighter = HighlightLines::new(syntax, theme);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let with_newline = format!("{line}\n");
        let regions = highlighter.highlight_line(&with_newline, syntaxes()).ok()?;
        let mut rendered = Line::new();
        for (region_style, text) in regions {
            let mut style = Style::PLAIN;
            // The theme's default colour is left to the terminal, so ordinary text keeps the learner's contrast.
            if Some(region_style.foreground) != default_foreground {
                let c = region_style.foreground;
                style.foreground = Some(Color::Rgb(c.r, c.g, c.b));
            }
            style.bold = region_style.font_style.contains(FontStyle::BOLD);
            rendered.push(text.trim_end_matches('\n'), style);
        }
        out.push(rendered);
    }
    Some(out)
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
        assert!(syntax_for("console").is_some());
        assert!(syntax_for("no-such-language").is_none());
    }
}
