//! Finding the programs a lesson needs (`requires = ["vi"]`) on `PATH`, with install hints for the missing ones.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The first executable called `name` in the directories of `path` (a `PATH`-style list).
pub fn find_in(name: &str, path: &OsStr) -> Option<PathBuf> {
    if name.is_empty() || name.contains('/') {
        return None;
    }
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// The first executable called `name` on this process's `PATH`.
pub fn find(name: &str) -> Option<PathBuf> {
    find_in(name, &std::env::var_os("PATH").unwrap_or_default())
}

/// The system folders searched for a lesson's programs besides `PATH`: servers such as `nginx` and `sshd` live
/// in `sbin`, which is not on a normal user's `PATH` on Debian (lessons that run them put it on theirs).
const SYSTEM_DIRS: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The first executable called `name` on this process's `PATH` or in the system folders.
pub fn find_for_lesson(name: &str) -> Option<PathBuf> {
    find(name).or_else(|| find_in(name, OsStr::new(SYSTEM_DIRS)))
}

/// The programs of `required` that cannot be found.
pub fn missing(required: &[String]) -> Vec<&str> {
    required
        .iter()
        .map(String::as_str)
        .filter(|name| find_for_lesson(name).is_none())
        .collect()
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The Debian or Ubuntu package that holds `program` (where its name is not the program's).
pub fn package(program: &str) -> &str {
    match program {
        "vi" | "vim" => "vim",
        "man" => "man-db",
        "ssh-keygen" | "ssh" | "ssh-copy-id" | "ssh-agent" | "ssh-add" | "ssh-keyscan" => {
            "openssh-client"
        }
        "sshd" => "openssh-server",
        "pebble" | "pebble-challtestsrv" => "pebble",
        "setsid" => "util-linux",
        other => other,
    }
}

/// How to install `program` on Debian or Ubuntu.
pub fn install_hint(program: &str) -> String {
    format!("sudo apt-get install {}", package(program))
}

/// The programs of `required` that cannot be found, each with how to install it (`nginx (sudo apt-get install
/// nginx), ...`), or `None` when all are there: why `verify` skips a lesson or a card.
pub fn missing_with_hints(required: &[String]) -> Option<String> {
    let missing = missing(required);
    if missing.is_empty() {
        return None;
    }
    let hints: Vec<String> = missing
        .iter()
        .map(|program| format!("{program} ({})", install_hint(program)))
        .collect();
    Some(hints.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let program = dir.path().join("tool");
        std::fs::write(&program, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(dir.path().join("data"), "").expect("write");
        let path = dir.path().as_os_str();
        assert_eq!(find_in("tool", path), Some(program));
        assert_eq!(find_in("data", path), None);
        assert_eq!(find_in("absent", path), None);
        assert_eq!(find_in("../tool", path), None);
    }

    #[test]
    fn hints_name_the_package() {
        assert_eq!(
            install_hint("ssh-keygen"),
            "sudo apt-get install openssh-client"
        );
        assert_eq!(install_hint("nginx"), "sudo apt-get install nginx");
        assert_eq!(install_hint("sshd"), "sudo apt-get install openssh-server");
    }
}
