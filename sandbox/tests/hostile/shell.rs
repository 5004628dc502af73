//! The shell behaves like a real one between lines (directory, variables, aliases, functions, umask), and the
//! learner is who they are on the host (`whoami`), with `~`, `$HOME` and `$TMPDIR` inside the sandbox.

use sandbox::Status;

use crate::support::{bounded, run, sandbox};

#[test]
fn state_persists_between_lines() {
    bounded(|| {
        let mut sandbox = sandbox();
        let first = run(
            &mut sandbox,
            "mkdir -p work/deeper && cd work; plain=1; export shared=2; declare -a list=(a 'b c'); \
             alias ll='echo aliased'; greet() { echo \"hello $1\"; }; umask 077",
        );
        assert!(first.status.success(), "{}", first.output_lossy());
        assert_eq!(first.cwd_display(), "~/work");
        let second = run(
            &mut sandbox,
            "pwd; echo $plain $shared ${list[1]}; bash -c 'echo child sees ${shared}${plain}'; ll; greet you; umask; cd deeper",
        );
        let expected = format!(
            "{}/work\n1 2 b c\nchild sees 2\naliased\nhello you\n0077\n",
            sandbox.learner_home().display()
        );
        assert_eq!(second.output_lossy(), expected);
        assert_eq!(second.cwd, sandbox.home().join("work/deeper"));
        let third = run(
            &mut sandbox,
            "cd ~ && unset plain && unalias ll && echo ${plain-gone}; type ll 2>&1 | head -c 20",
        );
        assert!(
            third.output_lossy().starts_with("gone\n"),
            "{}",
            third.output_lossy()
        );
        assert_eq!(third.cwd_display(), "~");
    });
}

#[test]
fn exit_codes_and_syntax_errors_are_reported() {
    bounded(|| {
        let mut sandbox = sandbox();
        assert_eq!(run(&mut sandbox, "exit 7").status, Status::Exited(7));
        assert_eq!(run(&mut sandbox, "false").status, Status::Exited(1));
        let broken = run(&mut sandbox, "echo 'unclosed");
        assert_eq!(broken.status, Status::Exited(2));
        assert!(
            broken.output_lossy().contains("unexpected EOF"),
            "{}",
            broken.output_lossy()
        );
        assert_eq!(run(&mut sandbox, "echo $0").output_lossy(), "bash\n");
    });
}

#[test]
fn the_learner_is_themselves_with_a_sandbox_home() {
    bounded(|| {
        let mut sandbox = sandbox();
        let expected_user = nix::unistd::User::from_uid(nix::unistd::geteuid())
            .unwrap()
            .unwrap()
            .name;
        let outcome = run(&mut sandbox, "whoami; echo $USER; echo $HOME; echo ~; echo $TMPDIR; touch \"$TMPDIR/t\" && echo tmp-ok");
        let home = sandbox.learner_home().display().to_string();
        let lines: Vec<String> = outcome.output_lossy().lines().map(str::to_owned).collect();
        assert_eq!(lines[0], expected_user);
        assert_eq!(lines[1], expected_user);
        assert_eq!(lines[2], home);
        assert_eq!(lines[3], home);
        // The exercise's own /tmp where a mount namespace makes one; the sandbox's folder otherwise.
        assert!(lines[4] == "/tmp" || lines[4].starts_with(&sandbox.root().display().to_string()));
        assert_eq!(lines[5], "tmp-ok");
    });
}

#[test]
fn resolve_refuses_paths_that_leave_the_sandbox() {
    bounded(|| {
        let mut sandbox = sandbox();
        run(&mut sandbox, "mkdir a && ln -s /etc out && ln -s a in");
        assert_eq!(
            sandbox.resolve("~/a/f").unwrap(),
            sandbox.home().join("a/f")
        );
        assert_eq!(sandbox.resolve("in/f").unwrap(), sandbox.home().join("a/f"));
        assert!(sandbox.resolve("out/passwd").is_err());
        assert!(sandbox.resolve("../../../../etc/passwd").is_err());
        assert!(sandbox.resolve("/etc/passwd").is_err());
    });
}

#[test]
fn capabilities_are_gone() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "grep -E '^Cap(Eff|Prm|Bnd|Amb|Inh)' /proc/self/status; grep NoNewPrivs /proc/self/status");
        // Root's learner keeps root's file and identity capabilities, which reach only ids mapped into the sandbox.
        let kept = if nix::unistd::geteuid().is_root() {
            "00000000000404ff"
        } else {
            "0000000000000000"
        };
        let text = outcome.output_lossy();
        for line in text.lines() {
            let expected = if line.starts_with("CapAmb") || line.starts_with("CapInh") {
                "0000000000000000"
            } else {
                kept
            };
            assert!(
                line.ends_with(expected) || line.ends_with("\t1"),
                "{line} (expected {expected})"
            );
        }
        assert_eq!(text.lines().count(), 6, "{text}");
        // Even so, no other identity and no mount is reachable.
        let escape = run(
            &mut sandbox,
            "setpriv --reuid=1000 true 2>&1 || echo refused; umount /proc 2>&1 || echo refused; \
             touch /etc/passwd 2>&1 || echo refused; cat /etc/shadow >/dev/null 2>&1 || echo refused",
        );
        assert_eq!(
            escape.output_lossy().matches("refused").count(),
            4,
            "{}",
            escape.output_lossy()
        );
    });
}

#[test]
fn the_sandbox_home_appears_at_the_real_home_path() {
    bounded(|| {
        let canaries = crate::support::Canaries::new();
        let mut sandbox = sandbox();
        let user = nix::unistd::User::from_uid(nix::unistd::geteuid())
            .unwrap()
            .unwrap();
        if !sandbox
            .layers()
            .get("mount-namespace")
            .is_some_and(|l| l.active)
            || !user.dir.is_dir()
        {
            eprintln!("skipped: no mount namespace, or no real home here");
            return;
        }
        assert_eq!(sandbox.learner_home(), user.dir);
        let outcome = run(
            &mut sandbox,
            "pwd; echo | ssh-keygen -q -t ed25519 -N '' >/dev/null 2>&1; ls ~/.ssh 2>/dev/null; touch ~/here",
        );
        let lines: Vec<String> = outcome.output_lossy().lines().map(str::to_owned).collect();
        assert_eq!(lines[0], user.dir.display().to_string());
        assert!(
            sandbox.home().join("here").exists(),
            "the file landed in the sandbox home"
        );
        if std::process::Command::new("ssh-keygen")
            .arg("-?")
            .output()
            .is_ok()
        {
            assert!(lines.contains(&"id_ed25519.pub".to_owned()), "{lines:?}");
            assert!(sandbox.home().join(".ssh/id_ed25519").exists());
        }
        canaries.assert_untouched();
    });
}

#[test]
fn last_status_last_argument_and_oldpwd_carry_over() {
    bounded(|| {
        let mut sandbox = sandbox();
        run(&mut sandbox, "false");
        assert_eq!(run(&mut sandbox, "echo $?").output_lossy(), "1\n");
        run(&mut sandbox, "echo one two");
        assert_eq!(run(&mut sandbox, "echo $_").output_lossy(), "two\n");
        run(&mut sandbox, "cd /etc");
        run(&mut sandbox, "cd /usr");
        let back = run(&mut sandbox, "cd - >/dev/null; pwd");
        assert_eq!(back.output_lossy(), "/etc\n");
        run(&mut sandbox, "set -o noclobber; trap 'echo bye' USR1");
        let kept = run(&mut sandbox, "cd; echo x > f; echo y > f; trap -p USR1");
        assert!(
            kept.output_lossy()
                .contains("cannot overwrite existing file"),
            "{}",
            kept.output_lossy()
        );
        assert!(
            kept.output_lossy().contains("echo bye"),
            "{}",
            kept.output_lossy()
        );
    });
}

#[test]
fn the_commands_a_line_ran_are_recorded_as_the_shell_ran_them() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "alias ll='ls -d'; d='a b'; mkdir -p \"$d\"; /bin/pwd >/dev/null; x=$(whoami); echo \"$x\" | cat",
        );
        let lines: Vec<String> = outcome.commands.iter().map(|c| c.command_line()).collect();
        assert!(lines.contains(&"mkdir -p 'a b'".to_owned()), "{lines:?}");
        assert!(lines.contains(&"/bin/pwd".to_owned()), "{lines:?}");
        assert!(outcome.commands.iter().any(|c| c.name() == "pwd"));
        assert!(outcome
            .commands
            .iter()
            .any(|c| c.name() == "whoami" && c.depth == 1));
        let aliased = run(&mut sandbox, "ll /");
        assert_eq!(aliased.commands[0].argv, ["ls", "-d", "/"]);
        assert_eq!(aliased.commands[0].status, Some(0));
        // The line is not in any process's command line, so `pgrep -f` finds only what it should.
        let quiet = run(&mut sandbox, "pgrep -f needle-in-the-line; echo $?");
        assert_eq!(quiet.output_lossy(), "1\n");
    });
}
