#!/usr/bin/env bash
# Benchmark of esc-diag on a large generated two-node bundle, plain and gzip, with ripgrep and lnav
# over the same files in the same run when they are installed (scripts/install-test-deps.sh
# installs both).
#
#   bench/run.sh                       # 1 GiB of logs, 3 runs per measurement
#   BENCH_DIR=/data/bench SIZE_MIB=256 RUNS=5 bench/run.sh
#   SIZE_MIB=8 RUNS=1 bench/run.sh     # what CI runs: proves the script works, no thresholds
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
TIME=/usr/bin/time
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$BENCH_DIR"
WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv   # label bundle format run wall_s rss_kb cpu_s events


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
declare -A GEN_SECONDS
for variant in plain gzip; do
    bundle=$BENCH_DIR/$variant
    flag=()
    [[ $variant == gzip ]] && flag=(--gzip)
    made=$(generate_once "$bundle" --size-mib "$SIZE_MIB" --seed "$SEED" --start "$START" --days "$DAYS" "${flag[@]}")
    seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation_seconds"])' "$bundle.stats.json")
    if [[ $made == reused ]]; then
        GEN_SECONDS[$variant]="reused ($seconds s when generated)"
    else
        GEN_SECONDS[$variant]="$seconds s"
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

# measure LABEL RUNS COMMAND...: time COMMAND > /dev/null, RUNS times. Exit statuses 0 and 1 are
# results (analyze exits 1 when it finds a problem, rg -c when a file has no match).
measure() {
    local label=$1 runs=$2
    shift 2
    for ((i = 1; i <= runs; i++)); do
        local status=0
        "$TIME" -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || status=$?
        if ((status > 1)); then
            log "$label failed (exit $status): $(tail -n 3 "$WORK/stderr.txt")"
            exit 1
        fi
        printf '%s\t%d\t%s\t%s\t%s\n' "$label" "$i" \
            "$(wall_of "$WORK/time.txt")" "$(rss_of "$WORK/time.txt")" "$(cpu_of "$WORK/time.txt")" >>"$RESULTS"
        log "$label run $i: $(tail -n1 "$RESULTS" | cut -f3-5 | awk -F'\t' '{ printf "%s s wall, %.1f MB RSS, %s s CPU", $1, $2 / 1000, $3 }')"
    done
}

mapfile -t PLAIN_LOGS < <(cd "$BENCH_DIR/plain" && find . -path './*/var/log/*' -type f | sort | sed "s#^\.#$BENCH_DIR/plain#")
mapfile -t GZ_LOGS < <(cd "$BENCH_DIR/gzip" && find . -path './*/var/log/*' -type f | sort | sed "s#^\.#$BENCH_DIR/gzip#")
log "warming the page cache"
cat "${PLAIN_LOGS[@]}" "${GZ_LOGS[@]}" >/dev/null

RG_PATTERN='Keepalived|drbd|ERROR'
measure "esc-diag analyze (plain)" "$RUNS" "$BIN" analyze "$BENCH_DIR/plain"
measure "esc-diag timeline (plain)" "$RUNS" "$BIN" timeline "$BENCH_DIR/plain"
measure "esc-diag timeline --format ndjson (plain)" "$RUNS" "$BIN" timeline "$BENCH_DIR/plain" --format ndjson
measure "esc-diag timeline --all --format ndjson (plain)" 1 "$BIN" timeline "$BENCH_DIR/plain" --all --format ndjson
measure "esc-diag analyze (gzip)" "$RUNS" "$BIN" analyze "$BENCH_DIR/gzip"
measure "esc-diag timeline (gzip)" "$RUNS" "$BIN" timeline "$BENCH_DIR/gzip"
measure "cat (plain)" "$RUNS" cat "${PLAIN_LOGS[@]}"
measure "zcat (gzip)" "$RUNS" zcat "${GZ_LOGS[@]}"
if command -v rg >/dev/null; then
    measure "rg -c '$RG_PATTERN' (plain)" "$RUNS" rg -c "$RG_PATTERN" "${PLAIN_LOGS[@]}"
    measure "rg -z -c '$RG_PATTERN' (gzip)" "$RUNS" rg -z -c "$RG_PATTERN" "${GZ_LOGS[@]}"
    # A floor for any reader of these logs with esc-diag's tables: ripgrep looking only for the
    # literals that escmanager's and escadm's lines are screened for before classification (no
    # stamps, no events, no messages files), over the application logs alone.
    "$BIN" rules literals escmanager >"$WORK/screen-literals.txt"
    "$BIN" rules literals escadm >>"$WORK/screen-literals.txt"
    sort -u -o "$WORK/screen-literals.txt" "$WORK/screen-literals.txt"
    mapfile -t APP_LOGS < <(printf '%s\n' "${PLAIN_LOGS[@]}" | grep '/var/log/esc/')
    APP_BYTES=$(cat "${APP_LOGS[@]}" | wc -c)
    SCREEN_LABEL="rg -i -F -c, the $(wc -l <"$WORK/screen-literals.txt") screen literals, application logs only (plain)"
    measure "$SCREEN_LABEL" "$RUNS" rg -i -F -c -f "$WORK/screen-literals.txt" "${APP_LOGS[@]}"
else
    log "rg is not installed: no ripgrep comparison"
fi
if command -v lnav >/dev/null; then
    # lnav headless: load every file (it detects the formats) and count the lines it indexed.
    measure "lnav -n (plain)" 1 env HOME="$WORK" lnav -n -c ';SELECT count(*) FROM all_logs' "${PLAIN_LOGS[@]}"
else
    log "lnav is not installed: no lnav comparison"
fi

# ---- report ---------------------------------------------------------------------------------
{
    echo "## esc-diag benchmark"
    echo
    echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM; esc-diag $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')"
    echo "- input: $INPUT_BYTES bytes of logs uncompressed ($(awk -v b="$INPUT_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB, 2 nodes x messages + escmanager.log + escadm.log); gzip bundle $GZ_DISK bytes on disk"
    echo "- generation: plain ${GEN_SECONDS[plain]}, gzip ${GEN_SECONDS[gzip]}"
    echo "- $RUNS runs per measurement (--all and lnav: 1), page cache warm; MB = 10^6 bytes; throughput = uncompressed input bytes (for the application-logs row, theirs: $(awk -v b="${APP_BYTES:-0}" 'BEGIN { printf "%.1f", b / 1e6 }') MB) / wall seconds; rg $(rg --version 2>/dev/null | head -n1 | cut -d' ' -f2 || echo '-'), lnav $(lnav -V 2>/dev/null | cut -d' ' -f2 || echo '-')"
    echo
    python3 - "$RESULTS" "$INPUT_BYTES" "${APP_BYTES:-0}" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
total = int(sys.argv[2])
application_bytes = int(sys.argv[3])
order, runs = [], {}
for label, i, wall, rss, cpu in rows:
    if label not in runs:
        order.append(label)
        runs[label] = []
    runs[label].append((float(wall), int(rss), float(cpu)))
print("| measurement | runs | wall s (best / median) | MB/s (best / median) | peak RSS MB (max) | CPU s (median) |")
print("|---|---|---|---|---|---|")
median = {}
for label in order:
    r = runs[label]
    walls = [x[0] for x in r]
    best, med = min(walls), statistics.median(walls)
    median[label] = med
    read = application_bytes if "application logs only" in label else total
    mbs = lambda w: read / 1e6 / w if w > 0 else float("inf")
    shown = label.replace("|", "\\|")
    print(f"| {shown} | {len(r)} | {best:.2f} / {med:.2f} | {mbs(best):.0f} / {mbs(med):.0f} "
          f"| {max(x[1] for x in r) / 1000:.1f} | {statistics.median(x[2] for x in r):.2f} |")
print()
analyze = median.get("esc-diag analyze (plain)")
for label in order:
    if label.startswith("rg -c") and analyze:
        print(f"- analyze takes {analyze / max(median[label], 1e-9):.1f}x the wall time of `{label}` (goal: at most 5x)")
    if "screen literals" in label and analyze:
        print(f"- ripgrep searching only for the screen's literals (application logs only) takes "
              f"{median[label] / max(analyze, 1e-9):.2f}x the wall time of analyze's whole run")
    if label.startswith("lnav") and analyze:
        print(f"- analyze is {median[label] / max(analyze, 1e-9):.1f}x faster than `{label}` (goal: at least 10x)")
PY
    echo
    echo "Reproduce one measurement:"
    echo
    echo '```sh'
    echo "cd $ROOT && cargo build --release"
    echo "python3 bench/generate_bundle.py $BENCH_DIR/plain --size-mib $SIZE_MIB --seed $SEED --start $START --days $DAYS"
    echo "/usr/bin/time -v target/release/esc-diag analyze $BENCH_DIR/plain > /dev/null"
    echo "# or all of it: BENCH_DIR=$BENCH_DIR SIZE_MIB=$SIZE_MIB RUNS=$RUNS bench/run.sh"
    echo '```'
} | tee "$BENCH_DIR/results.md"
