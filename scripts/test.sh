#!/usr/bin/env bash
# Installs what the tests need (as root, with apt-get) and runs every test: the unit and
# integration tests, the rule and classifier cases, the field corpus and the lab (real keepalived,
# rsyslog and sshd in network namespaces; nftables, faketime, zsh, fish, groff for the others).
# Output ends with cargo's own summaries. Optimised (`--release`): the field corpus and the
# flapping and hard-wrapped inputs are analysed hundreds of times, which an unoptimised build takes
# over three times as long to do (the whole suite 24 min here instead of 12).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
cargo test --release "$@"
