//! An exercise is one machine: what a line starts in the background (a web server, nginx) keeps running for the
//! next lines, the home sits at the learner's real home path, and nothing survives the exercise — after `:next`,
//! `:reset`, or the tutor being killed. Checked through the real binary, piped and in a terminal.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::{have, output, Tutor};
use super::tutor::Terminal;

/// Host processes whose command line contains `needle`.
fn host_processes(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'));
        if text.contains(needle) && !zombie {
            found.push(text);
        }
    }
    found
}

/// Waits (at most 10 s) until no host process mentions `needle`.
fn gone(needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = host_processes(needle);
        if found.is_empty() || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A port for this test alone, so that parallel tests never meet.
fn port(offset: u16) -> u16 {
    20000 + (std::process::id() % 2000) as u16 * 10 + offset
}

/// Two exercises whose checks look for a file, so that lines can run freely in the first.
fn two_exercises(tutor: &Tutor) {
    let exercise = |title: &str, file: &str| {
        format!("## Exercise: {title}\n\nMake {file}.\n\n```check\nexists {file}\n```\n\n```sh solution\ntouch {file}\n```\n\n")
    };
    tutor.lesson(
        "01-serve.md",
        format!(
            "+++\ntitle = \"Serving\"\n+++\n\n# Serving\n\n{}{}",
            exercise("First", "done-one"),
            exercise("Second", "done-two")
        ),
    );
}

#[test]
fn a_server_started_in_one_line_answers_the_next_and_is_gone_after_next() {
    if !have(&["python3", "curl"]) {
        return;
    }
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let port = port(1);
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin(format!(
        "touch listed-file\npython3 -m http.server {port} >/dev/null 2>&1 &\n\
         for i in 1 2 3 4 5 6 7 8 9 10; do curl -s localhost:{port}/ && break; sleep 0.3; done\n\
         :status\n:next\ncurl -s localhost:{port}/ || echo nothing-listens\nps -e | grep -c python3\n:quit\n"
    ));
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("href=\"listed-file\""),
        "the next line reached the server:\n{stdout}"
    );
    assert!(stdout.contains("Still running: python3."), "{stdout}");
    assert!(
        stdout.contains(&format!("python3 -m http.server {port}")),
        ":status lists it:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("Listening on TCP port {port}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("nothing-listens\n"),
        "after :next nothing listens:\n{stdout}"
    );
    assert!(
        stdout.contains("grep -c python3\n0\n"),
        "after :next no python3 is left:\n{stdout}"
    );
    assert_eq!(gone(&format!("http.server {port}")), Vec::<String>::new());
}

#[test]
fn a_server_survives_lines_in_a_terminal_too() {
    if !have(&["python3", "curl"]) {
        return;
    }
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let lessons = tutor.lessons().display().to_string();
    let Some(term) = Terminal::start(&tutor, &["--lessons", &lessons]) else {
        return;
    };
    let port = port(2);
    term.wait_prompt("serve");
    term.line("touch seen-in-listing");
    term.wait_prompt("serve");
    term.line(&format!("python3 -m http.server {port} &"));
    term.wait_for("Still running: python3.");
    term.line(&format!(
        "sleep 1; curl -s localhost:{port}/ | grep -o seen-in-listing | head -1"
    ));
    term.wait_for("\nseen-in-listing");
    term.line(":next");
    term.wait_for("exercise 2 of 2");
    term.wait_prompt("serve");
    term.line(&format!(
        "curl -s localhost:{port}/ || echo nothing-listens"
    ));
    term.wait_for("\nnothing-listens");
    assert_eq!(gone(&format!("http.server {port}")), Vec::<String>::new());
}

#[test]
fn nginx_started_in_one_line_is_checked_in_the_next_and_gone_after_reset() {
    if !have(&["nginx", "curl"]) {
        return;
    }
    let tutor = Tutor::new();
    tutor.lesson(
        "01-web.md",
        "+++\ntitle = \"Web\"\n+++\n\n# Web\n\n## Exercise: Serve\n\nStart nginx.\n\n```sh check\n\
         curl -sI http://localhost/ | grep -q '^HTTP/1.1 200' || { echo 'nothing answers on port 80'; exit 1; }\n```\n\n\
         ```sh solution\nnginx -c ~/nginx.conf\n```\n",
    );
    let config = "events {}\\nhttp { access_log off; server { listen 80; location / { return 200 \\\"hello from nginx\\\\n\\\"; } } }\\n";
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin(format!(
        "printf '{config}' > nginx.conf\nnginx -c ~/nginx.conf\ncurl -s http://localhost/\n:reset\n\
         curl -s http://localhost/ || echo no-nginx-now\npgrep -c nginx\n:quit\n"
    ));
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("\nhello from nginx\n"), "{stdout}");
    assert!(
        stdout.contains("PASS web/serve"),
        "the check reached nginx:\n{stdout}"
    );
    assert!(stdout.contains("Fresh sandbox"), "{stdout}");
    assert!(stdout.contains("\nno-nginx-now\n"), "{stdout}");
    assert!(stdout.contains("pgrep -c nginx\n0\n"), "{stdout}");
}

#[test]
fn the_home_is_at_the_real_home_path_and_ssh_keygen_writes_into_it() {
    if !have(&["ssh-keygen"]) {
        return;
    }
    let user = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .expect("the test user");
    if !user.dir.is_dir() {
        eprintln!(
            "skipped: the real home {} does not exist",
            user.dir.display()
        );
        return;
    }
    let real_ssh = user.dir.join(".ssh");
    let before = listing(&real_ssh);
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin(
        "pwd\necho ~ $HOME\necho | ssh-keygen -t ed25519 -N '' -C test-key >/dev/null\nls ~/.ssh\n:quit\n",
    );
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let home = user.dir.display().to_string();
    assert!(stdout.contains(&format!("$ pwd\n{home}\n")), "{stdout}");
    assert!(stdout.contains(&format!("\n{home} {home}\n")), "{stdout}");
    assert!(stdout.contains("id_ed25519\nid_ed25519.pub\n"), "{stdout}");
    assert_eq!(listing(&real_ssh), before, "the real ~/.ssh is untouched");
}

/// Names, sizes and modification times in a folder (empty when it does not exist).
fn listing(dir: &std::path::Path) -> Vec<(String, u64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let mut entries: Vec<(String, u64, i64)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let meta = e.metadata().ok()?;
                    Some((
                        e.file_name().to_string_lossy().into_owned(),
                        meta.len(),
                        meta.mtime(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

#[test]
fn a_killed_tutor_leaves_no_service_running() {
    if !have(&["python3"]) {
        return;
    }
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let port = port(3);
    let needle = format!("http.server {port}");
    let binary = assert_cmd::cargo::cargo_bin("shelltutor");
    let mut tutor_process = Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", tutor.path().join("home"))
        .env("SHELLTUTOR_DATA_DIR", tutor.path().join("data"))
        .arg("--lessons")
        .arg(tutor.lessons())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the tutor starts");
    let mut stdin = tutor_process.stdin.take().expect("stdin");
    use std::io::Write;
    writeln!(stdin, "python3 -m http.server {port} >/dev/null 2>&1 &").expect("type");
    stdin.flush().expect("flush");
    let deadline = Instant::now() + Duration::from_secs(15);
    while host_processes(&needle).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!host_processes(&needle).is_empty(), "the server started");
    tutor_process.kill().expect("SIGKILL");
    tutor_process.wait().expect("reaped");
    drop(stdin);
    assert_eq!(
        gone(&needle),
        Vec::<String>::new(),
        "a process outlived the killed tutor"
    );
}

#[test]
fn runaways_left_in_the_background_are_stopped_and_the_next_lines_run() {
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin(":(){ :|:& };: &\nsleep 8\necho alive-after-the-bomb\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("(a fork bomb?)"),
        "the learner is told:\n{stdout}"
    );
    assert!(
        stdout
            .lines()
            .filter(|l| l.contains("Background process"))
            .count()
            <= 3,
        "a few lines, not one per process:\n{stdout}"
    );
    assert!(stdout.contains("\nalive-after-the-bomb\n"), "{stdout}");
}

#[test]
fn a_background_busy_loop_is_stopped_by_the_cpu_limit() {
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    // The CPU limit is 10 s of CPU time per process; a busy machine gives `yes` less than a core.
    command.write_stdin("yes > /dev/null &\nsleep 22\necho still-here\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Background process yes (pid") && stdout.contains("CPU time"),
        "{stdout}"
    );
    assert!(stdout.contains("\nstill-here\n"), "{stdout}");
}

#[test]
fn one_line_output_to_a_pipe_is_bounded() {
    let tutor = Tutor::new();
    let started = Instant::now();
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!(
        "'{}' sandbox -c yes | head -c 100M | wc -c",
        assert_cmd::cargo::cargo_bin("shelltutor").display()
    ));
    command
        .env("HOME", tutor.path().join("home"))
        .env("SHELLTUTOR_DATA_DIR", tutor.path().join("data"));
    let result = command.output().expect("runs");
    let count: u64 = String::from_utf8_lossy(&result.stdout)
        .trim()
        .parse()
        .expect("a byte count");
    assert!(count < 50 * 1024 * 1024, "{count} bytes got through");
    assert!(
        String::from_utf8_lossy(&result.stderr).contains("printed more output"),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn what_still_runs_is_said_when_the_programs_change_not_their_count() {
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    // Like nginx at a reload: one more process of a program already running is no news; a new program is.
    command.write_stdin("sleep 100 &\nsleep 101 &\nsleep 102 & tail -f /dev/null &\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let said: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("Still running:"))
        .collect();
    assert_eq!(said.len(), 2, "{stdout}");
    assert!(said[0].starts_with("Still running: sleep."), "{stdout}");
    assert!(
        said[1].starts_with("Still running: sleep (3 processes), tail."),
        "{stdout}"
    );
}

#[test]
fn an_exercise_done_again_after_reset_says_pass_again_once() {
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin("touch done-one\ntrue\n:reset\ntouch done-one\ntrue\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let passes = stdout
        .lines()
        .filter(|line| line.starts_with("PASS serve/first: done!"))
        .count();
    assert_eq!(passes, 2, "once per attempt:\n{stdout}");
}

#[test]
fn check_shows_each_check_with_its_values_and_without_the_author_s_message() {
    let tutor = Tutor::new();
    tutor.lesson(
        "01-words.md",
        "+++\ntitle = \"Words\"\n+++\n\n## Exercise: Make it\n\nMake the file.\n\n```random\nname = word\n```\n\n\
         ```check\nexists {name}.txt else \"Make {name}.txt with touch\"\n```\n\n```sh solution\ntouch {name}.txt\n```\n",
    );
    let mut command = tutor.with_lessons(&[]);
    command.write_stdin(":check\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    let failed = stdout
        .lines()
        .find(|line| line.starts_with("FAIL exists "))
        .unwrap_or_else(|| panic!("a FAIL line:\n{stdout}"));
    assert!(!failed.contains("else"), "{failed}");
    assert!(
        !failed.contains('{'),
        "the attempt's value is filled in: {failed}"
    );
    assert!(failed.ends_with(".txt"), "{failed}");
    assert!(stdout.contains("expected: Make "), "{stdout}");
}

#[test]
fn a_line_stopped_at_a_limit_leaves_nothing_of_it_running() {
    let tutor = Tutor::new();
    two_exercises(&tutor);
    let mut command = tutor.with_lessons(&[]);
    // `yes` is not the line's shell: stopping the line must stop it too.
    command.write_stdin("echo start; yes\n:status\n:quit\n");
    let (ok, stdout, stderr) = output(command);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("so it was stopped"), "{stdout}");
    assert!(
        stdout.contains("Nothing you started is running now."),
        "{}",
        stdout
            .lines()
            .filter(|l| *l != "y")
            .collect::<Vec<_>>()
            .join("\n")
    );
}
