//! `shelltutor list`: the lessons in order, as a table for people or JSON for scripts.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::catalog::Catalog;
use crate::cli::ListArgs;
use crate::programs;

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

pub fn run(args: &ListArgs, catalog: &Catalog) -> Result<ExitCode> {
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
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &rows)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(out: &mut impl Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No lessons found.");
    }
    let id_width = column_width("ID", rows.iter().map(|r| r.id));
    let title_width = column_width("TITLE", rows.iter().map(|r| r.title));
    writeln!(
        out,
        "{:>3}  {}  {}  EXERCISES  MISSING",
        "#",
        pad("ID", id_width),
        pad("TITLE", title_width)
    )?;
    for (index, row) in rows.iter().enumerate() {
        let missing = if row.missing.is_empty() {
            "-".to_string()
        } else {
            row.missing.join(", ")
        };
        writeln!(
            out,
            "{:>3}  {}  {}  {:>9}  {missing}",
            index + 1,
            pad(row.id, id_width),
            pad(row.title, title_width),
            row.exercises,
        )?;
    }
    Ok(())
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
        write_table(&mut out, &rows).expect("write to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        let expected = "  #  ID      TITLE      EXERCISES  MISSING\n  1  whoami  Who am I?          3  -\n  2  vi      Édition           12  vi\n";
        assert_eq!(text, expected);
    }
}
