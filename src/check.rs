//! Checks: the `check` assertion language, and evaluating assertions against a sandbox after each command.
//!
//! A lesson's `check` lines are parsed into [`Assertion`] values when the lesson is loaded (so a mistake is a
//! lesson error at `file:line:column`), and evaluated by [`evaluate`] against a read-only view of the sandbox,
//! the last command and the state when the exercise began.

pub mod assertion;
pub mod parse;
pub mod text;

pub use assertion::Check;
pub use parse::parse_check;
pub mod baseline;
pub mod commands;
pub mod evaluate;
pub mod http;
pub mod pki;
pub mod view;
