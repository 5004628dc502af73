//! `shelltutor grade`: the example answers pass; missing, wrong and malicious answers are graded for what they
//! are, in every format, and cannot reach outside their own sandbox.

use std::path::{Path, PathBuf};

use super::support::{output, Tutor};

fn example_answers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers")
}

/// A copy of the example answers in the test's temp dir, to change.
fn copy_answers(tutor: &Tutor) -> PathBuf {
    let target = tutor.path().join("answers");
    for lesson in ["whoami", "cd"] {
        std::fs::create_dir_all(target.join(lesson)).expect("mkdir");
        for entry in std::fs::read_dir(example_answers().join(lesson)).expect("read answers") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(lesson).join(entry.file_name())).expect("copy");
        }
    }
    target
}

#[test]
fn the_example_answers_pass() {
    let tutor = Tutor::new();
    let answers = example_answers().display().to_string();
    let (ok, stdout, stderr) = output(tutor.command(&["grade", "--answers", &answers]));
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.ends_with("7 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn missing_and_wrong_answers_fail_with_reasons() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    std::fs::remove_file(answers.join("cd/where-am-i.sh")).expect("remove");
    std::fs::write(answers.join("cd/go-into-a-folder.sh"), "cd projects\n").expect("write");
    std::fs::write(answers.join("whoami/which-command-can-you-trust.sh"), "a\n").expect("write");
    let answers = answers.display().to_string();
    let (ok, stdout, _) = output(tutor.command(&["grade", "--answers", &answers]));
    assert!(!ok);
    assert!(
        stdout.contains("NOT ATTEMPTED cd/where-am-i\n     not attempted (no "),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL cd/go-into-a-folder\n"), "{stdout}");
    assert!(stdout.contains("found you are in ~/projects"), "{stdout}");
    assert!(stdout.contains("FAIL whoami/which-command-can-you-trust\n     quiz: expected the right answer; found 'a' is not it"), "{stdout}");
    assert!(
        stdout.ends_with("4 passed, 3 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn json_junit_and_tap_reports() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    std::fs::remove_file(answers.join("cd/where-am-i.sh")).expect("remove");
    let answers = answers.display().to_string();

    let (ok, json, _) =
        output(tutor.command(&["grade", "--answers", &answers, "--format", "json"]));
    assert!(!ok);
    let report: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(report["version"], 1);
    assert_eq!(report["passed"], 6);
    assert_eq!(report["not_attempted"], 1);
    assert_eq!(report["exercises"][3]["status"], "not_attempted");

    let (_, xml, _) = output(tutor.command(&["grade", "--answers", &answers, "--format", "junit"]));
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 7, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");

    let (_, tap, _) = output(tutor.command(&["grade", "--answers", &answers, "--format", "tap"]));
    assert!(
        tap.starts_with("TAP version 13\n1..7\nok 1 - whoami/print-your-user-name\n"),
        "{tap}"
    );
    assert!(tap.contains("not ok 4 - cd/where-am-i\n  ---\n"), "{tap}");
}

#[test]
fn one_exercise_with_one_script() {
    let tutor = Tutor::new();
    let script = tutor.path().join("answer.sh");
    std::fs::write(&script, "mkdir -p projects/website\ncd projects/website\n").expect("write");
    let script = script.display().to_string();
    let (ok, stdout, _) = output(tutor.command(&[
        "grade",
        "--exercise",
        "cd/go-into-a-folder",
        "--script",
        &script,
    ]));
    assert!(ok, "{stdout}");
    assert_eq!(
        stdout,
        "PASS cd/go-into-a-folder\n1 passed, 0 failed, 0 skipped\n"
    );

    let (ok, _, stderr) =
        output(tutor.command(&["grade", "--exercise", "cd/nowhere", "--script", &script]));
    assert!(!ok);
    assert!(
        stderr.contains("exercise 'cd/nowhere' not found"),
        "{stderr}"
    );
}

#[test]
fn bad_invocations_say_what_to_do() {
    let tutor = Tutor::new();
    let (ok, _, stderr) = output(tutor.command(&["grade"]));
    assert!(!ok);
    assert!(stderr.contains("--answers"), "{stderr}");
    let (ok, _, stderr) = output(tutor.command(&["grade", "--answers", "nowhere"]));
    assert!(!ok);
    assert!(
        stderr.contains("answers folder 'nowhere' does not exist"),
        "{stderr}"
    );
    let answers = example_answers().display().to_string();
    let (ok, _, stderr) = output(tutor.command(&["grade", "--answers", &answers, "--only", "cdd"]));
    assert!(!ok);
    assert!(
        stderr.contains("lesson 'cdd' not found (did you mean 'cd'?)"),
        "{stderr}"
    );
}

#[test]
fn a_malicious_answer_changes_neither_other_grades_nor_the_host() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    let canary = tutor.path().join("canary.txt");
    std::fs::write(&canary, "untouched").expect("write canary");
    let attack = format!(
        "rm -rf / 2>/dev/null\nrm -rf ../../* ../../../* 2>/dev/null\necho hacked > {canary}\nchmod 000 {canary}\n\
         mkdir -p /tmp/x; for d in /tmp/shelltutor-*/*/home; do mkdir -p $d/projects/website; done\n\
         kill -9 -1\n(sleep 100 &)\nwhoami",
        canary = canary.display()
    );
    std::fs::write(answers.join("whoami/print-your-user-name.sh"), attack).expect("write attack");
    // The next exercise's answer is wrong: an attack that made it pass would show here.
    std::fs::write(answers.join("cd/go-into-a-folder.sh"), "true\n").expect("write");
    let answers = answers.display().to_string();
    let (ok, stdout, stderr) = output(tutor.command(&["grade", "--answers", &answers]));
    assert!(!ok, "{stdout}{stderr}");
    assert!(stdout.contains("FAIL cd/go-into-a-folder"), "{stdout}");
    assert!(stdout.contains("PASS cd/where-am-i"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&canary).expect("canary readable"),
        "untouched"
    );
}
