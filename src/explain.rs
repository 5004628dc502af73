//! `explain`: a command line taken apart the way bash reads it, each part named and explained, without running
//! anything.
//!
//! The line is parsed by `brush-parser`, a real bash parser, into commands, pipelines, lists, compound commands,
//! redirections and words; words are parsed again into their quoted parts and expansions. [`walk`] turns that tree
//! into a flat list of [`Part`]s with a depth (a command inside `sudo`, `$(...)` or a loop is one level deeper),
//! and [`danger`] looks at the same tree for patterns that destroy data. Option meanings come from the card, else
//! the installed man page, else bash's `help` (see [`sources`]). Nothing of the line is ever executed: command
//! substitutions are parsed and explained, never run (a test proves it with canary files).

pub mod danger;
pub mod render;
pub mod shellcheck;
mod simple;
pub mod sources;
pub mod syntax;
mod walk;
mod words;

use std::path::PathBuf;

pub use danger::Danger;
pub use sources::{Sources, SystemSources};
pub use syntax::SyntaxError;

/// What the line is explained against: where it would run, and what the shell knows.
#[derive(Debug, Clone)]
pub struct Context {
    /// The current directory, on this machine's file system (globs are matched there, files looked up there).
    pub cwd: PathBuf,
    /// How the current directory is shown (`~/notes`).
    pub cwd_shown: String,
    /// The home folder on this machine's file system (for matching `~/x*`).
    pub home_dir: PathBuf,
    /// What `~` and `$HOME` expand to, as the shell would print it.
    pub home: String,
    pub user: String,
    /// Aliases of the shell the line would run in: (name, value).
    pub aliases: Vec<(String, String)>,
    /// Functions defined in that shell.
    pub functions: Vec<String>,
}

impl Context {
    /// The context of this process: its directory, `HOME` and `USER`, no aliases or functions (a fresh bash).
    pub fn current() -> Context {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let home = std::env::var("HOME").unwrap_or_else(|_| "/".to_string());
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "you".to_string());
        Context {
            cwd_shown: tilde(&cwd.display().to_string(), &home),
            cwd,
            home_dir: PathBuf::from(&home),
            home,
            user,
            aliases: Vec::new(),
            functions: Vec::new(),
        }
    }
}

/// `path` with the home folder shown as `~`.
pub fn tilde(path: &str, home: &str) -> String {
    if home.is_empty() || home == "/" {
        return path.to_string();
    }
    match path.strip_prefix(home) {
        Some("") => "~".to_string(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// One explained part of the line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    /// Nesting: 0 for the line's own commands and operators, one more inside `sudo`, `$(...)`, loops...
    pub depth: usize,
    /// The part as written (`-rf`, `2>&1`, `~/old`).
    pub text: String,
    /// What it is and does.
    pub what: String,
}

/// The explanation of a whole line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    pub line: String,
    pub parts: Vec<Part>,
    pub dangers: Vec<Danger>,
}

/// Explains `line` without running any of it.
pub fn explain(
    line: &str,
    context: &Context,
    sources: &dyn Sources,
) -> Result<Explanation, SyntaxError> {
    let program = parse(line)?;
    let mut walker = walk::Walker::new(line, context, sources);
    walker.program(&program);
    Ok(Explanation {
        line: line.to_string(),
        parts: walker.parts,
        dangers: walker.dangers,
    })
}

/// The dangerous patterns of `line` (none for a line that does not parse), for the tutor's warning after a line
/// ran: `context.cwd` must be where the line started, so that `> file` on an existing file is noticed.
pub fn dangers(line: &str, context: &Context, sources: &dyn Sources) -> Vec<Danger> {
    explain(line, context, sources).map_or_else(|_| Vec::new(), |e| e.dangers)
}

/// A parse takes well under a millisecond; brush-parser 0.4 can loop forever on rare malformed input (an
/// unterminated `$((` after certain here-documents), so a parse that takes longer than this is given up.
const PARSE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Longer input is refused rather than parsed: no command line is this long.
const MAX_LINE: usize = 64 * 1024;

/// The parser recurses once per nesting level; its own thread gets room for deeply nested input.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Parses a line (or a script) with bash's grammar, on a thread of its own so that neither a parser that never
/// returns nor one that recurses very deep can take the caller down.
pub fn parse(line: &str) -> Result<brush_parser::ast::Program, SyntaxError> {
    let refused = |message: &str| SyntaxError {
        message: message.to_string(),
        line: 1,
        column: 1,
        source_line: line
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
    };
    if line.len() > MAX_LINE {
        return Err(refused(
            "the line is too long to explain (more than 64 KiB)",
        ));
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let owned = line.to_string();
    let spawned = std::thread::Builder::new()
        .name("bash-parser".to_string())
        .stack_size(PARSER_STACK)
        .spawn(move || {
            let _ = sender.send(parse_here(&owned));
        });
    if spawned.is_err() {
        return parse_here(line);
    }
    match receiver.recv_timeout(PARSE_TIME_LIMIT) {
        Ok(result) => result,
        Err(_) => Err(refused(
            "bash's grammar could not be read in time; check the quotes, here-documents (<<) and $(( )) of the line",
        )),
    }
}

fn parse_here(line: &str) -> Result<brush_parser::ast::Program, SyntaxError> {
    let options = brush_parser::ParserOptions::default();
    let mut parser = brush_parser::Parser::new(std::io::Cursor::new(line.as_bytes()), &options);
    parser
        .parse_program()
        .map_err(|error| syntax::from_parse_error(&error, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_shown_as_tilde() {
        assert_eq!(tilde("/home/a/x", "/home/a"), "~/x");
        assert_eq!(tilde("/home/a", "/home/a"), "~");
        assert_eq!(tilde("/home/ab", "/home/a"), "/home/ab");
        assert_eq!(tilde("/x", "/"), "/x");
    }
}

#[cfg(test)]
mod table_tests {
    //! `explain` on a table of command lines, against fixed facts (the project's own cards for the basic commands,
    //! programs in /usr/bin, man pages given as roff), so the snapshot is the same on every machine.

    use std::path::Path;

    use super::sources::Fixed;
    use super::*;
    use crate::reference::{CardFile, Reference};

    /// The cards whose text this test relies on (written with this code, so their wording changes with it).
    const CARDS: [&str; 10] = [
        "rm", "rmdir", "mkdir", "touch", "cd", "pwd", "ls", "cat", "echo", "whoami",
    ];

    const TAR: &str = ".TH TAR 1\n.SH NAME\ntar \\- an archiving utility\n.SH OPTIONS\n.TP\n\\fB\\-c\\fR, \\fB\\-\\-create\\fR\nCreate a new archive.\n.TP\n\\fB\\-x\\fR, \\fB\\-\\-extract\\fR\nExtract files from an archive.\n.TP\n\\fB\\-z\\fR, \\fB\\-\\-gzip\\fR\nFilter the archive through gzip(1).\n.TP\n\\fB\\-v\\fR, \\fB\\-\\-verbose\\fR\nVerbosely list files processed.\n.TP\n\\fB\\-f\\fR, \\fB\\-\\-file\\fR=\\fIARCHIVE\\fR\nUse archive file or device ARCHIVE.\n.TP\n\\fB\\-C\\fR, \\fB\\-\\-directory\\fR=\\fIDIR\\fR\nChange to DIR before performing any operations.\n.TP\n\\fB\\-\\-exclude\\fR=\\fIPATTERN\\fR\nExclude files matching PATTERN.\n";
    const GREP: &str = ".TH GREP 1\n.SH NAME\ngrep \\- print lines that match patterns\n.SH OPTIONS\n.TP\n.BR \\-i \", \" \\-\\^\\-ignore\\-case\nIgnore case distinctions in patterns and input data.\n.TP\n.BR \\-r \", \" \\-\\^\\-recursive\nRead all files under each directory, recursively.\n.TP\n.BR \\-n \", \" \\-\\^\\-line\\-number\nPrefix each line of output with its line number.\n.TP\n.BR \\-c \", \" \\-\\^\\-count\nPrint only a count of matching lines.\n.TP\n.BI \\-\\^\\-color \\fR[=\\fPWHEN\\fR]\nSurround the matched strings with color. WHEN is never, always, or auto.\n";
    const SORT: &str = ".SH NAME\nsort \\- sort lines of text files\n.SH DESCRIPTION\n.TP\n\\fB\\-r\\fR, \\fB\\-\\-reverse\\fR\nreverse the result of comparisons\n.TP\n\\fB\\-u\\fR, \\fB\\-\\-unique\\fR\noutput only the first of an equal run\n";
    const XARGS: &str = ".SH NAME\nxargs \\- build and execute command lines from standard input\n.SH OPTIONS\n.TP\n.B \\-0, \\-\\-null\nInput items are terminated by a null character.\n.TP\n.BI \\-n \" max-args\"\nUse at most max-args arguments per command line.\n";
    const FIND: &str = ".SH NAME\nfind \\- search for files in a directory hierarchy\n.SH EXPRESSION\n.IP \"\\-name \\fIpattern\\fR\"\nBase of file name matches shell pattern \\fIpattern\\fR.\n.IP \\-print0\nPrint the full file name, followed by a null character.\n.IP \"\\-exec \\fIcommand\\fR ;\"\nExecute \\fIcommand\\fR; true if 0 status is returned.\n";
    const CURL: &str = ".SH NAME\ncurl \\- transfer a URL\n.SH OPTIONS\n.IP \"\\-f, \\-\\-fail\"\nFail fast with no output on HTTP errors.\n.IP \"\\-s, \\-\\-silent\"\nSilent or quiet mode.\n.IP \"\\-S, \\-\\-show\\-error\"\nWhen used with -s it makes curl show an error message if it fails.\n.IP \"\\-L, \\-\\-location\"\nFollow redirects.\n";
    const GIT: &str = ".SH NAME\ngit \\- the stupid content tracker\n";
    const GIT_COMMIT: &str = ".SH NAME\ngit-commit \\- Record changes to the repository\n.SH OPTIONS\n.PP\n\\fB\\-a\\fR, \\fB\\-\\-all\\fR\n.RS 4\nStage files that have been modified and deleted\\&.\n.RE\n.PP\n\\fB\\-m\\fR \\fI<msg>\\fR, \\fB\\-\\-message=\\fR\\fI<msg>\\fR\n.RS 4\nUse the given <msg> as the commit message\\&.\n.RE\n";
    const HELP_TYPE: &str = "type: type [-afptP] name [name ...]\n    Display information about command type.\n    \n    Options:\n      -a\tdisplay all locations containing an executable named NAME\n      -t\toutput a single word which is one of `alias', `keyword',\n    \t\t`function', `builtin', `file' or `', if NAME is an alias\n";

    fn sources() -> Fixed {
        let files = Reference::bundled_files()
            .into_iter()
            .filter(|file| CARDS.iter().any(|c| file.file_name == format!("{c}.md")))
            .collect::<Vec<CardFile>>();
        Fixed {
            reference: Reference::from_files(files),
            programs: vec![
                "rm",
                "ls",
                "cat",
                "mkdir",
                "rmdir",
                "touch",
                "whoami",
                "tar",
                "grep",
                "sort",
                "xargs",
                "find",
                "curl",
                "sudo",
                "env",
                "mv",
                "cp",
                "chmod",
                "chown",
                "dd",
                "mkfs.ext4",
                "kill",
                "head",
                "bash",
                "sh",
                "tee",
                "date",
                "nohup",
                "timeout",
                "wc",
                "make",
                "diff",
                "sleep",
                "git",
            ],
            pages: vec![
                ("tar", TAR),
                ("grep", GREP),
                ("sort", SORT),
                ("xargs", XARGS),
                ("find", FIND),
                ("curl", CURL),
                ("git", GIT),
                ("git-commit", GIT_COMMIT),
            ],
            helps: vec![("type", HELP_TYPE)],
        }
    }

    fn context(dir: &Path) -> Context {
        Context {
            cwd: dir.to_path_buf(),
            cwd_shown: "~".into(),
            home_dir: dir.to_path_buf(),
            home: "/home/alice".into(),
            user: "alice".into(),
            aliases: vec![("ll".into(), "ls -l".into())],
            functions: Vec::new(),
        }
    }

    fn fixtures() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, content) in [
            ("a.txt", "a\n"),
            ("b.txt", "b\n"),
            ("notes.md", "notes\n"),
            ("log", "yesterday's log\n"),
            ("in.txt", "line\n"),
            ("day.txt", "2024-01-31\n"),
        ] {
            std::fs::write(dir.path().join(name), content).expect("write a fixture");
        }
        std::fs::create_dir(dir.path().join("old")).expect("mkdir");
        dir
    }

    const LINES: &[&str] = &[
        // commands, options, arguments
        "rm -rf ~/old",
        "rm -r -f ./build",
        "rm --recur old",
        "ls -la ~",
        "ls --al",
        "ll *.txt",
        "ls *.zip",
        "mkdir -pv a/b/c",
        "touch -d yesterday -- -n",
        // quoting and expansions
        "echo 'single $HOME' \"double $HOME\" $'tab\\there' plain\\ space",
        "echo \"$(date +%F)\" `whoami`",
        "echo \"today: $(date -d \"$(cat day.txt)\" +%A)\"",
        "echo ${name:-world} $# $? ${#USER}",
        "echo {1..3} file{a,b}.txt",
        "x=5; echo $((x * 2))",
        "export PATH=\"$HOME/bin:$PATH\"",
        // redirections
        "cat < in.txt > out.txt 2> err.txt",
        "sort -r a.txt >> sorted.txt",
        "ls nothing &> all.txt",
        "cat <<'EOF'\n$HOME stays\nEOF",
        "wc -l <<< \"one line\"",
        "diff <(sort a.txt) <(sort b.txt)",
        "exec 3> fd3.txt",
        // pipes and lists
        "grep -rn TODO . | wc -l",
        "cat notes.md | head -n 3 | sort -ru",
        "mkdir -p a/b && cd a/b || echo failed",
        "sleep 10 & echo started",
        "(cd /tmp && ls) ; pwd",
        "{ echo a; echo b; } > two.txt",
        "! grep -q x a.txt",
        // wrappers
        "sudo -u bob rm -f /tmp/x",
        "env LANG=C sort -u a.txt",
        "find . -name '*.txt' -print0 | xargs -0 rm -v",
        "find . -name '*.log' -exec rm {} \\;",
        "time ls",
        "nohup ./server.sh > server.log 2>&1 &",
        "timeout 5s curl -fsS https://example.org",
        "bash -c 'echo hi; cd ~'",
        "command -v ls",
        "eval \"echo $HOME\"",
        // builtins, keywords, functions, loops
        "type -a echo",
        "cd -",
        "for f in *.txt; do echo \"$f\"; done",
        "while read -r line; do echo \"$line\"; done < in.txt",
        "if [[ -d ~/.ssh && $USER != root ]]; then echo ok; else echo no; fi",
        "case \"$1\" in start) echo go ;; *) echo '?' ;; esac",
        "greet() { echo \"hi $1\"; }; greet you",
        "for ((i = 0; i < 3; i++)); do echo $i; done",
        // commands without a card: options from the man page
        "tar -czf backup.tar.gz notes/",
        "tar --exclude=*.log -xvf out.tar -C /tmp",
        "grep --color=always -i pattern a.txt",
        "frobnicate --all things",
        "git commit -am 'fix the typo'",
        // dangers
        "rm -rf \"$dir\"/",
        "rm -rf *",
        "sudo rm -rf --no-preserve-root /",
        "chmod -R 777 /var/www",
        "chown -R bob /etc",
        "dd if=/dev/zero of=/dev/sda bs=1M",
        "mkfs.ext4 /dev/sdb1",
        "curl -fsSL https://get.example.org | sh",
        "bash <(curl -s https://get.example.org)",
        ":(){ :|:& };:",
        "mv notes.md /dev/null",
        "kill -9 -1",
        "> log",
        "echo new > log",
        // syntax errors
        "echo \"unclosed",
        "if then fi",
        "ls |",
        "echo )",
        "for x in; do",
    ];

    fn explained(line: &str, context: &Context, sources: &Fixed) -> String {
        match explain(line, context, sources) {
            Ok(explanation) => {
                let mut out = Vec::new();
                render::write(&explanation, &[], 100, false, &mut out).expect("writing to a Vec");
                String::from_utf8(out).expect("UTF-8")
            }
            Err(error) => format!("$ {line}\nerror: {error}\n"),
        }
    }

    #[test]
    fn a_table_of_lines() {
        assert!(LINES.len() >= 40);
        let dir = fixtures();
        let context = context(dir.path());
        let sources = sources();
        let text: Vec<String> = LINES
            .iter()
            .map(|line| explained(line, &context, &sources))
            .collect();
        insta::assert_snapshot!(text.join("\n────────\n"));
    }

    #[test]
    fn every_danger_of_the_table_is_found() {
        let dir = fixtures();
        let context = context(dir.path());
        let sources = sources();
        let start = LINES
            .iter()
            .position(|l| *l == "rm -rf \"$dir\"/")
            .expect("listed");
        let end = LINES
            .iter()
            .position(|l| *l == "echo new > log")
            .expect("listed");
        for line in &LINES[start..=end] {
            let found = explain(line, &context, &sources).expect("parses").dangers;
            assert!(!found.is_empty(), "no danger found in {line}");
        }
        for line in [
            "rm -rf ~/old/cache",
            "echo rm -rf /",
            "rm -f ~",
            "chmod 644 notes.md",
            "kill -9 1234",
            "echo x >> log",
        ] {
            let found = explain(line, &context, &sources).expect("parses").dangers;
            assert!(found.is_empty(), "{line}: {found:?}");
        }
    }

    #[test]
    fn syntax_errors_point_at_their_column() {
        let dir = fixtures();
        let context = context(dir.path());
        let error = explain("ls && && ls", &context, &sources()).expect_err("a syntax error");
        assert_eq!((error.line, error.column), (1, 7));
        assert!(
            error.to_string().ends_with("  ls && && ls\n        ^"),
            "{error}"
        );
    }

    /// A small deterministic generator, so the same inputs are tried on every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize
        }
    }

    #[test]
    fn random_lines_never_panic() {
        let dir = fixtures();
        let context = context(dir.path());
        let sources = sources();
        let alphabet: Vec<&str> = vec![
            "a", "rm", "-rf", " ", " ", "'", "\"", "$", "$(", ")", "(", "{", "}", "|", "&", ";",
            "<", ">", "\\", "\n", "`", "*", "~", "#", "[[", "]]", "=", "-", "--", "if", "then",
            "fi", "do", "done", "for", "case", "esac", "in", "<<", "EOF", "$((", "${", "!", ":",
            "2>&1", "é", "\t", "sudo", "xargs", "-exec",
        ];
        let mut random = Lcg(42);
        for _ in 0..3000 {
            let length = random.next() % 24;
            let line: String = (0..length)
                .map(|_| alphabet[random.next() % alphabet.len()])
                .collect();
            if let Ok(explanation) = explain(&line, &context, &sources) {
                let mut out = Vec::new();
                render::write(&explanation, &[], 40, true, &mut out).expect("writing to a Vec");
            }
        }
    }
}
