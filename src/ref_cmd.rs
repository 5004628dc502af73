//! `shelltutor ref [CMD]` and the tutor's `:ref CMD`: a command's card rendered like a lesson, the list of cards,
//! or, for a command without a card, what the system knows of it (the man page's NAME, SYNOPSIS and options, or a
//! builtin's `help`), saying plainly that there is no card.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;

use crate::builtins;
use crate::cli::RefArgs;
use crate::manpage::{self, ManPage};
use crate::reference::{Card, Reference};
use crate::render::{render_markdown, RenderOptions};
use crate::settings::Settings;
use crate::terminal::{self, Style};

pub fn run(
    args: &RefArgs,
    reference: &Reference,
    style: &Style,
    settings: &Settings,
) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let Some(name) = &args.command else {
        if args.json {
            serde_json::to_writer_pretty(&mut out, &reference.entries())?;
            writeln!(out)?;
        } else {
            write_list(&mut out, reference)?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    if args.json {
        let value = json_of(name, reference)?;
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    drop(out);
    let text = rendered(name, reference, &render_options(style))?;
    terminal::print_paged(&text, style, settings.paging, settings.pager.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `:ref NAME` in the tutor: the same text as `shelltutor ref NAME`, printed without a pager (the tutor's screen
/// scrolls), or the reason there is none.
pub fn in_tutor(name: &str, style: &Style) -> Result<()> {
    let text = match rendered(name, &crate::reference::current(), &render_options(style)) {
        Ok(text) => text,
        Err(error) => format!("{error:#}\n").into_bytes(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&text)?;
    out.flush()?;
    Ok(())
}

fn render_options(style: &Style) -> RenderOptions {
    RenderOptions {
        width: style.width,
        color: !style.plain,
        hyperlinks: style.hyperlinks,
    }
}

/// The card of `name` rendered, or what the system knows of the command, or an error with suggestions.
pub fn rendered(name: &str, reference: &Reference, options: &RenderOptions) -> Result<Vec<u8>> {
    let markdown = match reference.card(name)? {
        Some(card) => card_markdown(&card),
        None => {
            fallback_markdown(name).ok_or_else(|| anyhow::Error::new(reference.no_card(name)))?
        }
    };
    let mut text = Vec::new();
    render_markdown(&markdown, options, &mut text).context("rendering the card")?;
    Ok(text)
}

/// The card's Markdown as a reader sees it: placeholders in proven output are the reader's own name and home, and
/// a last line names the lesson that teaches the command.
pub fn card_markdown(card: &Card) -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "you".to_string());
    let home = std::env::var("HOME").unwrap_or_else(|_| format!("/home/{user}"));
    let mut markdown = card
        .markdown
        .trim_start_matches('\n')
        .replace("{user}", &user)
        .replace("{home}", &home);
    if let Some(lesson) = &card.lesson {
        markdown.push_str(&format!(
            "\n\nTaught in lesson `{0}`: `shelltutor start {0}`.\n",
            lesson.value
        ));
    }
    markdown
}

/// What to show for a command without a card: a builtin's `help`, else the man page's summary, else nothing.
fn fallback_markdown(name: &str) -> Option<String> {
    if let Some(help) = builtins::help_text(name) {
        let kind = if builtins::is_keyword(name) {
            "a bash keyword"
        } else {
            "a bash builtin"
        };
        return Some(format!(
            "# {name}\n\nThere is no card for `{name}` yet. It is {kind}; this is bash's own help (`help {name}`):\n\n```text\n{}\n```\n",
            help.trim_end()
        ));
    }
    manpage::find(name).map(|page| man_markdown(name, &page))
}

fn man_markdown(name: &str, page: &ManPage) -> String {
    let mut markdown = format!(
        "# {name}\n\nThere is no card for `{name}` yet. This is from its man page ({}); `man {name}` shows all of it.\n\n## Name\n\n{}\n",
        escape(&page.path.display().to_string()),
        escape(&page.name)
    );
    if !page.synopsis.is_empty() {
        markdown.push_str(&format!(
            "\n## Synopsis\n\n```text\n{}\n```\n",
            page.synopsis.join("\n")
        ));
    }
    if !page.options.is_empty() {
        markdown.push_str("\n## Options\n\n");
        for option in &page.options {
            let spellings: Vec<String> = option
                .spellings
                .iter()
                .map(|s| format!("`{}`", s.text.replace('`', "'")))
                .collect();
            markdown.push_str(&format!(
                "- {}: {}\n",
                spellings.join(", "),
                escape(&option.meaning)
            ));
        }
    }
    markdown
}

/// Text from a man page, safe to put into Markdown: characters that would start markup are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `ref` alone: every card with its summary, and how to see one.
fn write_list(out: &mut impl Write, reference: &Reference) -> std::io::Result<()> {
    let entries = reference.entries();
    let width = entries.iter().map(|e| e.command.len()).max().unwrap_or(0);
    for entry in &entries {
        let aliases = if entry.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", entry.aliases.join(", "))
        };
        writeln!(out, "{:<width$}  {}{aliases}", entry.command, entry.summary)?;
    }
    writeln!(
        out,
        "{} cards. 'shelltutor ref CMD' shows one; 'shelltutor explain LINE' explains a command line.",
        entries.len()
    )
}

/// `ref NAME --json`: the card's fields, or what the man page or `help` says, or an error.
fn json_of(name: &str, reference: &Reference) -> Result<serde_json::Value> {
    if let Some(card) = reference.card(name)? {
        return Ok(card_json(&card));
    }
    if let Some(help) = builtins::help_text(name) {
        return Ok(json!({ "command": name, "card": false, "source": "help", "help": help }));
    }
    if let Some(page) = manpage::find(name) {
        return Ok(json!({
            "command": name,
            "card": false,
            "source": "man",
            "path": page.path,
            "name": page.name,
            "synopsis": page.synopsis,
            "options": page.options,
        }));
    }
    Err(reference.no_card(name).into())
}

pub fn card_json(card: &Card) -> serde_json::Value {
    json!({
        "command": card.command,
        "card": true,
        "aliases": card.aliases,
        "summary": card.summary,
        "kind": card.kind,
        "lesson": card.lesson.as_ref().map(|l| &l.value),
        "see_also": card.see_also,
        "requires": card.requires,
        "synopsis": card.synopsis,
        "options": card.options,
        "examples": card.examples,
        "source": card.source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(name: &str) -> String {
        let options = RenderOptions {
            width: 100,
            color: false,
            hyperlinks: false,
        };
        let text = rendered(name, &Reference::bundled(), &options).expect("rendered");
        String::from_utf8(text).expect("UTF-8")
    }

    #[test]
    fn the_rm_card_says_what_f_and_r_do() {
        let text = plain("rm");
        assert!(text.contains("ignore"), "{text}");
        assert!(text.contains("never prompt"), "{text}");
        assert!(!text.contains("```"), "{text}");
    }

    #[test]
    fn markdown_escaping_keeps_text_literal() {
        assert_eq!(escape("a*b_c [x]"), "a\\*b\\_c \\[x\\]");
    }

    #[test]
    fn a_missing_command_gets_suggestions() {
        let options = RenderOptions {
            width: 80,
            color: false,
            hyperlinks: false,
        };
        let error =
            rendered("rmdri-no-such", &Reference::bundled(), &options).expect_err("nothing");
        assert!(
            error.to_string().contains("no card for 'rmdri-no-such'"),
            "{error}"
        );
    }
}
