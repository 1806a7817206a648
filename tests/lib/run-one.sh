#!/bin/bash
# run-one.sh: run one integration test, or clean up after one.  Started by
# tests/run-all.sh, as the user of the mode, with a clean environment:
#
#   run-one.sh run SUITE_FILE TEST_FUNCTION
#   run-one.sh cleanup
#
# Environment: BW_TESTDIR (the test's fresh directory), BW_MODE, BW_ROOTFS,
# BURROW, PAYLOAD.  Results go to files in BW_TESTDIR (see lib.sh): exit 0
# pass, 77 skip, anything else fail.
set -eEuo pipefail
shopt -s inherit_errexit

lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/lib.sh
. "$lib/lib.sh"

T=$BW_TESTDIR
BW_ROOT=$T/state
ROOTFS=$BW_ROOTFS
BUNDLE=$T/bundle
export T BW_ROOT ROOTFS BUNDLE BW_MODE BURROW PAYLOAD

_bw_on_err() {
    local rc=$1 cmd=$2 where=$3
    [ -e "$T/.reason" ] || _bw_file .reason "command failed with status $rc at $where: $cmd"
    exit 1
}

case ${1:-} in
run)
    suite_file=$2
    func=$3
    cd "$T"
    : >"$T/.ids"
    CID=$(new_cid)
    export CID
    # shellcheck disable=SC1090
    . "$suite_file"
    declare -F "$func" >/dev/null || fail "no function $func in $suite_file"
    trap '_bw_on_err $? "$BASH_COMMAND" "${BASH_SOURCE[0]##*/}:$LINENO"' ERR
    "$func"
    trap - ERR
    ;;
cleanup)
    # What a user would do after a test, then the check that it sufficed:
    # `burrow delete --force` on every id the test used; whatever is still
    # there is reported as left behind and then removed by force.
    cd /
    ids=()
    [ ! -s "$T/.ids" ] || mapfile -t ids <"$T/.ids"
    for id in "${ids[@]}"; do
        printf '$ (cleanup) burrow delete --force %s\n' "$id" >>"$T/.log"
        timeout -k 2 20 "$BURROW" --root "$BW_ROOT" delete --force "$id" \
            </dev/null >>"$T/.log" 2>&1 || echo "exit status $?" >>"$T/.log"
    done
    found=$(bw_leftovers_settled "$T" "$ROOTFS" "$BW_ROOT" "${ids[@]}")
    if [ -n "$found" ]; then
        printf '%s\n' "$found" >"$T/.leftover"
        while read -r kind what _; do
            [ "$kind" != pid ] || kill -KILL "${what%:}" 2>/dev/null || true
        done <<<"$found"
    fi
    ;;
*)
    echo "usage: run-one.sh run SUITE_FILE TEST_FUNCTION | run-one.sh cleanup" >&2
    exit 2
    ;;
esac
