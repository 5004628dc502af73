//! Entry point: parse the command line, run, print any error once, and map it to an exit code.
//!
//! Each subcommand lives in its own module (`list`, `show`, ...) with a `run` function; this file only wires
//! them up and turns errors into one message on stderr.

mod attempt;
mod builtins;
mod catalog;
mod check;
mod cli;
mod doctor;
mod embedded;
mod explain;
mod explain_cmd;
mod grade;
mod lesson;
mod list;
mod manpage;
mod parallel;
mod practice;
mod programs;
mod progress;
mod progress_cmd;
mod ref_cmd;
mod reference;
mod render;
mod repl;
mod show;
mod snapshot;
mod terminal;
mod verify;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::terminal::{Environment, Style};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    reference::use_folder(global.reference.clone());
    match &cli.command {
        Some(Command::List(args)) => list::run(args, &load_catalog(global)?),
        Some(Command::Show(args)) => show::run(args, &load_catalog(global)?, &style(global)),
        Some(Command::Sandbox(args)) => practice::run(args, sandbox_options(global)),
        Some(Command::Doctor(args)) => doctor::run(args),
        Some(Command::Verify(args)) => {
            let jobs = args.jobs.map_or_else(parallel::default_jobs, usize::from);
            verify::run(
                verify_sets(global, &args.dirs),
                &sandbox_options(global),
                jobs,
            )
        }
        Some(Command::Ref(args)) => ref_cmd::run(args, &load_reference(global)?, &style(global)),
        Some(Command::Explain(args)) => {
            explain_cmd::run(args, load_reference(global)?, &style(global))
        }
        Some(Command::Grade(args)) => {
            let answers = match (&args.answers, &args.exercise, &args.script) {
                (Some(dir), _, _) => grade::Answers::Folder(dir.clone()),
                (None, Some(exercise), Some(script)) => grade::Answers::Single {
                    exercise: exercise.clone(),
                    script: script.clone(),
                },
                _ => anyhow::bail!("give --answers DIR, or --exercise ID with --script FILE"),
            };
            grade::run(
                &load_catalog(global)?,
                &answers,
                &args.only,
                args.format,
                &sandbox_options(global),
            )
        }
        Some(Command::Progress(args)) => {
            progress_cmd::run_progress(args, &load_catalog(global)?, &progress::data_dir()?)
        }
        Some(Command::Reset(args)) => {
            progress_cmd::run_reset(args, &load_catalog(global)?, &progress::data_dir()?)
        }
        Some(Command::Completions(args)) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                args.shell,
                &mut command,
                "shelltutor",
                &mut std::io::stdout().lock(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        None => tutor(global, None),
        Some(Command::Start(args)) => tutor(global, Some(&args.id)),
    }
}

/// The interactive tutor, at `start` or where the learner left off.
fn tutor(global: &GlobalArgs, start: Option<&str>) -> Result<ExitCode> {
    let catalog = load_catalog(global)?;
    let data_dir = progress::data_dir()?;
    repl::run(
        &catalog,
        start,
        repl::style_for_tutor(style(global)),
        &data_dir,
        sandbox_options(global),
    )
}

/// The lessons to use: `--lessons DIR` / `SHELLTUTOR_LESSONS`, else the bundled curriculum.
fn load_catalog(global: &GlobalArgs) -> Result<Catalog> {
    Ok(match &global.lessons {
        Some(folder) => Catalog::from_folder(folder)?,
        None => Catalog::bundled()?,
    })
}

/// The cards to use: `--reference DIR` / `SHELLTUTOR_REFERENCE`, else the bundled reference.
fn load_reference(global: &GlobalArgs) -> Result<reference::Reference> {
    Ok(match &global.reference {
        Some(folder) => reference::Reference::from_folder(folder)?,
        None => reference::Reference::bundled(),
    })
}

/// What `verify` checks: without folders, the bundled lessons and cards, or the sets given with `--lessons` and
/// `--reference`; otherwise each folder, as cards when its files are cards (`command =` front matter) and as
/// lessons otherwise.
fn verify_sets(global: &GlobalArgs, dirs: &[std::path::PathBuf]) -> verify::Sets {
    let current = load_catalog(global);
    let lesson_ids = current.as_ref().map_or_else(
        |_| Vec::new(),
        |catalog| catalog.lessons.iter().map(|l| l.id.clone()).collect(),
    );
    if dirs.is_empty() {
        let lessons = global
            .lessons
            .as_ref()
            .map_or("the bundled lessons".to_string(), |d| {
                d.display().to_string()
            });
        let cards = global
            .reference
            .as_ref()
            .map_or("the bundled reference".to_string(), |d| {
                d.display().to_string()
            });
        // The bundled cards go with the bundled lessons; a folder given with --lessons or --reference is verified
        // on its own, so an author checking one set does not wait for the other.
        let neither = global.lessons.is_none() && global.reference.is_none();
        let catalogs = if neither || global.lessons.is_some() {
            vec![(lessons, current)]
        } else {
            Vec::new()
        };
        let references = if neither || global.reference.is_some() {
            vec![(cards, load_reference(global))]
        } else {
            Vec::new()
        };
        return verify::Sets {
            catalogs,
            references,
            lesson_ids,
        };
    }
    let mut sets = verify::Sets {
        catalogs: Vec::new(),
        references: Vec::new(),
        lesson_ids,
    };
    for dir in dirs {
        let name = dir.display().to_string();
        if reference::is_card_folder(dir) {
            let cards = reference::Reference::from_folder(dir).map_err(Into::into);
            sets.references.push((name, cards));
        } else {
            sets.catalogs
                .push((name, Catalog::from_folder(dir).map_err(Into::into)));
        }
    }
    sets
}

/// Sandbox settings for the commands that run learner code.
fn sandbox_options(global: &GlobalArgs) -> sandbox::Options {
    if global.unconfined {
        eprintln!("WARNING: --unconfined: commands may run WITHOUT confinement and can change or delete your files.");
    }
    sandbox::Options {
        unconfined: global.unconfined,
        ..sandbox::Options::default()
    }
}

fn style(global: &GlobalArgs) -> Style {
    Style::decide(
        global.plain,
        global.width.map(usize::from),
        &Environment::current(),
    )
}

/// A reader that stopped reading (`shelltutor list | head -1`) is not an error worth a message.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
