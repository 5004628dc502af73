//! `shelltutor progress` and `reset`: reports, the instructor export, confirmation, corrupt and newer files.

use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::support::{output, Tutor};

/// A lesson titled `title` with one exercise per name (`## Exercise: <name>`).
fn lesson(title: &str, exercises: &[&str]) -> String {
    let mut text = format!("+++\ntitle = \"{title}\"\n+++\n\n# {title}\n");
    for name in exercises {
        text.push_str(&format!(
            "\n## Exercise: {name}\n\n```check\nran \"echo\"\n```\n\n```sh solution\necho hi\n```\n"
        ));
    }
    text
}

/// Two lessons, `first` (exercises a, b) and `second` (exercise c), and a progress file.
fn tutor_with_progress(progress: &Value) -> Tutor {
    let tutor = Tutor::new();
    tutor
        .lesson("01-first.md", lesson("First", &["A", "B"]))
        .lesson("02-second.md", lesson("Second", &["C"]));
    fs::write(progress_file(&tutor), progress.to_string()).expect("progress written");
    tutor
}

fn progress_file(tutor: &Tutor) -> PathBuf {
    tutor.path().join("data/progress.json")
}

fn saved(tutor: &Tutor) -> Value {
    serde_json::from_slice(&fs::read(progress_file(tutor)).expect("progress file")).expect("JSON")
}

fn some_progress() -> Value {
    json!({
        "version": 1,
        "current": "second/c",
        "exercises": {
            "first/a": {"done": true, "completed_at": 1795469000u64, "attempts": 3, "hints_used": 1,
                        "solution_used": false, "seconds_spent": 125},
            "first/b": {"done": false, "attempts": 1, "solution_used": true, "seconds_spent": 9},
            "second/c": {"done": true, "attempts": 2},
            "removed/lesson": {"done": true, "attempts": 7}
        }
    })
}

#[test]
fn without_progress_it_says_how_to_start() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["progress"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("No progress yet"), "{stdout}");
    assert!(stdout.contains("'shelltutor start ID'"), "{stdout}");
    assert!(!progress_file(&tutor).exists(), "reading creates nothing");
}

#[test]
fn the_report_counts_per_lesson_and_ignores_exercises_that_are_gone() {
    let tutor = tutor_with_progress(&some_progress());
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["progress"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("2 of 3 exercises done"), "{stdout}");
    assert!(stdout.contains("First (first): 1 of 2 done"), "{stdout}");
    assert!(stdout.contains("Second (second): 1 of 1 done"), "{stdout}");
    assert!(
        stdout.contains("done     3 attempts, 1 hint, 2m 05s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("started  1 attempt, solution shown, 9s"),
        "{stdout}"
    );
    assert!(stdout.contains("You are at second/c"), "{stdout}");
    assert!(!stdout.contains("removed"), "{stdout}");
}

#[test]
fn the_json_export_has_every_exercise_and_its_fields() {
    let tutor = tutor_with_progress(&some_progress());
    let mut command = tutor.with_lessons(&["progress", "--json"]);
    command.env("USER", "ada");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let export: Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(export["version"], 1);
    assert_eq!(export["user"], "ada");
    assert_eq!(export["current"], "second/c");
    assert_eq!((&export["done"], &export["total"]), (&json!(2), &json!(3)));
    assert!(export["exported_at"]
        .as_str()
        .expect("a time")
        .ends_with('Z'));
    let first = &export["lessons"][0];
    assert_eq!(
        (&first["id"], &first["done"], &first["total"]),
        (&json!("first"), &json!(1), &json!(2))
    );
    assert_eq!(
        first["exercises"][0],
        json!({"id": "first/a", "title": "A", "started": true, "done": true,
               "completed_at": "2026-11-23T21:23:20Z", "attempts": 3, "hints_used": 1,
               "solution_used": false, "seconds_spent": 125})
    );
    assert_eq!(first["exercises"][1]["solution_used"], true);
    assert_eq!(export["lessons"].as_array().expect("lessons").len(), 2);
    assert!(!stdout.contains("removed/lesson"), "{stdout}");
}

#[test]
fn the_json_export_without_progress_or_user_is_still_complete() {
    let tutor = Tutor::new();
    tutor.lesson("01-first.md", lesson("First", &["A"]));
    let (ok, stdout, _) = output(tutor.with_lessons(&["progress", "--json"]));
    assert!(ok);
    let export: Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(export["user"], Value::Null);
    assert_eq!(export["lessons"][0]["exercises"][0]["started"], false);
    assert_eq!(export["lessons"][0]["exercises"][0]["attempts"], 0);
}

#[test]
fn reset_refuses_without_yes_when_there_is_no_terminal() {
    let tutor = tutor_with_progress(&some_progress());
    let before = fs::read(progress_file(&tutor)).expect("progress");
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "first"]));
    assert!(!ok);
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(stderr.contains("lesson 'first' (2 exercises)"), "{stderr}");
    assert_eq!(fs::read(progress_file(&tutor)).expect("progress"), before);
}

#[test]
fn reset_of_a_lesson_keeps_the_others_and_unknown_entries() {
    let tutor = tutor_with_progress(&some_progress());
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["reset", "first", "--yes"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Reset progress of lesson 'first'"),
        "{stdout}"
    );
    let exercises = &saved(&tutor)["exercises"];
    assert_eq!(exercises.get("first/a"), None);
    assert_eq!(exercises.get("first/b"), None);
    assert_eq!(exercises["second/c"]["attempts"], 2);
    assert_eq!(exercises["removed/lesson"]["attempts"], 7);
    assert_eq!(saved(&tutor)["current"], "second/c");
}

#[test]
fn reset_of_an_exercise_forgets_only_it_and_where_you_were() {
    let tutor = tutor_with_progress(&some_progress());
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "second/c", "-y"]));
    assert!(ok, "{stderr}");
    let file = saved(&tutor);
    assert_eq!(file["exercises"].get("second/c"), None);
    assert_eq!(file["exercises"]["first/a"]["attempts"], 3);
    assert_eq!(file["current"], Value::Null);
}

#[test]
fn reset_all_forgets_everything() {
    let tutor = tutor_with_progress(&some_progress());
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "--all", "--yes"]));
    assert!(ok, "{stderr}");
    assert_eq!(
        saved(&tutor),
        json!({"version": 1, "current": null, "exercises": {}})
    );
    let (_, stdout, _) = output(tutor.with_lessons(&["progress"]));
    assert!(stdout.contains("No progress yet"), "{stdout}");
}

#[test]
fn reset_with_nothing_to_forget_does_not_ask() {
    let tutor = Tutor::new();
    tutor.lesson("01-first.md", lesson("First", &["A"]));
    let (ok, stdout, stderr) = output(tutor.with_lessons(&["reset", "first"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Nothing to reset"), "{stdout}");
}

#[test]
fn reset_of_an_unknown_id_suggests_one() {
    let tutor = tutor_with_progress(&some_progress());
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "frist", "--yes"]));
    assert!(!ok);
    assert!(stderr.contains("did you mean 'first'"), "{stderr}");
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "first/aa", "--yes"]));
    assert!(!ok);
    assert!(stderr.contains("did you mean 'first/a'"), "{stderr}");
    let (ok, _, stderr) = output(tutor.with_lessons(&["reset"]));
    assert!(!ok);
    assert!(stderr.contains("--all"), "{stderr}");
}

#[test]
fn a_corrupt_file_is_reported_and_kept_aside() {
    let tutor = Tutor::new();
    let bad = b"{\"version\": 1, \"exercises\": {\"whoami/x\": {\"do";
    fs::write(progress_file(&tutor), bad).expect("written");
    let (ok, stdout, stderr) = output(tutor.command(&["progress"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("No progress yet"), "{stdout}");
    let aside: Vec<PathBuf> = fs::read_dir(tutor.path().join("data"))
        .expect("data dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(stderr.contains(&aside[0].display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&progress_file(&tutor).display().to_string()),
        "{stderr}"
    );
    assert_eq!(fs::read(&aside[0]).expect("moved file"), bad);
}

#[test]
fn a_file_from_a_newer_shelltutor_is_refused_untouched() {
    let tutor = tutor_with_progress(&json!({"version": 2, "exercises": []}));
    let before = fs::read(progress_file(&tutor)).expect("progress");
    for args in [&["progress"][..], &["reset", "--all", "--yes"]] {
        let (ok, _, stderr) = output(tutor.with_lessons(args));
        assert!(!ok);
        assert!(stderr.contains("newer shelltutor"), "{stderr}");
    }
    assert_eq!(fs::read(progress_file(&tutor)).expect("progress"), before);
}

#[test]
fn an_unwritable_data_dir_is_named_with_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let tutor = tutor_with_progress(&some_progress());
    let data = tutor.path().join("data");
    fs::set_permissions(&data, fs::Permissions::from_mode(0o500)).expect("chmod");
    // Root writes anyway; then there is nothing to test.
    let privileged = fs::write(data.join("probe"), "").is_ok();
    if !privileged {
        let (ok, stdout, _) = output(tutor.with_lessons(&["progress"]));
        assert!(ok, "reading needs no write access");
        assert!(stdout.contains("2 of 3"), "{stdout}");
        let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "--all", "--yes"]));
        assert!(!ok);
        assert!(stderr.contains(&data.display().to_string()), "{stderr}");
        assert!(stderr.contains("SHELLTUTOR_DATA_DIR"), "{stderr}");
    }
    fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).expect("chmod back");
}

#[test]
fn a_missing_data_dir_is_no_progress_and_is_not_created_by_reading() {
    let tutor = Tutor::new();
    let data = tutor.path().join("new/data");
    let mut command = tutor.command(&["progress"]);
    command.env("SHELLTUTOR_DATA_DIR", &data);
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("No progress yet"), "{stdout}");
    assert!(!data.exists());
}

#[test]
fn the_data_dir_defaults_to_xdg_then_home() {
    let tutor = tutor_with_progress(&some_progress());
    let xdg = tutor.path().join("xdg/shelltutor");
    fs::create_dir_all(&xdg).expect("xdg dir");
    fs::copy(progress_file(&tutor), xdg.join("progress.json")).expect("copied");
    let mut command = tutor.with_lessons(&["progress"]);
    command
        .env_remove("SHELLTUTOR_DATA_DIR")
        .env("XDG_DATA_HOME", tutor.path().join("xdg"));
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("2 of 3"), "{stdout}");

    let mut command = tutor.with_lessons(&["progress"]);
    command.env_remove("SHELLTUTOR_DATA_DIR");
    let (ok, stdout, _) = output(command);
    assert!(ok);
    assert!(stdout.contains("No progress yet"), "{stdout}");
    assert!(
        !tutor.path().join("home/.local").exists(),
        "reading creates nothing"
    );

    let mut command = tutor.with_lessons(&["progress"]);
    command.env_remove("SHELLTUTOR_DATA_DIR").env_remove("HOME");
    let (ok, _, stderr) = output(command);
    assert!(!ok);
    assert!(stderr.contains("SHELLTUTOR_DATA_DIR"), "{stderr}");
}

#[test]
fn reset_is_refused_while_a_tutor_holds_the_progress() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let tutor = tutor_with_progress(&some_progress());
    let lock = tutor.path().join("data/progress.lock");
    // One process holding the same kind of lock, as an open tutor does; killing it releases the lock.
    let script = "exec 9>\"$0\" && flock 9 && echo locked && exec sleep 30";
    let Ok(mut holder) = Command::new("sh")
        .args(["-c", script])
        .arg(&lock)
        .stdout(Stdio::piped())
        .spawn()
    else {
        eprintln!("no sh; skipping");
        return;
    };
    let mut line = String::new();
    let stdout = holder.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("flock reports");
    if line != "locked\n" {
        let _ = holder.kill();
        let _ = holder.wait();
        eprintln!("flock(1) is not installed; skipping");
        return;
    }

    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "--all", "--yes"]));
    let (progress_ok, stdout, _) = output(tutor.with_lessons(&["progress"]));
    holder.kill().expect("killed");
    holder.wait().expect("reaped");
    assert!(!ok);
    assert!(stderr.contains("another shelltutor"), "{stderr}");
    assert!(stderr.contains("close it first"), "{stderr}");
    assert!(
        progress_ok && stdout.contains("2 of 3"),
        "reading needs no lock: {stdout}"
    );

    let (ok, _, stderr) = output(tutor.with_lessons(&["reset", "--all", "--yes"]));
    assert!(ok, "the lock is gone with its holder: {stderr}");
}
