//! Keeping the shell's state from one line to the next, as in a real shell, although each line runs in a fresh
//! bash (so a broken line cannot break the session), and recording the commands the shell runs.
//!
//! Each line's bash first sources the state the previous line left from a sealed in-memory file on descriptor
//! [`SAVED_STATE_FD`](crate::child::SAVED_STATE_FD): the current directory and `OLDPWD`, variables (exported or
//! not), functions, aliases, `shopt` and safe `set -o` options, traps, the umask, and `$?` and `$_` of the
//! previous line. Then it `eval`s the line with `set -x` tracing to descriptor [`TRACE_FD`](crate::child::TRACE_FD)
//! (see `trace.rs`), and on exit writes its new state to a pipe the tutor reads (descriptor
//! [`STATE_FD`](crate::child::STATE_FD)). The tutor keeps it in memory, out of the learner's reach. A line killed
//! by a limit leaves the previous state in place.
//!
//! Not kept, deliberately: `PIPESTATUS` (restoring it would need a pipeline, that is extra processes, per line);
//! `set -e` (`errexit` would end every later line at its first failing command), `set -x` (the tutor traces with
//! it; a learner's own `set -x` prints nothing) and the other `set -o` options that change how lines are read;
//! the `EXIT` and `DEBUG` traps (the tutor's own); the job table (a fresh shell has no jobs: what a line left
//! running goes on, and `ps`, `kill` and `pkill` reach it).

/// Variables bash manages itself (or that describe one process, or the terminal of one line): restoring them would
/// be wrong or an error. They are unset before the state is written (the shell is exiting); those bash keeps
/// read-only (`EUID`, `BASH_VERSINFO`) cannot be, and their restoring fails quietly on the next line.
const SKIPPED_VARIABLES: &str = "BASH BASHOPTS BASHPID COLUMNS DIRSTACK EPOCHREALTIME EPOCHSECONDS \
EUID FUNCNAME GROUPS HISTCMD LINENO LINES PIPESTATUS PPID PWD RANDOM SECONDS SHELLOPTS SHLVL SRANDOM UID _ PS4 TERM \
\"${!BASH_@}\" \"${!COMP_@}\" \"${!__st_@}\"";

/// `set -o` options that are kept between lines.
const KEPT_OPTIONS: &str =
    "allexport errtrace functrace hashall keyword noclobber noglob notify nounset physical pipefail posix verbose";

/// Signals whose traps are kept between lines (EXIT and DEBUG are the tutor's).
const KEPT_TRAPS: &str =
    "HUP INT QUIT USR1 USR2 PIPE ALRM TERM CHLD CONT TSTP TTIN TTOU WINCH ERR RETURN";

/// Separates the fields of a trace record; `PS4` starts with it, and bash repeats it once per level of `eval` or
/// command substitution. Bash quotes control characters in arguments (`$'\036'`), so it never appears raw there.
pub(crate) const RECORD_START: u8 = 0x1e;
/// Separates the fields at the start of a record (after the status, the shell's pid, the function depth and name,
/// and the working directory).
pub(crate) const FIELD_END: u8 = 0x1f;

/// The program for one line, which the line's bash reads from a sealed memfd (descriptor
/// [`PROGRAM_FD`](crate::child::PROGRAM_FD)), so that neither it nor the line shows in `ps` or matches `pgrep -f`.
/// The line is embedded as an ANSI-C quoted string. `job_control` turns on `set -m` for interactive lines, so
/// Ctrl-Z stops only the command.
///
/// The program only prepares the line in `__st_eval`; [`RUN`] evaluates it. That eval must be on the first line
/// of bash's `-c` text: bash prefixes its error messages with `line N:` for a command evaluated further down, and
/// a learner's `cd nope` should say `bash: cd: nope: No such file or directory`, as in a terminal.
pub(crate) fn program(line: &str, job_control: bool) -> String {
    // With job control (interactive lines), a job stopped with Ctrl-Z keeps the line's shell alive: after the line
    // it reports its stopped jobs on the control descriptor (94) and waits for the tutor to say `exit`, or to run
    // `fg`/`bg`/`jobs` for the learner. Its state is handed back first, as if the line had ended.
    let job_control = if job_control {
        r#"set -m
__st_after() {
  local __st_cmd
  { set +x; } 2>/dev/null
  __st_save "$1"; exec 99>&-; trap - EXIT
  while :; do
    { jobs -ps; printf '.\n'; } 2>/dev/null >&94 || break
    IFS= read -r __st_cmd 2>/dev/null <&94 || break
    [[ $__st_cmd == exit ]] && break
    eval "$__st_cmd"
  done
  # The status is read from the arguments: saving unset every `__st_` variable, locals included.
  return "$1"
}
"#
    } else {
        "__st_after() { return \"$1\"; }\n"
    };
    format!(
        r#"exec 95<&-
__st_line={line}
shopt -s expand_aliases
[ -e /dev/fd/98 ] && . /dev/fd/98 2>/dev/null; exec 98<&-
__st_ret() {{ unset __st_line __st_prev_status __st_prev_last __st_eval; return "$1"; }}
__st_save() {{
  set -- "${{1:-$?}}" "$PWD"
  {{ set +x; }} 2>/dev/null
  {{
    printf '__st_prev_status=%d\n' "$1"
    printf 'builtin cd -- %q 2>/dev/null || builtin cd\nunset OLDPWD\n' "$2"
    # One `declare -p` of what is left: a loop over the names costs about a millisecond a line.
    unset -v {SKIPPED_VARIABLES}
    declare -p
    unset -f __st_save __st_ret __st_after
    declare -f
    alias -p
    shopt -p
    shopt -po {KEPT_OPTIONS}
    trap -p {KEPT_TRAPS}
    umask -p
    printf '\0%s' "$2"
  }} >&99 2>/dev/null
}}
trap __st_save EXIT
__st_prev_last=${{__st_prev_last-}}
{job_control}BASH_XTRACEFD=97
PS4=$'\x1e''$?'$'\x1f''$BASHPID'$'\x1f''${{#FUNCNAME[@]}}'$'\x1f''${{FUNCNAME[0]-}}'$'\x1f''$PWD'$'\x1f'
__st_eval="__st_ret ${{__st_prev_status:-0}} ${{__st_prev_last@Q}}; $__st_line"
set -x
"#,
        line = ansi_c_quote(line),
    )
}

/// bash's `-c` text for a line of an environment: evaluates the program (descriptor 95), then the line it prepared,
/// then hands over (`__st_after`: with job control, reports stopped jobs and waits; else returns the status).
pub(crate) const RUN: &str = "eval \"$(</dev/fd/95)\"; eval \"$__st_eval\"; __st_after $?";

/// Quotes any text as a bash `$'...'` word: backslashes, quotes and control characters escaped.
fn ansi_c_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 3);
    quoted.push_str("$'");
    for c in text.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '\'' => quoted.push_str("\\'"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                quoted.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// Splits what the shell wrote at exit into the state script and the current directory (raw bytes).
pub(crate) fn parse(written: &[u8]) -> Option<(&[u8], &[u8])> {
    let separator = written.iter().rposition(|&byte| byte == 0)?;
    Some((&written[..separator], &written[separator + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_state_and_cwd() {
        let (state, cwd) = parse(b"declare -- x=1\n\0/s/home/a").unwrap_or_default();
        assert_eq!(state, b"declare -- x=1\n");
        assert_eq!(cwd, b"/s/home/a");
        assert!(parse(b"no separator").is_none());
    }

    #[test]
    fn program_sources_the_saved_state_and_sets_job_control() {
        let text = program("true", true);
        assert!(text.contains(". /dev/fd/98"));
        assert!(text.contains("set -m"));
        assert!(!program("true", false).contains("set -m"));
    }

    #[test]
    fn any_line_is_quoted_safely() {
        assert_eq!(ansi_c_quote("it's a\\b\n"), "$'it\\'s a\\\\b\\x0a'");
    }

    /// The program runs in a plain bash, outside any sandbox: state and trace land where the tutor reads them.
    #[test]
    fn a_line_hands_back_its_state_and_trace() {
        let dir = std::env::temp_dir().join(format!("st-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let script = format!(
            "exec 97>'{0}/trace' 99>'{0}/state' 95<<<\"$1\"; bash -c '{1}'",
            dir.display(),
            RUN
        );
        let status = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .arg("bash")
            .arg(program("x=1; cd /tmp; false", false))
            .current_dir(&dir)
            .status()
            .map(|s| s.code());
        assert_eq!(status.ok().flatten(), Some(1));
        let state = std::fs::read(dir.join("state")).unwrap_or_default();
        let (script, cwd) = parse(&state).unwrap_or_default();
        let script = String::from_utf8_lossy(script);
        assert_eq!(cwd, b"/tmp");
        assert!(script.contains("declare -- x=\"1\""), "{script}");
        assert!(script.contains("__st_prev_status=1"), "{script}");
        let trace = std::fs::read(dir.join("trace")).unwrap_or_default();
        let commands = crate::trace::parse(&trace);
        let names: Vec<&str> = commands.iter().map(|c| c.argv[0].as_str()).collect();
        assert_eq!(names, ["cd", "false"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
