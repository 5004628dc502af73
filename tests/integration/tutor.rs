//! The interactive tutor, driven as a person would: the real binary in a terminal (tmux), typing commands,
//! opening vi, pressing Ctrl-C, and reading the screen. Plus a piped session, and SIGKILLs at random moments.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::{output, Tutor};

/// A tutor running in a detached tmux session on a private socket.
pub struct Terminal {
    tmux_dir: PathBuf,
    /// The tmux server's socket name: one per terminal, so a restart never meets a server still shutting down.
    socket: String,
}

static TERMINALS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether a missing tool must fail the test rather than skip it (CI sets it).
pub fn tools_required() -> bool {
    std::env::var_os("SHELLTUTOR_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

impl Terminal {
    /// Starts `shelltutor ARGS` in a 100x40 terminal; `None` (test skipped) when tmux is missing.
    pub fn start(tutor: &Tutor, args: &[&str]) -> Option<Terminal> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                !tools_required(),
                "tmux is required for the terminal tests (SHELLTUTOR_REQUIRE_TOOLS is set)"
            );
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let tmux_dir = tutor.path().join("tmux");
        std::fs::create_dir_all(&tmux_dir).expect("tmux dir");
        let number = TERMINALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let terminal = Terminal {
            tmux_dir,
            socket: format!("shelltutor-test-{number}"),
        };
        let binary = assert_cmd::cargo::cargo_bin("shelltutor");
        // A wrapper keeps the pane open after the tutor exits, so its last words can be read.
        let mut tutor_command = format!("exec env -i PATH='{}' HOME='{}' SHELLTUTOR_DATA_DIR='{}' TERM=xterm-256color LANG=C.UTF-8 '{}'",
            std::env::var("PATH").unwrap_or_default(),
            tutor.path().join("home").display(),
            tutor.path().join("data").display(),
            binary.display());
        for arg in args {
            tutor_command.push_str(&format!(" '{arg}'"));
        }
        // After the tutor, the terminal's modes are printed: the tutor must leave it as it found it.
        let wrapper = format!(
            "({tutor_command}); echo \"[tutor exited: $?]\"; echo \"[stty: $(stty -a | tr -s '\\n;' '  ')]\"; sleep 600"
        );
        let command = [
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "40",
            "--",
            "sh",
            "-c",
            &wrapper,
        ];
        let output = terminal.tmux().args(command).output().expect("tmux runs");
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(terminal)
    }

    /// The tutor's pid (the child of the pane's shell).
    pub fn tutor_pid(&self) -> Option<i32> {
        let output = self
            .tmux()
            .args(["display", "-p", "-t", "0", "#{pane_pid}"])
            .output()
            .ok()?;
        let shell: i32 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .ok()?;
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// Whether the pane is on the alternate screen (a full-screen program left it there).
    pub fn alternate_screen(&self) -> bool {
        self.tmux()
            .args(["display", "-p", "-t", "0", "#{alternate_on}"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
    }

    fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command
            .env("TMUX_TMPDIR", &self.tmux_dir)
            .env_remove("TMUX")
            .args(["-L", &self.socket, "-f", "/dev/null"]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    }

    /// Presses keys (tmux key names: `Enter`, `C-c`, `Escape`).
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", "0"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    /// Types a line and presses Enter.
    pub fn line(&self, text: &str) {
        self.keys(&["-l", text]);
        self.keys(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        let output = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "0", "-S", "-200"])
            .output()
            .expect("capture-pane");
        if !output.status.success() {
            return format!(
                "(tmux capture-pane failed: {})",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (at most 15 s), and returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "'{text}' never appeared; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the last non-empty line is the prompt for the lesson (the tutor is ready for input).
    pub fn wait_prompt(&self, lesson: &str) -> String {
        let prompt = format!("[{lesson}] ");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            let last = screen
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            if last.starts_with(&prompt) && last.trim_end().ends_with('$') {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no prompt '{prompt}'; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Terminal {
    /// Closes the terminal, as closing its window would: the tutor's terminal hangs up.
    pub fn close(&self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.close();
    }
}

#[test]
fn completes_the_whoami_lesson_by_typing() {
    let tutor = Tutor::new();
    let Some(term) = Terminal::start(&tutor, &[]) else {
        return;
    };
    term.wait_for("exercise 1 of 5 (whoami/print-your-user-name)");
    term.wait_prompt("whoami");
    // `echo whoami` prints the word but runs echo: the tutor says what is missing, unasked.
    term.line("echo whoami");
    term.wait_for("Not yet: Run the command whoami itself");
    term.line("whoami");
    term.wait_for("PASS whoami/print-your-user-name: done!");
    term.keys(&["Enter"]);
    term.wait_for("exercise 2 of 5");
    term.wait_prompt("whoami");
    term.line(":next");
    term.wait_for("exercise 3 of 5");
    term.wait_prompt("whoami");
    term.line(":hint");
    term.wait_for("Hint 1 of 2:");
    term.line("id -un");
    term.wait_for("Not yet: -n turns the number into a name");
    term.wait_prompt("whoami");
    let screen = term.screen();
    assert!(
        !screen.contains("PASS whoami/print-your-user-id"),
        "id -un must not pass:\n{screen}"
    );
    term.line(":check");
    term.wait_for("FAIL not ran id with -n|--name in the last line");
    term.line("id --user");
    term.wait_for("PASS whoami/print-your-user-id-number: done!");
    term.line(":lesson whoami/which-command-can-you-trust");
    term.wait_for("exercise 5 of 5");
    term.wait_prompt("whoami");
    term.line("echo $USER");
    term.wait_for("Not yet: That is what the variable USER says");
    term.line("whoami");
    term.wait_for("PASS whoami/which-command-can-you-trust: done!");
    term.line(":quit");
    term.wait_for("Progress saved");
    term.wait_for("[tutor exited: 0]");

    let (ok, json, _) = output(tutor.command(&["progress", "--json"]));
    assert!(ok, "{json}");
    assert!(
        json.contains("whoami/which-command-can-you-trust"),
        "{json}"
    );
}

#[test]
fn ref_and_explain_in_a_colour_terminal() {
    let tutor = Tutor::new();
    let Some(term) = Terminal::start(&tutor, &[]) else {
        return;
    };
    term.wait_prompt("whoami");
    term.line(":ref rmdir");
    term.wait_for("rmdir — remove empty folders");
    term.line(":explain rm -rf ~");
    term.wait_for("2 short options written together");
    term.wait_for("Danger: rm -rf ~");
    term.line("touch a; rm -r ~/*");
    term.wait_for(":undo brings the files back");
    term.line(":quit");
    term.wait_for("[tutor exited: 0]");
}

#[test]
fn vi_edits_and_saves_a_file() {
    let tutor = Tutor::new();
    let Some(term) = Terminal::start(&tutor, &["start", "cd/where-am-i"]) else {
        return;
    };
    term.wait_prompt("cd");
    term.line("vi ~/notes.txt");
    term.wait_for("notes.txt");
    std::thread::sleep(Duration::from_millis(300));
    term.keys(&["i"]);
    term.keys(&["-l", "hello from vi"]);
    term.keys(&["Escape"]);
    term.keys(&["-l", ":wq"]);
    term.keys(&["Enter"]);
    term.wait_prompt("cd");
    term.line("cat ~/notes.txt");
    term.wait_for("\nhello from vi");
    // A line typed before the prompt is back may be lost (typed-ahead lines are not kept yet).
    term.wait_prompt("cd");
    term.line(":diff");
    term.wait_for("created  ~/notes.txt");
}

#[test]
fn ctrl_c_stops_the_command_and_not_the_tutor() {
    let tutor = Tutor::new();
    let Some(term) = Terminal::start(&tutor, &["start", "cd/where-am-i"]) else {
        return;
    };
    term.wait_prompt("cd");
    term.line("sleep 100");
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    term.keys(&["C-c"]);
    term.wait_prompt("cd");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "Ctrl-C did not stop sleep"
    );
    term.line("echo still-here");
    term.wait_for("\nstill-here");
    term.wait_prompt("cd");
    // Ctrl-Z stops the command; the line ends and the tutor does not hang.
    term.line("sleep 1000");
    std::thread::sleep(Duration::from_millis(500));
    term.keys(&["C-z"]);
    term.wait_prompt("cd");
    term.line("echo after-ctrl-z");
    term.wait_for("\nafter-ctrl-z");
    term.wait_prompt("cd");
    // Ctrl-C at the prompt drops the half-typed line.
    term.keys(&["-l", "echo half-typed"]);
    term.keys(&["C-c"]);
    term.line("pwd");
    let screen = term.wait_for("PASS cd/where-am-i");
    assert!(
        !screen.contains("\nhalf-typed"),
        "the dropped line ran:\n{screen}"
    );
}

#[test]
fn reset_undo_and_diff() {
    let tutor = Tutor::new();
    let Some(term) = Terminal::start(&tutor, &["start", "cd/go-into-a-folder"]) else {
        return;
    };
    term.wait_prompt("cd");
    term.line("rm -r projects");
    // The old prompt is still the last line until the typed text shows: wait for it, then for the new prompt.
    term.wait_for("$ rm -r projects");
    term.wait_prompt("cd");
    term.line(":diff");
    term.wait_for("removed  ~/projects/website");
    term.line(":undo");
    term.wait_for("Undone:");
    term.line("ls");
    term.wait_for("\nprojects");
    term.wait_prompt("cd");
    term.line("touch junk");
    term.wait_for("$ touch junk");
    term.wait_prompt("cd");
    term.line(":reset");
    term.wait_for("Fresh sandbox");
    term.line(":diff");
    term.wait_for("No files changed since the exercise began.");
    term.line("cd projects/website");
    term.wait_for("PASS cd/go-into-a-folder: done!");
    term.wait_prompt("cd");
    let screen = term.screen();
    assert!(
        screen.contains("[cd] ~/projects/website $"),
        "the prompt shows the folder:\n{screen}"
    );
}

#[test]
fn ctrl_d_saves_and_the_next_start_resumes() {
    let tutor = Tutor::new();
    {
        let Some(term) = Terminal::start(&tutor, &["start", "cd/go-home-the-short-way"]) else {
            return;
        };
        term.wait_prompt("cd");
        term.keys(&["C-d"]);
        term.wait_for("Progress saved");
        term.wait_for("[tutor exited: 0]");
    }
    let Some(term) = Terminal::start(&tutor, &[]) else {
        return;
    };
    term.wait_for("(cd/go-home-the-short-way)");
}

#[test]
fn a_piped_session_is_a_plain_transcript() {
    let tutor = Tutor::new();
    let mut command = tutor.command(&["start", "whoami"]);
    command.write_stdin("echo whoami\nwhoami\n\n:hint\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(
        !stdout.contains('\u{1b}'),
        "plain output has no escape sequences"
    );
    let user = String::from_utf8_lossy(&Command::new("id").arg("-un").output().expect("id").stdout)
        .trim()
        .to_string();
    let transcript = stdout.replace(&format!("\n{user}\n"), "\n[user]\n");
    insta::assert_snapshot!("piped_session", transcript);
}

#[test]
fn killed_at_random_moments_progress_survives_and_resumes() {
    let tutor = Tutor::new();
    let binary = assert_cmd::cargo::cargo_bin("shelltutor");
    let script = "whoami\n\nid -un\n\n:answer b\n\npwd\n\n:hint\n";
    // A fixed sequence of delays spread over a session's life (no randomness: a failure must be reproducible).
    for round in 0..20u64 {
        let delay = Duration::from_millis((round * 37 + 11) % 400);
        let mut child = Command::new(&binary)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", tutor.path().join("home"))
            .env("SHELLTUTOR_DATA_DIR", tutor.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the tutor");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            let _ = stdin.write_all(script.as_bytes());
            std::thread::sleep(delay);
            // Keep stdin open until the kill, so the session is mid-way rather than at its end.
            child.kill().expect("SIGKILL");
            drop(stdin);
        }
        let _ = child.wait();
        let (ok, json, stderr) = output(tutor.command(&["progress", "--json"]));
        assert!(ok, "round {round}: progress unreadable: {stderr}");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert!(parsed.is_object(), "round {round}");
        assert!(!stderr.contains("corrupt"), "round {round}: {stderr}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(tutor.path().join("data"))
        .expect("data dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("corrupt"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The next start resumes where the last kill left it: at the current exercise, or, once that is done, at the
    // first unfinished one.
    let progress =
        std::fs::read_to_string(tutor.path().join("data/progress.json")).expect("a progress file");
    let progress: serde_json::Value = serde_json::from_str(&progress).expect("json");
    let done = |id: &str| progress["exercises"][id]["done"].as_bool().unwrap_or(false);
    let (_, list, _) = output(tutor.command(&["list", "--json"]));
    let lessons: serde_json::Value = serde_json::from_str(&list).expect("json");
    let order: Vec<String> = lessons["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .flat_map(|lesson| {
            lesson["exercise_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|id| id.as_str().map(String::from))
        .collect();
    assert!(!order.is_empty(), "list --json names the exercises");
    let expected = match progress["current"].as_str() {
        Some(current) if !done(current) => current.to_string(),
        _ => order
            .iter()
            .find(|id| !done(id))
            .cloned()
            .unwrap_or_else(|| order[0].clone()),
    };
    let mut command = tutor.command(&[]);
    command.write_stdin(":quit\n");
    let (ok, stdout, _) = output(command);
    assert!(ok);
    assert!(
        stdout.contains(&format!("({expected})")),
        "did not resume at {expected}:\n{stdout}"
    );
}

#[test]
fn tutor_commands_in_a_piped_session() {
    let tutor = Tutor::new();
    let mut command = tutor.command(&["start", "cd/use-the-tilde-in-a-path"]);
    command.write_stdin(
        ":solution\ncd '~/projects'\n:check\n:solution\n:answer a\n:lesson whoam\n:ref pwd\n:explain rm -rf ~\n:next\n:hint\n:hint\n:hint\n:lessons\n:lesson acme/how-long-certificates-live\n:next\n:quit\n",
    );
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let expect = |text: &str| assert!(stdout.contains(text), "missing '{text}' in:\n{stdout}");
    expect("Try it yourself first: the solution opens after your first attempt.");
    // The wrong answer draws its mistake's message unasked, and :check lists every check.
    expect("Not yet: In quotes, ~ is an ordinary character");
    expect("FAIL not ran cd with \"~/projects\" in the last line");
    expect("PASS not ran cd with \"~projects\" in the last line");
    expect("The reference solution:\n    cd ~/projects\n");
    expect("This exercise is not a quiz: type shell commands.");
    expect("lesson 'whoam' not found (did you mean 'whoami'?)");
    expect("pwd — print the current folder");
    expect("Danger: rm -rf ~");
    expect("exercise 6 of 6 (cd/go-into-a-folder-named)");
    expect("Hint 1 of 2:");
    expect("Hint 2 of 2:");
    expect("No more hints.");
    expect("> cd ");
    expect("This is the last exercise.");
    assert!(
        !stdout.contains("PASS cd/use-the-tilde-in-a-path"),
        "quoted '~' must not pass:\n{stdout}"
    );

    let (_, json, _) = output(tutor.command(&["progress", "--json"]));
    let progress: serde_json::Value = serde_json::from_str(&json).expect("json");
    let exercise = progress["lessons"][1]["exercises"][4].clone();
    assert_eq!(exercise["id"], "cd/use-the-tilde-in-a-path", "{json}");
    assert_eq!(exercise["solution_used"], true, "{json}");
    let next = progress["lessons"][1]["exercises"][5].clone();
    assert_eq!(next["hints_used"], 2, "{json}");
}

#[test]
fn a_broken_setup_is_reported_and_the_learner_stays_put() {
    let tutor = Tutor::new();
    let exercise = |title: &str, setup: &str, file: &str| {
        format!("## Exercise: {title}\n\n{setup}```check\nexists {file}\n```\n\n```sh solution\ntouch {file}\n```\n\n")
    };
    let lesson = format!(
        "+++\ntitle = \"T\"\n+++\n\n{}{}",
        exercise("One", "", "a"),
        exercise("Two", "```sh setup\nexit 3\n```\n\n", "b")
    );
    tutor.lesson("a.md", lesson);
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin("touch a\n\n:check\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("error: the setup of exercise 'a/two' (line 18) failed with status 3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[a] ~ $ :check\nPASS exists a"),
        "still at exercise one:\n{stdout}"
    );
}
