//! The command line: every subcommand and option, with help that explains and shows an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Learn the Linux shell by doing.
///
/// shelltutor renders short lessons in your terminal, runs the commands you type in a throwaway, confined
/// sandbox, and checks the result after every command. It is also a command reference.
#[derive(Debug, Parser)]
#[command(name = "shelltutor", version, propagate_version = true)]
#[command(
    after_help = "Examples:\n  shelltutor list               the lessons, in order\n  shelltutor show whoami        read a lesson\n  shelltutor list --lessons ./my-lessons   use your own lesson folder"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Use the lessons in DIR instead of the bundled curriculum
    #[arg(long, global = true, value_name = "DIR", env = "SHELLTUTOR_LESSONS")]
    pub lessons: Option<PathBuf>,

    /// Plain output: no colour and no escape sequences (also when NO_COLOR is set, TERM=dumb, or output is not a terminal)
    #[arg(long, global = true)]
    pub plain: bool,

    /// Wrap text to N columns instead of the terminal's width
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub width: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons in order, with their exercises and any programs they need that are missing
    #[command(
        after_help = "Examples:\n  shelltutor list\n  shelltutor list --json | jq '.[].id'\n  shelltutor list --lessons ./workshop   check a folder of lessons loads"
    )]
    List(ListArgs),

    /// Show a lesson's text (solutions and hints stay hidden)
    #[command(
        after_help = "Examples:\n  shelltutor show whoami\n  shelltutor show cd/go-home-the-short-way   one exercise only\n  NO_COLOR=1 shelltutor show cd | less"
    )]
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table: [{"id", "title", "exercises", "requires", "missing", "source"}]
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The lesson id (see 'shelltutor list'), or LESSON/EXERCISE for one exercise
    pub id: String,

    /// Print straight to the terminal instead of through $PAGER (default 'less -R')
    #[arg(long)]
    pub no_pager: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_an_example() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                help.contains("Example"),
                "'{}' has no example",
                sub.get_name()
            );
        }
    }
}
