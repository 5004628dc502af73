//! How the tutor's own blocks appear in a rendered lesson: hints are announced but not shown, quizzes are shown
//! without their answers, and setup, checks and solutions are not shown at all (the document walker drops them).
//!
//! Keeping answers out of the rendered text is the point: a learner reading the lesson must not see a solution or
//! the ticked quiz option before trying.

use comrak::nodes::{AstNode, NodeValue};
use comrak::Arena;

use super::inline::{flatten, InlineMode, InlineText, Look};
use super::line::{prefix_lines, Line};
use super::style::{palette, Style};
use super::wrap::wrap;
use crate::lesson::blocks::hint_text;
use crate::lesson::quiz::Quiz;

/// Whether `node` is a hint: a block quote whose first paragraph starts with `Hint:`.
pub fn is_hint<'a>(node: &'a AstNode<'a>) -> bool {
    if !matches!(node.data().value, NodeValue::BlockQuote) {
        return false;
    }
    let Some(first) = node.first_child() else {
        return false;
    };
    if !matches!(first.data().value, NodeValue::Paragraph) {
        return false;
    }
    // The same text the lesson loader tests (comrak's `collect_text`), so what is hidden here is what `:hint` shows.
    hint_text(&first.collect_text()).is_some()
}

/// The line that stands in for `count` consecutive hints.
pub fn hint_notice(count: usize) -> Line {
    let mut line = if count == 1 {
        Line::styled("Hint available: type ", palette::HINT)
    } else {
        Line::styled(format!("{count} hints available: type "), palette::HINT)
    };
    // Kept short so the notice fits narrow terminals; `:hint` itself says that more hints follow.
    line.push(":hint", palette::COMMAND);
    line
}

/// A quiz block's content: the question and lettered options, never which ones are correct.
pub fn render_quiz(source: &str, mode: InlineMode, width: usize) -> Vec<Line> {
    let Ok(quiz) = Quiz::parse(source) else {
        // The parse error names the tick syntax (and so what a ticked option looks like); `verify` reports it to
        // the author with a line number, the learner only needs to know why there is no question here.
        return vec![Line::styled(
            "This quiz could not be read; `shelltutor verify` shows what is wrong with it.",
            palette::NOTICE,
        )];
    };
    let mut out = wrap(&inline_markdown(&quiz.question, mode), width);
    out.push(Line::new());
    for (index, option) in quiz.options.iter().enumerate() {
        let marker = format!("  {}) ", Quiz::letter(index));
        let indent = Line::styled(" ".repeat(marker.len()), Style::PLAIN);
        let text = inline_markdown(&option.text, mode);
        let lines = wrap(&text, width.saturating_sub(marker.len()));
        out.extend(prefix_lines(
            lines,
            &Line::styled(marker, palette::QUIZ_LETTER),
            &indent,
        ));
    }
    out.push(Line::new());
    out.extend(answer_instructions(&quiz, width));
    out
}

/// "Answer with :answer and a letter (a or b).", wrapped to `width` like the rest of the quiz.
fn answer_instructions(quiz: &Quiz, width: usize) -> Vec<Line> {
    let correct = quiz.options.iter().filter(|option| option.correct).count();
    let mut text = InlineText::new();
    text.push_text("Answer with ", &Look::plain());
    text.push_glued(":answer", &Look::styled(palette::COMMAND));
    let rest = if correct > 1 {
        // Saying that several options are right is the usual checkbox-versus-radio cue, not the answer.
        format!(
            " and the letters of every correct option ({}).",
            quiz.choices()
        )
    } else {
        format!(" and a letter ({}).", quiz.choices())
    };
    text.push_text(&rest, &Look::plain());
    wrap(&text, width)
}

/// Quiz text may use inline Markdown (`code`, *emphasis*); anything that parses as more than one paragraph is shown
/// as written rather than reinterpreted.
fn inline_markdown(text: &str, mode: InlineMode) -> InlineText {
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, text, &super::parse_options());
    let mut blocks = root.children();
    if let (Some(only), None) = (blocks.next(), blocks.next()) {
        if matches!(only.data().value, NodeValue::Paragraph) {
            return flatten(only, Style::PLAIN, mode);
        }
    }
    let mut inline = InlineText::new();
    inline.push_text(text, &Look::plain());
    inline
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: InlineMode = InlineMode {
        color: false,
        hyperlinks: false,
    };

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn quiz_options_are_lettered_and_unticked() {
        let lines = render_quiz("Which?\n\n- [ ] `ls`\n- [x] `cd`\n", PLAIN, 40);
        assert_eq!(
            texts(&lines),
            [
                "Which?",
                "",
                "  a) `ls`",
                "  b) `cd`",
                "",
                "Answer with :answer and a letter (a or",
                "b)."
            ]
        );
    }

    #[test]
    fn broken_quizzes_reveal_nothing() {
        let lines = render_quiz("- [x] right\n- [ ] wrong\n", PLAIN, 40);
        let text = texts(&lines).join("\n");
        assert!(!text.contains("right"), "{text}");
        assert!(!text.contains("[x]"), "{text}");
    }

    #[test]
    fn several_hints_share_one_notice() {
        assert_eq!(hint_notice(1).text(), "Hint available: type :hint");
        assert_eq!(hint_notice(3).text(), "3 hints available: type :hint");
    }
}
