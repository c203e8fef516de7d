#!/usr/bin/env bash
# esc-diag lab harness: two ESC-like HA nodes (esc-ha-0, esc-ha-1) running real
# keepalived, sshd and (shared) rsyslog in Linux network + mount + UTS namespaces.
#
#   lab.sh setup                      install the Debian packages the lab needs
#   lab.sh up [options]               build the lab (calls down first)
#   lab.sh down                       tear everything down (idempotent)
#   lab.sh status                     roles, VIP holders, pids
#   lab.sh exec NODE CMD...           run CMD inside NODE (net + mount + uts namespace)
#   lab.sh start-keepalived NODE      start keepalived on NODE (after `up --start ...`)
#   lab.sh snapshot DEST              write a bundle of both nodes into DEST
#   lab.sh scenario NAME [DEST]       run one scenario end to end (bundle in DEST)
#   lab.sh run-all                    run every scenario; last line "N passed, M failed"
#   lab.sh list                       list the scenarios
#
# up options:
#   --priorities equal|distinct   101/101 (ESC default) or 101 (esc-ha-0) / 100 (esc-ha-1)
#   --detail                      run keepalived with -D (--log-detail)
#   --unicast                     unicast_src_ip / unicast_peer instead of multicast
#   --min-auto-priority-delay[=USECS]  set min_auto_priority_delay in global_defs (default 1000000)
#   --track-interface             add track_interface { eth0 }
#   --skew SECONDS                esc-ha-1's clock is off by SECONDS (e.g. -75): its rsyslog
#                                 (a second rsyslogd), keepalived + notify script and ssh
#                                 sessions run under libfaketime
#   --start LIST                  which keepalived to start, in order: "0,1" (default), "1,0",
#                                 "0", "1" or "none"; each start waits for that node's first state
#
# Environment: LAB_DIR (default /tmp/esc-diag-lab), LAB_DEVLOG_MODE=auto|sys|bind (testing),
# ESC_DIAG_BIN (an esc-diag binary: each scenario then also runs `esc-diag collect` inside
# esc-ha-0 against esc-ha-1 and writes collected.tar.gz beside the snapshot).
set -Eeuo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
LAB_DIR=${LAB_DIR:-/tmp/esc-diag-lab}
RUN=$LAB_DIR/run
SSH_DIR=$LAB_DIR/ssh
mkdir -p "$LAB_DIR"

NODES=(esc-ha-0 esc-ha-1)
NETNS=(escdiag-ha0 escdiag-ha1)
HVETH=(escdiag-v0 escdiag-v1)
ADDR=(10.85.103.135 10.85.103.136)
FACILITY=(local0 local1)
BR=escdiag-br
GW=10.85.103.1
VIP=10.85.103.137
VRID=137
INSTANCE=esc_ha
AUTH_PASS=cisco123
HEALTH_SCRIPT=chk_esc_health

SCENARIOS=(healthy partition partition-nodetail peer-down-kill peer-down-freeze graceful-stop
  interface-fault script-fault distinct-priority-preempt clock-skew gateway-unreachable)
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
FAKETIME_LIB_MT=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
SETTLE_S=2 # seconds of steady state after convergence, before a scenario acts

PACKAGES=(keepalived rsyslog openssh-server sudo faketime iproute2 iputils-ping procps)
REQUIRED_CMDS=(keepalived rsyslogd sshd ssh ssh-keygen sudo faketime ip bridge ping pgrep ps
  unshare nsenter python3 timeout)

log() { printf '%s lab: %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }
now_ms() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

node_index() {
  case "$1" in
    esc-ha-0 | 0) echo 0 ;;
    esc-ha-1 | 1) echo 1 ;;
    *) die "unknown node '$1' (esc-ha-0 or esc-ha-1)" ;;
  esac
}
peer_of() { echo $((1 - $1)); }
node_root() { echo "$LAB_DIR/${NODES[$1]}"; }
node_run() { echo "$RUN/${NODES[$1]}"; }

# ---------------------------------------------------------------- process helpers

# pid_alive PID COMM: PID exists and its command name is COMM (guards against pid reuse)
pid_alive() {
  local pid=$1 comm=$2 actual stat
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  actual=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $actual == "$comm" ]] || return 1
  # a killed daemon whose parent (init) has not reaped it yet is a zombie: treat it as gone
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# kill_pidfile FILE COMM [SIGNAL]: signal the pid in FILE if it is still COMM; wait for it
kill_pidfile() {
  local file=$1 comm=$2 sig=${3:-TERM} pid i
  [[ -f $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file")
  if pid_alive "$pid" "$comm"; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      pid_alive "$pid" "$comm" || break
      sleep 0.1
    done
    if pid_alive "$pid" "$comm"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

holder_pid() {
  local f pid
  f="$(node_run "$1")/holder.pid"
  [[ -f $f ]] || return 1
  pid=$(tr -dc '0-9' <"$f")
  pid_alive "$pid" sleep || return 1
  echo "$pid"
}

# faketime_env I [LIB]: env assignments that give node I its skewed clock (none if not skewed)
faketime_env() {
  local i=$1 lib=${2:-$FAKETIME_LIB}
  if [[ $i == 1 && ${OPT_SKEW:-0} != 0 ]]; then
    # FAKETIME_DISABLE_SHM: libfaketime's shared-memory semaphore, made by the parent (sshd) in
    # another mount namespace's /dev/shm, is not always there for its children ("sem_open
    # failed"), which then broke `hostname` in an SSH session now and then.
    printf '%s\n' "LD_PRELOAD=$lib" "FAKETIME=$(printf '%+d' "$OPT_SKEW")" FAKETIME_DONT_FAKE_MONOTONIC=1 \
      FAKETIME_DISABLE_SHM=1
  fi
}

# node_exec I CMD...: run CMD in node I's network, mount and UTS namespaces
node_exec() {
  local i=$1 pid
  shift
  pid=$(holder_pid "$i") || die "node ${NODES[$i]} is not up"
  nsenter --target "$pid" --net --mount --uts -- "$@"
}

# all keepalived pids (parent and children) running in node I's network namespace
keepalived_pids() {
  local i=$1 pid
  for pid in $(ip netns pids "${NETNS[$i]}" 2>/dev/null); do
    if pid_alive "$pid" keepalived; then echo "$pid"; fi
  done
}

wait_until() { # wait_until SECONDS CMD... : poll CMD every 0.2 s
  local timeout=$1 deadline
  shift
  deadline=$(($(date +%s%N) + timeout * 1000000000))
  until "$@"; do
    (($(date +%s%N) < deadline)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- setup

cmd_setup() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    apt-get update -qq
    # policy-rc.d / no systemd: the packaged services are not started, which is what we want
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  check_tools
  log "setup ok ($(keepalived --version 2>&1 | head -1))"
}

check_tools() {
  local c bad=()
  for c in "${REQUIRED_CMDS[@]}"; do command -v "$c" >/dev/null || bad+=("$c"); done
  ((${#bad[@]} == 0)) || die "missing commands: ${bad[*]} (run: $0 setup)"
  [[ $(id -u) == 0 ]] || die "must run as root"
}

# ---------------------------------------------------------------- down

cmd_down() {
  local i pid
  for i in 0 1; do
    kill_pidfile "$(node_run "$i")/sshd.pid" sshd TERM
    for pid in $(keepalived_pids "$i"); do kill -KILL "$pid" 2>/dev/null || true; done
    rm -f "$(node_run "$i")"/keepalived*.pid "$(node_run "$i")"/vrrp.pid "$(node_run "$i")"/checkers.pid \
      "$(node_run "$i")"/bfd.pid
    kill_pidfile "$(node_run "$i")/holder.pid" sleep KILL
    # anything else still living in the namespace was started by us (notify scripts, ssh sessions)
    for pid in $(ip netns pids "${NETNS[$i]}" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    if ip netns list | grep -qw "${NETNS[$i]}"; then ip netns del "${NETNS[$i]}" || true; fi
    if ip link show "${HVETH[$i]}" >/dev/null 2>&1; then ip link del "${HVETH[$i]}" || true; fi
  done
  if ip link show "$BR" >/dev/null 2>&1; then ip link del "$BR" || true; fi
  kill_pidfile "$RUN/rsyslogd-1.pid" rsyslogd TERM
  kill_pidfile "$RUN/rsyslogd.pid" rsyslogd TERM
  # rsyslog unlinks its system socket on exit; remove it ourselves only if we created it
  if [[ -f $RUN/devlog-created && -S /dev/log ]] && ! devlog_alive; then rm -f /dev/log; fi
  rm -f "$RUN/devlog-created" "$RUN/devlog" "$RUN/devlog-1" "$RUN/events.jsonl"
  return 0
}

# ---------------------------------------------------------------- rsyslog

devlog_alive() { # is something accepting datagrams on /dev/log?
  python3 - <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    s.connect("/dev/log")
except OSError:
    sys.exit(1)
PY
}

start_rsyslog() {
  local mode=${LAB_DEVLOG_MODE:-auto} conf=$RUN/rsyslog.conf sysock i
  if [[ $mode == auto ]]; then
    if [[ -e /dev/log ]]; then mode=bind; else mode=sys; fi
  fi
  if [[ $mode == sys && -e /dev/log ]]; then
    devlog_alive && die "/dev/log is owned by another syslog daemon; use LAB_DEVLOG_MODE=bind"
    rm -f /dev/log # stale socket nobody listens on
  fi
  echo "$mode" >"$RUN/devlog-mode"
  mkdir -p "$RUN/rsyslog-work"
  if [[ $mode == sys ]]; then
    sysock='SysSock.Use="on" SysSock.Name="/dev/log" SysSock.Unlink="on"'
    touch "$RUN/devlog-created"
  else
    sysock='SysSock.Use="off"'
  fi
  {
    echo "# esc-diag lab rsyslog (generated by lab.sh); does not touch the system rsyslog"
    echo "global(workDirectory=\"$RUN/rsyslog-work\" maxMessageSize=\"16k\" processInternalMessages=\"on\")"
    echo "module(load=\"imuxsock\" $sysock SysSock.RateLimit.Interval=\"0\" SysSock.IgnoreTimestamp=\"on\")"
    if [[ $mode == bind ]]; then
      echo "input(type=\"imuxsock\" Socket=\"$RUN/devlog\" RateLimit.Interval=\"0\" IgnoreTimestamp=\"on\")"
    fi
    for i in 0 1; do
      printf 'template(name="lab_%s" type="string" string="%%TIMESTAMP%% %s %%syslogtag%%%%msg:::sp-if-no-1st-sp%%%%msg:::drop-last-lf%%\\n")\n' "$i" "${NODES[$i]}"
      echo "if \$syslogfacility-text == '${FACILITY[$i]}' then {"
      echo "  action(type=\"omfile\" file=\"$(node_root "$i")/var/log/messages\" template=\"lab_${i}\" fileCreateMode=\"0600\")"
      echo "  stop"
      echo "}"
    done
    echo "*.* stop"
  } >"$conf"
  rsyslogd -N1 -f "$conf" >"$RUN/rsyslog-check.log" 2>&1 || die "rsyslog config invalid: $(cat "$RUN/rsyslog-check.log")"
  TZ=UTC rsyslogd -f "$conf" -i "$RUN/rsyslogd.pid" >"$RUN/rsyslogd.log" 2>&1
  if [[ $mode == sys ]]; then
    wait_until 10 test -S /dev/log || die "rsyslogd did not create /dev/log"
  else
    wait_until 10 test -S "$RUN/devlog" || die "rsyslogd did not create $RUN/devlog"
  fi
  wait_until 10 test -s "$RUN/rsyslogd.pid" || die "rsyslogd wrote no pid file"
  log "rsyslogd pid $(cat "$RUN/rsyslogd.pid"), /dev/log mode: $mode"
  if [[ $OPT_SKEW != 0 ]]; then start_skewed_rsyslog; fi
}

# esc-ha-1 with a skewed clock: its own rsyslogd (under libfaketime) on its own socket, which
# is bind-mounted over /dev/log in esc-ha-1's mount namespace
start_skewed_rsyslog() {
  local conf=$RUN/rsyslog-1.conf fenv=()
  mkdir -p "$RUN/rsyslog-work-1"
  {
    echo "# esc-diag lab rsyslog for esc-ha-1 with a clock skew of $OPT_SKEW s (generated by lab.sh)"
    echo "global(workDirectory=\"$RUN/rsyslog-work-1\" maxMessageSize=\"16k\" processInternalMessages=\"on\")"
    echo "module(load=\"imuxsock\" SysSock.Use=\"off\")"
    echo "input(type=\"imuxsock\" Socket=\"$RUN/devlog-1\" RateLimit.Interval=\"0\" IgnoreTimestamp=\"on\" UseSysTimeStamp=\"off\")"
    printf 'template(name="lab_1" type="string" string="%%TIMESTAMP%% %s %%syslogtag%%%%msg:::sp-if-no-1st-sp%%%%msg:::drop-last-lf%%\\n")\n' "${NODES[1]}"
    echo "if \$syslogfacility-text == '${FACILITY[1]}' then {"
    echo "  action(type=\"omfile\" file=\"$(node_root 1)/var/log/messages\" template=\"lab_1\" fileCreateMode=\"0600\")"
    echo "}"
    echo "*.* stop"
  } >"$conf"
  rsyslogd -N1 -f "$conf" >"$RUN/rsyslog-1-check.log" 2>&1 || die "rsyslog-1 config invalid: $(cat "$RUN/rsyslog-1-check.log")"
  mapfile -t fenv < <(faketime_env 1 "$FAKETIME_LIB_MT")
  env TZ=UTC "${fenv[@]}" rsyslogd -f "$conf" -i "$RUN/rsyslogd-1.pid" >"$RUN/rsyslogd-1.log" 2>&1
  wait_until 10 test -S "$RUN/devlog-1" || die "rsyslogd-1 did not create $RUN/devlog-1"
  wait_until 10 test -s "$RUN/rsyslogd-1.pid" || die "rsyslogd-1 wrote no pid file"
  log "rsyslogd for esc-ha-1 (clock $OPT_SKEW s) pid $(cat "$RUN/rsyslogd-1.pid")"
}

# ---------------------------------------------------------------- node files

write_node_files() {
  local i=$1 root prio
  root=$(node_root "$i")
  mkdir -p "$root/var/log/esc" "$root/opt/cisco/esc" "$root/etc/keepalived" "$(node_run "$i")"
  chmod 755 "$root" "$root/etc" "$root/etc/keepalived"
  : >"$root/var/log/messages"
  chmod 600 "$root/var/log/messages"
  touch "$root/opt/cisco/esc/health_ok"
  prio=101
  if [[ $OPT_PRIORITIES == distinct && $i == 1 ]]; then prio=100; fi

  cat >"$root/etc/keepalived/check_esc_health.sh" <<'EOF'
#!/bin/sh
# lab stand-in for ESC's health check: healthy while the flag file exists
[ -e /opt/cisco/esc/health_ok ]
EOF

  local skew=0
  if [[ $i == 1 ]]; then skew=${OPT_SKEW:-0}; fi
  cat >"$root/etc/keepalived/notify.sh" <<EOF
#!/bin/sh
# keepalived notify script (lab): notify TYPE NAME STATE PRIORITY
# Records the role in /opt/cisco/esc/keepalived_state and writes ESC-like lines
# (SYNTHETIC wording: ESC's real escadm/escmanager messages are not public).
# The node's clock skew in seconds (the lab's --skew; 0 when its clock is right).
skew=$skew
EOF
  cat >>"$root/etc/keepalived/notify.sh" <<'EOF'
PATH=/usr/sbin:/usr/bin:/sbin:/bin
state=${3:-UNKNOWN}
ts=$(date -u -d "$skew seconds" +'%Y-%m-%d %H:%M:%S,%3N')
case "$state" in
  MASTER) action="starting esc_service"; level=INFO ;;
  BACKUP) action="stopping esc_service"; level=INFO ;;
  FAULT) action="stopping esc_service"; level=WARN ;;
  STOP) action="stopping esc_service"; level=INFO ;;
  *) action="no action"; level=WARN ;;
esac
printf '%s\n' "$state" > /opt/cisco/esc/keepalived_state
printf '%s %s escadm: keepalived notify: transition to %s, %s\n' "$ts" "$level" "$state" "$action" >> /var/log/esc/escadm.log
printf '%s %-5s [com.cisco.esc.ha.HaStatusMonitor] [pool-3-thread-1] HA role changed to %s\n' "$ts" "$level" "$state" >> /var/log/esc/escmanager.log
exit 0
EOF
  chmod 755 "$root/etc/keepalived/check_esc_health.sh" "$root/etc/keepalived/notify.sh"

  {
    echo "! Configuration File for keepalived (esc-diag lab, ESC-like layout)"
    echo "global_defs {"
    echo "    router_id esc@${NODES[$i]}"
    echo "    script_user root"
    echo "    enable_script_security"
    if [[ -n $OPT_MAPD ]]; then echo "    min_auto_priority_delay $OPT_MAPD"; fi
    echo "}"
    echo ""
    echo "vrrp_script $HEALTH_SCRIPT {"
    echo "    script \"/etc/keepalived/check_esc_health.sh\""
    echo "    interval 1"
    echo "    fall 2"
    echo "    rise 2"
    echo "}"
    echo ""
    echo "vrrp_instance $INSTANCE {"
    echo "    state BACKUP"
    echo "    interface eth0"
    echo "    virtual_router_id $VRID"
    echo "    priority $prio"
    echo "    advert_int 1"
    echo "    authentication {"
    echo "        auth_type PASS"
    echo "        auth_pass $AUTH_PASS"
    echo "    }"
    if [[ $OPT_UNICAST == 1 ]]; then
      echo "    unicast_src_ip ${ADDR[$i]}"
      echo "    unicast_peer {"
      echo "        ${ADDR[$(peer_of "$i")]}"
      echo "    }"
    fi
    echo "    virtual_ipaddress {"
    echo "        $VIP/24 dev eth0"
    echo "    }"
    echo "    track_script {"
    echo "        $HEALTH_SCRIPT"
    echo "    }"
    if [[ $OPT_TRACK_IF == 1 ]]; then
      echo "    track_interface {"
      echo "        eth0"
      echo "    }"
    fi
    echo "    notify \"/etc/keepalived/notify.sh\""
    echo "}"
  } >"$root/etc/keepalived/keepalived.conf"
  chmod 644 "$root/etc/keepalived/keepalived.conf"
}

# ---------------------------------------------------------------- network + namespaces

start_node() {
  local i=$1 ns=${NETNS[$1]} root run devlog_bind="" opt_mount
  root=$(node_root "$i")
  run=$(node_run "$i")
  ip netns add "$ns"
  ip link add "${HVETH[$i]}" type veth peer name eth0 netns "$ns"
  ip link set "${HVETH[$i]}" master "$BR" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "${ADDR[$i]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$GW"

  if [[ $i == 1 && $OPT_SKEW != 0 ]]; then
    devlog_bind="mount --bind '$RUN/devlog-1' /dev/log"
  elif [[ $(cat "$RUN/devlog-mode") == bind ]]; then
    devlog_bind="mount --bind '$RUN/devlog' /dev/log"
  fi
  # /opt/cisco/esc normally does not exist on the host: rather than creating it there,
  # the node gets its own /opt (holding only cisco/esc)
  if [[ -d /opt/cisco/esc ]]; then
    opt_mount="mount --bind '$root/opt/cisco/esc' /opt/cisco/esc"
  else
    opt_mount="mount --bind '$root/opt' /opt"
  fi
  [[ -d /etc/keepalived ]] || mkdir -p /etc/keepalived # normally shipped by the keepalived package

  # Long-lived holder: a private mount namespace (no propagation back to the host) and a UTS
  # namespace inside the node's network namespace. Everything else enters it with nsenter.
  ip netns exec "$ns" unshare --mount --uts --propagation private -- /bin/sh -c "
    set -e
    hostname '${NODES[$i]}'
    mount --bind '$root/var/log' /var/log
    mount --bind '$root/etc/keepalived' /etc/keepalived
    $opt_mount
    $devlog_bind
    echo \$\$ > '$run/holder.pid.tmp'
    mv '$run/holder.pid.tmp' '$run/holder.pid'
    exec sleep infinity
  " </dev/null >"$run/holder.log" 2>&1 &
  wait_until 10 holder_pid "$i" >/dev/null || die "namespace holder for ${NODES[$i]} did not start: $(cat "$run/holder.log")"
  # sanity: the node sees its own files, the host does not
  node_exec "$i" test -e /opt/cisco/esc/health_ok || die "bind mounts missing in ${NODES[$i]}"
  if [[ -e /opt/cisco/esc/health_ok ]]; then die "bind mount leaked into the host namespace"; fi
}

start_sshd() {
  local i=$1 run root
  run=$(node_run "$i")
  root=$(node_root "$i")
  mkdir -p /run/sshd # privilege separation dir (normally made by systemd-tmpfiles)
  chmod 755 /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C "root@${NODES[$i]}" -f "$run/ssh_host_ed25519_key"
  cat >"$run/sshd_config" <<EOF
# sshd for lab node ${NODES[$i]} (generated by lab.sh)
ListenAddress ${ADDR[$i]}
Port 22
HostKey $run/ssh_host_ed25519_key
PidFile $run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $SSH_DIR/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
SyslogFacility AUTHPRIV
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  if [[ -n $(faketime_env "$i") ]]; then
    echo "SetEnv $(faketime_env "$i" | tr '\n' ' ')" >>"$run/sshd_config"
  fi
  node_exec "$i" /usr/sbin/sshd -f "$run/sshd_config" -E "$run/sshd.log"
  wait_until 10 test -s "$run/sshd.pid" || die "sshd for ${NODES[$i]} did not start: $(cat "$run/sshd.log")"
}

lab_ssh() { # lab_ssh FROM_INDEX TO_INDEX CMD...
  local from=$1 to=$2
  shift 2
  node_exec "$from" ssh -i "$SSH_DIR/id_ed25519" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 \
    "root@${ADDR[$to]}" "$@"
}

start_keepalived() {
  local i=$1 run fac detail=()
  run=$(node_run "$i")
  fac=${FACILITY[$i]#local}
  if [[ $OPT_DETAIL == 1 ]]; then detail=(-D); fi
  # keepalived itself runs on the real clock: under libfaketime its track script sometimes timed
  # out (FAULT) and takeovers came late. The skew reaches the logs through the node's own rsyslogd
  # (which stamps lines on reception), its notify script (notify.sh adds it to the ESC lines) and
  # its SSH sessions.
  node_exec "$i" keepalived -f /etc/keepalived/keepalived.conf -S "$fac" "${detail[@]}" \
    -p "$run/keepalived.pid" -r "$run/vrrp.pid" -c "$run/checkers.pid" -b "$run/bfd.pid" \
    </dev/null >"$run/keepalived.out" 2>&1
  wait_until 10 test -s "$run/keepalived.pid" || die "keepalived on ${NODES[$i]} did not start"
  log "keepalived started on ${NODES[$i]} (pid $(cat "$run/keepalived.pid"))"
}

node_state() { # state word from the notify script, or NONE
  local f
  f="$(node_root "$1")/opt/cisco/esc/keepalived_state"
  if [[ -s $f ]]; then head -n1 "$f"; else echo NONE; fi
}
has_vip() { node_exec "$1" ip -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/"; }
vip_holders() {
  local i out=()
  for i in 0 1; do if has_vip "$i"; then out+=("${NODES[$i]}"); fi; done
  echo "${out[*]:-}"
}
state_is() { [[ $(node_state "$1") == "$2" ]]; }
converged() { # exactly one MASTER and one BACKUP, and the VIP only on the master
  local s0 s1 m
  s0=$(node_state 0)
  s1=$(node_state 1)
  if [[ $s0 == MASTER && $s1 == BACKUP ]]; then m=0
  elif [[ $s1 == MASTER && $s0 == BACKUP ]]; then m=1
  else return 1; fi
  [[ $(vip_holders) == "${NODES[$m]}" ]]
}
master_index() {
  local i
  for i in 0 1; do if state_is "$i" MASTER; then echo "$i"; return 0; fi; done
  return 1
}

cmd_start_keepalived() {
  local i
  i=$(node_index "$1")
  start_keepalived "$i"
  wait_until 15 node_has_state "$i" || die "${NODES[$i]} reported no state"
}
node_has_state() { [[ $(node_state "$1") != NONE ]]; }

# ---------------------------------------------------------------- up

cmd_up() {
  OPT_PRIORITIES=equal OPT_DETAIL=0 OPT_UNICAST=0 OPT_MAPD="" OPT_TRACK_IF=0 OPT_START=0,1 OPT_SKEW=0
  while (($#)); do
    case "$1" in
      --priorities) OPT_PRIORITIES=$2; shift ;;
      --priorities=*) OPT_PRIORITIES=${1#*=} ;;
      --detail) OPT_DETAIL=1 ;;
      --unicast) OPT_UNICAST=1 ;;
      --min-auto-priority-delay) OPT_MAPD=1000000 ;;
      --min-auto-priority-delay=*) OPT_MAPD=${1#*=} ;;
      --track-interface) OPT_TRACK_IF=1 ;;
      --skew) OPT_SKEW=$2; shift ;;
      --skew=*) OPT_SKEW=${1#*=} ;;
      --start) OPT_START=$2; shift ;;
      --start=*) OPT_START=${1#*=} ;;
      *) die "up: unknown option $1" ;;
    esac
    shift
  done
  [[ $OPT_PRIORITIES == equal || $OPT_PRIORITIES == distinct ]] || die "--priorities equal|distinct"
  [[ $OPT_START =~ ^(0,1|1,0|0|1|none)$ ]] || die "--start 0,1|1,0|0|1|none"
  [[ $OPT_SKEW =~ ^[-+]?[0-9]+$ ]] || die "--skew takes whole seconds, e.g. -75"
  OPT_SKEW=${OPT_SKEW#+}
  check_tools
  cmd_down
  local i t0
  t0=$(date +%s.%N)
  rm -rf "$LAB_DIR/esc-ha-0" "$LAB_DIR/esc-ha-1" "$RUN"
  mkdir -p "$RUN" "$SSH_DIR"
  if [[ ! -f $SSH_DIR/id_ed25519 ]]; then
    ssh-keygen -q -t ed25519 -N '' -C esc-diag-lab -f "$SSH_DIR/id_ed25519"
  fi
  cp "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/authorized_keys"
  cat >"$RUN/lab.env" <<EOF
OPT_PRIORITIES=$OPT_PRIORITIES
OPT_DETAIL=$OPT_DETAIL
OPT_UNICAST=$OPT_UNICAST
OPT_MAPD=$OPT_MAPD
OPT_TRACK_IF=$OPT_TRACK_IF
OPT_START=$OPT_START
OPT_SKEW=$OPT_SKEW
EOF
  for i in 0 1; do write_node_files "$i"; done
  start_rsyslog

  ip link add "$BR" type bridge stp_state 0 mcast_snooping 0
  ip addr add "$GW/24" dev "$BR"
  ip link set "$BR" up
  for i in 0 1; do start_node "$i"; done
  for i in 0 1; do start_sshd "$i"; done
  for i in 0 1; do
    local peer want got
    peer=$(peer_of "$i")
    want=${NODES[$peer]}
    # Up to five tries: under libfaketime (the skewed node's SSH sessions) a command now and then
    # dies at start ("sem_open failed"), a fault of the lab's clock tool, not of the node.
    local try
    for try in 1 2 3 4 5; do
      got=$(lab_ssh "$i" "$peer" 'hostname; test -e /opt/cisco/esc/health_ok && echo own-files' 2>/dev/null) &&
        [[ $got == "$want"$'\n'own-files ]] && break
      sleep 0.2
    done
    [[ $got == "$want"$'\n'own-files ]] || die "ssh ${NODES[$i]} -> ${NODES[$peer]}: unexpected '$got' ($try tries)"
  done
  log "sshd answers on both nodes (key $SSH_DIR/id_ed25519)"

  if [[ $OPT_START != none ]]; then
    local order
    IFS=, read -r -a order <<<"$OPT_START"
    for i in "${order[@]}"; do
      start_keepalived "$i"
      # the first node must own the VIP before the second starts, so the master is deterministic
      if [[ $i == "${order[0]}" && ${#order[@]} -gt 1 ]]; then
        wait_until 20 state_is "$i" MASTER || die "${NODES[$i]} did not become MASTER alone"
      fi
    done
    if ((${#order[@]} == 2)); then
      wait_until 20 converged || die "no convergence: esc-ha-0=$(node_state 0) esc-ha-1=$(node_state 1) vip on '$(vip_holders)'"
    else
      wait_until 20 node_has_state "${order[0]}" || die "${NODES[${order[0]}]} reported no state"
    fi
  fi
  log "up in $(python3 -c "import sys; print(round($(date +%s.%N) - $t0, 1))") s: esc-ha-0=$(node_state 0) esc-ha-1=$(node_state 1) VIP on [$(vip_holders)]"
}

load_env() {
  [[ -f $RUN/lab.env ]] || die "lab is not up (no $RUN/lab.env)"
  # shellcheck disable=SC1091
  source "$RUN/lab.env"
}

cmd_status() {
  local i
  load_env
  for i in 0 1; do
    printf '%s state=%s vip=%s keepalived_pids=%s\n' "${NODES[$i]}" "$(node_state "$i")" \
      "$(has_vip "$i" && echo yes || echo no)" "$(keepalived_pids "$i" | tr '\n' ' ')"
  done
}

cmd_exec() {
  local i
  (($# >= 2)) || die "usage: exec NODE CMD..."
  i=$(node_index "$1")
  shift
  node_exec "$i" "$@"
}

# ---------------------------------------------------------------- snapshot

cmd_snapshot() {
  local dest=${1:-}
  [[ -n $dest ]] || die "usage: snapshot DEST"
  load_env
  if [[ -e $dest ]]; then
    if [[ -n $(ls -A "$dest") && ! -f $dest/manifest.json ]]; then
      die "refusing to overwrite non-empty $dest (no manifest.json in it)"
    fi
    rm -rf "$dest"
  fi
  sleep 0.5 # let rsyslog write out what it has queued
  python3 "$HERE/lab_bundle.py" snapshot --lab-dir "$LAB_DIR" --dest "$dest" \
    --node "esc-ha-0:$(holder_pid 0):${ADDR[0]}:${ADDR[1]}" \
    --node "esc-ha-1:$(holder_pid 1):${ADDR[1]}:${ADDR[0]}" \
    --gateway "$GW" --vip "$VIP" --clock-offset "${OPT_SKEW:-0}"
}

# ---------------------------------------------------------------- scenarios

SC_NAME=""
SC_DEST=""
event() { # event ACTION NODE DETAIL
  printf '{"at":"%s","action":"%s","node":"%s","detail":"%s"}\n' "$(now_ms)" "$1" "$2" "$3" >>"$RUN/events.jsonl"
}
observe() { # record role + VIP holders now
  event observe "" "esc-ha-0=$(node_state 0) esc-ha-1=$(node_state 1) vip_on=[$(vip_holders)]"
}
fail() {
  echo "FAIL $SC_NAME: $*"
  exit 1
}
msgs() { echo "$SC_DEST/${NODES[$1]}/var/log/messages"; }
assert_log() { # assert_log NODE_INDEX ERE DESCRIPTION
  grep -Eq -- "$2" "$(msgs "$1")" || fail "${NODES[$1]} messages lack $3 (/$2/)"
}
assert_no_log() {
  if grep -Eq -- "$2" "$(msgs "$1")"; then fail "${NODES[$1]} messages unexpectedly contain $3 (/$2/)"; fi
}
assert_no_log_since() { # assert_no_log_since NODE_INDEX HH:MM:SS ERE DESCRIPTION: lines stamped from then on
  if awk -v since="$2" '$3 >= since' "$(msgs "$1")" | grep -Eq -- "$3"; then
    fail "${NODES[$1]} messages unexpectedly contain $4 (/$3/ since $2)"
  fi
}
assert_file_state() { # the snapshot's keepalived_state of node I is S
  local got
  got=$(head -n1 "$SC_DEST/${NODES[$1]}/opt/cisco/esc/keepalived_state" 2>/dev/null || echo NONE)
  [[ $got == "$2" ]] || fail "${NODES[$1]} keepalived_state is $got, expected $2"
}
# lines after the last line matching MARKER ERE in node I's messages (from the snapshot)
count_log() { grep -Ec -- "$2" "$(msgs "$1")" || true; }
wait_state() { # wait_state I STATE TIMEOUT
  wait_until "$3" state_is "$1" "$2" || fail "${NODES[$1]} did not reach $2 within $3 s (is $(node_state "$1"))"
}
wait_both_master() {
  wait_until "$1" both_master || fail "not both MASTER within $1 s (esc-ha-0=$(node_state 0) esc-ha-1=$(node_state 1))"
}
both_master() { state_is 0 MASTER && state_is 1 MASTER; }
wait_converged() {
  wait_until "$1" converged || fail "no single master within $1 s (esc-ha-0=$(node_state 0) esc-ha-1=$(node_state 1) vip on [$(vip_holders)])"
}
assert_vip_on() { # assert_vip_on "esc-ha-0 esc-ha-1"
  local got
  got=$(vip_holders)
  [[ $got == "$1" ]] || fail "VIP expected on [$1], found on [$got]"
}

write_events() {
  local up_opts=$1 master_before=$2
  python3 "$HERE/lab_bundle.py" events --dest "$SC_DEST" --scenario "$SC_NAME" \
    --up-options="$up_opts" --master-before "$master_before" --env "$RUN/lab.env" \
    --events "$RUN/events.jsonl" \
    --final "esc-ha-0=$(node_state 0)" --final "esc-ha-1=$(node_state 1)" --vip-on "$(vip_holders)"
}

# Each scenario function: sc_NAME. It sets UP_OPTS, brings the lab up, acts, snapshots, asserts.
run_scenario() {
  SC_NAME=$1
  SC_DEST=${2:-$LAB_DIR/bundles/$SC_NAME}
  declare -F "sc_${SC_NAME//-/_}" >/dev/null || die "unknown scenario '$SC_NAME' (see: $0 list)"
  trap 'cmd_down >/dev/null 2>&1 || true' EXIT
  # To stderr too: a command whose stdout goes to /dev/null must still say where it failed.
  trap 'echo "FAIL $SC_NAME: command failed (line $LINENO): $BASH_COMMAND"; echo "lab harness: $SC_NAME: command failed (line $LINENO): $BASH_COMMAND" >&2; exit 1' ERR
  local t0=$SECONDS
  "sc_${SC_NAME//-/_}"
  cmd_down >/dev/null 2>&1 || true
  trap - EXIT ERR
  echo "PASS $SC_NAME ($((SECONDS - t0)) s, bundle $SC_DEST)"
}

# common start: up with options, record the initial master, return it in M (and B = backup)
sc_begin() {
  UP_OPTS="$*"
  # shellcheck disable=SC2086
  # In a subshell: a `die` inside cmd_up ends only it, and its reason is shown with a FAIL line.
  (cmd_up $UP_OPTS) >"$LAB_DIR/up.log" 2>&1 || { tail -n 5 "$LAB_DIR/up.log"; fail "up $UP_OPTS failed"; }
  load_env
  : >"$RUN/events.jsonl"
  event converged "" "lab up with: $UP_OPTS"
  M=$(master_index) || fail "no master after up"
  B=$(peer_of "$M")
  observe
  sleep "$SETTLE_S"
}
sc_end() {
  observe
  cmd_snapshot "$SC_DEST" >/dev/null
  write_events "$UP_OPTS" "${NODES[$M]}"
  collect_from_node
}

# With ESC_DIAG_BIN set, `esc-diag collect` runs inside esc-ha-0 against esc-ha-1 over SSH, as an
# operator would, and writes $SC_DEST/collected.tar.gz next to the snapshot.
collect_from_node() {
  [ -n "${ESC_DIAG_BIN:-}" ] || return 0
  local known_hosts=$RUN/collect_known_hosts
  rm -f "$known_hosts"
  node_exec 0 "$ESC_DIAG_BIN" collect --peer "${ADDR[1]}" --identity "$SSH_DIR/id_ed25519" \
    --accept-new-host-key --known-hosts "$known_hosts" --output "$SC_DEST/collected.tar.gz" --quiet \
    >"$LAB_DIR/collect.log" 2>&1 || { tail -n 5 "$LAB_DIR/collect.log"; fail "esc-diag collect inside esc-ha-0 failed"; }
  [ -s "$SC_DEST/collected.tar.gz" ] || fail "esc-diag collect wrote no bundle"
}

sc_healthy() {
  sc_begin
  sleep 5
  assert_vip_on "${NODES[$M]}"
  sc_end
  assert_log "$M" "Keepalived_vrrp\[[0-9]+\]: \($INSTANCE\) Entering MASTER STATE" "the master's Entering MASTER STATE"
  assert_log "$B" "\($INSTANCE\) Entering BACKUP STATE( \(init\))?$" "Entering BACKUP STATE"
  assert_no_log "$B" "Entering MASTER STATE" "a MASTER transition on the backup"
  assert_log 0 "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} esc-ha-0 Keepalived\[[0-9]+\]: Starting Keepalived v2" "a traditional-format start line"
  assert_file_state "$M" MASTER
  assert_file_state "$B" BACKUP
}

# The gateway (the bridge's address) stops answering; VRRP between the nodes is unaffected.
sc_gateway_unreachable() {
  sc_begin
  event gateway-down "" "ip addr del $GW/24 dev $BR (the gateway no longer answers)"
  ip addr del "$GW/24" dev "$BR"
  sleep 2
  assert_vip_on "${NODES[$M]}"
  sc_end
  assert_no_log "$B" "Entering MASTER STATE" "a MASTER transition on the backup"
}

partition_common() {
  sc_begin "$@"
  local port=${HVETH[$M]}
  event cut "${NODES[$M]}" "bridge link set dev $port state 0 (master's bridge port disabled)"
  bridge link set dev "$port" state 0
  wait_both_master 10
  observe
  assert_vip_on "esc-ha-0 esc-ha-1"
  sleep 4 # ~8 s of partition in total
  observe
  event restore "${NODES[$M]}" "bridge link set dev $port state 3 (forwarding)"
  bridge link set dev "$port" state 3
  wait_converged 10
  event healed "" "one MASTER again"
  sleep 4
  sc_end
  # the backup took over during the cut; both were MASTER; one yielded after the restore
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the backup's takeover"
  assert_log "$M" "\($INSTANCE\) Entering MASTER STATE" "the master's original MASTER line"
  # equal priorities: the lower address (10.85.103.135 = esc-ha-0) yields, the other forces an election
  assert_log 0 "\($INSTANCE\) Master received advert from ${ADDR[1]//./\\.} with same priority 101 but higher IP address than ours" "the yield line"
  # esc-ha-1 forces an election only if esc-ha-0's advert reaches it before esc-ha-0 has yielded:
  # a race after the restore, so its line is not required.
  [[ $(count_log 0 "Entering BACKUP STATE$") -ge 1 || $(count_log 1 "Entering BACKUP STATE$") -ge 1 ]] ||
    fail "no node yielded (Entering BACKUP STATE) after the restore"
}

sc_partition() {
  partition_common --detail
  assert_log "$B" "\($INSTANCE\) Receive advertisement timeout" "the -D timeout line"
}

sc_partition_nodetail() {
  partition_common --unicast
  assert_no_log "$B" "Receive advertisement timeout" "a -D-only line"
  grep -q unicast_peer "$SC_DEST/${NODES[0]}/etc/keepalived/keepalived.conf" || fail "unicast config not in bundle"
}

sc_peer_down_kill() {
  sc_begin --detail
  local pids
  pids=$(keepalived_pids "$M" | tr '\n' ' ')
  [[ -n $pids ]] || fail "no keepalived pids on the master"
  local killed_at
  killed_at=$(date +%H:%M:%S)
  event kill "${NODES[$M]}" "kill -KILL ${pids% } (all keepalived processes of the master)"
  # Stopped first, then killed: killed one after the other, a child could see its parent die
  # first and stop gracefully (its Stopping lines, priority 0), as two of three lab runs on a
  # machine with two busy processes per core showed. A stopped process runs nothing more.
  # shellcheck disable=SC2086
  kill -STOP $pids
  # shellcheck disable=SC2086
  kill -KILL $pids
  wait_state "$B" MASTER 10
  event takeover "${NODES[$B]}" "backup is MASTER"
  sleep 3
  sc_end
  assert_log "$B" "\($INSTANCE\) Receive advertisement timeout" "the timeout line"
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the takeover"
  # Only the killed processes' own lines from the kill on count: rsyslog may still deliver the
  # previous scenario's teardown (its Stopping lines) into this scenario's file, and on a busy
  # machine (pid_max 32768) an earlier process may have had the same pid.
  local killed
  killed=$(echo "$pids" | tr -s ' ' '|')
  killed=${killed%|}
  assert_no_log_since "$M" "$killed_at" "\[(${killed})\]: .*(Stopping|sent 0 priority)" "a graceful stop on the killed node"
  # the killed node never ran its notify script: its state file still says MASTER (stale)
  assert_file_state "$M" MASTER
  assert_file_state "$B" MASTER
}

sc_peer_down_freeze() {
  sc_begin --detail --min-auto-priority-delay
  local pids
  pids=$(keepalived_pids "$M" | tr '\n' ' ')
  event freeze "${NODES[$M]}" "kill -STOP ${pids% }"
  # shellcheck disable=SC2086
  kill -STOP $pids
  wait_state "$B" MASTER 10
  observe
  sleep 4 # ~8 s frozen in total
  event resume "${NODES[$M]}" "kill -CONT ${pids% }"
  # shellcheck disable=SC2086
  kill -CONT $pids
  sleep 1
  observe
  wait_converged 10
  sleep 4
  sc_end
  assert_log "$B" "\($INSTANCE\) Receive advertisement timeout" "the timeout line"
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the takeover"
  assert_log "$M" "A thread timer expired [0-9]+\.[0-9]+ seconds ago" "the thread timer line"
}

sc_graceful_stop() {
  sc_begin --detail
  local pid
  pid=$(cat "$(node_run "$M")/keepalived.pid")
  event stop "${NODES[$M]}" "kill -TERM $pid (keepalived parent)"
  kill -TERM "$pid"
  wait_state "$B" MASTER 10
  event takeover "${NODES[$B]}" "backup is MASTER"
  sleep 3
  sc_end
  assert_log "$M" "Keepalived\[[0-9]+\]: Stopping" "the parent's Stopping"
  assert_log "$M" "\($INSTANCE\) sent 0 priority" "sent 0 priority"
  assert_log "$B" "\($INSTANCE\) Backup received priority 0 advertisement" "the priority-0 receipt"
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the takeover"
}

sc_interface_fault() {
  sc_begin --detail
  event link_down "${NODES[$M]}" "ip link set eth0 down (inside the node)"
  node_exec "$M" ip link set eth0 down
  wait_state "$M" FAULT 10
  wait_state "$B" MASTER 10
  observe
  sleep 3
  event link_up "${NODES[$M]}" "ip link set eth0 up; ip route replace default via $GW"
  node_exec "$M" ip link set eth0 up
  node_exec "$M" ip route replace default via "$GW"
  wait_converged 15
  sleep 3
  sc_end
  assert_log "$M" "Netlink reports eth0 down" "the netlink down line"
  assert_log "$M" "\($INSTANCE\) Entering FAULT STATE" "FAULT"
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the takeover"
  assert_file_state "$M" BACKUP
  assert_file_state "$B" MASTER
}

sc_script_fault() {
  sc_begin
  event health_fail "${NODES[$M]}" "rm /opt/cisco/esc/health_ok (track script $HEALTH_SCRIPT fails)"
  rm -f "$(node_root "$M")/opt/cisco/esc/health_ok"
  wait_state "$M" FAULT 10
  wait_state "$B" MASTER 10
  observe
  sleep 2
  event health_ok "${NODES[$M]}" "touch /opt/cisco/esc/health_ok"
  touch "$(node_root "$M")/opt/cisco/esc/health_ok"
  wait_converged 10
  sleep 3
  sc_end
  assert_log "$M" "VRRP_Script\($HEALTH_SCRIPT\) failed" "the script failure"
  assert_log "$M" "\($INSTANCE\) Entering FAULT STATE" "FAULT"
  assert_log "$M" "VRRP_Script\($HEALTH_SCRIPT\) succeeded" "the script recovery"
  assert_log "$B" "\($INSTANCE\) Entering MASTER STATE" "the takeover"
  assert_file_state "$M" BACKUP
}

sc_distinct_priority_preempt() {
  UP_OPTS="--priorities distinct --start 1"
  cmd_up --priorities distinct --start 1 >"$LAB_DIR/up.log" 2>&1 || { tail -n 5 "$LAB_DIR/up.log"; fail "up failed"; }
  : >"$RUN/events.jsonl"
  wait_state 1 MASTER 15
  event converged "esc-ha-1" "esc-ha-1 (priority 100) is MASTER alone; esc-ha-0 not started yet"
  M=1
  B=0
  observe
  sleep "$SETTLE_S"
  event start "esc-ha-0" "keepalived started on esc-ha-0 (priority 101 > 100)"
  start_keepalived 0 >/dev/null 2>&1
  wait_state 0 MASTER 15
  wait_converged 10
  sleep 3
  sc_end
  assert_log 0 "\($INSTANCE\) Entering MASTER STATE" "esc-ha-0's preemption"
  assert_log 1 "\($INSTANCE\) Master received advert from ${ADDR[0]//./\\.} with higher priority 101, ours 100" "the yield line"
  assert_log 1 "\($INSTANCE\) Entering BACKUP STATE$" "esc-ha-1 entering BACKUP"
  assert_file_state 0 MASTER
  assert_file_state 1 BACKUP
}

sc_clock_skew() {
  # esc-ha-1's clock is 75 s behind: its lines about the takeover carry timestamps from
  # *before* the master's stop. manifest.json: clock_offset_s = -75 for esc-ha-1.
  sc_begin --detail --skew -75
  local pid skewed
  pid=$(cat "$(node_run "$M")/keepalived.pid")
  event stop "${NODES[$M]}" "kill -TERM $pid (keepalived parent)"
  kill -TERM "$pid"
  wait_state "$B" MASTER 10
  event takeover "${NODES[$B]}" "backup is MASTER"
  sleep 2
  # sshd inside the namespace may refuse the first connection while the lab settles: retry.
  skewed=""
  for _ in 1 2 3 4 5; do
    skewed=$(lab_ssh 0 1 'date -u +%s' 2>/dev/null) && [[ -n $skewed ]] && break
    sleep 1
  done
  [[ -n $skewed ]] || fail "ssh from esc-ha-0 to esc-ha-1 failed five times"
  event observe "" "ssh esc-ha-1 date -u +%s = $skewed, real $(date -u +%s)"
  ((skewed - $(date -u +%s) <= -70)) || fail "ssh session on esc-ha-1 does not see the skewed clock"
  sc_end
  assert_log "$M" "\($INSTANCE\) sent 0 priority" "sent 0 priority"
  assert_log 1 "\($INSTANCE\) Backup received priority 0 advertisement" "the priority-0 receipt"
  # raw timestamps: esc-ha-1's takeover line is ~75 s "earlier" than esc-ha-0's stop line
  python3 - "$(msgs 0)" "$(msgs 1)" <<'PY' || fail "esc-ha-1's messages are not skewed by about -75 s"
import datetime, re, sys
def ts(path, pat):
    for line in open(path):
        if re.search(pat, line):
            return datetime.datetime.strptime(line[:15], "%b %d %H:%M:%S")
    sys.exit(f"no /{pat}/ in {path}")
stop = ts(sys.argv[1], r"sent 0 priority")
take = ts(sys.argv[2], r"Backup received priority 0 advertisement")
d = (take - stop).total_seconds()
sys.exit(0 if -80 <= d <= -70 else f"skew seen {d} s")
PY
  grep -q '"clock_offset_s": -75.0' "$SC_DEST/manifest.json" || fail "manifest lacks clock_offset_s -75"
}

cmd_run_all() {
  local s pass=0 failed=0 t0=$SECONDS
  for s in "${SCENARIOS[@]}"; do
    if "$SELF" scenario "$s"; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
  done
  echo "run-all took $((SECONDS - t0)) s"
  echo "$pass passed, $failed failed"
  ((failed == 0))
}

# ---------------------------------------------------------------- main

main() {
  local cmd=${1:-}
  (($#)) && shift
  case "$cmd" in
    setup) cmd_setup ;;
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    exec) cmd_exec "$@" ;;
    start-keepalived) load_env; cmd_start_keepalived "$@" ;;
    snapshot) cmd_snapshot "$@" ;;
    scenario) check_tools; run_scenario "$@" ;;
    run-all) check_tools; cmd_run_all ;;
    list) printf '%s\n' "${SCENARIOS[@]}" ;;
    *)
      sed -n '2,/^set -/p' "$SELF" | sed '$d; s/^# \{0,1\}//'
      [[ $cmd == -h || $cmd == --help || $cmd == help ]]
      ;;
  esac
}

main "$@"
