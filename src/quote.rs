//! Quoting untrusted text in reports: a learner's output, a failing setup's output, a file's content.
//!
//! Whatever a report quotes is bounded, so that a setup running `yes` cannot turn a `verify` report into megabytes,
//! and says what it left out. (Characters a terminal would act on are neutralised where the text is written, by
//! `render::sanitize` or the JSON writer, since JSON keeps them as escapes.)

use sandbox::Outcome;

/// At most this many characters of one quoted text.
pub const MAX_CHARS: usize = 2000;
/// At most this many lines of one quoted text.
pub const MAX_LINES: usize = 20;

/// `text` cut to [`MAX_LINES`] lines and [`MAX_CHARS`] characters, with a note of how much was left out.
pub fn bounded(text: &str) -> String {
    let mut end = text.len();
    if let Some((index, _)) = text.match_indices('\n').nth(MAX_LINES - 1) {
        end = end.min(index);
    }
    if let Some((index, _)) = text.char_indices().nth(MAX_CHARS) {
        end = end.min(index);
    }
    if end == text.len() {
        return text.to_string();
    }
    let left_out = text[end..].chars().count();
    format!(
        "{}… ({left_out} more characters not shown)",
        text[..end].trim_end()
    )
}

/// Why a command run by the tutor itself (a lesson's setup) did not succeed: its status, the limit that ended it
/// if one did, and the end of its output, bounded.
pub fn failed_run(outcome: &Outcome) -> String {
    describe_run(
        outcome.status.code(),
        outcome.limit.map(|limit| limit.message()),
        &outcome.output_lossy(),
    )
}

/// [`failed_run`] from its parts.
fn describe_run(status: i32, limit: Option<&str>, output: &str) -> String {
    let mut text = format!("status {status}");
    if let Some(limit) = limit {
        text.push_str(&format!(" ({limit})"));
    }
    let output = output.trim();
    if output.is_empty() {
        text.push_str(", with no output");
    } else {
        text.push_str(": ");
        text.push_str(&bounded(&last_lines(output)));
    }
    text
}

/// The last [`MAX_LINES`] lines: where a failing script says why.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let skipped = lines.len().saturating_sub(MAX_LINES);
    let tail = lines[skipped..].join("\n");
    if skipped == 0 {
        tail
    } else {
        format!("({skipped} earlier lines not shown)\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(bounded("a\nb"), "a\nb");
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let quoted = bounded(&"y\n".repeat(1_000_000));
        assert!(quoted.len() < 200, "{quoted}");
        assert_eq!(quoted.lines().count(), MAX_LINES);
        assert!(quoted.ends_with("more characters not shown)"), "{quoted}");
        let one_line = bounded(&"é".repeat(10_000));
        assert_eq!(one_line.chars().filter(|c| *c == 'é').count(), MAX_CHARS);
    }

    #[test]
    fn a_run_ended_by_a_limit_names_it() {
        let message = "The command ran too long, so the tutor stopped it";
        assert_eq!(
            describe_run(137, Some(message), ""),
            format!("status 137 ({message}), with no output")
        );
        assert_eq!(describe_run(1, None, "oops\n"), "status 1: oops");
        let noisy = describe_run(141, None, &"y\n".repeat(500_000));
        assert!(noisy.len() < 200, "{noisy}");
    }

    #[test]
    fn the_end_of_a_long_output_is_kept() {
        let output = (1..=100)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let tail = last_lines(&output);
        assert!(
            tail.starts_with("(80 earlier lines not shown)\n81\n"),
            "{tail}"
        );
        assert!(tail.ends_with("\n100"));
    }
}
