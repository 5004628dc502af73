//! The typed form of one `check` line.

use std::fmt;

use regex::Regex;

use super::text::Placeholders;

/// One line of a `check` block: an assertion and the message shown when it fails.
#[derive(Debug, Clone)]
pub struct Check {
    pub assertion: Assertion,
    /// The author's words for a failure (`else "..."`); a generic message is used without one.
    pub message: Option<String>,
    pub line: usize,
    /// The line as written, for reports.
    pub source: String,
    /// Every `{name}` placeholder in the line's strings, with its column, checked once the exercise's random values
    /// are known.
    pub placeholders: Vec<(usize, String)>,
}

/// A path named by a check, relative to the learner's home (`~`, `~/a`, `a/b` are all inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    /// Normalised components below the home folder; empty for home itself.
    pub components: Vec<String>,
    /// As the author wrote it, for messages.
    pub written: String,
}

impl PathRule {
    /// The path as the learner would type it: `~` or `~/a/b`.
    pub fn shown(&self) -> String {
        if self.components.is_empty() {
            "~".to_string()
        } else {
            format!("~/{}", self.components.join("/"))
        }
    }
}

impl fmt::Display for PathRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

/// A regular expression as the author wrote it. It may hold placeholders (`{user}`), so it is compiled with each
/// attempt's values (escaped, so a value never adds regex syntax); `^` and `$` match at every line's start and end.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
}

impl Pattern {
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The expression with this attempt's placeholder values in it.
    pub fn compile(&self, placeholders: &Placeholders) -> Result<Regex, String> {
        build_regex(&placeholders.expand_regex(&self.source))
    }
}

/// Compiles a regular expression as checks use them, with the regex crate's message's last line as the error.
pub fn build_regex(source: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(source)
        .multi_line(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| {
            error
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
}

/// A text test, used on file contents, command output, headers and certificate fields.
#[derive(Debug, Clone)]
pub enum Test {
    /// Equal after the whitespace rule (see `text::normalise`).
    Equals(String),
    Contains(String),
    Matches(Pattern),
    IsEmpty,
}

/// A test of permission bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeTest {
    /// Permission bits equal these (e.g. 0o600).
    Is(u32),
    /// None of these permission bits is set (`lacks go+w`); the spec as written.
    Lacks(u32, String),
    /// All of these permission bits are set (`has u+x`).
    Has(u32, String),
}

/// Which commands a command assertion is about, and what they must have been given.
#[derive(Debug, Clone)]
pub struct CommandPattern {
    /// Command names, any of which will do (`vi|vim`); empty for a legacy regular expression.
    pub names: Vec<String>,
    /// The legacy form `ran "REGEX"`: matched against each command written as a line.
    pub regex: Option<Pattern>,
    /// Options that must all be given, each with its accepted spellings (`-p|--parents`).
    pub options: Vec<Vec<String>>,
    /// Arguments that must appear exactly (after the shell's expansion).
    pub arguments: Vec<String>,
    /// Arguments that must name these paths, relative to the learner's home, wherever the command ran from.
    pub paths: Vec<PathRule>,
    /// The command was given no argument at all.
    pub no_arguments: bool,
    /// `Some(true)`: it exited with status 0 (`successfully`); `Some(false)`: with another status.
    pub succeeded: Option<bool>,
    /// Only the last line typed counts (`in the last line`); otherwise any line of the exercise.
    pub last_line: bool,
}

impl CommandPattern {
    /// How the pattern reads in a message: `mkdir with -p|--parents`.
    pub fn describe(&self) -> String {
        let mut text = match &self.regex {
            Some(regex) => format!("a command matching /{}/", regex.as_str()),
            None => self.names.join(" or "),
        };
        let mut items: Vec<String> = self.options.iter().map(|o| o.join("|")).collect();
        items.extend(self.arguments.iter().map(|a| format!("\"{a}\"")));
        items.extend(self.paths.iter().map(|p| format!("the path {p}")));
        if !items.is_empty() {
            text.push_str(" with ");
            text.push_str(&items.join(" "));
        }
        if self.no_arguments {
            text.push_str(" without arguments");
        }
        match self.succeeded {
            Some(true) => text.push_str(" successfully (exit status 0)"),
            Some(false) => text.push_str(" unsuccessfully (exit status not 0)"),
            None => {}
        }
        text
    }
}

/// What an `http` check asks of a response.
#[derive(Debug, Clone)]
pub enum HttpTest {
    Status(u16),
    Header(String, Test),
    Body(Test),
    Certificate(CertificateField, Test),
    /// The served certificate holds the public key of this private key.
    CertificateMatchesKey(PathRule),
}

/// A field of an X.509 certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateField {
    Subject,
    Issuer,
    /// The subject alternative names (`DNS:example.test, DNS:www.example.test`).
    San,
}

impl CertificateField {
    pub fn name(self) -> &'static str {
        match self {
            CertificateField::Subject => "subject",
            CertificateField::Issuer => "issuer",
            CertificateField::San => "subject alternative names",
        }
    }
}

/// What a PEM file should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemKind {
    Certificate,
    PrivateKey,
    PublicKey,
    CertificateRequest,
}

impl PemKind {
    pub fn name(self) -> &'static str {
        match self {
            PemKind::Certificate => "a certificate",
            PemKind::PrivateKey => "a private key",
            PemKind::PublicKey => "a public key",
            PemKind::CertificateRequest => "a certificate signing request",
        }
    }
}

/// What a checker command (`command "LINE" ...`) must do.
#[derive(Debug, Clone)]
pub enum CommandTest {
    Succeeds,
    Fails,
    Output(Test),
}

/// What a check line asserts.
#[derive(Debug, Clone)]
pub enum Assertion {
    Exists(PathRule),
    Missing(PathRule),
    Dir(PathRule),
    File(PathRule),
    /// A symbolic link, optionally pointing at exactly this target text.
    Symlink(PathRule, Option<String>),
    /// An empty file, or a folder with no entries.
    Empty(PathRule),
    Content(PathRule, Test),
    LineCount(PathRule, usize),
    /// Byte for byte the same content as another file.
    SameContent(PathRule, PathRule),
    /// A folder with exactly this many entries.
    EntryCount(PathRule, usize),
    Mode(PathRule, ModeTest),
    /// The path and every entry below it (links skipped).
    ModeUnder(PathRule, ModeTest),
    /// The owner's user name, as the learner sees it.
    Owner(PathRule, String),
    /// The shell's working directory after the last command.
    Cwd(PathRule),
    StatusIs(i32),
    StatusIsNot(i32),
    Output(Test),
    /// The output of the most recent line in which one of these commands ran.
    OutputOf(Vec<String>, Test),
    /// The status of the most recent run of one of these commands.
    StatusOf(Vec<String>, i32),
    /// The file still starts with what it held when the exercise began, and is longer.
    Appended(PathRule),
    /// The file or folder is as it was when the exercise began (content, kind and mode; or still missing).
    Unchanged(PathRule),
    /// The entry's modification time is not what it was when the exercise began (`touch`).
    Modified(PathRule),
    /// A command the shell ran (expanded argv) matches.
    Ran(CommandPattern),
    /// No command the shell ran matches.
    DidNotRun(CommandPattern),
    /// `type -t NAME` in the learner's shell says this kind (builtin, keyword, alias, function, file).
    TypeIs(String, String),
    /// A program of that name is found on the learner's `PATH` (at exactly this path, if given).
    Program(String, Option<String>),
    /// A process of that name runs in the sandbox.
    ProcessRuns(String),
    /// Something listens on this TCP port in the sandbox's network.
    PortListening(u16),
    /// A request to the sandbox's own web server.
    Http {
        url: String,
        trust: Option<PathRule>,
        test: HttpTest,
    },
    Pem(PathRule, PemKind),
    /// The two files hold the same public key (in any of the PEM and OpenSSH forms).
    KeyMatches(PathRule, PathRule),
    Certificate(PathRule, CertificateField, Test),
    /// The certificate is still valid this many days from now.
    CertificateValidFor(PathRule, u64),
    SshKeyType(PathRule, String),
    SshKeyPassphrase(PathRule, bool),
    /// The public key in the second file is one of the keys the first (an `authorized_keys`) lists.
    AuthorizedKeysContain(PathRule, PathRule),
    /// The file holds no private key material.
    NoPrivateKey(PathRule),
    /// A command run by the checker in the learner's shell.
    Command(String, CommandTest),
    /// Passes when the assertion inside fails: for common mistakes.
    Not(Box<Assertion>),
}

impl Assertion {
    /// The paths whose state when the exercise began the assertion compares against.
    pub fn baseline_path(&self) -> Option<&PathRule> {
        match self {
            Assertion::Appended(path) | Assertion::Unchanged(path) | Assertion::Modified(path) => {
                Some(path)
            }
            Assertion::Not(inner) => inner.baseline_path(),
            _ => None,
        }
    }

    /// The paths in the home the assertion looks at (to tell whether a line touched something relevant).
    pub fn paths(&self) -> Vec<&PathRule> {
        match self {
            Assertion::Exists(p)
            | Assertion::Missing(p)
            | Assertion::Dir(p)
            | Assertion::File(p)
            | Assertion::Symlink(p, _)
            | Assertion::Empty(p)
            | Assertion::Content(p, _)
            | Assertion::LineCount(p, _)
            | Assertion::EntryCount(p, _)
            | Assertion::Mode(p, _)
            | Assertion::ModeUnder(p, _)
            | Assertion::Owner(p, _)
            | Assertion::Appended(p)
            | Assertion::Unchanged(p)
            | Assertion::Modified(p)
            | Assertion::Pem(p, _)
            | Assertion::Certificate(p, _, _)
            | Assertion::CertificateValidFor(p, _)
            | Assertion::SshKeyType(p, _)
            | Assertion::SshKeyPassphrase(p, _)
            | Assertion::NoPrivateKey(p) => vec![p],
            Assertion::SameContent(a, b)
            | Assertion::KeyMatches(a, b)
            | Assertion::AuthorizedKeysContain(a, b) => vec![a, b],
            Assertion::Not(inner) => inner.paths(),
            _ => Vec::new(),
        }
    }

    /// The same paths, to fill in their placeholders for an attempt.
    pub fn paths_mut(&mut self) -> Vec<&mut PathRule> {
        match self {
            Assertion::Exists(p)
            | Assertion::Missing(p)
            | Assertion::Dir(p)
            | Assertion::File(p)
            | Assertion::Symlink(p, _)
            | Assertion::Empty(p)
            | Assertion::Content(p, _)
            | Assertion::LineCount(p, _)
            | Assertion::EntryCount(p, _)
            | Assertion::Mode(p, _)
            | Assertion::ModeUnder(p, _)
            | Assertion::Owner(p, _)
            | Assertion::Appended(p)
            | Assertion::Unchanged(p)
            | Assertion::Modified(p)
            | Assertion::Pem(p, _)
            | Assertion::Certificate(p, _, _)
            | Assertion::CertificateValidFor(p, _)
            | Assertion::SshKeyType(p, _)
            | Assertion::SshKeyPassphrase(p, _)
            | Assertion::NoPrivateKey(p) => vec![p],
            Assertion::SameContent(a, b)
            | Assertion::KeyMatches(a, b)
            | Assertion::AuthorizedKeysContain(a, b) => vec![a, b],
            Assertion::Cwd(p) => vec![p],
            Assertion::Ran(pattern) | Assertion::DidNotRun(pattern) => {
                pattern.paths.iter_mut().collect()
            }
            Assertion::Http { trust, test, .. } => {
                let mut paths: Vec<&mut PathRule> = trust.iter_mut().collect();
                if let HttpTest::CertificateMatchesKey(key) = test {
                    paths.push(key);
                }
                paths
            }
            Assertion::Not(inner) => inner.paths_mut(),
            _ => Vec::new(),
        }
    }

    /// The command names the assertion is about (to tell whether a line ran something relevant).
    pub fn command_names(&self) -> Vec<&str> {
        match self {
            Assertion::Ran(pattern) | Assertion::DidNotRun(pattern) => {
                pattern.names.iter().map(String::as_str).collect()
            }
            Assertion::OutputOf(names, _) | Assertion::StatusOf(names, _) => {
                names.iter().map(String::as_str).collect()
            }
            Assertion::Not(inner) => inner.command_names(),
            _ => Vec::new(),
        }
    }
}
