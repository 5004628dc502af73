//! Hostile and clumsy input (issue 9): answer folders that link outside, answers that print control sequences,
//! lesson folders holding FIFOs, devices and huge files, progress files that are not files, and sets with nothing
//! in them. No hang, no file outside the answers folder read, no control byte reaching the terminal.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::support::{output, valid_lesson, Tutor};

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// A copy of the example answers in the test's temp dir, to change.
fn answers(tutor: &Tutor) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/answers");
    let target = tutor.path().join("answers");
    for lesson in ["whoami", "cd"] {
        std::fs::create_dir_all(target.join(lesson)).expect("mkdir");
        for entry in std::fs::read_dir(source.join(lesson)).expect("read answers") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(lesson).join(entry.file_name())).expect("copy");
        }
    }
    target
}

/// Runs `command` with a deadline: a hang is a failure, not a stuck test run.
fn output_within(
    mut command: assert_cmd::Command,
    limit: Duration,
) -> (Option<i32>, String, String) {
    let started = Instant::now();
    let output = command.timeout(limit).output().unwrap_or_else(|e| {
        panic!(
            "still running after {:?} ({e}): it hangs",
            started.elapsed()
        )
    });
    assert!(
        started.elapsed() < limit,
        "killed after {limit:?}: it hangs"
    );
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn grade_never_reads_a_file_through_a_link() {
    let tutor = Tutor::new();
    let answers = answers(&tutor);
    let secret = tutor.path().join("id_ed25519");
    std::fs::write(&secret, "TOPSECRET=hunter2\n").expect("write the secret");
    let linked = answers.join("whoami/print-your-user-name.sh");
    std::fs::remove_file(&linked).expect("remove");
    symlink(&secret, &linked).expect("symlink");
    let hard = answers.join("whoami/print-only-your-user-name-with-id.sh");
    std::fs::remove_file(&hard).expect("remove");
    std::fs::hard_link(&secret, &hard).expect("hard link");
    // A whole lesson folder that is a link to somewhere else.
    let elsewhere = tutor.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    std::fs::write(elsewhere.join("where-am-i.sh"), "echo TOPSECRET\n").expect("write");
    std::fs::remove_dir_all(answers.join("cd")).expect("remove");
    symlink(&elsewhere, answers.join("cd")).expect("symlink");
    let answers = answers.display().to_string();
    for format in ["text", "json", "junit", "tap"] {
        let (ok, stdout, stderr) =
            output(tutor.command(&["grade", "--answers", &answers, "--format", format]));
        assert!(!ok, "{format}");
        assert!(
            !stdout.contains("TOPSECRET") && !stderr.contains("TOPSECRET"),
            "{format} shows a file from outside the answers folder:\n{stdout}{stderr}"
        );
        if format == "text" {
            assert!(
                stdout.contains("FAIL whoami/print-your-user-name\n     the answer file 'whoami/print-your-user-name.sh' is a symbolic link"),
                "{stdout}"
            );
            assert!(stdout.contains("has other hard links"), "{stdout}");
            assert!(
                stdout.contains("FAIL cd/where-am-i\n     the answer file 'cd/where-am-i.sh' is inside a folder that is a symbolic link"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn an_answer_cannot_forge_a_report_line_or_break_junit() {
    let tutor = Tutor::new();
    let answers = answers(&tutor);
    std::fs::write(
        answers.join("whoami/print-only-your-user-name-with-id.sh"),
        "id -u >/dev/null; printf 'x\\rPASS cd/where-am-i\\033[K\\xef\\xbf\\xbe\\xef\\xbf\\xbf\\xc2\\x9b2J'\n",
    )
    .expect("write");
    let answers = answers.display().to_string();
    let only = ["--only", "whoami/print-only-your-user-name-with-id"];
    let mut args = vec!["grade", "--answers", &answers];
    args.extend(only);
    let (ok, text, _) = output(tutor.command(&args));
    assert!(!ok);
    assert!(
        text.contains("FAIL whoami/print-only-your-user-name-with-id"),
        "{text}"
    );
    assert!(!text.contains(['\u{1b}', '\r', '\u{9b}']), "{text:?}");
    assert!(
        !text.lines().any(|l| l.starts_with("PASS")),
        "a forged line: {text}"
    );
    args.extend(["--format", "junit"]);
    let (_, xml, _) = output(tutor.command(&args));
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("invalid XML ({e}):\n{xml}"));
}

#[test]
fn unusable_answer_files_fail_with_one_reason_and_strays_are_named() {
    let tutor = Tutor::new();
    let answers = answers(&tutor);
    let replace = |name: &str| {
        let path = answers.join(name);
        std::fs::remove_file(&path).expect("remove");
        path
    };
    mkfifo(&replace("whoami/print-your-user-name.sh"));
    std::fs::create_dir(replace("whoami/print-only-your-user-name-with-id.sh")).expect("mkdir");
    std::fs::write(
        replace("whoami/which-command-can-you-trust.sh"),
        b"\xff\xfe b\n",
    )
    .expect("write");
    std::fs::write(replace("cd/where-am-i.sh"), "pwd\0\n").expect("write");
    std::fs::write(replace("cd/go-into-a-folder.sh"), "true\n".repeat(90_000)).expect("write");
    std::fs::write(answers.join("cd/go-into-folder.sh"), "true\n").expect("a typo");
    std::fs::create_dir(answers.join("cdd")).expect("mkdir");
    std::fs::write(answers.join("cdd/where-am-i.sh"), "pwd\n").expect("write");
    std::fs::write(answers.join("README.md"), "not an answer").expect("write");
    let answers = answers.display().to_string();
    let (code, stdout, stderr) = output_within(
        tutor.command(&["grade", "--answers", &answers]),
        Duration::from_secs(120),
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    for expected in [
        "FAIL whoami/print-your-user-name\n     the answer file 'whoami/print-your-user-name.sh' is a FIFO (named pipe), not a regular file",
        "FAIL whoami/print-only-your-user-name-with-id\n     the answer file 'whoami/print-only-your-user-name-with-id.sh' is a folder",
        "FAIL whoami/which-command-can-you-trust\n     the answer file 'whoami/which-command-can-you-trust.sh' is not UTF-8 text (line 1)",
        "FAIL cd/where-am-i\n     the answer file 'cd/where-am-i.sh' contains a NUL byte (line 1)",
        "FAIL cd/go-into-a-folder\n     the answer file 'cd/go-into-a-folder.sh' is 439.5 KiB; answers are limited to 64 KiB",
    ] {
        assert!(stdout.contains(expected), "{expected}\nnot in:\n{stdout}");
    }
    assert!(
        !stdout.contains("ERROR"),
        "the learner's mistakes are not errors: {stdout}"
    );
    assert_eq!(
        stdout.matches("go-into-a-folder.sh'").count(),
        1,
        "said once: {stdout}"
    );
    assert!(
        stderr.contains("'cd/go-into-folder.sh' in the answers folder matches no exercise (did you mean 'cd/go-into-a-folder.sh'?)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'cdd/where-am-i.sh' in the answers folder matches no exercise (did you mean 'cd/where-am-i.sh'?)"),
        "{stderr}"
    );
    assert!(!stderr.contains("README"), "{stderr}");
}

#[test]
fn grading_nothing_or_a_missing_script_is_an_error_that_says_why() {
    let tutor = Tutor::new();
    let (code, _, stderr) = output_within(
        tutor.command(&[
            "grade",
            "--exercise",
            "cd/where-am-i",
            "--script",
            "/nonexistent",
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the answer script '/nonexistent' does not exist"),
        "{stderr}"
    );
    tutor.lesson(
        "01-reading.md",
        "+++\ntitle = \"Just reading\"\n+++\n\n# Words\n",
    );
    let answers = tutor.path().display().to_string();
    let (code, _, stderr) = output_within(
        tutor.with_lessons(&["grade", "--answers", &answers]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("nothing to grade"), "{stderr}");
}

/// A lesson folder with a FIFO, a link to `/dev/zero`, a huge file and a stray text file beside a healthy lesson.
fn hostile_lesson_folder(tutor: &Tutor) {
    tutor.lesson("01-good.md", valid_lesson("Good"));
    mkfifo(&tutor.lessons().join("03-p.md"));
    symlink("/dev/zero", tutor.lessons().join("04-zero.md")).expect("symlink");
    let huge = format!("+++\ntitle = \"Huge\"\n+++\n{}", "[".repeat(1 << 20));
    tutor.lesson("05-huge.md", huge);
    tutor.lesson("notes.txt", "my notes");
}

#[test]
fn fifos_devices_and_huge_lessons_never_hang_and_are_named() {
    let tutor = Tutor::new();
    hostile_lesson_folder(&tutor);
    let limit = Duration::from_secs(20);
    let (code, _, stderr) = output_within(tutor.with_lessons(&["list"]), limit);
    assert_eq!(code, Some(2), "list stays strict");
    for expected in [
        "03-p.md:1:1: cannot use this file: it is a FIFO (named pipe), not a regular file",
        "04-zero.md:1:1: cannot use this file: it is a character device, not a regular file",
        "05-huge.md:1:1: cannot use this file: it is 1.0 MiB; lessons are limited to 256 KiB",
        "notes.txt:1:1: not a Markdown lesson",
    ] {
        assert!(stderr.contains(expected), "{expected}\nnot in:\n{stderr}");
    }
    let (code, stdout, stderr) = output_within(tutor.with_lessons(&["show", "good"]), limit);
    assert_eq!(code, Some(0), "show works on the healthy lessons: {stderr}");
    assert!(stdout.contains("Good"), "{stdout}");
    assert!(
        stderr.contains("warning:") && stderr.contains("03-p.md"),
        "{stderr}"
    );
    assert!(stderr.contains("4 lesson files were skipped"), "{stderr}");
    let (code, _, _) = output_within(tutor.with_lessons(&["verify"]), limit);
    assert_eq!(code, Some(1), "verify stays strict");
    let mut session = tutor.with_lessons(&["start", "good"]);
    session.write_stdin(":quit\n");
    let (code, stdout, stderr) = output_within(session, limit);
    assert_eq!(
        code,
        Some(0),
        "the tutor works on the healthy lessons: {stdout}{stderr}"
    );
}

#[test]
fn a_lesson_made_of_markup_costs_little_memory() {
    let tutor = Tutor::new();
    let body = "[".repeat(200_000);
    tutor.lesson("01-brackets.md", format!("+++\ntitle = \"B\"\n+++\n{body}"));
    let mut command = std::process::Command::new("/usr/bin/time");
    if !Path::new("/usr/bin/time").exists() {
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("shelltutor");
    command
        .args(["-f", "%M"])
        .arg(binary)
        .args(["list", "--lessons"])
        .arg(tutor.lessons())
        .env("HOME", tutor.path())
        .env("SHELLTUTOR_DATA_DIR", tutor.path().join("data"));
    let output = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("too much") || stderr.contains("Markdown syntax"),
        "{stderr}"
    );
    let max_kib: u64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("a resident size");
    // 200 KB of '[' took about 40 MB before the markup limit.
    assert!(max_kib < 30_000, "{max_kib} KiB for a 200 KB lesson");
}

#[test]
fn verifying_nothing_is_a_failure_that_says_why() {
    let tutor = Tutor::new();
    let repo = tutor.path().join("repo");
    std::fs::create_dir_all(repo.join("lessons")).expect("mkdir");
    std::fs::write(repo.join("lessons/01-x.md"), valid_lesson("X")).expect("write");
    let empty = tutor.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let swallowed = tutor.path().join("swallowed");
    std::fs::create_dir(&swallowed).expect("mkdir");
    let lesson = valid_lesson("S").replace("# S\n", "# S\n\n````console\n$ ls\n```\n");
    std::fs::write(swallowed.join("01-s.md"), lesson).expect("write");
    for (dir, expected) in [
        (&repo, "no lessons here (did you mean"),
        (&empty, "no lessons here; lessons are '*.md' files"),
        (&swallowed, "this ```` fence is never closed"),
    ] {
        let (code, stdout, _) = output_within(
            tutor.command(&["verify", &dir.display().to_string()]),
            Duration::from_secs(30),
        );
        assert_eq!(code, Some(1), "{stdout}");
        assert!(stdout.contains(expected), "{expected}\nnot in:\n{stdout}");
        assert!(
            stdout.ends_with("0 passed, 1 failed, 0 skipped\n"),
            "{stdout}"
        );
    }
    let (_, _, stderr) =
        output(tutor.command(&["list", "--lessons", &swallowed.display().to_string()]));
    assert!(
        stderr.contains("01-s.md:7:1: this ```` fence is never closed"),
        "{stderr}"
    );
}

#[test]
fn a_failing_setup_is_quoted_briefly_with_the_limit_that_ended_it() {
    let tutor = Tutor::new();
    let lesson = valid_lesson("Noisy").replace("```check", "```sh setup\nyes\n```\n\n```check");
    tutor.lesson("01-noisy.md", lesson);
    let (code, stdout, _) =
        output_within(tutor.with_lessons(&["verify"]), Duration::from_secs(120));
    assert_eq!(code, Some(1));
    assert!(stdout.len() < 20_000, "{} bytes of report", stdout.len());
    assert!(
        stdout.contains("printed more output than the tutor keeps"),
        "{stdout}"
    );
    assert!(
        stdout.contains("more characters not shown") || stdout.contains("earlier lines not shown"),
        "{stdout}"
    );
}

#[test]
fn progress_files_that_are_not_files_are_named_and_reports_change_nothing() {
    let tutor = Tutor::new();
    let data = tutor.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let progress = data.join("progress.json");
    mkfifo(&progress);
    let (code, _, stderr) = output_within(tutor.command(&["progress"]), Duration::from_secs(20));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("progress.json' is a FIFO (named pipe)"),
        "{stderr}"
    );
    std::fs::remove_file(&progress).expect("remove");
    symlink("/dev/zero", &progress).expect("symlink");
    let (code, _, stderr) = output_within(tutor.command(&["progress"]), Duration::from_secs(20));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("character device"), "{stderr}");
    std::fs::remove_file(&progress).expect("remove");
    std::fs::write(
        &progress,
        "{\"version\": 1, \"exercises\": {\"cd/x\": {\"attempts\": \"many\"}}}",
    )
    .expect("write");
    let (ok, _, stderr) = output(tutor.command(&["progress"]));
    assert!(ok, "{stderr}");
    assert!(stderr.contains("exercises.cd/x.attempts"), "{stderr}");
    assert!(progress.exists(), "'progress' is read-only: the file stays");
    let file = data.join("progress.json");
    std::fs::remove_file(&file).expect("remove");
    std::fs::write(&file, "").expect("write");
    let mut blocked = tutor.command(&["progress"]);
    blocked.env("SHELLTUTOR_DATA_DIR", &file);
    let (ok, _, stderr) = output(blocked);
    assert!(!ok);
    assert!(
        stderr.contains("is inside something that is not a folder"),
        "{stderr}"
    );
    let mut tutor_there = tutor.command(&["start", "whoami"]);
    tutor_there
        .env("SHELLTUTOR_DATA_DIR", &file)
        .write_stdin(":quit\n");
    let (ok, _, stderr) = output(tutor_there);
    assert!(!ok);
    assert!(
        stderr.contains("is a regular file, not a folder"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error 17"), "{stderr}");
}

#[test]
fn a_symlinked_progress_file_stays_a_link_after_a_session() {
    let tutor = Tutor::new();
    let dotfiles = tutor.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).expect("mkdir");
    let data = tutor.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    symlink(dotfiles.join("progress.json"), data.join("progress.json")).expect("symlink");
    let mut session = tutor.command(&["start", "whoami"]);
    session.write_stdin("whoami\n:quit\n");
    let (ok, stdout, stderr) = output(session);
    assert!(ok, "{stdout}{stderr}");
    let link = std::fs::symlink_metadata(data.join("progress.json")).expect("there");
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let saved =
        std::fs::read_to_string(dotfiles.join("progress.json")).expect("saved through the link");
    assert!(saved.contains("whoami/print-your-user-name"), "{saved}");
}

#[test]
fn when_saving_starts_to_fail_the_tutor_says_so_once_and_leaves_non_zero() {
    use std::io::Write as _;
    let tutor = Tutor::new();
    let mut child = tutor
        .process(&["start", "whoami"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the tutor starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let progress = tutor.path().join("data/progress.json");
    let started = Instant::now();
    while !progress.exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "never saved");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A folder where the file was: every later save fails, as on a full disk.
    std::fs::remove_file(&progress).expect("remove");
    std::fs::create_dir_all(progress.join("in-the-way")).expect("mkdir");
    stdin
        .write_all(b"whoami\npwd\ntrue\n:quit\n")
        .expect("type");
    drop(stdin);
    let output = child.wait_with_output().expect("the tutor ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(
        stdout.matches("not being saved from now on").count(),
        1,
        "said once:\n{stdout}"
    );
    assert!(!stdout.contains("Progress saved"), "{stdout}");
    assert!(stderr.contains("is lost"), "{stderr}");
}
