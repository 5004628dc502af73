//! A small builder over a temp dir and a scrubbed environment for running the real `shelltutor` binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A sandboxed place to run `shelltutor`: its own home, data dir and lesson folder.
pub struct Tutor {
    dir: TempDir,
}

impl Tutor {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("shelltutor-test-")
            .tempdir()
            .expect("a temp dir");
        for sub in ["home", "data", "lessons"] {
            std::fs::create_dir(dir.path().join(sub)).expect("a folder in the temp dir");
        }
        Tutor { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn lessons(&self) -> PathBuf {
        self.path().join("lessons")
    }

    /// Writes a file into the test's lesson folder.
    pub fn lesson(&self, name: &str, content: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.lessons().join(name), content).expect("write a lesson");
        self
    }

    /// `shelltutor ARGS` with nothing inherited but `PATH`: no terminal, no colour settings, a fake home.
    pub fn command(&self, args: &[&str]) -> Command {
        Command::from_std(self.process(args))
    }

    /// The same as a plain `std::process::Command`, for tests that spawn and watch the process themselves.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("shelltutor"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("SHELLTUTOR_DATA_DIR", self.path().join("data"))
            .env("LANG", "C.UTF-8")
            .current_dir(self.path())
            .args(args);
        command
    }

    /// The same, with `--lessons` pointing at the test's lesson folder.
    pub fn with_lessons(&self, args: &[&str]) -> Command {
        let mut command = self.command(args);
        command.arg("--lessons").arg(self.lessons());
        command
    }
}

/// Whether `programs` are installed (on `PATH` or in the system's `sbin` folders, where servers live); a missing
/// one skips the test, or fails it when tools are required (CI).
pub fn have(programs: &[&str]) -> bool {
    let path = format!(
        "{}:/usr/local/sbin:/usr/sbin:/sbin",
        std::env::var("PATH").unwrap_or_default()
    );
    let missing: Vec<&&str> = programs
        .iter()
        .filter(|program| {
            !std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {program}"))
                .env("PATH", &path)
                .stdout(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !super::tutor::tools_required(),
        "{missing:?} required (SHELLTUTOR_REQUIRE_TOOLS is set)"
    );
    eprintln!("skipped: {missing:?} not installed");
    false
}

/// Runs a command and returns (success, stdout, stderr) as text.
pub fn output(mut command: Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A minimal valid lesson with one exercise.
pub fn valid_lesson(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\n# {title}\n\n## Exercise: Say hi\n\n```check\nran \"echo\"\n```\n\n```sh solution\necho hi\n```\n")
}
