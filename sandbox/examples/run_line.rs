//! Runs each argument as a line in one sandbox and prints the outcome: a quick manual check of the crate
//! (`cargo run -p sandbox --example run_line -- 'cd /tmp' 'pwd'`).

fn main() -> Result<(), sandbox::Error> {
    let mut sandbox = sandbox::Sandbox::new(sandbox::Options::default())?;
    for warning in sandbox.layers().warnings() {
        eprintln!("warning: {warning}");
    }
    for line in std::env::args().skip(1) {
        let outcome = sandbox.run_echoed(&line)?;
        eprintln!(
            "[{line:?}: {:?} in {:?}, limit {:?}, cwd {}]",
            outcome.status,
            outcome.duration,
            outcome.limit,
            outcome.cwd_display()
        );
        for command in &outcome.commands {
            eprintln!(
                "  ran {} (status {:?}, depth {})",
                command.command_line(),
                command.status,
                command.depth
            );
        }
        for notice in sandbox.take_notices() {
            eprintln!("  notice: {}", notice.message());
        }
    }
    Ok(())
}
