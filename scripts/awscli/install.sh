#!/usr/bin/env bash
# Installs the pinned AWS CLI v1 (the `aws` that the e2e suite's real buildspec runs call, answered by the simulator;
# e2e/harness/awscli.ts) into a venv in .cache/awscli-<version>/ and prints the path of its `aws`. Every package is
# pinned with its hashes in requirements.txt beside this script (pip --require-hashes); a warm run only checks a stamp
# and returns. awscli 1.46 ships its own botocore and s3transfer inside the wheel (awscli/botocore, awscli/s3transfer),
# so the awscli pin fixes the botocore version too.
#
# Regenerate the lock after changing requirements.in (in any venv with pip-tools):
#   pip-compile --generate-hashes --no-emit-find-links --strip-extras --output-file=requirements.txt requirements.in
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lock="$here/requirements.txt"
version="$(sed -n 's/^awscli==\([0-9.]*\).*/\1/p' "$lock")"
venv="${AWSCLI_VENV:-$root/.cache/awscli-$version}"
stamp="$venv/.installed"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -x "$venv/bin/aws" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/aws"
  exit 0
fi

fail() {
  echo "scripts/awscli/install.sh: $1" >&2
  exit 1
}

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 ||
  fail "$python (Python 3.10 or later) was not found; install it (Debian: apt-get install python3 python3-venv python3-pip) or set PYTHON=/path/to/python3."
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  fail "$("$python" --version 2>&1) is too old for awscli $version; install Python 3.10 or later (Debian: apt-get install python3 python3-venv python3-pip)."
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
  fail "$python has no venv/ensurepip module; install it (Debian: apt-get install python3 python3-venv python3-pip)."

echo "installing awscli $version into $venv (pinned with hashes: $lock)" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv" >&2
# Only the locked files, each checked against its hash; no dependency resolution of pip's own.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps --only-binary=:all: -r "$lock" >&2 ||
  fail "pip could not install the pinned awscli $version (see its message above); PyPI must be reachable."
got="$(AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "$venv/bin/aws" --version 2>&1)" ||
  fail "aws was installed but does not run: $got"
[[ "$got" == "aws-cli/$version "* ]] || fail "aws --version says '$got', expected aws-cli/$version"
echo "$want" >"$stamp"
echo "$venv/bin/aws"
