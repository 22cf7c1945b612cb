#!/usr/bin/env bash
# Installs the pinned moto (the second AWS emulator of the differential suite, test/differential/) into a venv in
# .cache/moto-<version>/ and prints the path of its moto_server. Every package is pinned with its hashes in
# requirements.txt beside this script (pip --require-hashes); a warm run only checks a stamp and returns.
#
# Regenerate the lock after changing requirements.in (in any venv with pip-tools):
#   pip-compile --generate-hashes --no-emit-find-links --strip-extras --output-file=requirements.txt requirements.in
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lock="$here/requirements.txt"
version="$(sed -n 's/^moto==\([0-9.]*\).*/\1/p' "$lock")"
venv="${MOTO_VENV:-$root/.cache/moto-$version}"
stamp="$venv/.installed"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -x "$venv/bin/moto_server" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/moto_server"
  exit 0
fi

fail() {
  echo "scripts/moto/install.sh: $1" >&2
  exit 1
}

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 ||
  fail "$python (Python 3.9 or later) was not found; install it (Debian: apt-get install python3 python3-venv python3-pip) or set PYTHON=/path/to/python3."
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
  fail "$("$python" --version 2>&1) is too old for moto $version; install Python 3.9 or later (Debian: apt-get install python3)."
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  fail "$python has no venv/ensurepip module; install it (Debian: apt-get install python3-venv python3-pip)."

echo "installing moto $version into $venv (pinned with hashes: $lock)" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv" >&2
# Only the locked files, each checked against its hash; no dependency resolution of pip's own.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps --only-binary=:all: -r "$lock" >&2 ||
  fail "pip could not install the pinned moto $version (see its message above); PyPI must be reachable."
"$venv/bin/moto_server" --help >/dev/null || fail "moto_server was installed but does not run"
echo "$want" >"$stamp"
echo "$venv/bin/moto_server"
