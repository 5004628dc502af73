//! The walk over a parsed lesson: each block becomes lines at the width it has, and containers (lists, quotes)
//! indent or prefix what their children rendered.
//!
//! Blocks return their lines instead of printing them, so a container can put a marker or a quote bar in front
//! without knowing what is inside, and a hidden block (a solution, a check) simply returns nothing.

use comrak::nodes::{AstNode, ListDelimType, ListType, NodeCodeBlock, NodeList, NodeValue};

use super::inline::{flatten, plain_text, InlineMode, InlineText, Look};
use super::line::{prefix_lines, Line};
use super::style::{palette, Style};
use super::wrap::wrap;
use super::{highlight, lesson_blocks, sanitize, table};
use crate::lesson::blocks::{classify, BlockKind, Fence};

/// Nesting beyond this (lists in quotes in lists...) is shown as plain wrapped text: no lesson needs it, and it
/// bounds the recursion whatever the input.
const MAX_NESTING: usize = 32;

/// Nested content keeps at least this many columns, even if that makes deeply indented lines overflow.
const MIN_CONTENT_WIDTH: usize = 10;

/// Code is indented by this much, which sets it apart and keeps it easy to copy.
const CODE_INDENT: usize = 4;

/// Tab stops in code blocks.
const TAB_WIDTH: usize = 4;

/// Renders the blocks of `root` at `width` columns.
pub fn render_document<'a>(root: &'a AstNode<'a>, mode: InlineMode, width: usize) -> Vec<Line> {
    let walker = Walker { mode };
    let frame = Frame {
        width,
        nesting: 0,
        list_depth: 0,
    };
    walker.blocks(root, frame, Spacing::Loose)
}

/// Where in the document a block is drawn.
#[derive(Debug, Clone, Copy)]
struct Frame {
    width: usize,
    nesting: usize,
    list_depth: usize,
}

impl Frame {
    /// The frame for content indented by `columns`.
    fn inside(self, columns: usize) -> Frame {
        Frame {
            width: self.width.saturating_sub(columns).max(MIN_CONTENT_WIDTH),
            nesting: self.nesting + 1,
            ..self
        }
    }
}

/// Whether sibling blocks are separated by a blank line (tight list items are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spacing {
    Tight,
    Loose,
}

struct Walker {
    mode: InlineMode,
}

impl Walker {
    /// The children of `parent`, one after the other.
    fn blocks<'a>(&self, parent: &'a AstNode<'a>, frame: Frame, spacing: Spacing) -> Vec<Line> {
        let mut out = Vec::new();
        let mut children = parent.children().peekable();
        while let Some(child) = children.next() {
            let lines = if lesson_blocks::is_hint(child) {
                // Hints are offered one at a time by `:hint`; a run of them is announced once.
                let mut count = 1;
                while children
                    .next_if(|next| lesson_blocks::is_hint(next))
                    .is_some()
                {
                    count += 1;
                }
                vec![lesson_blocks::hint_notice(count)]
            } else {
                self.block(child, frame)
            };
            if lines.is_empty() {
                continue;
            }
            if !out.is_empty() && spacing == Spacing::Loose {
                out.push(Line::new());
            }
            out.extend(lines);
        }
        out
    }

    fn block<'a>(&self, node: &'a AstNode<'a>, frame: Frame) -> Vec<Line> {
        if frame.nesting > MAX_NESTING {
            return self.flattened(node, frame);
        }
        let data = node.data();
        match &data.value {
            NodeValue::Paragraph => wrap(&self.inline(node, Style::PLAIN), frame.width),
            NodeValue::Heading(heading) => self.heading(node, heading.level, frame),
            NodeValue::List(list) => self.list(node, list, frame),
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => self.quote(node, frame),
            NodeValue::CodeBlock(code) => self.code_block(code, frame),
            NodeValue::HtmlBlock(html) => self.html_block(&html.literal),
            NodeValue::ThematicBreak => vec![self.rule(frame.width)],
            NodeValue::Table(table) => {
                table::render_table(node, &table.alignments, self.mode, frame.width)
            }
            // Anything else that holds blocks (an item outside a list, a footnote) shows its content.
            _ => self.blocks(node, frame.inside(0), Spacing::Loose),
        }
    }

    fn inline<'a>(&self, node: &'a AstNode<'a>, base: Style) -> InlineText {
        flatten(node, base, self.mode)
    }

    /// Level 1 and 2 are underlined (`=`, `-`), deeper levels keep their `###` so the hierarchy stays visible.
    fn heading<'a>(&self, node: &'a AstNode<'a>, level: u8, frame: Frame) -> Vec<Line> {
        let style = if level <= 2 {
            palette::HEADING
        } else {
            palette::MINOR_HEADING
        };
        let text = self.inline(node, style);
        if level > 2 {
            let marker = format!("{} ", "#".repeat(usize::from(level)));
            let indent = Line::styled(" ".repeat(marker.len()), Style::PLAIN);
            let lines = wrap(&text, frame.width.saturating_sub(marker.len()));
            let marker = Line::styled(marker, palette::DECORATION);
            return prefix_lines(at_least_one(lines), &marker, &indent);
        }
        let mut lines = at_least_one(wrap(&text, frame.width));
        let underline = match (level, self.mode.color) {
            (1, false) => '=',
            (_, false) => '-',
            (1, true) => '━',
            (_, true) => '─',
        };
        let width = lines.iter().map(Line::width).max().unwrap_or(0).max(1);
        lines.push(Line::styled(
            underline.to_string().repeat(width),
            palette::DECORATION,
        ));
        lines
    }

    fn list<'a>(&self, node: &'a AstNode<'a>, list: &NodeList, frame: Frame) -> Vec<Line> {
        let items: Vec<&'a AstNode<'a>> = node.children().collect();
        let last_number = list.start.saturating_add(items.len().saturating_sub(1));
        let digits = last_number.to_string().len();
        let markers: Vec<Line> = items
            .iter()
            .enumerate()
            .map(|(index, item)| self.item_marker(item, list, index, digits, frame.list_depth))
            .collect();
        let spacing = if list.tight {
            Spacing::Tight
        } else {
            Spacing::Loose
        };
        let mut out = Vec::new();
        for (item, mut marker) in items.into_iter().zip(markers) {
            // Each item hangs from its own marker: numbers are already padded to one width, and a task box
            // next to a plain bullet should not push the bullet's text out.
            let hang = marker.width() + 1;
            let mut inner = frame.inside(hang);
            inner.list_depth += 1;
            let content = at_least_one(self.blocks(item, inner, spacing));
            if !out.is_empty() && spacing == Spacing::Loose {
                out.push(Line::new());
            }
            marker.push(" ", Style::PLAIN);
            let indent = Line::styled(" ".repeat(hang), Style::PLAIN);
            out.extend(prefix_lines(content, &marker, &indent));
        }
        out
    }

    /// `-`/`•` for bullets, numbers right-aligned to `digits` for ordered lists, a checkbox for tasks.
    fn item_marker<'a>(
        &self,
        item: &'a AstNode<'a>,
        list: &NodeList,
        index: usize,
        digits: usize,
        list_depth: usize,
    ) -> Line {
        let task = match item.data().value {
            NodeValue::TaskItem(task) => Some(task.symbol.is_some()),
            _ => None,
        };
        let mut marker = Line::new();
        if list.list_type == ListType::Ordered {
            let delimiter = match list.delimiter {
                ListDelimType::Period => '.',
                ListDelimType::Paren => ')',
            };
            let number = list.start.saturating_add(index);
            marker.push(
                format!("{number:>digits$}{delimiter}"),
                palette::LIST_MARKER,
            );
            if task.is_some() {
                marker.push(" ", Style::PLAIN);
            }
        } else if task.is_none() {
            marker.push(self.bullet(list_depth), palette::LIST_MARKER);
        }
        match task {
            Some(true) if self.mode.color => marker.push("[✓]", palette::TASK_DONE),
            Some(true) => marker.push("[x]", Style::PLAIN),
            Some(false) => marker.push("[ ]", palette::LIST_MARKER),
            None => {}
        }
        marker
    }

    fn bullet(&self, list_depth: usize) -> &'static str {
        if !self.mode.color {
            return "-";
        }
        ["•", "◦", "▪"][list_depth % 3]
    }

    fn quote<'a>(&self, node: &'a AstNode<'a>, frame: Frame) -> Vec<Line> {
        let bar = if self.mode.color { "│ " } else { "> " };
        let bar = Line::styled(bar, palette::DECORATION);
        let content = self.blocks(node, frame.inside(bar.width()), Spacing::Loose);
        prefix_lines(content, &bar, &bar)
    }

    /// Code as written, indented, never wrapped; tutor blocks are dropped or, for quizzes, shown without answers.
    fn code_block(&self, code: &NodeCodeBlock, frame: Frame) -> Vec<Line> {
        if code.fenced {
            match classify(&code.info) {
                Fence::Kind(BlockKind::Quiz) => {
                    return lesson_blocks::render_quiz(&code.literal, self.mode, frame.width)
                }
                Fence::Kind(kind) if !kind.is_shown_to_learner() => return Vec::new(),
                Fence::Kind(_) | Fence::Display | Fence::Unknown { .. } => {}
            }
        }
        let lines: Vec<String> = code
            .literal
            .lines()
            .map(|line| sanitize::verbatim_line(line, TAB_WIDTH))
            .collect();
        let language = code.info.split_whitespace().next().unwrap_or("");
        let highlighted = if self.mode.color && !language.is_empty() {
            highlight::highlight(&lines, language)
        } else {
            None
        };
        let body = highlighted.unwrap_or_else(|| {
            lines
                .into_iter()
                .map(|line| Line::styled(line, Style::PLAIN))
                .collect()
        });
        let indent = Line::styled(" ".repeat(CODE_INDENT), Style::PLAIN);
        prefix_lines(at_least_one(body), &indent, &indent)
    }

    /// HTML is shown as the text it is, except comments, which are notes to other authors (hosting sites hide
    /// them too).
    fn html_block(&self, literal: &str) -> Vec<Line> {
        let trimmed = literal.trim();
        if trimmed.starts_with("<!--") && trimmed.ends_with("-->") {
            return Vec::new();
        }
        trimmed
            .lines()
            .map(|line| Line::styled(sanitize::verbatim_line(line, TAB_WIDTH), Style::PLAIN))
            .collect()
    }

    fn rule(&self, width: usize) -> Line {
        let (character, style) = if self.mode.color {
            ("─", palette::DECORATION)
        } else {
            ("-", Style::PLAIN)
        };
        Line::styled(character.repeat(width), style)
    }

    /// Too deeply nested to lay out: the text, wrapped, so nothing is lost and nothing recurses further.
    fn flattened<'a>(&self, node: &'a AstNode<'a>, frame: Frame) -> Vec<Line> {
        let mut text = InlineText::new();
        text.push_text(&plain_text(node), &Look::plain());
        wrap(&text, frame.width)
    }
}

/// An empty list item or heading still takes a line, so its marker shows.
fn at_least_one(mut lines: Vec<Line>) -> Vec<Line> {
    if lines.is_empty() {
        lines.push(Line::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use crate::render::{render_markdown, RenderOptions};

    /// Plain rendering at `width`, as the snapshots show it.
    fn plain(markdown: &str, width: usize) -> String {
        let options = RenderOptions {
            width,
            color: false,
            hyperlinks: false,
        };
        let mut out = Vec::new();
        render_markdown(markdown, &options, &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("rendered text is UTF-8")
    }

    fn plain80(markdown: &str) -> String {
        plain(markdown, 80)
    }

    #[test]
    fn heading_levels() {
        insta::assert_snapshot!(plain80(
            "# Level one\n\n## Level two\n\n### Level three\n\n#### Level four\n\nSetext\n======\n"
        ));
    }

    #[test]
    fn long_heading_wraps_under_its_rule() {
        insta::assert_snapshot!(plain(
            "## A heading that is far too long to fit on one line of this narrow width\n\n\
             ### A minor heading that is also too long for the width\n",
            30
        ));
    }

    #[test]
    fn wrapped_paragraph() {
        insta::assert_snapshot!(plain80(
            "Every file and folder lives somewhere in one big tree that starts at the root, `/`. \
             Your home folder is a branch of it, and the shell always has a current folder, the one \
             that relative names start from.\nA soft break joins lines."
        ));
    }

    #[test]
    fn emphasis_strong_and_strikethrough() {
        insta::assert_snapshot!(plain80(
            "Some *emphasis*, some **strong text**, ***both*** and ~~struck out~~ words."
        ));
    }

    #[test]
    fn inline_code() {
        insta::assert_snapshot!(plain80(
            "Type `ls -l` to list, or ``echo `date` `` to nest backticks."
        ));
    }

    #[test]
    fn bullet_list() {
        insta::assert_snapshot!(plain80(
            "- first\n- second item, long enough to wrap onto a second line so that the hanging indent \
             of the list item shows\n- third\n"
        ));
    }

    #[test]
    fn ordered_list() {
        insta::assert_snapshot!(plain80(
            "8. eight\n9. nine, long enough to wrap onto a second line so that the hanging indent of the \
             number shows\n10. ten\n\n1) paren\n2) style\n"
        ));
    }

    #[test]
    fn nested_list() {
        insta::assert_snapshot!(plain80(
            "- outer\n  - inner\n    1. innermost, which is long enough to wrap onto another line at this \
             width of eighty\n    2. second\n  - back to inner\n- outer again\n"
        ));
    }

    #[test]
    fn loose_list() {
        insta::assert_snapshot!(plain80(
            "- first paragraph\n\n  second paragraph of the same item\n\n- next item\n"
        ));
    }

    #[test]
    fn task_list() {
        insta::assert_snapshot!(plain80(
            "- [ ] open task\n- [x] done task, with a long text that has to wrap onto a second line at the \
             width\n\n1. [ ] numbered task\n2. [X] numbered and done\n"
        ));
    }

    #[test]
    fn block_quote() {
        insta::assert_snapshot!(plain80(
            "> A quote that is long enough to need wrapping inside the narrower width that the quote bar \
             leaves.\n>\n> Second paragraph.\n>\n> > Nested quote.\n"
        ));
    }

    #[test]
    fn links() {
        insta::assert_snapshot!(plain80(
            "Read [the manual](https://man7.org/linux/man-pages/man1/ls.1.html), \
             <https://example.org>, www.example.com, [](https://empty.example) and \
             [https://same.example](https://same.example).\n\n![a picture](pic.png)"
        ));
    }

    #[test]
    fn table_with_alignments() {
        insta::assert_snapshot!(plain80(
            "| Left | Centre | Right | None |\n|:-----|:------:|------:|------|\n\
             | `ls` | lists | 1 | x |\n| `mkdir -p` | makes folders | 200 | |\n"
        ));
    }

    #[test]
    fn table_wider_than_the_width() {
        insta::assert_snapshot!(plain(
            "| Command | What it does |\n|---|---|\n\
             | `rm -r` | removes a folder and everything in it, without asking |\n\
             | `cp` | copies |\n",
            30
        ));
    }

    #[test]
    fn fenced_code_with_info() {
        insta::assert_snapshot!(plain80(
            "```sh\nmkdir -p projects/site\ncd projects/site   # a comment, and a line too long to fit in the width of eighty columns\n```\n"
        ));
    }

    #[test]
    fn fenced_code_without_info() {
        insta::assert_snapshot!(plain80("```\nplain\n\tindented with a tab\n```\n"));
    }

    #[test]
    fn indented_code() {
        insta::assert_snapshot!(plain80("Before.\n\n    $ whoami\n    learner\n\nAfter.\n"));
    }

    #[test]
    fn thematic_break() {
        insta::assert_snapshot!(plain80("Above.\n\n---\n\nBelow.\n"));
    }

    #[test]
    fn hard_break() {
        insta::assert_snapshot!(plain80(
            "Line one with a backslash\\\nline two with two spaces  \nline three"
        ));
    }

    #[test]
    fn html() {
        insta::assert_snapshot!(plain80(
            "<details>\n<summary>More</summary>\n</details>\n\n<!-- note to authors -->\n\nText with <kbd>Ctrl</kbd>.\n"
        ));
    }

    #[test]
    fn hint() {
        let markdown = "Try it.\n\n> Hint: the secret hint text\n\nMore.\n";
        let text = plain80(markdown);
        assert!(!text.contains("secret hint"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn several_hints() {
        let markdown = "> Hint: first secret\n\n> **Hint:** second secret\n\n> Not a hint.\n";
        let text = plain80(markdown);
        assert!(!text.contains("secret"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn hidden_lesson_blocks() {
        let markdown = "Before.\n\n```sh setup\ntouch SETUP-SECRET\n```\n\n```check\nexists CHECK-SECRET\n```\n\n\
                        ```sh check\ntest -e SHELL-CHECK-SECRET\n```\n\n```sh   solution\nmkdir SOLUTION-SECRET\n```\n\nAfter.\n";
        let text = plain80(markdown);
        assert!(!text.contains("SECRET"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn misspelt_tutor_block_is_shown_as_code() {
        insta::assert_snapshot!(plain80("```chek\nexists x\n```\n"));
    }

    #[test]
    fn quiz() {
        let markdown = "```quiz\nWhich record maps a name\nto an *IPv4* address?\n\n- [ ] `CNAME`\n- [x] `A`\n- [ ] `MX`, \
                        which is for mail and has a long description that wraps\n```\n";
        let text = plain80(markdown);
        assert!(!text.contains("[x]") && !text.contains("[ ]"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn quiz_with_several_answers() {
        let text = plain80(
            "```quiz\nPick the folders.\n\n- [x] `/etc`\n- [ ] `/etc/hosts`\n- [x] `/tmp`\n```\n",
        );
        assert!(!text.contains("[x]"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn broken_quiz() {
        let text = plain80("```quiz\n- [x] the right one\n- [ ] the wrong one\n```\n");
        assert!(
            !text.contains("[x]") && !text.contains("right one"),
            "{text}"
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn narrow_width_wrapping() {
        insta::assert_snapshot!(plain(
            "Use `find . -name '*.txt' -newer reference.txt` to list recent text files; see \
             https://www.gnu.org/software/findutils/manual/html_mono/find.html for more.\n\n\
             - a list item that wraps\n  > and a quote inside it that wraps too\n",
            30
        ));
    }

    #[test]
    fn control_characters_are_replaced() {
        insta::assert_snapshot!(plain80(
            "Bell\u{7} escape \u{1b}[31m and `\u{1b}]8;;x\u{1b}\\`.\n"
        ));
    }

    #[test]
    fn wide_characters() {
        insta::assert_snapshot!(plain(
            "日本語のテキストも正しく折り返されます。幅は表示幅で数えます。 Émoji ✓ and accents é.",
            20
        ));
    }
}
