//! Multiple-choice questions (`quiz` blocks), for what cannot be practised offline (DNS, a CDN's dashboard).
//!
//! The format is a question followed by GitHub-style task-list options; the ticked ones are correct:
//!
//! ```text
//! Which record maps a name to an IPv4 address?
//!
//! - [ ] CNAME
//! - [x] A
//! ```
//!
//! Options are answered by letter in order (`a`, `b`, ...). The renderer shows the options without their ticks.

use thiserror::Error;

/// A parsed `quiz` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiz {
    pub question: String,
    pub options: Vec<QuizOption>,
}

/// One answer a learner can pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizOption {
    pub text: String,
    pub correct: bool,
}

/// Why a quiz block is malformed; `line` counts from 1 at the block's first content line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuizError {
    #[error("the quiz has no question; write the question before the options")]
    NoQuestion,
    #[error("the quiz needs at least two options written as '- [ ] text' or '- [x] text'")]
    TooFewOptions,
    #[error("no option is marked correct; tick the right one as '- [x] text'")]
    NoCorrectOption,
    #[error("text after the options (line {line} of the block); put the whole question before the options")]
    TextAfterOptions { line: usize },
    #[error("an option has no text (line {line} of the block)")]
    EmptyOption { line: usize },
}

/// Why a learner's answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    #[error("no answer given; answer with the letter of an option, e.g. ':answer a'")]
    Empty,
    #[error("'{given}' is not an option; choose from {choices} (several at once: ':answer a c')")]
    NotAnOption { given: String, choices: String },
}

impl Quiz {
    /// Parses the text inside a `quiz` fence.
    pub fn parse(text: &str) -> Result<Quiz, QuizError> {
        let mut question_lines = Vec::new();
        let mut options = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            match parse_option(line) {
                Some((_, "")) => return Err(QuizError::EmptyOption { line: line_number }),
                Some((correct, option)) => options.push(QuizOption {
                    text: option.to_string(),
                    correct,
                }),
                None if line.trim().is_empty() => {}
                None if options.is_empty() => question_lines.push(line.trim()),
                None => return Err(QuizError::TextAfterOptions { line: line_number }),
            }
        }
        if question_lines.is_empty() {
            return Err(QuizError::NoQuestion);
        }
        if options.len() < 2 {
            return Err(QuizError::TooFewOptions);
        }
        if !options.iter().any(|option| option.correct) {
            return Err(QuizError::NoCorrectOption);
        }
        Ok(Quiz {
            question: question_lines.join(" "),
            options,
        })
    }

    /// The letter a learner types for the option at `index`.
    pub fn letter(index: usize) -> char {
        // Quizzes with more than 26 options are not sensible; wrap rather than panic.
        char::from(b'a' + (index % 26) as u8)
    }

    /// The letters of all options, for messages: "a, b or c".
    pub fn choices(&self) -> String {
        let letters: Vec<String> = (0..self.options.len())
            .map(|i| Self::letter(i).to_string())
            .collect();
        match letters.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => letters.join(""),
        }
    }

    /// The answer that is right: the letters of the ticked options, e.g. `b` or `a c`.
    pub fn correct_answer(&self) -> String {
        let letters: Vec<String> = (0..self.options.len())
            .filter(|&i| self.options[i].correct)
            .map(|i| Self::letter(i).to_string())
            .collect();
        letters.join(" ")
    }

    /// Whether `answer` (letters such as `b` or `a, c`) picks exactly the correct options.
    pub fn is_correct(&self, answer: &str) -> Result<bool, AnswerError> {
        let mut picked = vec![false; self.options.len()];
        let mut any = false;
        for token in answer
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let lower = token.trim_end_matches([')', '.']).to_ascii_lowercase();
            // `abc` picks a, b and c, as people type several letters.
            let indexes: Option<Vec<usize>> = lower
                .chars()
                .map(|letter| (0..self.options.len()).find(|&i| Self::letter(i) == letter))
                .collect();
            let Some(indexes) = indexes.filter(|found| !found.is_empty()) else {
                return Err(AnswerError::NotAnOption {
                    given: token.to_string(),
                    choices: self.choices(),
                });
            };
            for index in indexes {
                picked[index] = true;
            }
            any = true;
        }
        if !any {
            return Err(AnswerError::Empty);
        }
        Ok(picked
            .iter()
            .zip(&self.options)
            .all(|(picked, option)| *picked == option.correct))
    }
}

/// `- [ ] text` / `- [x] text` (also `*` bullets and `X`), returning (ticked, text).
fn parse_option(line: &str) -> Option<(bool, &str)> {
    let rest = line.trim_start();
    let rest = rest
        .strip_prefix("- ")
        .or_else(|| rest.strip_prefix("* "))?;
    let rest = rest.trim_start();
    let (correct, text) = if let Some(text) = rest.strip_prefix("[ ]") {
        (false, text)
    } else if let Some(text) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (true, text)
    } else {
        return None;
    };
    Some((correct, text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DNS: &str =
        "Which record maps a name\nto an IPv4 address?\n\n- [ ] CNAME\n- [x] A\n- [ ] MX\n";

    #[test]
    fn parses_question_and_options() {
        let quiz = Quiz::parse(DNS).expect("valid quiz");
        assert_eq!(
            quiz.question,
            "Which record maps a name to an IPv4 address?"
        );
        assert_eq!(quiz.options.len(), 3);
        assert!(quiz.options[1].correct);
        assert_eq!(quiz.options[1].text, "A");
        assert_eq!(quiz.choices(), "a, b or c");
    }

    #[test]
    fn answers_by_letter() {
        let quiz = Quiz::parse(DNS).expect("valid quiz");
        assert_eq!(quiz.is_correct("b"), Ok(true));
        assert_eq!(quiz.is_correct(" B) "), Ok(true));
        assert_eq!(quiz.is_correct("a"), Ok(false));
        assert_eq!(quiz.is_correct("a b"), Ok(false));
        assert_eq!(quiz.is_correct(""), Err(AnswerError::Empty));
        assert!(matches!(
            quiz.is_correct("z"),
            Err(AnswerError::NotAnOption { .. })
        ));
    }

    #[test]
    fn several_correct_options_must_all_be_picked() {
        let quiz = Quiz::parse("Pick two\n- [x] one\n- [ ] two\n- [x] three").expect("valid");
        assert_eq!(quiz.is_correct("a, c"), Ok(true));
        assert_eq!(quiz.correct_answer(), "a c");
        assert_eq!(quiz.is_correct(&quiz.correct_answer()), Ok(true));
        assert_eq!(quiz.is_correct("a"), Ok(false));
        assert_eq!(quiz.is_correct("ac"), Ok(true), "letters run together");
        assert_eq!(quiz.is_correct("CA)"), Ok(true));
        assert_eq!(quiz.is_correct("abc"), Ok(false));
        assert!(matches!(
            quiz.is_correct("az"),
            Err(AnswerError::NotAnOption { .. })
        ));
    }

    #[test]
    fn reports_each_malformation() {
        assert_eq!(Quiz::parse("- [x] a\n- [ ] b"), Err(QuizError::NoQuestion));
        assert_eq!(Quiz::parse("Q?\n- [x] a"), Err(QuizError::TooFewOptions));
        assert_eq!(
            Quiz::parse("Q?\n- [ ] a\n- [ ] b"),
            Err(QuizError::NoCorrectOption)
        );
        assert_eq!(
            Quiz::parse("Q?\n- [ ] a\n- [x] b\nmore"),
            Err(QuizError::TextAfterOptions { line: 4 })
        );
        assert_eq!(
            Quiz::parse("Q?\n- [ ]\n- [x] b"),
            Err(QuizError::EmptyOption { line: 2 })
        );
    }
}
