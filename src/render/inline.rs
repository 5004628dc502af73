//! Inline Markdown (text, emphasis, code spans, links, breaks) flattened into styled characters ready to wrap.
//!
//! Flattening to one character per entry keeps wrapping simple and exact: every character knows its style and
//! whether a line may end at it. The walk over comrak's tree is iterative, so absurdly nested emphasis in a lesson
//! cannot exhaust the stack.

use std::collections::HashMap;
use std::rc::Rc;

use comrak::arena_tree::NodeEdge;
use comrak::nodes::{AstNode, NodeValue};

use super::sanitize;
use super::style::{palette, Style};

/// What a character means to line wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Part of a word.
    Text,
    /// A space between words, where a line may end (and which then disappears).
    Space,
    /// A space inside a code span: kept, and only broken at if the span cannot fit on a line at all.
    CodeSpace,
    /// A hard line break.
    Break,
}

/// One character of inline text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Atom {
    pub ch: char,
    pub role: Role,
    /// Index into `InlineText::looks`.
    pub look: usize,
}

/// How a run of characters is shown: its style and the hyperlink it belongs to, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Look {
    pub style: Style,
    pub link: Option<Rc<str>>,
}

impl Look {
    pub fn plain() -> Look {
        Look {
            style: Style::PLAIN,
            link: None,
        }
    }

    pub fn styled(style: Style) -> Look {
        Look { style, link: None }
    }
}

/// A paragraph's worth of inline content.
#[derive(Debug, Clone, Default)]
pub struct InlineText {
    pub atoms: Vec<Atom>,
    pub looks: Vec<Look>,
    look_index: HashMap<Look, usize>,
}

impl InlineText {
    pub fn new() -> InlineText {
        InlineText::default()
    }

    /// Ordinary text: spaces are places to wrap, unsafe characters are replaced.
    pub fn push_text(&mut self, text: &str, look: &Look) {
        self.push_with_spaces(text, look, Role::Space);
    }

    /// Text whose spaces belong to it, such as a code span the learner has to type as written.
    pub fn push_glued(&mut self, text: &str, look: &Look) {
        self.push_with_spaces(text, look, Role::CodeSpace);
    }

    pub fn push_break(&mut self) {
        let look = self.intern(&Look::plain());
        self.atoms.push(Atom {
            ch: '\n',
            role: Role::Break,
            look,
        });
    }

    /// The characters from `start` on, as a string, to compare a link's text with its URL.
    pub fn text_from(&self, start: usize) -> String {
        self.atoms
            .get(start..)
            .unwrap_or_default()
            .iter()
            .map(|atom| atom.ch)
            .collect()
    }

    fn push_with_spaces(&mut self, text: &str, look: &Look, space_role: Role) {
        let look = self.intern(look);
        for ch in sanitize::inline(text).chars() {
            let role = if ch == ' ' { space_role } else { Role::Text };
            self.atoms.push(Atom { ch, role, look });
        }
    }

    fn intern(&mut self, look: &Look) -> usize {
        if let Some(&index) = self.look_index.get(look) {
            return index;
        }
        self.looks.push(look.clone());
        self.look_index.insert(look.clone(), self.looks.len() - 1);
        self.looks.len() - 1
    }
}

/// What the inline renderer needs to know about the output.
#[derive(Debug, Clone, Copy)]
pub struct InlineMode {
    pub color: bool,
    pub hyperlinks: bool,
}

impl InlineMode {
    /// Whether a link to `url` becomes a terminal hyperlink. Relative URLs (another lesson file, an image next to
    /// the lesson) mean nothing to a terminal, so they are shown as text.
    fn hyperlinks(self, url: &str) -> bool {
        self.color && self.hyperlinks && (url.contains("://") || url.starts_with("mailto:"))
    }
}

/// Flattens the inline children of `block` (a paragraph, heading or table cell), all starting in `base` style.
pub fn flatten<'a>(block: &'a AstNode<'a>, base: Style, mode: InlineMode) -> InlineText {
    let mut flattener = Flattener {
        mode,
        text: InlineText::new(),
        stack: vec![Look::styled(base)],
        links: Vec::new(),
    };
    for edge in block.traverse() {
        match edge {
            NodeEdge::Start(node) if !node.same_node(block) => flattener.start(&node.data().value),
            NodeEdge::End(node) if !node.same_node(block) => flattener.end(&node.data().value),
            NodeEdge::Start(_) | NodeEdge::End(_) => {}
        }
    }
    flattener.text
}

/// The state of one walk: the text so far, the looks of the enclosing inlines, the links being walked.
struct Flattener {
    mode: InlineMode,
    text: InlineText,
    stack: Vec<Look>,
    /// Where each open link's text starts, and its URL.
    links: Vec<(usize, String)>,
}

impl Flattener {
    fn current(&self) -> Look {
        self.stack.last().cloned().unwrap_or_else(Look::plain)
    }

    fn start(&mut self, value: &NodeValue) {
        let current = self.current();
        match value {
            NodeValue::Text(literal) => self.text.push_text(literal, &current),
            NodeValue::Code(code) => push_code(&mut self.text, &code.literal, &current, self.mode),
            NodeValue::HtmlInline(html) | NodeValue::Raw(html) => {
                self.text.push_text(html, &current)
            }
            NodeValue::Math(math) => self.text.push_glued(&math.literal, &current),
            NodeValue::SoftBreak => self.text.push_text(" ", &current),
            NodeValue::LineBreak => self.text.push_break(),
            NodeValue::Emph => self.stack.push(restyle(&current, palette::EMPHASIS)),
            NodeValue::Strong => self.stack.push(restyle(&current, palette::STRONG)),
            NodeValue::Strikethrough => {
                if !self.mode.color {
                    // Struck-out text usually means "not this"; plain text must still say so.
                    self.text.push_text("~~", &current);
                }
                self.stack.push(restyle(&current, palette::STRIKETHROUGH));
            }
            NodeValue::Link(link) | NodeValue::Image(link) => {
                let url = sanitize::inline(&link.url);
                let mut look = restyle(&current, palette::LINK);
                if self.mode.hyperlinks(&url) {
                    look.link = Some(Rc::from(url.as_str()));
                }
                self.links.push((self.text.atoms.len(), url));
                self.stack.push(look);
            }
            // Containers this renderer has no special look for still show their text.
            _ => self.stack.push(current),
        }
    }

    fn end(&mut self, value: &NodeValue) {
        match value {
            // Leaves: nothing was pushed on the stack for them.
            NodeValue::Text(_)
            | NodeValue::Code(_)
            | NodeValue::HtmlInline(_)
            | NodeValue::Raw(_)
            | NodeValue::Math(_)
            | NodeValue::SoftBreak
            | NodeValue::LineBreak => {}
            NodeValue::Strikethrough => {
                self.stack.pop();
                if !self.mode.color {
                    let current = self.current();
                    self.text.push_text("~~", &current);
                }
            }
            NodeValue::Link(_) | NodeValue::Image(_) => {
                self.stack.pop();
                if let Some((start, url)) = self.links.pop() {
                    let current = self.current();
                    finish_link(&mut self.text, start, &url, &current, self.mode);
                }
            }
            _ => {
                self.stack.pop();
            }
        }
    }
}

fn restyle(look: &Look, style: Style) -> Look {
    Look {
        style: look.style.merge(style),
        link: look.link.clone(),
    }
}

/// A code span: coloured in colour mode; in plain mode between backticks, so it is clear what exactly to type.
fn push_code(text: &mut InlineText, literal: &str, current: &Look, mode: InlineMode) {
    if mode.color {
        text.push_glued(literal, &restyle(current, palette::INLINE_CODE));
        return;
    }
    let longest_run = literal.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if literal.starts_with('`') || literal.ends_with('`') {
        " "
    } else {
        ""
    };
    text.push_glued(&format!("{fence}{pad}{literal}{pad}{fence}"), current);
}

/// After a link's text: its URL in parentheses, unless a terminal hyperlink carries it or the text already is it.
fn finish_link(text: &mut InlineText, start: usize, url: &str, current: &Look, mode: InlineMode) {
    if mode.hyperlinks(url) || url.is_empty() {
        return;
    }
    let shown = text.text_from(start);
    if text_is_url(&shown, url) {
        return;
    }
    let url_style = if mode.color {
        palette::DECORATION
    } else {
        Style::PLAIN
    };
    if shown.trim().is_empty() {
        text.push_text(url, &restyle(current, url_style));
    } else {
        text.push_text(" ", current);
        text.push_text(&format!("({url})"), &restyle(current, url_style));
    }
}

/// Whether a link's text says where it goes already, as autolinks do (`www.x.org` links to `http://www.x.org`).
fn text_is_url(shown: &str, url: &str) -> bool {
    let shown = shown.trim();
    ["", "http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| url.strip_prefix(scheme) == Some(shown))
}

/// The text of `node` and everything in it, without any styling, as a last resort for content nested too deeply
/// to lay out. Iterative, like `flatten`; unlike comrak's `collect_text` it keeps blocks apart with a space.
pub fn plain_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut text = String::new();
    for descendant in node.descendants() {
        match &descendant.data().value {
            NodeValue::Text(literal) => text.push_str(literal),
            NodeValue::Code(code) => text.push_str(&code.literal),
            NodeValue::CodeBlock(code) => text.push_str(&code.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
            NodeValue::Paragraph | NodeValue::Heading(_) | NodeValue::TableCell
                if !text.is_empty() =>
            {
                text.push(' ');
            }
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_text_equal_to_url_is_recognised() {
        assert!(text_is_url("https://x.org", "https://x.org"));
        assert!(text_is_url("www.x.org", "http://www.x.org"));
        assert!(text_is_url("me@x.org", "mailto:me@x.org"));
        assert!(!text_is_url("the site", "https://x.org"));
    }

    #[test]
    fn code_spans_with_backticks_get_a_longer_fence() {
        let mut text = InlineText::new();
        let mode = InlineMode {
            color: false,
            hyperlinks: false,
        };
        push_code(&mut text, "a`b", &Look::plain(), mode);
        assert_eq!(text.text_from(0), "``a`b``");
        let mut text = InlineText::new();
        push_code(&mut text, "`x", &Look::plain(), mode);
        assert_eq!(text.text_from(0), "`` `x ``");
    }
}
