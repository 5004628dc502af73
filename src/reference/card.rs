//! Reading one card file into a [`Card`], or every problem that stops it.
//!
//! The same steps as a lesson: bytes, front matter, then comrak's AST of the body with the front matter blanked
//! out so that source positions are the file's own. The body's level-2 sections are fixed (Synopsis, Options,
//! Examples, Pitfalls, Related); the Options list is parsed into spellings and meanings for `explain`, and
//! `console proven` blocks into commands and their expected output for `verify`.

use comrak::nodes::{AstNode, NodeCodeBlock, NodeValue};
use comrak::{parse_document, Arena, Options};

use super::error::{CardError, CardErrorKind};
use super::front_matter::{self, Kind};
use super::spelling::Spelling;
use crate::lesson::error::line_column;
use crate::lesson::Located;

/// The sections a card may have, in the order the format describes them.
pub const SECTIONS: [&str; 5] = ["Synopsis", "Options", "Examples", "Pitfalls", "Related"];

/// The sections every card must have.
const REQUIRED: [&str; 3] = ["Synopsis", "Options", "Examples"];

/// The info string of a block run by `verify`.
pub const PROVEN: &str = "console proven";

/// The info string of a hidden block that prepares a proven example's files.
pub const SETUP: &str = "sh setup";

/// A parsed card.
#[derive(Debug, Clone)]
pub struct Card {
    pub command: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub kind: Kind,
    /// The lesson that teaches the command, with the line of the `lesson` key (for a warning when it is missing).
    pub lesson: Option<Located<String>>,
    pub see_also: Vec<String>,
    /// Programs the proven examples need beyond bash and coreutils.
    pub requires: Vec<String>,
    /// Where the card came from, as messages name it (`reference/rm.md`).
    pub source: String,
    /// The Markdown body; the front matter is replaced by blank lines so line numbers are those of the file.
    pub markdown: String,
    /// The usage lines of the Synopsis block.
    pub synopsis: String,
    pub options: Vec<CardOption>,
    pub examples: Vec<Example>,
    /// `sh setup` scripts, run in order before each proven block.
    pub setup: Vec<Located<String>>,
    pub proven: Vec<Proven>,
    /// The lines of the `command` and `aliases` keys, for errors about names.
    pub command_line: usize,
    pub aliases_line: usize,
}

/// One item of the Options list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardOption {
    pub spellings: Vec<Spelling>,
    /// What the option does, as plain text (inline code keeps its backticks).
    pub meaning: String,
    #[serde(skip)]
    pub line: usize,
}

/// A code block of the Examples section with the prose before it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Example {
    /// The prose paragraphs since the previous example, as plain text.
    pub description: String,
    pub code: String,
    /// Whether `verify` runs it.
    pub proven: bool,
    #[serde(skip)]
    pub line: usize,
}

/// A `console proven` block: commands typed one after the other into one fresh sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proven {
    /// The line of the opening fence.
    pub line: usize,
    pub steps: Vec<Step>,
}

/// One `$ ` line and the output it must print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub line: usize,
    pub expected: Vec<String>,
}

impl Card {
    /// Every name that finds this card: the command, then its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.command.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The option `flag` (`-f`, `--force`) is spelt by, if the card lists it.
    pub fn option(&self, flag: &str) -> Option<(&CardOption, &Spelling)> {
        self.options.iter().find_map(|option| {
            option
                .spellings
                .iter()
                .find(|spelling| spelling.flag == flag)
                .map(|spelling| (option, spelling))
        })
    }
}

/// Parses a card from its bytes. `file` is how messages name it; `file_name` must be `<command>.md`.
pub fn parse_card(file: &str, file_name: &str, bytes: &[u8]) -> Result<Card, Vec<CardError>> {
    let located = |problems: Vec<(usize, usize, CardErrorKind)>| {
        let mut errors: Vec<CardError> = problems
            .into_iter()
            .map(|(line, column, kind)| CardError::new(file, line, column, kind))
            .collect();
        errors.sort_by_key(|e| (e.line, e.column));
        errors
    };
    let text = decode(bytes).map_err(|problem| located(vec![problem]))?;
    let (front, front_lines, positions) = front_matter::read(text).map_err(located)?;

    let mut problems = Vec::new();
    let command = front.command.trim().to_string();
    let (line, column) = positions.of_key("command");
    if !is_command_name(&command) {
        problems.push((
            line,
            column,
            CardErrorKind::BadCommandName {
                value: command.clone(),
            },
        ));
    } else if file_name.strip_suffix(".md") != Some(command.as_str()) {
        problems.push((
            line,
            column,
            CardErrorKind::WrongFileName {
                command: command.clone(),
                file_name: file_name.to_string(),
            },
        ));
    }
    let (line, column) = positions.of_key("aliases");
    for alias in front.aliases.iter().filter(|a| !is_command_name(a)) {
        let kind = CardErrorKind::BadCommandName {
            value: alias.clone(),
        };
        problems.push((line, column, kind));
    }
    let summary = front.summary.trim().to_string();
    if summary.contains('\n') {
        let (line, column) = positions.of_key("summary");
        problems.push((line, column, CardErrorKind::MultiLineSummary));
    }

    let markdown = blank_front_matter(text, front_lines);
    let body = parse_body(&markdown, &command, &summary, &mut problems);
    if !problems.is_empty() {
        return Err(located(problems));
    }
    let lesson = front.lesson.map(|value| {
        let (line, column) = positions.of_key("lesson");
        Located {
            value,
            line,
            column,
        }
    });
    Ok(Card {
        command,
        aliases: front.aliases,
        summary,
        kind: front.kind,
        lesson,
        see_also: front.see_also,
        requires: front.requires,
        source: file.to_string(),
        markdown,
        synopsis: body.synopsis,
        options: body.options,
        examples: body.examples,
        setup: body.setup,
        proven: body.proven,
        command_line: positions.of_key("command").0,
        aliases_line: positions.of_key("aliases").0,
    })
}

/// A name as typed at the prompt: no spaces, no slash, not empty (`[[`, `ssh-keygen`, `.` are fine).
pub fn is_command_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '/' || c.is_control())
}

fn decode(bytes: &[u8]) -> Result<&str, (usize, usize, CardErrorKind)> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err((1, 1, CardErrorKind::Empty));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or("");
        let (line, column) = line_column(valid, valid.len());
        (line, column, CardErrorKind::NotUtf8)
    })?;
    if let Some(offset) =
        text.find(|c: char| c == '\0' || (c.is_control() && !c.is_whitespace() && c != '\u{1b}'))
    {
        let (line, column) = line_column(text, offset);
        let reason = "it contains binary control bytes".to_string();
        return Err((line, column, CardErrorKind::NotMarkdown { reason }));
    }
    Ok(text)
}

/// The text with its first `lines` lines emptied, keeping every later line where it was.
fn blank_front_matter(text: &str, lines: usize) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut body = "\n".repeat(lines);
    body.extend(text.split_inclusive('\n').skip(lines));
    body
}

fn markdown_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.tasklist = true;
    options.extension.autolink = true;
    options
}

/// What the body holds, once read.
#[derive(Default)]
struct Body {
    synopsis: String,
    options: Vec<CardOption>,
    examples: Vec<Example>,
    setup: Vec<Located<String>>,
    proven: Vec<Proven>,
}

type Problems = Vec<(usize, usize, CardErrorKind)>;

fn parse_body(markdown: &str, command: &str, summary: &str, problems: &mut Problems) -> Body {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &markdown_options());
    let mut body = Body::default();
    let mut title_seen = false;
    // (name, line) of each level-2 section seen, and the one the walk is in.
    let mut sections: Vec<(String, usize)> = Vec::new();
    let mut current: Option<String> = None;
    let mut prose = String::new();
    let mut synopsis_block = false;
    let mut option_list = false;

    for node in root.children() {
        let data = node.data();
        let (line, column) = (data.sourcepos.start.line, data.sourcepos.start.column);
        match &data.value {
            NodeValue::Heading(heading) if heading.level == 1 => {
                if title_seen {
                    problems.push((line, column, CardErrorKind::SecondTitle));
                }
                title_seen = true;
                let title = node.collect_text();
                let starts_with_command = title
                    .trim()
                    .strip_prefix(command)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace));
                if !starts_with_command && !command.is_empty() {
                    let kind = CardErrorKind::TitleWithoutCommand {
                        command: command.to_string(),
                    };
                    problems.push((line, column, kind));
                }
            }
            NodeValue::Heading(heading) if heading.level == 2 => {
                let name = node.collect_text().trim().to_string();
                current = Some(name.clone());
                prose.clear();
                if let Some((_, first_line)) = sections.iter().find(|(n, _)| *n == name) {
                    let kind = CardErrorKind::DuplicateSection {
                        name,
                        first_line: *first_line,
                    };
                    problems.push((line, column, kind));
                } else if !SECTIONS.contains(&name.as_str()) {
                    let suggestion = SECTIONS
                        .iter()
                        .map(|known| {
                            (
                                strsim::levenshtein(&known.to_lowercase(), &name.to_lowercase()),
                                known,
                            )
                        })
                        .filter(|(distance, _)| *distance <= 3)
                        .min()
                        .map(|(_, known)| known.to_string());
                    problems.push((
                        line,
                        column,
                        CardErrorKind::UnknownSection { name, suggestion },
                    ));
                } else {
                    sections.push((name, line));
                }
            }
            NodeValue::CodeBlock(block) => {
                let section = current.as_deref().unwrap_or("");
                match classify(block) {
                    Block::Display => {
                        if section == "Synopsis" && !synopsis_block {
                            synopsis_block = true;
                            body.synopsis = block.literal.trim_end().to_string();
                        } else if section == "Examples" {
                            body.examples.push(Example {
                                description: std::mem::take(&mut prose).trim().to_string(),
                                code: block.literal.trim_end().to_string(),
                                proven: false,
                                line,
                            });
                        }
                    }
                    Block::Setup => {
                        if block.literal.trim().is_empty() {
                            problems.push((
                                line,
                                column,
                                CardErrorKind::EmptyBlock { info: SETUP },
                            ));
                        } else {
                            body.setup.push(Located {
                                value: block.literal.clone(),
                                line: line + 1,
                                column: 1,
                            });
                        }
                    }
                    Block::Proven => match proven_steps(&block.literal, line + 1) {
                        Ok(steps) if steps.is_empty() => {
                            problems.push((
                                line,
                                column,
                                CardErrorKind::EmptyBlock { info: PROVEN },
                            ));
                        }
                        Ok(steps) => {
                            if section == "Examples" {
                                body.examples.push(Example {
                                    description: std::mem::take(&mut prose).trim().to_string(),
                                    code: block.literal.trim_end().to_string(),
                                    proven: true,
                                    line,
                                });
                            }
                            body.proven.push(Proven { line, steps });
                        }
                        Err(problem) => problems.push(problem),
                    },
                    Block::Problem(kind) => problems.push((line, column, kind)),
                }
            }
            NodeValue::List(_) if current.as_deref() == Some("Options") => {
                option_list = true;
                for item in node.children() {
                    match option_item(item) {
                        Ok(option) => body.options.push(option),
                        Err(problem) => problems.push(problem),
                    }
                }
            }
            NodeValue::Paragraph | NodeValue::List(_) | NodeValue::BlockQuote
                if current.as_deref() == Some("Examples") =>
            {
                if !prose.is_empty() {
                    prose.push('\n');
                }
                prose.push_str(&inline_text(node));
            }
            _ => {}
        }
    }

    if !title_seen {
        let kind = CardErrorKind::MissingTitle {
            command: command.to_string(),
            summary: summary.to_string(),
        };
        problems.push((1, 1, kind));
    }
    let end = markdown.lines().count().max(1);
    for name in REQUIRED {
        if !sections.iter().any(|(n, _)| n == name) {
            problems.push((end, 1, CardErrorKind::MissingSection { name }));
        }
    }
    let heading_line = |name: &str| sections.iter().find(|(n, _)| n == name).map(|(_, l)| *l);
    if let Some(line) = heading_line("Synopsis").filter(|_| !synopsis_block) {
        problems.push((line, 1, CardErrorKind::SynopsisWithoutBlock));
    }
    if let Some(line) = heading_line("Options").filter(|_| !option_list) {
        problems.push((line, 1, CardErrorKind::OptionsWithoutList));
    }
    if let Some(line) = heading_line("Examples").filter(|_| body.examples.is_empty()) {
        problems.push((line, 1, CardErrorKind::ExamplesWithoutBlock));
    }
    body
}

/// What a fenced block is to a card.
enum Block {
    Display,
    Setup,
    Proven,
    Problem(CardErrorKind),
}

/// Words that only make sense in a card block; a lone word close to one is almost certainly a mistake.
const CARD_WORDS: [&str; 2] = ["setup", "proven"];

fn classify(block: &NodeCodeBlock) -> Block {
    if !block.fenced {
        return Block::Display;
    }
    let words: Vec<&str> = block.info.split_whitespace().collect();
    let info = words.join(" ");
    if info == SETUP {
        return Block::Setup;
    }
    if info == PROVEN {
        return Block::Proven;
    }
    if ["check", "sh check", "sh solution", "quiz"].contains(&info.as_str()) {
        return Block::Problem(CardErrorKind::LessonBlock { info });
    }
    let suggestion = closest_block(&info.to_ascii_lowercase());
    match words.as_slice() {
        [] => Block::Display,
        [word] => {
            let lower = word.to_ascii_lowercase();
            if CARD_WORDS
                .iter()
                .any(|k| strsim::levenshtein(k, &lower) <= 2)
            {
                Block::Problem(CardErrorKind::UnknownBlock { info, suggestion })
            } else {
                Block::Display
            }
        }
        _ => Block::Problem(CardErrorKind::UnknownBlock { info, suggestion }),
    }
}

/// The card block closest to a mistyped info string: by the whole string, or by its last word alone.
fn closest_block(info: &str) -> Option<&'static str> {
    let last = info.rsplit(' ').next().unwrap_or(info);
    [(SETUP, "setup"), (PROVEN, "proven")]
        .into_iter()
        .map(|(full, word)| {
            let distance = strsim::levenshtein(full, info).min(strsim::levenshtein(word, last));
            (distance, full)
        })
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, full)| full)
}

/// The steps of a proven block whose content starts at `first_line`.
fn proven_steps(
    literal: &str,
    first_line: usize,
) -> Result<Vec<Step>, (usize, usize, CardErrorKind)> {
    let mut steps: Vec<Step> = Vec::new();
    for (index, line) in literal.lines().enumerate() {
        let line_number = first_line + index;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(command) = line.strip_prefix("$ ") {
            if command.trim().is_empty() {
                return Err((line_number, 1, CardErrorKind::EmptyCommand));
            }
            steps.push(Step {
                command: command.trim_end().to_string(),
                line: line_number,
                expected: Vec::new(),
            });
        } else if line.trim_end() == "$" {
            return Err((line_number, 1, CardErrorKind::EmptyCommand));
        } else {
            match steps.last_mut() {
                Some(step) => step.expected.push(line.to_string()),
                None if line.trim().is_empty() => {}
                None => return Err((line_number, 1, CardErrorKind::OutputBeforeCommand)),
            }
        }
    }
    Ok(steps)
}

/// One item of the Options list: spellings in backticks separated by `, `, a colon, the meaning.
fn option_item<'a>(item: &'a AstNode<'a>) -> Result<CardOption, (usize, usize, CardErrorKind)> {
    let position = item.data().sourcepos.start;
    let at = |kind| (position.line, position.column, kind);
    let paragraph = item
        .first_child()
        .filter(|child| matches!(child.data().value, NodeValue::Paragraph))
        .ok_or_else(|| at(CardErrorKind::OptionWithoutSpelling))?;
    let mut inlines = paragraph.children().peekable();
    let mut spellings = Vec::new();
    let meaning_start;
    loop {
        let Some(node) = inlines.next() else {
            let spelling = spellings
                .last()
                .map_or(String::new(), |s: &Spelling| s.text.clone());
            return Err(at(CardErrorKind::OptionWithoutMeaning { spelling }));
        };
        let node_position = node.data().sourcepos.start;
        let node_at = |kind| (node_position.line, node_position.column, kind);
        let value = node.data().value.clone();
        match (value, spellings.is_empty()) {
            (NodeValue::Code(code), _) => {
                let text = code.literal.trim();
                if text.is_empty() {
                    return Err(node_at(CardErrorKind::EmptySpelling));
                }
                spellings.push(Spelling::parse(text));
                // After a spelling: `, ` then another spelling, or `:` then the meaning.
                let Some(next) = inlines.next() else {
                    return Err(at(CardErrorKind::OptionWithoutMeaning {
                        spelling: text.to_string(),
                    }));
                };
                let next_position = next.data().sourcepos.start;
                let found = match &next.data().value {
                    NodeValue::Text(text) => text.to_string(),
                    _ => next.collect_text(),
                };
                if found.trim() == "," {
                    continue;
                }
                if let Some(rest) = found.strip_prefix(':') {
                    meaning_start = rest.to_string();
                    break;
                }
                return Err((
                    next_position.line,
                    next_position.column,
                    CardErrorKind::OptionSeparator {
                        found: found.chars().take(20).collect(),
                    },
                ));
            }
            (_, true) => return Err(at(CardErrorKind::OptionWithoutSpelling)),
            (_, false) => {
                return Err(node_at(CardErrorKind::OptionSeparator {
                    found: node.collect_text().chars().take(20).collect(),
                }))
            }
        }
    }
    let mut meaning = meaning_start;
    for node in inlines {
        push_inline(node, &mut meaning);
    }
    let meaning = collapse_spaces(&meaning);
    if meaning.is_empty() {
        let spelling = spellings.last().map_or(String::new(), |s| s.text.clone());
        return Err(at(CardErrorKind::OptionWithoutMeaning { spelling }));
    }
    Ok(CardOption {
        spellings,
        meaning,
        line: position.line,
    })
}

/// The text of a block, with inline code kept in backticks and emphasis dropped.
pub fn inline_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut text = String::new();
    push_inline(node, &mut text);
    collapse_spaces(&text)
}

fn push_inline<'a>(node: &'a AstNode<'a>, out: &mut String) {
    match &node.data().value {
        NodeValue::Text(text) => out.push_str(text),
        NodeValue::Code(code) => {
            out.push('`');
            out.push_str(&code.literal);
            out.push('`');
        }
        NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
        NodeValue::Paragraph | NodeValue::Item(_) => {
            for child in node.children() {
                push_inline(child, out);
            }
            out.push(' ');
        }
        _ => {
            for child in node.children() {
                push_inline(child, out);
            }
        }
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RM: &str = "+++\ncommand = \"rm\"\nsummary = \"remove files\"\nlesson = \"rm\"\n+++\n\n# rm — remove files\n\nText.\n\n## Synopsis\n\n```text\nrm [OPTION]... FILE...\n```\n\n## Options\n\n- `-f`, `--force`: ignore missing files and never prompt\n- `-n NUM`, `--lines=NUM`: *some* `code` here\n\n## Examples\n\nRemove a file:\n\n```sh setup\ntouch a\n```\n\n```console proven\n$ rm -v a\nremoved 'a'\n$ ls\n```\n\nNot run:\n\n```console\n$ rm -rf /\n```\n\n## Pitfalls\n\n- careful\n";

    fn parse(text: &str) -> Result<Card, Vec<CardError>> {
        parse_card("reference/rm.md", "rm.md", text.as_bytes())
    }

    fn kinds(text: &str) -> Vec<(usize, CardErrorKind)> {
        parse(text)
            .expect_err("the card is broken")
            .into_iter()
            .map(|e| (e.line, e.kind))
            .collect()
    }

    #[test]
    fn parses_a_complete_card_with_positions() {
        let card = parse(RM).expect("valid card");
        assert_eq!(card.command, "rm");
        assert_eq!(
            card.lesson.as_ref().map(|l| (l.value.as_str(), l.line)),
            Some(("rm", 4))
        );
        assert_eq!(card.synopsis, "rm [OPTION]... FILE...");
        assert_eq!(card.options.len(), 2);
        assert_eq!(
            card.options[0].meaning,
            "ignore missing files and never prompt"
        );
        assert_eq!(card.options[0].line, 19);
        assert_eq!(card.options[1].meaning, "some `code` here");
        let (option, spelling) = card.option("--lines").expect("listed");
        assert_eq!(option.line, 20);
        assert_eq!(spelling.argument.as_deref(), Some("NUM"));
        assert_eq!(card.setup.len(), 1);
        assert_eq!(card.setup[0].line, 27);
        assert_eq!(card.proven.len(), 1);
        let steps = &card.proven[0].steps;
        assert_eq!(steps[0].command, "rm -v a");
        assert_eq!(steps[0].line, 31);
        assert_eq!(steps[0].expected, ["removed 'a'"]);
        assert_eq!(steps[1].expected, Vec::<String>::new());
        let described: Vec<_> = card
            .examples
            .iter()
            .map(|e| (e.description.as_str(), e.proven))
            .collect();
        assert_eq!(described, [("Remove a file:", true), ("Not run:", false)]);
    }

    #[test]
    fn the_file_must_be_named_after_the_command() {
        let errors = parse_card("x/remove.md", "remove.md", RM.as_bytes()).expect_err("misnamed");
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (2, 1));
        assert!(matches!(
            errors[0].kind,
            CardErrorKind::WrongFileName { .. }
        ));
    }

    #[test]
    fn malformed_option_items_are_located() {
        let broken = RM.replace("- `-f`, `--force`: ignore", "- `-f` `--force`: ignore");
        assert_eq!(
            kinds(&broken),
            [(19, CardErrorKind::OptionSeparator { found: " ".into() })]
        );
        let broken = RM.replace(
            "- `-f`, `--force`: ignore missing files and never prompt",
            "- force: ignore",
        );
        assert_eq!(kinds(&broken), [(19, CardErrorKind::OptionWithoutSpelling)]);
        let broken = RM.replace(
            "- `-f`, `--force`: ignore missing files and never prompt",
            "- `-f`:",
        );
        assert_eq!(
            kinds(&broken),
            [(
                19,
                CardErrorKind::OptionWithoutMeaning {
                    spelling: "-f".into()
                }
            )]
        );
        let errors = parse(&RM.replace("- `-f`, `--force`: ignore", "- `-f`, ` `: ignore"))
            .expect_err("broken");
        assert_eq!(
            (errors[0].line, errors[0].column, &errors[0].kind),
            (19, 9, &CardErrorKind::EmptySpelling),
            "{errors:?}"
        );
    }

    #[test]
    fn sections_are_checked() {
        let broken = RM.replace("## Pitfalls", "## Pitfals").replace(
            "## Synopsis\n\n```text\nrm [OPTION]... FILE...\n```\n",
            "## Synopsis\n\nnone\n",
        );
        assert_eq!(
            kinds(&broken),
            [
                (11, CardErrorKind::SynopsisWithoutBlock),
                (
                    40,
                    CardErrorKind::UnknownSection {
                        name: "Pitfals".into(),
                        suggestion: Some("Pitfalls".into())
                    }
                )
            ]
        );
        let broken = RM.replace("## Options", "Options:");
        assert_eq!(
            kinds(&broken),
            [(44, CardErrorKind::MissingSection { name: "Options" })]
        );
    }

    #[test]
    fn title_must_name_the_command() {
        let broken = RM.replace("# rm — remove files", "# remove files");
        assert_eq!(
            kinds(&broken),
            [(
                7,
                CardErrorKind::TitleWithoutCommand {
                    command: "rm".into()
                }
            )]
        );
        let broken = RM.replace("# rm — remove files\n", "");
        assert!(matches!(
            kinds(&broken)[0],
            (1, CardErrorKind::MissingTitle { .. })
        ));
    }

    #[test]
    fn bad_blocks_are_reported() {
        let broken = RM.replace("```console proven", "```console prove");
        assert_eq!(
            kinds(&broken),
            [(
                30,
                CardErrorKind::UnknownBlock {
                    info: "console prove".into(),
                    suggestion: Some(PROVEN)
                }
            )]
        );
        let broken = RM.replace("```sh setup", "```sh solution");
        assert_eq!(
            kinds(&broken),
            [(
                26,
                CardErrorKind::LessonBlock {
                    info: "sh solution".into()
                }
            )]
        );
        let broken = RM.replace("$ rm -v a\n", "removed\n$ rm -v a\n");
        assert_eq!(kinds(&broken), [(31, CardErrorKind::OutputBeforeCommand)]);
        let broken = RM.replace("$ ls\n", "$\n");
        assert_eq!(kinds(&broken), [(33, CardErrorKind::EmptyCommand)]);
    }

    #[test]
    fn bad_names_and_summaries() {
        let broken = RM.replace("command = \"rm\"", "command = \"r m\"");
        assert!(matches!(
            kinds(&broken)[0],
            (2, CardErrorKind::BadCommandName { .. })
        ));
        assert!(is_command_name("[["));
        assert!(is_command_name("ssh-keygen"));
        assert!(!is_command_name("/bin/rm"));
    }
}
