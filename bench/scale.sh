#!/usr/bin/env bash
# How esc-diag's cost grows with the input: `analyze` on generated two-node bundles of several
# sizes (same week, same 40 HA episodes, more noise), wall time and peak RSS of each, drawn on one
# plot (bench/scale.svg) with a Markdown table on stdout.
#
#   bench/scale.sh                                  # 256, 1024, 2048, 4096 and 8192 MiB, best of 2
#   SIZES="256 1024 4096" RUNS=3 bench/scale.sh
#   BENCH_DIR=/data/bench KEEP=1 bench/scale.sh     # keep the bundles (8 GiB for the largest)
#
# Environment: BENCH_DIR (scratch, default /tmp/esc-diag-bench), SIZES (MiB), RUNS (default 2),
# SEED, START, DAYS as bench/run.sh, SVG (default bench/scale.svg), KEEP (1: keep each bundle).
# A bundle is reused when its .params match; without KEEP it is removed once measured.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esc-diag-bench}
SIZES=${SIZES:-256 1024 2048 4096 8192}
RUNS=${RUNS:-2}
SEED=${SEED:-20261125}
START=${START:-2026-11-25T00:00:00Z}
DAYS=${DAYS:-7}
SVG=${SVG:-$ROOT/bench/scale.svg}
KEEP=${KEEP:-0}
BIN=$ROOT/target/release/esc-diag
TIME=/usr/bin/time
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

start_bench scale
RESULTS=$WORK/results.tsv # size_mib bytes lines events best_wall_s rss_kb

for size in $SIZES; do
    bundle=$BENCH_DIR/scale-$size
    generate_once "$bundle" --size-mib "$size" --seed "$SEED" --start "$START" --days "$DAYS" >/dev/null
    bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uncompressed_bytes"])' "$bundle.stats.json")
    lines=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lines"])' "$bundle.stats.json")
    best="" rss=0
    for ((run = 1; run <= RUNS; run++)); do
        status=0
        "$TIME" -f '%e %M' -o "$WORK/time.txt" "$BIN" analyze --format json "$bundle" >"$WORK/report.json" || status=$?
        ((status <= 1)) || { log "analyze failed on $bundle (exit $status)"; exit 1; }
        read -r wall run_rss < <(tail -n 1 "$WORK/time.txt")
        log "$size MiB run $run: $wall s, $((run_rss / 1024)) MB peak RSS"
        if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
        ((run_rss > rss)) && rss=$run_rss
    done
    events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["coverage"]["events"])' "$WORK/report.json")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$bytes" "$lines" "$events" "$best" "$rss" >>"$RESULTS"
    if [[ $KEEP != 1 ]]; then rm -rf "$bundle" "$bundle.params" "$bundle.stats.json"; fi
done

python3 - "$RESULTS" "$SVG" "$(nproc)" <<'PY'
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
svg_path, cores = sys.argv[2], sys.argv[3]
points = [(int(b) / 1e6, float(w), int(r) / 1024, int(l), int(e)) for _, b, l, e, w, r in rows]

print(f"| input (MB) | lines | recognised events | analyze wall s (best) | MB/s | s per GB | peak RSS (MB) |")
print("|---|---|---|---|---|---|---|")
for mb, wall, rss, lines, events in points:
    print(f"| {mb:,.0f} | {lines:,} | {events:,} | {wall:.2f} | {mb / wall:,.0f} | {wall / mb * 1000:.2f} | {rss:.0f} |")

# Least squares through the points: seconds = a + b * MB, and how far each point is from it.
n = len(points)
if n >= 2:
    mean_x = sum(p[0] for p in points) / n
    mean_y = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mean_x) ** 2 for p in points)
    slope = sum((p[0] - mean_x) * (p[1] - mean_y) for p in points) / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    per_gb = [p[1] / p[0] * 1000 for p in points]
    print(f"\nlinear fit: {intercept:.2f} s + {slope * 1000:.2f} s per GB; "
          f"seconds per GB from {min(per_gb):.2f} to {max(per_gb):.2f} across the sizes")
else:
    slope, intercept = 0.0, 0.0

# The plot: time (left axis, filled dots, fitted line) and peak RSS (right axis, squares).
width, height, left, right, top, bottom = 720, 420, 70, 80, 40, 60
plot_w, plot_h = width - left - right, height - top - bottom
max_x = max(p[0] for p in points) * 1.05
max_t = max(p[1] for p in points) * 1.15
max_r = max(max(p[2] for p in points) * 1.3, 100)
x = lambda mb: left + mb / max_x * plot_w
y_t = lambda s: top + plot_h - s / max_t * plot_h
y_r = lambda r: top + plot_h - r / max_r * plot_h

def ticks(limit, count=5):
    raw = limit / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    value = 0.0
    while value <= limit:
        yield value
        value += step

out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
       f'font-family="sans-serif" font-size="12">',
       f'<rect width="{width}" height="{height}" fill="white"/>',
       f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">esc-diag analyze: '
       f'wall time and peak RSS by input size ({cores} cores, warm cache)</text>']
for value in ticks(max_x):
    out.append(f'<line x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{top + plot_h}" stroke="#eee"/>')
    out.append(f'<text x="{x(value):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{value:,.0f}</text>')
for value in ticks(max_t):
    out.append(f'<line x1="{left}" y1="{y_t(value):.1f}" x2="{left + plot_w}" y2="{y_t(value):.1f}" stroke="#eee"/>')
    out.append(f'<text x="{left - 8}" y="{y_t(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
for value in ticks(max_r):
    out.append(f'<text x="{left + plot_w + 8}" y="{y_r(value) + 4:.1f}" fill="#b35900">{value:g}</text>')
out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>')
out.append(f'<text x="{left + plot_w / 2}" y="{height - 15}" text-anchor="middle">input (MB of logs, both nodes)</text>')
out.append(f'<text transform="translate(18,{top + plot_h / 2}) rotate(-90)" text-anchor="middle" fill="#1f5fa8">wall time (s)</text>')
out.append(f'<text transform="translate({width - 18},{top + plot_h / 2}) rotate(90)" text-anchor="middle" fill="#b35900">peak RSS (MB)</text>')
if n >= 2:
    out.append(f'<line x1="{x(0):.1f}" y1="{y_t(intercept):.1f}" x2="{x(max_x):.1f}" '
               f'y2="{y_t(intercept + slope * max_x):.1f}" stroke="#1f5fa8" stroke-dasharray="5,4"/>')
out.append('<polyline fill="none" stroke="#b35900" points="' +
           " ".join(f"{x(p[0]):.1f},{y_r(p[2]):.1f}" for p in points) + '"/>')
for mb, wall, rss, _, _ in points:
    out.append(f'<circle cx="{x(mb):.1f}" cy="{y_t(wall):.1f}" r="4.5" fill="#1f5fa8"><title>{mb:,.0f} MB: {wall:.2f} s</title></circle>')
    out.append(f'<rect x="{x(mb) - 4:.1f}" y="{y_r(rss) - 4:.1f}" width="8" height="8" fill="#b35900"><title>{mb:,.0f} MB: {rss:.0f} MB RSS</title></rect>')
out.append(f'<text x="{left + 10}" y="{top + 18}" fill="#1f5fa8">● wall time, dashed: least-squares line</text>')
out.append(f'<text x="{left + 10}" y="{top + 34}" fill="#b35900">■ peak RSS</text>')
out.append("</svg>")
open(svg_path, "w").write("\n".join(out) + "\n")
print(f"\nplot: {svg_path}")
PY
