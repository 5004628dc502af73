//! The command reference: one Markdown card per command (`reference/rm.md`), bundled into the binary like the
//! lessons, or read from a folder (`--reference DIR`, `SHELLTUTOR_REFERENCE`).
//!
//! Loading is lazy because `shelltutor ref rm` must start in a few milliseconds: the set first reads only each
//! card's front matter (names, summary, kind) and parses a card's body only when it is asked for. `load_all`
//! parses everything and reports every problem, for `verify` and the tests.

pub mod card;
pub mod error;
pub mod expected;
pub mod front_matter;
pub mod proven;
pub mod spelling;

use std::path::Path;

use thiserror::Error;

pub use card::Card;
pub use error::{CardError, CardErrorKind};
pub use front_matter::Kind;

/// The bundled cards: (file name, contents), sorted by file name.
mod bundled {
    include!(concat!(env!("OUT_DIR"), "/embedded_reference.rs"));
}

/// A set of cards, read but not yet parsed.
#[derive(Debug, Clone)]
pub struct Reference {
    files: Vec<CardFile>,
}

/// One card file before parsing.
#[derive(Debug, Clone)]
pub struct CardFile {
    /// How messages name the file (`reference/rm.md`).
    pub display: String,
    pub file_name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// A card's entry in the list: what `ref` alone shows, from the front matter only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub command: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub kind: Kind,
}

/// Why a set of cards could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read reference folder '{folder}': {message}; check the path given to --reference or SHELLTUTOR_REFERENCE")]
    Folder { folder: String, message: String },
    #[error("{}", format_problems(.0))]
    Cards(Vec<CardError>),
}

fn format_problems(problems: &[CardError]) -> String {
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "{count} {noun} in the reference cards (the format is described in docs/reference-format.md):\n{}",
        lines.join("\n")
    )
}

/// Why a name has no card.
#[derive(Debug, Error)]
#[error("no card for '{name}'{}; run 'shelltutor ref' to list the cards", suggest(.suggestions))]
pub struct NoCard {
    pub name: String,
    pub suggestions: Vec<String>,
}

fn suggest(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean '{one}'?)"),
        many => format!(" (did you mean one of: {}?)", many.join(", ")),
    }
}

impl Reference {
    /// The cards compiled into the binary.
    pub fn bundled() -> Reference {
        Reference::from_files(Reference::bundled_files())
    }

    /// The files of the bundled cards, unparsed.
    pub fn bundled_files() -> Vec<CardFile> {
        bundled::REFERENCE
            .iter()
            .map(|(name, bytes)| CardFile {
                display: format!("reference/{name}"),
                file_name: (*name).to_string(),
                bytes: Ok(bytes.to_vec()),
            })
            .collect()
    }

    /// The card files directly in `folder`, or the one card file it names; read as lessons are (never a FIFO, a
    /// device or a huge file).
    pub fn from_folder(folder: &Path) -> Result<Reference, LoadError> {
        let files =
            crate::catalog::read_set(folder, "cards").map_err(|error| LoadError::Folder {
                folder: crate::render::sanitize::message(&folder.display().to_string()),
                message: error.to_string(),
            })?;
        Ok(Reference::from_files(
            files
                .into_iter()
                .map(|file| CardFile {
                    display: file.display,
                    file_name: file.file_name,
                    bytes: file.bytes,
                })
                .collect(),
        ))
    }

    pub fn from_files(mut files: Vec<CardFile>) -> Reference {
        files.retain(|file| is_card_candidate(&file.file_name));
        files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        Reference { files }
    }

    /// Every card, parsed, or every problem of every card (collisions between cards included).
    pub fn load_all(&self) -> Result<Vec<Card>, LoadError> {
        let mut cards: Vec<Card> = Vec::new();
        let mut problems = Vec::new();
        for file in &self.files {
            match parse_file(file) {
                Ok(card) => cards.push(card),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        problems.extend(collisions(&cards));
        if problems.is_empty() {
            Ok(cards)
        } else {
            Err(LoadError::Cards(problems))
        }
    }

    /// The list of cards from their front matter alone, sorted by command; cards whose front matter is broken are
    /// left out here (`verify` reports them).
    pub fn entries(&self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self.files.iter().filter_map(entry_of).collect();
        entries.sort_by(|a, b| a.command.cmp(&b.command));
        entries
    }

    /// Every name that finds a card (commands and aliases), sorted: for completion.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .entries()
            .into_iter()
            .flat_map(|entry| std::iter::once(entry.command).chain(entry.aliases))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The card found by `name` (its command or an alias), parsed. Its file is tried first by name, so looking up
    /// a command does not read the other cards' front matter.
    pub fn card(&self, name: &str) -> Result<Option<Card>, LoadError> {
        let wanted = format!("{name}.md");
        let by_file = self.files.iter().find(|file| file.file_name == wanted);
        let file = match by_file {
            Some(file) => Some(file),
            None => self.files.iter().find(|file| {
                entry_of(file).is_some_and(|entry| entry.aliases.iter().any(|a| a == name))
            }),
        };
        match file {
            None => Ok(None),
            Some(file) => parse_file(file).map(Some).map_err(LoadError::Cards),
        }
    }

    /// Like [`card`](Self::card), but a missing card is an error with "did you mean" suggestions.
    #[cfg(test)]
    pub fn find(&self, name: &str) -> anyhow::Result<Card> {
        match self.card(name)? {
            Some(card) => Ok(card),
            None => Err(self.no_card(name).into()),
        }
    }

    /// The error for a name without a card, with the closest card names.
    pub fn no_card(&self, name: &str) -> NoCard {
        let names = self.names();
        NoCard {
            name: name.to_string(),
            suggestions: crate::catalog::closest(name, names.iter().map(String::as_str)),
        }
    }
}

/// The card folder chosen for this run (`--reference`), if any; set once by `main`.
static FOLDER: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();

/// Chooses the card folder for the rest of the run (the tutor's `:ref` and `:explain` use it).
pub fn use_folder(folder: Option<std::path::PathBuf>) {
    let _ = FOLDER.set(folder);
}

/// The cards of this run: the folder given with `--reference`, else the bundled ones. A folder that cannot be read
/// gives an empty set here; `shelltutor ref` and `verify` report why.
pub fn current() -> Reference {
    match FOLDER.get() {
        Some(Some(folder)) => {
            Reference::from_folder(folder).unwrap_or_else(|_| Reference::from_files(Vec::new()))
        }
        _ => Reference::bundled(),
    }
}

/// The names of this run's cards (commands and aliases), for completion.
pub fn card_names() -> Vec<String> {
    current().names()
}

/// Whether `folder` holds cards rather than lessons: some Markdown file's front matter sets `command`, and none
/// sets `title` (which every lesson has).
pub fn is_card_folder(folder: &Path) -> bool {
    let Ok(reference) = Reference::from_folder(folder) else {
        return false;
    };
    let mut cards = false;
    for file in &reference.files {
        let Ok(bytes) = &file.bytes else { continue };
        let text = String::from_utf8_lossy(bytes);
        let Ok(split) = crate::lesson::front_matter::split(&text) else {
            continue;
        };
        let defines = |key: &str| {
            split.toml.lines().any(|line| {
                line.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
        };
        if defines("title") {
            return false;
        }
        cards |= defines("command");
    }
    cards
}

/// Hidden files and a folder's `README.md` are not cards.
fn is_card_candidate(file_name: &str) -> bool {
    !file_name.starts_with('.') && !file_name.eq_ignore_ascii_case("README.md")
}

fn parse_file(file: &CardFile) -> Result<Card, Vec<CardError>> {
    let at_start = |kind| vec![CardError::new(&file.display, 1, 1, kind)];
    let bytes = match &file.bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            return Err(at_start(CardErrorKind::Unreadable {
                message: message.clone(),
            }))
        }
    };
    if !file.file_name.ends_with(".md") {
        let reason = "its name does not end in '.md'".to_string();
        return Err(at_start(CardErrorKind::NotMarkdown { reason }));
    }
    card::parse_card(&file.display, &file.file_name, bytes)
}

fn entry_of(file: &CardFile) -> Option<Entry> {
    let text = std::str::from_utf8(file.bytes.as_ref().ok()?).ok()?;
    let (front, _, _) = front_matter::read(text).ok()?;
    Some(Entry {
        command: front.command.trim().to_string(),
        aliases: front.aliases,
        summary: front.summary.trim().to_string(),
        kind: front.kind,
    })
}

/// A name used by two cards is reported at the second card's `command` (or `aliases`) line.
fn collisions(cards: &[Card]) -> Vec<CardError> {
    let mut problems = Vec::new();
    for (index, card) in cards.iter().enumerate() {
        for (position, name) in card.names().enumerate() {
            let earlier = cards[..index]
                .iter()
                .find(|other| other.names().any(|n| n == name));
            let within = card.names().take(position).any(|n| n == name);
            let first = match (earlier, within) {
                (Some(other), _) => other.source.clone(),
                (None, true) => card.source.clone(),
                (None, false) => continue,
            };
            let line = if position == 0 {
                card.command_line
            } else {
                card.aliases_line
            };
            let kind = CardErrorKind::Collision {
                name: name.to_string(),
                first,
            };
            problems.push(CardError::new(&card.source, line, 1, kind));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn card_text(command: &str, aliases: &str) -> String {
        format!(
            "+++\ncommand = \"{command}\"\naliases = [{aliases}]\nsummary = \"does {command}\"\n+++\n\n# {command} — does {command}\n\n## Synopsis\n\n```text\n{command}\n```\n\n## Options\n\n- `-x`: an option\n\n## Examples\n\n```console\n$ {command}\n```\n"
        )
    }

    fn files(cards: &[(&str, String)]) -> Reference {
        let files = cards
            .iter()
            .map(|(name, text)| CardFile {
                display: format!("cards/{name}"),
                file_name: (*name).to_string(),
                bytes: Ok(text.clone().into_bytes()),
            })
            .collect();
        Reference::from_files(files)
    }

    #[test]
    fn the_bundled_reference_loads_without_a_problem() {
        let reference = Reference::bundled();
        let cards = reference
            .load_all()
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(cards.len() >= 10, "{}", cards.len());
        for name in [
            "rm", "rmdir", "mkdir", "touch", "cd", "pwd", "ls", "cat", "echo", "whoami",
        ] {
            assert!(
                cards.iter().any(|c| c.command == name),
                "no card for {name}"
            );
        }
    }

    #[test]
    fn finds_by_command_and_alias_and_suggests_on_typos() {
        let reference = files(&[
            ("vim.md", card_text("vim", "\"vi\"")),
            ("mkdir.md", card_text("mkdir", "")),
        ]);
        assert_eq!(reference.find("vim").expect("found").command, "vim");
        assert_eq!(reference.find("vi").expect("by alias").command, "vim");
        let error = reference
            .find("mkdri")
            .expect_err("no such card")
            .to_string();
        assert!(error.contains("did you mean 'mkdir'?"), "{error}");
        assert_eq!(reference.names(), ["mkdir", "vi", "vim"]);
        let entries = reference.entries();
        assert_eq!(entries[0].summary, "does mkdir");
    }

    #[test]
    fn colliding_names_are_errors() {
        let reference = files(&[
            ("vim.md", card_text("vim", "\"vi\"")),
            ("vi.md", card_text("vi", "")),
        ]);
        let Err(LoadError::Cards(problems)) = reference.load_all() else {
            panic!("the collision is not reported");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "cards/vim.md");
        assert_eq!(
            problems[0].kind,
            CardErrorKind::Collision {
                name: "vi".into(),
                first: "cards/vi.md".into()
            }
        );
    }

    #[test]
    fn other_files_are_skipped_or_reported() {
        let reference = files(&[
            ("README.md", "# cards".into()),
            (".rm.md.swp", "x".into()),
            ("notes.txt", "x".into()),
        ]);
        let Err(LoadError::Cards(problems)) = reference.load_all() else {
            panic!("notes.txt is not reported");
        };
        assert_eq!(problems.len(), 1);
        assert!(matches!(
            problems[0].kind,
            CardErrorKind::NotMarkdown { .. }
        ));
    }

    #[test]
    fn card_folders_are_told_from_lesson_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("rm.md"), card_text("rm", "")).expect("write");
        assert!(is_card_folder(dir.path()));
        std::fs::write(dir.path().join("01-x.md"), "+++\ntitle = \"X\"\n+++\n").expect("write");
        assert!(!is_card_folder(dir.path()));
        assert!(!is_card_folder(&dir.path().join("missing")));
    }
}
