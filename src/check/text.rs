//! The whitespace rule for comparing text, and placeholders in check strings.
//!
//! The rule (documented in docs/lesson-format.md): line endings are normalised (`\r\n` and lone `\r` become `\n`,
//! since a terminal's output uses `\r\n`); for `equals`, spaces and tabs at the end of each line and blank lines
//! at the end are ignored, everything else counts. `contains` and `matches` see the normalised text as is.
//! cmdchallenge's learners spent years tripping over trailing newlines; they should not decide a result.

/// `\r\n` and lone `\r` become `\n`.
pub fn normalise_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The text as `equals` compares it.
pub fn for_equality(text: &str) -> String {
    let normalised = normalise_newlines(text);
    let lines: Vec<&str> = normalised
        .lines()
        .map(|l| l.trim_end_matches([' ', '\t']))
        .collect();
    let mut joined = lines.join("\n");
    while joined.ends_with('\n') {
        joined.pop();
    }
    joined
}

/// Values for the placeholders in check strings, task text, setup and solutions: the built-in ones (`{user}`,
/// `{home}`, `{cwd}`, `{uid}`, `{gid}`, `{group}`, `{hostname}`) and the exercise's random values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    pub user: String,
    /// The home folder as the learner's commands see it.
    pub home: String,
    /// The working directory as the learner's commands see it.
    pub cwd: String,
    /// Everything else: the learner's ids and group, the host name, and random values.
    pub values: Vec<(String, String)>,
}

/// The built-in placeholder names.
pub const PLACEHOLDERS: [&str; 7] = ["user", "home", "cwd", "uid", "gid", "group", "hostname"];

impl Placeholders {
    /// Replaces every known `{name}`; `{{` and `}}` stand for literal braces, and an unknown `{name}` stays as it is
    /// (lesson loading has reported it already, or it is shell syntax in a script).
    pub fn expand(&self, text: &str) -> String {
        self.expand_with(text, true, false)
    }

    /// Replaces every known `{name}` in a regular expression by its value, escaped (a user name with a `.` in it
    /// matches only a `.`); every other brace is regex syntax (`\d{2}`) and stays.
    pub fn expand_regex(&self, text: &str) -> String {
        self.expand_with(text, false, true)
    }

    /// Replaces every known `{name}` in a shell script, leaving every other brace alone (`{a,b}`, `${x}`, `{}`,
    /// `}}`); only `{{name}}` is an escape, for a literal `{name}`.
    pub fn expand_script(&self, text: &str) -> String {
        self.expand_with(text, false, false)
    }

    fn expand_with(&self, text: &str, escapes: bool, regex_values: bool) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(['{', '}']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            if escapes {
                if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
                    out.push_str(&tail[..1]);
                    rest = after;
                    continue;
                }
            } else if let Some(length) = escaped_name_length(tail) {
                out.push_str(&tail[1..length - 1]);
                rest = &tail[length..];
                continue;
            }
            let value = tail
                .strip_prefix('{')
                .and_then(|inner| inner.split_once('}'))
                .and_then(|(name, _)| self.value(name).map(|value| (value, name.len() + 2)));
            match value {
                Some((value, length)) if regex_values => {
                    out.push_str(&regex::escape(value));
                    rest = &tail[length..];
                }
                Some((value, length)) => {
                    out.push_str(value);
                    rest = &tail[length..];
                }
                None => {
                    out.push_str(&tail[..1]);
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn value(&self, name: &str) -> Option<&str> {
        match name {
            "user" => Some(&self.user),
            "home" => Some(&self.home),
            "cwd" => Some(&self.cwd),
            other => self
                .values
                .iter()
                .find(|(key, _)| key == other)
                .map(|(_, value)| value.as_str()),
        }
    }
}

/// The length of `{{name}}` at the start of `text`, a name's escape in a script.
fn escaped_name_length(text: &str) -> Option<usize> {
    let inner = text.strip_prefix("{{")?;
    let end = inner.find("}}")?;
    let name = &inner[..end];
    is_placeholder_name(name).then_some(end + 4)
}

/// A placeholder's name: a letter or `_`, then letters, digits and `_` (so `{2}` in a regex is not one).
pub fn is_placeholder_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every `{name}` placeholder in `text` (names of letters, digits and `_`), `{{`/`}}` escapes skipped.
pub fn placeholder_names(text: &str) -> Vec<String> {
    let without_escapes = text.replace("{{", "").replace("}}", "");
    let mut names = Vec::new();
    let mut rest = without_escapes.as_str();
    while let Some(start) = rest.find('{') {
        let tail = &rest[start + 1..];
        let Some(end) = tail.find('}') else { break };
        let name = &tail[..end];
        if is_placeholder_name(name) {
            names.push(name.to_string());
        }
        rest = &tail[end + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_ignores_trailing_whitespace_and_newlines_only() {
        assert_eq!(for_equality("alice  \r\n\r\n"), "alice");
        assert_eq!(for_equality("a\t\nb \n"), "a\nb");
        assert_eq!(for_equality("  indented"), "  indented");
        assert_ne!(for_equality("a\n\nb"), for_equality("a\nb"));
    }

    #[test]
    fn placeholders_expand_and_escape() {
        let values = Placeholders {
            user: "alice".into(),
            home: "/home/alice".into(),
            cwd: "/tmp".into(),
            values: vec![("token".into(), "plum".into())],
        };
        assert_eq!(
            values.expand("{user} at {home} in {cwd}: {token}"),
            "alice at /home/alice in /tmp: plum"
        );
        assert_eq!(values.expand("{{user}} {other} }"), "{user} {other} }");
        assert_eq!(
            values.expand_script("echo {a,b} ${x} {} {{token}} {token} }} {{"),
            "echo {a,b} ${x} {} {token} plum }} {{"
        );
        let dotted = Placeholders {
            user: "a.b".into(),
            ..values
        };
        assert_eq!(dotted.expand_regex(r"^{user}\d{2}$"), r"^a\.b\d{2}$");
        assert_eq!(
            placeholder_names(r"\d{2} {user} {_x} {a-b}"),
            ["user", "_x"]
        );
    }
}
