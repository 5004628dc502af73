//! Values made anew for each attempt at an exercise, so that an answer cannot be learnt by heart or hard-coded
//! (cmdchallenge re-runs answers on randomized data for the same reason).
//!
//! A ```` ```random ```` block defines them, one per line, `NAME = KIND`:
//!
//! ```text
//! token = word            # a lower-case word
//! name = name             # a file-name-safe word: a letter, then letters and digits
//! n = number 10..99       # an integer in the range, both ends included
//! secret = hex 16         # that many hex digits
//! color = choice "red" "green" "blue"
//! ```
//!
//! `{NAME}` then stands for the value in the task text, hints, setup, checks and solutions of that attempt.

use std::fmt;

/// Words a `word` value is drawn from: short, common, unambiguous when read aloud.
const WORDS: [&str; 32] = [
    "apple", "birch", "cedar", "delta", "ember", "fjord", "grape", "heron", "ivory", "jolly",
    "koala", "lemon", "maple", "noble", "olive", "pearl", "quill", "raven", "sable", "tulip",
    "umber", "vivid", "walnut", "xenon", "yacht", "zebra", "amber", "cobalt", "dune", "fern",
    "glade", "harbor",
];

/// How one random value is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Word,
    Name,
    Number { low: u64, high: u64 },
    Hex { digits: usize },
    Choice(Vec<String>),
}

/// One random value's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomValue {
    pub name: String,
    pub kind: Kind,
    pub line: usize,
}

/// Why a `random` line cannot be understood; `column` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a `random` block; `first_line` is the line of its first content line in the lesson file.
pub fn parse(
    block: &str,
    first_line: usize,
    builtins: &[&str],
) -> Result<Vec<RandomValue>, RandomError> {
    let mut values: Vec<RandomValue> = Vec::new();
    for (index, raw) in block.lines().enumerate() {
        let line = first_line + index;
        let text = raw.split(" #").next().unwrap_or(raw).trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let error = |column: usize, message: String| RandomError {
            line,
            column,
            message,
        };
        let Some((name, kind)) = text.split_once('=') else {
            return Err(error(1, "write NAME = KIND, e.g. token = word".into()));
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(error(
                1,
                format!("'{name}' is not a name: use letters, digits and _"),
            ));
        }
        if builtins.contains(&name) {
            return Err(error(
                1,
                format!("'{name}' is taken (a built-in placeholder or a value defined above); choose another name"),
            ));
        }
        if values.iter().any(|v| v.name == name) {
            return Err(error(1, format!("'{name}' is defined twice")));
        }
        // The kind's column: the first character after '=' that is not a space (1-based).
        let column = raw.find('=').map_or(1, |at| {
            let after = &raw[at + 1..];
            at + 2 + (after.len() - after.trim_start().len())
        });
        let kind = parse_kind(kind.trim()).map_err(|message| error(column, message))?;
        values.push(RandomValue {
            name: name.to_string(),
            kind,
            line,
        });
    }
    Ok(values)
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    match word {
        "word" if rest.is_empty() => Ok(Kind::Word),
        "name" if rest.is_empty() => Ok(Kind::Name),
        "number" => {
            let (low, high) = rest
                .split_once("..")
                .ok_or("write the range as number LOW..HIGH, e.g. number 10..99")?;
            let low: u64 = low.trim().parse().map_err(|_| format!("'{low}' is not a whole number"))?;
            let high: u64 = high.trim().parse().map_err(|_| format!("'{high}' is not a whole number"))?;
            if low > high {
                return Err(format!("the range {low}..{high} is empty"));
            }
            Ok(Kind::Number { low, high })
        }
        "hex" => {
            let digits: usize = rest.parse().map_err(|_| "write the number of digits: hex 16".to_string())?;
            if digits == 0 || digits > 64 {
                return Err("hex takes 1 to 64 digits".into());
            }
            Ok(Kind::Hex { digits })
        }
        "choice" => {
            let options: Vec<String> = rest
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            if options.len() < 2 || options.iter().any(|o| o.is_empty() || o.contains(['{', '}'])) {
                return Err("write two or more quoted options: choice \"red\" \"green\"".into());
            }
            Ok(Kind::Choice(options))
        }
        other => Err(format!(
            "unknown kind '{other}'; the kinds are word, name, number LOW..HIGH, hex DIGITS and choice \"A\" \"B\""
        )),
    }
}

/// Makes a value for each definition, from the system's random source.
pub fn generate(values: &[RandomValue]) -> Vec<(String, String)> {
    let mut random = Random::new();
    values
        .iter()
        .map(|value| (value.name.clone(), random.value(&value.kind)))
        .collect()
}

/// A small generator seeded from `/dev/urandom` (falling back to the clock): values need to vary, not to be secret.
struct Random {
    state: u64,
}

impl Random {
    fn new() -> Random {
        let mut seed = [0u8; 8];
        let read = std::fs::File::open("/dev/urandom")
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut seed));
        let state = if read.is_ok() {
            u64::from_ne_bytes(seed)
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        };
        Random { state: state | 1 }
    }

    /// xorshift64*.
    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next() % bound
        }
    }

    fn value(&mut self, kind: &Kind) -> String {
        match kind {
            Kind::Word => WORDS[self.below(WORDS.len() as u64) as usize].to_string(),
            Kind::Name => {
                let letters = b"abcdefghijklmnopqrstuvwxyz";
                let digits = b"abcdefghijklmnopqrstuvwxyz0123456789";
                let mut name = String::new();
                name.push(letters[self.below(26) as usize] as char);
                for _ in 0..6 {
                    name.push(digits[self.below(36) as usize] as char);
                }
                name
            }
            Kind::Number { low, high } => (low + self.below(high - low + 1)).to_string(),
            Kind::Hex { digits } => (0..*digits)
                .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap_or('0'))
                .collect(),
            Kind::Choice(options) => options[self.below(options.len() as u64) as usize].clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_and_generates_a_fitting_value() {
        let block = "token = word\nname = name  # a file name\nn = number 10..12\nsecret = hex 8\ncolor = choice \"red\" \"blue\"\n";
        let values = parse(block, 5, &["user"]).expect("valid");
        assert_eq!(values.len(), 5);
        assert_eq!(values[2].line, 7);
        for _ in 0..50 {
            let made = generate(&values);
            assert!(WORDS.contains(&made[0].1.as_str()));
            assert!(made[1]
                .1
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase()));
            assert!(made[1].1.chars().all(|c| c.is_ascii_alphanumeric()));
            let n: u64 = made[2].1.parse().expect("a number");
            assert!((10..=12).contains(&n));
            assert_eq!(made[3].1.len(), 8);
            assert!(made[4].1 == "red" || made[4].1 == "blue");
        }
    }

    #[test]
    fn mistakes_say_where_and_what() {
        let error = parse("x = wrd", 3, &[]).expect_err("unknown kind");
        assert_eq!((error.line, error.column), (3, 5));
        assert!(error.message.contains("unknown kind 'wrd'"));
        assert!(parse("user = word", 1, &["user"]).is_err());
        assert!(parse("a = word\na = name", 1, &[]).is_err());
        assert!(parse("n = number 9..1", 1, &[]).is_err());
        assert!(parse("no equals", 1, &[]).is_err());
        assert!(parse("c = choice \"only\"", 1, &[]).is_err());
    }
}
