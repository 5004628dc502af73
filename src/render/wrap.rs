//! Greedy word wrapping of inline text to a width in terminal columns.
//!
//! Lines end at spaces; a word is only cut when it is wider than a whole line on its own, and then a code span is
//! cut at one of its own spaces if it has any, so a long command breaks between its arguments rather than inside
//! one. Widths are display widths (`unicode-width`), so CJK text and emoji wrap where they visibly end.

use unicode_width::UnicodeWidthChar;

use super::inline::{Atom, InlineText, Role};
use super::line::{Line, Span};

/// `text` broken into lines no wider than `width` (at least one column), except that a single character wider
/// than `width` still gets a line of its own.
pub fn wrap(text: &InlineText, width: usize) -> Vec<Line> {
    let width = width.max(1);
    let mut out = LineBuilder::new(text);
    let mut pending_space: Option<Atom> = None;
    for token in tokens(&text.atoms) {
        match token {
            Token::Break => {
                out.finish_line();
                pending_space = None;
            }
            Token::Space(atom) => {
                if out.width > 0 && pending_space.is_none() {
                    pending_space = Some(atom);
                }
            }
            Token::Word(word) => {
                let word_width = atoms_width(word);
                match pending_space.take() {
                    Some(space) if out.width + 1 + word_width <= width => {
                        out.push(space);
                        out.push_all(word);
                    }
                    _ if out.width == 0 && word_width <= width => out.push_all(word),
                    pending => {
                        let rest = match pending {
                            Some(space) if word_width > width => {
                                start_on_current_line(&mut out, space, word, width)
                            }
                            _ => word,
                        };
                        if out.width > 0 {
                            out.finish_line();
                        }
                        place_long_word(&mut out, rest, width);
                    }
                }
            }
        }
    }
    out.finish()
}

/// A code span too long for any line starts right after the text before it, up to one of its own spaces, rather
/// than leaving a short line behind; returns what is left of it. Other long words (URLs) start on a fresh line.
fn start_on_current_line<'w>(
    out: &mut LineBuilder,
    space: Atom,
    word: &'w [Atom],
    width: usize,
) -> &'w [Atom] {
    let room = width.saturating_sub(out.width + 1);
    let Some((head, tail)) = cut_at_code_space(word, room) else {
        return word;
    };
    out.push(space);
    out.push_all(head);
    tail
}

/// Places `word` starting on an empty line, cutting it wherever it does not fit.
fn place_long_word(out: &mut LineBuilder, mut word: &[Atom], width: usize) {
    // Tracked rather than recomputed, so a huge unbroken word costs linear time, not quadratic.
    let mut remaining = atoms_width(word);
    while remaining > width {
        let (head, tail) = cut(word, width);
        out.push_all(head);
        out.finish_line();
        remaining -= atoms_width(&word[..word.len() - tail.len()]);
        word = tail;
    }
    out.push_all(word);
}

/// Splits an over-wide word into a first line and the rest: at the last code space that fits (dropping the space),
/// otherwise after as many characters as fit (at least one, so wrapping always progresses).
fn cut(word: &[Atom], width: usize) -> (&[Atom], &[Atom]) {
    if let Some(parts) = cut_at_code_space(word, width) {
        return parts;
    }
    let fits = fitting_prefix(word, width).max(1).min(word.len());
    word.split_at(fits)
}

/// The word split at the last code space within its first `width` columns (the space itself dropped), if any.
fn cut_at_code_space(word: &[Atom], width: usize) -> Option<(&[Atom], &[Atom])> {
    let fits = fitting_prefix(word, width);
    let space = word[..fits]
        .iter()
        .enumerate()
        .skip(1)
        .rev()
        .find(|(_, atom)| atom.role == Role::CodeSpace)
        .map(|(index, _)| index)?;
    Some((&word[..space], &word[space + 1..]))
}

/// How many atoms of `word` fit in `width` columns.
fn fitting_prefix(word: &[Atom], width: usize) -> usize {
    let mut used = 0;
    for (index, atom) in word.iter().enumerate() {
        used += atom.ch.width().unwrap_or(0);
        if used > width {
            return index;
        }
    }
    word.len()
}

fn atoms_width(atoms: &[Atom]) -> usize {
    atoms.iter().map(|atom| atom.ch.width().unwrap_or(0)).sum()
}

enum Token<'t> {
    Word(&'t [Atom]),
    Space(Atom),
    Break,
}

/// Splits atoms into words, the spaces between them, and hard breaks.
fn tokens(atoms: &[Atom]) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut word_start = None;
    for (index, atom) in atoms.iter().enumerate() {
        let separator = match atom.role {
            Role::Space => Some(Token::Space(*atom)),
            Role::Break => Some(Token::Break),
            Role::Text | Role::CodeSpace => None,
        };
        match separator {
            Some(separator) => {
                if let Some(start) = word_start.take() {
                    tokens.push(Token::Word(&atoms[start..index]));
                }
                tokens.push(separator);
            }
            None => {
                word_start.get_or_insert(index);
            }
        }
    }
    if let Some(start) = word_start {
        tokens.push(Token::Word(&atoms[start..]));
    }
    tokens
}

/// Accumulates atoms into lines, joining runs of the same look into one span.
struct LineBuilder<'t> {
    text: &'t InlineText,
    lines: Vec<Line>,
    current: Line,
    current_look: Option<usize>,
    width: usize,
}

impl<'t> LineBuilder<'t> {
    fn new(text: &'t InlineText) -> Self {
        LineBuilder {
            text,
            lines: Vec::new(),
            current: Line::new(),
            current_look: None,
            width: 0,
        }
    }

    fn push(&mut self, atom: Atom) {
        self.width += atom.ch.width().unwrap_or(0);
        if self.current_look == Some(atom.look) {
            if let Some(span) = self.current.spans.last_mut() {
                span.text.push(atom.ch);
                return;
            }
        }
        let look = self
            .text
            .looks
            .get(atom.look)
            .cloned()
            .unwrap_or_else(super::inline::Look::plain);
        self.current.spans.push(Span {
            text: atom.ch.to_string(),
            style: look.style,
            link: look.link,
        });
        self.current_look = Some(atom.look);
    }

    fn push_all(&mut self, atoms: &[Atom]) {
        for atom in atoms {
            self.push(*atom);
        }
    }

    fn finish_line(&mut self) {
        self.lines.push(std::mem::take(&mut self.current));
        self.current_look = None;
        self.width = 0;
    }

    fn finish(mut self) -> Vec<Line> {
        if !self.current.spans.is_empty() {
            self.finish_line();
        }
        self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::super::inline::Look;
    use super::*;

    fn wrapped(pieces: &[(&str, bool)], width: usize) -> Vec<String> {
        let mut text = InlineText::new();
        for (piece, is_code) in pieces {
            if *is_code {
                text.push_glued(piece, &Look::plain());
            } else {
                text.push_text(piece, &Look::plain());
            }
        }
        wrap(&text, width).iter().map(Line::text).collect()
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            wrapped(&[("one two three four", false)], 9),
            ["one two", "three", "four"]
        );
    }

    #[test]
    fn cuts_only_words_wider_than_the_line() {
        assert_eq!(
            wrapped(&[("a abcdefghij b", false)], 4),
            ["a", "abcd", "efgh", "ij b"]
        );
    }

    #[test]
    fn code_spans_stay_whole_when_they_fit_and_break_at_their_spaces_otherwise() {
        assert_eq!(
            wrapped(&[("run ", false), ("ls -l", true)], 7),
            ["run", "ls -l"]
        );
        assert_eq!(
            wrapped(&[("find . -name x", true)], 8),
            ["find .", "-name x"]
        );
        assert_eq!(
            wrapped(&[("use ", false), ("find . -name x", true)], 12),
            ["use find .", "-name x"]
        );
        assert_eq!(
            wrapped(&[("see ", false), ("https://example.org", false)], 12),
            ["see", "https://exam", "ple.org"]
        );
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(wrapped(&[("日本語 日本", false)], 6), ["日本語", "日本"]);
        assert_eq!(wrapped(&[("日本", false)], 1), ["日", "本"]);
    }

    #[test]
    fn hard_breaks_end_lines() {
        let mut text = InlineText::new();
        text.push_text("a", &Look::plain());
        text.push_break();
        text.push_text("b", &Look::plain());
        let lines: Vec<String> = wrap(&text, 80).iter().map(Line::text).collect();
        assert_eq!(lines, ["a", "b"]);
    }
}
