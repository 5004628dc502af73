//! `shelltutor doctor`: can this machine run the tutor safely? Reports each confinement layer (active, or
//! unavailable and why), bash, and the programs lessons use, with install hints; `--json` for scripts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use sandbox::Layers;

use crate::programs;

/// Programs the bundled lessons use, in the order they appear in the curriculum.
const LESSON_PROGRAMS: [&str; 6] = ["vi", "man", "ssh-keygen", "openssl", "nginx", "curl"];

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

#[derive(Debug, serde::Serialize)]
struct Report {
    ready: bool,
    file_system_confined: bool,
    layers: Vec<LayerReport>,
    bash: Program,
    programs: Vec<Program>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode> {
    let report = build(&sandbox::probe());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", text(&report));
    }
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
    let path = programs::find(name);
    Program {
        name,
        found: path.is_some(),
        install_hint: path.is_none().then(|| programs::install_hint(name)),
        path,
    }
}

fn text(report: &Report) -> String {
    let mut out = String::from("Confinement layers\n");
    for layer in &report.layers {
        let state = if layer.active {
            "active"
        } else {
            "unavailable"
        };
        out.push_str(&format!(
            "  {:<18} {:<12} {}\n  {:<18} {:<12} {}\n",
            layer.name, state, layer.purpose, "", "", layer.detail
        ));
    }
    out.push_str("\nShell\n");
    out.push_str(&program_line(&report.bash));
    out.push_str("\nPrograms lessons use\n");
    for program in &report.programs {
        out.push_str(&program_line(program));
    }
    out.push('\n');
    out.push_str(if !report.file_system_confined {
        "Not ready: no file-system confinement here, so the tutor will not run commands (see the reasons above;\n`--unconfined` overrides, at the risk of your files).\n"
    } else if !report.bash.found {
        "Not ready: install bash, the shell the lessons teach.\n"
    } else if report.layers.iter().all(|layer| layer.active) {
        "Ready: commands run with every confinement layer.\n"
    } else {
        "Ready, with fewer layers: commands are confined, but see what is unavailable above.\n"
    });
    out
}

fn program_line(program: &Program) -> String {
    match (&program.path, &program.install_hint) {
        (Some(path), _) => format!(
            "  {:<18} {:<12} {}\n",
            program.name,
            "found",
            path.display()
        ),
        (None, hint) => format!(
            "  {:<18} {:<12} install: {}\n",
            program.name,
            "missing",
            hint.as_deref().unwrap_or("")
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
        assert!(text(&report).contains("Not ready"));
    }

    #[test]
    fn json_names_every_layer_and_program() {
        let json = serde_json::to_value(build(&layers(true))).unwrap_or_default();
        assert_eq!(json["layers"][0]["name"], "landlock");
        assert_eq!(
            json["programs"].as_array().map(Vec::len),
            Some(LESSON_PROGRAMS.len())
        );
    }
}
