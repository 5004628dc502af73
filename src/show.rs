//! `shelltutor show`: a lesson (or one exercise) rendered for reading, never with its solutions or hint texts.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::cli::ShowArgs;
use crate::render::{render_markdown, RenderOptions};
use crate::settings::Settings;
use crate::terminal::{self, Style};

pub fn run(
    args: &ShowArgs,
    catalog: &Catalog,
    style: &Style,
    settings: &Settings,
) -> Result<ExitCode> {
    let markdown = markdown_for(&args.id, catalog)?;
    let options = RenderOptions {
        width: style.width,
        color: !style.plain,
        hyperlinks: style.hyperlinks,
    };
    let mut rendered = Vec::new();
    render_markdown(&markdown, &options, &mut rendered).context("rendering the lesson")?;
    terminal::print_paged(&rendered, style, settings.paging, settings.pager.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The Markdown of a whole lesson (`cd`) or of one exercise's section (`cd/go-home-the-short-way`).
fn markdown_for(id: &str, catalog: &Catalog) -> Result<String> {
    if !id.contains('/') {
        return Ok(catalog.find(id)?.markdown.clone());
    }
    let (lesson, exercise) = catalog.find_exercise(id)?;
    Ok(lesson.markdown_lines(exercise.line, exercise.end_line))
}
