//! Text styles and how they become ANSI SGR parameters.
//!
//! Styles are values attached to rendered text; only the final encoding step (see `line`) turns them into escape
//! sequences, and only in colour mode, so the layout code never has to think about escapes or their widths.

/// A foreground colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    /// One of the 16 terminal colours (0-7, 8-15 bright), so the learner's terminal theme decides the shade.
    Ansi(u8),
    /// 24-bit colour, used for syntax highlighting where the theme fixes the shade.
    Rgb(u8, u8, u8),
}

/// How a piece of text looks; the default is the terminal's own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub strikethrough: bool,
    pub foreground: Option<Color>,
}

impl Style {
    pub const PLAIN: Style = Style {
        bold: false,
        dim: false,
        italic: false,
        underline: false,
        strikethrough: false,
        foreground: None,
    };

    pub const fn bold() -> Style {
        Style {
            bold: true,
            ..Style::PLAIN
        }
    }

    pub const fn dim() -> Style {
        Style {
            dim: true,
            ..Style::PLAIN
        }
    }

    pub const fn fg(color: Color) -> Style {
        Style {
            foreground: Some(color),
            ..Style::PLAIN
        }
    }

    pub const fn with_bold(self) -> Style {
        Style { bold: true, ..self }
    }

    /// `other` layered on top of `self`: attributes add up, a colour in `other` wins.
    pub fn merge(self, other: Style) -> Style {
        Style {
            bold: self.bold || other.bold,
            dim: self.dim || other.dim,
            italic: self.italic || other.italic,
            underline: self.underline || other.underline,
            strikethrough: self.strikethrough || other.strikethrough,
            foreground: other.foreground.or(self.foreground),
        }
    }

    pub fn is_plain(self) -> bool {
        self == Style::PLAIN
    }

    /// The SGR parameters (`1;3;36`) that select this style after a reset.
    pub fn sgr_parameters(self) -> String {
        let mut parameters: Vec<String> = Vec::new();
        let flags = [
            (self.bold, "1"),
            (self.dim, "2"),
            (self.italic, "3"),
            (self.underline, "4"),
            (self.strikethrough, "9"),
        ];
        parameters.extend(
            flags
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, p)| p.to_string()),
        );
        match self.foreground {
            Some(Color::Ansi(n)) if n < 8 => parameters.push((30 + u16::from(n)).to_string()),
            Some(Color::Ansi(n)) => parameters.push((90 + u16::from(n % 8)).to_string()),
            Some(Color::Rgb(r, g, b)) => parameters.push(format!("38;2;{r};{g};{b}")),
            None => {}
        }
        parameters.join(";")
    }
}

/// The terminal colours the palette uses, named for readability.
pub mod ansi {
    use super::Color;
    pub const RED: Color = Color::Ansi(1);
    pub const GREEN: Color = Color::Ansi(2);
    pub const YELLOW: Color = Color::Ansi(3);
    pub const BLUE: Color = Color::Ansi(4);
    pub const MAGENTA: Color = Color::Ansi(5);
    pub const CYAN: Color = Color::Ansi(6);
}

/// The styles of each kind of element in colour mode, in one place so the look stays consistent.
pub mod palette {
    use super::{ansi, Style};

    pub const HEADING: Style = Style::fg(ansi::MAGENTA).with_bold();
    pub const MINOR_HEADING: Style = Style::bold();
    pub const DECORATION: Style = Style::dim();
    pub const INLINE_CODE: Style = Style::fg(ansi::CYAN);
    pub const LINK: Style = Style {
        underline: true,
        ..Style::fg(ansi::BLUE)
    };
    pub const EMPHASIS: Style = Style {
        italic: true,
        ..Style::PLAIN
    };
    pub const STRONG: Style = Style::bold();
    pub const STRIKETHROUGH: Style = Style {
        strikethrough: true,
        ..Style::PLAIN
    };
    pub const TABLE_HEADER: Style = Style::bold();
    pub const LIST_MARKER: Style = Style::fg(ansi::MAGENTA);
    pub const TASK_DONE: Style = Style::fg(ansi::GREEN);
    pub const HINT: Style = Style::fg(ansi::YELLOW);
    pub const COMMAND: Style = Style::fg(ansi::YELLOW).with_bold();
    pub const QUIZ_LETTER: Style = Style::bold();
    pub const NOTICE: Style = Style::fg(ansi::RED);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_follow_the_attributes() {
        assert_eq!(Style::PLAIN.sgr_parameters(), "");
        assert_eq!(palette::HEADING.sgr_parameters(), "1;35");
        assert_eq!(
            Style::fg(Color::Rgb(1, 2, 3)).sgr_parameters(),
            "38;2;1;2;3"
        );
        assert_eq!(Style::fg(Color::Ansi(9)).sgr_parameters(), "91");
    }

    #[test]
    fn merged_colour_comes_from_the_top_layer() {
        let merged = palette::LINK.merge(palette::INLINE_CODE);
        assert!(merged.underline);
        assert_eq!(merged.foreground, Some(ansi::CYAN));
    }
}
