#!/usr/bin/env bash
# What `esc-diag collect` moves over SSH, against scp of the same files over the same link: an
# OpenSSH sshd started here on 127.0.0.1 serves a generated peer node (bench/generate_bundle.py),
# and an nftables counter counts the bytes sshd sends. With LINK set (a tc rate: 1gbit, 500mbit),
# sshd runs in a network namespace of its own instead, behind a veth pair whose both ends are
# shaped to that rate (tc tbf): a link of known speed, where the wire and not this machine's two
# cores (which loopback's sshd and the collection share) sets the pace. Two measurements:
#   - a full collection (--all) of the peer's logs against `scp -r` of the same directory: wall
#     time and bytes on the wire;
#   - a windowed collection (--since/--until, one hour) against the window's own size: bytes on the
#     wire, and what is left once the window is taken away (the fixed overhead).
#
#   bench/collect.sh                    # a 1 GiB peer (2 GiB bundle generated), best of 2
#   SIZE_MIB=256 RUNS=1 bench/collect.sh
#   LINK=1gbit bench/collect.sh         # over a 1 Gbit/s link in a network namespace
#
# Needs root, openssh-server (sshd, scp, ssh-keygen), nftables, and iproute2 (ip, tc) for LINK
# (scripts/install-test-deps.sh installs them). Environment: BENCH_DIR (scratch, default
# /tmp/esc-diag-bench), SIZE_MIB (peer's logs, default 1024), RUNS (default 2), SEED, START, DAYS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/esc-diag-bench}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-2}
SEED=${SEED:-20261125}
START=${START:-2026-11-25T00:00:00Z}
DAYS=${DAYS:-7}
LINK=${LINK:-}
BIN=${BIN:-$ROOT/target/release/esc-diag}
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
[[ $(id -u) -eq 0 ]] || { log "needs root (sshd, nftables)"; exit 2; }
for tool in /usr/sbin/sshd ssh-keygen scp nft; do
    command -v "$tool" >/dev/null || { log "$tool is missing: scripts/install-test-deps.sh installs it"; exit 2; }
done

log "cargo build --release"
(cd "$ROOT" && cargo build --release --quiet)
mkdir -p "$BENCH_DIR"
WORK=$(mktemp -d "$BENCH_DIR/collect.XXXXXX")
TABLE="escdiagbench$$"
# The peer's account: /bin/sh, no start-up files, so a remote command costs what it costs on a
# node (root's shell start-up here runs pyenv and takes over 100 ms a command) and collect
# and scp are compared on the transfer.
BENCH_USER=escdiagbench$$
CREATED_USER=0
SSHD_PID=""
NETNS=""
cleanup() {
    [[ -n $SSHD_PID ]] && kill "$SSHD_PID" 2>/dev/null || true
    nft delete table inet "$TABLE" 2>/dev/null || true
    # The veth pair goes with the namespace.
    [[ -n $NETNS ]] && ip netns delete "$NETNS" 2>/dev/null || true
    if ((CREATED_USER)); then userdel "$BENCH_USER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the peer: one node of a generated bundle of twice the size ------------------------------
bundle=$BENCH_DIR/collect-peer
generate_once "$bundle" --size-mib "$((SIZE_MIB * 2))" --seed "$SEED" --start "$START" --days "$DAYS" >/dev/null
PEER=$bundle/esc-ha-1
PEER_BYTES=$(du -sb "$PEER/var/log" | cut -f1)
# This node: a tree with one small log, so the figures are the peer's.
LOCAL=$WORK/local
mkdir -p "$LOCAL/var/log"
echo "Nov 25 00:00:00 esc-ha-0 systemd[1]: Started bench." >"$LOCAL/var/log/messages"

# ---- the link: loopback, or a shaped veth pair into a namespace of its own ----------------------
ADDR=127.0.0.1
IN_PEER=()
if [[ -n $LINK ]]; then
    for tool in ip tc; do
        command -v "$tool" >/dev/null || { log "$tool is missing (iproute2)"; exit 2; }
    done
    NETNS=escdiagbench$$
    ip netns add "$NETNS"
    ip link add "edb$$a" type veth peer name "edb$$b"
    ip link set "edb$$b" netns "$NETNS"
    ip addr add 10.231.0.1/30 dev "edb$$a"
    ip link set "edb$$a" up
    ip -n "$NETNS" addr add 10.231.0.2/30 dev "edb$$b"
    ip -n "$NETNS" link set "edb$$b" up
    ip -n "$NETNS" link set lo up
    # Both directions at the rate; the bucket holds a few milliseconds of it.
    tc qdisc add dev "edb$$a" root tbf rate "$LINK" burst 512kb latency 20ms
    tc -n "$NETNS" qdisc add dev "edb$$b" root tbf rate "$LINK" burst 512kb latency 20ms
    ADDR=10.231.0.2
    IN_PEER=(ip netns exec "$NETNS")
fi

# ---- sshd on the peer's address, and a counter of what it sends --------------------------------
if id "$BENCH_USER" >/dev/null 2>&1; then
    log "an account $BENCH_USER exists already; not touching it"
    exit 2
fi
useradd --no-create-home --home-dir "$WORK" --shell /bin/sh "$BENCH_USER"
CREATED_USER=1
# Not locked (sshd refuses a locked account a key login too), and no password either.
usermod --password "*" "$BENCH_USER"
chmod 755 "$WORK"
ssh-keygen -q -t ed25519 -N "" -C host -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N "" -C client -f "$WORK/id_ed25519"
cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p /run/sshd
cat >"$WORK/sshd_config" <<EOF
Port $PORT
ListenAddress $ADDR
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
LogLevel ERROR
MaxStartups 100
Subsystem sftp internal-sftp
EOF
"${IN_PEER[@]}" /usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.log" &
SSHD_PID=$!
listening=0
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$ADDR/$PORT") 2>/dev/null; then listening=1; break; fi
    sleep 0.1
done
((listening)) || { log "sshd did not start: $(tail -n 5 "$WORK/sshd.log")"; exit 1; }
echo "[$ADDR]:$PORT $(cut -d' ' -f1-2 "$WORK/host_ed25519.pub")" >"$WORK/known_hosts"
nft -f - <<EOF
table inet $TABLE {
  chain in {
    type filter hook input priority -10; policy accept;
    ip saddr $ADDR tcp sport $PORT counter
  }
}
EOF
# The counter only grows; each measurement is the difference.
total() { nft list table inet "$TABLE" | awk '{ for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }'; }
BASE=0
reset_counter() { BASE=$(total); }
counted() { echo $(($(total) - BASE)); }

collect() { # collect OUTPUT [ARGUMENTS...]
    local output=$1
    shift
    HOME=$WORK "$BIN" collect --quiet --root "$LOCAL" --peer "$ADDR" --port "$PORT" --user "$BENCH_USER" \
        --identity "$WORK/id_ed25519" --known-hosts "$WORK/known_hosts" --peer-root "$PEER" \
        --output "$output" "$@"
}
wall() { # wall COMMAND...: runs it (a function or a program), prints its wall seconds
    local started ended
    started=$(date +%s.%N)
    "$@" >/dev/null 2>"$WORK/stderr.txt" || {
        log "failed: $* ($(tail -n 3 "$WORK/stderr.txt"))"
        exit 1
    }
    ended=$(date +%s.%N)
    awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f\n", b - a }'
}

best_collect="" best_scp="" collect_bytes=0 scp_bytes=0
for ((run = 1; run <= RUNS; run++)); do
    rm -rf "$WORK/full.tar.gz" "$WORK/scp"
    reset_counter
    seconds=$(wall collect "$WORK/full.tar.gz" --all)
    collect_bytes=$(counted)
    log "full collect run $run: $seconds s, $collect_bytes bytes on the wire"
    [[ -z $best_collect ]] || awk -v a="$seconds" -v b="$best_collect" 'BEGIN { exit !(a < b) }' && best_collect=$seconds
    reset_counter
    seconds=$(wall scp -q -r -P "$PORT" -i "$WORK/id_ed25519" -o "UserKnownHostsFile=$WORK/known_hosts" \
        -o BatchMode=yes "$BENCH_USER@$ADDR:$PEER/var/log" "$WORK/scp")
    scp_bytes=$(counted)
    log "scp run $run: $seconds s, $scp_bytes bytes on the wire"
    [[ -z $best_scp ]] || awk -v a="$seconds" -v b="$best_scp" 'BEGIN { exit !(a < b) }' && best_scp=$seconds
done
# The peer's node directory in the bundle is named after its host name.
COLLECTED_FILES=$(tar -tzf "$WORK/full.tar.gz" | grep -c "/$ADDR/var/log/.*[^/]\$" || true)

# The window: one hour in the middle of the generated week.
SINCE=$(python3 -c "import datetime as d, sys; s = d.datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00')) + d.timedelta(days=float(sys.argv[2]) / 2); print(s.strftime('%Y-%m-%dT%H:%M:%SZ'))" "$START" "$DAYS")
UNTIL=$(python3 -c "import datetime as d, sys; s = d.datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00')) + d.timedelta(hours=1); print(s.strftime('%Y-%m-%dT%H:%M:%SZ'))" "$SINCE")
reset_counter
window_seconds=$(wall collect "$WORK/window.tar.gz" --since "$SINCE" --until "$UNTIL")
window_wire=$(counted)
mkdir -p "$WORK/window"
tar -xzf "$WORK/window.tar.gz" -C "$WORK/window"
# The peer's directory in the bundle is named after the address it was reached at.
window_bytes=$(find "$WORK/window" -path "*/$ADDR/var/log/*" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
echo "| measurement ($(mb "$PEER_BYTES") MB of peer logs, ${LINK:+$LINK link to }$ADDR, $(nproc) cores) | wall s (best of $RUNS) | MB on the wire |"
echo "|---|---|---|"
echo "| \`esc-diag collect --all\` ($COLLECTED_FILES peer files) | $best_collect | $(mb "$collect_bytes") |"
echo "| \`scp -r\` of the same var/log | $best_scp | $(mb "$scp_bytes") |"
echo "| \`esc-diag collect --since $SINCE --until $UNTIL\` | $window_seconds | $(mb "$window_wire") |"
echo
awk -v c="$best_collect" -v s="$best_scp" 'BEGIN { printf "collect / scp wall time: %.2f (goal: at most 1.2)\n", c / s }'
echo "window: $(mb "$window_bytes") MB of peer logs kept, $(mb "$window_wire") MB crossed, overhead $(mb $((window_wire - window_bytes))) MB"
