//! Writing a [`GradeReport`] as text for people, JSON for scripts, JUnit XML for CI dashboards, or TAP 13.

use std::io::Write;

use anyhow::Result;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ExerciseResult, GradeReport, Status};
use crate::render::sanitize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Tap,
}

pub fn write(report: &GradeReport, format: Format, out: &mut impl Write) -> Result<()> {
    match format {
        Format::Text => text(report, out)?,
        Format::Json => crate::json::write_pretty(out, report)?,
        Format::Junit => junit(report, out)?,
        Format::Tap => tap(report, out)?,
    }
    Ok(())
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Passed => "PASS",
        Status::Failed => "FAIL",
        Status::NotAttempted => "NOT ATTEMPTED",
        Status::Skipped => "SKIP",
        Status::Error => "ERROR",
    }
}

/// Why an exercise did not pass, one line per reason.
fn reasons(result: &ExerciseResult) -> Vec<String> {
    let mut reasons: Vec<String> = result.message.iter().cloned().collect();
    reasons.extend(
        result
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| match c.found.as_str() {
                "" => format!("{}: expected {}", c.check, c.expected),
                found => format!("{}: expected {}; found {found}", c.check, c.expected),
            }),
    );
    reasons
}

/// For people at a terminal: every quoted text is sanitized, so an answer that prints `\rPASS x\x1b[K` cannot forge
/// a line of the report.
fn text(report: &GradeReport, out: &mut impl Write) -> std::io::Result<()> {
    for result in &report.exercises {
        writeln!(
            out,
            "{} {}",
            label(result.status),
            sanitize::message(&result.id)
        )?;
        if result.status != Status::Passed {
            for reason in reasons(result) {
                let reason = sanitize::message(&reason);
                writeln!(out, "     {}", reason.replace('\n', "\n     "))?;
            }
        }
    }
    let not_passed = report.failed + report.not_attempted + report.errors;
    writeln!(
        out,
        "{} passed, {not_passed} failed, {} skipped",
        report.passed, report.skipped
    )
}

fn junit(report: &GradeReport, out: &mut impl Write) -> Result<()> {
    let mut junit = Report::new("shelltutor grade");
    let mut lessons: Vec<&str> = report.exercises.iter().map(|e| e.lesson.as_str()).collect();
    lessons.dedup();
    for lesson in lessons {
        let mut suite = TestSuite::new(xml_safe(lesson));
        for result in report.exercises.iter().filter(|e| e.lesson == lesson) {
            let mut status = match result.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Skipped => TestCaseStatus::skipped(),
                Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
                Status::Failed | Status::NotAttempted => {
                    TestCaseStatus::non_success(NonSuccessKind::Failure)
                }
            };
            let reasons = reasons(result);
            if let Some(first) = reasons.first() {
                status.set_message(xml_safe(first));
            }
            if reasons.len() > 1 {
                status.set_description(xml_safe(&reasons.join("\n")));
            }
            let mut case = TestCase::new(xml_safe(&result.id), status);
            case.set_classname(xml_safe(&format!("shelltutor.{lesson}")))
                .set_time(result.duration);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    // Serialized in memory first: quick-junit wraps write errors, which would hide a closed pipe.
    let mut xml = Vec::new();
    junit.serialize(&mut xml)?;
    xml.push(b'\n');
    out.write_all(&xml)?;
    Ok(())
}

/// Text XML 1.0 can hold, and a terminal showing the XML cannot act on: what XML forbids outright (most C0
/// controls, U+FFFE, U+FFFF; Rust strings hold no surrogates) and what sanitizing neutralises (C1 controls, DEL,
/// bidirectional overrides, a carriage return) become U+FFFD or a line break.
fn xml_safe(text: &str) -> String {
    sanitize::message(text)
        .chars()
        .map(|c| match c {
            '\u{FFFE}' | '\u{FFFF}' => sanitize::REPLACEMENT,
            c => c,
        })
        .collect()
}

fn tap(report: &GradeReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "TAP version 13")?;
    writeln!(out, "1..{}", report.exercises.len())?;
    for (index, result) in report.exercises.iter().enumerate() {
        let number = index + 1;
        // '#' starts a directive in TAP; ids never contain one, but titles are not used here for that reason.
        match result.status {
            Status::Passed => writeln!(out, "ok {number} - {}", tap_line(&result.id))?,
            Status::Skipped => writeln!(
                out,
                "ok {number} - {} # SKIP {}",
                tap_line(&result.id),
                tap_line(result.message.as_deref().unwrap_or("skipped"))
            )?,
            _ => {
                writeln!(out, "not ok {number} - {}", tap_line(&result.id))?;
                writeln!(out, "  ---")?;
                writeln!(
                    out,
                    "  status: {}",
                    label(result.status).to_lowercase().replace(' ', "_")
                )?;
                writeln!(out, "  reasons:")?;
                for reason in reasons(result) {
                    writeln!(out, "    - {}", yaml_string(&reason))?;
                }
                writeln!(out, "  ...")?;
            }
        }
    }
    Ok(())
}

/// Text for a TAP test line: one line, nothing a terminal acts on, and no `#` (which starts a directive).
fn tap_line(text: &str) -> String {
    sanitize::inline(text).replace('#', "\\#")
}

/// A double-quoted YAML scalar, so any text is valid inside TAP's YAML block: everything YAML 1.2 does not count
/// as printable, and what a terminal would act on, is written as an escape.
fn yaml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if sanitize::is_unsafe(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::grade::CheckResult;

    fn report() -> GradeReport {
        let result = |id: &str, status, message: Option<&str>, checks| ExerciseResult {
            id: id.to_string(),
            lesson: id.split('/').next().unwrap_or_default().to_string(),
            title: "T".into(),
            status,
            message: message.map(String::from),
            checks,
            duration: Duration::from_millis(12),
        };
        let failing = vec![
            CheckResult {
                check: "exists a".into(),
                line: 3,
                passed: true,
                expected: String::new(),
                found: String::new(),
            },
            CheckResult {
                check: "output equals \"x\"".into(),
                line: 4,
                passed: false,
                expected: "the output should be: \"x\"".into(),
                found: "it was \u{1b}[31m\"y\"".into(),
            },
        ];
        GradeReport::new(vec![
            result("cd/one", Status::Passed, None, vec![]),
            result("cd/two", Status::Failed, None, failing),
            result(
                "whoami/three",
                Status::NotAttempted,
                Some("not attempted (no a/b.sh)"),
                vec![],
            ),
            result(
                "nginx/four",
                Status::Skipped,
                Some("needs programs that are not installed here: nginx"),
                vec![],
            ),
        ])
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        write(&report(), format, &mut out).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn text_ends_with_the_summary_line() {
        let text = render(Format::Text);
        assert!(text.starts_with("PASS cd/one\nFAIL cd/two\n"), "{text}");
        assert!(
            text.contains("     output equals \"x\": expected the output should be: \"x\"; found"),
            "{text}"
        );
        assert!(
            text.contains("NOT ATTEMPTED whoami/three\n     not attempted (no a/b.sh)"),
            "{text}"
        );
        assert!(text.ends_with("1 passed, 2 failed, 1 skipped\n"), "{text}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json)).expect("valid JSON");
        assert_eq!(json["version"], 1);
        assert_eq!(json["passed"], 1);
        assert_eq!(json["failed"], 1);
        assert_eq!(json["not_attempted"], 1);
        assert_eq!(json["skipped"], 1);
        let two = &json["exercises"][1];
        assert_eq!(two["id"], "cd/two");
        assert_eq!(two["status"], "failed");
        assert_eq!(two["duration_ms"], 12);
        assert_eq!(two["checks"][1]["passed"], false);
        assert_eq!(two["checks"][1]["line"], 4);
        assert_eq!(json["exercises"][2]["status"], "not_attempted");
    }

    #[test]
    fn junit_is_well_formed_xml_with_a_case_per_exercise() {
        let xml = render(Format::Junit);
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
        assert_eq!(xml.matches("<failure").count(), 2, "{xml}");
        assert_eq!(xml.matches("<skipped").count(), 1, "{xml}");
        assert!(
            !xml.contains('\u{1b}'),
            "control characters must not reach XML"
        );
        let roundtrip = Report::deserialize_from_str(&xml).expect("parses back");
        assert_eq!(roundtrip.tests, 4);
        assert_eq!(roundtrip.failures, 2);
    }

    #[test]
    fn tap_13_has_a_plan_and_yaml_diagnostics() {
        let tap = render(Format::Tap);
        let lines: Vec<&str> = tap.lines().collect();
        assert_eq!(lines[..3], ["TAP version 13", "1..4", "ok 1 - cd/one"]);
        assert!(
            tap.contains("not ok 2 - cd/two\n  ---\n  status: fail\n"),
            "{tap}"
        );
        assert!(
            tap.contains("\\u001b[31m"),
            "control characters are escaped: {tap}"
        );
        assert!(
            tap.contains("ok 4 - nginx/four # SKIP needs programs"),
            "{tap}"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("ok ") || l.starts_with("not ok "))
                .count(),
            4
        );
    }

    /// Every code point Rust can hold, in one string: C0 and C1 controls, DEL, bidi controls, U+FFFE/U+FFFF and
    /// the astral planes.
    fn every_code_point() -> String {
        (0..=0x10FFFFu32).filter_map(char::from_u32).collect()
    }

    fn hostile_report() -> GradeReport {
        let mut report = report();
        let hostile = every_code_point() + "\rPASS cd/where-am-i\x1b[K";
        report.exercises[1].checks[1].found = hostile.clone();
        report.exercises[2].message = Some(hostile.clone());
        report.exercises[3].message = Some(hostile);
        report
    }

    fn render_hostile(format: Format) -> String {
        let mut out = Vec::new();
        write(&hostile_report(), format, &mut out).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn no_report_format_lets_a_control_character_reach_the_terminal() {
        for format in [Format::Text, Format::Json, Format::Junit, Format::Tap] {
            let output = render_hostile(format);
            let bad: Vec<char> = output
                .chars()
                .filter(|c| sanitize::is_unsafe(*c) && !matches!(c, '\n' | '\t'))
                .collect();
            assert!(bad.is_empty(), "{format:?} lets through {bad:?}");
        }
        let text = render_hostile(Format::Text);
        assert!(
            !text
                .lines()
                .any(|line| line.starts_with("PASS cd/where-am-i")),
            "a forged PASS line"
        );
    }

    #[test]
    fn junit_is_valid_xml_whatever_the_output_holds() {
        let xml = render_hostile(Format::Junit);
        let document = roxmltree::Document::parse(&xml).expect("valid XML 1.0");
        let cases = document
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, 4);
        assert!(Report::deserialize_from_str(&xml).is_ok());
    }

    #[test]
    fn tap_stays_one_line_per_test_with_valid_yaml_strings() {
        let tap = render_hostile(Format::Tap);
        let lines: Vec<&str> = tap.lines().collect();
        assert_eq!(lines[..2], ["TAP version 13", "1..4"]);
        let tests: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with("ok ") || l.starts_with("not ok "))
            .collect();
        assert_eq!(tests.len(), 4, "{tests:?}");
        assert!(
            tests[3].starts_with("ok 4 - nginx/four # SKIP "),
            "{}",
            tests[3]
        );
        for line in lines.iter().filter(|l| l.starts_with("    - ")) {
            let scalar = line.trim_start_matches("    - ");
            assert!(scalar.starts_with('"') && scalar.ends_with('"'), "{line}");
            // YAML 1.2's printable set, which a double-quoted scalar must keep to outside escapes.
            assert!(
                scalar.chars().all(|c| matches!(c, '\t' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)),
                "a character YAML does not allow unescaped"
            );
        }
    }
}
