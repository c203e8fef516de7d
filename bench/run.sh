#!/usr/bin/env bash
# Benchmark of `esc-diag timeline` on a large generated two-node bundle, plain and gzip.
#
#   bench/run.sh                       # 1 GiB of logs, 3 runs per measurement
#   BENCH_DIR=/data/bench SIZE_MIB=256 RUNS=5 bench/run.sh
#
# Environment: BENCH_DIR (scratch dir, default /tmp/esc-diag-bench), SIZE_MIB (default 1024),
# SEED (default 20261125), START (default 2026-11-25T00:00:00Z), DAYS (default 7), RUNS (default 3).
# Bundles are reused when $BENCH_DIR/{plain,gzip}.params match the parameters and the generator.
# Results: a markdown table on stdout, also saved as $BENCH_DIR/results.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esc-diag-bench}
SIZE_MIB=${SIZE_MIB:-1024}
SEED=${SEED:-20261125}
START=${START:-2026-11-25T00:00:00Z}
DAYS=${DAYS:-7}
RUNS=${RUNS:-3}
BIN=$ROOT/target/release/esc-diag
GEN=$ROOT/bench/generate_bundle.py
TIME=/usr/bin/time

mkdir -p "$BENCH_DIR"
WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv   # label bundle format run wall_s rss_kb cpu_s events

log() { printf '==> %s\n' "$*" >&2; }

if [[ ! -x $TIME ]]; then
    log "installing GNU time (/usr/bin/time)"
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
    else
        sudo apt-get install -y time >/dev/null
    fi
fi

log "cargo build --release"
(cd "$ROOT" && cargo build --release --quiet)

# ---- bundles --------------------------------------------------------------------------------
GEN_SHA=$(sha256sum "$GEN" | cut -c1-16)
declare -A GEN_SECONDS
for variant in plain gzip; do
    bundle=$BENCH_DIR/$variant
    flag=()
    [[ $variant == gzip ]] && flag=(--gzip)
    params="size_mib=$SIZE_MIB seed=$SEED start=$START days=$DAYS variant=$variant generator=$GEN_SHA"
    if [[ -f $bundle/manifest.json && -f $BENCH_DIR/$variant.params && $(cat "$BENCH_DIR/$variant.params") == "$params" ]]; then
        log "reusing $bundle ($params)"
        GEN_SECONDS[$variant]="reused ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation_seconds"])' "$BENCH_DIR/$variant.stats.json") s when generated)"
    else
        log "generating $bundle ($params)"
        rm -f "$BENCH_DIR/$variant.params"
        python3 "$GEN" "$bundle" --size-mib "$SIZE_MIB" --seed "$SEED" --start "$START" --days "$DAYS" \
            "${flag[@]}" --stats-file "$BENCH_DIR/$variant.stats.json"
        echo "$params" >"$BENCH_DIR/$variant.params"
        GEN_SECONDS[$variant]="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation_seconds"])' "$BENCH_DIR/$variant.stats.json") s"
    fi
done
INPUT_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uncompressed_bytes"])' "$BENCH_DIR/plain.stats.json")
GZ_DISK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["on_disk_bytes"])' "$BENCH_DIR/gzip.stats.json")

# ---- measurements ---------------------------------------------------------------------------
wall_of() { # GNU time's "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" in seconds
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
cpu_of() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$1"; }

# measure LABEL BUNDLE FORMAT RUNS EVENTS ARGS...: time `esc-diag timeline BUNDLE ARGS > /dev/null`.
measure() {
    local label=$1 bundle=$2 format=$3 runs=$4 events=$5
    shift 5
    for ((i = 1; i <= runs; i++)); do
        "$TIME" -v -o "$WORK/time.txt" "$BIN" timeline "$BENCH_DIR/$bundle" "$@" >/dev/null 2>"$WORK/stderr.txt"
        local shown
        shown=$(sed -n 's/^\([0-9]*\) events shown.*/\1/p' "$WORK/stderr.txt")
        printf '%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n' "$label" "$bundle" "$format" "$i" \
            "$(wall_of "$WORK/time.txt")" "$(rss_of "$WORK/time.txt")" "$(cpu_of "$WORK/time.txt")" \
            "${shown:-$events}" >>"$RESULTS"
        log "$label run $i: $(tail -n1 "$RESULTS" | cut -f5-8 | awk -F'\t' '{ printf "%s s wall, %.1f MB RSS, %s s CPU, %s events", $1, $2 / 1000, $3, $4 }')"
    done
}

# Baselines: reading the same bytes with cat / zcat (also warms the page cache).
baseline() {
    local label=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    printf '%s\t%s\n' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" >>"$WORK/baseline.tsv"
}
mapfile -t PLAIN_LOGS < <(cd "$BENCH_DIR/plain" && find . -path './*/var/log/*' -type f | sort | sed "s#^\.#$BENCH_DIR/plain#")
mapfile -t GZ_LOGS < <(cd "$BENCH_DIR/gzip" && find . -path './*/var/log/*' -type f | sort | sed "s#^\.#$BENCH_DIR/gzip#")
log "warming the page cache, cat / zcat baselines"
cat "${PLAIN_LOGS[@]}" "${GZ_LOGS[@]}" >/dev/null
baseline "cat (plain logs)" cat "${PLAIN_LOGS[@]}"
baseline "zcat (gzip logs)" zcat "${GZ_LOGS[@]}"

# The ndjson event count (one untimed run per bundle; ndjson is one event per line).
NDJSON_EVENTS_PLAIN=$("$BIN" timeline "$BENCH_DIR/plain" --format ndjson 2>/dev/null | wc -l)
NDJSON_EVENTS_GZIP=$("$BIN" timeline "$BENCH_DIR/gzip" --format ndjson 2>/dev/null | wc -l)

measure "plain ndjson" plain ndjson "$RUNS" "$NDJSON_EVENTS_PLAIN" --format ndjson
measure "plain text" plain text "$RUNS" "" --format text
measure "gzip ndjson" gzip ndjson "$RUNS" "$NDJSON_EVENTS_GZIP" --format ndjson
measure "gzip text" gzip text "$RUNS" "" --format text
measure "plain --all ndjson" plain ndjson 1 "(see text)" --all --format ndjson
measure "plain --all text" plain text 1 "" --all --format text

# ---- report ---------------------------------------------------------------------------------
{
    echo "## esc-diag timeline benchmark"
    echo
    echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM; esc-diag $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')"
    echo "- input: $INPUT_BYTES bytes of logs uncompressed ($(awk -v b="$INPUT_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB, 2 nodes x messages + escmanager.log + escadm.log); gzip bundle $GZ_DISK bytes on disk"
    echo "- generation: plain ${GEN_SECONDS[plain]}, gzip ${GEN_SECONDS[gzip]}"
    echo "- $RUNS runs per measurement (--all: 1), page cache warm; MB = 10^6 bytes; throughput = uncompressed input bytes / wall seconds"
    echo
    python3 - "$RESULTS" "$INPUT_BYTES" "$WORK/baseline.tsv" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
total = int(sys.argv[2])
order, runs = [], {}
for label, bundle, fmt, i, wall, rss, cpu, events in rows:
    if label not in runs:
        order.append(label)
        runs[label] = []
    runs[label].append((float(wall), int(rss), float(cpu), events))
print("| measurement | runs | events | wall s (best / median) | MB/s (best / median) | peak RSS MB (best / median) | CPU s (median) |")
print("|---|---|---|---|---|---|---|")
for label in order:
    r = runs[label]
    walls = [x[0] for x in r]
    rss = [x[1] / 1000 for x in r]
    cpu = [x[2] for x in r]
    best, med = min(walls), statistics.median(walls)
    mbs = lambda w: total / 1e6 / w if w > 0 else float("inf")
    print(f"| {label} | {len(r)} | {r[-1][3]} | {best:.2f} / {med:.2f} | {mbs(best):.1f} / {mbs(med):.1f} "
          f"| {min(rss):.1f} / {statistics.median(rss):.1f} | {statistics.median(cpu):.2f} |")
print()
for line in open(sys.argv[3]):
    label, secs = line.rstrip("\n").split("\t")
    print(f"- baseline {label}: {float(secs):.2f} s, {total / 1e6 / float(secs):.0f} MB/s")
PY
    echo
    echo "Reproduce:"
    echo
    echo '```sh'
    echo "cd $ROOT && cargo build --release"
    echo "python3 bench/generate_bundle.py $BENCH_DIR/plain --size-mib $SIZE_MIB --seed $SEED --start $START --days $DAYS"
    echo "python3 bench/generate_bundle.py $BENCH_DIR/gzip --size-mib $SIZE_MIB --seed $SEED --start $START --days $DAYS --gzip"
    echo "/usr/bin/time -v target/release/esc-diag timeline $BENCH_DIR/plain --format ndjson > /dev/null"
    echo "/usr/bin/time -v target/release/esc-diag timeline $BENCH_DIR/plain --format text > /dev/null"
    echo "/usr/bin/time -v target/release/esc-diag timeline $BENCH_DIR/gzip --format ndjson > /dev/null"
    echo "/usr/bin/time -v target/release/esc-diag timeline $BENCH_DIR/gzip --format text > /dev/null"
    echo "/usr/bin/time -v target/release/esc-diag timeline $BENCH_DIR/plain --all --format ndjson > /dev/null"
    echo "# or all of it: BENCH_DIR=$BENCH_DIR SIZE_MIB=$SIZE_MIB RUNS=$RUNS bench/run.sh"
    echo '```'
} | tee "$BENCH_DIR/results.md"
