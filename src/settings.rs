//! Settings that stick: colour, plain mode, width and paging from a flag, else an environment variable, else the
//! settings file (`~/.config/shelltutor/config.toml`), else the default.
//!
//! The settings file is small TOML:
//!
//! ```toml
//! color = "auto"     # auto | always | never
//! plain = false      # true: no colour, no escape sequences, no screen clearing
//! width = 80         # columns to wrap text to (20 to 400)
//! paging = "auto"    # auto | always | never
//! pager = "less -R"  # the pager for 'show' (else $SHELLTUTOR_PAGER, $PAGER, less)
//! ```

use std::ffi::OsString;
use std::path::Path;

use anyhow::{bail, Result};
use serde::Deserialize;

use crate::render::sanitize;
use crate::safe_file::{self, Links};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ColorWhen {
    /// Colour on a terminal, unless NO_COLOR is set or TERM=dumb (CLICOLOR_FORCE=1 colours a pipe too)
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file
    Always,
    /// Never colour, nor use any other escape sequence
    Never,
}

/// When to page `show`'s output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Paging {
    /// Through the pager when the text does not fit on the terminal's screen
    #[default]
    Auto,
    /// Always through the pager
    Always,
    /// Never: print straight to the terminal
    Never,
}

/// The narrowest and widest widths accepted.
pub const MIN_WIDTH: u16 = 20;
pub const MAX_WIDTH: u16 = 400;

/// The settings file's keys; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub color: Option<ColorWhen>,
    pub plain: Option<bool>,
    pub width: Option<u16>,
    pub paging: Option<Paging>,
    pub pager: Option<String>,
}

/// The largest settings file read.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;

impl Config {
    /// The settings file at `path`; a missing file is no settings, a broken one an error naming it and the fix.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let shown = sanitize::message(&path.display().to_string());
        let bytes = match safe_file::read(path, MAX_CONFIG_BYTES, Links::Follow) {
            Ok(bytes) => bytes,
            Err(error) if error.is_not_found() => return Ok(Config::default()),
            Err(error) => bail!("the settings file '{shown}' {error}; fix or remove it"),
        };
        let Ok(text) = String::from_utf8(bytes) else {
            bail!("the settings file '{shown}' is not UTF-8 text; fix or remove it");
        };
        let config: Config = toml::from_str(&text).map_err(|error| {
            let (line, column) = error.span().map_or((1, 1), |span| {
                crate::lesson::error::line_column(&text, span.start)
            });
            anyhow::anyhow!(
                "{shown}:{line}:{column}: {}; the settings are color, plain, width, paging and pager (see 'man shelltutor')",
                sanitize::message(error.message().trim())
            )
        })?;
        if let Some(width) = config.width {
            check_width(width).map_err(|why| anyhow::anyhow!("{shown}: width = {width}: {why}"))?;
        }
        Ok(config)
    }
}

/// Whether `width` can be used, and why not.
pub fn check_width(width: u16) -> Result<u16, String> {
    if (MIN_WIDTH..=MAX_WIDTH).contains(&width) {
        Ok(width)
    } else {
        Err(format!(
            "the width must be between {MIN_WIDTH} and {MAX_WIDTH} columns (narrower is unreadable, wider is capped)"
        ))
    }
}

/// `--width`'s parser: a number of columns in the accepted range, or a message saying what is.
pub fn parse_width(text: &str) -> Result<u16, String> {
    let width: u16 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of columns"))?;
    check_width(width)
}

/// What the flags say, before the environment and the settings file fill the gaps.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub color: Option<ColorWhen>,
    pub plain: bool,
    pub width: Option<u16>,
    pub paging: Option<Paging>,
}

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub color: ColorWhen,
    pub width: Option<u16>,
    pub paging: Paging,
    /// The pager command: `SHELLTUTOR_PAGER`, the settings file, `PAGER`; `None` for the default (`less`).
    pub pager: Option<String>,
}

impl Settings {
    /// Flags win, then `SHELLTUTOR_COLOR` / `SHELLTUTOR_PLAIN` / `SHELLTUTOR_WIDTH` / `SHELLTUTOR_PAGING` /
    /// `SHELLTUTOR_PAGER`, then the settings file. Plain mode is colour `never`.
    pub fn resolve(
        flags: &Flags,
        env: impl Fn(&str) -> Option<OsString>,
        config: &Config,
    ) -> Result<Settings> {
        let var = |name: &str| {
            env(name)
                .filter(|value| !value.is_empty())
                .map(|value| value.to_string_lossy().into_owned())
        };
        let choice = |name: &str, value: String| -> Result<String> {
            Ok(value.trim().to_ascii_lowercase()).and_then(|v| {
                if ["auto", "always", "never"].contains(&v.as_str()) {
                    Ok(v)
                } else {
                    bail!("{name}={value}: use auto, always or never")
                }
            })
        };
        let env_color = var("SHELLTUTOR_COLOR")
            .map(|v| choice("SHELLTUTOR_COLOR", v))
            .transpose()?
            .map(|v| parse_choice::<ColorWhen>(&v));
        let env_plain =
            var("SHELLTUTOR_PLAIN").map(|v| !matches!(v.as_str(), "0" | "false" | "no" | "off"));
        let color = if flags.plain {
            ColorWhen::Never
        } else if let Some(color) = flags.color {
            color
        } else if env_plain == Some(true) {
            ColorWhen::Never
        } else if let Some(color) = env_color {
            color
        } else if config.plain == Some(true) {
            ColorWhen::Never
        } else {
            config.color.unwrap_or_default()
        };
        let env_width = var("SHELLTUTOR_WIDTH")
            .map(|v| {
                parse_width(v.trim()).map_err(|why| anyhow::anyhow!("SHELLTUTOR_WIDTH={v}: {why}"))
            })
            .transpose()?;
        let env_paging = var("SHELLTUTOR_PAGING")
            .map(|v| choice("SHELLTUTOR_PAGING", v))
            .transpose()?
            .map(|v| parse_choice::<Paging>(&v));
        Ok(Settings {
            color,
            width: flags.width.or(env_width).or(config.width),
            paging: flags
                .paging
                .or(env_paging)
                .or(config.paging)
                .unwrap_or_default(),
            pager: var("SHELLTUTOR_PAGER")
                .or_else(|| config.pager.clone())
                .or_else(|| env("PAGER").map(|v| v.to_string_lossy().into_owned())),
        })
    }
}

fn parse_choice<T: clap::ValueEnum + Default>(value: &str) -> T {
    T::from_str(value, true).unwrap_or_default()
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

    fn resolve(
        flags: Flags,
        pairs: &'static [(&'static str, &'static str)],
        config: Config,
    ) -> Settings {
        Settings::resolve(&flags, env(pairs), &config).expect("valid settings")
    }

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_file() {
        let file = Config {
            color: Some(ColorWhen::Always),
            width: Some(60),
            paging: Some(Paging::Never),
            pager: Some("most".into()),
            ..Config::default()
        };
        let from_file = resolve(Flags::default(), &[], file.clone());
        assert_eq!(
            from_file,
            Settings {
                color: ColorWhen::Always,
                width: Some(60),
                paging: Paging::Never,
                pager: Some("most".into())
            }
        );
        let from_env = resolve(
            Flags::default(),
            &[
                ("SHELLTUTOR_COLOR", "never"),
                ("SHELLTUTOR_WIDTH", "70"),
                ("SHELLTUTOR_PAGING", "always"),
                ("SHELLTUTOR_PAGER", "less -S"),
                ("PAGER", "more"),
            ],
            file.clone(),
        );
        assert_eq!(
            (
                from_env.color,
                from_env.width,
                from_env.paging,
                from_env.pager.as_deref()
            ),
            (ColorWhen::Never, Some(70), Paging::Always, Some("less -S"))
        );
        let flags = Flags {
            color: Some(ColorWhen::Auto),
            width: Some(90),
            paging: Some(Paging::Auto),
            plain: false,
        };
        let from_flags = resolve(flags, &[("SHELLTUTOR_COLOR", "never")], file);
        assert_eq!(
            (from_flags.color, from_flags.width),
            (ColorWhen::Auto, Some(90))
        );
    }

    #[test]
    fn plain_means_no_colour_wherever_it_is_set() {
        let plain_flag = Flags {
            plain: true,
            ..Flags::default()
        };
        assert_eq!(
            resolve(plain_flag, &[], Config::default()).color,
            ColorWhen::Never
        );
        assert_eq!(
            resolve(
                Flags::default(),
                &[("SHELLTUTOR_PLAIN", "1")],
                Config::default()
            )
            .color,
            ColorWhen::Never
        );
        let file = Config {
            plain: Some(true),
            ..Config::default()
        };
        assert_eq!(resolve(Flags::default(), &[], file).color, ColorWhen::Never);
    }

    #[test]
    fn the_pager_comes_from_shelltutor_pager_before_pager() {
        let settings = resolve(
            Flags::default(),
            &[("SHELLTUTOR_PAGER", "bat"), ("PAGER", "more")],
            Config::default(),
        );
        assert_eq!(settings.pager.as_deref(), Some("bat"));
        let settings = resolve(Flags::default(), &[("PAGER", "")], Config::default());
        assert_eq!(
            settings.pager.as_deref(),
            Some(""),
            "an empty PAGER means no pager"
        );
    }

    #[test]
    fn bad_values_are_errors_that_say_what_is_allowed() {
        for (pairs, expected) in [
            (&[("SHELLTUTOR_WIDTH", "3")][..], "between 20 and 400"),
            (
                &[("SHELLTUTOR_COLOR", "sometimes")][..],
                "auto, always or never",
            ),
        ] {
            let pairs: &'static [(&'static str, &'static str)] = pairs;
            let error = Settings::resolve(&Flags::default(), env(pairs), &Config::default())
                .expect_err("refused");
            assert!(error.to_string().contains(expected), "{error}");
        }
        assert!(parse_width("3").is_err_and(|e| e.contains("between 20 and 400")));
        assert_eq!(parse_width("20"), Ok(20));
    }

    #[test]
    fn the_settings_file_is_checked_and_located() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "color = \"never\"\nwidth = 72\n").expect("write");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(
            (config.color, config.width),
            (Some(ColorWhen::Never), Some(72))
        );
        std::fs::write(&path, "color = \"never\"\ncolour = \"x\"\n").expect("write");
        let error = Config::load(Some(&path)).expect_err("unknown key");
        assert!(
            error.to_string().contains(":2:1: unknown field `colour`"),
            "{error}"
        );
        std::fs::write(&path, "width = 5\n").expect("write");
        assert!(Config::load(Some(&path)).is_err());
        assert_eq!(
            Config::load(Some(&dir.path().join("missing.toml"))).expect("none"),
            Config::default()
        );
    }
}
