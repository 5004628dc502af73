//! What `:undo`, `:diff` and the tracking after a line cost as the home grows: the target of issue 8 is a cost in
//! proportion to what a line changed, not to the size of the home. The tutor's session benchmark
//! (`bench/exercise.sh`) cannot see a sub-millisecond `:undo` through whole piped sessions, so this times the
//! history module itself, in process, on homes of 10, 10,000 and 100,000 files in `$TMPDIR`.
//!
//! Run with `cargo bench --bench history` (`bench/exercise.sh` runs it and prints its table). Prints one line per
//! home size: `history <files> <after_line µs> <undo µs> <diff µs> <start ms>`, medians over the rounds.

#[allow(dead_code, unused_imports)] // the module's own tests are not compiled here
#[path = "../src/history.rs"]
mod history;

use std::path::Path;
use std::time::{Duration, Instant};

/// Rounds per home size; each round changes one file, tracks the line, undoes it, and asks for the diff.
const ROUNDS: usize = 200;

fn main() {
    let sizes: Vec<usize> = std::env::var("HISTORY_BENCH_SIZES")
        .ok()
        .map(|text| {
            text.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![10, 10_000, 100_000]);
    for files in sizes {
        let folder = tempfile::tempdir().expect("a temp dir for the bench");
        let home = folder.path().join("home");
        make_home(&home, files);
        let started = Instant::now();
        let mut tracked = history::History::start(
            &home,
            &folder.path().join("store"),
            history::Limits::default(),
        );
        let start = started.elapsed();
        let (mut after_line, mut undo, mut diff) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            tracked.before_line();
            std::fs::write(home.join("notes.txt"), format!("round {round}\n")).expect("write");
            after_line.push(timed(|| tracked.after_line()));
            undo.push(timed(|| {
                let undone = tracked.undo().expect("undo works");
                assert!(undone.is_some(), "one change to undo");
            }));
            diff.push(timed(|| {
                tracked.changes().expect("diff works");
            }));
        }
        println!(
            "history {files} {:.1} {:.1} {:.1} {:.1}",
            micros(median(after_line)),
            micros(median(undo)),
            micros(median(diff)),
            micros(start) / 1000.0
        );
    }
}

/// `files` files in folders of 1,000, plus the one file each round changes.
fn make_home(home: &Path, files: usize) {
    std::fs::create_dir_all(home).expect("home");
    std::fs::write(home.join("notes.txt"), "original\n").expect("notes");
    for index in 0..files {
        let folder = home.join(format!("d{}", index / 1000));
        if index % 1000 == 0 {
            std::fs::create_dir_all(&folder).expect("folder");
        }
        std::fs::write(folder.join(format!("f{index}")), b"x").expect("file");
    }
}

fn timed(work: impl FnOnce()) -> Duration {
    let started = Instant::now();
    work();
    started.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
