//! The tutor's prompt behaves like a shell's for what people actually type: lines typed ahead while a command runs,
//! a long paste, `$?` and `cd -` across lines, Ctrl-Z in vi then `fg`, `exit`, and being killed while vi runs.
//! Driven in a real terminal (tmux), as a person would.

use std::time::{Duration, Instant};

use super::support::Tutor;
use super::tutor::Terminal;

/// The tutor on a lesson of its own, with one exercise that starts in the home: what these tests type is about the
/// prompt, not about a lesson of the curriculum.
fn start(tutor: &Tutor) -> Option<Terminal> {
    tutor.lesson(
        "01-typing.md",
        "+++\ntitle = \"Typing\"\n+++\n\n## Exercise: Type\n\nType.\n\n```check\nexists never-made\n```\n\n```sh solution\ntouch never-made\n```\n",
    );
    let lessons = tutor.lessons().display().to_string();
    let term = Terminal::start(tutor, &["--lessons", &lessons, "start", "typing/type"])?;
    term.wait_prompt("typing");
    Some(term)
}

#[test]
fn lines_typed_during_a_command_run_afterwards() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("sleep 2");
    std::thread::sleep(Duration::from_millis(300));
    term.line("echo typed-ahead");
    let screen = term.wait_for("\ntyped-ahead\n");
    assert!(
        screen.contains("[typing] ~ $ echo typed-ahead\ntyped-ahead"),
        "it ran as the next line:\n{screen}"
    );
}

#[test]
fn a_long_plain_paste_runs_every_line_in_order() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    let paste: String = (1..=200)
        .map(|n| format!("echo {n} >> pasted.txt\r"))
        .collect();
    term.keys(&["-l", &paste]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        term.line("echo lines=$(wc -l < pasted.txt) last=$(tail -1 pasted.txt)");
        std::thread::sleep(Duration::from_millis(500));
        if term.screen().contains("lines=200 last=200") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the paste was not run in full:\n{}",
            term.screen()
        );
    }
}

#[test]
fn status_and_oldpwd_carry_over_between_lines() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("false");
    term.wait_prompt("typing");
    term.line("echo status=$?");
    term.wait_for("\nstatus=1");
    term.line("cd /etc");
    term.wait_prompt("typing");
    term.line("cd /usr");
    term.wait_prompt("typing");
    term.line("cd -");
    term.wait_for("\n/etc\n");
    term.wait_prompt("typing");
    assert!(
        term.screen().contains("[typing] /etc $"),
        "{}",
        term.screen()
    );
}

#[test]
fn ctrl_z_in_vi_then_fg_resumes_it_with_its_edits() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("vi notes.txt");
    term.wait_for("notes.txt");
    std::thread::sleep(Duration::from_millis(300));
    term.keys(&["i"]);
    term.keys(&["-l", "typed before ctrl-z"]);
    term.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    term.keys(&["C-z"]);
    term.wait_for("Stopped");
    term.wait_for("type fg to go back to it");
    term.wait_prompt("typing");
    term.line("echo meanwhile");
    term.wait_for("\nmeanwhile");
    term.line("fg");
    std::thread::sleep(Duration::from_millis(500));
    term.keys(&["-l", "o"]);
    term.keys(&["-l", "typed after fg"]);
    term.keys(&["Escape"]);
    term.keys(&["-l", ":wq"]);
    term.keys(&["Enter"]);
    term.wait_prompt("typing");
    term.line("cat notes.txt");
    term.wait_for("typed before ctrl-z\ntyped after fg");
}

#[test]
fn sigterm_during_vi_leaves_the_terminal_as_it_was() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("vi notes.txt");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !term.alternate_screen() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(term.alternate_screen(), "vi is on the alternate screen");
    let pid = term.tutor_pid().expect("the tutor's pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("kill -TERM");
    let screen = term.wait_for("[stty:");
    assert!(screen.contains("[tutor exited: 143]"), "{screen}");
    assert!(screen.contains("progress was saved"), "{screen}");
    // The pane wraps long lines: join them back.
    let modes = screen
        .split("[stty:")
        .nth(1)
        .unwrap_or_default()
        .replace('\n', "");
    for mode in [" icanon", " echo ", " isig"] {
        assert!(modes.contains(mode), "{mode} is not back: {modes}");
    }
    assert!(!term.alternate_screen(), "the normal screen is back");
}

#[test]
fn exit_at_the_prompt_leaves_and_says_how_to_come_back() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("exit");
    let screen = term.wait_for("[tutor exited: 0]");
    assert!(screen.contains("Run shelltutor again"), "{screen}");
}

#[test]
fn closing_the_terminal_ends_the_tutor_and_its_exercise() {
    let tutor = Tutor::new();
    let Some(term) = start(&tutor) else { return };
    term.line("sleep 1000 &");
    term.wait_for("Still running: sleep");
    let pid = term.tutor_pid().expect("the tutor's pid");
    term.close();
    // A zombie has ended (whoever inherits it may be slow to reap it, or never do, in a container).
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(), "the tutor outlived its terminal");
}
