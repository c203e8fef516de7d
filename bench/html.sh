#!/usr/bin/env bash
# Benchmark of the HTML report on a large generated two-node bundle: its size, the time
# `esc-diag analyze --format html` takes, and how long headless Chromium takes to open it (load
# and the page's script), against an empty page's time on the same machine.
#
#   bench/html.sh                        # 512 MiB of logs (the issue's "500 MB bundle")
#   BENCH_DIR=/data/bench SIZE_MIB=1024 RUNS=5 bench/html.sh
#
# Environment: BENCH_DIR (default /tmp/esc-diag-bench), SIZE_MIB (default 512), SEED, DAYS,
# EPISODES (generator defaults), RUNS (default 3). Goals: page <= 5 MB, opened in < 2 s.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esc-diag-bench}
SIZE_MIB=${SIZE_MIB:-512}
SEED=${SEED:-20261125}
DAYS=${DAYS:-7}
RUNS=${RUNS:-3}
BIN=$ROOT/target/release/esc-diag
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
command -v chromium >/dev/null || { echo "chromium is not installed (scripts/install-test-deps.sh installs it)" >&2; exit 2; }

(cd "$ROOT" && cargo build --release --quiet)
mkdir -p "$BENCH_DIR"
WORK=$(mktemp -d "$BENCH_DIR/html.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

bundle=$BENCH_DIR/html-$SIZE_MIB
extra=()
[[ -n ${EPISODES:-} ]] && extra=(--episodes "$EPISODES")
generate_once "$bundle" --size-mib "$SIZE_MIB" --seed "$SEED" --days "$DAYS" "${extra[@]}" >/dev/null
input_bytes=$(du -sb "$bundle" | cut -f1)

seconds() { local start=$1 end; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'; }
page=$WORK/report.html
start=$(date +%s.%N)
"$BIN" analyze "$bundle" --format html -o "$page" || [[ $? -eq 1 ]]
analyze_s=$(seconds "$start")
page_bytes=$(stat -c %s "$page")
transitions=$(grep -c 'data-transition=' "$page" || true)
rows=$(grep -c '<tr id="e-' "$page" || true)

open_page() { # prints the seconds headless Chromium takes to load a page and dump its DOM
    local start
    start=$(date +%s.%N)
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/profile" --dump-dom "file://$1" >/dev/null 2>&1
    seconds "$start"
}
printf '<!DOCTYPE html><title>empty</title>' >"$WORK/empty.html"
open_page "$WORK/empty.html" >/dev/null # a first start warms the caches
empty_s=() page_s=()
for ((i = 1; i <= RUNS; i++)); do
    empty_s+=("$(open_page "$WORK/empty.html")")
    page_s+=("$(open_page "$page")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
empty_median=$(median "${empty_s[@]}")
page_median=$(median "${page_s[@]}")

cat <<REPORT
## esc-diag HTML report benchmark

- machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM; esc-diag $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'); $(chromium --version 2>/dev/null)
- bundle: $bundle, $((input_bytes / 1048576)) MiB on disk

| measure | value | goal |
|---|---|---|
| analyze --format html (wall) | ${analyze_s} s | |
| page size | $((page_bytes / 1024)) KiB | <= 5 MB |
| transition markers / timeline rows in the page | $transitions / $rows | |
| headless Chromium, empty page (median of $RUNS) | ${empty_median} s | |
| headless Chromium, the report (median of $RUNS) | ${page_median} s | |
| the report's own share (report - empty page) | $(awk -v a="$page_median" -v b="$empty_median" 'BEGIN { printf "%.2f", a - b }') s | < 2 s |
REPORT
