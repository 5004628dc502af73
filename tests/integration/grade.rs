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

/// The lessons the example answers cover (the server lessons' answers live in tests/wrong-answers).
const ANSWERED: [&str; 7] = [
    "whoami",
    "cd",
    "mkdir",
    "rm",
    "redirection",
    "vi",
    "programs",
];

#[test]
fn the_example_answers_pass() {
    let tutor = Tutor::new();
    let answers = example_answers().display().to_string();
    let mut args = vec!["grade", "--answers", &answers];
    for lesson in ANSWERED {
        args.extend(["--only", lesson]);
    }
    let (ok, stdout, stderr) = output(tutor.command(&args));
    assert!(ok, "{stdout}{stderr}");
    // Keystroke answers (`.keys`: vi, cat with Ctrl-D) are graded too.
    assert!(
        stdout.contains("PASS vi/write-a-new-file-and-save-it\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("42 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn missing_and_wrong_answers_fail_with_reasons() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    std::fs::remove_file(answers.join("cd/where-am-i.sh")).expect("remove");
    std::fs::write(answers.join("cd/go-into-a-folder.sh"), "cd projects\n").expect("write");
    std::fs::write(
        answers.join("whoami/which-command-can-you-trust.sh"),
        "echo $USER\n",
    )
    .expect("write");
    let answers = answers.display().to_string();
    let (ok, stdout, _) = output(tutor.command(&[
        "grade",
        "--answers",
        &answers,
        "--only",
        "whoami",
        "--only",
        "cd",
    ]));
    assert!(!ok);
    assert!(
        stdout.contains("NOT ATTEMPTED cd/where-am-i\n     not attempted (no "),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL cd/go-into-a-folder\n"), "{stdout}");
    assert!(stdout.contains("found you are in ~/projects"), "{stdout}");
    assert!(
        stdout.contains(
            "FAIL whoami/which-command-can-you-trust\n     not output contains \"mallory{n}\""
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("That is what the variable USER says"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("8 passed, 3 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn json_junit_and_tap_reports() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    std::fs::remove_file(answers.join("cd/where-am-i.sh")).expect("remove");
    let answers = answers.display().to_string();

    let grade = |format: &str| {
        output(tutor.command(&[
            "grade",
            "--answers",
            &answers,
            "--only",
            "whoami",
            "--only",
            "cd",
            "--format",
            format,
        ]))
    };

    let (ok, json, _) = grade("json");
    assert!(!ok);
    let report: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(report["version"], 1);
    assert_eq!(report["passed"], 10);
    assert_eq!(report["not_attempted"], 1);
    assert_eq!(report["exercises"][5]["status"], "not_attempted");

    let (_, xml, _) = grade("junit");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 11, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");

    let (_, tap, _) = grade("tap");
    assert!(
        tap.starts_with("TAP version 13\n1..11\nok 1 - whoami/print-your-user-name\n"),
        "{tap}"
    );
    assert!(tap.contains("not ok 6 - cd/where-am-i\n  ---\n"), "{tap}");
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

#[test]
fn keystroke_answers_are_graded_and_mistakes_in_them_are_named() {
    let tutor = Tutor::new();
    let answers = copy_answers(&tutor);
    let keys = answers.join("whoami/print-your-user-name.keys");
    std::fs::write(&keys, "$ whoami\n").expect("write");
    let dir = answers.display().to_string();
    let grade = || {
        output(tutor.command(&[
            "grade",
            "--answers",
            &dir,
            "--only",
            "whoami/print-your-user-name",
        ]))
    };
    let (ok, stdout, _) = grade();
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains(
            "both 'whoami/print-your-user-name.sh' and 'whoami/print-your-user-name.keys' exist"
        ),
        "{stdout}"
    );
    std::fs::remove_file(answers.join("whoami/print-your-user-name.sh")).expect("remove");
    let (ok, stdout, _) = grade();
    assert!(ok, "{stdout}");
    std::fs::write(&keys, "$ whoami\n<Nope>\n").expect("write");
    let (ok, stdout, _) = grade();
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains("is not a keystroke script: line 2, column 1"),
        "{stdout}"
    );
}
