//! A simple command: its assignments, the command it runs (alias, function, builtin, program or not found), its
//! options one by one with their meaning, its arguments and what they expand to, and its redirections.
//!
//! Commands that run another command (`sudo`, `env`, `xargs`, `nohup`, `time`, `nice`, `timeout`, `exec`,
//! `command`, `watch`, `sh -c`, `eval`, `find -exec`) explain that command one level deeper, with its own options.

use std::rc::Rc;

use brush_parser::ast::{
    CommandPrefixOrSuffixItem, ProcessSubstitutionKind, SimpleCommand, SubshellCommand,
};

use super::danger::{self, Facts};
use super::walk::Walker;
use super::words::{self, Word};
use crate::builtins;
use crate::manpage::ManPage;
use crate::reference::Card;

/// One word after the command name, as written.
#[derive(Clone)]
enum Arg<'a> {
    Word(String),
    ProcessSubstitution(ProcessSubstitutionKind, &'a SubshellCommand),
}

impl Arg<'_> {
    fn text(&self) -> String {
        match self {
            Arg::Word(text) => text.clone(),
            Arg::ProcessSubstitution(ProcessSubstitutionKind::Read, _) => "<(...)".to_string(),
            Arg::ProcessSubstitution(ProcessSubstitutionKind::Write, _) => ">(...)".to_string(),
        }
    }
}

pub fn simple_command(walker: &mut Walker<'_>, command: &SimpleCommand, depth: usize) {
    let mut assignments = Vec::new();
    let mut args: Vec<Arg<'_>> = Vec::new();
    let mut redirects = Vec::new();
    for item in command.prefix.iter().flat_map(|p| p.0.iter()) {
        match item {
            CommandPrefixOrSuffixItem::AssignmentWord(assignment, word) => assignments.push((
                assignment.name.to_string(),
                word.value.clone(),
                assignment.value.to_string(),
            )),
            other => collect(other, &mut args, &mut redirects),
        }
    }
    if let Some(name) = &command.word_or_name {
        args.push(Arg::Word(name.value.clone()));
    }
    for item in command.suffix.iter().flat_map(|s| s.0.iter()) {
        collect(item, &mut args, &mut redirects);
    }

    let runs_command = !args.is_empty();
    for (name, text, value) in &assignments {
        let word = words::analyse(value, walker.context);
        let what = if runs_command {
            format!(
                "sets the variable {name} to {} in the environment of this command only",
                shown(&word)
            )
        } else {
            format!(
                "sets the shell variable {name} to {} (no spaces around =)",
                shown(&word)
            )
        };
        walker.part(depth, text.clone(), what);
        for command in &word.substitutions {
            walker.nested(command, depth + 1);
        }
    }
    if runs_command {
        invocation(walker, &args, depth, &text_of(walker, command));
    } else if assignments.is_empty() && !redirects.is_empty() {
        walker.part(depth, "(no command)", "only redirections: the files are opened (a > file is created or emptied) and nothing runs");
    }
    let redirect_depth = if runs_command { depth + 1 } else { depth };
    for redirect in redirects {
        walker.redirect(redirect, redirect_depth);
    }
}

/// Files a word, process substitution or redirection of a simple command.
fn collect<'a>(
    item: &'a CommandPrefixOrSuffixItem,
    args: &mut Vec<Arg<'a>>,
    redirects: &mut Vec<&'a brush_parser::ast::IoRedirect>,
) {
    match item {
        CommandPrefixOrSuffixItem::AssignmentWord(_, word)
        | CommandPrefixOrSuffixItem::Word(word) => args.push(Arg::Word(word.value.clone())),
        CommandPrefixOrSuffixItem::IoRedirect(redirect) => redirects.push(redirect),
        CommandPrefixOrSuffixItem::ProcessSubstitution(kind, subshell) => {
            args.push(Arg::ProcessSubstitution(kind.clone(), subshell))
        }
    }
}

fn text_of(walker: &Walker<'_>, command: &SimpleCommand) -> String {
    walker
        .source_of(command)
        .unwrap_or_else(|| command.to_string())
}

fn shown(word: &Word) -> String {
    if word.value.is_empty() {
        "nothing (empty)".to_string()
    } else {
        format!("'{}'", word.value)
    }
}

/// What a command name is to the shell.
enum Resolved {
    Alias(String),
    Function,
    Keyword,
    Builtin,
    Program(String),
    NotFound,
}

/// `args[0]` run with `args[1..]`: the command part at `depth`, its words one level deeper.
fn invocation(walker: &mut Walker<'_>, args: &[Arg<'_>], depth: usize, text: &str) {
    let Some((first, rest)) = args.split_first() else {
        return;
    };
    let first_text = first.text();
    let name_word = words::analyse(&first_text, walker.context);
    let Some(name) = name_word
        .literal
        .clone()
        .filter(|_| matches!(first, Arg::Word(_)))
    else {
        walker.part(
            depth,
            first_text.clone(),
            format!(
                "the command is whatever {} turns out to be when the line runs",
                name_word.value
            ),
        );
        for command in &name_word.substitutions {
            walker.nested(command, depth + 1);
        }
        for arg in rest {
            plain_argument(walker, arg, depth + 1);
        }
        return;
    };
    let resolved = resolve(walker, &name);
    let base = name.rsplit('/').next().unwrap_or(&name).to_string();
    let lookup_name = match &resolved {
        Resolved::Alias(value) => value.split_whitespace().next().unwrap_or(&base).to_string(),
        _ => base.clone(),
    };
    let lookup = Lookup::new(walker, &lookup_name, &resolved);
    walker.part(
        depth,
        first_text.clone(),
        describe_command(&name, &resolved, &lookup),
    );
    let is_wrapper = WRAPPERS.iter().any(|(w, _)| *w == lookup_name);
    // A command missing here is still explained when something documents it (a card for sudo on a machine
    // without sudo); otherwise its words are only arguments.
    if matches!(resolved, Resolved::NotFound) && !lookup.knows_options() && !is_wrapper {
        for arg in rest {
            plain_argument(walker, arg, depth + 1);
        }
        return;
    }
    let parsed = arguments(walker, &lookup_name, &lookup, rest, depth + 1);
    let facts = Facts {
        text,
        name: &lookup_name,
        options: &parsed.flags,
        words: &parsed.words,
        operands: &parsed.operands,
        substituted: &parsed.substituted,
    };
    for found in danger::check_command(&facts, walker.context) {
        walker.danger(found);
    }
}

fn resolve(walker: &Walker<'_>, name: &str) -> Resolved {
    if let Some((_, value)) = walker
        .context
        .aliases
        .iter()
        .find(|(alias, _)| alias == name)
    {
        return Resolved::Alias(value.clone());
    }
    if walker.functions.iter().any(|f| f == name)
        || walker.context.functions.iter().any(|f| f == name)
    {
        return Resolved::Function;
    }
    if builtins::is_keyword(name) {
        return Resolved::Keyword;
    }
    if builtins::is_builtin(name) {
        return Resolved::Builtin;
    }
    if name.contains('/') {
        return Resolved::Program(name.to_string());
    }
    match walker.sources.resolve(name) {
        Some(path) => Resolved::Program(path.display().to_string()),
        None => Resolved::NotFound,
    }
}

fn describe_command(name: &str, resolved: &Resolved, lookup: &Lookup) -> String {
    let summary = lookup.summary();
    let summary = if summary.is_empty() {
        String::new()
    } else {
        format!(": {summary}")
    };
    let card = if lookup.card.is_some() {
        format!(
            " (shelltutor ref {})",
            lookup.card.as_ref().map_or(name, |c| c.command.as_str())
        )
    } else {
        String::new()
    };
    match resolved {
        Resolved::Alias(value) => format!("alias in your shell for '{value}'{summary}"),
        Resolved::Function => "function defined in your shell or earlier on this line: it runs the function's body".to_string(),
        Resolved::Keyword => format!("bash keyword{summary}{card}"),
        Resolved::Builtin => format!("bash builtin (runs inside the shell; 'help {name}'){summary}{card}"),
        Resolved::Program(path) => format!("program {path}{summary}{card}"),
        Resolved::NotFound if !summary.is_empty() => format!(
            "not installed here (bash would say '{name}: command not found'){summary}{card}"
        ),
        Resolved::NotFound => format!(
            "command not found: no alias, function, builtin or program called {name} here (bash would say '{name}: command not found')"
        ),
    }
}

/// Where option meanings come from for one command: its card, else its man page, else bash's `help`.
struct Lookup {
    card: Option<Rc<Card>>,
    man: Option<Rc<ManPage>>,
    help: Vec<(String, String)>,
    help_summary: String,
    name: String,
}

/// One option found in a source.
struct Found {
    flag: String,
    meaning: String,
    /// The option takes the next word (or the rest of its cluster) as its argument.
    takes_argument: bool,
    /// The argument may only be attached with `=`.
    optional_argument: bool,
    argument_name: Option<String>,
    /// Other spellings of the same option.
    others: Vec<String>,
    /// Where the meaning comes from, when not from a card (`man rm`).
    source: Option<String>,
    /// Matched through a placeholder spelling such as `-SIGNAL`.
    placeholder: bool,
}

impl Lookup {
    fn new(walker: &Walker<'_>, name: &str, resolved: &Resolved) -> Lookup {
        let card = walker.sources.card(name);
        let builtin = matches!(resolved, Resolved::Builtin | Resolved::Keyword);
        let help_text = if builtin && card.is_none() {
            walker.sources.help(name)
        } else {
            None
        };
        let help_summary = help_text
            .as_ref()
            .and_then(|text| {
                text.lines()
                    .nth(1)
                    .map(|l| l.trim().trim_end_matches('.').to_string())
            })
            .unwrap_or_default();
        let help = help_text.map_or_else(Vec::new, |text| builtins::help_options(&text));
        // Builtins have no man page of their own (`man cd` shows bash's whole manual, or nothing).
        let man = if builtin {
            None
        } else {
            walker.sources.man(name)
        };
        Lookup {
            card,
            man,
            help,
            help_summary,
            name: name.to_string(),
        }
    }

    fn summary(&self) -> String {
        if let Some(card) = &self.card {
            return card.summary.clone();
        }
        if !self.help_summary.is_empty() {
            return self.help_summary.clone();
        }
        self.man
            .as_ref()
            .map_or(String::new(), |m| m.summary().to_string())
    }

    fn knows_options(&self) -> bool {
        self.card.is_some() || self.man.is_some() || !self.help.is_empty()
    }

    /// The option spelt exactly `flag`.
    fn find(&self, flag: &str) -> Option<Found> {
        if let Some(card) = &self.card {
            if let Some((option, spelling)) = card.option(flag) {
                return Some(found(
                    flag,
                    &option.spellings,
                    spelling,
                    &option.meaning,
                    None,
                ));
            }
        }
        if let Some(page) = &self.man {
            if let Some((option, spelling)) = page.option(flag) {
                let source = Some(format!("man {}", self.name));
                return Some(found(
                    flag,
                    &option.spellings,
                    spelling,
                    &first_sentence(&option.meaning),
                    source,
                ));
            }
        }
        self.help
            .iter()
            .find(|(f, _)| f == flag)
            .map(|(f, meaning)| Found {
                flag: f.clone(),
                meaning: meaning.clone(),
                takes_argument: false,
                optional_argument: false,
                argument_name: None,
                others: Vec::new(),
                source: Some(format!("help {}", self.name)),
                placeholder: false,
            })
    }

    /// A long option given by a unique prefix (`--recur` for `--recursive`), as GNU programs accept.
    fn find_prefix(&self, flag: &str) -> Option<Found> {
        let mut candidates: Vec<String> = Vec::new();
        if let Some(card) = &self.card {
            candidates.extend(
                card.options
                    .iter()
                    .flat_map(|o| o.spellings.iter().map(|s| s.flag.clone())),
            );
        }
        if let Some(page) = &self.man {
            candidates.extend(
                page.options
                    .iter()
                    .flat_map(|o| o.spellings.iter().map(|s| s.flag.clone())),
            );
        }
        candidates.retain(|c| c.starts_with("--") && c.starts_with(flag));
        candidates.sort();
        candidates.dedup();
        match candidates.as_slice() {
            [only] => self.find(only),
            _ => None,
        }
    }

    /// A placeholder spelling (`-SIGNAL`, `-NUM`) standing for `word`.
    fn find_placeholder(&self, word: &str) -> Option<Found> {
        let card = self.card.as_ref()?;
        card.options.iter().find_map(|option| {
            let spelling = option
                .spellings
                .iter()
                .find(|s| s.is_placeholder() && s.flag.starts_with('-'))?;
            let mut found = found(
                &spelling.flag,
                &option.spellings,
                spelling,
                &option.meaning,
                None,
            );
            found.placeholder = true;
            found.argument_name = Some(spelling.flag.trim_start_matches('-').to_string());
            found.flag = word.to_string();
            Some(found)
        })
    }
}

fn found(
    flag: &str,
    spellings: &[crate::reference::spelling::Spelling],
    spelling: &crate::reference::spelling::Spelling,
    meaning: &str,
    source: Option<String>,
) -> Found {
    // "-n, --lines=NUM": a short spelling shares the argument its long spelling shows.
    let takes_argument = spelling.takes_argument()
        || (spelling.argument.is_none() && spellings.iter().any(|s| s.takes_argument()));
    let argument_name = spelling.argument.clone().or_else(|| {
        spellings
            .iter()
            .find_map(|s| s.argument.clone().filter(|_| s.takes_argument()))
    });
    Found {
        flag: flag.to_string(),
        meaning: meaning.to_string(),
        takes_argument,
        optional_argument: spelling.optional,
        argument_name,
        others: spellings
            .iter()
            .filter(|s| s.flag != flag)
            .map(|s| s.flag.clone())
            .collect(),
        source,
        placeholder: false,
    }
}

/// The first sentence of a man page's description, which is usually the whole meaning.
fn first_sentence(text: &str) -> String {
    let end = text
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| i > 10)
        .map_or(text.len(), |i| i + 1);
    let sentence = &text[..end];
    if sentence.chars().count() > 200 {
        let cut: String = sentence.chars().take(197).collect();
        format!("{cut}...")
    } else {
        sentence.to_string()
    }
}

fn option_text(found: &Found) -> String {
    let mut text = found.meaning.clone();
    if !found.others.is_empty() {
        text.push_str(&format!(" (also {})", found.others.join(", ")));
    }
    if let Some(source) = &found.source {
        text.push_str(&format!(" [{source}]"));
    }
    text
}

/// What the words after a command turned out to be, for the danger rules.
#[derive(Default)]
struct Parsed {
    /// Names of the commands run by process substitutions among the words (`bash <(curl ...)`).
    substituted: Vec<String>,
    flags: Vec<String>,
    words: Vec<(String, Word)>,
    operands: Vec<(String, Word)>,
}

/// Wrappers: commands whose operands are another command. (name, options taking an argument).
const WRAPPERS: [(&str, &[&str]); 11] = [
    (
        "sudo",
        &[
            "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "-R", "--user", "--group",
            "--chdir", "--prompt",
        ],
    ),
    ("doas", &["-u", "-C"]),
    (
        "env",
        &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
    ),
    (
        "xargs",
        &[
            "-a",
            "-d",
            "-E",
            "-e",
            "-I",
            "-i",
            "-L",
            "-l",
            "-n",
            "-P",
            "-s",
            "--arg-file",
            "--delimiter",
            "--max-args",
            "--max-lines",
            "--max-procs",
            "--max-chars",
            "--replace",
            "--eof",
        ],
    ),
    ("time", &["-f", "-o", "--format", "--output"]),
    ("nohup", &[]),
    ("nice", &["-n", "--adjustment"]),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"]),
    (
        "stdbuf",
        &["-i", "-o", "-e", "--input", "--output", "--error"],
    ),
    ("watch", &["-n", "-d", "--interval", "--differences"]),
    ("exec", &["-a"]),
];

/// The words after the command: options with their meanings, arguments with their expansions, and a wrapped
/// command explained one level deeper.
fn arguments(
    walker: &mut Walker<'_>,
    name: &str,
    lookup: &Lookup,
    args: &[Arg<'_>],
    depth: usize,
) -> Parsed {
    let mut parsed = Parsed::default();
    // A subcommand with a man page of its own (`git commit` -> git-commit(1)) brings its own options.
    let mut subcommand: Option<Lookup> = None;
    let wrapper = WRAPPERS
        .iter()
        .find(|(w, _)| *w == name)
        .map(|(_, with_argument)| *with_argument);
    let mut options_ended = false;
    let mut index = 0;
    // `command -v`/`-V` only looks names up; `command` alone runs the rest like a wrapper.
    let mut wraps = wrapper.is_some() || matches!(name, "command" | "builtin");
    let shell_string = matches!(name, "sh" | "bash" | "dash" | "zsh" | "ksh" | "su");
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        let Arg::Word(text) = arg else {
            if let Arg::ProcessSubstitution(_, subshell) = arg {
                let first = subshell
                    .list
                    .0
                    .first()
                    .and_then(|item| item.0.first.seq.first());
                parsed
                    .substituted
                    .extend(first.and_then(super::walk::command_name));
            }
            plain_argument(walker, arg, depth);
            continue;
        };
        let lookup = subcommand.as_ref().unwrap_or(lookup);
        let word = words::analyse(text, walker.context);
        parsed.words.push((text.clone(), word.clone()));
        // A glob in an option's value (`--exclude=*.log`) still makes an option.
        let literal = word.literal.clone().unwrap_or_else(|| word.value.clone());
        if !options_ended && literal == "--" {
            walker.part(
                depth,
                text.clone(),
                "end of options: every word after it is an argument, even one starting with -",
            );
            options_ended = true;
            continue;
        }
        if name == "kill"
            && !parsed.flags.is_empty()
            && literal.starts_with('-')
            && literal[1..].parse::<u32>().is_ok()
        {
            let what = if literal == "-1" {
                "process id -1: every process you are allowed to signal".to_string()
            } else {
                format!(
                    "a negative process id: every process of the process group {}",
                    &literal[1..]
                )
            };
            walker.part(depth, text.clone(), what);
            parsed.operands.push((text.clone(), word));
            continue;
        }
        if !options_ended && literal == "-" {
            let what = if name == "cd" {
                "- means the previous folder ($OLDPWD); cd - goes back there and prints its name"
            } else {
                "- usually means standard input (or standard output) instead of a file"
            };
            walker.part(depth, text.clone(), what);
            parsed.operands.push((text.clone(), word));
            continue;
        }
        let is_option = !options_ended
            && literal.len() > 1
            && (literal.starts_with('-')
                || (literal.starts_with('+') && lookup.find(&literal).is_some()));
        if is_option {
            let consumed = option(
                walker,
                lookup,
                &literal,
                text,
                &args[index..],
                depth,
                &mut parsed,
                wrapper,
            );
            if name == "command" && (literal == "-v" || literal == "-V") {
                wraps = false;
            }
            if shell_string && literal == "-c" {
                if let Some(Arg::Word(script)) = args.get(index) {
                    if let Some(last) = walker
                        .parts
                        .last_mut()
                        .filter(|p| p.what.starts_with("unknown option"))
                    {
                        last.what =
                            "-c: run the command line given in the next word, in a new shell"
                                .to_string();
                    }
                    let script_word = words::analyse(script, walker.context);
                    walker.part(
                        depth + 1,
                        script.clone(),
                        "the command line that the new shell runs:",
                    );
                    match &script_word.literal {
                        Some(literal) => walker.nested(literal, depth + 2),
                        None => {
                            for command in &script_word.substitutions {
                                walker.nested(command, depth + 2);
                            }
                        }
                    }
                    parsed.words.push((script.clone(), script_word));
                    index += 1;
                    continue;
                }
            }
            for extra in &args[index..index + consumed] {
                let extra = extra.text();
                let analysed = words::analyse(&extra, walker.context);
                parsed.words.push((extra, analysed));
            }
            index += consumed;
            continue;
        }
        // The wrapped command starts at the first operand (after env's NAME=VALUE and timeout's duration).
        if wraps {
            if name == "env" && literal.contains('=') && !literal.starts_with('=') {
                walker.part(
                    depth,
                    text.clone(),
                    format!(
                        "sets {} in the environment of the command that env runs",
                        literal
                    ),
                );
                continue;
            }
            if name == "timeout" && parsed.operands.is_empty() {
                walker.part(
                    depth,
                    text.clone(),
                    format!("the time limit ({literal}; a number is seconds, or 10m, 1h...)"),
                );
                parsed.operands.push((text.clone(), word));
                continue;
            }
            let role = match name {
                "xargs" => "the command xargs runs, with the words it reads from its input added as arguments:",
                "watch" => "the command watch runs again and again, showing its output full screen:",
                "sudo" | "doas" => "the command run as another user (root unless -u says otherwise):",
                "nohup" => "the command run so that it keeps running after you log out (output to nohup.out):",
                "exec" => "the command that replaces the shell (the shell ends when it ends):",
                "time" => "the command that is timed:",
                "nice" => "the command run with a lower priority:",
                "timeout" => "the command, stopped if it runs longer than the time limit:",
                _ => "the command it runs:",
            };
            walker.part(depth, "↳", role);
            let mut inner: Vec<Arg<'_>> = vec![Arg::Word(text.clone())];
            inner.extend(args[index..].iter().cloned());
            let inner_text: Vec<String> = inner.iter().map(Arg::text).collect();
            invocation(walker, &inner, depth + 1, &inner_text.join(" "));
            return parsed;
        }
        if name == "eval" {
            let rest: Vec<String> = std::iter::once(text.clone())
                .chain(args[index..].iter().map(Arg::text))
                .collect();
            walker.part(
                depth,
                rest.join(" "),
                "the words eval joins and runs as a command line:",
            );
            let joined: Vec<String> = rest
                .iter()
                .map(|w| words::analyse(w, walker.context).value)
                .collect();
            walker.nested(&joined.join(" "), depth + 1);
            return parsed;
        }
        if parsed.operands.is_empty() && subcommand.is_none() && !wraps && lookup.card.is_none() {
            let page = format!("{name}-{literal}");
            let is_word = !literal.is_empty()
                && literal
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if let Some(man) = is_word.then(|| walker.sources.man(&page)).flatten() {
                walker.part(
                    depth,
                    text.clone(),
                    format!("subcommand of {name}: {} [man {page}]", man.summary()),
                );
                subcommand = Some(Lookup {
                    card: None,
                    man: Some(man),
                    help: Vec::new(),
                    help_summary: String::new(),
                    name: page,
                });
                parsed.operands.push((text.clone(), word));
                continue;
            }
        }
        parsed.operands.push((text.clone(), word));
        walker.argument(text, depth, "argument");
    }
    if name == "xargs" && !parsed.words.iter().any(|(t, _)| !t.starts_with('-')) {
        walker.part(depth, "(echo)", "with no command given, xargs runs echo");
    }
    parsed
}

/// An option word at `args[index - 1]`: its parts, and how many following words it takes as its argument.
#[allow(clippy::too_many_arguments)]
fn option(
    walker: &mut Walker<'_>,
    lookup: &Lookup,
    literal: &str,
    text: &str,
    rest: &[Arg<'_>],
    depth: usize,
    parsed: &mut Parsed,
    wrapper: Option<&[&str]>,
) -> usize {
    let wrapper_takes = |flag: &str| wrapper.is_some_and(|w| w.contains(&flag));
    let next_text = rest.first().map(Arg::text);
    // --name=value, --name value
    if literal.starts_with("--") {
        let (flag, value) = literal
            .split_once('=')
            .map_or((literal, None), |(f, v)| (f, Some(v)));
        parsed.flags.push(flag.to_string());
        let found = lookup.find(flag).or_else(|| lookup.find_prefix(flag));
        let Some(found) = found else {
            let takes = wrapper_takes(flag) && value.is_none();
            let shown = if takes {
                format!("{text} {}", next_text.clone().unwrap_or_default())
            } else {
                text.to_string()
            };
            walker.part(depth, shown, unknown_option(lookup, flag));
            return usize::from(takes && next_text.is_some());
        };
        let takes_next = (found.takes_argument || wrapper_takes(flag))
            && value.is_none()
            && !found.optional_argument;
        let mut what = option_text(&found);
        if found.flag != flag {
            what = format!("short for {}: {what}", found.flag);
        }
        let argument =
            value
                .map(str::to_string)
                .or_else(|| if takes_next { next_text.clone() } else { None });
        let shown = if takes_next {
            format!("{text} {}", next_text.clone().unwrap_or_default())
        } else {
            text.to_string()
        };
        if let Some(argument) = argument {
            let name = found
                .argument_name
                .clone()
                .unwrap_or_else(|| "its value".to_string());
            what.push_str(&format!(
                " — {name} is {}",
                words::analyse(&argument, walker.context).value
            ));
        }
        walker.part(depth, shown, what);
        return usize::from(takes_next && next_text.is_some());
    }

    // A whole word listed as one option: find's -name, -maxdepth, -exec; openssl's -noout; kill's -9.
    if let Some(found) = lookup.find(literal) {
        parsed.flags.push(literal.to_string());
        if literal == "-exec" || literal == "-execdir" || literal == "-ok" {
            return exec_action(walker, &found, text, rest, depth);
        }
        let takes_next = found.takes_argument || wrapper_takes(literal);
        return known_option(walker, &found, text, next_text, takes_next, depth);
    }

    // A cluster of short options: -rf is -r and -f; in -n5 the 5 is -n's argument.
    let letters: Vec<char> = literal.chars().skip(1).collect();
    let known: Vec<Option<Found>> = letters
        .iter()
        .map(|c| lookup.find(&format!("-{c}")))
        .collect();
    let all_known = known.iter().all(Option::is_some)
        || known
            .first()
            .is_some_and(|f| f.as_ref().is_some_and(|f| f.takes_argument));
    if !all_known {
        if let Some(found) = lookup.find_placeholder(literal) {
            parsed.flags.push(literal.to_string());
            let name = found.argument_name.clone().unwrap_or_default();
            let value = literal.trim_start_matches('-');
            walker.part(
                depth,
                text,
                format!("{} — {name} is {value}", option_text(&found)),
            );
            return 0;
        }
    }
    if letters.len() == 1 || !letters.first().is_some_and(char::is_ascii_alphanumeric) {
        parsed.flags.push(literal.to_string());
        let Some(found) = known.into_iter().next().flatten() else {
            let takes = wrapper_takes(literal);
            let shown = if takes {
                format!("{text} {}", next_text.clone().unwrap_or_default())
            } else {
                text.to_string()
            };
            walker.part(depth, shown, unknown_option(lookup, literal));
            return usize::from(takes && next_text.is_some());
        };
        let takes_next = found.takes_argument || wrapper_takes(literal);
        return known_option(walker, &found, text, next_text, takes_next, depth);
    }
    // Options before the first one that takes an argument; the rest of the word is that argument.
    let count = known
        .iter()
        .position(|f| f.as_ref().is_some_and(|f| f.takes_argument))
        .map_or(letters.len(), |i| i + 1);
    if count == 1 {
        if let Some(found) = known.into_iter().next().flatten() {
            let flag = format!("-{}", letters[0]);
            parsed.flags.push(flag);
            let value: String = letters[1..].iter().collect();
            let name = found
                .argument_name
                .clone()
                .unwrap_or_else(|| "its value".to_string());
            let what = format!(
                "{} — {name} is {}",
                option_text(&found),
                words::analyse(&value, walker.context).value
            );
            walker.part(depth, text, what);
            return 0;
        }
        return 0;
    }
    walker.part(
        depth,
        text,
        format!("{count} short options written together; each letter is one option:"),
    );
    let mut consumed = 0;
    for (position, letter) in letters.iter().enumerate() {
        let flag = format!("-{letter}");
        parsed.flags.push(flag.clone());
        match lookup.find(&flag) {
            Some(found) if found.takes_argument || wrapper_takes(&flag) => {
                let attached: String = letters[position + 1..].iter().collect();
                let (value, shown) = if attached.is_empty() {
                    consumed = usize::from(next_text.is_some());
                    let value = next_text.clone().unwrap_or_default();
                    (value.clone(), format!("{flag} {value}"))
                } else {
                    (attached.clone(), format!("{flag}{attached}"))
                };
                let name = found
                    .argument_name
                    .clone()
                    .unwrap_or_else(|| "its value".to_string());
                walker.part(
                    depth + 1,
                    shown,
                    format!(
                        "{} — {name} is {}",
                        option_text(&found),
                        words::analyse(&value, walker.context).value
                    ),
                );
                break;
            }
            Some(found) => walker.part(depth + 1, flag, option_text(&found)),
            None => walker.part(depth + 1, flag.clone(), unknown_option(lookup, &flag)),
        }
    }
    consumed
}

fn unknown_option(lookup: &Lookup, flag: &str) -> String {
    if lookup.knows_options() {
        format!(
            "unknown option {flag}: neither the card, the man page nor help of {} lists it",
            lookup.name
        )
    } else {
        format!(
            "unknown option {flag}: there is no card, man page or help for {} to look it up in",
            lookup.name
        )
    }
}

/// find's `-exec COMMAND {} ;`: the command between `-exec` and `;` or `+`, explained one level deeper.
/// A known option, and the next word too when it takes it as its value. Returns how many of the following words
/// it used (0 or 1).
fn known_option(
    walker: &mut Walker<'_>,
    found: &Found,
    text: &str,
    next_text: Option<String>,
    takes_next: bool,
    depth: usize,
) -> usize {
    let mut what = option_text(found);
    let shown = if takes_next {
        let value = next_text.clone().unwrap_or_default();
        let name = found
            .argument_name
            .clone()
            .unwrap_or_else(|| "its value".to_string());
        what.push_str(&format!(
            " — {name} is {}",
            words::analyse(&value, walker.context).value
        ));
        format!("{text} {value}")
    } else {
        text.to_string()
    };
    walker.part(depth, shown, what);
    usize::from(takes_next && next_text.is_some())
}

fn exec_action(
    walker: &mut Walker<'_>,
    found: &Found,
    text: &str,
    rest: &[Arg<'_>],
    depth: usize,
) -> usize {
    let end = rest.iter().position(|arg| {
        let t = arg.text();
        matches!(t.as_str(), ";" | "\\;" | "';'" | "\";\"" | "+")
    });
    let Some(end) = end else {
        walker.part(
            depth,
            text,
            format!(
                "{} — but its ';' or '+' is missing, so find refuses it",
                option_text(found)
            ),
        );
        return 0;
    };
    walker.part(depth, text, option_text(found));
    if end > 0 {
        let inner: Vec<Arg<'_>> = rest[..end].to_vec();
        let inner_text: Vec<String> = inner.iter().map(Arg::text).collect();
        invocation(walker, &inner, depth + 1, &inner_text.join(" "));
    }
    let terminator = rest[end].text();
    let what = if terminator == "+" {
        "ends -exec: the command runs once with many found names at the end, like xargs"
    } else {
        "ends -exec: the command runs once for each name found; the ; is quoted so the shell passes it to find"
    };
    walker.part(depth, terminator, what);
    end + 1
}

/// A word explained without knowing the command (after an unknown command name).
fn plain_argument(walker: &mut Walker<'_>, arg: &Arg<'_>, depth: usize) {
    match arg {
        Arg::Word(text) => walker.argument(text, depth, "argument"),
        Arg::ProcessSubstitution(kind, subshell) => {
            let what = match kind {
                ProcessSubstitutionKind::Read => "process substitution: replaced by a file name (/dev/fd/N) from which the output of the commands inside can be read",
                ProcessSubstitutionKind::Write => "process substitution: replaced by a file name (/dev/fd/N); what is written to it becomes the input of the commands inside",
            };
            walker.part(depth, arg.text(), what);
            walker.list(&subshell.list, depth + 1);
        }
    }
}
