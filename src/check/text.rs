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

/// Values for `{user}`, `{home}` and `{cwd}` in check strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    pub user: String,
    /// The home folder as the learner's commands see it.
    pub home: String,
    /// The working directory as the learner's commands see it.
    pub cwd: String,
}

/// The placeholder names a check string may use.
pub const PLACEHOLDERS: [&str; 3] = ["user", "home", "cwd"];

impl Placeholders {
    /// Replaces `{user}`, `{home}` and `{cwd}`; `{{` and `}}` stand for literal braces.
    pub fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(['{', '}']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
                out.push_str(&tail[..1]);
                rest = after;
                continue;
            }
            let value = PLACEHOLDERS.iter().find_map(|name| {
                let token = format!("{{{name}}}");
                tail.starts_with(&token)
                    .then(|| (self.value(name), token.len()))
            });
            match value {
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

    fn value(&self, name: &str) -> &str {
        match name {
            "user" => &self.user,
            "home" => &self.home,
            _ => &self.cwd,
        }
    }
}

/// Unknown `{name}` placeholders in `text`, for load-time errors.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let without_escapes = text.replace("{{", "").replace("}}", "");
    let mut unknown = Vec::new();
    let mut rest = without_escapes.as_str();
    while let Some(start) = rest.find('{') {
        let tail = &rest[start + 1..];
        let Some(end) = tail.find('}') else { break };
        let name = &tail[..end];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !PLACEHOLDERS.contains(&name)
        {
            unknown.push(name.to_string());
        }
        rest = &tail[end + 1..];
    }
    unknown
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
        };
        assert_eq!(
            values.expand("{user} at {home} in {cwd}"),
            "alice at /home/alice in /tmp"
        );
        assert_eq!(values.expand("{{user}} {other} }"), "{user} {other} }");
    }

    #[test]
    fn unknown_placeholders_are_found() {
        assert_eq!(unknown_placeholders("{user} {usr} {{x}} {a b}"), ["usr"]);
    }
}
