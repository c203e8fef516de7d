#!/usr/bin/env bash
# Checks that a built esc-diag runs on every ESC VM: the highest GLIBC symbol version it needs is
# at most 2.17, it links nothing beyond libc, libm, libpthread, libdl, librt and the loader, and
# it runs --version and analyze on a sample bundle. Prints one line per check and a summary.
#
#   scripts/check-portable.sh dist/esc-diag
set -uo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: check-portable.sh BINARY}
passed=0
failed=0
check() { # check NAME COMMAND...
    local name=$1
    shift
    if output=$("$@" 2>&1); then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        printf '%s\n' "$output" | sed 's/^/     /' | tail -n 5
        failed=$((failed + 1))
    fi
}

glibc_at_most_2_17() {
    local highest
    highest=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -n 1)
    echo "highest GLIBC symbol version: ${highest:-none}"
    [ -n "$highest" ] && [ "$(printf '%s\n2.17\n' "$highest" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)" = "2.17" ]
}

only_system_libraries() {
    local needed bad
    needed=$(readelf -d "$binary" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
    echo "needs: $(echo "$needed" | tr '\n' ' ')"
    bad=$(echo "$needed" | grep -Ev '^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-x86-64\.so\.2)$' || true)
    [ -z "$bad" ] || { echo "unexpected: $bad"; return 1; }
}

runs_version() { "$binary" --version | grep -q '^esc-diag '; }

runs_analyze() {
    local code=0
    "$binary" analyze testdata/bundles/lab-partition --format json >/tmp/esc-diag-portable.json || code=$?
    [ "$code" -le 1 ] && grep -q '"status": "split-brain"' /tmp/esc-diag-portable.json
}

check "GLIBC symbols at most 2.17" glibc_at_most_2_17
check "links only libc, libm, libpthread, libdl, librt and the loader" only_system_libraries
check "runs --version" runs_version
check "runs analyze on testdata/bundles/lab-partition" runs_analyze
echo "portable binary: $(stat -c %s "$binary") bytes"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
