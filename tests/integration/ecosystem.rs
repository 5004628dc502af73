//! Fitting the ecosystem (issue 14): a closed pipe, colour and width settings, the pager, settings that stick,
//! `paths`, dynamic completion in a real bash, man pages that render without warnings, and distinct exit codes.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use super::support::{output, valid_lesson, Tutor};

/// Runs `command` with its stdout a pipe whose reader has already gone, as `(sleep 1; cmd) | head -0` does.
fn with_closed_stdout(mut command: Command) -> (Option<i32>, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("stderr");
    }
    (child.wait().expect("wait").code(), stderr)
}

#[test]
fn no_command_complains_when_its_reader_goes_away() {
    let tutor = Tutor::new();
    tutor.lesson("01-hi.md", valid_lesson("Hi"));
    let answers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers");
    let answers = answers.display().to_string();
    let lessons = tutor.lessons().display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--json"],
        vec!["show", "whoami"],
        vec!["show", "whoami", "--paging", "always"],
        vec!["doctor"],
        vec!["doctor", "--json"],
        vec!["completions", "bash"],
        vec!["completions", "fish"],
        vec!["manpage"],
        vec!["paths"],
        vec!["progress"],
        vec!["progress", "--json"],
        vec!["reset", "--all", "--yes"],
        vec!["--help"],
        vec!["--version"],
        vec!["help", "grade"],
        vec!["verify", &lessons],
        vec!["grade", "--answers", &answers, "--only", "whoami"],
        vec![
            "grade",
            "--answers",
            &answers,
            "--only",
            "whoami",
            "--format",
            "json",
        ],
        vec![
            "grade",
            "--answers",
            &answers,
            "--only",
            "whoami",
            "--format",
            "junit",
        ],
        vec![
            "grade",
            "--answers",
            &answers,
            "--only",
            "whoami",
            "--format",
            "tap",
        ],
        vec!["start", "whoami"],
    ];
    for args in commands {
        let (code, stderr) = with_closed_stdout(tutor.process(&args));
        assert_eq!(code, Some(0), "shelltutor {args:?}: {stderr}");
        assert_eq!(stderr, "", "shelltutor {args:?}");
    }
}

#[test]
fn colour_is_chosen_alike_by_flag_and_environment_on_every_command() {
    let tutor = Tutor::new();
    let escapes = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = tutor.command(args);
        for (name, value) in env {
            command.env(name, value);
        }
        let (_, stdout, _) = output(command);
        stdout.contains('\u{1b}')
    };
    assert!(escapes(&["show", "whoami", "--color", "always"], &[]));
    assert!(escapes(&["show", "whoami"], &[("CLICOLOR_FORCE", "1")]));
    assert!(escapes(&["--help"], &[("CLICOLOR_FORCE", "1")]));
    assert!(escapes(
        &["show", "whoami"],
        &[("SHELLTUTOR_COLOR", "always")]
    ));
    for command in [
        &["show", "whoami"][..],
        &["list"],
        &["doctor"],
        &["progress"],
        &["paths"],
        &["--help"],
        &["help", "show"],
    ] {
        for env in [&[][..], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]] {
            assert!(!escapes(command, env), "{command:?} {env:?}");
        }
        let mut never = command.to_vec();
        never.extend(["--color", "never"]);
        assert!(!escapes(&never, &[("CLICOLOR_FORCE", "1")]), "{never:?}");
    }
    let (ok, _, stderr) = output(tutor.command(&["list", "--plain", "--color", "always"]));
    assert!(!ok);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn width_applies_to_every_command_and_is_checked() {
    let tutor = Tutor::new();
    let (ok, _, stderr) = output(tutor.command(&["list", "--width", "3"]));
    assert!(!ok);
    assert!(
        stderr.contains("the width must be between 20 and 400 columns"),
        "{stderr}"
    );
    // Code lines are never wrapped, so that what a learner copies is what runs; everything else fits.
    let widest = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with("    "))
            .map(unicode_width::UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    for args in [
        &["show", "whoami", "--width", "40"][..],
        &["list", "--width", "40"],
        &["doctor", "--width", "40"],
    ] {
        let (_, stdout, _) = output(tutor.command(args));
        assert!(widest(&stdout) <= 40, "{args:?}:\n{stdout}");
    }
    let mut columns = tutor.command(&["doctor"]);
    columns.env("COLUMNS", "50");
    let (_, stdout, _) = output(columns);
    assert!(
        widest(&stdout) <= 50,
        "COLUMNS is honoured when not a terminal:\n{stdout}"
    );
}

#[test]
fn settings_stick_in_a_file_and_in_the_environment() {
    let tutor = Tutor::new();
    let config = tutor.path().join("home/.config/shelltutor");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(
        config.join("config.toml"),
        "width = 30\ncolor = \"always\"\n",
    )
    .expect("write");
    let (ok, stdout, stderr) = output(tutor.command(&["show", "whoami"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains('\u{1b}'), "colour from the file");
    let mut env = tutor.command(&["show", "whoami"]);
    env.env("SHELLTUTOR_COLOR", "never");
    let (_, stdout, _) = output(env);
    assert!(
        !stdout.contains('\u{1b}'),
        "the environment wins over the file"
    );
    let (_, stdout, _) = output(tutor.command(&["show", "whoami", "--color", "never"]));
    assert!(
        stdout
            .lines()
            .filter(|l| !l.starts_with("    "))
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 30),
        "{stdout}"
    );
    std::fs::write(
        config.join("config.toml"),
        "width = 30\ncolour = \"always\"\n",
    )
    .expect("write");
    let (ok, _, stderr) = output(tutor.command(&["list"]));
    assert!(!ok);
    assert!(
        stderr.contains("config.toml:2:1: unknown field `colour`"),
        "{stderr}"
    );
}

#[test]
fn paths_prints_where_things_are_kept() {
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["paths"]));
    assert!(ok);
    let home = tutor.path().join("home");
    for expected in [
        tutor.path().join("data").display().to_string(),
        home.join(".config/shelltutor/config.toml")
            .display()
            .to_string(),
        home.join(".local/state/shelltutor/history")
            .display()
            .to_string(),
    ] {
        assert!(stdout.contains(&expected), "{expected}\nnot in:\n{stdout}");
    }
}

#[test]
fn the_pager_is_shelltutor_pager_before_pager() {
    let tutor = Tutor::new();
    let paged = tutor.path().join("paged.txt");
    let mut command = tutor.command(&["show", "whoami", "--paging", "always"]);
    command
        .env("SHELLTUTOR_PAGER", format!("cat > '{}'", paged.display()))
        .env("PAGER", "false");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "", "the text went to the pager");
    let text = std::fs::read_to_string(&paged).expect("the pager ran");
    assert!(text.contains("Who am I?"), "{text}");
    let (_, stdout, _) = output(tutor.command(&["show", "whoami", "--no-pager"]));
    assert!(stdout.contains("Who am I?"));
}

#[test]
fn bash_completes_lesson_and_exercise_ids_and_no_file_names_for_numbers() {
    let tutor = Tutor::new();
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let (ok, script, _) = output(tutor.command(&["completions", "bash"]));
    assert!(ok);
    let script_file = tutor.path().join("completion.bash");
    std::fs::write(&script_file, &script).expect("write");
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script_file)
        .output()
        .expect("bash -n");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    std::fs::write(tutor.path().join("README-file"), "").expect("a file completion could offer");
    let binary = assert_cmd::cargo::cargo_bin("shelltutor");
    let bin_dir = binary.parent().expect("a folder");
    let complete = |words: &str| {
        let program = format!(
            "source '{}'\nCOMP_WORDS=({words})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\nCOMP_TYPE=9\n\
             _clap_complete_shelltutor shelltutor \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script_file.display()
        );
        let output = Command::new("bash")
            .arg("-c")
            .arg(program)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("HOME", tutor.path().join("home"))
            .current_dir(tutor.path())
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let offered = complete("shelltutor show ''");
    assert!(offered.lines().any(|l| l.trim() == "whoami"), "{offered}");
    assert!(
        offered.lines().any(|l| l.trim() == "cd/where-am-i"),
        "{offered}"
    );
    let offered = complete("shelltutor start cd/w");
    assert_eq!(offered.trim(), "cd/where-am-i", "{offered}");
    let offered = complete("shelltutor list --width ''");
    assert!(
        !offered.contains("README-file"),
        "file names for a number: {offered}"
    );
}

#[test]
fn every_man_page_renders_without_warnings() {
    let tutor = Tutor::new();
    let dir = tutor.path().join("man1");
    let (ok, _, stderr) = output(tutor.command(&["manpage", "--dir", &dir.display().to_string()]));
    assert!(ok, "{stderr}");
    let pages: Vec<_> = std::fs::read_dir(&dir)
        .expect("pages")
        .map(|e| e.expect("entry").path())
        .collect();
    for command in ["show", "grade", "verify", "sandbox", "paths", "start"] {
        assert!(
            pages
                .iter()
                .any(|p| p.ends_with(format!("shelltutor-{command}.1"))),
            "no page for {command}"
        );
    }
    let man = Command::new("man").arg("--version").output();
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("a page");
        for section in ["EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
            assert!(
                text.contains(section),
                "{} has no {section}",
                page.display()
            );
        }
        if man.is_err() {
            continue;
        }
        let rendered = Command::new("man")
            .args(["-l", "--warnings", "-E", "UTF-8"])
            .arg(page)
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .output()
            .expect("man runs");
        assert!(rendered.status.success(), "{}", page.display());
        assert_eq!(
            String::from_utf8_lossy(&rendered.stderr),
            "",
            "{} has warnings",
            page.display()
        );
    }
}

#[test]
fn exit_codes_tell_shelltutor_from_the_sandboxed_command() {
    let tutor = Tutor::new();
    let code = |args: &[&str]| tutor.command(args).output().expect("runs").status.code();
    assert_eq!(code(&["list", "--bogus"]), Some(2), "a usage error");
    assert_eq!(code(&["show", "nowhere"]), Some(2), "an error");
    assert_eq!(
        code(&["sandbox", "--bogus"]),
        Some(125),
        "shelltutor's own failure under sandbox"
    );
    assert_eq!(
        code(&["--lessons", "/nowhere", "sandbox", "--bogus"]),
        Some(125)
    );
    assert_eq!(
        code(&["sandbox", "-c", "exit 2"]),
        Some(2),
        "the line's own status"
    );
    let (ok, stdout, _) = output(tutor.command(&["doctor", "--json"]));
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["version"], 1, "{ok}");
}
