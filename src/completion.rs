//! Shell completion that knows the lessons: `shelltutor show <TAB>` offers lesson ids, `start cd/<TAB>` the
//! exercises of `cd`, as `just` and `cargo` complete their recipes and targets.
//!
//! This is clap_complete's dynamic completion: the script a shell sources (`shelltutor completions bash`, the same
//! as `COMPLETE=bash shelltutor`) calls `shelltutor` back at every TAB with `COMPLETE` set, and the functions here
//! give the candidates. The lesson set is the one the command line or `SHELLTUTOR_LESSONS` names, else the bundled
//! one; broken lesson files are skipped silently (completion has nowhere to say anything).

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;

use crate::catalog::Catalog;

/// The environment variable that asks for completions.
pub const VAR: &str = "COMPLETE";

/// Lesson ids and exercise ids (`cd`, `cd/go-home`) starting with what was typed.
pub fn lesson_or_exercise_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, ids(true, true))
}

/// Exercise ids only (`grade --exercise`).
pub fn exercise_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, ids(false, true))
}

/// The names of the command reference's cards (`ref CMD`).
pub fn card_names(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(current, reference_card_names())
}

/// Every card of the command reference (command, summary), and each alias of one (with the same summary).
fn reference_card_names() -> Vec<(String, Option<String>)> {
    crate::reference::current()
        .entries()
        .into_iter()
        .flat_map(|entry| {
            let summary = Some(entry.summary);
            std::iter::once(entry.command)
                .chain(entry.aliases)
                .map(move |name| (name, summary.clone()))
        })
        .collect()
}

fn candidates(current: &OsStr, names: Vec<(String, Option<String>)>) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    names
        .into_iter()
        .filter(|(name, _)| name.starts_with(typed.as_ref()))
        .map(|(name, help)| CompletionCandidate::new(name).help(help.map(Into::into)))
        .collect()
}

/// (id, title) of the lessons and/or exercises of the lesson set the command line names.
fn ids(lessons: bool, exercises: bool) -> Vec<(String, Option<String>)> {
    let catalog = match lessons_folder(std::env::args_os()) {
        Some(folder) => Catalog::load_folder(&folder).map(|loaded| loaded.catalog),
        None => Ok(Catalog::load_bundled().catalog),
    };
    let Ok(catalog) = catalog else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for lesson in &catalog.lessons {
        if lessons {
            ids.push((lesson.id.clone(), Some(lesson.title.clone())));
        }
        if exercises {
            ids.extend(
                lesson
                    .exercises
                    .iter()
                    .map(|e| (e.id.clone(), Some(e.title.clone()))),
            );
        }
    }
    ids
}

/// `--lessons DIR` (or `--lessons=DIR`) from the words being completed, else `SHELLTUTOR_LESSONS`.
fn lessons_folder(args: impl Iterator<Item = OsString>) -> Option<PathBuf> {
    let args: Vec<OsString> = args.collect();
    let from_args = args.iter().enumerate().rev().find_map(|(index, arg)| {
        let text = arg.to_str()?;
        if text == "--lessons" {
            args.get(index + 1).map(PathBuf::from)
        } else {
            text.strip_prefix("--lessons=").map(PathBuf::from)
        }
    });
    from_args.or_else(|| {
        std::env::var_os("SHELLTUTOR_LESSONS")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

/// The script that registers completion for `shell` (`bash`, `zsh`, `fish`, `elvish`, `powershell`).
pub fn write_registration(shell: &str, out: &mut impl Write) -> std::io::Result<()> {
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(shell) else {
        return Err(std::io::Error::other(format!("no completion for {shell}")));
    };
    let mut script = Vec::new();
    completer.write_registration(VAR, "shelltutor", "shelltutor", "shelltutor", &mut script)?;
    out.write_all(&script)
}

/// Answers a completion request if this run is one (`COMPLETE` is set); returns whether it was.
pub fn answer_request() -> std::io::Result<bool> {
    let current_dir = std::env::current_dir().ok();
    clap_complete::CompleteEnv::with_factory(<crate::cli::Cli as clap::CommandFactory>::command)
        .var(VAR)
        .try_complete(std::env::args_os(), current_dir.as_deref())
        .map_err(|error| {
            // A closed pipe must stay recognisable, so `main` can keep quiet about it.
            let kind = std::error::Error::source(&error)
                .and_then(|source| source.downcast_ref::<std::io::Error>())
                .map_or(std::io::ErrorKind::Other, std::io::Error::kind);
            std::io::Error::new(kind, error.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> impl Iterator<Item = OsString> {
        words
            .iter()
            .map(OsString::from)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_lessons_folder_comes_from_the_words_being_completed() {
        assert_eq!(
            lessons_folder(args(&[
                "shelltutor",
                "--",
                "shelltutor",
                "show",
                "--lessons",
                "/l",
                ""
            ])),
            Some(PathBuf::from("/l"))
        );
        assert_eq!(
            lessons_folder(args(&["shelltutor", "--lessons=/m", "show"])),
            Some(PathBuf::from("/m"))
        );
    }

    #[test]
    fn bundled_lesson_and_exercise_ids_are_offered() {
        let offered: Vec<String> = lesson_or_exercise_ids(OsStr::new("c"))
            .iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect();
        assert!(offered.contains(&"cd".to_string()), "{offered:?}");
        assert!(
            offered.iter().any(|id| id.starts_with("cd/")),
            "{offered:?}"
        );
        assert!(offered.iter().all(|id| id.starts_with('c')), "{offered:?}");
        let exercises = exercise_ids(OsStr::new(""));
        assert!(exercises
            .iter()
            .all(|c| c.get_value().to_string_lossy().contains('/')));
        let rm: Vec<String> = card_names(OsStr::new("rm"))
            .iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect();
        assert!(
            rm.contains(&"rm".to_string()) && rm.contains(&"rmdir".to_string()),
            "{rm:?}"
        );
    }

    #[test]
    fn every_shell_gets_a_registration_script() {
        for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
            let mut script = Vec::new();
            write_registration(shell, &mut script).expect(shell);
            let script = String::from_utf8(script).expect("UTF-8");
            assert!(script.contains("COMPLETE"), "{shell}: {script}");
        }
    }
}
