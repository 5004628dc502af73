//! `shelltutor explain LINE`, the tutor's `:explain LINE`, and the tutor's warning after a dangerous line ran in
//! the sandbox.
//!
//! In the tutor the line is explained against the sandbox: globs match the sandbox's current folder, and aliases
//! and functions the learner defined earlier in the exercise are known as such.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ExplainArgs;
use crate::explain::{self, render, shellcheck, Context, Danger, SystemSources};
use crate::reference::Reference;
use crate::terminal::Style;

pub fn run(args: &ExplainArgs, reference: Reference, style: &Style) -> Result<ExitCode> {
    let line = args.line.join(" ");
    let sources = SystemSources::new(reference);
    let explanation = explain::explain(&line, &Context::current(), &sources)?;
    let extra = if args.shellcheck {
        shellcheck::findings(&line)
    } else {
        Vec::new()
    };
    let mut out = std::io::stdout().lock();
    render::write(&explanation, &extra, style.width, !style.plain, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Where a tutor line runs: the sandbox's current folder and home (host paths), and the lines typed so far.
#[derive(Debug, Clone)]
pub struct Sandboxed<'a> {
    pub cwd: std::path::PathBuf,
    pub home: &'a Path,
    pub typed: Vec<String>,
}

/// `:explain LINE`: the explanation, with shellcheck's findings when it is installed (a person is waiting at the
/// prompt anyway), or the syntax error.
pub fn in_tutor(line: &str, sandbox: Option<Sandboxed<'_>>, style: &Style) -> Result<()> {
    let context = tutor_context(sandbox);
    let sources = SystemSources::new(crate::reference::current());
    let mut out = std::io::stdout().lock();
    match explain::explain(line, &context, &sources) {
        Ok(explanation) => {
            let extra = shellcheck::findings(line);
            render::write(&explanation, &extra, style.width, !style.plain, &mut out)?;
        }
        Err(error) => writeln!(out, "{error}")?,
    }
    out.flush()?;
    Ok(())
}

/// The dangers of a line about to run in the sandbox (computed before it runs, since `> file` is only a danger
/// when the file already exists).
pub fn dangers_before_run(line: &str, sandbox: Sandboxed<'_>) -> Vec<Danger> {
    // Every line the learner types passes here, so lines that cannot match any rule skip the parse.
    if !might_be_dangerous(line) {
        return Vec::new();
    }
    let context = tutor_context(Some(sandbox));
    let sources = SystemSources::new(crate::reference::current());
    explain::dangers(line, &context, &sources)
}

/// Whether `line` contains a word any danger rule looks for (a cheap test before parsing).
fn might_be_dangerous(line: &str) -> bool {
    const TRIGGERS: [&str; 11] = [
        "rm", "chmod", "chown", "chgrp", "dd", "mkfs", "curl", "wget", "mv", "kill", ">",
    ];
    TRIGGERS.iter().any(|t| line.contains(t)) || line.contains("()")
}

/// After a dangerous line ran in the sandbox: what it would have done on a real machine, and that `:undo` brings
/// the files back here.
pub fn warn_after_run(dangers: &[Danger], style: &Style) -> Result<()> {
    if dangers.is_empty() {
        return Ok(());
    }
    let mut text = Vec::new();
    for danger in dangers {
        render::write_danger(danger, style.width, !style.plain, &mut text)?;
    }
    let undo = "That ran in the sandbox, so only its throwaway files were touched; on a real machine it would have \
                done what is said above, with no undo. Here, :undo brings the files back as they were before it.";
    for line in render::wrap(undo, style.width.max(30)) {
        text.extend_from_slice(line.as_bytes());
        text.push(b'\n');
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&text)?;
    out.flush()?;
    Ok(())
}

fn tutor_context(sandbox: Option<Sandboxed<'_>>) -> Context {
    let mut context = Context::current();
    let Some(sandbox) = sandbox else {
        return context;
    };
    // Inside, the sandbox's home sits at the learner's real home path, so `~` shows as the learner expects.
    context.home_dir = sandbox.home.to_path_buf();
    context.cwd = sandbox.cwd.to_path_buf();
    context.cwd_shown = match sandbox.cwd.strip_prefix(sandbox.home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => sandbox.cwd.display().to_string(),
    };
    let (aliases, functions) = defined_in(&sandbox.typed);
    context.aliases = aliases;
    context.functions = functions;
    context
}

/// The aliases (`alias ll='ls -l'`) and functions (`f() { ...; }`) defined by earlier lines.
pub fn defined_in(lines: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    use brush_parser::ast::{Command, CommandPrefixOrSuffixItem};
    let mut aliases = Vec::new();
    let mut functions = Vec::new();
    for line in lines {
        let Ok(program) = explain::parse(line) else {
            continue;
        };
        let commands = program
            .complete_commands
            .iter()
            .flat_map(|list| list.0.iter())
            .flat_map(|item| {
                std::iter::once(&item.0.first).chain(item.0.additional.iter().map(
                    |next| match next {
                        brush_parser::ast::AndOr::And(p) | brush_parser::ast::AndOr::Or(p) => p,
                    },
                ))
            })
            .flat_map(|pipeline| pipeline.seq.iter());
        for command in commands {
            match command {
                Command::Function(function) => functions.push(function.fname.value.clone()),
                Command::Simple(simple)
                    if simple
                        .word_or_name
                        .as_ref()
                        .is_some_and(|w| w.value == "alias") =>
                {
                    for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
                        let word = match item {
                            CommandPrefixOrSuffixItem::Word(word)
                            | CommandPrefixOrSuffixItem::AssignmentWord(_, word) => word,
                            _ => continue,
                        };
                        let text = unquote(&word.value);
                        if let Some((name, value)) = text.split_once('=') {
                            aliases.retain(|(n, _): &(String, String)| n != name);
                            aliases.push((name.to_string(), value.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (aliases, functions)
}

/// A word with its quotes removed (`ll='ls -l'` -> `ll=ls -l`).
fn unquote(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_with_a_trigger_are_parsed_for_dangers() {
        assert!(might_be_dangerous("rm -rf ~"));
        assert!(might_be_dangerous(":(){ :|:& };:"));
        assert!(might_be_dangerous("echo x > file"));
        assert!(!might_be_dangerous("ls -la"));
        assert!(!might_be_dangerous("cd ~/projects && pwd"));
    }

    #[test]
    fn aliases_and_functions_of_earlier_lines() {
        let lines = vec![
            "alias ll='ls -l' la=\"ls -A\"".to_string(),
            "greet() { echo hi; }".to_string(),
            "alias ll='ls -la'".to_string(),
            "echo 'alias x=y'".to_string(),
        ];
        let (aliases, functions) = defined_in(&lines);
        assert_eq!(
            aliases,
            [
                ("la".to_string(), "ls -A".to_string()),
                ("ll".to_string(), "ls -la".to_string())
            ]
        );
        assert_eq!(functions, ["greet"]);
    }
}
