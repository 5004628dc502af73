//! `shelltutor show`: renders a lesson, hides solutions and hint texts, plain output has no escape byte.

use super::support::{output, Tutor};

#[test]
fn shows_whoami_without_solutions_or_hint_texts() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["show", "whoami"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Who am I?"), "{stdout}");
    assert!(stdout.contains("Print your user name"), "{stdout}");
    assert!(stdout.contains("hints available: type :hint"), "{stdout}");
    assert!(
        !stdout.contains("There is nothing to add after it"),
        "a hint leaked:\n{stdout}"
    );
    assert!(!stdout.contains("[x]"), "a quiz answer leaked:\n{stdout}");
}

#[test]
fn no_solution_or_hint_of_any_bundled_lesson_is_shown() {
    let tutor = Tutor::new();
    let (_, list, _) = output(tutor.command(&["list", "--json"]));
    let rows: serde_json::Value = serde_json::from_str(&list).expect("valid JSON");
    for row in rows["lessons"].as_array().expect("array") {
        let id = row["id"].as_str().expect("id");
        let (ok, stdout, _) = output(tutor.command(&["show", id]));
        assert!(ok, "show {id}");
        let source = std::fs::read_to_string(format!(
            "{}/{}",
            env!("CARGO_MANIFEST_DIR"),
            row["source"].as_str().expect("source")
        ))
        .expect("the bundled lesson's source");
        for secret in secrets(&source) {
            assert!(
                !stdout.contains(&secret),
                "'{secret}' of lesson {id} is shown:\n{stdout}"
            );
        }
    }
}

/// The lines of solution (shell or keystrokes), setup, check and random blocks, and the text of hints: none may be
/// shown. A line the lesson also shows on purpose (an example command in its text, a keystroke solution's
/// `$ command`) is not a secret.
fn secrets(markdown: &str) -> Vec<String> {
    let visible = visible_text(markdown);
    hidden_lines(markdown)
        .into_iter()
        .filter(|secret| !visible.contains(secret.as_str()))
        .collect()
}

/// The lesson's text outside hidden blocks and hints.
fn visible_text(markdown: &str) -> String {
    let mut visible = String::new();
    let mut in_secret_block = false;
    for line in markdown.lines() {
        match line.trim() {
            "```sh solution" | "```keys solution" | "```sh setup" | "```check" | "```sh check"
            | "```random" => in_secret_block = true,
            "```" if in_secret_block => in_secret_block = false,
            text if in_secret_block || text.starts_with("> Hint:") => {}
            text => {
                visible.push_str(text);
                visible.push('\n');
            }
        }
    }
    visible
}

fn hidden_lines(markdown: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    let mut in_secret_block = false;
    for line in markdown.lines() {
        match line.trim() {
            "```sh solution" | "```keys solution" | "```sh setup" | "```check" | "```sh check"
            | "```random" => in_secret_block = true,
            "```" => in_secret_block = false,
            text if in_secret_block && text.starts_with("$ ") => {}
            text if in_secret_block && text.len() > 8 => secrets.push(text.to_string()),
            text if text.starts_with("> Hint:") => {
                secrets.push(text.trim_start_matches("> Hint:").trim().to_string())
            }
            _ => {}
        }
    }
    secrets
}

#[test]
fn plain_output_has_no_escape_byte() {
    let tutor = Tutor::new();
    let mut command = tutor.command(&["show", "whoami"]);
    command.env("NO_COLOR", "1").env("TERM", "xterm-256color");
    let output = command.output().expect("runs");
    assert!(output.status.success());
    assert!(
        !output.stdout.contains(&0x1b),
        "escape byte in plain output"
    );
    assert!(!output.stdout.is_empty());
}

#[test]
fn width_is_respected() {
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["show", "cd", "--width", "40"]));
    assert!(ok);
    let too_wide: Vec<&str> = stdout
        .lines()
        .filter(|l| {
            l.chars().count() > 40 && !l.starts_with("    ") && !l.contains('│') && !l.contains('|')
        })
        .collect();
    assert!(too_wide.is_empty(), "lines wider than 40: {too_wide:#?}");
}

#[test]
fn one_exercise_can_be_shown() {
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["show", "cd/go-home-the-short-way"]));
    assert!(ok);
    assert!(stdout.contains("Go home the short way"), "{stdout}");
    assert!(!stdout.contains("Where am I?"), "{stdout}");
}

#[test]
fn unknown_ids_suggest_the_closest() {
    let tutor = Tutor::new();
    let (ok, _, stderr) = output(tutor.command(&["show", "whoam"]));
    assert!(!ok);
    assert!(
        stderr.contains("lesson 'whoam' not found (did you mean 'whoami'?)"),
        "{stderr}"
    );
    assert!(stderr.contains("shelltutor list"), "{stderr}");

    let (ok, _, stderr) = output(tutor.command(&["show", "cd/nowhere"]));
    assert!(!ok);
    assert!(
        stderr.contains("exercise 'cd/nowhere' not found"),
        "{stderr}"
    );
    assert!(stderr.contains("cd/where-am-i"), "{stderr}");
}
