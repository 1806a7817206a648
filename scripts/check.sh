#!/bin/bash
# check.sh: the whole check, as CI runs it (.ci/run) on a clean clone:
# dependencies, formatting (.clang-format), a build with ASan and UBSan that
# runs the unit and smoke tests (scripts/check-sanitizers.sh), the build with
# -Werror, unit and integration tests.
#
# The last line printed is always the summary, `N passed, N failed[, N
# skipped]` (a failed build counts as one failure); the exit status is 0 iff
# nothing failed.  CHECK_SKIP_DEPS=1 skips scripts/install-deps.sh.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

# step NAME CMD...: run a build step; on failure end with a summary line.
step() {
    local name=$1 rc=0
    shift
    echo "==> $name: $*"
    "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "not ok - build/$name: \`$*\` failed with exit status $rc"
        echo "0 passed, 1 failed"
        exit 1
    fi
}

if [ "${CHECK_SKIP_DEPS:-0}" != 1 ]; then
    step deps ./scripts/install-deps.sh --test
fi
step format ./scripts/check-format.sh
step sanitizers ./scripts/check-sanitizers.sh
step autogen ./autogen.sh
step configure ./configure --enable-werror
step build make -j2

echo "==> test: make -j2 check"
rc=0
BURROW_TEST_SUMMARY=$summary make -j2 check || rc=$?
echo
if [ -s "$summary" ]; then
    # Again, after make's own lines: CI reads the last line.
    tail -n 1 "$summary"
    if [ "$rc" -eq 0 ] && ! grep -q ', 0 failed' "$summary"; then rc=1; fi
else
    echo "not ok - build/check: \`make check\` failed with exit status $rc before the test runner finished"
    echo "0 passed, 1 failed"
    [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
