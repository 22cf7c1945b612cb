# shellcheck shell=bash
# Shared by the fake tools the buildspec tests put on PATH. They record their argv and act on a fake cloud
# kept in files under $STUB_STATE, so a second build sees what the first one did.
set -euo pipefail

# Appends one call to $STUB_LOG: fields separated by US (0x1f), calls terminated by RS (0x1e).
record() {
  {
    printf '%s\x1f' "$@"
    printf '\x1e'
  } >>"$STUB_LOG"
}

# Prints the value of a flag given as `--name value` or `--name=value`; fails when absent.
flag() {
  local name="$1"
  shift
  while (($#)); do
    case "$1" in
      "$name")
        printf '%s' "${2-}"
        return 0
        ;;
      "$name"=*)
        printf '%s' "${1#*=}"
        return 0
        ;;
    esac
    shift
  done
  return 1
}

# Whether an argument is present.
has_arg() {
  local wanted="$1"
  shift
  local arg
  for arg in "$@"; do
    [[ "$arg" == "$wanted" ]] && return 0
  done
  return 1
}

# A counter per key, for scenarios that change after N polls. Prints the new value.
bump() {
  local file="$STUB_STATE/counters/$1" n=0
  mkdir -p "$STUB_STATE/counters"
  [[ -f "$file" ]] && n="$(<"$file")"
  n=$((n + 1))
  printf '%s' "$n" >"$file"
  printf '%s' "$n"
}

# First `server:` of a kubeconfig file.
kubeconfig_server() { awk '$1 == "server:" { print $2; exit }' "$1"; }
