//! The installed man page of a command, found and read offline: its NAME line, SYNOPSIS and options.
//!
//! `ref` shows these for a command without a card, and `explain` takes option meanings from them when no card
//! lists the option. The page's source is located the way `man` does for section 1 and 8 commands (the `MANPATH`,
//! else the folders beside `PATH`'s and the usual system ones), decompressed in process, and read by
//! [`roff`], never formatted by groff: that is what keeps it faster than `man -P cat`.

pub mod roff;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::reference::spelling::Spelling;
use roff::{Block, Document};

/// What the reference needs of a man page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManPage {
    pub path: PathBuf,
    /// The NAME line (`rm - remove files or directories`).
    pub name: String,
    /// The SYNOPSIS, one usage per line.
    pub synopsis: Vec<String>,
    pub options: Vec<ManOption>,
}

/// One option as the man page describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ManOption {
    pub spellings: Vec<Spelling>,
    /// The whole description, whitespace collapsed.
    pub meaning: String,
}

impl ManPage {
    /// The option spelt `flag`, if the page lists it.
    pub fn option(&self, flag: &str) -> Option<(&ManOption, &Spelling)> {
        self.options.iter().find_map(|option| {
            option
                .spellings
                .iter()
                .find(|s| s.flag == flag)
                .map(|s| (option, s))
        })
    }

    /// The NAME line's description (`remove files or directories`).
    pub fn summary(&self) -> &str {
        self.name
            .split_once(" - ")
            .or_else(|| self.name.split_once(" — "))
            .map_or(self.name.as_str(), |(_, description)| description)
            .trim()
    }
}

/// The man page of command `name` in sections 1 or 8, if one is installed.
pub fn find(name: &str) -> Option<ManPage> {
    if name.is_empty() || name.contains(['/', '\0']) || name.starts_with('.') {
        return None;
    }
    let path = locate(name, &roots())?;
    let source = read_source(&path, 0)?;
    Some(from_source(path, &source))
}

/// Builds a [`ManPage`] from the source of a page.
pub fn from_source(path: PathBuf, source: &str) -> ManPage {
    let document = roff::parse(source);
    ManPage {
        path,
        name: section_text(&document, "NAME")
            .first()
            .cloned()
            .unwrap_or_default(),
        synopsis: section_text(&document, "SYNOPSIS"),
        options: options(&document),
    }
}

/// The lines of a section: each paragraph, and each of its `\n`-broken lines, whitespace collapsed.
fn section_text(document: &Document, title: &str) -> Vec<String> {
    let Some(section) = document.section(title) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for block in &section.blocks {
        let text = match block {
            Block::Text(text) => text.clone(),
            Block::Tagged { tag, body } => format!("{tag} {body}"),
        };
        lines.extend(text.lines().map(collapse).filter(|line| !line.is_empty()));
    }
    lines
}

/// Every tagged paragraph whose tag is an option, in the order of the page.
fn options(document: &Document) -> Vec<ManOption> {
    let mut options = Vec::new();
    for section in &document.sections {
        for block in &section.blocks {
            let Block::Tagged { tag, body } = block else {
                continue;
            };
            if !roff::looks_like_option(tag) {
                continue;
            }
            let spellings: Vec<Spelling> = split_tag(tag)
                .into_iter()
                .filter(|part| roff::looks_like_option(part))
                .map(|part| Spelling::parse(&part))
                .collect();
            if spellings.is_empty() {
                continue;
            }
            options.push(ManOption {
                spellings,
                meaning: collapse(body),
            });
        }
    }
    options
}

/// `-n, --lines=[-]NUM` -> [`-n`, `--lines=[-]NUM`]: commas outside brackets separate spellings.
fn split_tag(tag: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in tag.chars() {
        match c {
            '[' | '{' | '<' => depth += 1,
            ']' | '}' | '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current).trim().to_string());
        } else {
            current.push(c);
        }
    }
    parts.push(current.trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The folders holding `man1/`, `man8/`...: `MANPATH` (an empty entry stands for the defaults), else the defaults.
fn roots() -> Vec<PathBuf> {
    let defaults = default_roots();
    let mut roots: Vec<PathBuf> = match std::env::var_os("MANPATH") {
        Some(manpath) if !manpath.is_empty() => {
            let mut roots = Vec::new();
            for entry in std::env::split_paths(&manpath) {
                if entry.as_os_str().is_empty() {
                    roots.extend(defaults.iter().cloned());
                } else {
                    roots.push(entry);
                }
            }
            roots
        }
        _ => defaults,
    };
    let mut seen = Vec::new();
    roots.retain(|root| {
        let new = !seen.contains(root);
        seen.push(root.clone());
        new
    });
    roots
}

/// The folders beside each `PATH` entry (`/usr/bin` -> `/usr/share/man`), then the usual system ones.
fn default_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if let Some(parent) = dir.parent() {
                roots.push(parent.join("share/man"));
                roots.push(parent.join("man"));
            }
        }
    }
    for fixed in ["/usr/local/share/man", "/usr/share/man", "/usr/local/man"] {
        roots.push(PathBuf::from(fixed));
    }
    roots
}

/// The first page file for `name` in sections 1, 8 and 6 (and their suffixed variants such as `1ssl`).
fn locate(name: &str, roots: &[PathBuf]) -> Option<PathBuf> {
    for root in roots {
        for section in ["1", "8", "6"] {
            let dir = root.join(format!("man{section}"));
            for suffix in ["", "ssl", "p", "posix"] {
                for compression in [".gz", ""] {
                    let candidate = dir.join(format!("{name}.{section}{suffix}{compression}"));
                    if candidate.is_file() {
                        return Some(candidate);
                    }
                }
            }
        }
    }
    None
}

/// The page's source, decompressed, following `.so` links (a page that is only `.so man1/other.1`).
fn read_source(path: &Path, hops: usize) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .take(16 * 1024 * 1024)
            .read_to_end(&mut text)
            .ok()?;
        text
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with(".\\\""))?;
    if let Some(target) = first.strip_prefix(".so ") {
        if hops >= 3 {
            return None;
        }
        let root = path.parent()?.parent()?;
        let target = root.join(target.trim());
        let target = if target.is_file() {
            target
        } else {
            let gz = PathBuf::from(format!("{}.gz", target.display()));
            gz.is_file().then_some(gz)?
        };
        return read_source(&target, hops + 1);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_into_spellings() {
        assert_eq!(split_tag("-n, --lines=[-]NUM"), ["-n", "--lines=[-]NUM"]);
        assert_eq!(split_tag("--color[=WHEN], -x"), ["--color[=WHEN]", "-x"]);
        assert_eq!(split_tag("-o {a,b}"), ["-o {a,b}"]);
    }

    #[test]
    fn a_page_from_source() {
        let page = from_source(
            PathBuf::from("rm.1"),
            ".SH NAME\nrm \\- remove files\n.SH SYNOPSIS\n.B rm\nFILE\n.br\n.B rm\n\\-\\-help\n.SH OPTIONS\n.TP\n\\fB\\-n\\fR, \\fB\\-\\-lines\\fR=\\fI\\,NUM\\/\\fR\nprint NUM lines\ninstead of 10\n.TP\n\\fBplain\\fR\nnot an option\n",
        );
        assert_eq!(page.name, "rm - remove files");
        assert_eq!(page.summary(), "remove files");
        assert_eq!(page.synopsis, ["rm FILE", "rm --help"]);
        assert_eq!(page.options.len(), 1);
        let (option, spelling) = page.option("--lines").expect("listed");
        assert_eq!(option.meaning, "print NUM lines instead of 10");
        assert_eq!(spelling.argument.as_deref(), Some("NUM"));
        assert!(page.option("-n").expect("listed").1.argument.is_none());
    }

    #[test]
    fn locates_compressed_pages_and_follows_so_links() {
        let root = tempfile::tempdir().expect("temp dir");
        let man1 = root.path().join("man1");
        std::fs::create_dir(&man1).expect("mkdir");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, b".SH NAME\nreal \\- the real page\n")
            .expect("gzip");
        std::fs::write(man1.join("real.1.gz"), encoder.finish().expect("gzip")).expect("write");
        std::fs::write(man1.join("link.1"), ".so man1/real.1\n").expect("write");
        let roots = vec![root.path().to_path_buf()];
        let path = locate("link", &roots).expect("found");
        let source = read_source(&path, 0).expect("readable");
        assert_eq!(from_source(path, &source).summary(), "the real page");
        assert!(locate("absent", &roots).is_none());
    }

    #[test]
    fn names_that_are_not_commands_find_nothing() {
        assert!(find("../etc/passwd").is_none());
        assert!(find("").is_none());
    }
}
