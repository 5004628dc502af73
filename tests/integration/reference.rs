//! `shelltutor ref` and card verification: the bundled cards say the right things, cards of a folder are loaded
//! strictly, proven examples fail on a wrong output, and commands without a card fall back to the system's own
//! documentation.

use super::support::{output, Tutor};

/// A card whose one proven example prints `printed` and shows `shown`.
fn card(command: &str, printed: &str, shown: &str) -> String {
    format!(
        "+++\ncommand = \"{command}\"\nsummary = \"print a greeting\"\n+++\n\n# {command} — print a greeting\n\n## Synopsis\n\n```text\n{command}\n```\n\n## Options\n\n- `-n`, `--no-newline`: no newline at the end\n\n## Examples\n\n```sh setup\nprintf '{printed}\\n' > greeting\n```\n\n```console proven\n$ cat greeting\n{shown}\n```\n"
    )
}

/// Writes card files into a folder of the test and returns its path.
fn card_folder(tutor: &Tutor, cards: &[(&str, String)]) -> String {
    let folder = tutor.path().join("cards");
    std::fs::create_dir_all(&folder).expect("a card folder");
    for (name, text) in cards {
        std::fs::write(folder.join(name), text).expect("write a card");
    }
    folder.display().to_string()
}

#[test]
fn ref_rm_says_what_f_and_r_do_and_points_to_rmdir() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["ref", "rm", "--width", "200"]));
    assert!(ok, "{stderr}");
    for text in [
        "rm — remove files and folders",
        "`-f`, `--force`: ignore files that do not exist, and never prompt",
        "`-r`, `-R`, `--recursive`: remove folders and their contents",
        "rmdir",
        "removes a folder only when it is empty",
    ] {
        assert!(stdout.contains(text), "missing '{text}' in:\n{stdout}");
    }
    assert!(!stdout.contains('\x1b'), "piped output is plain:\n{stdout}");
    assert!(
        !stdout.contains("sh setup"),
        "setup blocks are hidden:\n{stdout}"
    );
    let (ok, stdout, _) = output(tutor.command(&["ref", "rmdir"]));
    assert!(ok);
    assert!(stdout.contains("rmdir — remove empty folders"), "{stdout}");
}

#[test]
fn ref_lists_the_cards_and_prints_json() {
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["ref"]));
    assert!(ok);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("rm ") && l.contains("remove files and folders")),
        "{stdout}"
    );
    assert!(
        stdout.contains(" cards. 'shelltutor ref CMD' shows one"),
        "{stdout}"
    );

    let (ok, json, _) = output(tutor.command(&["ref", "--json"]));
    assert!(ok);
    let list: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(list.as_array().expect("a list").len() >= 10);

    let (ok, json, _) = output(tutor.command(&["ref", "rm", "--json"]));
    assert!(ok);
    let rm: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(rm["command"], "rm");
    assert_eq!(rm["kind"], "program");
    assert_eq!(
        rm["options"][0]["spellings"],
        serde_json::json!(["-f", "--force"])
    );
    assert!(rm["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .any(|e| e["proven"] == true));
    assert!(rm["synopsis"]
        .as_str()
        .expect("synopsis")
        .starts_with("rm [OPTION]"));
}

#[test]
fn typos_get_suggestions() {
    let tutor = Tutor::new();
    let (ok, _, stderr) = output(tutor.command(&["ref", "rmdri"]));
    assert!(!ok);
    assert!(
        stderr.contains("no card for 'rmdri' (did you mean one of: rmdir"),
        "{stderr}"
    );
}

#[test]
fn without_a_card_the_man_page_or_help_is_shown() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["ref", "ulimit"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("There is no card for `ulimit` yet"),
        "{stdout}"
    );
    assert!(stdout.contains("Modify shell resource limits"), "{stdout}");

    // uname has no card; its man page is read offline when installed.
    if std::path::Path::new("/usr/share/man/man1/uname.1.gz").exists() {
        let (ok, stdout, stderr) = output(tutor.command(&["ref", "uname", "--width", "200"]));
        assert!(ok, "{stderr}");
        assert!(
            stdout.contains("There is no card for `uname` yet"),
            "{stdout}"
        );
        assert!(stdout.contains("uname [OPTION]..."), "{stdout}");
        assert!(
            stdout.contains("`-a`, `--all`: print all information"),
            "{stdout}"
        );
    }
}

#[test]
fn a_proven_example_fails_on_a_wrong_output_and_passes_on_the_right_one() {
    let tutor = Tutor::new();
    let folder = card_folder(&tutor, &[("hello.md", card("hello", "hello", "hullo"))]);
    let (ok, stdout, _) = output(tutor.command(&["verify", &folder]));
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("FAIL card:hello"), "{stdout}");
    assert!(
        stdout.contains("hello.md:25: '$ cat greeting' printed something else than the card shows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected:\n            | hullo\n       found:\n            | hello"),
        "{stdout}"
    );

    std::fs::write(
        tutor.path().join("cards/hello.md"),
        card("hello", "hello", "hello"),
    )
    .expect("write");
    let (ok, stdout, _) = output(tutor.command(&["verify", &folder]));
    assert!(ok, "{stdout}");
    assert!(stdout.contains("PASS card:hello"), "{stdout}");
    assert!(
        stdout.ends_with("1 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn verify_reference_dir_checks_only_those_cards() {
    let tutor = Tutor::new();
    let folder = card_folder(&tutor, &[("hello.md", card("hello", "hi", "hi"))]);
    let (ok, stdout, _) = output(tutor.command(&["verify", "--reference", &folder]));
    assert!(ok, "{stdout}");
    assert!(
        stdout.ends_with("1 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
    let (ok, stdout, _) = output(tutor.command(&["ref", "hello", "--reference", &folder]));
    assert!(ok);
    assert!(stdout.contains("hello — print a greeting"), "{stdout}");
}

#[test]
fn one_card_file_verifies_alone_and_a_fifo_among_cards_is_named_not_waited_for() {
    let tutor = Tutor::new();
    let folder = card_folder(
        &tutor,
        &[
            ("hello.md", card("hello", "hi", "hi")),
            ("wrong.md", card("wrong", "hi", "bye")),
        ],
    );
    let file = format!("{folder}/hello.md");
    let (ok, stdout, stderr) = output(tutor.command(&["verify", &file]));
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("PASS card:hello"), "{stdout}");
    assert!(!stdout.contains("wrong"), "only the file named: {stdout}");
    let status = std::process::Command::new("mkfifo")
        .arg(format!("{folder}/pipe.md"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let started = std::time::Instant::now();
    let (ok, stdout, stderr) = output(tutor.command(&["verify", "--reference", &folder]));
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains("pipe.md") && stdout.contains("FIFO"),
        "{stdout}{stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "never waits for a writer"
    );
}

#[test]
fn missing_tools_skip_a_card_or_fail_when_required() {
    let tutor = Tutor::new();
    let text = card("hello", "hi", "hi")
        .replace("+++\n\n#", "requires = [\"no-such-tool-xyz\"]\n+++\n\n#");
    let folder = card_folder(&tutor, &[("hello.md", text)]);
    let (ok, stdout, _) = output(tutor.command(&["verify", &folder]));
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains(
            "SKIP card:hello: its examples need programs that are not installed: no-such-tool-xyz"
        ),
        "{stdout}"
    );
    let mut strict = tutor.command(&["verify", &folder]);
    strict.env("SHELLTUTOR_REQUIRE_TOOLS", "1");
    let (ok, stdout, _) = output(strict);
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("FAIL card:hello"), "{stdout}");
}

#[test]
fn broken_cards_are_reported_with_positions() {
    let tutor = Tutor::new();
    let broken = card("hello", "hi", "hi")
        .replace("summary =", "sumary =")
        .replace(
            "- `-n`, `--no-newline`: no newline",
            "- `-n` `--no-newline`: no newline",
        );
    let folder = card_folder(
        &tutor,
        &[
            ("hello.md", broken),
            (
                "vi.md",
                card("vi", "x", "x").replace("command = \"vi\"", "command = \"hello\""),
            ),
        ],
    );
    let (ok, stdout, _) = output(tutor.command(&["verify", &folder]));
    assert!(!ok);
    assert!(stdout.contains("the cards do not load"), "{stdout}");
    assert!(
        stdout
            .contains("hello.md:3:1: unknown front-matter key 'sumary' (did you mean 'summary'?)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "vi.md:2:1: the card for 'hello' must be in a file named 'hello.md', not 'vi.md'"
        ),
        "{stdout}"
    );

    let fixed = card("hello", "hi", "hi").replace(
        "- `-n`, `--no-newline`: no newline",
        "- `-n` `--no-newline`: no newline",
    );
    std::fs::write(tutor.path().join("cards/hello.md"), fixed).expect("write");
    let (ok, _, stderr) = output(tutor.command(&["ref", "hello", "--reference", &folder]));
    assert!(!ok);
    assert!(
        stderr.contains("hello.md:16:7: expected ', `' before another spelling"),
        "{stderr}"
    );
}

#[test]
fn the_example_card_in_the_format_guide_verifies() {
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/reference-format.md"
    ))
    .expect("the format guide");
    let start = guide
        .find("````markdown\n")
        .expect("the guide has a ````markdown example")
        + "````markdown\n".len();
    let end = start + guide[start..].find("\n````").expect("the example ends");
    let example = &guide[start..=end];
    let command = example
        .lines()
        .find_map(|l| l.strip_prefix("command = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the example names its command");
    let tutor = Tutor::new();
    let folder = card_folder(&tutor, &[(&format!("{command}.md"), example.to_string())]);
    let (ok, stdout, _) = output(tutor.command(&["verify", &folder]));
    assert!(ok, "{stdout}");
    assert!(stdout.contains(&format!("PASS card:{command}")), "{stdout}");
    let (ok, stdout, stderr) = output(tutor.command(&["ref", command, "--reference", &folder]));
    assert!(ok, "{stderr}");
    assert!(!stdout.contains("sh setup"), "{stdout}");
}
