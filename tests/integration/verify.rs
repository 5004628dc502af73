//! `shelltutor verify`: the bundled lessons verify; a check that cannot fail, a wrong solution and a missing tool
//! are each reported against the exercise.

use super::support::{output, Tutor};

fn lesson(exercise: &str) -> String {
    format!("+++\ntitle = \"T\"\n+++\n\n## Exercise: Make notes\n\n{exercise}\n")
}

#[test]
fn the_bundled_lessons_verify() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["verify"]));
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("PASS whoami/print-your-user-name"),
        "{stdout}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" passed, 0 failed, 0 skipped"),
        "{summary}"
    );
}

#[test]
fn a_check_that_passes_untouched_fails_verify() {
    let tutor = Tutor::new();
    tutor.lesson(
        "a.md",
        lesson("```check\nexists ~\n```\n\n```sh solution\ntrue\n```"),
    );
    let (ok, stdout, _) = output(tutor.with_lessons(&["verify"]));
    assert!(!ok);
    assert!(
        stdout.contains("FAIL a/make-notes\n     its checks pass before the learner does anything"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 passed, 1 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_solution_fails_verify_with_the_failing_check() {
    let tutor = Tutor::new();
    tutor.lesson(
        "a.md",
        lesson("```check\nfile notes.txt\n```\n\n```sh solution\nmkdir notes.txt\n```"),
    );
    let (ok, stdout, _) = output(tutor.with_lessons(&["verify"]));
    assert!(!ok);
    assert!(stdout.contains("FAIL a/make-notes"), "{stdout}");
    assert!(stdout.contains("the solution fails 'file notes.txt' (line 8): expected ~/notes.txt should be a file; found ~/notes.txt is a folder"), "{stdout}");
}

#[test]
fn a_good_lesson_with_setup_and_a_script_check_passes() {
    let tutor = Tutor::new();
    let exercise = "```sh setup\nprintf 'one\\n' > log\n```\n\n```check\nappended log\n```\n\n```sh check\ngrep -q two log || { echo 'add the line two'; exit 1; }\n```\n\n```sh solution\necho two >> log\n```";
    tutor.lesson("a.md", lesson(exercise));
    let (ok, stdout, _) = output(tutor.with_lessons(&["verify"]));
    assert!(ok, "{stdout}");
    assert!(stdout.contains("PASS a/make-notes"), "{stdout}");
}

#[test]
fn missing_tools_skip_or_fail_when_required() {
    let tutor = Tutor::new();
    let text = lesson("```check\nexists notes\n```\n\n```sh solution\ntouch notes\n```")
        .replace("+++\n\n", "requires = [\"no-such-tool-xyz\"]\n+++\n\n");
    tutor.lesson("a.md", text);
    let (ok, stdout, _) = output(tutor.with_lessons(&["verify"]));
    assert!(ok, "a skip is not a failure by default: {stdout}");
    assert!(
        stdout
            .contains("SKIP a/make-notes: needs programs that are not installed: no-such-tool-xyz"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 passed, 0 failed, 1 skipped\n"),
        "{stdout}"
    );

    let mut strict = tutor.with_lessons(&["verify"]);
    strict.env("SHELLTUTOR_REQUIRE_TOOLS", "1");
    let (ok, stdout, _) = output(strict);
    assert!(!ok);
    assert!(stdout.contains("FAIL a/make-notes"), "{stdout}");
    assert!(stdout.contains("SHELLTUTOR_REQUIRE_TOOLS"), "{stdout}");
}

#[test]
fn folders_can_be_named_and_broken_ones_fail() {
    let tutor = Tutor::new();
    tutor.lesson("a.md", "no front matter");
    let lessons = tutor.lessons().display().to_string();
    let (ok, stdout, _) = output(tutor.command(&["verify", &lessons]));
    assert!(!ok);
    assert!(stdout.contains("the lessons do not load"), "{stdout}");
    assert!(stdout.contains("a.md:1:1: no front matter"), "{stdout}");
}

#[test]
fn one_lesson_file_can_be_verified_alone_beside_broken_ones() {
    let tutor = Tutor::new();
    tutor.lesson(
        "01-good.md",
        lesson("```check\nexists made\n```\n\n```sh solution\ntouch made\n```"),
    );
    tutor.lesson("02-broken.md", "no front matter");
    let file = tutor.lessons().join("01-good.md").display().to_string();
    let (ok, stdout, stderr) = output(tutor.command(&["verify", &file]));
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("PASS good/"), "{stdout}");
    assert!(!stdout.contains("broken"), "only the file named: {stdout}");
    assert!(
        stdout.ends_with("1 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn the_example_lesson_in_the_format_guide_verifies() {
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/lesson-format.md"
    ))
    .expect("the guide");
    let section = &guide[guide
        .find("## A complete example")
        .expect("the example section")..];
    let start = section.find("````markdown\n").expect("an example block") + "````markdown\n".len();
    let end = start + section[start..].find("\n````").expect("the block's end");
    let tutor = Tutor::new();
    tutor.lesson("01-folders.md", format!("{}\n", &section[start..end]));
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["verify"]));
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.ends_with("2 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
}
