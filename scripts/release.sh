#!/usr/bin/env bash
# Builds the portable release binary: x86_64, glibc 2.17 or later (CentOS/RHEL 7 and newer ESC
# VMs), no OpenSSL needed on the node (ssh2's OpenSSL is vendored). Uses cargo-zigbuild with the
# ziglang package, both from PyPI, installed here when missing.
#
#   scripts/release.sh            # → dist/esc-diag (stripped), then scripts/check-portable.sh on it
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-gnu
GLIBC=2.17

if ! command -v cargo-zigbuild >/dev/null || ! python3 -c 'import ziglang' 2>/dev/null; then
    echo "==> installing cargo-zigbuild and ziglang (PyPI)" >&2
    python3 -m pip install --quiet --disable-pip-version-check ziglang cargo-zigbuild
fi
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET"

echo "==> cargo zigbuild --release --target $TARGET.$GLIBC" >&2
cargo zigbuild --release --locked --target "$TARGET.$GLIBC"

mkdir -p dist
strip -o dist/esc-diag "target/$TARGET/release/esc-diag"
echo "==> dist/esc-diag: $(stat -c %s dist/esc-diag) bytes" >&2
scripts/check-portable.sh dist/esc-diag
