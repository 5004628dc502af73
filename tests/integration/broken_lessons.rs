//! A folder with one broken lesson per error kind: `list` names each problem at `file:line:column`, exits
//! non-zero, and never panics.

use super::support::{output, valid_lesson, Tutor};

/// (file name, content, the `line:column: message start` expected for it).
fn broken_lessons() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let exercise = "## Exercise: Do it\n\n```check\nran \"x\"\n```\n";
    vec![
        ("a-empty.md", b"".to_vec(), "1:1: the file is empty"),
        (
            "b-latin1.md",
            b"+++\ntitle = \"caf\xe9\"\n+++\n".to_vec(),
            "2:13: the file is not valid UTF-8",
        ),
        (
            "c-image.png",
            b"\x89PNG\r\n".to_vec(),
            "1:1: not a Markdown lesson (its name does not end in '.md')",
        ),
        (
            "d-binary.md",
            b"+++\n\x00\x01\x02".to_vec(),
            "2:1: not a Markdown lesson (it contains binary control bytes)",
        ),
        (
            "e-no-front-matter.md",
            b"# Just a title\n".to_vec(),
            "1:1: no front matter",
        ),
        (
            "f-unclosed.md",
            b"+++\ntitle = \"T\"\n".to_vec(),
            "1:1: the front matter opened with '+++' is never closed",
        ),
        (
            "g-bad-toml.md",
            b"+++\ntitle = \"T\nrequires = []\n+++\n".to_vec(),
            "2:",
        ),
        (
            "h-unknown-key.md",
            b"+++\ntitle = \"T\"\nteach = [\"cd\"]\n+++\n".to_vec(),
            "3:1: unknown front-matter key 'teach' (did you mean 'teaches'?)",
        ),
        (
            "i-unknown-block.md",
            format!("+++\ntitle = \"T\"\n+++\n\n{exercise}\n```sh solutoin\nx\n```\n").into_bytes(),
            "11:1: unknown block kind '```sh solutoin' (did you mean 'sh solution'?)",
        ),
        (
            "j-no-check.md",
            b"+++\ntitle = \"T\"\n+++\n\n## Exercise: Nothing to check\n\nJust text.\n".to_vec(),
            "5:1: exercise 'j-no-check/nothing-to-check' has no check",
        ),
        (
            "k-duplicate-exercise.md",
            format!("+++\ntitle = \"T\"\n+++\n\n{exercise}\n{exercise}").into_bytes(),
            "11:1: exercise id 'k-duplicate-exercise/do-it' is used twice (first on line 5)",
        ),
        (
            "l-duplicate-lesson.md",
            b"+++\nid = \"dup\"\ntitle = \"T\"\n+++\n".to_vec(),
            "(no error: the first of two)",
        ),
        (
            "m-duplicate-lesson.md",
            b"+++\nid = \"dup\"\ntitle = \"T\"\n+++\n".to_vec(),
            "1:1: duplicate lesson id 'dup'",
        ),
        (
            "n-hint-outside.md",
            b"+++\ntitle = \"T\"\n+++\n\n> Hint: hints belong to exercises\n".to_vec(),
            "5:1: a 'Hint:' outside an exercise",
        ),
    ]
}

#[test]
fn every_problem_is_reported_at_file_line_column() {
    let tutor = Tutor::new();
    tutor.lesson("00-fine.md", valid_lesson("Fine"));
    for (name, content, _) in broken_lessons() {
        tutor.lesson(name, content);
    }
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["list"]));
    assert!(!ok, "a broken folder must fail");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(".md:") || l.contains(".png:"))
        .collect();
    let expected: Vec<_> = broken_lessons()
        .into_iter()
        .filter(|(_, _, e)| !e.starts_with('('))
        .collect();
    assert_eq!(
        problems.len(),
        expected.len(),
        "one line per problem:\n{stderr}"
    );
    for (name, _, message) in expected {
        let file = tutor.lessons().join(name).display().to_string();
        let wanted = format!("{file}:{message}");
        assert!(
            problems.iter().any(|line| line.starts_with(&wanted)),
            "missing '{wanted}' in:\n{stderr}"
        );
    }
    assert!(
        stderr.starts_with(&format!(
            "error: {} problems in the lessons",
            problems.len()
        )),
        "{stderr}"
    );
}

#[test]
fn show_of_a_broken_lesson_names_the_problem_and_healthy_ones_still_show() {
    let tutor = Tutor::new();
    tutor.lesson("broken.md", "# no front matter\n");
    tutor.lesson("02-fine.md", valid_lesson("Fine"));
    let (ok, _, stderr) = output(tutor.with_lessons(&["show", "broken"]));
    assert!(!ok);
    assert!(
        stderr.contains("warning: ") && stderr.contains("broken.md:1:1: no front matter"),
        "{stderr}"
    );
    assert!(stderr.contains("lesson 'broken' not found"), "{stderr}");
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["show", "fine"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Fine"), "{stdout}");
    assert!(stderr.contains("1 lesson file was skipped"), "{stderr}");
}
