//! `shelltutor list`: the lessons in order, as a table for people or JSON for scripts.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::catalog::Catalog;
use crate::cli::ListArgs;
use crate::programs;
use crate::render::sanitize;
use crate::terminal::Style;

/// One row of `list --json`; the field names are a stable interface.
#[derive(Debug, Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    exercises: usize,
    exercise_ids: Vec<&'a str>,
    requires: &'a [String],
    teaches: &'a [String],
    missing: Vec<&'a str>,
    source: &'a str,
}

/// `list --json`: the format's version and the lessons; fields are only ever added (docs/json.md).
#[derive(Debug, Serialize)]
struct Listing<'a> {
    version: u32,
    lessons: Vec<Row<'a>>,
}

pub fn run(args: &ListArgs, catalog: &Catalog, style: &Style) -> Result<ExitCode> {
    let rows: Vec<Row<'_>> = catalog
        .lessons
        .iter()
        .map(|lesson| Row {
            id: &lesson.id,
            title: &lesson.title,
            exercises: lesson.exercises.len(),
            exercise_ids: lesson.exercises.iter().map(|e| e.id.as_str()).collect(),
            requires: &lesson.requires,
            teaches: &lesson.teaches,
            missing: programs::missing(&lesson.requires),
            source: &lesson.source,
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let listing = Listing {
            version: 1,
            lessons: rows,
        };
        crate::json::write_pretty(&mut out, &listing)?;
    } else {
        write_table(&mut out, &rows, style.width)?;
        if let Some(hint) = install_hint(&rows) {
            writeln!(out, "\n{hint}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// How to install every missing program at once, with the packages named (Debian, Ubuntu); `None` when nothing
/// is missing.
fn install_hint(rows: &[Row<'_>]) -> Option<String> {
    let mut packages: Vec<String> = rows
        .iter()
        .flat_map(|row| &row.missing)
        .map(|program| programs::package(program).to_string())
        .collect();
    packages.sort();
    packages.dedup();
    if packages.is_empty() {
        return None;
    }
    let packages = sanitize::inline(&packages.join(" "));
    Some(format!(
        "Lessons whose programs are missing are skipped. To install them (Debian, Ubuntu): sudo apt-get install {packages}"
    ))
}

/// The table, at most `width` columns wide: titles are cut with `…` when the row would be wider.
fn write_table(out: &mut impl Write, rows: &[Row<'_>], width: usize) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No lessons found.");
    }
    let titles: Vec<String> = rows.iter().map(|r| sanitize::inline(r.title)).collect();
    let missing: Vec<String> = rows
        .iter()
        .map(|row| {
            if row.missing.is_empty() {
                "-".to_string()
            } else {
                // Program names come from the lesson's front matter: text a terminal must not act on.
                sanitize::inline(&row.missing.join(", "))
            }
        })
        .collect();
    let id_width = column_width("ID", rows.iter().map(|r| r.id));
    let missing_width = column_width("MISSING", missing.iter().map(String::as_str));
    // "  #  " + id + "  " + title + "  EXERCISES  " + missing
    let fixed = 5 + id_width + 2 + 2 + 9 + 2 + missing_width;
    if fixed + 5 > width {
        return write_stacked(out, rows, &titles, &missing, id_width, width);
    }
    let title_width = column_width("TITLE", titles.iter().map(String::as_str))
        .min(width.saturating_sub(fixed).max(5));
    writeln!(
        out,
        "{:>3}  {}  {}  EXERCISES  MISSING",
        "#",
        pad("ID", id_width),
        pad("TITLE", title_width)
    )?;
    for (index, row) in rows.iter().enumerate() {
        writeln!(
            out,
            "{:>3}  {}  {}  {:>9}  {}",
            index + 1,
            pad(row.id, id_width),
            pad(&cut(&titles[index], title_width), title_width),
            row.exercises,
            missing[index],
        )?;
    }
    Ok(())
}

/// The table for a narrow screen, where a title column would not fit: each title on its own line under its row.
fn write_stacked(
    out: &mut impl Write,
    rows: &[Row<'_>],
    titles: &[String],
    missing: &[String],
    id_width: usize,
    width: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>3}  {}  EXERCISES  MISSING",
        "#",
        pad("ID", id_width)
    )?;
    for (index, row) in rows.iter().enumerate() {
        writeln!(
            out,
            "{:>3}  {}  {:>9}  {}",
            index + 1,
            pad(row.id, id_width),
            row.exercises,
            missing[index],
        )?;
        writeln!(
            out,
            "     {}",
            cut(&titles[index], width.saturating_sub(5).max(5))
        )?;
    }
    Ok(())
}

/// `text` cut to `width` columns, ending in `…` when it was cut.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.width().unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(UnicodeWidthStr::width)
        .chain([header.width()])
        .max()
        .unwrap_or(0)
}

/// Left-aligns by display width, which `format!`'s padding does not know about.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_marks_missing_programs() {
        let requires = vec!["vi".to_string()];
        let rows = [
            Row {
                id: "whoami",
                title: "Who am I?",
                exercises: 3,
                exercise_ids: vec![],
                requires: &[],
                teaches: &[],
                missing: vec![],
                source: "a",
            },
            Row {
                id: "vi",
                title: "Édition",
                exercises: 12,
                exercise_ids: vec![],
                requires: &requires,
                teaches: &[],
                missing: vec!["vi"],
                source: "b",
            },
        ];
        let mut out = Vec::new();
        write_table(&mut out, &rows, 80).expect("write to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        let expected = "  #  ID      TITLE      EXERCISES  MISSING\n  1  whoami  Who am I?          3  -\n  2  vi      Édition           12  vi\n";
        assert_eq!(text, expected);

        let mut narrow = Vec::new();
        write_table(&mut narrow, &rows, 40).expect("write to a Vec");
        let narrow = String::from_utf8(narrow).expect("utf-8");
        assert!(narrow.lines().all(|l| l.width() <= 40), "{narrow}");
        assert!(narrow.contains("Who am…"), "{narrow}");

        // Too narrow for a title column: each title goes under its row, still within the width.
        let mut stacked = Vec::new();
        write_table(&mut stacked, &rows, 32).expect("write to a Vec");
        let stacked = String::from_utf8(stacked).expect("utf-8");
        assert!(stacked.lines().all(|l| l.width() <= 32), "{stacked}");
        assert!(stacked.contains("\n     Who am I?\n"), "{stacked}");
    }
}
