//! `shelltutor list`: the bundled lessons from any folder, `--json`, `--lessons`, missing programs.

use super::support::{output, valid_lesson, Tutor};

#[test]
fn lists_the_bundled_lessons_from_any_folder() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["list"]));
    assert!(ok, "{stderr}");
    let ids: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(ids[..2], ["whoami", "cd"]);
}

#[test]
fn json_lists_ids_titles_and_counts() {
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["list", "--json"]));
    assert!(ok);
    let rows: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(rows["version"], 1);
    let first = &rows["lessons"][0];
    assert_eq!(first["id"], "whoami");
    assert_eq!(first["title"], "Who am I?");
    assert!(first["exercises"].as_u64().expect("a count") >= 2);
    assert_eq!(first["missing"], serde_json::json!([]));
}

#[test]
fn lessons_folder_replaces_the_bundled_set_and_orders_by_file_name() {
    let tutor = Tutor::new();
    tutor
        .lesson("02-second.md", valid_lesson("Second"))
        .lesson("01-first.md", valid_lesson("First"))
        .lesson("README.md", "This folder holds lessons.")
        .lesson(".02-second.md.swp", [0u8, 1, 2]);
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["list", "--json"]));
    assert!(ok, "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    let ids: Vec<&str> = rows["lessons"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["first", "second"]);
}

#[test]
fn the_environment_variable_selects_the_lessons_too() {
    let tutor = Tutor::new();
    tutor.lesson("only.md", valid_lesson("Only"));
    let mut command = tutor.command(&["list"]);
    command.env("SHELLTUTOR_LESSONS", tutor.lessons());
    let (ok, stdout, _) = output(command);
    assert!(ok);
    assert!(stdout.contains("only"), "{stdout}");
    assert!(!stdout.contains("whoami"), "{stdout}");
}

#[test]
fn missing_programs_are_named() {
    let tutor = Tutor::new();
    let lesson = valid_lesson("Needs").replace(
        "+++\n\n",
        "requires = [\"no-such-program-xyz\", \"sh\"]\n+++\n\n",
    );
    tutor.lesson("needs.md", lesson);
    let (ok, stdout, _) = output(tutor.with_lessons(&["list"]));
    assert!(ok);
    let row = stdout.lines().find(|l| l.contains("needs")).expect("a row");
    assert!(row.ends_with("no-such-program-xyz"), "{row}");
    assert!(
        stdout.contains(
            "To install them (Debian, Ubuntu): sudo apt-get install no-such-program-xyz\n"
        ),
        "{stdout}"
    );
}

#[test]
fn a_missing_lesson_folder_says_what_to_check() {
    let tutor = Tutor::new();
    let (ok, _, stderr) = output(tutor.command(&["list", "--lessons", "does-not-exist"]));
    assert!(!ok);
    assert!(
        stderr.contains("cannot read lesson folder 'does-not-exist'"),
        "{stderr}"
    );
    assert!(stderr.contains("--lessons"), "{stderr}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let tutor = Tutor::new();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("shelltutor"));
    command
        .args(["show", "cd", "--plain"])
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(tutor.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    // Close the reading end before the tutor writes: its write fails with EPIPE.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn completions_and_manpage_are_generated() {
    let tutor = Tutor::new();
    let (ok, bash, _) = output(tutor.command(&["completions", "bash"]));
    assert!(ok);
    assert!(
        bash.contains("_clap_complete_shelltutor()") && bash.contains("COMPLETE=\"bash\""),
        "{bash}"
    );
    let (ok, _, stderr) = output(tutor.command(&["completions", "tcsh"]));
    assert!(!ok);
    assert!(stderr.contains("possible values"), "{stderr}");
    let (ok, man, _) = output(tutor.command(&["manpage"]));
    assert!(ok);
    assert!(
        man.contains(".TH SHELLTUTOR 1") && man.contains("grade"),
        "{man}"
    );
}
