//! `shelltutor doctor`: can this machine run the tutor safely? Reports each confinement layer (active, or
//! unavailable and why), bash, and the programs lessons use, with install hints; `--json` for scripts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use sandbox::Layers;

use crate::programs;
use crate::terminal::Style;

/// Programs the bundled lessons use, in the order they appear in the curriculum.
const LESSON_PROGRAMS: [&str; 9] = [
    "vim",
    "man",
    "ssh-keygen",
    "sshd",
    "openssl",
    "nginx",
    "curl",
    "certbot",
    "pebble",
];

/// Check the sandbox layers and the programs lessons need.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status 0 when commands can run confined and bash is installed, 1 otherwise.\n\nExamples:\n  shelltutor doctor\n  shelltutor doctor --json | jq '.layers[] | select(.active | not)'"
)]
pub struct Args {
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

/// One program and where it is, if anywhere.
#[derive(Debug, serde::Serialize)]
struct Program {
    name: &'static str,
    found: bool,
    path: Option<PathBuf>,
    install_hint: Option<String>,
}

#[derive(Debug, serde::Serialize)]
struct LayerReport {
    name: &'static str,
    active: bool,
    purpose: &'static str,
    detail: String,
}

/// `doctor --json`; fields are only ever added, a change of meaning bumps `version` (docs/json.md).
#[derive(Debug, serde::Serialize)]
struct Report {
    version: u32,
    ready: bool,
    file_system_confined: bool,
    layers: Vec<LayerReport>,
    bash: Program,
    programs: Vec<Program>,
}

/// Runs the subcommand.
pub fn run(args: &Args, style: &Style) -> Result<ExitCode> {
    let report = build(&sandbox::probe());
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::json::write_pretty(&mut out, &report)?;
    } else {
        out.write_all(text(&report, style.width).as_bytes())?;
    }
    out.flush()?;
    Ok(if report.ready {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn build(layers: &Layers) -> Report {
    let bash = program("bash");
    let file_system_confined = layers.file_system_confined();
    Report {
        version: 1,
        ready: file_system_confined && bash.found,
        file_system_confined,
        layers: layers
            .layers
            .iter()
            .map(|layer| LayerReport {
                name: layer.name,
                active: layer.active,
                purpose: layer.purpose,
                detail: layer.detail.clone(),
            })
            .collect(),
        bash,
        programs: LESSON_PROGRAMS.into_iter().map(program).collect(),
    }
}

fn program(name: &'static str) -> Program {
    let path = programs::find_for_lesson(name);
    Program {
        name,
        found: path.is_some(),
        install_hint: path.is_none().then(|| programs::install_hint(name)),
        path,
    }
}

/// The report for people, `width` columns wide: a layer's detail and a program's path or install hint go on the
/// lines under its name, wrapped and indented, rather than in a third column that would run past the edge.
fn text(report: &Report, width: usize) -> String {
    let indent = 4;
    let wrapped = |text: &str| -> String {
        crate::render::wrap_text(text, width.saturating_sub(indent))
            .iter()
            .map(|line| format!("{:indent$}{line}\n", ""))
            .collect()
    };
    let mut out = String::from("Confinement layers\n");
    for layer in &report.layers {
        let state = if layer.active {
            "active"
        } else {
            "unavailable"
        };
        out.push_str(&format!("  {:<18} {state}\n", layer.name));
        out.push_str(&wrapped(layer.purpose));
        out.push_str(&wrapped(&layer.detail));
    }
    out.push_str("\nShell\n");
    out.push_str(&program_lines(&report.bash, &wrapped));
    out.push_str("\nPrograms lessons use\n");
    for program in &report.programs {
        out.push_str(&program_lines(program, &wrapped));
    }
    out.push('\n');
    let verdict = if !report.file_system_confined {
        "Not ready: no file-system confinement here, so the tutor will not run commands (see the reasons above; `--unconfined` overrides, at the risk of your files)."
    } else if !report.bash.found {
        "Not ready: install bash, the shell the lessons teach."
    } else if report.layers.iter().all(|layer| layer.active) {
        "Ready: commands run with every confinement layer."
    } else {
        "Ready, with fewer layers: commands are confined, but see what is unavailable above."
    };
    for line in crate::render::wrap_text(verdict, width) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn program_lines(program: &Program, wrapped: &impl Fn(&str) -> String) -> String {
    match (&program.path, &program.install_hint) {
        (Some(path), _) => format!(
            "  {:<18} found\n{}",
            program.name,
            wrapped(&path.display().to_string())
        ),
        (None, hint) => format!(
            "  {:<18} missing\n{}",
            program.name,
            wrapped(&format!("install: {}", hint.as_deref().unwrap_or("")))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox::Layer;

    fn layers(active: bool) -> Layers {
        Layers {
            layers: vec![Layer {
                name: "landlock",
                purpose: "file system",
                active,
                detail: "ABI 7".to_owned(),
            }],
        }
    }

    #[test]
    fn ready_only_with_file_system_confinement() {
        assert_eq!(build(&layers(true)).ready, programs::find("bash").is_some());
        let report = build(&layers(false));
        assert!(!report.ready);
        let text = text(&report, 40);
        assert!(text.contains("Not ready"));
        assert!(
            text.lines()
                .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 40),
            "{text}"
        );
    }

    #[test]
    fn json_names_every_layer_and_program() {
        let json = serde_json::to_value(build(&layers(true))).unwrap_or_default();
        assert_eq!(json["version"], 1);
        assert_eq!(json["layers"][0]["name"], "landlock");
        assert_eq!(
            json["programs"].as_array().map(Vec::len),
            Some(LESSON_PROGRAMS.len())
        );
    }
}
