//! Writing a [`GradeReport`] as text for people, JSON for scripts, JUnit XML for CI dashboards, or TAP 13.

use std::io::Write;

use anyhow::Result;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ExerciseResult, GradeReport, Status};

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
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
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
            .map(|c| format!("{}: expected {}; found {}", c.check, c.expected, c.found)),
    );
    reasons
}

fn text(report: &GradeReport, out: &mut impl Write) -> std::io::Result<()> {
    for result in &report.exercises {
        writeln!(out, "{} {}", label(result.status), result.id)?;
        if result.status != Status::Passed {
            for reason in reasons(result) {
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
        let mut suite = TestSuite::new(lesson);
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
            let mut case = TestCase::new(result.id.as_str(), status);
            case.set_classname(format!("shelltutor.{lesson}"))
                .set_time(result.duration);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.serialize(&mut *out)?;
    writeln!(out)?;
    Ok(())
}

/// Characters XML 1.0 cannot hold at all (most control characters) become U+FFFD.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
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
            Status::Passed => writeln!(out, "ok {number} - {}", result.id)?,
            Status::Skipped => writeln!(
                out,
                "ok {number} - {} # SKIP {}",
                result.id,
                result
                    .message
                    .as_deref()
                    .unwrap_or("skipped")
                    .replace('\n', " ")
            )?,
            _ => {
                writeln!(out, "not ok {number} - {}", result.id)?;
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

/// A double-quoted YAML scalar, so any text is valid inside TAP's YAML block.
fn yaml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
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
}
