//! Runs one line in a fresh sandbox without keeping shell state, like `shelltutor sandbox -c`, for profiling the
//! one-shot path without the tutor around it (`hyperfine -N 'target/release/examples/one_shot true'`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let line = std::env::args().nth(1).unwrap_or_else(|| "true".to_owned());
    let options = sandbox::Options {
        one_shot: true,
        ..sandbox::Options::default()
    };
    let outcome = sandbox::Sandbox::new(options).and_then(|mut sandbox| sandbox.run_echoed(&line));
    match outcome {
        Ok(outcome) => {
            ExitCode::from(u8::try_from(outcome.status.code().clamp(0, 255)).unwrap_or(u8::MAX))
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
