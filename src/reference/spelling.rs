//! One way to write an option, as a card or a man page lists it: `-f`, `-n NUM`, `--lines=NUM`,
//! `--color[=WHEN]`, `-SIGNAL`.
//!
//! `explain` needs to know, for a word such as `-n5` or `--lines=5`, which option it is and whether the option
//! takes the next word as its argument; the spelling says both.

/// A parsed option spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelling {
    /// As written (`-n NUM`).
    pub text: String,
    /// The option itself (`-n`, `--lines`, `--color`).
    pub flag: String,
    /// The name of its argument (`NUM`), if it takes one.
    pub argument: Option<String>,
    /// The argument may be left out (`--color[=WHEN]`); then it can only be attached with `=`.
    pub optional: bool,
}

impl Spelling {
    pub fn parse(text: &str) -> Spelling {
        let text = text.trim();
        let end = text
            .char_indices()
            .skip(1)
            .find(|(_, c)| c.is_whitespace() || *c == '=' || *c == '[')
            .map_or(text.len(), |(i, _)| i);
        let (flag, rest) = text.split_at(end);
        let (argument, optional) = if let Some(inner) = rest.strip_prefix("[=") {
            (Some(inner.trim_end_matches(']').to_string()), true)
        } else if let Some(inner) = rest.strip_prefix('[') {
            (Some(inner.trim_end_matches(']').trim().to_string()), true)
        } else if let Some(value) = rest.strip_prefix('=') {
            (Some(value.to_string()), false)
        } else {
            let value = rest.trim();
            ((!value.is_empty()).then(|| value.to_string()), false)
        };
        Spelling {
            text: text.to_string(),
            flag: flag.to_string(),
            argument: argument.filter(|a| !a.is_empty()),
            optional,
        }
    }

    /// Whether the option takes a required argument (the next word, or attached).
    pub fn takes_argument(&self) -> bool {
        self.argument.is_some() && !self.optional
    }

    /// A spelling that stands for a family of options (`-SIGNAL` for `-9`, `-KILL`; `-NUM` for `-5`).
    pub fn is_placeholder(&self) -> bool {
        let name = self.flag.trim_start_matches(['-', '+']);
        name.len() >= 3 && name.chars().all(|c| c.is_ascii_uppercase())
    }
}

impl serde::Serialize for Spelling {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, Option<String>, bool) {
        let spelling = Spelling::parse(text);
        (spelling.flag, spelling.argument, spelling.optional)
    }

    #[test]
    fn flags_and_arguments() {
        assert_eq!(parts("-f"), ("-f".into(), None, false));
        assert_eq!(parts("-n NUM"), ("-n".into(), Some("NUM".into()), false));
        assert_eq!(
            parts("--lines=NUM"),
            ("--lines".into(), Some("NUM".into()), false)
        );
        assert_eq!(
            parts("--color[=WHEN]"),
            ("--color".into(), Some("WHEN".into()), true)
        );
        assert_eq!(parts("-n +NUM"), ("-n".into(), Some("+NUM".into()), false));
        assert_eq!(
            parts("-exec COMMAND {} ;"),
            ("-exec".into(), Some("COMMAND {} ;".into()), false)
        );
        assert_eq!(
            parts("+o OPTION-NAME"),
            ("+o".into(), Some("OPTION-NAME".into()), false)
        );
        assert_eq!(parts("%N"), ("%N".into(), None, false));
        assert_eq!(parts("-"), ("-".into(), None, false));
    }

    #[test]
    fn placeholders_stand_for_families() {
        assert!(Spelling::parse("-SIGNAL").is_placeholder());
        assert!(Spelling::parse("-NUM").is_placeholder());
        assert!(!Spelling::parse("-R").is_placeholder());
        assert!(!Spelling::parse("--force").is_placeholder());
        assert!(Spelling::parse("-n NUM").takes_argument());
        assert!(!Spelling::parse("--color[=WHEN]").takes_argument());
    }
}
