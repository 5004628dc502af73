//! Reading one lesson file into a [`Lesson`], or every problem that stops it.
//!
//! The steps mirror what can go wrong, cheapest first: bytes (empty, binary, not UTF-8), front matter (missing,
//! bad TOML, unknown keys), then the Markdown itself (walked as comrak's AST): exercise sections, recognised
//! blocks, hints, ids. Line numbers come from comrak's source positions; the front matter is blanked out rather
//! than cut off, so those positions are the file's own.

use std::borrow::Cow;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{parse_document, Arena, Options};

use super::blocks::{self, BlockKind, Fence};
use super::error::{line_column, ErrorKind, LessonError};
use super::front_matter;
use super::quiz::Quiz;
use super::slug;
use super::{Exercise, Lesson, Located};
use crate::check::parse::CheckErrorKind;
use crate::check::{parse_check, Check};

const EXERCISE_PREFIX: &str = "Exercise:";

/// The largest lesson file accepted. Real lessons are a few KiB; this leaves room for long ones while bounding what a
/// stray or hostile file costs to read.
pub const MAX_LESSON_BYTES: u64 = 256 * 1024;

/// The most Markdown markup a lesson may hold (see [`markup_count`]). Markdown parsers spend a few hundred bytes per
/// syntax node, and a line of 1 MiB of `[` makes a million nodes (210 MB); counting first bounds a parse to about
/// 10 MiB whatever the file. Prose is about one markup character in eight, so this still allows a lesson of some
/// 150 KiB, many times the longest real one.
pub const MAX_MARKUP: usize = 20_000;

/// Parses a lesson from its bytes. `file` is how messages name it; `file_name` gives the default id.
pub fn parse_lesson(file: &str, file_name: &str, bytes: &[u8]) -> Result<Lesson, Vec<LessonError>> {
    let error = |line, column, kind| vec![LessonError::new(file, line, column, kind)];
    let text = decode(bytes).map_err(|(line, column, kind)| error(line, column, kind))?;
    let text = text.as_ref();
    let split = front_matter::split(text).map_err(|kind| error(1, 1, kind))?;
    let front = front_matter::parse(&split).map_err(|problems| {
        problems
            .into_iter()
            .map(|(line, column, kind)| LessonError::new(file, line, column, kind))
            .collect::<Vec<_>>()
    })?;

    let mut problems = Vec::new();
    let id = match &front.id {
        Some(id) => id.clone(),
        None => slug::lesson_id_from_file_name(file_name),
    };
    if !slug::is_valid_id(&id) {
        problems.push(LessonError::new(
            file,
            id_line(&split),
            1,
            ErrorKind::BadId { id: id.clone() },
        ));
    }
    if front.title.trim().is_empty() {
        problems.push(LessonError::new(file, 1, 1, ErrorKind::MissingTitle));
    }

    let markdown = blank_front_matter(text, split.lines);
    let mut warnings = Vec::new();
    let exercises = parse_body(file, &id, &markdown, &mut problems, &mut warnings);
    if exercises.is_empty() && problems.is_empty() {
        warnings.push(LessonError::new(file, 1, 1, ErrorKind::NoExercise));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(problems);
    }
    Ok(Lesson {
        id,
        title: front.title.trim().to_string(),
        requires: front.requires,
        teaches: front.teaches,
        source: file.to_string(),
        markdown,
        exercises,
        warnings,
    })
}

/// Checks the bytes are text a lesson can be: not too big, not empty, UTF-8, not binary, not mostly markup. Line
/// endings become `\n` (Windows' `\r\n` and old Macs' lone `\r` alike), so every later step sees the lines an
/// editor shows.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, (usize, usize, ErrorKind)> {
    if bytes.len() as u64 > MAX_LESSON_BYTES {
        return Err((
            1,
            1,
            ErrorKind::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_LESSON_BYTES,
            },
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err((1, 1, ErrorKind::Empty));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or("");
        let (line, column) = line_column(valid, valid.len());
        (line, column, ErrorKind::NotUtf8)
    })?;
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    if let Some(offset) =
        text.find(|c: char| c == '\0' || (c.is_control() && !c.is_whitespace() && c != '\u{1b}'))
    {
        let (line, column) = line_column(&text, offset);
        let reason = "it contains binary control bytes".to_string();
        return Err((line, column, ErrorKind::NotMarkdown { reason }));
    }
    if let Err(offset) = markup_count(&text) {
        let (line, column) = line_column(&text, offset);
        return Err((line, column, ErrorKind::TooMuchMarkup { limit: MAX_MARKUP }));
    }
    Ok(text)
}

/// Counts the bytes that can start a Markdown node (line ends and the punctuation of Markdown syntax), or gives the
/// offset at which the count passes [`MAX_MARKUP`]. The count errs high: ordinary prose is about one byte in ten.
fn markup_count(text: &str) -> Result<usize, usize> {
    let mut count = 0;
    for (offset, byte) in text.bytes().enumerate() {
        if matches!(
            byte,
            b'\n'
                | b'['
                | b']'
                | b'\\'
                | b'*'
                | b'_'
                | b'`'
                | b'<'
                | b'>'
                | b'&'
                | b'!'
                | b'~'
                | b'|'
                | b'#'
                | b'-'
                | b'+'
                | b'='
                | b'.'
                | b'@'
                | b':'
        ) {
            count += 1;
            if count > MAX_MARKUP {
                return Err(offset);
            }
        }
    }
    Ok(count)
}

fn id_line(split: &front_matter::Split<'_>) -> usize {
    split
        .toml
        .lines()
        .position(|line| line.trim_start().starts_with("id"))
        .map_or(1, |index| index + split.toml_line)
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

/// A level-1 or level-2 heading: where sections start and end.
struct Section {
    line: usize,
    column: usize,
    /// `Some(title)` for `## Exercise: <title>`.
    exercise_title: Option<String>,
}

fn parse_body(
    file: &str,
    lesson_id: &str,
    markdown: &str,
    problems: &mut Vec<LessonError>,
    warnings: &mut Vec<LessonError>,
) -> Vec<Exercise> {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &markdown_options());
    let sections = sections(root);
    let end_of_file = markdown.lines().count() + 1;

    let mut exercises: Vec<Exercise> = Vec::new();
    // Every exercise section's lines, with its index in `exercises` if it was accepted: blocks inside a rejected
    // section (no title, duplicate id) are skipped rather than reported again as "outside an exercise".
    let mut exercise_sections: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for (index, section) in sections.iter().enumerate() {
        let Some(title) = &section.exercise_title else {
            continue;
        };
        let end_line = sections
            .get(index + 1)
            .map_or(end_of_file, |next| next.line);
        let accepted = accept_exercise(file, lesson_id, title, section, end_line, &exercises);
        match accepted {
            Ok(exercise) => {
                exercise_sections.push((section.line, end_line, Some(exercises.len())));
                exercises.push(exercise);
            }
            Err(problem) => {
                exercise_sections.push((section.line, end_line, None));
                problems.push(problem);
            }
        }
    }

    for node in root.descendants() {
        let line = node.data().sourcepos.start.line;
        let column = node.data().sourcepos.start.column;
        let section = exercise_sections
            .iter()
            .find(|(start, end, _)| *start < line && line < *end);
        let exercise = match section {
            Some((_, _, None)) => continue,
            Some((_, _, Some(index))) => exercises.get_mut(*index),
            None => None,
        };
        let value = node.data().value.clone();
        match value {
            NodeValue::CodeBlock(block) if block.fenced => {
                if !block.closed {
                    let fence = char::from(block.fence_char)
                        .to_string()
                        .repeat(block.fence_length);
                    warnings.push(LessonError::new(
                        file,
                        line,
                        column,
                        ErrorKind::UnclosedFence { fence },
                    ));
                }
                let source = Source {
                    markdown,
                    line,
                    column,
                };
                collect_block(
                    file,
                    &source,
                    &block.info,
                    &block.literal,
                    exercise,
                    problems,
                );
            }
            NodeValue::BlockQuote => {
                if let Some(hint) = hint_of(node, markdown) {
                    match exercise {
                        Some(exercise) => exercise.hints.push(Located {
                            value: hint,
                            line,
                            column,
                        }),
                        None => problems.push(LessonError::new(
                            file,
                            line,
                            column,
                            ErrorKind::HintOutsideExercise,
                        )),
                    }
                }
            }
            _ => {}
        }
    }

    for exercise in &exercises {
        // Placeholders can name the exercise's random values, wherever its random block stands.
        let defined = exercise.random_names();
        for check in &exercise.checks {
            if let Err(error) = crate::check::parse::check_placeholders(check, &defined) {
                problems.push(LessonError::new(
                    file,
                    check.line,
                    error.column,
                    ErrorKind::BadCheck(error.kind),
                ));
            }
        }
        // A broken check block was reported already; "no check" on top of it would only repeat the problem.
        let reported_inside = problems
            .iter()
            .any(|p| exercise.line < p.line && p.line < exercise.end_line);
        if !exercise.has_checks() && !reported_inside {
            let kind = ErrorKind::NoCheck {
                id: exercise.id.clone(),
            };
            problems.push(LessonError::new(file, exercise.line, 1, kind));
        }
    }
    exercises
}

/// A new exercise for a `## Exercise:` section, or why the section cannot be one.
fn accept_exercise(
    file: &str,
    lesson_id: &str,
    title: &str,
    section: &Section,
    end_line: usize,
    earlier: &[Exercise],
) -> Result<Exercise, LessonError> {
    let at = |kind| LessonError::new(file, section.line, section.column, kind);
    if title.is_empty() {
        return Err(at(ErrorKind::EmptyExerciseTitle));
    }
    let slug = slug::slugify(title);
    if slug.is_empty() {
        return Err(at(ErrorKind::TitleWithoutId {
            title: title.to_string(),
        }));
    }
    let id = format!("{lesson_id}/{slug}");
    if let Some(first) = earlier.iter().find(|e| e.id == id) {
        return Err(at(ErrorKind::DuplicateExercise {
            id,
            first_line: first.line,
        }));
    }
    Ok(empty_exercise(id, title, section.line, end_line))
}

fn empty_exercise(id: String, title: &str, line: usize, end_line: usize) -> Exercise {
    Exercise {
        id,
        title: title.to_string(),
        line,
        end_line,
        setup: Vec::new(),
        checks: Vec::new(),
        shell_checks: Vec::new(),
        solution: None,
        keys_solution: None,
        random: Vec::new(),
        quiz: None,
        hints: Vec::new(),
    }
}

/// The top-level level-1 and level-2 headings, in order.
fn sections<'a>(root: &'a AstNode<'a>) -> Vec<Section> {
    root.children()
        .filter_map(|node| {
            let data = node.data();
            let NodeValue::Heading(heading) = &data.value else {
                return None;
            };
            if heading.level > 2 {
                return None;
            }
            let text = node.collect_text();
            let exercise_title = (heading.level == 2)
                .then(|| {
                    text.trim()
                        .strip_prefix(EXERCISE_PREFIX)
                        .map(|t| t.trim().to_string())
                })
                .flatten();
            Some(Section {
                line: data.sourcepos.start.line,
                column: data.sourcepos.start.column,
                exercise_title,
            })
        })
        .collect()
}

/// Where a fenced block starts in the lesson's Markdown.
struct Source<'a> {
    markdown: &'a str,
    line: usize,
    column: usize,
}

/// Files one fenced block into its exercise, or reports why it cannot be.
fn collect_block(
    file: &str,
    source: &Source<'_>,
    info: &str,
    literal: &str,
    exercise: Option<&mut Exercise>,
    problems: &mut Vec<LessonError>,
) {
    let (line, column) = (source.line, source.column);
    let kind = match blocks::classify(info) {
        Fence::Display => return,
        Fence::Unknown { suggestion } => {
            let kind = ErrorKind::UnknownBlock {
                info: info.trim().to_string(),
                suggestion,
            };
            problems.push(LessonError::new(file, line, column, kind));
            return;
        }
        Fence::Kind(kind) => kind,
    };
    let info = kind.info_string();
    let Some(exercise) = exercise else {
        problems.push(LessonError::new(
            file,
            line,
            column,
            ErrorKind::BlockOutsideExercise { info },
        ));
        return;
    };
    if literal.trim().is_empty() {
        problems.push(LessonError::new(
            file,
            line,
            column,
            ErrorKind::EmptyBlock { info },
        ));
        return;
    }
    // Content starts on the line after the opening fence.
    let content_line = line + 1;
    let script = Located {
        value: literal.to_string(),
        line: content_line,
        column: 1,
    };
    let duplicate = |first_line| {
        LessonError::new(
            file,
            line,
            column,
            ErrorKind::DuplicateBlock { info, first_line },
        )
    };
    match kind {
        BlockKind::Setup => exercise.setup.push(script),
        BlockKind::ShellCheck => exercise.shell_checks.push(script),
        BlockKind::Check => {
            let (checks, mut errors) = check_lines(file, literal, content_line, source.markdown);
            exercise.checks.extend(checks);
            problems.append(&mut errors);
        }
        BlockKind::Solution => match (&exercise.solution, &exercise.keys_solution) {
            (Some(first), _) => problems.push(duplicate(first.line - 1)),
            (None, Some(keys)) => problems.push(LessonError::new(
                file,
                line,
                column,
                ErrorKind::TwoSolutions {
                    first_line: keys.line - 1,
                },
            )),
            (None, None) => exercise.solution = Some(script),
        },
        BlockKind::KeysSolution => {
            if let Some(first) = &exercise.solution {
                problems.push(LessonError::new(
                    file,
                    line,
                    column,
                    ErrorKind::TwoSolutions {
                        first_line: first.line - 1,
                    },
                ));
                return;
            }
            if let Some(first) = &exercise.keys_solution {
                problems.push(duplicate(first.line - 1));
                return;
            }
            match super::keys::parse(literal, crate::attempt::is_complete) {
                Ok(lines) => {
                    exercise.keys_solution = Some(Located {
                        value: (literal.to_string(), lines),
                        line: content_line,
                        column: 1,
                    })
                }
                Err(error) => problems.push(LessonError::new(
                    file,
                    content_line + error.line,
                    error.column,
                    ErrorKind::BadKeys(error.message),
                )),
            }
        }
        BlockKind::Random => {
            // Names of earlier `random` blocks count as taken, as the built-in placeholders do.
            let taken: Vec<&str> = crate::check::text::PLACEHOLDERS
                .iter()
                .copied()
                .chain(exercise.random.iter().map(|value| value.name.as_str()))
                .collect();
            match super::random::parse(literal, content_line, &taken) {
                Ok(values) => exercise.random.extend(values),
                Err(error) => problems.push(LessonError::new(
                    file,
                    error.line,
                    error.column,
                    ErrorKind::BadRandom(error.message),
                )),
            }
        }
        BlockKind::Quiz => match (&exercise.quiz, Quiz::parse(literal)) {
            (Some(first), _) => problems.push(duplicate(first.line - 1)),
            (None, Ok(quiz)) => {
                exercise.quiz = Some(Located {
                    value: quiz,
                    line: content_line,
                    column: 1,
                })
            }
            (None, Err(error)) => {
                let error_line = quiz_error_line(&error).map_or(line, |l| content_line + l - 1);
                problems.push(LessonError::new(
                    file,
                    error_line,
                    1,
                    ErrorKind::BadQuiz(error),
                ));
            }
        },
    }
}

fn quiz_error_line(error: &super::quiz::QuizError) -> Option<usize> {
    use super::quiz::QuizError;
    match error {
        QuizError::TextAfterOptions { line } | QuizError::EmptyOption { line } => Some(*line),
        _ => None,
    }
}

/// The assertions of a `check` block (blank lines and `#` comments skipped), and the lines that are not ones.
///
/// Columns are the file's: a block inside a list item or a quote has its lines' prefixes removed by the Markdown
/// parser, so each line's own indentation is added to how far its text sits in the file's line.
fn check_lines(
    file: &str,
    literal: &str,
    first_line: usize,
    markdown: &str,
) -> (Vec<Check>, Vec<LessonError>) {
    let mut checks = Vec::new();
    let mut problems = Vec::new();
    let file_lines: Vec<&str> = markdown
        .lines()
        .skip(first_line.saturating_sub(1))
        .take(literal.lines().count())
        .collect();
    for (index, line) in literal.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let prefix = file_lines
            .get(index)
            .and_then(|file_line| file_line.strip_suffix(line))
            .map_or(0, |prefix| prefix.chars().count());
        let indent = prefix + line.chars().take_while(|c| c.is_whitespace()).count();
        let line_number = first_line + index;
        match parse_check(line.trim_start(), line_number, indent) {
            Ok(check) => checks.push(Check {
                source: trimmed.to_string(),
                ..check
            }),
            Err(error) => problems.push(LessonError::new(
                file,
                line_number,
                error.column,
                lesson_check_error(error.kind),
            )),
        }
    }
    (checks, problems)
}

/// A check's parse error as a lesson error; an empty path is named as such rather than as one leaving the sandbox.
fn lesson_check_error(kind: CheckErrorKind) -> ErrorKind {
    match kind {
        CheckErrorKind::OutsideSandbox { path } if path.trim().is_empty() => ErrorKind::EmptyPath,
        other => ErrorKind::BadCheck(other),
    }
}

/// If the block quote is a hint, its Markdown text without the `Hint:` label.
fn hint_of<'a>(node: &'a AstNode<'a>, markdown: &str) -> Option<String> {
    let first = node.first_child()?;
    if !matches!(first.data().value, NodeValue::Paragraph) {
        return None;
    }
    blocks::hint_text(&first.collect_text())?;
    let position = node.data().sourcepos;
    let source: Vec<&str> = markdown
        .lines()
        .skip(position.start.line.saturating_sub(1))
        .take(position.end.line + 1 - position.start.line)
        .map(strip_quote_marker)
        .collect();
    let source = source.join("\n");
    let text = source.trim_start().strip_prefix("Hint:").unwrap_or(&source);
    Some(text.trim().to_string())
}

fn strip_quote_marker(line: &str) -> &str {
    let trimmed = line.trim_start();
    match trimmed.strip_prefix('>') {
        Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
        None => trimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\ntitle = \"Making folders\"\nteaches = [\"mkdir\"]\n+++\n\n# Making folders\n\nIntro.\n\n## Exercise: Make a folder\n\nMake `a`.\n\n```sh setup\nrm -rf a\n```\n\n> Hint: Use `mkdir`.\n\n> Hint: `mkdir a`\n\n```check\n# a comment\ndir a\n\n  missing b\n```\n\n```sh solution\nmkdir a\n```\n\n## Afterword\n\nText.\n";

    fn parse(text: &str) -> Result<Lesson, Vec<LessonError>> {
        parse_lesson("l/03-mkdir.md", "03-mkdir.md", text.as_bytes())
    }

    /// The single error a broken lesson gives, as (line, column, kind).
    fn only_error(text: &str) -> (usize, usize, ErrorKind) {
        let errors = parse(text).expect_err("the lesson is broken");
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let error = errors.into_iter().next().expect("one error");
        assert_eq!(error.file, "l/03-mkdir.md");
        (error.line, error.column, error.kind)
    }

    fn lesson_with(exercise_body: &str) -> String {
        format!("+++\ntitle = \"T\"\n+++\n\n## Exercise: Do it\n\n{exercise_body}\n")
    }

    #[test]
    fn parses_a_complete_lesson_with_positions() {
        let lesson = parse(GOOD).expect("valid lesson");
        assert_eq!(lesson.id, "mkdir");
        assert_eq!(lesson.title, "Making folders");
        assert_eq!(lesson.teaches, ["mkdir"]);
        assert_eq!(lesson.exercises.len(), 1);
        let exercise = &lesson.exercises[0];
        assert_eq!(exercise.id, "mkdir/make-a-folder");
        assert_eq!((exercise.line, exercise.end_line), (10, 33));
        assert_eq!(exercise.setup[0].value, "rm -rf a\n");
        assert_eq!(exercise.setup[0].line, 15);
        let checks: Vec<_> = exercise
            .checks
            .iter()
            .map(|c| (c.source.as_str(), c.line))
            .collect();
        assert_eq!(checks, [("dir a", 24), ("missing b", 26)]);
        assert_eq!(
            exercise.solution.as_ref().map(|s| s.value.as_str()),
            Some("mkdir a\n")
        );
        let hints: Vec<_> = exercise.hints.iter().map(|h| h.value.as_str()).collect();
        assert_eq!(hints, ["Use `mkdir`.", "`mkdir a`"]);
        assert!(lesson.markdown.starts_with("\n\n\n\n\n# Making folders"));
        assert!(lesson
            .markdown_lines(exercise.line, exercise.end_line)
            .starts_with("## Exercise: Make a folder\n"));
    }

    #[test]
    fn id_from_front_matter_wins() {
        let lesson = parse("+++\nid = \"folders\"\ntitle = \"T\"\n+++\n").expect("valid");
        assert_eq!(lesson.id, "folders");
        assert!(lesson.exercises.is_empty());
    }

    #[test]
    fn quiz_exercises_need_no_other_check() {
        let lesson = parse(&lesson_with("```quiz\nQ?\n- [x] yes\n- [ ] no\n```")).expect("valid");
        let quiz = lesson.exercises[0].quiz.as_ref().expect("quiz");
        assert_eq!(quiz.value.question, "Q?");
        assert_eq!(quiz.line, 8);
    }

    #[test]
    fn empty_file() {
        assert_eq!(only_error(""), (1, 1, ErrorKind::Empty));
        assert_eq!(only_error(" \n\n"), (1, 1, ErrorKind::Empty));
    }

    #[test]
    fn non_utf8_file_points_at_the_bad_byte() {
        let errors =
            parse_lesson("x.md", "x.md", b"+++\ntitle = \"caf\xe9\"\n").expect_err("broken");
        assert_eq!(
            (errors[0].line, errors[0].column, &errors[0].kind),
            (2, 13, &ErrorKind::NotUtf8)
        );
    }

    #[test]
    fn binary_file_is_not_markdown() {
        let (line, _, kind) = only_error("\u{89}PNG\r\n\u{1a}\n\0\0\0");
        assert_eq!(line, 1);
        assert!(matches!(kind, ErrorKind::NotMarkdown { .. }));
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert_eq!(
            only_error("# Just Markdown\n"),
            (1, 1, ErrorKind::MissingFrontMatter)
        );
        assert_eq!(
            only_error("{\"json\": true}"),
            (1, 1, ErrorKind::MissingFrontMatter)
        );
        assert_eq!(
            only_error("+++\ntitle = \"T\"\n# Body"),
            (1, 1, ErrorKind::UnclosedFrontMatter)
        );
    }

    #[test]
    fn bad_toml() {
        let (line, _, kind) = only_error("+++\ntitle = \"T\"\nrequires = [\n+++\n");
        assert!(line >= 3);
        assert!(matches!(kind, ErrorKind::BadToml { .. }), "{kind:?}");
    }

    #[test]
    fn unknown_front_matter_key() {
        let (line, column, kind) = only_error("+++\ntitle = \"T\"\nrequire = [\"vi\"]\n+++\n");
        assert_eq!((line, column), (3, 1));
        assert_eq!(
            kind,
            ErrorKind::UnknownKey {
                key: "require".into(),
                suggestion: Some("requires".into())
            }
        );
    }

    #[test]
    fn missing_title_and_bad_id() {
        assert_eq!(
            only_error("+++\nrequires = []\n+++\n"),
            (1, 1, ErrorKind::MissingTitle)
        );
        assert_eq!(
            only_error("+++\ntitle = \"T\"\nid = \"Bad Id\"\n+++\n"),
            (
                3,
                1,
                ErrorKind::BadId {
                    id: "Bad Id".into()
                }
            )
        );
    }

    #[test]
    fn unknown_block_kind_inside_an_exercise() {
        let (line, column, kind) = only_error(&lesson_with(
            "```check\nexists a\n```\n\n```sh setpu\ntouch a\n```",
        ));
        assert_eq!((line, column), (11, 1));
        assert_eq!(
            kind,
            ErrorKind::UnknownBlock {
                info: "sh setpu".into(),
                suggestion: Some("sh setup")
            }
        );
    }

    #[test]
    fn recognised_blocks_and_hints_outside_exercises() {
        let text = "+++\ntitle = \"T\"\n+++\n\n```sh solution\nls\n```\n\n> Hint: no\n";
        let errors = parse(text).expect_err("broken");
        let kinds: Vec<_> = errors.iter().map(|e| (e.line, e.kind.clone())).collect();
        assert_eq!(
            kinds,
            [
                (
                    5,
                    ErrorKind::BlockOutsideExercise {
                        info: "sh solution"
                    }
                ),
                (9, ErrorKind::HintOutsideExercise)
            ]
        );
    }

    #[test]
    fn exercise_without_any_check() {
        let (line, column, kind) =
            only_error(&lesson_with("Just words.\n\n```sh solution\nls\n```"));
        assert_eq!((line, column), (5, 1));
        assert_eq!(
            kind,
            ErrorKind::NoCheck {
                id: "03-mkdir/do-it".replace("03-mkdir", "mkdir")
            }
        );
    }

    #[test]
    fn duplicate_exercise_ids() {
        let exercise = "## Exercise: Do it!\n\n```check\nexists a\n```\n\n";
        let text = format!("+++\ntitle = \"T\"\n+++\n\n{exercise}{exercise}");
        let (line, _, kind) = only_error(&text);
        assert_eq!(line, 11);
        assert_eq!(
            kind,
            ErrorKind::DuplicateExercise {
                id: "mkdir/do-it".into(),
                first_line: 5
            }
        );
    }

    #[test]
    fn empty_exercise_title_and_empty_block() {
        let text = "+++\ntitle = \"T\"\n+++\n\n## Exercise:\n\n## Exercise: X\n\n```check\n```\n";
        let errors = parse(text).expect_err("broken");
        let kinds: Vec<_> = errors.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                ErrorKind::EmptyExerciseTitle,
                ErrorKind::EmptyBlock { info: "check" }
            ]
        );
    }

    #[test]
    fn second_solution_and_bad_quiz() {
        let (line, _, kind) = only_error(&lesson_with(
            "```check\nexists a\n```\n```sh solution\na\n```\n```sh solution\nb\n```",
        ));
        assert_eq!(line, 13);
        assert_eq!(
            kind,
            ErrorKind::DuplicateBlock {
                info: "sh solution",
                first_line: 10
            }
        );

        let (line, _, kind) = only_error(&lesson_with("```quiz\nQ?\n- [ ] a\n- [ ] b\n```"));
        assert_eq!(line, 7);
        assert_eq!(
            kind,
            ErrorKind::BadQuiz(super::super::quiz::QuizError::NoCorrectOption)
        );
    }

    #[test]
    fn display_code_in_an_exercise_is_fine() {
        let lesson = parse(&lesson_with(
            "```sh\nmkdir -p a/b\n```\n\n```check\nexists a\n```",
        ))
        .expect("valid");
        assert_eq!(lesson.exercises[0].checks.len(), 1);
    }
}

#[cfg(test)]
mod edge_case_tests {
    use super::*;

    fn parse(text: &str) -> Result<Lesson, Vec<LessonError>> {
        parse_lesson("x.md", "01-x.md", text.as_bytes())
    }

    fn errors(text: &str) -> Vec<(usize, usize, ErrorKind)> {
        parse(text)
            .expect_err("the lesson is broken")
            .into_iter()
            .map(|e| (e.line, e.column, e.kind))
            .collect()
    }

    #[test]
    fn a_title_without_letters_gives_no_id() {
        let text = "+++\ntitle = \"T\"\n+++\n\n## Exercise: !!!\n\n```check\nexists a\n```\n";
        assert_eq!(
            errors(text),
            [(
                5,
                1,
                ErrorKind::TitleWithoutId {
                    title: "!!!".into()
                }
            )]
        );
    }

    #[test]
    fn check_columns_count_the_list_or_quote_around_the_block() {
        for (text, column) in [
            ("- step\n\n   ```check\n   exists /etc\n   ```\n", 11),
            ("> ```check\n> exists /etc\n> ```\n", 10),
            ("> - ```check\n>   exists /etc\n>   ```\n", 12),
        ] {
            let lesson = format!("+++\ntitle = \"T\"\n+++\n\n## Exercise: X\n\n{text}");
            let found = errors(&lesson);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert_eq!(found[0].1, column, "{text:?}");
            let line = lesson.lines().nth(found[0].0 - 1).expect("the line");
            let at: String = line.chars().skip(column - 1).collect();
            assert!(
                at.starts_with("/etc"),
                "{text:?}: column {column} is at {at:?}"
            );
        }
    }

    #[test]
    fn any_line_ending_works() {
        let lf = "+++\ntitle = \"T\"\n+++\n\n## Exercise: X\n\n```sh setup\ntouch a\n```\n\n```check\nexists a\n```\n";
        for text in [
            lf.to_string(),
            lf.replace('\n', "\r\n"),
            lf.replace('\n', "\r"),
        ] {
            let lesson = parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            let exercise = &lesson.exercises[0];
            assert_eq!(exercise.setup[0].value, "touch a\n", "{text:?}");
            assert_eq!(exercise.checks[0].line, 12, "{text:?}");
        }
    }

    #[test]
    fn an_empty_path_is_named_as_such() {
        let text = "+++\ntitle = \"T\"\n+++\n\n## Exercise: X\n\n```check\nexists \"\"\n```\n";
        let found = errors(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, ErrorKind::EmptyPath);
        assert!(!found[0].2.to_string().contains("leaves the sandbox"));
    }

    #[test]
    fn a_fence_never_closed_and_a_lesson_without_exercises_are_warned_about() {
        let text = "+++\ntitle = \"T\"\n+++\n\n````console\n$ ls\n```\n\n## Exercise: X\n\n```check\nexists a\n```\n";
        let lesson = parse(text).expect("it parses: everything after the fence is code");
        assert!(lesson.exercises.is_empty());
        let warnings: Vec<_> = lesson
            .warnings
            .iter()
            .map(|w| (w.line, w.column, w.kind.clone()))
            .collect();
        assert_eq!(
            warnings,
            [
                (
                    5,
                    1,
                    ErrorKind::UnclosedFence {
                        fence: "````".into()
                    }
                ),
                (1, 1, ErrorKind::NoExercise)
            ]
        );
        let good = "+++\ntitle = \"T\"\n+++\n\n## Exercise: X\n\n```check\nexists a\n```\n";
        assert!(parse(good).expect("valid").warnings.is_empty());
    }

    #[test]
    fn size_and_markup_are_capped_before_parsing() {
        let big = format!(
            "+++\ntitle = \"T\"\n+++\n{}",
            "a".repeat(MAX_LESSON_BYTES as usize)
        );
        assert!(matches!(errors(&big)[0].2, ErrorKind::TooLarge { .. }));
        for pattern in ["[", "\\\\", "> ", "*a", "a\n\n", "- "] {
            let body = pattern.repeat(MAX_MARKUP);
            let text = format!("+++\ntitle = \"T\"\n+++\n{body}");
            let found = errors(&text);
            assert!(
                matches!(found[0].2, ErrorKind::TooMuchMarkup { .. }),
                "{pattern:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_real_lesson_many_times_longer_fits_the_markup_limit() {
        for (name, bytes) in crate::embedded::LESSONS {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            let count = markup_count(text).expect("below the limit");
            // A lesson with the same mix of prose and markup, 100 KiB long, still fits.
            let scaled = count * 100 * 1024 / text.len();
            assert!(scaled < MAX_MARKUP, "{name}: {scaled}");
        }
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    #[test]
    fn a_bad_check_line_is_located_at_its_column() {
        let text = "+++\ntitle = \"T\"\n+++\n\n## Exercise: X\n\n```check\nexists a\n  exists /etc/passwd\n```\n";
        let errors = parse_lesson("x.md", "x.md", text.as_bytes()).expect_err("broken");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (9, 10));
        assert!(matches!(errors[0].kind, ErrorKind::BadCheck(_)));
        assert!(
            errors[0].to_string().contains("leaves the sandbox"),
            "{}",
            errors[0]
        );
    }
}
