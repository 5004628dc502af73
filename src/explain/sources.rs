//! Where `explain` learns about commands: cards, man pages, bash's `help`, and `PATH`.
//!
//! Behind a trait so that tests can explain lines against fixed facts (the same program paths and man pages on
//! every machine), while the real thing reads each source lazily and at most once per command.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::rc::Rc;

use crate::manpage::{self, ManPage};
use crate::reference::{Card, Reference};

/// What `explain` may ask about a command name.
pub trait Sources {
    /// The card for `name`, if there is one.
    fn card(&self, name: &str) -> Option<Rc<Card>>;
    /// The installed man page of `name`.
    fn man(&self, name: &str) -> Option<Rc<ManPage>>;
    /// bash's `help` text for a builtin or keyword.
    fn help(&self, name: &str) -> Option<Rc<String>>;
    /// The program `name` runs, found through `PATH`.
    fn resolve(&self, name: &str) -> Option<PathBuf>;
}

/// The machine's own sources, each read on first use and remembered.
#[derive(Debug)]
pub struct SystemSources {
    reference: Reference,
    path: OsString,
    cards: RefCell<HashMap<String, Option<Rc<Card>>>>,
    pages: RefCell<HashMap<String, Option<Rc<ManPage>>>>,
    helps: RefCell<HashMap<String, Option<Rc<String>>>>,
}

impl SystemSources {
    pub fn new(reference: Reference) -> SystemSources {
        SystemSources {
            reference,
            path: std::env::var_os("PATH").unwrap_or_default(),
            cards: RefCell::default(),
            pages: RefCell::default(),
            helps: RefCell::default(),
        }
    }
}

fn remembered<T>(
    cache: &RefCell<HashMap<String, Option<Rc<T>>>>,
    name: &str,
    load: impl FnOnce() -> Option<T>,
) -> Option<Rc<T>> {
    if let Some(known) = cache.borrow().get(name) {
        return known.clone();
    }
    let value = load().map(Rc::new);
    cache.borrow_mut().insert(name.to_string(), value.clone());
    value
}

impl Sources for SystemSources {
    fn card(&self, name: &str) -> Option<Rc<Card>> {
        remembered(&self.cards, name, || {
            self.reference.card(name).ok().flatten()
        })
    }

    fn man(&self, name: &str) -> Option<Rc<ManPage>> {
        remembered(&self.pages, name, || manpage::find(name))
    }

    fn help(&self, name: &str) -> Option<Rc<String>> {
        remembered(&self.helps, name, || crate::builtins::help_text(name))
    }

    fn resolve(&self, name: &str) -> Option<PathBuf> {
        crate::programs::find_in(name, &self.path)
    }
}

/// Fixed facts for tests: the bundled cards, programs in `/usr/bin`, and man pages given as roff source.
#[cfg(test)]
#[derive(Debug)]
pub struct Fixed {
    pub reference: Reference,
    pub programs: Vec<&'static str>,
    pub pages: Vec<(&'static str, &'static str)>,
    pub helps: Vec<(&'static str, &'static str)>,
}

#[cfg(test)]
impl Sources for Fixed {
    fn card(&self, name: &str) -> Option<Rc<Card>> {
        self.reference.card(name).ok().flatten().map(Rc::new)
    }

    fn man(&self, name: &str) -> Option<Rc<ManPage>> {
        let (_, source) = self.pages.iter().find(|(n, _)| *n == name)?;
        Some(Rc::new(manpage::from_source(
            PathBuf::from(format!("/usr/share/man/man1/{name}.1.gz")),
            source,
        )))
    }

    fn help(&self, name: &str) -> Option<Rc<String>> {
        let (_, text) = self.helps.iter().find(|(n, _)| *n == name)?;
        Some(Rc::new((*text).to_string()))
    }

    fn resolve(&self, name: &str) -> Option<PathBuf> {
        self.programs
            .contains(&name)
            .then(|| PathBuf::from(format!("/usr/bin/{name}")))
    }
}
