# shellcheck shell=bash
# The teardown buildspecs' fake tools share the helpers of test/buildspec/stubs (record, flag, bump). The
# download stubs there (curl, sha256sum, sleep, uname) install the fake kubectl and kubectl-karmada from here.
# shellcheck source=test/buildspec/stubs/stub-lib.sh
. "$STUB_DIR/../../../buildspec/stubs/stub-lib.sh"
