//! Every bundled exercise's common wrong answers fail, with a message that names the mistake, and its unusual but
//! right answers pass: `tests/wrong-answers/<lesson>.toml`, graded by the real `shelltutor grade`.
//!
//! Entries are graded in rounds: round `n` holds the `n`th entry of every exercise in one answers folder, so that
//! `grade` runs a lesson's exercises side by side and the whole set takes a few grading runs per lesson.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::support::{have, output, Tutor};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    #[serde(default)]
    wrong: Vec<Case>,
    #[serde(default)]
    right: Vec<Case>,
}

/// One answer: shell lines (`answer`) or keystrokes (`keys`), and for a wrong one the words its message must hold.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Case {
    exercise: String,
    answer: Option<String>,
    keys: Option<String>,
    expect: Option<String>,
}

impl Case {
    /// The answer file's extension and text.
    fn file(&self) -> (&'static str, &str) {
        match (&self.answer, &self.keys) {
            (Some(lines), None) => ("sh", lines),
            (None, Some(keys)) => ("keys", keys),
            _ => panic!("{}: an entry has either 'answer' or 'keys'", self.exercise),
        }
    }
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wrong-answers")
}

/// The lesson's `requires`, read from its front matter, to skip a lesson whose tools are missing.
fn required_programs(lesson: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    for entry in std::fs::read_dir(dir).expect("the lessons folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.split_once('-').map(|(_, id)| id) != Some(lesson) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("the lesson");
        let line = text
            .lines()
            .find(|l| l.starts_with("requires"))
            .unwrap_or("requires = []");
        let value: toml::Value = toml::from_str(line).expect("a requires line");
        return value["requires"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().expect("a name").to_string())
            .collect();
    }
    panic!("tests/wrong-answers/{lesson}.toml: no lesson '{lesson}' in lessons/");
}

/// Grades one round (at most one entry per exercise) and returns each exercise's result object.
fn grade_round(
    tutor: &Tutor,
    round: usize,
    entries: &[&Case],
) -> BTreeMap<String, serde_json::Value> {
    let answers = tutor.path().join(format!("round-{round}"));
    let mut only = Vec::new();
    for case in entries {
        let (lesson, slug) = case.exercise.split_once('/').expect("LESSON/EXERCISE");
        let (extension, text) = case.file();
        std::fs::create_dir_all(answers.join(lesson)).expect("a lesson folder");
        std::fs::write(
            answers.join(lesson).join(format!("{slug}.{extension}")),
            text,
        )
        .expect("write");
        only.push(case.exercise.clone());
    }
    let mut args = vec![
        "grade".to_string(),
        "--answers".into(),
        answers.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    for id in &only {
        args.push("--only".into());
        args.push(id.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, stdout, stderr) = output(tutor.command(&args));
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("grade printed no JSON ({e}):\n{stdout}\n{stderr}"));
    report["exercises"]
        .as_array()
        .expect("exercises")
        .iter()
        .map(|e| (e["id"].as_str().expect("id").to_string(), e.clone()))
        .collect()
}

/// The first failing check's message (the author's advice, or what was expected), or the exercise's message.
fn first_failure(result: &serde_json::Value) -> String {
    result["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["passed"] == false))
        .map(|c| {
            format!(
                "{} (found: {})",
                c["expected"].as_str().unwrap_or(""),
                c["found"].as_str().unwrap_or("")
            )
        })
        .or_else(|| result["message"].as_str().map(String::from))
        .unwrap_or_default()
}

/// Rounds of entries: the `n`th round holds each exercise's `n`th entry.
fn rounds(cases: &[Case]) -> Vec<Vec<&Case>> {
    let mut by_exercise: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in cases {
        by_exercise.entry(&case.exercise).or_default().push(case);
    }
    let most = by_exercise.values().map(Vec::len).max().unwrap_or(0);
    (0..most)
        .map(|n| {
            by_exercise
                .values()
                .filter_map(|entries| entries.get(n).copied())
                .collect()
        })
        .collect()
}

fn check_lesson(lesson: &str) {
    let path = cases_dir().join(format!("{lesson}.toml"));
    let text = std::fs::read_to_string(&path).expect("the wrong answers file");
    let cases: Cases = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let required = required_programs(lesson);
    let required: Vec<&str> = required.iter().map(String::as_str).collect();
    if !have(&required) {
        return;
    }
    let tutor = Tutor::new();
    let mut problems = Vec::new();
    for (round, entries) in rounds(&cases.wrong).iter().enumerate() {
        let results = grade_round(&tutor, round, entries);
        for case in entries {
            let result = &results[&case.exercise];
            let message = first_failure(result);
            let expect = case.expect.as_deref().unwrap_or_default();
            if result["status"] != "failed" {
                // The whole result: an "error" says why only there.
                problems.push(format!(
                    "{}: the wrong answer {:?} was {}: {result}",
                    case.exercise,
                    case.file().1,
                    result["status"]
                ));
            } else if !message.contains(expect) {
                problems.push(format!("{}: the wrong answer {:?} failed, but its first message lacks {expect:?}: {message}", case.exercise, case.file().1));
            }
        }
    }
    for (round, entries) in rounds(&cases.right).iter().enumerate() {
        let results = grade_round(&tutor, 100 + round, entries);
        for case in entries {
            let result = &results[&case.exercise];
            if result["status"] != "passed" {
                problems.push(format!(
                    "{}: the right answer {:?} was {}: {}",
                    case.exercise,
                    case.file().1,
                    result["status"],
                    first_failure(result)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_lesson_has_its_wrong_answers_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    for entry in std::fs::read_dir(dir).expect("the lessons folder") {
        let stem = entry
            .expect("an entry")
            .path()
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let Some((_, id)) = stem.split_once('-') else {
            continue;
        };
        assert!(
            cases_dir().join(format!("{id}.toml")).is_file(),
            "tests/wrong-answers/{id}.toml is missing"
        );
    }
}

macro_rules! lesson_tests {
    ($($name:ident => $lesson:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_lesson($lesson);
            }
        )*
    };
}

lesson_tests! {
    whoami => "whoami",
    cd => "cd",
    mkdir => "mkdir",
    rm => "rm",
    redirection => "redirection",
    vi => "vi",
    programs => "programs",
    ssh_keys => "ssh-keys",
    certificates => "certificates",
    nginx_https => "nginx-https",
    acme => "acme",
}
