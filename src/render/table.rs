//! GFM tables laid out in aligned columns that fit the width.
//!
//! Columns get their natural width when the table fits; otherwise the widest columns are narrowed first (so short
//! columns such as flags or sizes stay intact) and their cells wrap. Only when there are more columns than room
//! does a table overflow the width; it never fails.

use comrak::nodes::{AstNode, NodeValue, TableAlignment};

use super::inline::{flatten, InlineMode, InlineText};
use super::line::Line;
use super::style::{palette, Style};
use super::wrap::wrap;

/// Wide enough that no cell wraps when measuring natural widths, small enough never to overflow arithmetic.
const UNLIMITED: usize = 1 << 20;

/// Lines of the table `node`, with `alignments` per column, at most `width` columns wide where possible.
pub fn render_table<'a>(
    node: &'a AstNode<'a>,
    alignments: &[TableAlignment],
    mode: InlineMode,
    width: usize,
) -> Vec<Line> {
    let rows = read_rows(node, mode);
    let columns = rows.iter().map(|row| row.cells.len()).max().unwrap_or(0);
    if columns == 0 {
        return Vec::new();
    }
    let natural: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.cells.get(column))
                .map(|cell| {
                    wrap(cell, UNLIMITED)
                        .iter()
                        .map(Line::width)
                        .max()
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let separator = Separator::new(mode.color);
    let gaps = (columns - 1) * separator.width();
    let widths = fit_columns(&natural, width.saturating_sub(gaps));
    let mut out = Vec::new();
    for row in &rows {
        out.extend(render_row(row, &widths, alignments, &separator));
        if row.is_header {
            out.push(separator.rule(&widths));
        }
    }
    out
}

struct Row {
    is_header: bool,
    cells: Vec<InlineText>,
}

fn read_rows<'a>(node: &'a AstNode<'a>, mode: InlineMode) -> Vec<Row> {
    node.children()
        .filter_map(|row| match row.data().value {
            NodeValue::TableRow(is_header) => Some((row, is_header)),
            _ => None,
        })
        .map(|(row, is_header)| {
            let style = if is_header {
                palette::TABLE_HEADER
            } else {
                Style::PLAIN
            };
            Row {
                is_header,
                cells: row
                    .children()
                    .map(|cell| flatten(cell, style, mode))
                    .collect(),
            }
        })
        .collect()
}

/// Column widths that sum to at most `available` (each at least one column), narrowing the widest first.
fn fit_columns(natural: &[usize], available: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= available {
        return natural.to_vec();
    }
    let total_under = |cap: usize| -> usize { natural.iter().map(|&w| w.min(cap)).sum() };
    // The largest cap on column width that fits, found by bisection; at least 1 even if nothing fits.
    let (mut low, mut high) = (1, natural.iter().copied().max().unwrap_or(1));
    while low < high {
        let middle = (low + high).div_ceil(2);
        if total_under(middle) <= available {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    let mut widths: Vec<usize> = natural.iter().map(|&w| w.min(low)).collect();
    // Hand the columns left over to the narrowed columns, one each, left to right.
    let mut spare = available.saturating_sub(widths.iter().sum());
    for (width, &wanted) in widths.iter_mut().zip(natural) {
        if spare == 0 {
            break;
        }
        if *width < wanted {
            *width += 1;
            spare -= 1;
        }
    }
    widths
}

fn render_row(
    row: &Row,
    widths: &[usize],
    alignments: &[TableAlignment],
    separator: &Separator,
) -> Vec<Line> {
    let empty = InlineText::new();
    let cell_lines: Vec<Vec<Line>> = widths
        .iter()
        .enumerate()
        .map(|(column, &width)| wrap(row.cells.get(column).unwrap_or(&empty), width))
        .collect();
    let height = cell_lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
    (0..height)
        .map(|index| {
            let mut line = Line::new();
            for (column, &width) in widths.iter().enumerate() {
                if column > 0 {
                    line.append(separator.bar.clone());
                }
                let content = cell_lines[column].get(index).cloned().unwrap_or_default();
                let alignment = alignments
                    .get(column)
                    .copied()
                    .unwrap_or(TableAlignment::None);
                line.append(pad(content, width, alignment));
            }
            line
        })
        .collect()
}

fn pad(content: Line, width: usize, alignment: TableAlignment) -> Line {
    let room = width.saturating_sub(content.width());
    let left = match alignment {
        TableAlignment::Right => room,
        TableAlignment::Center => room / 2,
        TableAlignment::Left | TableAlignment::None => 0,
    };
    let mut line = Line::styled(" ".repeat(left), Style::PLAIN);
    line.append(content);
    line.push(" ".repeat(room - left), Style::PLAIN);
    line
}

/// The column separator and the rule under the header: ASCII in plain mode, box drawing in colour.
struct Separator {
    bar: Line,
    horizontal: char,
    crossing: &'static str,
}

impl Separator {
    fn new(color: bool) -> Separator {
        let (bar, horizontal, crossing) = if color {
            (" │ ", '─', "─┼─")
        } else {
            (" | ", '-', "-+-")
        };
        Separator {
            bar: Line::styled(bar, palette::DECORATION),
            horizontal,
            crossing,
        }
    }

    fn width(&self) -> usize {
        self.bar.width()
    }

    fn rule(&self, widths: &[usize]) -> Line {
        let parts: Vec<String> = widths
            .iter()
            .map(|&width| self.horizontal.to_string().repeat(width))
            .collect();
        Line::styled(parts.join(self.crossing), palette::DECORATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_that_fit_keep_natural_widths() {
        assert_eq!(fit_columns(&[3, 10], 20), [3, 10]);
    }

    #[test]
    fn the_widest_columns_are_narrowed_first() {
        assert_eq!(fit_columns(&[3, 30, 20], 30), [3, 14, 13]);
    }

    #[test]
    fn columns_never_go_below_one() {
        assert_eq!(fit_columns(&[5, 5, 5], 0), [1, 1, 1]);
    }

    #[test]
    fn cells_are_aligned() {
        let cell = || Line::styled("ab", Style::PLAIN);
        assert_eq!(pad(cell(), 6, TableAlignment::Right).text(), "    ab");
        assert_eq!(pad(cell(), 6, TableAlignment::Center).text(), "  ab  ");
        assert_eq!(pad(cell(), 6, TableAlignment::Left).text(), "ab    ");
        assert_eq!(pad(cell(), 1, TableAlignment::Right).text(), "ab");
    }
}
