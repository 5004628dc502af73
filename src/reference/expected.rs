//! Comparing what a proven example's command printed with the output the card shows.
//!
//! The rule, documented in `docs/reference-format.md`: `\r\n` is `\n`; trailing spaces on a line and trailing blank
//! lines do not count; a line `...` alone matches any number of lines (none included); `{user}` and `{home}` stand
//! for the learner's name and home folder. Everything else must be equal, so a card cannot show output the tool
//! does not print.

/// The values placeholders stand for in one sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders {
    pub user: String,
    pub home: String,
}

impl Placeholders {
    fn expand(&self, line: &str) -> String {
        line.replace("{user}", &self.user)
            .replace("{home}", &self.home)
    }
}

/// The line that matches any number of lines.
pub const ELLIPSIS: &str = "...";

/// Whether `output` is what `expected` shows.
pub fn matches(expected: &[String], output: &str, placeholders: &Placeholders) -> bool {
    let expected = normalise_expected(expected, placeholders);
    let found = normalise_output(output);
    wildcard_match(&expected, &found)
}

/// The expected lines as compared: placeholders expanded, trailing spaces and blank lines dropped.
pub fn normalise_expected(expected: &[String], placeholders: &Placeholders) -> Vec<String> {
    trim_lines(expected.iter().map(|line| placeholders.expand(line)))
}

/// The output as compared: `\r\n` made `\n`, trailing spaces and blank lines dropped.
pub fn normalise_output(output: &str) -> Vec<String> {
    let output = output.replace("\r\n", "\n");
    trim_lines(output.lines().map(str::to_string))
}

fn trim_lines(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut lines: Vec<String> = lines.map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Matches lines against a pattern whose `...` lines match any run of lines, in O(pattern × lines).
fn wildcard_match(pattern: &[String], lines: &[String]) -> bool {
    // reachable[j]: the pattern so far can match exactly the first j lines.
    let mut reachable = vec![false; lines.len() + 1];
    reachable[0] = true;
    for item in pattern {
        let mut next = vec![false; lines.len() + 1];
        if item == ELLIPSIS {
            let mut any = false;
            for j in 0..=lines.len() {
                any |= reachable[j];
                next[j] = any;
            }
        } else {
            for j in 0..lines.len() {
                if reachable[j] && lines[j] == *item {
                    next[j + 1] = true;
                }
            }
        }
        reachable = next;
    }
    reachable[lines.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders() -> Placeholders {
        Placeholders {
            user: "alice".into(),
            home: "/home/alice".into(),
        }
    }

    fn check(expected: &[&str], output: &str) -> bool {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        matches(&expected, output, &placeholders())
    }

    #[test]
    fn exact_output_matches_and_wrong_output_does_not() {
        assert!(check(&["a", "b"], "a\nb\n"));
        assert!(!check(&["a", "b"], "a\nc\n"));
        assert!(!check(&["a"], "a\nb\n"));
        assert!(!check(&["a", "b"], "a\n"));
        assert!(check(&[], ""));
        assert!(!check(&[], "something\n"));
    }

    #[test]
    fn whitespace_rules() {
        assert!(check(&["a  ", "b", "", ""], "a\r\nb   \r\n\n\n"));
        assert!(!check(&[" a"], "a\n"), "leading spaces count");
        assert!(check(&["a", "", "b"], "a\n\nb\n"));
        assert!(!check(&["a", "b"], "a\n\nb\n"), "inner blank lines count");
    }

    #[test]
    fn ellipsis_matches_any_number_of_lines() {
        assert!(check(&["first", "...", "last"], "first\nlast\n"));
        assert!(check(&["first", "...", "last"], "first\n1\n2\n3\nlast\n"));
        assert!(check(&["..."], ""));
        assert!(check(&["...", "x", "..."], "a\nx\nb\n"));
        assert!(!check(&["first", "...", "last"], "first\n1\n"));
        assert!(!check(&["...", "x"], "x\ny\n"));
    }

    #[test]
    fn placeholders_expand() {
        assert!(check(
            &["{user} lives in {home}"],
            "alice lives in /home/alice\n"
        ));
        assert!(!check(&["{user}"], "bob\n"));
    }
}
