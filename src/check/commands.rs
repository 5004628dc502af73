//! Matching the commands a line's shell ran (see `sandbox::Executed`) against a command assertion.
//!
//! A command is known by its name without a folder (`/bin/pwd` is `pwd`). The wrappers that run another command
//! (`command`, `builtin`, `exec`, `env`, `nohup`, `nice`, `setsid`, `stdbuf`, `timeout`, `sudo`, `xargs`) count as
//! running it too, so `env LANG=C sort` is a `sort`. Options are matched whatever their spelling: a short option in
//! a cluster (`-p` in `-vp`), a long one with a value (`--parents=...`) or abbreviated (`--par`); `--` ends them.

use std::path::{Component, Path, PathBuf};

use sandbox::Executed;

use super::assertion::CommandPattern;
use super::text::Placeholders;

/// One command as run, seen through its wrappers: its name, arguments, and where and how it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<'a> {
    pub name: &'a str,
    pub arguments: &'a [String],
    pub status: Option<i32>,
    pub cwd: &'a str,
}

/// The command itself, then each command its wrappers run, outermost first.
pub fn runs(command: &Executed) -> Vec<Run<'_>> {
    let mut found = Vec::new();
    let mut argv: &[String] = &command.argv;
    while let Some((first, rest)) = argv.split_first() {
        let name = first.rsplit('/').next().unwrap_or(first);
        found.push(Run {
            name,
            arguments: rest,
            status: command.status,
            cwd: &command.cwd,
        });
        match wrapped(name, rest) {
            Some(inner) if !inner.is_empty() => argv = inner,
            _ => break,
        }
    }
    found
}

/// The command a wrapper runs, if `name` is one and it runs one.
fn wrapped<'a>(name: &str, args: &'a [String]) -> Option<&'a [String]> {
    // For each wrapper: options that take a value, and whether words before the command may be NAME=VALUE.
    let (with_value, assignments): (&[&str], bool) = match name {
        "command" => {
            // `command -v X` names X, it does not run it.
            if args
                .iter()
                .take_while(|a| a.starts_with('-'))
                .any(|a| a.contains('v') || a.contains('V'))
            {
                return None;
            }
            (&[], false)
        }
        "builtin" | "nohup" | "setsid" => (&[], false),
        "exec" => (&["-a"], false),
        "env" => (
            &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
            true,
        ),
        "nice" => (&["-n", "--adjustment"], false),
        "stdbuf" => (&["-i", "-o", "-e"], false),
        "sudo" => (
            &["-u", "-g", "-h", "-p", "-C", "-D", "-R", "-T", "-U"],
            false,
        ),
        "xargs" => (
            &[
                "-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "-P", "-s",
            ],
            false,
        ),
        "timeout" => {
            let rest = skip_options(args, &["-s", "-k", "--signal", "--kill-after"], false);
            // Then the duration.
            return rest.get(1..);
        }
        _ => return None,
    };
    Some(skip_options(args, with_value, assignments))
}

/// The words after leading options (and, for `env`, `NAME=VALUE` words); `--` ends the options.
fn skip_options<'a>(args: &'a [String], with_value: &[&str], assignments: bool) -> &'a [String] {
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        if arg == "--" {
            return &args[index + 1..];
        }
        let is_assignment = assignments && arg.contains('=') && !arg.starts_with('-');
        if !arg.starts_with('-') && !is_assignment {
            break;
        }
        // An option that takes a value, written apart from it (`-n 5`), takes the next word too.
        if with_value.contains(&arg.as_str()) {
            index += 1;
        }
        index += 1;
    }
    &args[index.min(args.len())..]
}

/// Whether `run` is what `pattern` asks for (names, options, arguments, paths, no arguments, status).
pub fn matches(
    pattern: &CommandPattern,
    run: &Run<'_>,
    placeholders: &Placeholders,
    home: &Path,
) -> bool {
    if let Some(regex) = &pattern.regex {
        return regex
            .compile(placeholders)
            .is_ok_and(|regex| regex.is_match(&command_line(run)));
    }
    if !pattern.names.iter().any(|name| name == run.name) {
        return false;
    }
    if pattern.no_arguments && !run.arguments.is_empty() {
        return false;
    }
    if !pattern
        .options
        .iter()
        .all(|spellings| has_option(run.arguments, spellings))
    {
        return false;
    }
    if !pattern.arguments.iter().all(|wanted| {
        let wanted = placeholders.expand(wanted);
        run.arguments.contains(&wanted)
    }) {
        return false;
    }
    if !pattern.paths.iter().all(|rule| {
        let wanted = rule
            .components
            .iter()
            .fold(home.to_path_buf(), |path, part| path.join(part));
        run.arguments
            .iter()
            .filter(|arg| !arg.starts_with('-'))
            .any(|arg| same_path(&resolve(run.cwd, home, arg), &wanted))
    }) {
        return false;
    }
    match pattern.succeeded {
        Some(true) => run.status == Some(0),
        Some(false) => run.status.is_some_and(|status| status != 0),
        None => true,
    }
}

/// The run written as a line: its name and arguments, quoted where needed (`mkdir -p 'a b'`).
pub fn command_line(run: &Run<'_>) -> String {
    std::iter::once(run.name.to_string())
        .chain(run.arguments.iter().map(|a| sandbox::shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether one of `spellings` is among the options in `args` (before `--`).
fn has_option(args: &[String], spellings: &[String]) -> bool {
    args.iter()
        .take_while(|arg| arg.as_str() != "--")
        .any(|arg| {
            spellings
                .iter()
                .any(|spelling| option_matches(arg, spelling))
        })
}

fn option_matches(arg: &str, spelling: &str) -> bool {
    if let Some(long) = spelling.strip_prefix("--") {
        let Some(given) = arg.strip_prefix("--") else {
            return false;
        };
        let given = given.split('=').next().unwrap_or(given);
        // GNU programs accept any unambiguous abbreviation; three letters make a fair guess at unambiguous.
        return given == long || (given.len() >= 3 && long.starts_with(given));
    }
    let mut letters = spelling.chars().skip(1);
    match (letters.next(), letters.next()) {
        // `-p`: alone, or in a cluster of short options (`-vp`).
        (Some(letter), None) => {
            arg.starts_with('-')
                && !arg.starts_with("--")
                && arg.len() > 1
                && arg[1..].contains(letter)
        }
        // A long option written with one dash (`find -name`, `openssl -newkey`): exactly, or with `=value`.
        _ => arg == spelling || arg.starts_with(&format!("{spelling}=")),
    }
}

/// An argument as an absolute path, the way the command saw it: relative ones start at its working directory.
fn resolve(cwd: &str, home: &Path, arg: &str) -> PathBuf {
    let path = Path::new(arg);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else if arg == "~" || arg.starts_with("~/") {
        home.join(arg.trim_start_matches('~').trim_start_matches('/'))
    } else {
        Path::new(cwd).join(path)
    };
    normalise(&joined)
}

fn normalise(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

fn same_path(a: &Path, b: &Path) -> bool {
    normalise(a) == normalise(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::parse::parse_check;
    use crate::check::Check;

    fn executed(line: &[&str], status: Option<i32>, cwd: &str) -> Executed {
        Executed {
            argv: line.iter().map(|s| s.to_string()).collect(),
            assignments: Vec::new(),
            status,
            depth: 0,
            shell_pid: 1,
            cwd: cwd.to_string(),
        }
    }

    fn pattern(check: &str) -> CommandPattern {
        let Check { assertion, .. } = parse_check(check, 1, 0).expect("parses");
        match assertion {
            super::super::assertion::Assertion::Ran(pattern) => pattern,
            _ => panic!("a ran check"),
        }
    }

    fn ran(check: &str, line: &[&str]) -> bool {
        let command = executed(line, Some(0), "/home/a/work");
        runs(&command).iter().any(|run| {
            matches(
                &pattern(check),
                run,
                &Placeholders::default(),
                Path::new("/home/a"),
            )
        })
    }

    #[test]
    fn names_ignore_folders_and_see_through_wrappers() {
        assert!(ran("ran pwd", &["/bin/pwd"]));
        assert!(ran("ran whoami", &["env", "LANG=C", "-i", "whoami"]));
        assert!(ran("ran whoami", &["command", "whoami"]));
        assert!(ran(
            "ran sort",
            &["timeout", "-s", "KILL", "5", "sort", "f"]
        ));
        assert!(ran("ran rm", &["xargs", "-0", "rm", "-f"]));
        assert!(!ran("ran whoami", &["command", "-v", "whoami"]));
        assert!(!ran("ran whoami", &["echo", "whoami"]));
        assert!(ran("ran vi|vim", &["/usr/bin/vim", "notes"]));
    }

    #[test]
    fn options_match_in_any_spelling() {
        for line in [
            &["mkdir", "-p", "a/b"][..],
            &["mkdir", "-vp", "a/b"],
            &["mkdir", "--parents", "a/b"],
            &["mkdir", "--par", "a/b"],
        ] {
            assert!(ran("ran mkdir with -p|--parents", line), "{line:?}");
        }
        assert!(!ran("ran mkdir with -p|--parents", &["mkdir", "a/b"]));
        assert!(!ran("ran mkdir with -p|--parents", &["mkdir", "--", "-p"]));
        assert!(ran("ran id with -u|--user -n|--name", &["id", "-un"]));
        assert!(!ran("ran id with -u|--user -n|--name", &["id", "-gn"]));
        assert!(ran("ran find with -name", &["find", ".", "-name", "*.log"]));
        assert!(ran(
            "ran ssh-keygen with -t \"ed25519\"",
            &["ssh-keygen", "-t", "ed25519"]
        ));
        assert!(!ran(
            "ran ssh-keygen with -t \"ed25519\"",
            &["ssh-keygen", "-t", "rsa"]
        ));
    }

    #[test]
    fn paths_are_compared_where_the_command_ran() {
        assert!(ran(
            "ran mkdir with path \"work/daily\"",
            &["mkdir", "daily"]
        ));
        assert!(ran(
            "ran mkdir with path \"work/daily\"",
            &["mkdir", "/home/a/work/daily/"]
        ));
        assert!(ran(
            "ran mkdir with path \"work/daily\"",
            &["mkdir", "~/work/./daily"]
        ));
        assert!(!ran(
            "ran mkdir with path \"work/daily\"",
            &["mkdir", "work/daily"]
        ));
    }

    #[test]
    fn arguments_status_and_the_legacy_regex() {
        assert!(ran("ran cd without arguments", &["cd"]));
        assert!(!ran("ran cd without arguments", &["cd", "~"]));
        let failed = executed(&["nginx", "-t"], Some(1), "/");
        assert!(!runs(&failed).iter().any(|run| matches(
            &pattern("ran nginx with -t successfully"),
            run,
            &Placeholders::default(),
            Path::new("/")
        )));
        assert!(ran(
            "ran \"^mkdir -p 'a b'$\"",
            &["/bin/mkdir", "-p", "a b"]
        ));
    }
}
