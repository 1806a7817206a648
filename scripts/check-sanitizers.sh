#!/bin/bash
# check-sanitizers.sh: build the committed tree (HEAD) again with
# AddressSanitizer and UndefinedBehaviorSanitizer in a temporary directory,
# and run the unit tests, the fuzz corpora and the smoke tests with it.  A
# sanitizer report makes the test that hit it fail.  scripts/check.sh runs
# it before the main build; BURROW_SAN_PATTERN chooses other tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

git rev-parse --verify -q HEAD >/dev/null || {
    echo "check-sanitizers.sh: not a git checkout with a commit: nothing to build" >&2
    exit 1
}
dir=$(mktemp -d /tmp/burrow-san.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git archive HEAD | tar -x -C "$dir"
cd "$dir"
./autogen.sh >build.log 2>&1 &&
    ./configure --enable-sanitizers --enable-werror >>build.log 2>&1 &&
    make -j2 >>build.log 2>&1 || {
    tail -n 30 build.log
    echo "check-sanitizers.sh: the sanitizer build failed" >&2
    exit 1
}
make check BURROW_TEST_SELFTEST=0 BURROW_TEST_PATTERN="${BURROW_SAN_PATTERN:-^unit/|^smoke/}"
