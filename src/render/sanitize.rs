//! Neutralises characters that a terminal would act on instead of printing.
//!
//! Lesson text is untrusted as far as the terminal is concerned: an ESC or BEL in a lesson must not be able to move
//! the cursor, change the title or forge a hyperlink, and bidirectional overrides must not make a command look
//! different from what it is (a learner copies what they see). Every piece of lesson text passes through here before
//! it becomes part of a rendered line.

/// What a neutralised character is shown as: visible, one column wide, and obviously not part of the lesson.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` would be interpreted by a terminal or reorder the text around it.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Unicode's explicit directional formatting characters (embeddings, overrides, isolates and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Inline text: line breaks and tabs become spaces (wrapping decides where lines end), anything else unsafe is
/// replaced.
pub fn inline(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if is_unsafe(c) => REPLACEMENT,
            c => c,
        })
        .collect()
}

/// A message for a terminal that quotes untrusted text (a learner's output, a file name, a lesson's words): line
/// breaks and tabs stay, a carriage return becomes a line break (so nothing can overwrite what came before on its
/// line), anything else unsafe is replaced. The tutor's own messages, reports and errors all pass through here.
pub fn message(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\r' => '\n',
            c if is_unsafe(c) => REPLACEMENT,
            c => c,
        })
        .collect()
}

/// One line of verbatim text (code, HTML): tabs are expanded to the next multiple of `tab_width` columns so
/// alignment survives, anything else unsafe is replaced.
pub fn verbatim_line(line: &str, tab_width: usize) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.trim_end_matches(['\n', '\r']).chars() {
        if c == '\t' {
            let spaces = tab_width - column % tab_width;
            out.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
            continue;
        }
        let c = if is_unsafe(c) { REPLACEMENT } else { c };
        out.push(c);
        column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_bell_are_replaced() {
        assert_eq!(inline("a\x1b[31mb\x07"), "a\u{FFFD}[31mb\u{FFFD}");
        assert_eq!(
            verbatim_line("\x1b]8;;x\x1b\\", 4),
            "\u{FFFD}]8;;x\u{FFFD}\\"
        );
    }

    #[test]
    fn c1_controls_and_bidi_overrides_are_replaced() {
        assert_eq!(inline("\u{9b}2J"), "\u{FFFD}2J");
        assert_eq!(inline("ls \u{202E}txt.sh"), "ls \u{FFFD}txt.sh");
    }

    #[test]
    fn messages_keep_their_lines_but_nothing_a_terminal_acts_on() {
        // An answer printing this would forge a PASS line in a grader's terminal.
        assert_eq!(
            message("FAIL x\rPASS cd/where-am-i\x1b[K\n\tok\u{202E}\u{9b}"),
            "FAIL x\nPASS cd/where-am-i\u{FFFD}[K\n\tok\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn whitespace_is_kept_readable() {
        assert_eq!(inline("a\tb\nc"), "a b c");
        assert_eq!(verbatim_line("a\tb\n", 4), "a   b");
        assert_eq!(verbatim_line("\tx", 4), "    x");
    }
}
