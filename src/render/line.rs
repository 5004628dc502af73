//! Rendered lines: styled spans of text, and their encoding for the terminal.
//!
//! Layout works on `Line`s whose width is plain display width; escape sequences only appear in `encode`, the one
//! place where text leaves the renderer, which is also where any unsafe character is neutralised a last time.

use std::rc::Rc;

use unicode_width::UnicodeWidthStr;

use super::sanitize;
use super::style::Style;

/// A run of text in one style, possibly the visible part of a hyperlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
    pub link: Option<Rc<str>>,
}

/// One line of output, without its line ending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub spans: Vec<Span>,
}

impl Line {
    pub fn new() -> Line {
        Line::default()
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Line {
        let mut line = Line::new();
        line.push(text, style);
        line
    }

    pub fn push(&mut self, text: impl Into<String>, style: Style) {
        self.push_span(Span {
            text: text.into(),
            style,
            link: None,
        });
    }

    /// Appends a span, joining it to the previous one when they look the same so encoded output stays short.
    pub fn push_span(&mut self, span: Span) {
        if span.text.is_empty() {
            return;
        }
        if let Some(last) = self.spans.last_mut() {
            if last.style == span.style && last.link == span.link {
                last.text.push_str(&span.text);
                return;
            }
        }
        self.spans.push(span);
    }

    pub fn append(&mut self, other: Line) {
        for span in other.spans {
            self.push_span(span);
        }
    }

    /// Display width in terminal columns.
    pub fn width(&self) -> usize {
        self.spans.iter().map(|span| span.text.width()).sum()
    }

    /// The text without styles.
    pub fn text(&self) -> String {
        self.spans.iter().map(|span| span.text.as_str()).collect()
    }

    /// `prefix` followed by this line.
    pub fn prefixed(self, prefix: &Line) -> Line {
        let mut line = prefix.clone();
        line.append(self);
        line
    }
}

/// `lines` with `first` before the first one and `rest` before each other one: list markers, quote bars.
pub fn prefix_lines(lines: Vec<Line>, first: &Line, rest: &Line) -> Vec<Line> {
    lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| line.prefixed(if index == 0 { first } else { rest }))
        .collect()
}

/// The bytes to print for `line`: SGR styles and OSC 8 hyperlinks in colour mode, bare text otherwise. Trailing
/// whitespace is dropped, and nothing the lesson wrote can reach the terminal as a control character.
pub fn encode(line: &Line, color: bool) -> String {
    let spans = trim_trailing_whitespace(&line.spans);
    let mut out = String::new();
    let mut open_link: Option<&str> = None;
    for span in &spans {
        let text: String = span
            .text
            .chars()
            .map(|c| {
                if sanitize::is_unsafe(c) {
                    sanitize::REPLACEMENT
                } else {
                    c
                }
            })
            .collect();
        if !color {
            out.push_str(&text);
            continue;
        }
        let link = span.link.as_deref();
        if link != open_link {
            if open_link.is_some() {
                out.push_str(OSC8_CLOSE);
            }
            if let Some(url) = link {
                out.push_str(&osc8_open(url));
            }
            open_link = link;
        }
        if span.style.is_plain() {
            out.push_str(&text);
        } else {
            out.push_str(&format!(
                "\x1b[{}m{text}\x1b[0m",
                span.style.sgr_parameters()
            ));
        }
    }
    if open_link.is_some() {
        out.push_str(OSC8_CLOSE);
    }
    out
}

const OSC8_CLOSE: &str = "\x1b]8;;\x1b\\";

/// Opens an OSC 8 hyperlink. The URL is percent-encoded outside printable ASCII, as the OSC 8 convention asks,
/// which also means it cannot terminate the sequence early or smuggle in another one.
fn osc8_open(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    for byte in url.bytes() {
        if (0x21..=0x7e).contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("\x1b]8;;{encoded}\x1b\\")
}

fn trim_trailing_whitespace(spans: &[Span]) -> Vec<Span> {
    let mut spans = spans.to_vec();
    while let Some(last) = spans.last_mut() {
        let trimmed_len = last.text.trim_end().len();
        if trimmed_len > 0 {
            last.text.truncate(trimmed_len);
            break;
        }
        spans.pop();
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::super::style::palette;
    use super::*;

    #[test]
    fn plain_encoding_is_the_bare_text_without_trailing_spaces() {
        let mut line = Line::styled("ls", palette::INLINE_CODE);
        line.push(" lists   ", Style::PLAIN);
        assert_eq!(encode(&line, false), "ls lists");
        assert_eq!(line.width(), 11);
    }

    #[test]
    fn colour_encoding_resets_after_each_styled_run() {
        let line = Line::styled("x", palette::STRONG);
        assert_eq!(encode(&line, true), "\x1b[1mx\x1b[0m");
    }

    #[test]
    fn links_are_closed_at_the_end_of_the_line_and_urls_encoded() {
        let line = Line {
            spans: vec![Span {
                text: "site".into(),
                style: Style::PLAIN,
                link: Some(Rc::from("https://e.org/a b\x1b")),
            }],
        };
        assert_eq!(
            encode(&line, true),
            "\x1b]8;;https://e.org/a%20b%1B\x1b\\site\x1b]8;;\x1b\\"
        );
        assert_eq!(encode(&line, false), "site");
    }

    #[test]
    fn unsafe_characters_are_replaced_even_if_they_got_this_far() {
        let line = Line::styled("a\x1bb", Style::PLAIN);
        assert_eq!(encode(&line, true), "a\u{FFFD}b");
    }
}
