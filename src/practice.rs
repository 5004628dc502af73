//! `shelltutor sandbox`: free practice in a throwaway, confined bash, or one line run in a fresh sandbox
//! (`-c LINE`, which passes the line's output through and exits with its status, like `bash -c`).
//!
//! This is also what the speed benchmark measures (`shelltutor sandbox -c true`), so the one-line path skips
//! everything it does not need: no shell state is kept between lines, nothing is printed unless something is wrong.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use sandbox::{Options, Sandbox, Status};

/// Open a throwaway, confined bash to practise in, or run one line in a fresh sandbox.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Nothing typed here can change your files: the sandbox is a fresh folder with its own home, the\nrest of the system is read-only, there is no network but a private loopback, and every process\nends with the sandbox. See `shelltutor doctor` for the layers active on this machine.\n\nExamples:\n  shelltutor sandbox                      practise in a throwaway shell (exit or Ctrl-D to leave)\n  shelltutor sandbox -c 'rm -rf ~ && ls'  run one line; exits with its status\n  shelltutor sandbox --keep -c 'mkdir x'  keep the folder afterwards and print where it is"
)]
pub struct Args {
    /// Run LINE in a fresh sandbox, print its output and exit with its status (like `bash -c`)
    #[arg(short = 'c', value_name = "LINE")]
    pub command: Option<String>,

    /// Keep the sandbox folder afterwards and print its path (it is swept when a later tutor starts)
    #[arg(long)]
    pub keep: bool,
}

/// Runs the subcommand. `options` carries the global settings (e.g. `--unconfined`).
pub fn run(args: &Args, options: Options) -> Result<ExitCode> {
    match &args.command {
        Some(line) => run_line(line, args.keep, options),
        None => run_shell(args.keep, options),
    }
}

fn run_line(line: &str, keep: bool, options: Options) -> Result<ExitCode> {
    let options = Options {
        one_shot: true,
        ..options
    };
    let mut sandbox = Sandbox::new(options).context("could not make a sandbox")?;
    warn_if_degraded(&sandbox);
    let outcome = sandbox.run_echoed(line).context("could not run the line")?;
    Ok(finish(sandbox, &outcome, keep))
}

fn run_shell(keep: bool, options: Options) -> Result<ExitCode> {
    let mut limits = options.limits.clone();
    // A practice session is long: only the learner decides when it ends, and the shell's own CPU time adds up.
    limits.interactive_wall_time = None;
    limits.cpu_time = Duration::from_secs(3600);
    let options = Options {
        limits,
        one_shot: true,
        ..options
    };
    let mut sandbox = Sandbox::new(options).context("could not make a sandbox")?;
    warn_if_degraded(&sandbox);
    eprintln!(
        "A throwaway sandbox: your home here is {}.\nNothing you type can change your files outside it. Type `exit` or press Ctrl-D to leave;\nthe sandbox is then deleted{}.",
        sandbox.home().display(),
        if keep { " (no: --keep)" } else { "" }
    );
    // bash takes its prompt from an rc file, not from the environment.
    let outcome = sandbox
        .run_interactive(r#"exec bash --noprofile --rcfile <(echo 'PS1="(sandbox) \w\$ "') -i"#)?;
    Ok(finish(sandbox, &outcome, keep))
}

/// Says which limit ended the line, keeps the folder if asked, and gives the line's exit status.
fn finish(sandbox: Sandbox, outcome: &sandbox::Outcome, keep: bool) -> ExitCode {
    if let Some(limit) = outcome.limit {
        eprintln!("shelltutor: {}", limit.message());
    }
    if keep {
        eprintln!(
            "shelltutor: kept the sandbox at {}",
            sandbox.keep().display()
        );
    }
    ExitCode::from(exit_code(outcome.status))
}

fn warn_if_degraded(sandbox: &Sandbox) {
    for warning in sandbox.layers().warnings() {
        eprintln!("shelltutor: warning: {warning}");
    }
}

/// The status a shell would report: the exit code, or 128 + the signal, within 0..=255.
fn exit_code(status: Status) -> u8 {
    u8::try_from(status.code().clamp(0, 255)).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_match_the_shell() {
        assert_eq!(exit_code(Status::Exited(0)), 0);
        assert_eq!(exit_code(Status::Exited(3)), 3);
        assert_eq!(exit_code(Status::Signaled(9)), 137);
        assert_eq!(exit_code(Status::Exited(-1)), 0);
    }
}
