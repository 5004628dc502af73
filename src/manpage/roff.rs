//! A small reader of man page sources (roff with the `man` or `mdoc` macros) that keeps what the reference needs:
//! sections, their paragraphs, and tagged paragraphs (`.TP`, `.IP`, mdoc's `.It`), which is where man pages put
//! their options.
//!
//! It does not lay out text the way groff does; it turns the source into plain text quickly (a man page in well
//! under a millisecond), which is what lets `explain` read option meanings from man pages faster than
//! `man -P cat` formats one. Like explainshell, it finds options as tagged paragraphs whose tag starts with `-`.

/// A man page as sections of blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; lines broken with `.br` or written in no-fill mode keep their `\n`.
    Text(String),
    /// A paragraph with a tag hanging before it (`.TP`, `.IP tag`, `.It`).
    Tagged { tag: String, body: String },
}

impl Document {
    /// The section titled `title` (case-insensitive).
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.title.eq_ignore_ascii_case(title))
    }
}

/// Reads a man page source.
pub fn parse(source: &str) -> Document {
    let mut reader = Reader {
        mdoc: source
            .lines()
            .take(50)
            .any(|l| l.starts_with(".Dd") || l.starts_with(".Sh ")),
        ..Reader::default()
    };
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        reader.line(line, &mut lines);
    }
    reader.flush();
    reader.document
}

#[derive(Default)]
struct Reader {
    document: Document,
    mdoc: bool,
    /// The open paragraph's text.
    text: String,
    /// The open tagged paragraph: its tag, and the `.RS` depth it was opened at, and whether `.RE` back to that
    /// depth closes it (a `.PP` + `.RS` option, as DocBook-made pages write them).
    item: Option<Item>,
    /// The next text line is a `.TP` tag.
    expect_tag: bool,
    /// `.TQ`: the next line is another tag for the same paragraph.
    more_tag: bool,
    no_fill: bool,
    rs_depth: usize,
    /// mdoc `.Bl` nesting, and the depth items belong to.
    list_depth: usize,
    /// The first `.Nm` of an mdoc page, which a bare `.Nm` repeats.
    name: String,
}

struct Item {
    tag: String,
    body: String,
    depth: usize,
    closes_on_re: bool,
}

impl Reader {
    fn line<'a>(&mut self, line: &str, rest: &mut impl Iterator<Item = &'a str>) {
        let line = strip_comment(line);
        let Some(control) = line.strip_prefix('.').or_else(|| line.strip_prefix('\'')) else {
            self.text_line(&inline(line));
            return;
        };
        let control = control.trim_start();
        let (name, args) = control
            .split_once(char::is_whitespace)
            .map_or((control, ""), |(n, a)| (n, a.trim()));
        match name {
            "de" | "de1" | "am" | "ig" => skip_until(rest, |l| l.trim_start().starts_with("..")),
            "if" | "ie" | "el" => {
                if args.contains("\\{") && !args.contains("\\}") {
                    skip_until(rest, |l| l.contains("\\}"));
                }
            }
            _ if self.mdoc => self.mdoc_macro(name, args),
            _ => self.man_macro(name, args),
        }
    }

    fn man_macro(&mut self, name: &str, args: &str) {
        match name {
            "SH" => {
                self.flush();
                self.document.sections.push(Section {
                    title: inline(&join_args(args, " ")).trim().to_string(),
                    blocks: Vec::new(),
                });
            }
            "SS" => {
                self.flush();
                self.text = inline(&join_args(args, " "));
                self.flush();
            }
            "PP" | "P" | "LP" | "HP" => self.paragraph_break(),
            "TP" => {
                self.flush();
                self.expect_tag = true;
            }
            "TQ" => self.more_tag = true,
            "IP" => {
                self.flush();
                let tag = inline(&split_args(args).into_iter().next().unwrap_or_default());
                if !tag.trim().is_empty() {
                    self.open_item(tag, false);
                }
            }
            "RS" => self.indent(),
            "RE" => self.outdent(),
            "B" | "I" | "SM" | "SB" => {
                if args.is_empty() {
                    return;
                }
                self.text_line(&inline(&join_args(args, " ")));
            }
            "BR" | "RB" | "BI" | "IB" | "IR" | "RI" => {
                self.text_line(&inline(&join_args(args, "")));
            }
            "OP" => {
                let words = split_args(args);
                self.text_line(&format!("[{}]", inline(&words.join(" "))));
            }
            "SY" => {
                self.paragraph_break();
                self.text_line(&inline(&join_args(args, " ")));
            }
            "br" => self.push_raw("\n"),
            "sp" => self.push_raw("\n"),
            "nf" | "EX" => self.no_fill = true,
            "fi" | "EE" => self.no_fill = false,
            _ => {}
        }
    }

    fn mdoc_macro(&mut self, name: &str, args: &str) {
        match name {
            "Sh" => {
                self.flush();
                self.document.sections.push(Section {
                    title: mdoc_inline(args, &self.name).trim().to_string(),
                    blocks: Vec::new(),
                });
            }
            "Ss" => {
                self.flush();
                self.text = mdoc_inline(args, &self.name);
                self.flush();
            }
            "Pp" | "Lp" => self.paragraph_break(),
            "Bl" => {
                self.paragraph_break();
                self.list_depth += 1;
            }
            "El" => {
                if self
                    .item
                    .as_ref()
                    .is_some_and(|i| i.depth == self.list_depth)
                {
                    self.flush();
                }
                self.list_depth = self.list_depth.saturating_sub(1);
            }
            "It" => {
                self.flush();
                let tag = mdoc_inline(args, &self.name);
                let depth = self.list_depth;
                self.item = Some(Item {
                    tag,
                    body: String::new(),
                    depth,
                    closes_on_re: false,
                });
            }
            "Bd" => self.no_fill = args.contains("-literal") || args.contains("-unfilled"),
            "Ed" => self.no_fill = false,
            "Nm" => {
                if self.name.is_empty() {
                    self.name = split_args(args).into_iter().next().unwrap_or_default();
                }
                let text = mdoc_inline(&format!("Nm {args}"), &self.name);
                self.text_line(&text);
            }
            "Nd" => {
                let text = format!("- {}", mdoc_inline(args, &self.name));
                self.text_line(&text);
            }
            "Dd" | "Dt" | "Os" => {}
            _ => {
                let text = mdoc_inline(&format!("{name} {args}"), &self.name);
                if !text.is_empty() {
                    self.text_line(&text);
                }
            }
        }
    }

    fn text_line(&mut self, text: &str) {
        if self.expect_tag || self.more_tag {
            let more = self.more_tag;
            self.expect_tag = false;
            self.more_tag = false;
            match (&mut self.item, more) {
                (Some(item), true) => {
                    item.tag.push_str(", ");
                    item.tag.push_str(text.trim());
                }
                _ => self.open_item(text.trim().to_string(), false),
            }
            return;
        }
        if text.trim().is_empty() && !self.no_fill {
            return;
        }
        let separator = if self.no_fill { "\n" } else { " " };
        let target = match &mut self.item {
            Some(item) => &mut item.body,
            None => &mut self.text,
        };
        if !target.is_empty() && !target.ends_with('\n') {
            target.push_str(separator);
        }
        target.push_str(text);
        if self.no_fill {
            target.push('\n');
        }
    }

    fn push_raw(&mut self, text: &str) {
        match &mut self.item {
            Some(item) => item.body.push_str(text),
            None => self.text.push_str(text),
        }
    }

    fn open_item(&mut self, tag: String, closes_on_re: bool) {
        self.item = Some(Item {
            tag,
            body: String::new(),
            depth: self.rs_depth,
            closes_on_re,
        });
    }

    /// `.PP` and friends end the paragraph, except inside an option's indented body, where they only separate.
    fn paragraph_break(&mut self) {
        match &mut self.item {
            Some(item)
                if self.rs_depth > item.depth
                    || (self.mdoc && self.list_depth >= item.depth && item.depth > 0) =>
            {
                if !item.body.is_empty() {
                    item.body.push('\n');
                }
            }
            _ => self.flush(),
        }
    }

    /// `.RS`: a one-line paragraph that looks like an option becomes the tag of what the indent holds.
    fn indent(&mut self) {
        if self.item.is_none() {
            let line = self.text.trim();
            if looks_like_option(line) && !line.contains('\n') {
                let tag = line.to_string();
                self.text.clear();
                self.open_item(tag, true);
            }
        }
        self.rs_depth += 1;
    }

    fn outdent(&mut self) {
        self.rs_depth = self.rs_depth.saturating_sub(1);
        if self
            .item
            .as_ref()
            .is_some_and(|item| item.closes_on_re && item.depth >= self.rs_depth)
        {
            self.flush();
        }
    }

    /// Ends the open paragraph or tagged paragraph.
    fn flush(&mut self) {
        let block = match self.item.take() {
            Some(item) => Some(Block::Tagged {
                tag: item.tag,
                body: item.body.trim().to_string(),
            }),
            None if !self.text.trim().is_empty() => Some(Block::Text(self.text.trim().to_string())),
            None => None,
        };
        self.text.clear();
        self.expect_tag = false;
        let Some(block) = block else { return };
        if self.document.sections.is_empty() {
            self.document.sections.push(Section::default());
        }
        if let Some(section) = self.document.sections.last_mut() {
            section.blocks.push(block);
        }
    }
}

/// Whether a line reads as an option tag: `-f`, `--force`, `+o`.
pub fn looks_like_option(text: &str) -> bool {
    let text = text.trim_start();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some('-'), Some(c)) => c == '-' || c.is_alphanumeric() || c == '?' || c == '@',
        (Some('+'), Some(c)) => c.is_alphanumeric(),
        _ => false,
    }
}

fn skip_until<'a>(lines: &mut impl Iterator<Item = &'a str>, end: impl Fn(&str) -> bool) {
    for line in lines.by_ref() {
        if end(line) {
            return;
        }
    }
}

/// The line without a `\"` comment.
fn strip_comment(line: &str) -> &str {
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        if escaped {
            if c == '"' || c == '#' {
                return &line[..index - 1];
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        }
    }
    line
}

/// Macro arguments: words separated by spaces, `"double quoted"` ones kept whole (`""` is a quote inside).
fn split_args(args: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = args.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        word.push('"');
                        continue;
                    }
                    break;
                }
                word.push(c);
            }
        } else {
            let mut escaped = false;
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() && !escaped {
                    break;
                }
                escaped = c == '\\' && !escaped;
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

fn join_args(args: &str, separator: &str) -> String {
    split_args(args).join(separator)
}

/// The text of roff escapes: fonts dropped, special characters as Unicode, `\-` as `-`.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escape) = chars.next() else { break };
        match escape {
            'f' | 'F' => {
                // \fB, \f(BI, \f[BI]
                skip_name(&mut chars);
            }
            's' => {
                // \s+1, \s-1, \s0, \s(12, \s[12]
                if matches!(chars.peek(), Some('+' | '-')) {
                    chars.next();
                }
                match chars.peek() {
                    Some('(' | '[') => skip_name(&mut chars),
                    Some(c) if c.is_ascii_digit() => {
                        chars.next();
                    }
                    _ => {}
                }
            }
            '(' => {
                let name: String = chars.by_ref().take(2).collect();
                out.push_str(special(&name));
            }
            '[' => {
                let name: String = chars.by_ref().take_while(|c| *c != ']').collect();
                out.push_str(special(&name));
            }
            '*' => {
                let name = read_name(&mut chars);
                out.push_str(string_register(&name));
            }
            'n' | 'm' | 'M' | 'g' | 'k' | 'V' | 'Y' => {
                skip_name(&mut chars);
            }
            'X' | 'h' | 'v' | 'w' | 'o' | 'D' | 'l' | 'L' | 'x' | 'b' | 'Z' | 'R' | 'A' | 'B'
            | 'C' | 'H' | 'S' | 'N' => {
                if let Some(delimiter) = chars.next() {
                    let content: String = chars.by_ref().take_while(|c| *c != delimiter).collect();
                    if escape == 'N' {
                        if let Some(c) = content.parse().ok().and_then(char::from_u32) {
                            out.push(c);
                        }
                    } else if escape == 'h' && !content.starts_with('-') && content != "0" {
                        out.push(' ');
                    }
                }
            }
            'e' | '\\' => out.push('\\'),
            '-' => out.push('-'),
            ' ' | '~' | '0' => out.push(' '),
            '&' | '|' | '^' | '%' | ':' | ',' | '/' | 'c' | 'd' | 'u' | 'r' | 'p' | 'a' | 't'
            | 'z' => {}
            '\'' => out.push('\''),
            '`' => out.push('`'),
            '.' => out.push('.'),
            '"' => break,
            other => out.push(other),
        }
    }
    out
}

/// Reads an escape's name: one character, `(xx`, or `[name]`.
fn read_name(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    match chars.next() {
        Some('(') => chars.by_ref().take(2).collect(),
        Some('[') => chars.by_ref().take_while(|c| *c != ']').collect(),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

fn skip_name(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let _ = read_name(chars);
}

/// Special characters (`\(em`, `\[aq]`) man pages use for text.
fn special(name: &str) -> &'static str {
    match name {
        "em" => "—",
        "en" => "–",
        "hy" | "mi" | "-" => "-",
        "aq" | "cq" | "oq" | "fm" => "'",
        "dq" | "lq" | "rq" | "Lq" | "Rq" => "\"",
        "ga" => "`",
        "ti" | "ap" => "~",
        "ha" | "a^" => "^",
        "rs" => "\\",
        "bu" => "•",
        "co" => "©",
        "rg" => "®",
        "tm" => "™",
        "de" => "°",
        "mu" => "×",
        "lh" | "<-" => "←",
        "rh" | "->" => "→",
        "ba" | "or" => "|",
        "sl" => "/",
        "sq" => "□",
        "Fo" => "«",
        "Fc" => "»",
        "pl" => "+",
        "eq" => "=",
        "<=" => "≤",
        ">=" => "≥",
        "lB" => "[",
        "rB" => "]",
        "lC" => "{",
        "rC" => "}",
        "la" => "⟨",
        "ra" => "⟩",
        "u2014" => "—",
        "u2013" => "–",
        "u2018" | "u2019" => "'",
        "u201C" | "u201D" => "\"",
        _ => "",
    }
}

/// Predefined strings (`\*(lq`, `\*R`) and the usual ones pages define (`\*(Aq`).
fn string_register(name: &str) -> &'static str {
    match name {
        "lq" | "rq" | "L\"" | "R\"" => "\"",
        "Aq" | "aq" => "'",
        "R" => "®",
        "Tm" => "™",
        "ga" => "`",
        "q" => "\"",
        _ => "",
    }
}

/// Callable mdoc macros that render as their arguments (with a decoration for some).
const MDOC_CALLABLE: [&str; 62] = [
    "Ad", "An", "Ap", "Ar", "At", "Bc", "Bo", "Bq", "Brc", "Bro", "Brq", "Bsx", "Bx", "Cd", "Cm",
    "Dc", "Do", "Dq", "Dv", "Ec", "Em", "En", "Eo", "Er", "Es", "Ev", "Fa", "Fl", "Fn", "Ft", "Fx",
    "Ic", "Li", "Lk", "Ms", "Mt", "Nm", "No", "Ns", "Nx", "Oc", "Oo", "Op", "Ox", "Pa", "Pc", "Pf",
    "Po", "Pq", "Qc", "Ql", "Qo", "Qq", "Sc", "So", "Sq", "Sx", "Sy", "Ta", "Tn", "Va", "Xr",
];

/// One line of mdoc (`Fl o Ar option`) as text (`-o option`).
pub fn mdoc_inline(args: &str, page_name: &str) -> String {
    let words = split_args(args);
    let mut out = String::new();
    let mut no_space = false;
    let mut flag = false;
    let mut closers: Vec<&str> = Vec::new();
    let mut index = 0;
    let push = |out: &mut String, text: &str, no_space: &mut bool| {
        let attaches = matches!(text, "," | "." | ";" | ":" | ")" | "]" | "?" | "!" | "'");
        if !out.is_empty() && !*no_space && !attaches && !out.ends_with(['[', '(', '"', '<', '{']) {
            out.push(' ');
        }
        out.push_str(text);
        *no_space = false;
    };
    while index < words.len() {
        let word = words[index].as_str();
        index += 1;
        if MDOC_CALLABLE.contains(&word) {
            match word {
                "Fl" => {
                    flag = true;
                    let next_is_word = words
                        .get(index)
                        .is_some_and(|w| !MDOC_CALLABLE.contains(&w.as_str()) && !is_delimiter(w));
                    if !next_is_word {
                        push(&mut out, "-", &mut no_space);
                        flag = false;
                    }
                }
                "Ns" => no_space = true,
                "Op" | "Bq" => {
                    push(&mut out, "[", &mut no_space);
                    closers.push("]");
                }
                "Oo" | "Bo" => push(&mut out, "[", &mut no_space),
                "Oc" | "Bc" => push(&mut out, "]", &mut no_space),
                "Pq" => {
                    push(&mut out, "(", &mut no_space);
                    closers.push(")");
                }
                "Po" => push(&mut out, "(", &mut no_space),
                "Pc" => push(&mut out, ")", &mut no_space),
                "Dq" | "Qq" => {
                    push(&mut out, "\"", &mut no_space);
                    no_space = true;
                    closers.push("\"");
                }
                "Sq" | "Ql" => {
                    push(&mut out, "'", &mut no_space);
                    no_space = true;
                    closers.push("'");
                }
                "Brq" => {
                    push(&mut out, "{", &mut no_space);
                    closers.push("}");
                }
                "Xr" => {
                    let name = words.get(index).cloned().unwrap_or_default();
                    let section = words.get(index + 1).cloned().unwrap_or_default();
                    index += 2;
                    push(
                        &mut out,
                        &format!("{}({section})", inline(&name)),
                        &mut no_space,
                    );
                }
                "Nm" => {
                    let has_name = words
                        .get(index)
                        .is_some_and(|w| !MDOC_CALLABLE.contains(&w.as_str()) && !is_delimiter(w));
                    if !has_name && !page_name.is_empty() {
                        push(&mut out, page_name, &mut no_space);
                    }
                }
                "Ar" => {
                    let has_arg = words
                        .get(index)
                        .is_some_and(|w| !MDOC_CALLABLE.contains(&w.as_str()) && !is_delimiter(w));
                    if !has_arg {
                        push(&mut out, "file ...", &mut no_space);
                    }
                }
                "Ta" => push(&mut out, "\t", &mut no_space),
                _ => {}
            }
            continue;
        }
        let text = inline(word);
        if flag {
            push(&mut out, &format!("-{text}"), &mut no_space);
            flag = false;
        } else {
            push(&mut out, &text, &mut no_space);
        }
    }
    while let Some(closer) = closers.pop() {
        out = out.trim_end().to_string();
        out.push_str(closer);
    }
    out
}

fn is_delimiter(word: &str) -> bool {
    matches!(word, "," | "." | ";" | ":" | ")" | "]" | "(" | "[" | "|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_text() {
        assert_eq!(inline(r"\fB\-f\fR, \fB\-\-force\fR"), "-f, --force");
        assert_eq!(inline(r"\f(BIx\fP \(em \[aq]y\(aq \e \&."), "x — 'y' \\ .");
        assert_eq!(inline(r"a\s-1B\s0c \*(lqq\*(rq"), "aBc \"q\"");
        assert_eq!(inline("trailing \\\" comment"), "trailing ");
    }

    #[test]
    fn tagged_paragraphs_of_a_man_page() {
        let page = parse(
            ".TH RM 1\n.SH NAME\nrm \\- remove files or directories\n.SH SYNOPSIS\n.B rm\n[\\fI\\,OPTION\\/\\fR]... [\\fI\\,FILE\\/\\fR]...\n.SH OPTIONS\n.TP\n\\fB\\-f\\fR, \\fB\\-\\-force\\fR\nignore nonexistent files and arguments, never prompt\n.TP\n\\fB\\-i\\fR\nprompt before every removal\n.PP\nAfter.\n",
        );
        let name = page.section("NAME").expect("NAME");
        assert_eq!(
            name.blocks,
            [Block::Text("rm - remove files or directories".into())]
        );
        let synopsis = page.section("SYNOPSIS").expect("SYNOPSIS");
        assert_eq!(
            synopsis.blocks,
            [Block::Text("rm [OPTION]... [FILE]...".into())]
        );
        let options = page.section("OPTIONS").expect("OPTIONS");
        assert_eq!(
            options.blocks,
            [
                Block::Tagged {
                    tag: "-f, --force".into(),
                    body: "ignore nonexistent files and arguments, never prompt".into()
                },
                Block::Tagged {
                    tag: "-i".into(),
                    body: "prompt before every removal".into()
                },
                Block::Text("After.".into()),
            ]
        );
    }

    #[test]
    fn docbook_style_options_and_ip_items() {
        let page = parse(
            ".SH OPTIONS\n.PP\n\\fB\\-\\-all\\fR\n.RS 4\nShow everything\\&.\n.PP\nReally\\&.\n.RE\n.PP\nText\\&.\n.IP \"\\fB\\-q\\fR\" 4\nquiet\n",
        );
        let blocks = &page.section("OPTIONS").expect("OPTIONS").blocks;
        assert_eq!(
            blocks,
            &[
                Block::Tagged {
                    tag: "--all".into(),
                    body: "Show everything.\nReally.".into()
                },
                Block::Text("Text.".into()),
                Block::Tagged {
                    tag: "-q".into(),
                    body: "quiet".into()
                },
            ]
        );
    }

    #[test]
    fn mdoc_pages() {
        let page = parse(
            ".Dd $Mdocdate$\n.Dt SSH 1\n.Sh NAME\n.Nm ssh\n.Nd OpenSSH remote login client\n.Sh SYNOPSIS\n.Nm ssh\n.Op Fl 46\n.Op Fl B Ar bind_interface\n.Ar destination\n.Sh DESCRIPTION\n.Bl -tag -width Ds\n.It Fl 4\nForces IPv4 addresses only.\n.It Fl B Ar bind_interface\nBind to the address of\n.Ar bind_interface .\n.El\n",
        );
        assert_eq!(
            page.section("NAME").expect("NAME").blocks,
            [Block::Text("ssh - OpenSSH remote login client".into())]
        );
        assert_eq!(
            page.section("SYNOPSIS").expect("SYNOPSIS").blocks,
            [Block::Text(
                "ssh [-46] [-B bind_interface] destination".into()
            )]
        );
        assert_eq!(
            page.section("DESCRIPTION").expect("DESCRIPTION").blocks,
            [
                Block::Tagged {
                    tag: "-4".into(),
                    body: "Forces IPv4 addresses only.".into()
                },
                Block::Tagged {
                    tag: "-B bind_interface".into(),
                    body: "Bind to the address of bind_interface.".into()
                },
            ]
        );
    }

    #[test]
    fn macro_definitions_and_conditionals_are_skipped() {
        let page = parse(".de XX\n.B nope\n..\n.ie n \\{\\\n.ds Aq '\n.\\}\n.SH NAME\nok\n");
        assert_eq!(page.sections.len(), 1);
        assert_eq!(page.sections[0].blocks, [Block::Text("ok".into())]);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for source in [
            "\\",
            "\\f",
            "\\(",
            "\\[abc",
            ".TP",
            ".TQ\nx",
            ".RE\n.RE",
            ".It Fl",
            ".Op",
            ".\\\"",
            "\\N'99999999999'",
            "\\s+",
            "é\\(é",
        ] {
            let _ = parse(source);
            let _ = parse(&format!(".Dd\n{source}"));
        }
    }
}
