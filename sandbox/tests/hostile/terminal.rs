//! Interactive lines on a pseudo-terminal of their own: Ctrl-C and Ctrl-Z reach the command (and the tutor returns),
//! vi edits and saves, no keystroke can be injected into the learner's terminal, and its modes are restored.

use std::path::Path;

use nix::sys::termios::Termios;
use sandbox::LimitHit;

use crate::support::{bounded, sandbox, FakeTerminal};

fn same_modes(a: &Termios, b: &Termios) -> bool {
    a.input_flags == b.input_flags
        && a.output_flags == b.output_flags
        && a.control_flags == b.control_flags
        && a.local_flags == b.local_flags
}

#[test]
fn ctrl_c_stops_the_command_not_the_tutor_and_modes_are_restored() {
    bounded(|| {
        let terminal = FakeTerminal::new();
        let modes_before = terminal.modes();
        let mut sandbox = sandbox();
        let outcome = terminal.run(
            &mut sandbox,
            "echo READY; sleep 100; echo after=$?",
            |typist| {
                assert!(typist.wait_for("READY"));
                typist.pause(300);
                typist.type_keys(b"\x03");
            },
        );
        // As in an interactive shell, Ctrl-C abandons the rest of the line.
        assert_eq!(outcome.status.code(), 130, "{outcome:?}");
        assert_eq!(outcome.limit, None);
        assert_eq!(sandbox.run("echo alive").unwrap().output_lossy(), "alive\n");
        assert!(
            same_modes(&modes_before, &terminal.modes()),
            "terminal modes were not restored"
        );
    });
}

#[test]
fn ctrl_z_does_not_hang() {
    bounded(|| {
        let terminal = FakeTerminal::new();
        let mut sandbox = sandbox();
        let outcome = terminal.run(
            &mut sandbox,
            "echo READY; sleep 100; echo after",
            |typist| {
                assert!(typist.wait_for("READY"));
                typist.pause(300);
                typist.type_keys(b"\x1a");
            },
        );
        assert_eq!(outcome.limit, None, "{:?}", outcome.output_lossy());
        assert!(
            outcome.output_lossy().contains("Stopped"),
            "{:?}",
            outcome.output_lossy()
        );
    });
}

#[test]
fn ctrl_z_does_not_hang_without_shell_state_either() {
    bounded(|| {
        let terminal = FakeTerminal::new();
        let options = sandbox::Options {
            limits: crate::support::test_limits(),
            one_shot: true,
            ..Default::default()
        };
        let mut sandbox = sandbox::Sandbox::new(options).unwrap();
        let outcome = terminal.run(
            &mut sandbox,
            "echo READY; sleep 100; echo after",
            |typist| {
                assert!(typist.wait_for("READY"));
                typist.pause(300);
                typist.type_keys(b"\x1a");
            },
        );
        assert_eq!(outcome.limit, None, "{:?}", outcome.output_lossy());
    });
}

#[test]
fn three_ctrl_c_stop_a_command_that_ignores_it() {
    bounded(|| {
        let terminal = FakeTerminal::new();
        let mut sandbox = sandbox();
        let outcome = terminal.run(
            &mut sandbox,
            "trap '' INT; echo READY; sleep 100",
            |typist| {
                assert!(typist.wait_for("READY"));
                typist.pause(300);
                typist.type_keys(b"\x03\x03\x03");
            },
        );
        assert_eq!(outcome.limit, Some(LimitHit::Interrupted));
    });
}

#[test]
fn vi_edits_and_saves_a_file() {
    bounded(|| {
        if !Path::new("/usr/bin/vi").exists() {
            eprintln!("skipped: vi is not installed");
            return;
        }
        let terminal = FakeTerminal::new();
        let mut sandbox = sandbox();
        let outcome = terminal.run(&mut sandbox, "vi -u NONE -i NONE note.txt", |typist| {
            assert!(typist.wait_for("note.txt"));
            typist.pause(300);
            typist.type_keys(b"ihello from vi\x1b");
            typist.pause(300);
            typist.type_keys(b":wq\r");
        });
        assert!(outcome.status.success(), "{outcome:?}");
        assert_eq!(
            std::fs::read_to_string(sandbox.home().join("note.txt")).unwrap(),
            "hello from vi\n"
        );
    });
}

#[test]
fn tiocsti_cannot_inject_keystrokes_into_the_learners_terminal() {
    bounded(|| {
        if !Path::new("/usr/bin/perl").exists() {
            eprintln!("skipped: perl is needed to call ioctl");
            return;
        }
        let terminal = FakeTerminal::new();
        let outer = terminal.slave_path();
        let mut sandbox = sandbox();
        let inject = |path: &str| {
            format!(
                "perl -e 'open(my $t, \"<\", \"{path}\") or die \"denied: $!\\n\"; \
                 for (split //, \"echo INJECTED\\n\") {{ ioctl($t, 0x5412, $_) or die \"denied: $!\\n\" }}' 2>&1"
            )
        };
        let line = format!("{}; {}; echo done", inject(&outer), inject("/dev/tty"));
        let outcome = terminal.run(&mut sandbox, &line, |_| {});
        assert!(
            outcome.output_lossy().contains("denied"),
            "{:?}",
            outcome.output_lossy()
        );
        assert!(outcome.output_lossy().contains("done"));
        assert_eq!(
            terminal.pending_input(),
            Vec::<u8>::new(),
            "keystrokes were injected into the learner's terminal"
        );
        // Headless lines have no terminal at all.
        let headless = sandbox.run(&inject("/dev/tty")).unwrap();
        assert!(headless.output_lossy().contains("denied"));
    });
}

#[test]
fn escape_sequences_left_behind_are_undone_on_the_learners_terminal() {
    bounded(|| {
        let terminal = FakeTerminal::new();
        let modes_before = terminal.modes();
        let mut sandbox = sandbox();
        let outcome = terminal.run(
            &mut sandbox,
            "printf '\\e[?1049h\\e[?25l\\e[?1000h\\e[31m'; stty raw -echo; echo done",
            |_| {},
        );
        assert!(outcome.output_lossy().contains("done"));
        // The fake terminal's reader runs on its own thread: give it a moment to see the last bytes.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !terminal.screen().ends_with("\x1b[?1049l") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let screen = terminal.screen();
        let after = screen.rsplit("done").next().unwrap_or("");
        for undo in ["\x1b[?1049l", "\x1b[?25h", "\x1b[?1000l", "\x1b[0m"] {
            assert!(
                after.contains(undo),
                "{undo:?} missing after the command: {after:?}"
            );
        }
        assert!(
            same_modes(&modes_before, &terminal.modes()),
            "terminal modes were not restored"
        );
    });
}
