#!/usr/bin/env bash
# Installs, as root with apt-get, the Debian packages the tests and the release check need: real
# keepalived, rsyslog and sshd for the lab and SSH tests, nftables and faketime for collect's
# tests, zsh, fish and groff to parse the completions and man page, binutils for the release check,
# Chromium (with a font, and unshare from util-linux) to render the HTML report, xz, bzip2, zstd and
# zip to pack the archives the tests read; GNU time, ripgrep and lnav for bench/run.sh.
# Does nothing for packages already installed, or when not root.
set -euo pipefail
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    packages="keepalived rsyslog openssh-server openssh-client sudo faketime iproute2 iputils-ping procps python3 nftables zsh fish groff-base binutils chromium fonts-dejavu-core util-linux xz-utils bzip2 zstd zip time ripgrep lnav gzip"
    missing=""
    for package in $packages; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
    done
    if [ -n "$missing" ]; then
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi
