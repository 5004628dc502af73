//! Degraded mode: where user namespaces are blocked (Ubuntu 24.04's AppArmor default), Landlock alone must still
//! keep every write inside the sandbox, and the sandbox must say which layers are missing.

use sandbox::{Options, Sandbox};

use crate::support::{bounded, test_limits, Canaries};

fn landlock_only() -> Sandbox {
    Sandbox::new(Options {
        limits: test_limits(),
        namespaces: false,
        ..Options::default()
    })
    .unwrap()
}

#[test]
fn landlock_alone_keeps_writes_inside() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = landlock_only();
        let line = format!(
            "rm -rf {0}; echo x > {1}/open.txt; : > {1}/secret.txt; mv {1}/folder ~/; ln {1}/open.txt ~/hard; \
             mkdir {1}/new; echo ok > ~/inside && cat ~/inside",
            canaries.all_words(),
            canaries.visible().display()
        );
        let outcome = sandbox.run(&line).unwrap();
        let text = outcome.output_lossy();
        let tail: String = text
            .chars()
            .rev()
            .take(400)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // Standard output and error travel in separate pipes, so "ok" need not come last.
        assert!(
            text.lines().any(|line| line == "ok"),
            "{:?} ... {tail}",
            outcome.status
        );
        canaries.assert_untouched();
    });
}

#[test]
fn landlock_alone_blocks_tcp_and_reports_the_missing_layers() {
    bounded(|| {
        let mut sandbox = landlock_only();
        let layers = sandbox.layers();
        assert!(layers.file_system_confined());
        assert!(!layers
            .get("pid-namespace")
            .is_some_and(|layer| layer.active));
        assert!(!layers.warnings().is_empty());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let outcome = sandbox
            .run(&format!(
                "exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"
            ))
            .unwrap();
        assert!(
            !outcome.output_lossy().contains("connected"),
            "{}",
            outcome.output_lossy()
        );
        assert!(listener.accept().is_err());
    });
}

#[test]
fn landlock_alone_ends_what_a_line_left_running_with_the_line() {
    bounded(|| {
        // Without a PID namespace, what a line started in its session ends with it (a daemon that starts a session
        // of its own escapes: docs/sandbox.md). A fraction of a second nobody else uses finds them on the host.
        let marker = format!("300.{}", std::process::id());
        {
            let mut sandbox = landlock_only();
            let outcome = sandbox
                .run(&format!(
                    "sleep {marker} >/dev/null 2>&1 & nohup sleep {marker} >/dev/null 2>&1 & echo started"
                ))
                .unwrap();
            assert!(outcome.output_lossy().contains("started"));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        let survivors = std::process::Command::new("pgrep")
            .args(["-f", &format!("sleep {marker}")])
            .output()
            .expect("pgrep runs");
        assert!(
            survivors.stdout.is_empty(),
            "still running: {}",
            String::from_utf8_lossy(&survivors.stdout)
        );
    });
}
