//! Processes that will not stop: fork bombs, busy loops, `sleep infinity`, reads from stdin, output floods, disk
//! filling, memory bombs, and everything that tries to outlive its line (`&`, `nohup`, `setsid`, double forks).
//! Every call must return within its limits and say which limit ended it; what a line leaves running lasts until
//! its exercise ends, and nothing survives that.

use std::process::{Command, Stdio};

use sandbox::{LimitHit, Status};

use crate::support::{
    bounded, marker, run, running, sandbox, survivors, test_limits, wait_for_running, Canaries,
};

#[test]
fn fork_bomb_ends_and_leaves_nothing() {
    bounded(|| {
        let canaries = Canaries::new();
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "bomb() { bomb | bomb & }; bomb");
        assert!(outcome.duration <= test_limits().wall_time * 2);
        let after = run(&mut sandbox, "echo alive");
        assert_eq!(after.output_lossy(), "alive\n");
        canaries.assert_untouched();
    });
}

#[test]
fn fork_bomb_with_exec_names_leaves_no_survivor() {
    bounded(|| {
        let mut sandbox = sandbox();
        let name = marker("bomb");
        let outcome = run(
            &mut sandbox,
            &format!("b() {{ (exec -a {name} sleep 1000) & b & }}; b"),
        );
        // Every call returns within its limits.
        assert!(
            outcome.duration <= test_limits().wall_time * 2,
            "{outcome:?}"
        );
        // The bomb's processes outlive the line, so the tutor's monitor stops them (within about a second).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !running(&name).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(running(&name), Vec::<String>::new());
        // Caught while the line still ran, the bomb is the line's limit; caught after, a notice for the next prompt.
        // The notice comes once the monitor's sweep is over, which may be a moment after the last process died.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut noticed = false;
        while !noticed && outcome.limit.is_none() && std::time::Instant::now() < deadline {
            noticed = sandbox.take_notices().iter().any(|n| {
                matches!(
                    n,
                    sandbox::Notice::Stopped {
                        limit: LimitHit::Processes,
                        ..
                    }
                )
            });
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(
            noticed || outcome.limit == Some(LimitHit::Processes),
            "the learner is told: {outcome:?}"
        );
        assert_eq!(run(&mut sandbox, "echo alive").output_lossy(), "alive\n");
    });
}

#[test]
fn busy_loop_is_stopped_by_the_cpu_limit() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "while :; do :; done");
        assert!(
            matches!(outcome.limit, Some(LimitHit::CpuTime | LimitHit::WallTime)),
            "{outcome:?}"
        );
        assert!(!outcome.status.success());
        let child = run(&mut sandbox, "bash -c 'while :; do :; done'; echo after=$?");
        assert!(
            child.output_lossy().contains("after=152"),
            "{}",
            child.output_lossy()
        );
        assert_eq!(child.limit, Some(LimitHit::CpuTime));
    });
}

#[test]
fn sleep_infinity_ends_at_the_wall_time_limit() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "echo started; sleep infinity");
        assert_eq!(outcome.limit, Some(LimitHit::WallTime));
        assert_eq!(outcome.status, Status::Signaled(9));
        assert_eq!(outcome.output_lossy(), "started\n");
        assert!(!LimitHit::WallTime.message().is_empty());
    });
}

#[test]
fn commands_waiting_on_stdin_get_end_of_file() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "read -r line; echo read=$?; cat; wc -l");
        assert_eq!(outcome.limit, None);
        assert_eq!(outcome.output_lossy(), "read=1\n0\n");
    });
}

#[test]
fn output_floods_are_cut_at_the_output_limit() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "yes 'flood of output'");
        assert_eq!(outcome.limit, Some(LimitHit::Output));
        assert!(outcome.output_truncated);
        assert_eq!(outcome.output.len(), test_limits().output);
        let stderr = run(&mut sandbox, "cat /dev/zero >&2");
        assert_eq!(stderr.limit, Some(LimitHit::Output));
    });
}

#[test]
fn binary_output_and_escape_sequences_are_recorded_raw() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "printf '\\e]0;pwned\\a\\e[2J\\e[?1049h\\x00\\xff'; head -c 3000 /dev/urandom",
        );
        assert!(outcome
            .output
            .starts_with(b"\x1b]0;pwned\x07\x1b[2J\x1b[?1049h\x00\xff"));
        assert_eq!(outcome.output.len(), 24 + 3000);
        assert!(outcome.status.success());
    });
}

#[test]
fn big_files_hit_the_file_size_limit() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "head -c 100M /dev/zero > big");
        assert_eq!(outcome.limit, Some(LimitHit::FileSize), "{outcome:?}");
        let size = std::fs::metadata(sandbox.home().join("big")).unwrap().len();
        assert!(size <= test_limits().file_size);
    });
}

#[test]
fn filling_the_disk_is_stopped() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(&mut sandbox, "i=0; while :; do head -c 4M /dev/zero > f$i || break; i=$((i+1)); sync f$i 2>/dev/null; done");
        assert!(
            matches!(outcome.limit, Some(LimitHit::Disk | LimitHit::WallTime)),
            "{outcome:?}"
        );
        // Removing the files makes room again.
        let cleanup = run(&mut sandbox, "rm -f f*; ls | wc -l");
        assert_eq!(cleanup.output_lossy(), "0\n");
    });
}

#[test]
fn memory_bombs_fail_to_allocate() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "x=$(head -c 400M /dev/zero | tr '\\0' a); echo ${#x}",
        );
        assert!(!outcome.output_lossy().contains("419430400"));
        assert!(
            outcome.limit.is_some() || !outcome.status.success(),
            "{outcome:?}"
        );
        let tail = run(&mut sandbox, "tail /dev/zero");
        assert!(!tail.status.success());
        assert!(
            matches!(
                tail.limit,
                Some(LimitHit::Memory | LimitHit::CpuTime | LimitHit::WallTime)
            ),
            "{tail:?}"
        );
        assert_eq!(run(&mut sandbox, "echo alive").output_lossy(), "alive\n");
    });
}

#[test]
fn background_jobs_nohup_setsid_and_double_forks_outlive_the_line_but_not_the_exercise() {
    bounded(|| {
        let mut sandbox = sandbox();
        let name = marker("escape");
        let line = format!(
            "(exec -a {name} sleep 1000) & \
             nohup bash -c 'exec -a {name} sleep 1000' >/dev/null 2>&1 & \
             setsid bash -c 'exec -a {name} sleep 1000' & \
             ( ( exec -a {name} sleep 1000 & ) & ) ; \
             setsid -f bash -c 'trap \"\" HUP TERM; exec -a {name} sleep 1000' ; \
             disown -a; echo started"
        );
        let outcome = run(&mut sandbox, &line);
        assert_eq!(
            outcome.limit, None,
            "the line must end without waiting for its background jobs"
        );
        assert!(outcome.output_lossy().contains("started"));
        // An exercise is one machine: what a line leaves running goes on until the exercise ends.
        assert_eq!(
            wait_for_running(&name, 5),
            5,
            "every way of starting a process in the background"
        );
        assert_eq!(
            sandbox
                .processes()
                .iter()
                .filter(|p| p.command_line.contains(&name))
                .count(),
            5
        );
        drop(sandbox);
        assert_eq!(survivors(&name), Vec::<String>::new());
    });
}

#[test]
fn reset_ends_everything_the_learner_started() {
    bounded(|| {
        let mut sandbox = sandbox();
        let name = marker("reset");
        run(&mut sandbox, &format!("(exec -a {name} sleep 1000) &"));
        assert_eq!(wait_for_running(&name, 1), 1);
        sandbox.reset().unwrap();
        assert_eq!(survivors(&name), Vec::<String>::new());
        assert_eq!(run(&mut sandbox, "echo fresh").output_lossy(), "fresh\n");
    });
}

#[test]
fn kill_minus_one_and_signals_cannot_reach_the_tutor_or_the_host() {
    bounded(|| {
        let mut bystander = Command::new("sleep")
            .arg("60")
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let mut sandbox = sandbox();
        let tutor = std::process::id();
        let line = format!(
            "kill -9 {tutor}; kill -STOP {tutor}; kill -9 {0}; kill -9 $PPID; pkill -9 sleep; pkill -9 -f hostile; \
             kill -9 -1; echo survived",
            bystander.id()
        );
        let outcome = run(&mut sandbox, &line);
        assert!(
            bystander.try_wait().unwrap().is_none(),
            "a host process was killed"
        );
        let _ = bystander.kill();
        let _ = bystander.wait();
        // The tutor (this test process) is alive to read the outcome; the sandbox still works.
        assert!(outcome.limit.is_none() || outcome.limit == Some(LimitHit::WallTime));
        assert_eq!(run(&mut sandbox, "echo alive").output_lossy(), "alive\n");
    });
}
