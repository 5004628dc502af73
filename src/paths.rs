//! Where shelltutor keeps things, following the XDG base directories: progress in the data dir, settings in the
//! config dir, the tutor's line history in the state dir. `shelltutor paths` prints them.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::render::sanitize;

/// The history file's name in the state dir.
const HISTORY_NAME: &str = "history";

/// A history file larger than this is not a history this program wrote (it keeps 1000 lines).
const MAX_HISTORY_BYTES: u64 = 4 * 1024 * 1024;

/// The data dir (progress): `SHELLTUTOR_DATA_DIR`, else `$XDG_DATA_HOME/shelltutor`, else `~/.local/share/shelltutor`.
pub fn data_dir() -> Result<PathBuf> {
    crate::progress::data_dir()
}

/// The settings file: `SHELLTUTOR_CONFIG`, else `$XDG_CONFIG_HOME/shelltutor/config.toml`, else
/// `~/.config/shelltutor/config.toml`. `None` when `SHELLTUTOR_CONFIG` is set but empty (no settings file) or no
/// home is known.
pub fn config_file() -> Option<PathBuf> {
    config_file_from(|name| std::env::var_os(name))
}

fn config_file_from(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(file) = env("SHELLTUTOR_CONFIG") {
        return (!file.is_empty()).then(|| PathBuf::from(file));
    }
    xdg_dir(&env, "XDG_CONFIG_HOME", ".config").map(|dir| dir.join("config.toml"))
}

/// The state dir (the tutor's line history): `SHELLTUTOR_STATE_DIR`, else `$XDG_STATE_HOME/shelltutor`, else
/// `~/.local/state/shelltutor`.
pub fn state_dir() -> Option<PathBuf> {
    state_dir_from(|name| std::env::var_os(name))
}

fn state_dir_from(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    match env("SHELLTUTOR_STATE_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => xdg_dir(&env, "XDG_STATE_HOME", ".local/state"),
    }
}

/// `$VAR/shelltutor` if `VAR` holds an absolute path (the spec says to ignore a relative one), else
/// `$HOME/<fallback>/shelltutor`.
fn xdg_dir(env: &impl Fn(&str) -> Option<OsString>, var: &str, fallback: &str) -> Option<PathBuf> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    if let Some(dir) = set(var).map(PathBuf::from).filter(|dir| dir.is_absolute()) {
        return Some(dir.join("shelltutor"));
    }
    set("HOME").map(|home| PathBuf::from(home).join(fallback).join("shelltutor"))
}

/// The file the tutor keeps its line history in (apart from the learner's real shell history), ready to use.
///
/// It lives in the state dir; a history left in the data dir by an older shelltutor is moved there. The line editor
/// reads and rewrites it, so anything there that is not a regular file of a sensible size (a FIFO would hang the
/// tutor, `/dev/zero` would fill its memory) is moved aside first, with a warning. Without a state dir (no `HOME`),
/// the data dir is used.
pub fn history_file(data_dir: &Path) -> PathBuf {
    history_file_in(state_dir().as_deref(), data_dir)
}

/// [`history_file`] with the state dir passed in, so tests need not change the environment.
fn history_file_in(state: Option<&Path>, data_dir: &Path) -> PathBuf {
    let Some(state) = state else {
        return data_dir.join(HISTORY_NAME);
    };
    let history = state.join(HISTORY_NAME);
    let old = data_dir.join(HISTORY_NAME);
    if fs::symlink_metadata(&history).is_err() && old.is_file() {
        // Best effort: a history that stays behind only means starting with an empty one.
        let _ = fs::create_dir_all(state).and_then(|()| fs::rename(&old, &history));
    }
    if let Some(problem) = unusable(&history) {
        let aside =
            history.with_file_name(format!("{HISTORY_NAME}.unusable-{}", std::process::id()));
        let moved = fs::rename(&history, &aside).is_ok();
        eprintln!(
            "warning: the tutor's history '{}' {problem}; {}",
            sanitize::message(&history.display().to_string()),
            if moved {
                format!(
                    "it was moved to '{}' and a new history starts",
                    sanitize::message(&aside.display().to_string())
                )
            } else {
                "it could not be moved aside, so remove it".to_string()
            }
        );
    }
    // The line editor does not create folders.
    let _ = fs::create_dir_all(state);
    history
}

/// Why the file at `path` must not be handed to the line editor, if it must not.
fn unusable(path: &Path) -> Option<String> {
    let metadata = fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return Some(format!(
            "is {}, not a regular file",
            crate::safe_file::describe(metadata.file_type())
        ));
    }
    (metadata.len() > MAX_HISTORY_BYTES).then(|| {
        format!(
            "is {}, far more than a history of 1000 lines",
            crate::safe_file::human_size(metadata.len())
        )
    })
}

/// The text of `shelltutor paths`.
pub fn report() -> Result<String> {
    let describe = |path: &Path| {
        let state = if fs::symlink_metadata(path).is_ok() {
            ""
        } else {
            "  (not created yet)"
        };
        format!("{}{state}", sanitize::message(&path.display().to_string()))
    };
    let data = data_dir()?;
    let mut text = format!(
        "data      {}\n          progress: {}\n",
        describe(&data),
        describe(&data.join(crate::progress::FILE_NAME))
    );
    match config_file() {
        Some(config) => text.push_str(&format!("config    {}\n", describe(&config))),
        None => text.push_str("config    none (SHELLTUTOR_CONFIG is empty, or HOME is not set)\n"),
    }
    match state_dir() {
        Some(state) => text.push_str(&format!(
            "state     {}\n          history: {}\n",
            describe(&state),
            describe(&state.join(HISTORY_NAME))
        )),
        None => text.push_str("state     none (HOME is not set)\n"),
    }
    text.push_str(
        "\nSet SHELLTUTOR_DATA_DIR, SHELLTUTOR_CONFIG or SHELLTUTOR_STATE_DIR to move them (see 'man shelltutor').\n",
    );
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn config_follows_the_override_then_xdg_then_home() {
        assert_eq!(
            config_file_from(env(&[("SHELLTUTOR_CONFIG", "/c.toml"), ("HOME", "/h")])),
            Some(PathBuf::from("/c.toml"))
        );
        assert_eq!(
            config_file_from(env(&[("SHELLTUTOR_CONFIG", ""), ("HOME", "/h")])),
            None
        );
        assert_eq!(
            config_file_from(env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/shelltutor/config.toml"))
        );
        assert_eq!(
            config_file_from(env(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.config/shelltutor/config.toml"))
        );
    }

    #[test]
    fn history_belongs_in_the_state_dir() {
        assert_eq!(
            state_dir_from(env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.local/state/shelltutor"))
        );
        assert_eq!(
            state_dir_from(env(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")])),
            Some(PathBuf::from("/s/shelltutor"))
        );
        assert_eq!(
            state_dir_from(env(&[("SHELLTUTOR_STATE_DIR", "/t")])),
            Some(PathBuf::from("/t"))
        );
        assert_eq!(state_dir_from(env(&[])), None);
    }

    #[test]
    fn an_old_history_moves_to_the_state_dir_and_a_fifo_there_is_moved_aside() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let state = dir.path().join("state");
        fs::create_dir_all(&data).expect("mkdir");
        fs::write(data.join(HISTORY_NAME), "whoami\n").expect("write");
        let history = history_file_in(Some(&state), &data);
        assert_eq!(history, state.join(HISTORY_NAME));
        assert_eq!(fs::read_to_string(&history).expect("moved"), "whoami\n");
        assert!(!data.join(HISTORY_NAME).exists());

        fs::remove_file(&history).expect("remove");
        nix::unistd::mkfifo(&history, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        let again = history_file_in(Some(&state), &data);
        assert_eq!(again, history);
        assert!(!again.exists(), "the FIFO was moved aside");
        assert_eq!(history_file_in(None, &data), data.join(HISTORY_NAME));
    }

    #[test]
    fn only_a_regular_history_of_a_sensible_size_is_usable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        assert!(unusable(&fifo).is_some_and(|why| why.contains("FIFO")));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert!(unusable(&zero).is_some_and(|why| why.contains("device")));
        let fine = dir.path().join("fine");
        fs::write(&fine, "ls\n").expect("write");
        assert_eq!(unusable(&fine), None);
        assert_eq!(unusable(&dir.path().join("missing")), None);
    }
}
