//! Attacks on files outside the sandbox: deleting, moving, chmod-ing, touching and truncating, directly, via `..`,
//! symlinks, hard links and `/proc/self/root`; `rm -rf /`; odd names and deep trees; and cleanup after `chmod 000`.

use std::fs;
use std::path::Path;

use crate::support::{bounded, run, sandbox, Canaries};
use sandbox::LimitHit;

/// The sandbox must work at all, or every "untouched" assertion would pass for the wrong reason.
#[test]
fn writes_inside_the_sandbox_land_in_its_home() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "mkdir -p a/b && echo hello > a/b/f && cat a/b/f",
        );
        assert!(outcome.status.success(), "{}", outcome.output_lossy());
        assert_eq!(
            fs::read_to_string(sandbox.home().join("a/b/f")).unwrap(),
            "hello\n"
        );
        assert_eq!(outcome.output_lossy(), "hello\n");
    });
}

#[test]
fn deleting_outside_directly_fails() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            &format!("rm -rf {0}; rm -f {0}/*; rmdir {0}", canaries.all_words()),
        );
        assert!(!outcome.status.success());
        canaries.assert_untouched();
    });
}

#[test]
fn deleting_outside_via_dotdot_fails() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let ups = "../".repeat(sandbox.learner_home().components().count() + 2);
        let visible = canaries.visible().display().to_string();
        let outcome = run(
            &mut sandbox,
            &format!(
                "cd ~ && rm -rf {ups}{0}/secret.txt {ups}{0}",
                visible.trim_start_matches('/')
            ),
        );
        assert!(!outcome.status.success());
        canaries.assert_untouched();
    });
}

#[test]
fn moving_outside_files_fails() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let outcome = run(
            &mut sandbox,
            &format!("mv {c}/secret.txt ~/stolen; mv {c}/folder ~/; mv {c}/open.txt {c}/moved.txt"),
        );
        // `mv` falls back to copy-and-delete across file systems: the copy may succeed (reading is allowed), the
        // deletion must not.
        assert!(!outcome.status.success());
        canaries.assert_untouched();
    });
}

#[test]
fn chmod_and_chown_outside_fail() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            &format!(
                "chmod -R 777 {0}; chmod 000 {0}; chown -R nobody {0}",
                canaries.all_words()
            ),
        );
        assert!(!outcome.status.success());
        canaries.assert_untouched();
    });
}

#[test]
fn touching_and_truncating_outside_fail() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let line = format!(
            "touch {c}/secret.txt; touch -d 2001-01-01 {c}/open.txt; touch {c}/new; : > {c}/open.txt; \
             truncate -s 0 {c}/secret.txt; echo more >> {c}/open.txt"
        );
        let outcome = run(&mut sandbox, &line);
        assert!(!outcome.status.success());
        canaries.assert_untouched();
    });
}

#[test]
fn symlinks_pointing_out_do_not_reach_out() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let line = format!(
            "ln -s {c}/open.txt ~/link && echo pwned > ~/link; ln -s {c} ~/dir && rm -rf ~/dir/; \
             rm -rf ~/dir/*; chmod 000 ~/link; touch -h ~/link; cp /etc/hostname ~/dir/copied"
        );
        let outcome = run(&mut sandbox, &line);
        assert!(!outcome.status.success());
        canaries.assert_untouched();
        // The links themselves are the learner's to make.
        assert!(fs::symlink_metadata(sandbox.home().join("link")).is_ok());
    });
}

#[test]
fn hard_links_to_outside_files_are_refused() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let outcome = run(
            &mut sandbox,
            &format!("ln {c}/open.txt ~/hard && echo pwned >> ~/hard"),
        );
        assert!(!outcome.status.success());
        assert!(!sandbox.home().join("hard").exists());
        canaries.assert_untouched();
    });
}

#[test]
fn proc_self_root_and_proc_1_root_lead_nowhere_new() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let line = format!(
            "echo x > /proc/self/root{c}/open.txt; rm -rf /proc/self/root{c}; rm -rf /proc/1/root{c}; \
             for p in /proc/[0-9]*; do rm -rf $p/root{c} $p/cwd/* 2>/dev/null; done; \
             ls /proc | grep -c '^[0-9]'"
        );
        let outcome = run(&mut sandbox, &line);
        canaries.assert_untouched();
        // Only the line's own processes are visible: the PID namespace hides the tutor and everything else.
        let count: u32 = outcome
            .output_lossy()
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        assert!(
            count < 10,
            "saw {count} processes: {}",
            outcome.output_lossy()
        );
    });
}

#[test]
fn rm_rf_root_harms_nothing_outside() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "rm -rf --no-preserve-root / 2>/dev/null; echo done",
        );
        // Walking the whole read-only system can outlast the wall-time limit on a loaded machine with a cold
        // cache; being stopped is as harmless as finishing.
        assert!(
            outcome.output_lossy().contains("done") || outcome.limit == Some(LimitHit::WallTime),
            "{outcome:?}"
        );
        canaries.assert_untouched();
        assert!(Path::new("/etc/passwd").exists() && Path::new("/bin/sh").exists());
        // The sandbox keeps working afterwards.
        let again = run(&mut sandbox, "echo alive > ~/alive && cat ~/alive");
        assert_eq!(again.output_lossy(), "alive\n");
    });
}

#[test]
fn cd_root_and_rm_star_harms_nothing_outside() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        run(&mut sandbox, "touch ~/mine");
        let outcome = run(&mut sandbox, "cd / && rm -rf * .[!.]* 2>/dev/null; pwd");
        assert!(
            outcome.output_lossy().contains('/') || outcome.limit == Some(LimitHit::WallTime),
            "{outcome:?}"
        );
        canaries.assert_untouched();
        assert!(Path::new("/usr/bin").is_dir());
    });
}

#[test]
fn chmod_recursive_000_on_root_harms_nothing_outside() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        run(
            &mut sandbox,
            "chmod -R 000 / 2>/dev/null; chmod 000 /etc/passwd",
        );
        canaries.assert_untouched();
        let metadata = fs::metadata("/etc/passwd").unwrap();
        assert_ne!(
            std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o777,
            0
        );
    });
}

#[test]
fn writing_to_tmp_stays_private() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let name = format!("shelltutor-escape-{}", std::process::id());
        let outcome = run(
            &mut sandbox,
            &format!("echo hi > /tmp/{name} && cat /tmp/{name}; ls /tmp; echo x > /var/tmp/{name}"),
        );
        assert!(
            outcome.output_lossy().contains("hi"),
            "{}",
            outcome.output_lossy()
        );
        assert!(!Path::new("/tmp").join(&name).exists());
        assert!(!Path::new("/var/tmp").join(&name).exists());
        // The host's /tmp (with the test's own canary) is not even visible.
        assert!(!outcome.output_lossy().contains("shelltutor-canary"));
        canaries.assert_untouched();
    });
}

#[test]
fn the_real_home_is_not_writable() {
    bounded(|| {
        let canaries = Canaries::new();
        let Some(real_home) = std::env::var_os("HOME") else {
            return;
        };
        let mut sandbox = sandbox();
        let real = Path::new(&real_home).display().to_string();
        let outcome = run(
            &mut sandbox,
            &format!(
                "echo $HOME; touch {real}/.shelltutor-pwned; rm -rf {real}/.shelltutor-canary-*"
            ),
        );
        assert_eq!(
            outcome.output_lossy().lines().next().unwrap_or(""),
            sandbox.learner_home().display().to_string()
        );
        assert!(!Path::new(&real).join(".shelltutor-pwned").exists());
        canaries.assert_untouched();
    });
}

#[test]
fn odd_file_names_work_and_clean_up() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let line = "touch $'\\xff\\xfe bad' $'new\\nline' \"$(printf 'a%.0s' {1..255})\" && \
                    mkdir -p \"$(printf 'd%.0s/' {1..60})\" && ls -b | wc -l; touch \"$(printf 'b%.0s' {1..256})\"";
        let outcome = run(&mut sandbox, line);
        assert!(
            outcome.output_lossy().starts_with('4'),
            "{}",
            outcome.output_lossy()
        );
        assert!(!outcome.status.success(), "a 256-byte name must be refused");
        let root = sandbox.root().to_path_buf();
        drop(sandbox);
        assert!(!root.exists());
        canaries.assert_untouched();
    });
}

#[test]
fn very_deep_trees_are_removed() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "p=$(printf 'd/%.0s' {1..1500}); mkdir -p \"$p\" && cd \"$p\" && mkdir -p \"$p\" && echo ${#PWD}",
        );
        // 3000 levels, a path of more than 6000 bytes: beyond PATH_MAX and beyond the tutor's open-file limit.
        let depth: usize = outcome.output_lossy().trim().parse().unwrap_or(0);
        assert!(depth > 3000, "{}", outcome.output_lossy());
        assert!(outcome.cwd.starts_with(sandbox.home()));
        let root = sandbox.root().to_path_buf();
        drop(sandbox);
        assert!(!root.exists());
    });
}

#[test]
fn chmod_000_on_home_does_not_stop_cleanup() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "mkdir -p a/b/c && touch a/b/c/f && chmod -R 000 ~ ; chmod 000 ~/.. 2>/dev/null; ls ~",
        );
        // Root's learner reads past modes (CAP_DAC_READ_SEARCH, reaching only the sandbox's own files); anyone else
        // is locked out of their home until the sandbox goes.
        if !nix::unistd::geteuid().is_root() {
            assert!(!outcome.status.success());
        }
        let root = sandbox.root().to_path_buf();
        drop(sandbox);
        assert!(!root.exists(), "the sandbox folder survived its drop");
    });
}

#[test]
fn reset_empties_home_and_forgets_state() {
    bounded(|| {
        let mut sandbox = sandbox();
        run(
            &mut sandbox,
            "mkdir work && cd work && touch f && x=1 && chmod 000 .",
        );
        sandbox.reset().unwrap();
        let outcome = run(&mut sandbox, "ls -A ~; echo \"x=$x\"; pwd");
        assert_eq!(
            outcome.output_lossy(),
            format!("x=\n{}\n", sandbox.learner_home().display())
        );
    });
}

#[test]
fn nested_namespaces_and_mounts_cannot_undo_the_read_only_root() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        let line = format!(
            "umount -l / ; mount -o remount,rw / ; mount -t tmpfs x {c}; \
             unshare -Urm bash -c 'mount -o remount,rw / ; mount --bind /tmp {c}; touch {c}/x; echo x > {c}/open.txt'; \
             touch {c}/y"
        );
        run(&mut sandbox, &line);
        canaries.assert_untouched();
    });
}

#[test]
fn chroot_escapes_lead_back_to_the_same_read_only_tree() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let c = canaries.visible().display();
        // The classic escape: chroot into a subfolder while keeping a way out, then walk up and chroot there. Root's
        // learner may chroot (sshd needs it); the root it reaches is the sandbox's own view, read-only outside.
        let line = format!(
            "mkdir -p jail; cp -L /bin/bash jail/ 2>/dev/null; \
             perl -e 'mkdir \"j2\"; chroot \"j2\"; chdir \"..\" for 1..64; chroot \".\"; open(F, \">\", \"{c}/x\") and print F \"x\"; unlink glob(\"{c}/*\")' 2>/dev/null; \
             chroot / sh -c 'touch {c}/y; rm -rf {c}/*'; touch {c}/z"
        );
        run(&mut sandbox, &line);
        canaries.assert_untouched();
    });
}
