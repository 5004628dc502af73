//! Entry point: parse the command line, run, print any error once, and map it to an exit code.
//!
//! Each subcommand lives in its own module (`list`, `show`, ...) with a `run` function; this file only wires
//! them up and turns errors into one message on stderr. Exit statuses: 0 success, 1 a "no" from `grade`,
//! `verify` or `doctor`, 2 an error (bad usage included); `sandbox` exits with its line's status, or 125 when
//! shelltutor itself fails, so that its failures cannot be taken for the line's. A closed pipe is a success.

mod attempt;
mod builtins;
mod catalog;
mod check;
mod cli;
mod completion;
mod doctor;
mod embedded;
mod explain;
mod explain_cmd;
mod grade;
mod history;
mod json;
mod lesson;
mod list;
mod manpage;
mod manual;
mod parallel;
mod paths;
mod practice;
mod programs;
mod progress;
mod progress_cmd;
mod quote;
mod ref_cmd;
mod reference;
mod render;
mod repl;
mod safe_file;
mod settings;
mod show;
mod terminal;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::render::sanitize;
use crate::settings::{ColorWhen, Config, Flags, Paging, Settings};
use crate::terminal::{Environment, Style};

/// An error of shelltutor itself (bad usage included).
const EXIT_ERROR: u8 = 2;
/// An error of shelltutor itself while running `sandbox`, whose own statuses are the line's.
const EXIT_SANDBOX_ERROR: u8 = 125;

fn main() -> ExitCode {
    match completion::answer_request() {
        Ok(true) => return ExitCode::SUCCESS,
        Ok(false) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(error) => {
            print_error(&format!("completion failed: {error}"));
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let in_sandbox = invoked_subcommand() == Some("sandbox");
    let error_code = if in_sandbox {
        EXIT_SANDBOX_ERROR
    } else {
        EXIT_ERROR
    };
    let cli = match parse() {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error, error_code),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            print_error(&format!("{error:#}"));
            ExitCode::from(error_code)
        }
    }
}

/// Parses the command line, with clap's own help and errors coloured as `--color`/`--plain` and the environment
/// say (clap looks at the terminal alone otherwise).
fn parse() -> Result<Cli, clap::Error> {
    let choice = match early_color_choice() {
        Some(ColorWhen::Always) => clap::ColorChoice::Always,
        Some(ColorWhen::Never) => clap::ColorChoice::Never,
        _ if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            clap::ColorChoice::Never
        }
        _ => clap::ColorChoice::Auto,
    };
    let matches = Cli::command().color(choice).try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// `--color WHEN` / `--plain` from the raw arguments, else `SHELLTUTOR_COLOR` / `SHELLTUTOR_PLAIN`: what colours
/// `--help` before the command line is parsed.
fn early_color_choice() -> Option<ColorWhen> {
    let args: Vec<String> = std::env::args().skip(1).take_while(|a| a != "--").collect();
    for (index, arg) in args.iter().enumerate().rev() {
        if arg == "--plain" {
            return Some(ColorWhen::Never);
        }
        let value = match arg.strip_prefix("--color=") {
            Some(value) => Some(value),
            None if arg == "--color" => args.get(index + 1).map(String::as_str),
            None => None,
        };
        if let Some(choice) =
            value.and_then(|v| <ColorWhen as clap::ValueEnum>::from_str(v, true).ok())
        {
            return Some(choice);
        }
    }
    if std::env::var_os("SHELLTUTOR_PLAIN").is_some_and(|v| !v.is_empty() && v != "0") {
        return Some(ColorWhen::Never);
    }
    std::env::var("SHELLTUTOR_COLOR")
        .ok()
        .and_then(|v| <ColorWhen as clap::ValueEnum>::from_str(v.trim(), true).ok())
}

/// The first word that names a subcommand, before parsing (to pick the exit code of a usage error).
fn invoked_subcommand() -> Option<&'static str> {
    let names = ["sandbox"];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if ["--lessons", "--color", "--width"].contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return names.into_iter().find(|name| *name == arg);
        }
    }
    None
}

/// Prints clap's help, version or usage error; a closed pipe is not worth a word.
fn clap_exit(error: &clap::Error, error_code: u8) -> ExitCode {
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(error_code)
    } else {
        ExitCode::SUCCESS
    }
}

/// The one error message, sanitized (it may quote a file name or a learner's output); a closed stderr is ignored.
fn print_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {}", sanitize::message(message));
}

/// A warning on stderr; a closed stderr is ignored.
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {}", sanitize::message(message));
}

fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    reference::use_folder(global.reference.clone());
    match &cli.command {
        Some(Command::List(args)) => {
            let catalog = strict_catalog(global)?;
            for warning in catalog.lessons.iter().flat_map(|l| &l.warnings) {
                warn(&warning.to_string());
            }
            list::run(args, &catalog, &style(global, None)?)
        }
        Some(Command::Show(args)) => {
            let paging = if args.no_pager {
                Some(Paging::Never)
            } else {
                args.paging
            };
            let settings = settings(global, paging)?;
            let style = Style::decide(&settings, &Environment::current());
            show::run(args, &lenient_catalog(global)?, &style, &settings)
        }
        Some(Command::Sandbox(args)) => practice::run(args, sandbox_options(global)),
        Some(Command::Doctor(args)) => doctor::run(args, &style(global, None)?),
        Some(Command::Verify(args)) => {
            let jobs = args.jobs.map_or_else(parallel::default_jobs, usize::from);
            verify::run(
                verify_sets(global, &args.dirs),
                &sandbox_options(global),
                jobs,
            )
        }
        Some(Command::Ref(args)) => {
            let paging = if args.no_pager {
                Some(Paging::Never)
            } else {
                args.paging
            };
            let settings = settings(global, paging)?;
            let style = Style::decide(&settings, &Environment::current());
            ref_cmd::run(args, &load_reference(global)?, &style, &settings)
        }
        Some(Command::Explain(args)) => {
            explain_cmd::run(args, load_reference(global)?, &style(global, None)?)
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
                &strict_catalog(global)?,
                &answers,
                &args.only,
                args.format,
                &sandbox_options(global),
            )
        }
        Some(Command::Progress(args)) => progress_cmd::run_progress(
            args,
            &lenient_catalog(global)?,
            &paths::data_dir()?,
            &style(global, None)?,
        ),
        Some(Command::Reset(args)) => {
            progress_cmd::run_reset(args, &lenient_catalog(global)?, &paths::data_dir()?)
        }
        Some(Command::Completions(args)) => {
            let mut script = Vec::new();
            completion::write_registration(&args.shell.to_string(), &mut script)?;
            write_stdout(&script)
        }
        Some(Command::Manpage(args)) => match &args.dir {
            Some(dir) => {
                let written = manual::write_all(dir)?;
                write_stdout(
                    format!("wrote {} pages into {}\n", written.len(), dir.display()).as_bytes(),
                )
            }
            None => write_stdout(&manual::main_page()?),
        },
        Some(Command::Paths) => write_stdout(paths::report()?.as_bytes()),
        None => tutor(global, None),
        Some(Command::Start(args)) => tutor(global, Some(&args.id)),
    }
}

/// Writes `bytes` to stdout; a closed pipe comes back as an error that `main` keeps quiet.
fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The interactive tutor, at `start` or where the learner left off.
fn tutor(global: &GlobalArgs, start: Option<&str>) -> Result<ExitCode> {
    let catalog = lenient_catalog(global)?;
    let data_dir = paths::data_dir()?;
    let settings = settings(global, None)?;
    let style = Style::decide(&settings, &Environment::current());
    // Piped input means a scripted session: plain, unless colour was asked for.
    let style = match settings.color {
        ColorWhen::Auto => repl::style_for_tutor(style),
        _ => style,
    };
    repl::run(&catalog, start, style, &data_dir, sandbox_options(global))
}

/// The lessons, all of them healthy (`list`, `verify`, `grade`): a problem in any file is an error.
fn strict_catalog(global: &GlobalArgs) -> Result<Catalog> {
    Ok(match &global.lessons {
        Some(folder) => Catalog::from_folder(folder)?,
        None => Catalog::bundled()?,
    })
}

/// The healthy lessons (`show`, the tutor, `progress`, `reset`), with a warning naming each broken file.
fn lenient_catalog(global: &GlobalArgs) -> Result<Catalog> {
    let loaded = match &global.lessons {
        Some(folder) => Catalog::load_folder(folder)?,
        None => Catalog::load_bundled(),
    };
    let (catalog, warnings) = loaded.tolerant();
    for warning in warnings {
        warn(&warning);
    }
    Ok(catalog)
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
    let current = strict_catalog(global);
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
        warn("--unconfined: commands may run WITHOUT confinement and can change or delete your files.");
    }
    sandbox::Options {
        unconfined: global.unconfined,
        ..sandbox::Options::default()
    }
}

/// The settings in force: flags, then the environment, then the settings file.
fn settings(global: &GlobalArgs, paging: Option<Paging>) -> Result<Settings> {
    let config = Config::load(paths::config_file().as_deref())?;
    let flags = Flags {
        color: global.color,
        plain: global.plain,
        width: global.width,
        paging,
    };
    Settings::resolve(&flags, |name| std::env::var_os(name), &config)
}

fn style(global: &GlobalArgs, paging: Option<Paging>) -> Result<Style> {
    Ok(Style::decide(
        &settings(global, paging)?,
        &Environment::current(),
    ))
}

/// A reader that stopped reading (`shelltutor list | head -1`) is not an error worth a message.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
