# Shared by the bench scripts (sourced, not run): progress lines, and generated bundles made once
# and reused while their parameters and the generator stay the same.

# log MESSAGE...: a progress line on stderr.
log() { printf '==> %s\n' "$*" >&2; }

# generate_once BUNDLE ARGUMENT...: the bundle bench/generate_bundle.py writes with these
# arguments (and its summary in BUNDLE.stats.json), generated only when BUNDLE.params does not
# already record the same arguments and generator. Prints "reused" or "generated".
generate_once() {
    local bundle=$1 generator params
    shift
    generator=$(dirname "${BASH_SOURCE[0]}")/generate_bundle.py
    params="$* generator=$(sha256sum "$generator" | cut -c1-16)"
    if [[ -f $bundle/manifest.json && -f $bundle.params && $(cat "$bundle.params") == "$params" ]]; then
        log "reusing $bundle ($params)"
        echo reused
    else
        log "generating $bundle ($params)"
        rm -f "$bundle.params"
        python3 "$generator" "$bundle" "$@" --stats-file "$bundle.stats.json" >&2
        echo "$params" >"$bundle.params"
        echo generated
    fi
}

# start_bench NAME: checks that GNU time ($TIME) is there, builds the release binary under $ROOT
# and makes the scratch directory $WORK under $BENCH_DIR, removed on exit.
start_bench() {
    [[ -x $TIME ]] || { log "GNU time is needed (apt-get install time, or scripts/install-test-deps.sh)"; exit 2; }
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet)
    mkdir -p "$BENCH_DIR"
    WORK=$(mktemp -d "$BENCH_DIR/$1.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
}
