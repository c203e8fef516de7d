#!/usr/bin/env bash
# Memory against the number of recognised events: `analyze` and `timeline` on generated two-node
# bundles whose lines are nearly all recognised keepalived lines (bench/generate_flood.py), with
# the default event budget and, up to UNLIMITED_UP_TO lines, with --max-events 0 (every event
# kept). Prints a Markdown table: wall time, peak RSS, events read and kept; then one of a flapping
# pair (every line a state change): wall time and peak RSS against the number of transitions.
#
#   bench/flood.sh                                  # 10 k, 100 k, 1 M and 10 M lines
#   LINES="10000 1000000" bench/flood.sh
#   FLAP_LINES="4000 40000" bench/flood.sh          # the flapping pair's sizes (lines)
#
# Environment: BENCH_DIR (scratch, default /tmp/esc-diag-bench), LINES, UNLIMITED_UP_TO (default
# 1000000), FLAP_LINES (default 4000 40000 200000), KEEP (1: keep the bundles; the 10 M one is
# about 0.9 GB).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esc-diag-bench}
LINES=${LINES:-10000 100000 1000000 10000000}
UNLIMITED_UP_TO=${UNLIMITED_UP_TO:-1000000}
FLAP_LINES=${FLAP_LINES:-4000 40000 200000}
KEEP=${KEEP:-0}
BIN=$ROOT/target/release/esc-diag
TIME=/usr/bin/time
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

start_bench flood

# measure LABEL COMMAND...: one run; prints "wall_s rss_mb" and keeps stdout in $WORK/out.
measure() {
    local label=$1 status=0 wall rss
    shift
    "$TIME" -f '%e %M' -o "$WORK/time.txt" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
    ((status <= 1)) || { log "$label failed (exit $status): $(tail -n 3 "$WORK/err")"; exit 1; }
    read -r wall rss < <(tail -n 1 "$WORK/time.txt")
    log "$label: $wall s, $((rss / 1024)) MB peak RSS"
    echo "$wall $((rss / 1024))"
}

coverage() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["coverage"]; print(c["events"], c.get("events_kept", c["events"]))' "$WORK/out"; }

echo "| recognised lines | input (MB) | budget | analyze wall s | analyze peak RSS (MB) | events read | events kept | timeline wall s | timeline peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|---|---|"
for lines in $LINES; do
    bundle=$BENCH_DIR/flood-$lines
    if [[ ! -f $bundle.done ]]; then
        log "generating $bundle ($lines lines)"
        python3 "$ROOT/bench/generate_flood.py" "$bundle" --lines "$lines"
        touch "$bundle.done"
    fi
    megabytes=$(du -sm "$bundle" | cut -f1)
    budgets=(default)
    ((lines <= UNLIMITED_UP_TO)) && budgets+=(0)
    for budget in "${budgets[@]}"; do
        flag=()
        [[ $budget == 0 ]] && flag=(--max-events 0)
        read -r analyze_s analyze_mb < <(measure "analyze $lines ($budget)" "$BIN" analyze --format json "${flag[@]}" "$bundle")
        read -r read kept < <(coverage)
        read -r timeline_s timeline_mb < <(measure "timeline $lines ($budget)" "$BIN" timeline --format ndjson "${flag[@]}" "$bundle")
        label=$([[ $budget == 0 ]] && echo "0 (all)" || echo "default")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$lines" "$megabytes" "$label" \
            "$analyze_s" "$analyze_mb" "$read" "$kept" "$timeline_s" "$timeline_mb"
    done
    if [[ $KEEP != 1 ]]; then rm -rf "$bundle" "$bundle.done"; fi
done

# A flapping pair: every second each node changes state (and DRBD loses its peer), so nearly every
# line is a transition, each one a subject of every cause rule. Time per transition stays flat.
echo
echo "| flapping lines | transitions | analyze wall s | analyze peak RSS (MB) |"
echo "|---|---|---|---|"
for lines in $FLAP_LINES; do
    bundle=$BENCH_DIR/flap-$lines
    log "generating $bundle ($lines lines, a failover every second)"
    python3 "$ROOT/bench/generate_flood.py" "$bundle" --lines "$lines" --failover-every 1
    read -r analyze_s analyze_mb < <(measure "analyze flapping $lines" "$BIN" analyze --format json "$bundle")
    transitions=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["transitions"]))' "$WORK/out")
    printf '| %s | %s | %s | %s |\n' "$lines" "$transitions" "$analyze_s" "$analyze_mb"
    if [[ $KEEP != 1 ]]; then rm -rf "$bundle"; fi
done
