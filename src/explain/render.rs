//! An [`Explanation`] as terminal text: the line, then one row per part (indented by depth, the explanation
//! wrapped beside it), then the dangers. Plain mode has no escape sequences at all; colour mode only adds styles.

use std::io::Write;

use unicode_width::UnicodeWidthStr;

use super::{Danger, Explanation};

/// The part column is at most this wide; longer parts put their explanation on the next line.
const MAX_PART_COLUMN: usize = 26;

/// Explanations get at least this many columns, however narrow the terminal.
const MIN_TEXT_WIDTH: usize = 30;

const BOLD_CYAN: &str = "\x1b[1;36m";
const BOLD_RED: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Writes the explanation at `width` columns, in colour or plain.
pub fn write(
    explanation: &Explanation,
    extra: &[String],
    width: usize,
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let style = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    for (index, line) in explanation.line.lines().enumerate() {
        let prompt = if index == 0 { "$ " } else { "> " };
        writeln!(out, "{}", style(DIM, &format!("{prompt}{}", clean(line))))?;
    }
    writeln!(out)?;
    let column = explanation
        .parts
        .iter()
        .map(|p| 2 * p.depth + clean(&p.text).width())
        .filter(|w| *w <= MAX_PART_COLUMN)
        .max()
        .unwrap_or(0)
        + 2;
    let text_width = width.saturating_sub(column).max(MIN_TEXT_WIDTH);
    for part in &explanation.parts {
        let indent = " ".repeat(2 * part.depth);
        let text = clean(&part.text);
        let lines = wrap(&clean(&part.what), text_width);
        let used = indent.width() + text.width();
        let head = format!("{indent}{}", style(BOLD_CYAN, &text));
        let mut rest = lines.iter();
        if used + 2 <= column {
            let first = rest.next().map_or("", String::as_str);
            writeln!(out, "{head}{}{first}", " ".repeat(column - used))?;
        } else {
            writeln!(out, "{head}")?;
        }
        for line in rest {
            writeln!(out, "{}{line}", " ".repeat(column))?;
        }
    }
    for danger in &explanation.dangers {
        writeln!(out)?;
        write_danger(danger, width, color, out)?;
    }
    if !extra.is_empty() {
        writeln!(out)?;
        for line in extra {
            for wrapped in wrap(&clean(line), width.max(MIN_TEXT_WIDTH)) {
                writeln!(out, "{wrapped}")?;
            }
        }
    }
    Ok(())
}

/// A danger as a short paragraph: what it does and what to do instead.
pub fn write_danger(
    danger: &Danger,
    width: usize,
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let label = if color {
        format!("{BOLD_RED}Danger{RESET}")
    } else {
        "Danger".to_string()
    };
    writeln!(out, "{label}: {}", clean(&danger.text))?;
    let width = width.saturating_sub(2).max(MIN_TEXT_WIDTH);
    for line in wrap(&clean(&danger.effect), width) {
        writeln!(out, "  {line}")?;
    }
    for line in wrap(&format!("Instead: {}", clean(&danger.advice)), width) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// Text from the line or a man page, safe for a terminal: control characters become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Greedy word wrap at `width` columns; a word longer than the width gets a line of its own.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::Part;

    #[test]
    fn wraps_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("toolongword x", 4), ["toolongword", "x"]);
    }

    #[test]
    fn plain_output_has_no_escapes_and_colour_has_styles() {
        let explanation = Explanation {
            line: "ls\x1b[31m".into(),
            parts: vec![Part {
                depth: 0,
                text: "ls".into(),
                what: "lists\x07 files".into(),
            }],
            dangers: vec![Danger {
                text: "x".into(),
                effect: "bad".into(),
                advice: "don't".into(),
            }],
        };
        let mut plain = Vec::new();
        write(&explanation, &[], 80, false, &mut plain).expect("write");
        let plain = String::from_utf8(plain).expect("UTF-8");
        assert!(
            !plain.contains('\x1b') && !plain.contains('\x07'),
            "{plain:?}"
        );
        assert!(plain.contains("ls  lists files"), "{plain}");
        assert!(
            plain.contains("Danger: x\n  bad\n  Instead: don't\n"),
            "{plain}"
        );
        let mut colour = Vec::new();
        write(&explanation, &[], 80, true, &mut colour).expect("write");
        assert!(String::from_utf8_lossy(&colour).contains(BOLD_RED));
    }
}
