//! Keeping the shell's state from one line to the next, as in a real shell, although each line runs in a fresh
//! bash (a fresh set of namespaces, so nothing a line starts can outlive it).
//!
//! Each line's bash first sources the state the previous line left (variables, exported or not; functions; aliases;
//! shell options; umask; current directory) from a sealed in-memory file on descriptor 98, then `eval`s the line,
//! and on exit writes its new state to a pipe the tutor reads (descriptor [`STATE_FD`](crate::child::STATE_FD)).
//! The tutor keeps it in memory, out of the learner's reach. A line killed by a limit leaves the previous state in
//! place.

/// Variables bash manages itself (or that describe one process): restoring them would be wrong or an error.
const SKIPPED_VARIABLES: &str = "BASH|BASH_*|BASHOPTS|BASHPID|COLUMNS|COMP_*|DIRSTACK|EPOCHREALTIME|EPOCHSECONDS|\
EUID|FUNCNAME|GROUPS|HISTCMD|LINENO|LINES|PIPESTATUS|PPID|PWD|RANDOM|SECONDS|SHELLOPTS|SHLVL|SRANDOM|UID|_|__st_*";

/// The `bash -c` program for one line. The line itself is passed as `$1` (so no quoting can go wrong) and cleared
/// before it runs. `job_control` turns on `set -m` for interactive lines, so Ctrl-Z stops only the command.
pub(crate) fn program(job_control: bool) -> String {
    let prefixes: String = ('A'..='Z')
        .chain('a'..='z')
        .chain(['_'])
        .map(|c| format!(" ${{!{c}*}}"))
        .collect();
    let job_control = if job_control { "set -m\n" } else { "" };
    format!(
        r#"__st_line=$1; set --
shopt -s expand_aliases
[ -e /dev/fd/98 ] && . /dev/fd/98 2>/dev/null; exec 98<&-
__st_save() {{
  local __st_n
  {{
    for __st_n in{prefixes}; do
      case $__st_n in {SKIPPED_VARIABLES}) continue ;; esac
      [[ ${{__st_n@a}} == *r* ]] && continue
      declare -p -- "$__st_n"
    done
    unset -f __st_save
    declare -f
    alias -p
    shopt -p
    umask -p
    printf 'builtin cd -- %q 2>/dev/null || builtin cd\n' "$PWD"
    printf '\0%s' "$PWD"
  }} >&99 2>/dev/null
}}
trap __st_save EXIT
{job_control}eval "unset __st_line
$__st_line"
"#
    )
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
        let text = program(true);
        assert!(text.contains(". /dev/fd/98"));
        assert!(text.contains("set -m"));
        assert!(!program(false).contains("set -m"));
    }
}
