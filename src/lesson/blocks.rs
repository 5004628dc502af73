//! The fenced-block kinds a lesson can contain, recognised by their info string.
//!
//! Shared by the loader (which turns them into typed values) and the renderer (which hides the ones a learner
//! must not see, such as solutions), so both agree on what each info string means.

/// A fenced block with a meaning to the tutor, not only to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// ```` ```sh setup ````: commands run in the sandbox before the exercise starts.
    Setup,
    /// ```` ```check ````: declarative assertions, one per line.
    Check,
    /// ```` ```sh check ````: a script run in the sandbox; exit 0 passes.
    ShellCheck,
    /// ```` ```sh solution ````: the reference solution, hidden until asked for.
    Solution,
    /// ```` ```quiz ````: a multiple-choice question.
    Quiz,
    /// ```` ```keys solution ````: the reference solution as keystrokes typed into a terminal (vi, Ctrl-D).
    KeysSolution,
    /// ```` ```random ````: values made anew for each attempt (a token, a name, a number).
    Random,
}

impl BlockKind {
    /// Every kind with the info string that introduces it, in the order the docs list them.
    pub const ALL: [(BlockKind, &'static str); 7] = [
        (BlockKind::Setup, "sh setup"),
        (BlockKind::Check, "check"),
        (BlockKind::ShellCheck, "sh check"),
        (BlockKind::Solution, "sh solution"),
        (BlockKind::Quiz, "quiz"),
        (BlockKind::KeysSolution, "keys solution"),
        (BlockKind::Random, "random"),
    ];

    /// The info string that introduces this kind.
    pub fn info_string(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, info)| info)
    }

    /// Whether a learner reading the lesson may see the block's content.
    pub fn is_shown_to_learner(self) -> bool {
        matches!(self, BlockKind::Quiz)
    }
}

/// What a fenced block's info string makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fence {
    /// A block the tutor acts on.
    Kind(BlockKind),
    /// Ordinary code for the reader (`sh`, `console`, `nginx`, no info string, ...).
    Display,
    /// Looks like it was meant to be a tutor block but is not one; `suggestion` is the closest real kind.
    Unknown { suggestion: Option<&'static str> },
}

/// Words that only make sense as the second word of a tutor block, or alone as a misspelt one.
const KIND_WORDS: [&str; 5] = ["setup", "check", "solution", "quiz", "random"];

/// Classifies an info string.
///
/// The rule, documented in `docs/lesson-format.md`: a known info string is a tutor block; an info string of two or
/// more words is an error unless known (a one-word language such as `sh` stays free for examples); a single word
/// that is, or is within two edits of, a tutor word (`setup`, `chek`, `solutoin`, `quizz`) is an error too, because
/// the author almost certainly meant a tutor block and a silent display block would hide the mistake.
pub fn classify(info: &str) -> Fence {
    let words: Vec<&str> = info.split_whitespace().collect();
    let normalised = words.join(" ");
    if let Some((kind, _)) = BlockKind::ALL.iter().find(|(_, s)| *s == normalised) {
        return Fence::Kind(*kind);
    }
    match words.as_slice() {
        [] => Fence::Display,
        [word] => {
            let lower = word.to_ascii_lowercase();
            if KIND_WORDS
                .iter()
                .any(|k| strsim::levenshtein(k, &lower) <= 2)
            {
                Fence::Unknown {
                    suggestion: closest_kind(&lower),
                }
            } else {
                Fence::Display
            }
        }
        _ => Fence::Unknown {
            suggestion: closest_kind(&normalised.to_ascii_lowercase()),
        },
    }
}

/// The known info string closest to `info`, if any is reasonably close.
fn closest_kind(info: &str) -> Option<&'static str> {
    BlockKind::ALL
        .iter()
        .map(|(_, known)| (strsim::levenshtein(known, info), *known))
        .chain(
            // `setup` alone is closest to `sh setup`, `solution` alone to `sh solution`.
            KIND_WORDS.iter().filter_map(|word| {
                let full = BlockKind::ALL
                    .iter()
                    .find(|(_, s)| s.ends_with(word))
                    .map(|(_, s)| *s)?;
                let last = info.rsplit(' ').next().unwrap_or(info);
                Some((strsim::levenshtein(word, last), full))
            }),
        )
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// If a blockquote's text starts with `Hint:`, the hint text after it (trimmed).
pub fn hint_text(blockquote_text: &str) -> Option<&str> {
    let trimmed = blockquote_text.trim_start();
    let rest = trimmed.strip_prefix("Hint:")?;
    Some(rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_kinds_are_recognised_with_any_spacing() {
        assert_eq!(classify("sh setup"), Fence::Kind(BlockKind::Setup));
        assert_eq!(classify("sh   solution"), Fence::Kind(BlockKind::Solution));
        assert_eq!(classify("check"), Fence::Kind(BlockKind::Check));
        assert_eq!(classify("sh check"), Fence::Kind(BlockKind::ShellCheck));
        assert_eq!(classify("quiz"), Fence::Kind(BlockKind::Quiz));
        assert_eq!(
            classify("keys  solution"),
            Fence::Kind(BlockKind::KeysSolution)
        );
        assert_eq!(classify("random"), Fence::Kind(BlockKind::Random));
    }

    #[test]
    fn plain_languages_are_display_code() {
        for info in ["", "sh", "bash", "console", "nginx", "text", "toml"] {
            assert_eq!(classify(info), Fence::Display, "{info}");
        }
    }

    #[test]
    fn misspelt_kinds_are_unknown_with_a_suggestion() {
        assert_eq!(
            classify("sh setpu"),
            Fence::Unknown {
                suggestion: Some("sh setup")
            }
        );
        assert_eq!(
            classify("chek"),
            Fence::Unknown {
                suggestion: Some("check")
            }
        );
        assert_eq!(
            classify("solution"),
            Fence::Unknown {
                suggestion: Some("sh solution")
            }
        );
        assert_eq!(
            classify("python solution"),
            Fence::Unknown {
                suggestion: Some("sh solution")
            }
        );
    }

    #[test]
    fn unrelated_multi_word_info_is_unknown_without_suggestion() {
        assert_eq!(
            classify("rust ignore,no_run"),
            Fence::Unknown { suggestion: None }
        );
    }

    #[test]
    fn hints_need_the_prefix() {
        assert_eq!(hint_text("Hint: use `whoami`"), Some("use `whoami`"));
        assert_eq!(hint_text("  Hint:x"), Some("x"));
        assert_eq!(hint_text("Note: not a hint"), None);
    }

    #[test]
    fn only_quizzes_are_shown() {
        assert!(BlockKind::Quiz.is_shown_to_learner());
        assert!(!BlockKind::Solution.is_shown_to_learner());
        assert!(!BlockKind::KeysSolution.is_shown_to_learner());
        assert!(!BlockKind::Random.is_shown_to_learner());
        assert_eq!(BlockKind::Solution.info_string(), "sh solution");
    }
}
