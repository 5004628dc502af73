//! `shelltutor explain`: it never runs anything, explains options from cards and man pages, points at syntax
//! errors, and warns about dangerous lines; the tutor warns after a dangerous line ran in the sandbox.

use super::support::{output, Tutor};

#[test]
fn explain_never_executes_anything() {
    let tutor = Tutor::new();
    let line = "touch CANARY; $(touch CANARY2) && echo \"$(touch CANARY3)\" > CANARY4 `touch CANARY5` <(touch CANARY6) | sh -c 'touch CANARY7'; eval 'touch CANARY8' & xargs touch CANARY9 <<EOF\n$(touch CANARY10)\nEOF";
    let (ok, stdout, stderr) = output(tutor.command(&["explain", line]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("touch"), "{stdout}");
    let left: Vec<String> = std::fs::read_dir(tutor.path())
        .expect("the test folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("CANARY"))
        .collect();
    assert!(left.is_empty(), "explain ran something: {left:?}\n{stdout}");
}

#[test]
fn options_are_expanded_and_explained_from_the_card() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) =
        output(tutor.command(&["explain", "--width", "200", "rm -rf ~/old"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("2 short options written together"),
        "{stdout}"
    );
    let row = |flag: &str, meaning: &str| {
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{flag} ")) && l.contains(meaning))
    };
    assert!(row("-r", "remove folders and their contents"), "{stdout}");
    assert!(
        row("-f", "ignore files that do not exist, and never prompt"),
        "{stdout}"
    );
    assert!(stdout.contains("~ is your home folder"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout}");
}

#[test]
fn options_of_a_command_without_a_card_come_from_its_man_page() {
    if !std::path::Path::new("/usr/share/man/man1/uname.1.gz").exists() {
        return;
    }
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["explain", "--width", "200", "uname -a"]));
    assert!(ok);
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("-a ") && l.contains("print all information")),
        "{stdout}"
    );
    assert!(stdout.contains("[man uname]"), "{stdout}");
}

#[test]
fn syntax_errors_point_at_the_column() {
    let tutor = Tutor::new();
    let (ok, stdout, stderr) = output(tutor.command(&["explain", "echo 'unclosed"]));
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("syntax error at line 1, column 6: this single quote (') is never closed"),
        "{stderr}"
    );
    assert!(stderr.contains("  echo 'unclosed\n       ^"), "{stderr}");
}

#[test]
fn dangerous_lines_are_warned_about_with_the_reason() {
    let tutor = Tutor::new();
    for (line, reason) in [
        ("rm -rf ~", "it deletes your whole home folder"),
        ("rm -rf \"$dir\"/", "if $dir is empty or unset"),
        (
            "curl -s https://example.org/x.sh | bash",
            "runs whatever the server sends",
        ),
        (":(){ :|:& };:", "fork bomb"),
        ("chmod -R 777 /srv", "every user of the machine"),
        ("kill -9 -1", "every process you may signal"),
    ] {
        let (ok, stdout, _) = output(tutor.command(&["explain", "--width", "400", line]));
        assert!(ok);
        assert!(stdout.contains("Danger: "), "{line}:\n{stdout}");
        assert!(stdout.contains(reason), "{line}:\n{stdout}");
    }
}

#[test]
fn shellcheck_findings_when_asked_and_installed() {
    if std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let tutor = Tutor::new();
    let (ok, stdout, _) = output(tutor.command(&["explain", "--shellcheck", "echo $1"]));
    assert!(ok);
    assert!(stdout.contains("shellcheck SC2086"), "{stdout}");
}

#[test]
fn the_tutor_warns_after_a_dangerous_line_and_offers_undo() {
    let tutor = Tutor::new();
    let mut command = tutor.command(&["start", "cd", "--width", "300"]);
    command.write_stdin("touch keep.txt\nrm -rf ~\n:explain ls -l *.txt\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Danger: rm -rf ~"), "{stdout}");
    assert!(stdout.contains(":undo brings the files back"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout}");
}
