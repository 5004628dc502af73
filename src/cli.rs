//! The command line: every subcommand and option, with help that explains and shows an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueHint};
use clap_complete::engine::ArgValueCompleter;

use crate::completion;
use crate::settings::{ColorWhen, Paging};

/// Learn the Linux shell by doing.
///
/// shelltutor renders short lessons in your terminal, runs the commands you type in a throwaway, confined
/// sandbox, and checks the result after every command. It is also a command reference.
#[derive(Debug, Parser)]
#[command(name = "shelltutor", version, propagate_version = true)]
#[command(
    after_help = "Settings stick when put in the environment (SHELLTUTOR_COLOR, SHELLTUTOR_PLAIN, SHELLTUTOR_WIDTH,\nSHELLTUTOR_PAGING, SHELLTUTOR_PAGER) or in ~/.config/shelltutor/config.toml; flags win over both.\nExit status: 0 success, 1 a 'no' (grade, verify, doctor), 2 an error; 'sandbox -c' exits with its line's\nstatus, or 125 when shelltutor itself fails.\n\nExamples:\n  shelltutor list               the lessons, in order\n  shelltutor show whoami        read a lesson\n  shelltutor ref rm             the reference card of a command\n  shelltutor explain 'rm -rf ~/old'   what each part of a command line does\n  shelltutor list --lessons ./my-lessons   use your own lesson folder\n  shelltutor paths              where progress, settings and history are kept"
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
    #[arg(long, global = true, value_name = "DIR", env = "SHELLTUTOR_LESSONS", value_hint = ValueHint::DirPath)]
    pub lessons: Option<PathBuf>,

    /// Use the reference cards in DIR instead of the bundled ones
    #[arg(long, global = true, value_name = "DIR", env = "SHELLTUTOR_REFERENCE", value_hint = ValueHint::DirPath)]
    pub reference: Option<PathBuf>,

    /// When to use colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE=1 forces it), always, never [env: SHELLTUTOR_COLOR]
    #[arg(long, global = true, value_name = "WHEN", value_enum)]
    pub color: Option<ColorWhen>,

    /// Plain output: no colour, no escape sequences, no screen clearing; the same as --color never (also when NO_COLOR is set, TERM=dumb, or output is not a terminal) [env: SHELLTUTOR_PLAIN]
    #[arg(long, global = true, conflicts_with = "color")]
    pub plain: bool,

    /// Run commands even where no confinement is available (dangerous: they could change your files)
    #[arg(long, global = true)]
    pub unconfined: bool,

    /// Wrap text to N columns (20 to 400) instead of the terminal's width, or COLUMNS when not a terminal [env: SHELLTUTOR_WIDTH]
    #[arg(long, global = true, value_name = "N", value_parser = crate::settings::parse_width, value_hint = ValueHint::Other)]
    pub width: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the tutor at a lesson or exercise (plain 'shelltutor' opens where you left off)
    #[command(
        after_help = "Examples:\n  shelltutor start cd                       the first unfinished exercise of lesson cd\n  shelltutor start cd/go-home-the-short-way  one exercise\n  printf 'whoami\\n:quit\\n' | shelltutor start whoami   a scripted session (plain output)"
    )]
    Start(StartArgs),

    /// Print a shell completion script (it completes lesson and exercise ids too)
    #[command(
        after_help = "The script calls shelltutor back at each TAB (as COMPLETE=SHELL shelltutor), so completions know\nthe current lessons; shelltutor must be on PATH.\n\nExamples:\n  shelltutor completions bash > ~/.local/share/bash-completion/completions/shelltutor\n  echo 'source <(COMPLETE=bash shelltutor)' >> ~/.bashrc   the same, always up to date\n  echo 'source <(COMPLETE=zsh shelltutor)' >> ~/.zshrc   zsh\n  shelltutor completions fish > ~/.config/fish/completions/shelltutor.fish"
    )]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), or write one page per command into a folder
    #[command(
        after_help = "Examples:\n  shelltutor manpage > shelltutor.1 && man -l shelltutor.1\n  shelltutor manpage --dir ~/.local/share/man/man1   every page; then 'man shelltutor-grade'"
    )]
    Manpage(ManpageArgs),

    /// Print where progress, settings and history are kept
    #[command(
        after_help = "Examples:\n  shelltutor paths\n  SHELLTUTOR_DATA_DIR=/tmp/st shelltutor paths   see what an override changes"
    )]
    Paths,

    /// List the lessons in order, with their exercises and any programs they need that are missing
    #[command(
        after_help = "Examples:\n  shelltutor list\n  shelltutor list --json | jq '.lessons[].id'\n  shelltutor list --lessons ./workshop   check a folder of lessons loads"
    )]
    List(ListArgs),

    /// Show a lesson's text (solutions and hints stay hidden)
    #[command(
        after_help = "Examples:\n  shelltutor show whoami\n  shelltutor show cd/go-home-the-short-way   one exercise only\n  NO_COLOR=1 shelltutor show cd | less"
    )]
    Show(ShowArgs),

    /// Check that every exercise can be failed and that its solution passes, and that every card's proven examples print what they show (for authors and CI)
    #[command(
        after_help = "Every exercise runs twice in fresh sandboxes: untouched (setup only) it must FAIL, and with its\n'sh solution' typed in it must PASS. Every reference card's 'console proven' examples run in fresh\nsandboxes and must print the output the card shows. Lessons and cards needing programs that are not\ninstalled are SKIPPED; with SHELLTUTOR_REQUIRE_TOOLS=1 a skip counts as a failure.\n\nA folder (or file) whose cards have 'command =' front matter is verified as reference cards, any other as\nlessons. Naming one file verifies only it, whatever else its folder holds.\n\nExamples:\n  shelltutor verify                 the current lessons and cards (bundled, or --lessons / --reference)\n  shelltutor verify lessons/ ../workshop-lessons/\n  shelltutor verify reference/      only the cards of a folder\n  shelltutor verify lessons/05-cat.md   only the lesson being written"
    )]
    Verify(VerifyArgs),

    /// Show the reference card of a command, or list the cards
    #[command(
        after_help = "Without a card, shows the installed man page's NAME, SYNOPSIS and options, or a bash builtin's\n'help' text, and says that there is no card.\n\nExamples:\n  shelltutor ref                    every card, with a one-line summary\n  shelltutor ref rm                 the card of rm\n  shelltutor ref tar                no card: the man page's synopsis and options\n  shelltutor ref rm --json | jq '.options[].spellings'"
    )]
    Ref(RefArgs),

    /// Explain a command line part by part, without running it, and warn about dangerous ones
    #[command(
        after_help = "The line is parsed as bash parses it and never run: each command, option, argument, expansion,\nredirection and operator is named and explained. Option meanings come from the reference card, else\nfrom the installed man page.\n\nExamples:\n  shelltutor explain 'rm -rf ~/old'\n  shelltutor explain 'find . -name \"*.log\" | xargs rm -f'\n  shelltutor explain 'curl -fsSL https://example.org/install.sh | sh'\n  shelltutor explain --shellcheck 'for f in $(ls); do echo $f; done'"
    )]
    Explain(ExplainArgs),

    /// Open a throwaway, confined bash to practise in, or run one line in a fresh sandbox
    Sandbox(crate::practice::Args),

    /// Report which confinement layers work here and which lesson programs are installed
    Doctor(crate::doctor::Args),

    /// Grade a learner's answers: run each in a fresh sandbox and report which exercises pass
    #[command(
        after_help = "Answers are shell scripts typed line by line into the exercise's sandbox, as a learner would.\nA quiz's answer file holds the letters of the answer (e.g. 'b').\nExit status 0 only if every graded exercise passes. See docs/workshops.md.\n\nExamples:\n  shelltutor grade --answers answers/              answers/<lesson>/<exercise>.sh\n  shelltutor grade --answers answers/ --only cd --format junit > report.xml\n  shelltutor grade --exercise cd/go-into-a-folder --script my-answer.sh"
    )]
    Grade(GradeArgs),

    /// Show your progress per lesson and exercise, or export it as JSON for an instructor
    #[command(
        after_help = "Progress is kept in $SHELLTUTOR_DATA_DIR, else $XDG_DATA_HOME/shelltutor, else\n~/.local/share/shelltutor (see docs/progress.md).\n\nExamples:\n  shelltutor progress\n  shelltutor progress --json > progress-$USER.json   hand it to your instructor"
    )]
    Progress(crate::progress_cmd::ProgressArgs),

    /// Forget the progress of a lesson, of one exercise, or all of it (asks first)
    #[command(
        after_help = "Examples:\n  shelltutor reset cd                       every exercise of lesson 'cd'\n  shelltutor reset cd/go-into-a-folder      one exercise\n  shelltutor reset --all --yes              everything, without asking (for scripts)"
    )]
    Reset(crate::progress_cmd::ResetArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Lesson or card folders, or single files, to verify (default: the current lessons and cards)
    #[arg(value_hint = ValueHint::DirPath)]
    pub dirs: Vec<PathBuf>,

    /// How many exercises to verify at once (default: the number of cores)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Debug, Args)]
pub struct RefArgs {
    /// The command (or an alias of it); without one, the list of cards
    #[arg(add = ArgValueCompleter::new(completion::card_names))]
    pub command: Option<String>,

    /// Print JSON: the list [{"command", "aliases", "summary", "kind"}], or one card {"command", "aliases", "summary", "kind", "lesson", "see_also", "synopsis", "options", "examples", "source"}
    #[arg(long)]
    pub json: bool,

    /// When to use the pager ($SHELLTUTOR_PAGER, else $PAGER, else less): auto (when the text does not fit), always, never [env: SHELLTUTOR_PAGING]
    #[arg(long, value_name = "WHEN", value_enum)]
    pub paging: Option<Paging>,

    /// Print straight to the terminal: the same as --paging never
    #[arg(long, conflicts_with = "paging")]
    pub no_pager: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The command line, quoted as one argument (several arguments are joined with spaces)
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true)]
    pub line: Vec<String>,

    /// Add the findings of shellcheck (with their SC codes) when it is installed; it reads the line, never runs it
    #[arg(long)]
    pub shellcheck: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["answers", "exercise"])))]
pub struct GradeArgs {
    /// A folder of answers: DIR/<lesson>/<exercise>.sh (a missing file counts as not attempted)
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub answers: Option<PathBuf>,

    /// Grade one exercise (LESSON/EXERCISE) with --script
    #[arg(long, value_name = "ID", requires = "script", add = ArgValueCompleter::new(completion::exercise_ids))]
    pub exercise: Option<String>,

    /// The answer script for --exercise
    #[arg(long, value_name = "FILE", requires = "exercise", value_hint = ValueHint::FilePath)]
    pub script: Option<PathBuf>,

    /// Grade only these lessons or exercises (repeatable)
    #[arg(long, value_name = "ID", conflicts_with = "exercise", add = ArgValueCompleter::new(completion::lesson_or_exercise_ids))]
    pub only: Vec<String>,

    /// Report format: text for people, json (documented in docs/workshops.md), junit XML, or TAP 13
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::grade::format::Format,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManpageArgs {
    /// Write shelltutor.1 and a page per command (shelltutor-show.1, ...) into DIR instead of printing the main page
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// A lesson id, or LESSON/EXERCISE (see 'shelltutor list')
    #[arg(add = ArgValueCompleter::new(completion::lesson_or_exercise_ids))]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table: {"version", "lessons": [{"id", "title", "exercises", ...}]} (docs/json.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The lesson id (see 'shelltutor list'), or LESSON/EXERCISE for one exercise
    #[arg(add = ArgValueCompleter::new(completion::lesson_or_exercise_ids))]
    pub id: String,

    /// When to use the pager ($SHELLTUTOR_PAGER, else $PAGER, else less): auto (when the text does not fit), always, never [env: SHELLTUTOR_PAGING]
    #[arg(long, value_name = "WHEN", value_enum)]
    pub paging: Option<Paging>,

    /// Print straight to the terminal: the same as --paging never
    #[arg(long, conflicts_with = "paging")]
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
