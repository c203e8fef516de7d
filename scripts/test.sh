#!/usr/bin/env bash
# Installs what the tests need (as root, with apt-get) and runs every test: the unit and
# integration tests, the rule and classifier cases, the field corpus and the lab (real keepalived,
# rsyslog and sshd in network namespaces; nftables, faketime, zsh, fish, groff for the others).
# Output ends with cargo's own summaries.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
cargo test "$@"
