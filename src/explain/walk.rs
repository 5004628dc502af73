//! The walk over bash's syntax tree: lists, `&&` and `||`, pipelines, compound commands, functions, `[[ ]]` and
//! redirections become [`Part`]s; simple commands are handed to [`super::simple`].

use brush_parser::ast::SourceLocation;
use brush_parser::ast::{
    self, AndOr, Command, CompoundCommand, CompoundList, ExtendedTestExpr, IoFileRedirectKind,
    IoFileRedirectTarget, IoRedirect, Pipeline, SeparatorOperator,
};

use super::danger::{self, Danger};
use super::sources::Sources;
use super::words;
use super::{Context, Part};

/// Nested command lines (`$(...)` in `$(...)`, `sh -c`, `eval`) are followed this deep, and no deeper.
const MAX_NESTING: usize = 12;

pub struct Walker<'a> {
    /// The text being explained (positions in the tree are character indices into it).
    line: &'a str,
    pub context: &'a Context,
    pub sources: &'a dyn Sources,
    pub parts: Vec<Part>,
    pub dangers: Vec<Danger>,
    /// Functions defined earlier in the line (they shadow builtins and programs).
    pub functions: Vec<String>,
    nesting: usize,
}

impl<'a> Walker<'a> {
    pub fn new(line: &'a str, context: &'a Context, sources: &'a dyn Sources) -> Walker<'a> {
        Walker {
            line,
            context,
            sources,
            parts: Vec::new(),
            dangers: Vec::new(),
            functions: Vec::new(),
            nesting: 0,
        }
    }

    pub fn part(&mut self, depth: usize, text: impl Into<String>, what: impl Into<String>) {
        self.parts.push(Part {
            depth,
            text: text.into(),
            what: what.into(),
        });
    }

    pub fn danger(&mut self, danger: Danger) {
        if !self.dangers.contains(&danger) {
            self.dangers.push(danger);
        }
    }

    /// The source text of a node, when the parser knows where it is.
    pub fn source_of(&self, node: &impl SourceLocation) -> Option<String> {
        let span = node.location()?;
        Some(
            self.line
                .chars()
                .skip(span.start.index)
                .take(span.end.index.saturating_sub(span.start.index))
                .collect(),
        )
    }

    /// Explains another piece of shell text (`$(...)`'s command, `sh -c`'s string) with its parts at `depth`.
    pub fn nested(&mut self, text: &str, depth: usize) {
        if self.nesting >= MAX_NESTING {
            self.part(depth, text.trim(), "nested too deep to explain further");
            return;
        }
        match super::parse(text) {
            Ok(program) => {
                let mut inner = Walker::new(text, self.context, self.sources);
                inner.nesting = self.nesting + 1;
                inner.functions = self.functions.clone();
                inner.program_at(&program, depth);
                self.parts.append(&mut inner.parts);
                for danger in inner.dangers {
                    self.danger(danger);
                }
            }
            Err(error) => self.part(
                depth,
                text.trim(),
                format!("bash could not run this: {}", error.message),
            ),
        }
    }

    pub fn program(&mut self, program: &ast::Program) {
        self.program_at(program, 0);
    }

    fn program_at(&mut self, program: &ast::Program, depth: usize) {
        let count = program.complete_commands.len();
        for (index, list) in program.complete_commands.iter().enumerate() {
            self.list(list, depth);
            if index + 1 < count {
                self.part(depth, "(new line)", "then the next line runs, as after ';'");
            }
        }
    }

    pub fn list(&mut self, list: &CompoundList, depth: usize) {
        let count = list.0.len();
        for (index, item) in list.0.iter().enumerate() {
            self.and_or(&item.0, depth);
            match item.1 {
                SeparatorOperator::Async => self.part(
                    depth,
                    "&",
                    "runs the command before it in the background: the shell does not wait for it and goes on at once",
                ),
                SeparatorOperator::Sequence if index + 1 < count && self.semicolon_after(&item.0) => self.part(
                    depth,
                    ";",
                    "then the next command runs, once the one before has finished, whether it worked or not",
                ),
                SeparatorOperator::Sequence => {}
            }
        }
    }

    /// Whether a `;` follows the node in the source (rather than a new line).
    fn semicolon_after(&self, node: &impl SourceLocation) -> bool {
        let Some(span) = node.location() else {
            return true;
        };
        self.line
            .chars()
            .skip(span.end.index)
            .find(|c| !c.is_whitespace() || *c == '\n')
            .is_some_and(|c| c == ';')
    }

    fn and_or(&mut self, list: &ast::AndOrList, depth: usize) {
        self.pipeline(&list.first, depth);
        for next in &list.additional {
            match next {
                AndOr::And(pipeline) => {
                    self.part(depth, "&&", "and then, only if the command before succeeded (exit status 0), the next one runs");
                    self.pipeline(pipeline, depth);
                }
                AndOr::Or(pipeline) => {
                    self.part(depth, "||", "or else: the next command runs only if the one before failed (exit status not 0)");
                    self.pipeline(pipeline, depth);
                }
            }
        }
    }

    fn pipeline(&mut self, pipeline: &Pipeline, depth: usize) {
        if pipeline.timed.is_some() {
            self.part(depth, "time", "bash keyword: runs the pipeline, then prints how long it took (real, user and system time)");
        }
        if pipeline.bang {
            self.part(depth, "!", "inverts the exit status of the pipeline: success becomes failure and failure success");
        }
        let names: Vec<Option<String>> = pipeline.seq.iter().map(command_name).collect();
        for (index, command) in pipeline.seq.iter().enumerate() {
            if index > 0 {
                let before = names[index - 1]
                    .clone()
                    .unwrap_or_else(|| "the command before".to_string());
                let after = names[index]
                    .clone()
                    .unwrap_or_else(|| "the command after".to_string());
                self.part(
                    depth,
                    "|",
                    format!("pipe: what {before} prints becomes the input of {after}; both run at the same time"),
                );
            }
            self.command(command, depth);
        }
        // curl ... | sh: a download run as a program.
        let download = names
            .iter()
            .position(|n| n.as_deref().is_some_and(danger::is_download));
        let shell = names
            .iter()
            .rposition(|n| n.as_deref().is_some_and(danger::is_shell));
        if let (Some(download), Some(shell)) = (download, shell) {
            if download < shell {
                let text = self
                    .source_of(pipeline)
                    .unwrap_or_else(|| pipeline.to_string());
                self.danger(danger::download_danger(&text));
            }
        }
    }

    fn command(&mut self, command: &Command, depth: usize) {
        match command {
            Command::Simple(simple) => super::simple::simple_command(self, simple, depth),
            Command::Compound(compound, redirects) => {
                self.compound(compound, depth);
                if let Some(redirects) = redirects {
                    for redirect in &redirects.0 {
                        self.redirect(redirect, depth + 1);
                    }
                }
            }
            Command::Function(function) => self.function(function, depth),
            Command::ExtendedTest(test, redirects) => {
                let text = self
                    .source_of(test)
                    .unwrap_or_else(|| format!("[[ {} ]]", test.expr));
                self.part(
                    depth,
                    shorten(&text),
                    "[[ ]] test (bash keyword): its exit status is 0 when the condition holds; inside, words are not split or globbed",
                );
                self.test(&test.expr, depth + 1);
                if let Some(redirects) = redirects {
                    for redirect in &redirects.0 {
                        self.redirect(redirect, depth + 1);
                    }
                }
            }
        }
    }

    fn compound(&mut self, compound: &CompoundCommand, depth: usize) {
        match compound {
            CompoundCommand::BraceGroup(group) => {
                self.part(depth, "{ ... }", "a group: the commands inside run in this shell, one after the other");
                self.list(&group.list, depth + 1);
            }
            CompoundCommand::Subshell(subshell) => {
                self.part(
                    depth,
                    "( ... )",
                    "a subshell: the commands inside run in a copy of the shell, so cd, variables and exit inside do not change the shell after it",
                );
                self.list(&subshell.list, depth + 1);
            }
            CompoundCommand::ForClause(for_clause) => {
                let name = &for_clause.variable_name;
                match &for_clause.values {
                    Some(values) => {
                        let words: Vec<String> = values.iter().map(|w| w.value.clone()).collect();
                        self.part(
                            depth,
                            format!("for {name} in {}", words.join(" ")),
                            format!("loop: runs the body once for each word after 'in', with ${name} set to it"),
                        );
                        for value in values {
                            self.argument(&value.value, depth + 1, "a word of the loop");
                        }
                    }
                    None => self.part(
                        depth,
                        format!("for {name}"),
                        format!("loop: runs the body once for each argument of the script (\"$@\"), with ${name} set to it"),
                    ),
                }
                self.part(depth, "do ... done", "the body of the loop");
                self.list(&for_clause.body.list, depth + 1);
            }
            CompoundCommand::ArithmeticForClause(for_clause) => {
                let text = |e: &Option<ast::UnexpandedArithmeticExpr>| e.as_ref().map_or(String::new(), |e| e.value.clone());
                self.part(
                    depth,
                    format!(
                        "for (({}; {}; {}))",
                        text(&for_clause.initializer),
                        text(&for_clause.condition),
                        text(&for_clause.updater)
                    ),
                    "counting loop: runs the first part once, then the body while the middle part is not 0, running the last part after each round",
                );
                self.part(depth, "do ... done", "the body of the loop");
                self.list(&for_clause.body.list, depth + 1);
            }
            CompoundCommand::WhileClause(clause) | CompoundCommand::UntilClause(clause) => {
                let until = matches!(compound, CompoundCommand::UntilClause(_));
                let (keyword, when) = if until { ("until", "fails") } else { ("while", "succeeds") };
                self.part(
                    depth,
                    keyword,
                    format!("loop: runs the condition, and the body after 'do' as long as the condition {when}"),
                );
                self.list(&clause.0, depth + 1);
                self.part(depth, "do ... done", "the body of the loop");
                self.list(&clause.1.list, depth + 1);
            }
            CompoundCommand::IfClause(clause) => {
                self.part(depth, "if", "runs the condition; when it succeeds (exit status 0), the part after 'then' runs");
                self.list(&clause.condition, depth + 1);
                self.part(depth, "then", "what runs when the condition succeeded");
                self.list(&clause.then, depth + 1);
                for branch in clause.elses.iter().flatten() {
                    match &branch.condition {
                        Some(condition) => {
                            self.part(depth, "elif", "otherwise, another condition; its 'then' part runs when it succeeds");
                            self.list(condition, depth + 1);
                            self.part(depth, "then", "what runs when that condition succeeded");
                        }
                        None => self.part(depth, "else", "what runs when no condition succeeded"),
                    }
                    self.list(&branch.body, depth + 1);
                }
                self.part(depth, "fi", "ends the if");
            }
            CompoundCommand::CaseClause(case) => {
                self.part(
                    depth,
                    format!("case {} in", case.value.value),
                    "runs the commands of the first pattern that matches the word (patterns are globs: * matches anything)",
                );
                self.argument(&case.value.value, depth + 1, "the word to match");
                for item in &case.cases {
                    let patterns: Vec<String> = item.patterns.iter().map(|p| p.value.clone()).collect();
                    self.part(depth + 1, format!("{})", patterns.join("|")), "a pattern; the commands after it run when it matches");
                    if let Some(commands) = &item.cmd {
                        self.list(commands, depth + 2);
                    }
                }
                self.part(depth, "esac", "ends the case");
            }
            CompoundCommand::Arithmetic(arithmetic) => self.part(
                depth,
                format!("(( {} ))", arithmetic.expr.value.trim()),
                "arithmetic: computes the expression; the exit status is 0 when the result is not 0",
            ),
            CompoundCommand::Coprocess(coprocess) => {
                self.part(depth, "coproc", "runs the command in the background, with pipes to its input and output");
                self.command(&coprocess.body, depth + 1);
            }
        }
    }

    fn function(&mut self, function: &ast::FunctionDefinition, depth: usize) {
        let name = function.fname.value.clone();
        self.functions.push(name.clone());
        let text = self
            .source_of(function)
            .unwrap_or_else(|| function.to_string());
        self.part(
            depth,
            format!("{name}() {{ ... }}"),
            format!("defines a function named '{name}': from now on, typing {name} runs the commands of its body"),
        );
        let calls = count_calls(&function.body.0, &name);
        if calls >= 2 {
            self.danger(danger::fork_bomb(&text, &name));
        }
        self.compound(&function.body.0, depth + 1);
    }

    fn test(&mut self, expression: &ExtendedTestExpr, depth: usize) {
        match expression {
            ExtendedTestExpr::And(left, right) => {
                self.test(left, depth);
                self.part(depth, "&&", "and: both conditions must hold");
                self.test(right, depth);
            }
            ExtendedTestExpr::Or(left, right) => {
                self.test(left, depth);
                self.part(depth, "||", "or: one of the conditions must hold");
                self.test(right, depth);
            }
            ExtendedTestExpr::Not(inner) => {
                self.part(depth, "!", "not: the condition after it must not hold");
                self.test(inner, depth);
            }
            ExtendedTestExpr::Parenthesized(inner) => self.test(inner, depth),
            ExtendedTestExpr::UnaryTest(predicate, word) => {
                let what = unary_meaning(&predicate.to_string(), &word.value);
                self.part(depth, format!("{predicate} {}", word.value), what);
                self.substitutions_of(&word.value, depth + 1);
            }
            ExtendedTestExpr::BinaryTest(predicate, left, right) => {
                let what = binary_meaning(&predicate.to_string(), &left.value, &right.value);
                self.part(
                    depth,
                    format!("{} {predicate} {}", left.value, right.value),
                    what,
                );
                self.substitutions_of(&left.value, depth + 1);
                self.substitutions_of(&right.value, depth + 1);
            }
        }
    }

    /// A word that is not an option: what it expands to, and the commands nested in it.
    pub fn argument(&mut self, text: &str, depth: usize, role: &str) {
        let word = words::analyse(text, self.context);
        let mut what = role.to_string();
        if text == "{}" {
            what.push_str("; find -exec and xargs -I replace {} with each name");
        }
        if word.value != text {
            what.push_str(&format!(", which becomes {}", word.value));
        }
        for note in &word.notes {
            what.push_str("; ");
            what.push_str(note);
        }
        self.part(depth, text, what);
        for command in &word.substitutions {
            self.nested(command, depth + 1);
        }
    }

    /// Only the commands nested in a word (for words already described).
    pub fn substitutions_of(&mut self, text: &str, depth: usize) {
        let word = words::analyse(text, self.context);
        for command in &word.substitutions {
            self.nested(command, depth);
        }
    }

    pub fn redirect(&mut self, redirect: &IoRedirect, depth: usize) {
        match redirect {
            IoRedirect::File(fd, kind, target) => {
                let (op, default_fd) = match kind {
                    IoFileRedirectKind::Read => ("<", 0),
                    IoFileRedirectKind::Write => (">", 1),
                    IoFileRedirectKind::Append => (">>", 1),
                    IoFileRedirectKind::ReadAndWrite => ("<>", 0),
                    IoFileRedirectKind::Clobber => (">|", 1),
                    IoFileRedirectKind::DuplicateInput => ("<&", 0),
                    IoFileRedirectKind::DuplicateOutput => (">&", 1),
                };
                let fd = fd.map_or(default_fd, |fd| fd);
                let shown_fd = |fd: i32| match fd {
                    0 => "standard input (0)".to_string(),
                    1 => "standard output (1)".to_string(),
                    2 => "standard error (2, the error messages)".to_string(),
                    n => format!("file descriptor {n}"),
                };
                let prefix = if fd == default_fd {
                    String::new()
                } else {
                    fd.to_string()
                };
                match target {
                    IoFileRedirectTarget::Filename(word)
                    | IoFileRedirectTarget::Duplicate(word)
                        if !matches!(
                            kind,
                            IoFileRedirectKind::DuplicateInput
                                | IoFileRedirectKind::DuplicateOutput
                        ) =>
                    {
                        let text = format!("{prefix}{op} {}", word.value);
                        let analysed = words::analyse(&word.value, self.context);
                        let file = analysed.value.clone();
                        let what = match kind {
                            IoFileRedirectKind::Read => format!("redirection: {} comes from the file {file}", shown_fd(fd)),
                            IoFileRedirectKind::Write | IoFileRedirectKind::Clobber => format!(
                                "redirection: {} goes to the file {file}, which is created, or emptied first if it exists (truncated){}",
                                shown_fd(fd),
                                if matches!(kind, IoFileRedirectKind::Clobber) { ", even with set -o noclobber" } else { "" }
                            ),
                            IoFileRedirectKind::Append => format!(
                                "redirection: {} is added to the end of the file {file} (created if missing)",
                                shown_fd(fd)
                            ),
                            _ => format!("redirection: {file} is opened for reading and writing as {}", shown_fd(fd)),
                        };
                        self.part(depth, text.clone(), what);
                        if matches!(kind, IoFileRedirectKind::Write) {
                            if let Some(found) = danger::truncation(&text, &analysed, self.context)
                            {
                                self.danger(found);
                            }
                        }
                        for command in &analysed.substitutions {
                            self.nested(command, depth + 1);
                        }
                    }
                    IoFileRedirectTarget::Duplicate(word) => {
                        let text = format!("{prefix}{op}{}", word.value);
                        let what = match word.value.as_str() {
                            "-" => format!("redirection: closes {}", shown_fd(fd)),
                            target => match target.parse::<i32>() {
                                Ok(other) => format!("redirection: {} goes where {} goes now", shown_fd(fd), shown_fd(other)),
                                Err(_) => format!("redirection: {} and standard error both go to the file {target}", shown_fd(fd)),
                            },
                        };
                        self.part(depth, text, what);
                    }
                    IoFileRedirectTarget::Fd(other) => {
                        self.part(
                            depth,
                            format!("{prefix}{op}{other}"),
                            format!(
                                "redirection: {} goes where {} goes now",
                                shown_fd(fd),
                                shown_fd(*other)
                            ),
                        );
                    }
                    IoFileRedirectTarget::ProcessSubstitution(_, subshell) => {
                        self.part(
                            depth,
                            format!("{prefix}{op} (...)"),
                            "redirection to or from a process substitution",
                        );
                        self.list(&subshell.list, depth + 1);
                    }
                    IoFileRedirectTarget::Filename(word) => {
                        self.part(depth, format!("{prefix}{op}{}", word.value), "redirection");
                    }
                }
            }
            IoRedirect::OutputAndError(word, append) => {
                let analysed = words::analyse(&word.value, self.context);
                let (op, what) = if *append {
                    ("&>>", format!("redirection: the output and error messages are both added to the end of {}", analysed.value))
                } else {
                    ("&>", format!("redirection: the output and error messages both go to {}, which is emptied first", analysed.value))
                };
                let text = format!("{op} {}", word.value);
                self.part(depth, text.clone(), what);
                if !append {
                    if let Some(found) = danger::truncation(&text, &analysed, self.context) {
                        self.danger(found);
                    }
                }
            }
            IoRedirect::HereDocument(fd, here) => {
                let op = if here.remove_tabs { "<<-" } else { "<<" };
                let prefix = fd.map_or(String::new(), |fd| fd.to_string());
                let expansion = if here.requires_expansion {
                    "; $variables and $(commands) in it are expanded"
                } else {
                    "; the delimiter is quoted, so its text is taken literally"
                };
                let tabs = if here.remove_tabs {
                    "; leading tabs are removed"
                } else {
                    ""
                };
                let lines = here.doc.value.lines().count();
                self.part(
                    depth,
                    format!("{prefix}{op}{}", here.here_end.value),
                    format!(
                        "here-document: the {lines} line(s) up to the line '{}' are the command's input{expansion}{tabs}",
                        here.here_end.value.trim_matches(['\'', '"'])
                    ),
                );
                if here.requires_expansion {
                    let options = brush_parser::ParserOptions::default();
                    if let Ok(pieces) = brush_parser::word::parse_heredoc(&here.doc.value, &options)
                    {
                        for piece in pieces {
                            if let brush_parser::word::WordPiece::CommandSubstitution(command)
                            | brush_parser::word::WordPiece::BackquotedCommandSubstitution(
                                command,
                            ) = piece.piece
                            {
                                self.nested(&command, depth + 1);
                            }
                        }
                    }
                }
            }
            IoRedirect::HereString(fd, word) => {
                let prefix = fd.map_or(String::new(), |fd| fd.to_string());
                let analysed = words::analyse(&word.value, self.context);
                self.part(
                    depth,
                    format!("{prefix}<<< {}", word.value),
                    format!(
                        "here-string: {} and a newline are the command's input",
                        analysed.value
                    ),
                );
                for command in &analysed.substitutions {
                    self.nested(command, depth + 1);
                }
            }
        }
    }
}

/// The name a command runs, looking through `sudo`, `env` and the like (for pipes and the `curl | sh` rule).
pub fn command_name(command: &Command) -> Option<String> {
    let Command::Simple(simple) = command else {
        return None;
    };
    let mut words = simple
        .word_or_name
        .iter()
        .chain(simple.suffix.iter().flat_map(|s| {
            s.0.iter().filter_map(|item| match item {
                ast::CommandPrefixOrSuffixItem::Word(word) => Some(word),
                _ => None,
            })
        }))
        .map(|w| w.value.trim_matches(['"', '\'']).to_string());
    let mut name = words.next()?;
    while matches!(
        name.as_str(),
        "sudo" | "doas" | "env" | "command" | "exec" | "nohup" | "time" | "nice"
    ) {
        match words.find(|w| !w.starts_with('-') && !w.contains('=')) {
            Some(next) => name = next,
            None => break,
        }
    }
    Some(name.rsplit('/').next().unwrap_or(&name).to_string())
}

/// How often the body calls `name`, at any depth (a function calling itself twice is a fork bomb).
fn count_calls(compound: &CompoundCommand, name: &str) -> usize {
    let text = compound.to_string();
    let mut count = 0;
    if let Ok(program) = super::parse(&text) {
        for list in &program.complete_commands {
            count += calls_in_list(list, name);
        }
    }
    count
}

fn calls_in_list(list: &CompoundList, name: &str) -> usize {
    list.0
        .iter()
        .map(|item| {
            std::iter::once(&item.0.first)
                .chain(item.0.additional.iter().map(|a| match a {
                    AndOr::And(p) | AndOr::Or(p) => p,
                }))
                .flat_map(|p| p.seq.iter())
                .map(|command| match command {
                    Command::Simple(_) => {
                        usize::from(command_name(command).as_deref() == Some(name))
                    }
                    Command::Compound(CompoundCommand::BraceGroup(g), _) => {
                        calls_in_list(&g.list, name)
                    }
                    Command::Compound(CompoundCommand::Subshell(s), _) => {
                        calls_in_list(&s.list, name)
                    }
                    _ => 0,
                })
                .sum::<usize>()
        })
        .sum()
}

fn unary_meaning(predicate: &str, word: &str) -> String {
    let what = match predicate {
        "-e" | "-a" => "exists",
        "-f" => "exists and is a regular file",
        "-d" => "exists and is a directory (folder)",
        "-L" | "-h" => "is a symbolic link",
        "-r" => "exists and you may read it",
        "-w" => "exists and you may write it",
        "-x" => "exists and you may run it (or enter it, for a folder)",
        "-s" => "exists and is not empty",
        "-z" => return format!("true when the string {word} is empty"),
        "-n" => return format!("true when the string {word} is not empty"),
        "-v" => return format!("true when the variable {word} is set"),
        "-o" => return format!("true when the shell option {word} is on"),
        "-t" => return format!("true when file descriptor {word} is a terminal"),
        _ => return format!("test {predicate} on {word}"),
    };
    format!("true when {word} {what}")
}

fn binary_meaning(predicate: &str, left: &str, right: &str) -> String {
    match predicate {
        "==" | "=" => {
            format!("true when {left} matches the pattern {right} (quote it to compare literally)")
        }
        "!=" => format!("true when {left} does not match the pattern {right}"),
        "=~" => format!("true when {left} matches the regular expression {right}"),
        "<" => format!("true when {left} sorts before {right}"),
        ">" => format!("true when {left} sorts after {right}"),
        "-eq" => format!("true when the numbers {left} and {right} are equal"),
        "-ne" => format!("true when the numbers {left} and {right} differ"),
        "-lt" => format!("true when the number {left} is less than {right}"),
        "-le" => format!("true when the number {left} is at most {right}"),
        "-gt" => format!("true when the number {left} is greater than {right}"),
        "-ge" => format!("true when the number {left} is at least {right}"),
        "-nt" => format!("true when the file {left} is newer than {right}"),
        "-ot" => format!("true when the file {left} is older than {right}"),
        "-ef" => format!("true when {left} and {right} are the same file"),
        other => format!("test {other} of {left} and {right}"),
    }
}

/// Long texts (a whole `[[ ]]`) are cut for the part column.
pub fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 40 {
        return one_line;
    }
    let cut: String = one_line.chars().take(37).collect();
    format!("{cut}...")
}
