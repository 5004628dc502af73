//! Command lines that destroy data or take a machine down, recognised with the reason.
//!
//! `explain` lists them under the explanation; the tutor says the same after such a line ran in the sandbox, where
//! it only touched throwaway files (`:undo` brings them back). Each rule looks at the parsed command (its name,
//! its options expanded one by one, its arguments after expansion), not at the text, so `rm -r -f ~`, `rm -fr ~/`
//! and `sudo rm --recursive ~` are all caught, and `echo rm -rf /` is not.

use super::words::Word;
use super::Context;

/// One dangerous pattern in a line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Danger {
    /// The command or redirection, as written.
    pub text: String,
    /// What it does on a real machine, as a sentence.
    pub effect: String,
    /// What to do instead, or how to check first.
    pub advice: String,
}

/// A simple command as the danger rules see it.
#[derive(Debug)]
pub struct Facts<'a> {
    /// The command's source text.
    pub text: &'a str,
    pub name: &'a str,
    /// The options, expanded (`-rf` gives `-r` and `-f`), long ones without their `=value`.
    pub options: &'a [String],
    /// Every word after the name, as written and as expanded (options included, in order).
    pub words: &'a [(String, Word)],
    /// The words that are not options or option arguments.
    pub operands: &'a [(String, Word)],
    /// The commands of process substitutions among the words (`<(curl ...)`).
    pub substituted: &'a [String],
}

impl Facts<'_> {
    fn has(&self, flags: &[&str]) -> bool {
        self.options.iter().any(|o| flags.contains(&o.as_str()))
    }
}

/// Top-level folders whose loss breaks the system.
const SYSTEM_PATHS: [&str; 16] = [
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root",
    "/sbin", "/srv", "/sys", "/usr", "/var",
];

fn danger(text: &str, effect: impl Into<String>, advice: impl Into<String>) -> Danger {
    Danger {
        text: text.to_string(),
        effect: effect.into(),
        advice: advice.into(),
    }
}

/// The rules for one simple command.
pub fn check_command(facts: &Facts<'_>, context: &Context) -> Vec<Danger> {
    let mut found = Vec::new();
    match facts.name {
        "rm" => found.extend(rm(facts, context)),
        "chmod" => found.extend(chmod(facts)),
        "chown" | "chgrp" => found.extend(chown(facts)),
        "dd" => found.extend(dd(facts)),
        "mv" => found.extend(mv(facts)),
        "kill" => found.extend(kill(facts)),
        name if name == "mkfs" || name.starts_with("mkfs.") => found.push(danger(
            facts.text,
            "it creates a new, empty file system on the device you name: everything stored on it is gone",
            "check the device name twice with lsblk; this is never needed for files in your home folder",
        )),
        "sh" | "bash" | "zsh" | "dash" | "ksh" => found.extend(shell_of_download(facts)),
        _ => {}
    }
    found
}

fn rm(facts: &Facts<'_>, context: &Context) -> Option<Danger> {
    let recursive = facts.has(&["-r", "-R", "--recursive"]);
    if facts.has(&["--no-preserve-root"]) {
        return Some(danger(
            facts.text,
            "--no-preserve-root turns off rm's refusal to delete / itself",
            "there is no good reason to use it; remove the folders you mean by name",
        ));
    }
    if !recursive {
        return None;
    }
    for (text, word) in facts.operands {
        if let Some(effect) = rm_target(text, word, context) {
            return Some(danger(
                facts.text,
                format!("{effect}, without asking{}", if facts.has(&["-f", "--force"]) { " (-f: not even for write-protected files)" } else { "" }),
                "name exactly the folder you mean, look at it first with ls, and there is no undo outside the tutor: no bin, no trash",
            ));
        }
    }
    None
}

/// Why removing `text` recursively is dangerous, if it is.
fn rm_target(text: &str, word: &Word, context: &Context) -> Option<String> {
    let raw = text.trim_matches(['"', '\'']);
    match raw {
        "/" | "/*" => return Some("it deletes every file of the whole machine that you may delete".to_string()),
        "~" | "~/" | "~/*" | "$HOME" | "$HOME/" | "${HOME}" | "$HOME/*" => {
            return Some("it deletes your whole home folder and everything in it".to_string())
        }
        "*" | "./*" => {
            return Some("it deletes everything in the current folder (the * matches every name not starting with a dot)".to_string())
        }
        "." | "./" | ".*" => return Some("it deletes the current folder and everything in it".to_string()),
        ".." | "../" | "../*" => return Some("it deletes the folder above the current one, with everything in it".to_string()),
        _ => {}
    }
    if let Some(value) = &word.literal {
        let trimmed = value.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/*").unwrap_or(trimmed);
        if trimmed == context.home.trim_end_matches('/') {
            return Some("it deletes your whole home folder and everything in it".to_string());
        }
        if trimmed.is_empty() || SYSTEM_PATHS.contains(&trimmed) {
            let shown = if trimmed.is_empty() { "/" } else { trimmed };
            return Some(format!(
                "it deletes the system folder {shown} and everything in it, breaking the machine"
            ));
        }
    }
    // `"$dir"/` with $dir empty or unset is `/`.
    if let Some(rest) = word.value.strip_prefix('‹') {
        if let (Some((_, after)), Some(variable)) =
            (rest.split_once('›'), word.unknown_variables.first())
        {
            if after.starts_with('/') || after.is_empty() && text.ends_with('/') {
                return Some(format!(
                    "if ${variable} is empty or unset (a typo in its name is enough), this becomes rm -r {after}: it deletes from the root of the machine"
                ));
            }
        }
    }
    None
}

fn chmod(facts: &Facts<'_>) -> Option<Danger> {
    if !facts.has(&["-R", "--recursive"]) {
        return None;
    }
    let mode = facts.operands.first()?.1.literal.clone()?;
    let open = [
        "777", "0777", "a+rwx", "ugo+rwx", "a=rwx", "ugo=rwx", "o+w", "a+w",
    ];
    if open.contains(&mode.as_str()) {
        return Some(danger(
            facts.text,
            format!("chmod -R {mode} lets every user of the machine change, replace and run every file below it; programs such as ssh then refuse keys they find there"),
            "give only what is needed: chmod -R u+rwX,go-w, or 755 for folders and 644 for files (find -type d / -type f)",
        ));
    }
    let system = facts
        .operands
        .iter()
        .skip(1)
        .any(|(_, w)| is_system_path(w));
    system.then(|| {
        danger(
            facts.text,
            "it changes the permissions of every file in a system folder, which can leave the machine unable to start programs or log you in",
            "change the one file that needs it, not a whole system folder",
        )
    })
}

fn chown(facts: &Facts<'_>) -> Option<Danger> {
    if !facts.has(&["-R", "--recursive"]) {
        return None;
    }
    let system = facts
        .operands
        .iter()
        .skip(1)
        .any(|(_, w)| is_system_path(w));
    system.then(|| {
        danger(
            facts.text,
            "it gives every file in a system folder to another owner; programs such as sudo and ssh stop working when their files change owner",
            "change the owner of your own files only (chown -R you: ~/project)",
        )
    })
}

fn is_system_path(word: &Word) -> bool {
    word.literal.as_deref().is_some_and(|value| {
        let trimmed = value.trim_end_matches('/');
        trimmed.is_empty() || SYSTEM_PATHS.contains(&trimmed)
    })
}

fn dd(facts: &Facts<'_>) -> Option<Danger> {
    let device = facts
        .words
        .iter()
        .find_map(|(text, _)| text.strip_prefix("of=/dev/"))?;
    Some(danger(
        facts.text,
        format!("dd writes raw bytes over the device /dev/{device}: the file system and every file on it are destroyed"),
        "check the device with lsblk first; a wrong letter wipes the wrong disk",
    ))
}

fn mv(facts: &Facts<'_>) -> Option<Danger> {
    let (_, last) = facts.operands.last()?;
    (facts.operands.len() >= 2 && last.literal.as_deref() == Some("/dev/null")).then(|| {
        danger(
            facts.text,
            "mv to /dev/null does not delete anything cleanly: as root it replaces the special file /dev/null with your file, and every program that writes to /dev/null then fills that file",
            "delete a file with rm; empty one with : > file",
        )
    })
}

fn kill(facts: &Facts<'_>) -> Option<Danger> {
    let mut signal_or_end = false;
    for (text, _) in facts.words {
        match text.as_str() {
            "-1" if signal_or_end => {
                return Some(danger(
                    facts.text,
                    "process id -1 means every process you may signal: this ends your whole session, and as root every process of the machine",
                    "find the one process with pgrep or ps and kill it by its number",
                ))
            }
            "--" | "-9" | "-KILL" | "-SIGKILL" | "-15" | "-TERM" | "-SIGTERM" | "-s" | "-n" => signal_or_end = true,
            other if other.starts_with('-') && signal_or_end => {}
            "KILL" | "SIGKILL" | "9" | "TERM" => {}
            _ => {}
        }
    }
    None
}

/// `bash <(curl ...)` and `sh -c "$(curl ...)"`.
fn shell_of_download(facts: &Facts<'_>) -> Option<Danger> {
    let downloads = facts.words.iter().any(|(_, word)| {
        word.substitutions
            .iter()
            .any(|command| is_download(command.split_whitespace().next().unwrap_or("")))
    }) || facts.substituted.iter().any(|name| is_download(name));
    downloads.then(|| download_danger(facts.text))
}

pub fn is_download(name: &str) -> bool {
    matches!(name, "curl" | "wget")
}

pub fn is_shell(name: &str) -> bool {
    matches!(name, "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish")
}

pub fn download_danger(text: &str) -> Danger {
    danger(
        text,
        "it runs whatever the server sends as a program, with your rights, without you seeing it first; a hacked or mistyped site runs its code on your machine",
        "download the script to a file, read it, then run it",
    )
}

/// `> file` when the file exists.
pub fn truncation(text: &str, target: &Word, context: &Context) -> Option<Danger> {
    let value = target.literal.as_deref()?;
    if value.starts_with("/dev/") {
        let disk = [
            "/dev/sd",
            "/dev/nvme",
            "/dev/hd",
            "/dev/vd",
            "/dev/mmcblk",
            "/dev/xvd",
        ];
        return disk.iter().any(|d| value.starts_with(d)).then(|| {
            danger(
                text,
                format!("it writes over the disk {value} itself, destroying its file system"),
                "write to a file, never to a disk device",
            )
        });
    }
    let path = if let Some(rest) =
        value.strip_prefix(&format!("{}/", context.home.trim_end_matches('/')))
    {
        context.home_dir.join(rest)
    } else {
        context.cwd.join(value)
    };
    let metadata = std::fs::metadata(&path).ok()?;
    (metadata.is_file() && metadata.len() > 0).then(|| {
        danger(
            text,
            format!("{value} exists here, and > empties it before the command even starts: its content is lost"),
            "use >> to add to the end instead, or another file name; set -o noclobber makes bash refuse to overwrite",
        )
    })
}

/// A function that calls itself twice: each call starts two more.
pub fn fork_bomb(text: &str, name: &str) -> Danger {
    danger(
        text,
        format!("this is a fork bomb: the function {name} calls itself twice (in a pipe, in the background), so the number of processes doubles until the machine cannot start any program"),
        "never run it outside a sandbox with process limits; here the tutor's limits stop it",
    )
}
