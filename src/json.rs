//! JSON for scripts (`--json`, `grade --format json`): pretty, safe to print on a terminal, and honest about a
//! closed pipe.
//!
//! serde_json escapes only what JSON requires, so a learner's output holding C1 controls (`\u{9b}` is a one-byte
//! CSI), DEL or bidirectional overrides would reach the terminal of whoever looks at the JSON. Here those are
//! written as `\uXXXX` escapes instead: the same JSON value, nothing for a terminal to act on. And serde_json wraps
//! write errors in its own type, which hid a closed pipe (`| head`) from the check that keeps it quiet; they are
//! turned back into the `io::Error` they were.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::render::sanitize;

/// Writes `value` as pretty JSON and a final newline.
pub fn write_pretty(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *out, SafeFormatter::default());
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writeln!(out)
}

/// serde_json's pretty layout, with unsafe characters in strings escaped.
#[derive(Debug, Default)]
struct SafeFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices() {
            if sanitize::is_unsafe(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = index + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, value).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn unsafe_characters_are_escaped_and_the_value_is_unchanged() {
        let text = "a\u{1b}[2J\u{9b}b\u{7f}\u{202e}c\u{ffff}é\n";
        let json = render(&serde_json::json!({ "found": text, "n": [1, 2] }));
        assert!(
            !json.chars().any(|c| sanitize::is_unsafe(c) && c != '\n'),
            "{json:?}"
        );
        assert!(
            json.contains("\\u009b") && json.contains("\\u202e"),
            "{json}"
        );
        let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(back["found"], text);
        assert!(json.starts_with("{\n  \"found\""), "pretty: {json}");
        assert!(json.ends_with("}\n"));
    }

    #[test]
    fn a_closed_pipe_is_an_io_error_again() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let error = write_pretty(&mut Closed, &vec!["x"; 10]).expect_err("the pipe is closed");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }
}
