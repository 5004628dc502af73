//! shellcheck's findings on a line, when shellcheck is installed. shellcheck reads the text from its standard
//! input and analyses it; it never runs it.

use std::io::Write;
use std::process::{Command, Stdio};

/// shellcheck's findings as `SC2086 (info): Double quote to prevent globbing and word splitting.`, or nothing
/// when shellcheck is missing or fails.
pub fn findings(line: &str) -> Vec<String> {
    if crate::programs::find("shellcheck").is_none() {
        return Vec::new();
    }
    let child = Command::new("shellcheck")
        .args(["--shell=bash", "--format=gcc", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return Vec::new();
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A shellcheck that stops reading early is not worth an error: its findings are optional.
        let _ = stdin.write_all(line.as_bytes());
    }
    let Ok(output) = child.wait_with_output() else {
        return Vec::new();
    };
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// `-:1:4: note: Double quote to prevent globbing and word splitting. [SC2086]` -> `SC2086 (note, column 4): ...`.
fn parse(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("-:")?;
            let mut fields = rest.splitn(4, ':');
            let (_line, column, level, message) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            let message = message.trim();
            let (text, code) = message.rsplit_once(" [")?;
            let code = code.trim_end_matches(']');
            Some(format!(
                "shellcheck {code} ({}, column {column}): {text}",
                level.trim()
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_parsed_with_their_codes() {
        let output =
            "-:1:6: note: Double quote to prevent globbing and word splitting. [SC2086]\nnoise\n";
        assert_eq!(
            parse(output),
            ["shellcheck SC2086 (note, column 6): Double quote to prevent globbing and word splitting."]
        );
    }

    #[test]
    fn a_real_finding_when_installed() {
        if crate::programs::find("shellcheck").is_none() {
            return;
        }
        let found = findings("echo $1\n");
        assert!(found.iter().any(|f| f.contains("SC2086")), "{found:?}");
    }
}
