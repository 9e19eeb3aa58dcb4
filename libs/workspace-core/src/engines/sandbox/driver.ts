// The bash program that runs one call inside the sandbox (`bash -c DRIVER bash`). It reads the
// command line from fd 3 and the session's saved state (cd + options, aliases, functions,
// unexported variables) from fd 5, runs the line with `eval` in the shell itself, then writes the
// new state to fd 4:  cwd NUL  (NAME=value NUL)*  NUL  bash-script
// Every call is a fresh bash, so it behaves like `bash -c`: an EXIT trap set by the line fires at
// the end of the call, `exit N` ends the call with N (the state is dumped first by an `exit`
// function that only the top-level shell honours, never a subshell).
//
// The whole driver is one line so the line numbers bash reports for the user's code (`bash: line
// 1: foo: command not found`) count from the user's first line, as with `bash -c`.

/**
 * Functions never carried to the next call: the driver's own, and the names of builtins it calls
 * without `builtin` (a user's `builtin() { :; }` spoils at most the call that defined it).
 */
const FUNCTIONS_NOT_CARRIED = '__mirage_*|exit|builtin|local|eval|unset|continue|exec|trap';

/** Variables of bash itself (or of the driver) that are never carried to the next call. */
const NOT_CARRIED = [
  '__mirage_*',
  'BASH',
  'BASH_*',
  'BASHOPTS',
  'BASHPID',
  'EUID',
  'UID',
  'PPID',
  'SHELLOPTS',
  'HISTCMD',
  'FUNCNAME',
  'GROUPS',
  'RANDOM',
  'SRANDOM',
  'SECONDS',
  'LINENO',
  'EPOCHREALTIME',
  'EPOCHSECONDS',
  'PIPESTATUS',
  'DIRSTACK',
  '_',
  'PWD',
  'SHLVL',
  'OPTIND',
  'OPTERR',
  'COMP_WORDBREAKS',
  'HOSTNAME',
  'HOSTTYPE',
  'MACHTYPE',
  'OSTYPE',
  'IFS',
].join('|');

const DUMP = [
  '__mirage_dump() {',
  "local IFS=$' \\t\\n' __mirage_n;",
  '__mirage_dumped=1;',
  '{',
  'builtin printf \'%s\\0\' "$PWD";',
  'for __mirage_n in $(builtin compgen -e); do builtin printf \'%s=%s\\0\' "$__mirage_n" "${!__mirage_n}"; done;',
  "builtin printf '\\0';",
  'builtin shopt -p; builtin set +o; builtin alias -p;',
  `for __mirage_n in $(builtin compgen -A function); do case $__mirage_n in ${FUNCTIONS_NOT_CARRIED}) ;; *) builtin declare -f -- "$__mirage_n";; esac; done;`,
  `for __mirage_n in $(builtin compgen -v); do case $__mirage_n in ${NOT_CARRIED}) continue;; esac;`,
  '[[ ${!__mirage_n@a} == *x* ]] && continue; builtin declare -p -- "$__mirage_n"; done;',
  '} >&4 2>/dev/null;',
  '};',
].join(' ');

const EXIT = [
  'exit() {',
  'local __mirage_s=$?;',
  'if [[ $BASHPID == "$__mirage_pid" && $__mirage_dumped == 0 ]]; then __mirage_dump; fi;',
  'builtin exit "${1-$__mirage_s}";',
  '};',
].join(' ');

export const DRIVER = [
  '__mirage_pid=$BASHPID; __mirage_dumped=0;',
  "IFS= read -r -d '' __mirage_cmd <&3; exec 3<&-;",
  DUMP,
  EXIT,
  "trap '[[ $__mirage_dumped == 1 ]] || __mirage_dump' EXIT;",
  'shopt -s expand_aliases;',
  // fd 5 is a socket (Node's pipes are): read into a variable, `source /dev/fd/5` cannot open it.
  'IFS= read -r -d \'\' __mirage_state <&5; exec 5<&-; eval "$__mirage_state"; unset __mirage_state;',
  'eval "$__mirage_cmd";',
  '__mirage_status=$?; __mirage_dump; exec 4>&-; builtin exit $__mirage_status',
].join(' ');

/** Quotes a string for bash (single quotes; `'` as `'\''`). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The fd-5 script: enter the cwd (or fail like `cd`), then restore the saved shell state. */
export function restoreScript(cwd: string, requestedCwd: string | undefined, shell: string | undefined): Buffer {
  const enter =
    requestedCwd !== undefined
      ? `builtin cd -- ${shellQuote(cwd)} 2>/dev/null || { builtin printf 'bash: cd: %s: No such file or directory\\n' ${shellQuote(requestedCwd)} >&2; builtin exit 1; }`
      : // A session cwd removed since the last call: start at / (a terminal would stay in the void).
        `builtin cd -- ${shellQuote(cwd)} 2>/dev/null || builtin cd /`;
  // The saved state is Latin-1 text (parseDump): written back byte for byte.
  return Buffer.concat([Buffer.from(`${enter}\n`, 'utf8'), Buffer.from(shell ?? '', 'latin1'), Buffer.from('\n')]);
}

export interface DumpedState {
  cwd: string;
  env: Record<string, string>;
  shell: string;
}

/** Parses the fd-4 record; undefined when it is missing or cut short. */
export function parseDump(bytes: Buffer): DumpedState | undefined {
  const first = bytes.indexOf(0);
  if (first <= 0) return undefined;
  const cwd = bytes.subarray(0, first).toString('utf8');
  const env: Record<string, string> = {};
  let offset = first + 1;
  for (;;) {
    const end = bytes.indexOf(0, offset);
    if (end < 0) return undefined;
    if (end === offset) {
      offset += 1;
      break;
    }
    const entry = bytes.subarray(offset, end).toString('utf8');
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
    offset = end + 1;
  }
  // Latin-1 keeps every byte of the script as it was (values need not be UTF-8).
  return { cwd, env, shell: bytes.subarray(offset).toString('latin1') };
}
