//! Terminal rendering of lesson Markdown: wrapped, styled text for reading a lesson in the tutor.
//!
//! Lesson blocks that belong to the tutor rather than the reader are handled here too: solutions, setup and
//! checks never appear, hints are only announced, quizzes are shown without their answers. Plain mode (for pipes,
//! screen readers, `NO_COLOR`) prints text with no escape sequences at all; colour mode adds ANSI styles, syntax
//! highlighting and, if the terminal supports them, OSC 8 hyperlinks.

mod document;
mod highlight;
mod inline;
mod lesson_blocks;
mod line;
pub mod sanitize;
mod style;
mod table;
mod wrap;

use std::io::Write;

use comrak::{Arena, Options};

use inline::InlineMode;

/// Narrower than this, nothing reads well; smaller widths (0 from a terminal that reports none) are raised to it.
const MIN_WIDTH: usize = 20;

/// Wider than this, lines are too long to read; it also bounds the size of rules and tables.
const MAX_WIDTH: usize = 400;

/// How to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Columns available; clamped to a sensible range.
    pub width: usize,
    /// ANSI styles and syntax highlighting; without it the output has no escape sequences at all.
    pub color: bool,
    /// OSC 8 hyperlinks instead of `text (url)`; only in colour mode.
    pub hyperlinks: bool,
}

/// Writes `markdown` (a lesson body, or any part of one) to `out` as terminal text.
pub fn render_markdown(
    markdown: &str,
    options: &RenderOptions,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, markdown, &parse_options());
    let mode = InlineMode {
        color: options.color,
        hyperlinks: options.hyperlinks,
    };
    let width = options.width.clamp(MIN_WIDTH, MAX_WIDTH);
    let mut text = String::new();
    for rendered in document::render_document(root, mode, width) {
        text.push_str(&line::encode(&rendered, options.color));
        text.push('\n');
    }
    out.write_all(text.as_bytes())
}

/// Plain text (no Markdown) wrapped to `width` columns the way lesson text is, for the tables and reports of other
/// commands (`doctor`, `list`, `progress`). Unsafe characters are replaced; line breaks in `text` are kept.
pub fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut inline = inline::InlineText::new();
        inline.push_text(paragraph, &inline::Look::plain());
        let wrapped = wrap::wrap(&inline, width.max(1));
        if wrapped.is_empty() {
            lines.push(String::new());
        }
        lines.extend(wrapped.iter().map(|line| line.text()));
    }
    lines
}

/// The Markdown dialect of lessons: CommonMark plus the GFM extensions lesson authors expect.
fn parse_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson using every element the renderer knows, tutor blocks included.
    const EVERY_ELEMENT: &str = "\
# Title

## Section

### Subsection

A paragraph with *emphasis*, **strong**, ~~struck~~ and `code`,\\
a hard break, [a link](https://example.org/a) and <https://example.org/b>.

- bullet
  1. ordered
- [ ] task
- [x] done

> quoted

> Hint: the hint text

| left | centre | right |
|:-----|:------:|------:|
| a    | b      | c     |

```sh
echo \"hello\" | grep h
```

```
no info
```

    indented

---

<div>html</div>

```sh setup
touch setup-file
```

```check
exists setup-file
```

```sh check
test -e setup-file
```

```sh solution
echo the-solution
```

```keys solution
$ vi keys-secret
ikeys-solution<Esc>:wq<Enter>
```

```random
random-secret = word
```

```quiz
Which?

- [ ] one
- [x] two
```
";

    fn render(markdown: &str, width: usize, color: bool, hyperlinks: bool) -> String {
        let options = RenderOptions {
            width,
            color,
            hyperlinks,
        };
        let mut out = Vec::new();
        render_markdown(markdown, &options, &mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("rendered text is UTF-8")
    }

    #[test]
    fn plain_output_has_no_escape_sequences_even_with_hyperlinks_asked_for() {
        let plain = render(EVERY_ELEMENT, 80, false, true);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.contains("a link (https://example.org/a)"), "{plain}");
    }

    #[test]
    fn colour_output_has_styles_and_hyperlinks() {
        let colour = render(EVERY_ELEMENT, 80, true, true);
        assert!(colour.contains("\x1b[1;35mTitle\x1b[0m"), "{colour}");
        assert!(
            colour.contains("\x1b]8;;https://example.org/a\x1b\\"),
            "{colour}"
        );
        assert!(!colour.contains("(https://example.org/a)"), "{colour}");
    }

    #[test]
    fn relative_links_are_not_terminal_hyperlinks() {
        let colour = render("See [the next lesson](02-cd.md).", 80, true, true);
        assert!(!colour.contains("\x1b]8;"), "{colour:?}");
        assert!(colour.contains("(02-cd.md)"), "{colour:?}");
    }

    #[test]
    fn colour_without_hyperlinks_shows_urls() {
        let colour = render(EVERY_ELEMENT, 80, true, false);
        assert!(!colour.contains("\x1b]8;"), "{colour}");
        assert!(colour.contains("(https://example.org/a)"), "{colour}");
    }

    #[test]
    fn tutor_secrets_stay_hidden_in_both_modes() {
        for color in [false, true] {
            let text = render(EVERY_ELEMENT, 80, color, true);
            for secret in [
                "the-solution",
                "setup-file",
                "the hint text",
                "[x] two",
                "keys-solution",
                "keys-secret",
                "random-secret",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }

    #[test]
    fn code_is_highlighted_in_colour_mode() {
        let colour = render("```sh\necho \"hello\" | grep h\n```\n", 80, true, false);
        assert!(colour.contains("\x1b[38;2;"), "{colour:?}");
        let plain = render("```sh\necho hi\n```\n", 80, false, false);
        assert_eq!(plain, "    echo hi\n");
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let hostile = "# T\x1b[2J\n\nText \x1b]0;title\x07 and `\x1b[31m`.\n\n```\n\x1b[5m\u{9b}\n```\n\n| \x07 |\n|---|\n| \x1b |\n";
        for color in [false, true] {
            let text = render(hostile, 80, color, true);
            for raw in [
                "\x1b[2J", "\x1b]0;", "\x07", "\x1b[31m", "\x1b[5m", "\u{9b}",
            ] {
                assert!(!text.contains(raw), "{raw:?} in {text:?}");
            }
            assert!(text.contains("\u{FFFD}]0;title"), "{text:?}");
        }
    }

    #[test]
    fn extreme_widths_do_not_panic() {
        for width in [0, 1, 2, 19, usize::MAX] {
            for color in [false, true] {
                let text = render(EVERY_ELEMENT, width, color, true);
                assert!(text.contains("Title"));
            }
        }
    }

    #[test]
    fn width_is_clamped_to_a_readable_minimum() {
        let text = render(&"word ".repeat(20), 0, false, false);
        assert!(text.lines().all(|line| line.len() <= MIN_WIDTH), "{text}");
        assert!(text.lines().any(|line| line.len() > 15), "{text}");
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let list: String = (0..500)
            .map(|depth| format!("{}- item {depth}\n", "  ".repeat(depth)))
            .collect();
        let text = render(&list, 80, false, false);
        assert!(text.trim_end().ends_with("499"), "{text}");
        let quotes = format!("{} deep", ">".repeat(2000));
        assert!(render(&quotes, 80, true, false).contains("deep"));
        let emphasis = format!("{}a{}", "*".repeat(5000), "*".repeat(5000));
        assert!(render(&emphasis, 80, true, false).contains('a'));
    }

    #[test]
    fn empty_input_renders_nothing() {
        assert_eq!(render("", 80, true, true), "");
        assert_eq!(render("\n\n\n", 80, false, false), "");
    }
}
