#!/usr/bin/env bash
# Runs esc-diag's fuzz targets (cargo-fuzz, nightly toolchain) for SECONDS each (default 30),
# seeded from testdata/ and rules/. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]. Prints one line
# per target (its executions, or the crash), then `N passed, M failed`; exits 1 on a crash.
# FUZZ_RUNS=N also ends each target after N executions, whichever comes first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(log_lines keepalived_conf manifest condition rule_file classifier_table bundle config_files)
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
# Seeds: the sample bundles' and the field corpus' files, by what each target reads.
seed() { # seed TARGET FILE...
  mkdir -p "fuzz/corpus/$1"
  local file
  for file in "${@:2}"; do
    [[ -f $file ]] && cp -f "$file" "fuzz/corpus/$1/$(echo "$file" | tr '/' '_')"
  done
  return 0
}
mapfile -t logs < <(find testdata -path '*var/log*' -type f ! -name '*.gz' -size -200k | sort)
mapfile -t confs < <(find testdata -name keepalived.conf -type f | sort)
mapfile -t manifests < <(find testdata -name manifest.json -type f | sort)
mapfile -t rules < <(find rules -maxdepth 1 -name '*.toml' | sort)
mapfile -t tables < <(find rules/classifiers -name '*.toml' | sort)
seed log_lines "${logs[@]}"
seed bundle "${logs[@]}"
# bundle's loose-folder mode (an input beginning with L): field cases of several nodes pasted
# into one file, as a ticket holds them.
pasted=0
for case in testdata/field/*/; do
  mapfile -t parts < <(find "$case" -maxdepth 1 -type f ! -name '*.json' -size -20k | sort)
  ((${#parts[@]} >= 2)) || continue
  { printf 'L'; cat "${parts[@]}"; } >"fuzz/corpus/bundle/loose-$(basename "$case")"
  ((++pasted < 40)) || break
done
seed keepalived_conf "${confs[@]}"
seed manifest "${manifests[@]}"
seed rule_file "${rules[@]}"
seed classifier_table "${tables[@]}"
mkdir -p fuzz/corpus/config_files
# config_files: the first byte picks the reader (even: esc-config.yaml, odd: DRBD).
printf '\0resources:\n  drbd:\n    nodes:\n    - 10.85.103.135\n    - 10.85.103.136\n  keepalived:\n    vip: 10.85.103.137\n    auth_pass: x\nlist:\n- {a: 1, b: [x, y]}\n' >fuzz/corpus/config_files/seed-yaml
printf '\1resource esc {\n  protocol C;\n  net { shared-secret "s"; }\n  on esc-ha-0 { device /dev/drbd1; address 10.85.103.135:7789; } # c\n}\n' >fuzz/corpus/config_files/seed-drbd
mkdir -p fuzz/corpus/condition
grep -h "^condition = '" rules/*.toml | sed "s/^condition = '//; s/'\$//" |
  awk '{ print > ("fuzz/corpus/condition/seed-" NR) }'
failed=0
passed=0
summary=()
for target in "${targets[@]}"; do
  log=$(mktemp)
  if (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -dict=dictionaries/esc.dict -max_total_time="$seconds" -rss_limit_mb=2048 \
      -max_len=16384 -timeout=10 -print_final_stats=1 ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"}) \
      >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o '[0-9]* second' || true)
    summary+=("$target: $runs runs${took:+ in ${took}s} (limit ${seconds} s), no crash")
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    summary+=("$target: CRASH (see fuzz/artifacts/$target/ and $log)")
    tail -30 "$log"
  fi
done
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
