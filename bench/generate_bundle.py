#!/usr/bin/env python3
"""Writes a large, realistic two-node ESC HA bundle for benchmarking `esc-diag timeline`.

The bundle follows the README's contract: `manifest.json` plus one directory per node
(`esc-ha-0`, `esc-ha-1`), each with

- `var/log/messages`            RFC 3164 syslog, year-less (about 25% of the bytes);
- `var/log/esc/escmanager.log`  log4j style, with ERROR entries and their stack traces (70%);
- `var/log/esc/escadm.log`      Python logging style (5%);
- `opt/cisco/esc/keepalived_state`.

Most lines are noise that no classifier recognises (other daemons, escmanager INFO traffic);
a few hundred keepalived 2.x and DRBD lines, spread over the period as failover episodes, use the
wordings of `rules/classifiers/*.toml`. With `--gzip` every log is written as `NAME.gz` (same
content, gzip level 6). Output is byte-identical for the same parameters (any `--jobs`).

Standard library only (Python 3.11). Example:

    python3 bench/generate_bundle.py /tmp/esc-diag-bench/plain --size-mib 1024
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time

NODES = [
    # name, address, keepalived pid, clock offset (s, node clock minus collector clock)
    ("esc-ha-0", "10.85.103.135", 1187, 0.0),
    ("esc-ha-1", "10.85.103.136", 1203, 0.35),
]
VIP = "10.85.103.137"
INSTANCE = "esc_ha"
SHARES = {"escmanager": 0.70, "messages": 0.25, "escadm": 0.05}
PATHS = {
    "messages": "var/log/messages",
    "escmanager": "var/log/esc/escmanager.log",
    "escadm": "var/log/esc/escadm.log",
}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHUNK_BYTES = 4 << 20
POOL_SIZE = 20000

# ---------------------------------------------------------------------------------------------
# Vocabulary shared by the noise generators. Noise must stay clear of the classifier tables'
# keywords (service names next to start/stop/failed, "promot", "now active", ...), so that the
# recognised events are the scheduled ones plus the ERROR entries.

TENANTS = ["core-tenant", "vnf-prod", "vnf-stage", "lab-tenant-3", "mobility", "cpe-edge"]
VNF_TYPES = ["asav", "csr1kv", "vepc-sf", "vepc-cf", "xrv9k", "vwlc", "ftdv", "nfvis-sim"]
STEPS = [
    "VALIDATE_DEPLOYMENT", "RESERVE_RESOURCES", "CREATE_NETWORK", "CREATE_SUBNET", "CREATE_PORT",
    "CREATE_VM_INSTANCE", "WAIT_FOR_VM_ACTIVE", "ATTACH_VOLUME", "APPLY_DAY0_CONFIG",
    "REGISTER_KPI_METRICS", "SEND_NOTIFICATION", "UPDATE_DEPLOYMENT_STATUS",
]
STEP_STATES = ["SCHEDULED", "RUNNING", "COMPLETED", "COMPLETED", "COMPLETED"]
EVENT_TYPES = ["VM_ALIVE", "VM_DEPLOYED", "SERVICE_ALIVE", "VM_UPDATED", "MANUAL_RECOVERY_STATUS",
               "SERVICE_UPDATED", "VM_RECOVERY_COMPLETE", "CREATE_TENANT", "CREATE_NETWORK"]
REST_PATHS = [
    "/ESCManager/v0/deployments/{dep}", "/ESCManager/v0/deployments", "/ESCManager/v0/tenants",
    "/ESCManager/v0/{tenant}/deployments/{dep}/vms", "/ESCManager/v0/events/{uuid}",
    "/ESCManager/internal/health", "/ESCManager/v0/vims", "/vnflcm/v1/vnf_instances/{uuid}",
    "/ESCManager/v0/deployments/{dep}/vm_groups/{vg}",
]
HTTP_METHODS = ["GET", "GET", "GET", "GET", "POST", "PUT", "DELETE"]
STACK_FRAMES = [
    "java.net.SocketInputStream.socketRead0(Native Method)",
    "java.net.SocketInputStream.socketRead(SocketInputStream.java:116)",
    "java.net.SocketInputStream.read(SocketInputStream.java:171)",
    "sun.security.ssl.SSLSocketInputRecord.read(SSLSocketInputRecord.java:476)",
    "sun.security.ssl.SSLSocketImpl$AppInputStream.read(SSLSocketImpl.java:1129)",
    "org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)",
    "org.apache.http.impl.conn.DefaultHttpResponseParser.parseHead(DefaultHttpResponseParser.java:88)",
    "org.apache.http.impl.execchain.MainClientExec.execute(MainClientExec.java:272)",
    "org.apache.http.impl.client.InternalHttpClient.doExecute(InternalHttpClient.java:185)",
    "org.openstack4j.connectors.httpclient.HttpExecutorServiceImpl.invoke(HttpExecutorServiceImpl.java:58)",
    "org.openstack4j.openstack.compute.internal.ServerServiceImpl.get(ServerServiceImpl.java:84)",
    "com.cisco.esc.vim.openstack.NovaClient.getServer(NovaClient.java:412)",
    "com.cisco.esc.vim.openstack.OpenstackVimDriver.queryVmStatus(OpenstackVimDriver.java:1287)",
    "com.cisco.esc.workflow.engine.WorkflowExecutor.runStep(WorkflowExecutor.java:341)",
    "com.cisco.esc.workflow.engine.WorkflowExecutor.lambda$submit$3(WorkflowExecutor.java:219)",
    "com.cisco.esc.rest.DeploymentResource.getDeployment(DeploymentResource.java:188)",
    "sun.reflect.GeneratedMethodAccessor412.invoke(Unknown Source)",
    "sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)",
    "java.lang.reflect.Method.invoke(Method.java:498)",
    "org.springframework.aop.support.AopUtils.invokeJoinpointUsingReflection(AopUtils.java:344)",
    "org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)",
    "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
    "org.hibernate.internal.SessionImpl.list(SessionImpl.java:1605)",
    "org.hibernate.loader.Loader.doQuery(Loader.java:932)",
    "org.glassfish.jersey.server.model.ResourceMethodInvoker.invoke(ResourceMethodInvoker.java:395)",
    "org.glassfish.jersey.server.ServerRuntime$2.run(ServerRuntime.java:326)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
    "org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:374)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1590)",
    "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "java.util.concurrent.FutureTask.run(FutureTask.java:266)",
    "java.lang.Thread.run(Thread.java:750)",
]
ERRORS = [
    # (logger, thread prefix, message, exception line)
    ("com.cisco.esc.vim.openstack.NovaClient", "vim-worker",
     "Unable to query server {uuid} for deployment {dep}",
     "java.net.SocketTimeoutException: Read timed out"),
    ("com.cisco.esc.workflow.engine.WorkflowExecutor", "pool-5-thread",
     "Step CREATE_VM_INSTANCE of workflow {uuid} raised an exception for deployment {dep}",
     "com.cisco.esc.vim.VimException: Quota exceeded for instances: Requested 1, but already used 40 of 40 instances"),
    ("com.cisco.esc.rest.DeploymentResource", "http-nio-8080-exec",
     "Request GET /ESCManager/v0/deployments/{dep} could not be served",
     "javax.ws.rs.NotFoundException: HTTP 404 Not Found"),
    ("com.cisco.esc.vim.openstack.NeutronClient", "vim-worker",
     "Port creation for vm {vm} returned an error response from the VIM",
     "org.openstack4j.api.exceptions.ClientResponseException: Conflict, status code 409"),
    ("com.cisco.esc.db.DataSourceMonitor", "pool-2-thread",
     "Unable to acquire JDBC Connection",
     "org.postgresql.util.PSQLException: Connection to 127.0.0.1:5432 refused. Check that the hostname and port are correct"),
]


def hexid(rng: random.Random, n: int) -> str:
    return "%0*x" % (n, rng.getrandbits(4 * n))


def uuid(rng: random.Random) -> str:
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def dep_name(rng: random.Random) -> str:
    return f"dep-{rng.choice(VNF_TYPES)}-{rng.randrange(1, 400):03d}"


# ---------------------------------------------------------------------------------------------
# Noise pools: complete message bodies, drawn at random per line.

def escmanager_body(rng: random.Random) -> tuple[str, str, str]:
    """(logger, thread, message) of one INFO entry."""
    dep, tenant = dep_name(rng), rng.choice(TENANTS)
    vg = f"{dep}-vg{rng.randrange(1, 4)}"
    vm = f"{vg}_{rng.randrange(0, 3)}_{hexid(rng, 4)}"
    ip = f"172.{rng.randrange(16, 31)}.{rng.randrange(0, 255)}.{rng.randrange(2, 254)}"
    kind = rng.random()
    if kind < 0.25:
        method = rng.choice(HTTP_METHODS)
        path = rng.choice(REST_PATHS).format(dep=dep, tenant=tenant, vg=vg, uuid=uuid(rng))
        thread = f"http-nio-8080-exec-{rng.randrange(1, 11)}"
        if rng.random() < 0.5:
            msg = (f"REST request received: {method} {path} from 10.85.103.{rng.randrange(10, 60)} "
                   f"user=admin requestId={uuid(rng)} Accept=application/xml")
            return "com.cisco.esc.rest.filter.RequestLoggingFilter", thread, msg
        status = rng.choice([200, 200, 200, 201, 202, 204, 404])
        msg = (f"REST response sent: {method} {path} status={status} requestId={uuid(rng)} "
               f"duration={rng.randrange(2, 900)} ms bytes={rng.randrange(120, 48000)}")
        return "com.cisco.esc.rest.filter.RequestLoggingFilter", thread, msg
    if kind < 0.50:
        step = rng.choice(STEPS)
        msg = (f"Workflow [DEPLOY_SERVICE] instance {uuid(rng)} deployment={dep} tenant={tenant} "
               f"step {step} state={rng.choice(STEP_STATES)} vm_group={vg} vm={vm} "
               f"elapsed={rng.randrange(3, 60000)} ms")
        return "com.cisco.esc.workflow.engine.WorkflowExecutor", f"pool-5-thread-{rng.randrange(1, 17)}", msg
    if kind < 0.65:
        u = uuid(rng)
        msg = (f"OpenStack request GET https://10.85.100.10:8774/v2.1/servers/{u} returned 200 in "
               f"{rng.randrange(20, 700)} ms (project={tenant} region=RegionOne vm={vm} vm_state=ACTIVE "
               f"power_state=1 task_state=None)")
        return "com.cisco.esc.vim.openstack.NovaClient", f"vim-worker-{rng.randrange(1, 9)}", msg
    if kind < 0.82:
        rtt = rng.randrange(200, 2500) / 1000
        msg = (f"Metric icmp_ping for vm {vm} ({ip}) value=1 rtt_ms={rtt:.3f} threshold=3 "
               f"consecutive_misses=0 action=none")
        return "com.cisco.esc.monitoring.MetricCollector", f"metric-poller-{rng.randrange(1, 5)}", msg
    if kind < 0.90:
        ev = rng.choice(EVENT_TYPES)
        msg = (f"Dispatching notification {ev} for deployment {dep} vm {vm} to "
               f"{rng.randrange(1, 4)} subscriber(s) correlationId={uuid(rng)} status_code=200 "
               f"status_message=Notification accepted by northbound listener")
        return "com.cisco.esc.event.EventDispatcher", f"event-dispatch-{rng.randrange(1, 5)}", msg
    if kind < 0.97:
        msg = (f"Committed transaction txId={rng.randrange(10**6, 10**8)} entities={rng.randrange(1, 9)} "
               f"(VmInstance, VmGroup, Port, DeploymentStatus) in {rng.randrange(1, 80)} ms "
               f"for deployment {dep}")
        return "com.cisco.esc.db.TransactionManager", f"pool-3-thread-{rng.randrange(1, 9)}", msg
    msg = (f"periodic HA check ok: vip={VIP} peer replication UpToDate/UpToDate, "
           f"{rng.randrange(40, 400)} deployments, {rng.randrange(100, 1800)} vms tracked, "
           f"heap used {rng.randrange(500, 3000)} MB of 4096 MB")
    return "com.cisco.esc.ha.HaStatusMonitor", "pool-1-thread-1", msg


def messages_body(rng: random.Random, host: str) -> str:
    """One syslog line without its stamp and host: `prog[pid]: msg`."""
    kind = rng.random()
    pid = rng.randrange(2000, 65000)
    user = rng.choice(["admin", "root", "escadmin", "monitor"])
    src = f"10.85.{rng.randrange(100, 104)}.{rng.randrange(10, 250)}"
    if kind < 0.18:
        session = rng.randrange(1000, 90000)
        return rng.choice([
            f"systemd[1]: Started Session {session} of user {user}.",
            f"systemd[1]: Starting Session {session} of user {user}.",
            f"systemd-logind[812]: New session {session} of user {user}.",
            f"systemd-logind[812]: Removed session {session}.",
            f"systemd[1]: Created slice User Slice of {user}.",
            f"systemd[1]: Removed slice User Slice of {user}.",
        ])
    if kind < 0.36:
        port = rng.randrange(30000, 65000)
        return rng.choice([
            f"sshd[{pid}]: Accepted publickey for {user} from {src} port {port} ssh2: RSA SHA256:{hexid(rng, 43)}",
            f"sshd[{pid}]: pam_unix(sshd:session): session opened for user {user} by (uid=0)",
            f"sshd[{pid}]: pam_unix(sshd:session): session closed for user {user}",
            f"sshd[{pid}]: Received disconnect from {src} port {port}:11: disconnected by user",
            f"sshd[{pid}]: Disconnected from {src} port {port}",
        ])
    if kind < 0.50:
        return rng.choice([
            f"CROND[{pid}]: (root) CMD (/usr/lib64/sa/sa1 1 1)",
            f"CROND[{pid}]: (root) CMD (/opt/cisco/esc/esc-scripts/esc_dbtool.py --backup-metadata >/dev/null 2>&1)",
            f"CROND[{pid}]: (root) CMD (run-parts /etc/cron.hourly)",
            f"run-parts(/etc/cron.hourly)[{pid}]: finished 0anacron",
            f"anacron[{pid}]: Anacron started on {rng.choice(['2026-11-25', '2026-11-26'])}",
        ])
    if kind < 0.64:
        stamp = f"{rng.randrange(1700000000, 1800000000)}.{rng.randrange(0, 10000):04d}"
        return rng.choice([
            f"NetworkManager[733]: <info>  [{stamp}] dhcp4 (eth0): state changed bound -> bound",
            f"NetworkManager[733]: <info>  [{stamp}] dhcp4 (eth0):   address {src}",
            f"NetworkManager[733]: <info>  [{stamp}] dhcp4 (eth0):   plen 24 (255.255.255.0)",
            f"NetworkManager[733]: <info>  [{stamp}] dhcp4 (eth0):   lease time 86400",
            f"NetworkManager[733]: <info>  [{stamp}] dhcp4 (eth0):   nameserver '10.85.0.2'",
        ])
    if kind < 0.86:
        serial = rng.randrange(10000, 999999)
        audit = f"audit({rng.randrange(1700000000, 1800000000)}.{rng.randrange(0, 1000):03d}:{serial})"
        ses = rng.randrange(1, 9000)
        return rng.choice([
            f"kernel: type=1105 {audit}: pid={pid} uid=0 auid=0 ses={ses} subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 "
            f"msg='op=PAM:session_open grantors=pam_selinux,pam_loginuid,pam_keyinit,pam_limits acct=\"{user}\" "
            f"exe=\"/usr/sbin/sshd\" hostname={src} addr={src} terminal=ssh res=success'",
            f"kernel: type=1106 {audit}: pid={pid} uid=0 auid=0 ses={ses} subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 "
            f"msg='op=PAM:session_close grantors=pam_selinux,pam_loginuid acct=\"{user}\" exe=\"/usr/sbin/sshd\" "
            f"hostname={src} addr={src} terminal=ssh res=success'",
            f"kernel: type=1130 {audit}: pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 "
            f"msg='unit=sysstat-collect comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'",
            f"kernel: type=1101 {audit}: pid={pid} uid=0 auid=0 ses={ses} subj=system_u:system_r:crond_t:s0-s0:c0.c1023 "
            f"msg='op=PAM:accounting grantors=pam_access,pam_unix acct=\"root\" exe=\"/usr/sbin/crond\" hostname=? addr=? terminal=cron res=success'",
        ])
    if kind < 0.93:
        return rng.choice([
            f"chronyd[701]: Selected source 10.85.0.{rng.randrange(1, 4)}",
            f"chronyd[701]: System clock wrong by {rng.randrange(1, 900) / 1e6:.6f} seconds, adjustment started",
            f"dbus[640]: [system] Successfully activated service 'org.freedesktop.hostname1'",
            f"dbus[640]: [system] Activating via systemd: service name='org.freedesktop.hostname1' unit='dbus-org.freedesktop.hostname1.service'",
        ])
    if kind < 0.97:
        return ('rsyslogd: [origin software="rsyslogd" swVersion="8.24.0-57.el7_9.3" x-pid="905" '
                'x-info="http://www.rsyslog.com"] rsyslogd was HUPed')
    return rng.choice([
        f"postfix/pickup[{pid}]: {hexid(rng, 10).upper()}: uid=0 from=<root>",
        f"postfix/qmgr[1402]: {hexid(rng, 10).upper()}: from=<root@{host}.localdomain>, size={rng.randrange(400, 9000)}, nrcpt=1 (queue active)",
        f"su[{pid}]: (to root) {user} on pts/{rng.randrange(0, 6)}",
    ])


def escadm_body(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return (f"health check: {rng.randrange(8, 9)} of 8 esc services running, vip {VIP} present "
                f"on eth0, check took {rng.randrange(40, 900)} ms")
    if kind < 0.55:
        return (f"drbd resource esc: cs=Connected ro=Primary/Secondary ds=UpToDate/UpToDate "
                f"ns={rng.randrange(10**6, 10**9)} dw={rng.randrange(10**6, 10**9)}")
    if kind < 0.70:
        return (f"disk usage /opt/cisco/esc/esc_database: {rng.randrange(12, 60)}% used "
                f"({rng.randrange(2, 30)} GB of 50 GB), inodes {rng.randrange(1, 9)}% used")
    if kind < 0.85:
        return (f"escadm status invoked by {rng.choice(['root', 'admin'])} (uid 0) from "
                f"{rng.choice(['cli', 'cron', 'ha-agent'])}: exit 0 in {rng.randrange(80, 2500)} ms")
    return (f"esc-config.yaml unchanged (sha1 {hexid(rng, 40)}), "
            f"{rng.randrange(20, 60)} keys, last sync {rng.randrange(1, 600)} s ago")


# ---------------------------------------------------------------------------------------------
# The scheduled episodes: failovers, network splits, script failures.

def schedule_episodes(seed: int, start: float, end: float, count: int) -> dict:
    """Per node and file, sorted lists of scheduled lines (node clock)."""
    rng = random.Random(f"{seed}-episodes")
    out = {(n[0], kind): [] for n in NODES for kind in SHARES}
    span = end - start
    master = 0  # esc-ha-0 holds the VIP at the start

    def add(node: int, t: float, kind: str, payload) -> None:
        out[(NODES[node][0], kind)].append((t + NODES[node][3], payload))

    def vrrp(node: int, t: float, msg: str) -> None:
        add(node, t, "messages", f"Keepalived_vrrp[{NODES[node][2]}]: {msg}")

    def kernel(node: int, t: float, msg: str) -> None:
        add(node, t, "messages", f"kernel: {msg}")

    def take_over(node: int, t: float) -> float:
        vrrp(node, t, f"({INSTANCE}) Receive advertisement timeout")
        vrrp(node, t, f"({INSTANCE}) Entering MASTER STATE")
        vrrp(node, t, f"({INSTANCE}) setting VIPs.")
        for i in range(rng.randrange(2, 6)):
            vrrp(node, t + i * 0.001, f"Sending gratuitous ARP on eth0 for {VIP}")
        kernel(node, t + 1, "block drbd1: role( Secondary -> Primary )")
        add(node, t + 1.2, "escadm", ("INFO", "keepalived notify: transition to MASTER, starting esc_service"))
        add(node, t + 2.5, "escmanager", ("INFO", "com.cisco.esc.ha.HaStatusMonitor", "pool-1-thread-1",
                                          "HA role changed to MASTER"))
        return t + 3

    slots = sorted(start + span * (i + 0.1 + 0.8 * rng.random()) / count for i in range(count))
    for t in slots:
        backup = 1 - master
        kind = rng.random()
        if kind < 0.45:
            # chk_esc fails on the master: it gives up, the backup takes over.
            vrrp(master, t, "VRRP_Script(chk_esc) failed (exited with status 1)")
            vrrp(master, t, f"({INSTANCE}) Entering BACKUP STATE")
            kernel(master, t + 1, "block drbd1: role( Primary -> Secondary )")
            add(master, t + 1.1, "escadm", ("INFO", "stopping esc_service"))
            add(master, t + 1.1, "escmanager", ("INFO", "com.cisco.esc.ha.HaStatusMonitor", "pool-1-thread-1",
                                                "HA role changed to BACKUP"))
            take_over(backup, t + 3.2 + rng.random())
            master = backup
        elif kind < 0.80:
            # The replication network splits: both masters, then the higher address wins.
            kernel(master, t, "block drbd1: conn( Connected -> NetworkFailure ) pdsk( UpToDate -> DUnknown )")
            kernel(backup, t + 0.2, "block drbd1: conn( Connected -> NetworkFailure ) pdsk( UpToDate -> DUnknown )")
            take_over(backup, t + 3.1 + rng.random())
            t2 = t + 20 + 100 * rng.random()
            loser = 0  # esc-ha-0 (10.85.103.135) has the lower address
            winner = 1
            vrrp(loser, t2, f"({INSTANCE}) Master received advert from {NODES[winner][1]} with same priority 101 "
                            "but higher IP address than ours")
            vrrp(loser, t2, f"({INSTANCE}) Entering BACKUP STATE")
            kernel(loser, t2 + 1, "block drbd1: role( Primary -> Secondary )")
            add(loser, t2 + 1.3, "escmanager", ("INFO", "com.cisco.esc.ha.HaStatusMonitor", "pool-1-thread-1",
                                                "HA role changed to BACKUP"))
            for node in (0, 1):
                kernel(node, t2 + 4, "block drbd1: conn( WFConnection -> Connected ) pdsk( DUnknown -> UpToDate )")
            master = winner
        else:
            # A transient script failure on the backup: nothing changes hands.
            vrrp(backup, t, "VRRP_Script(chk_esc) failed (exited with status 1)")
            vrrp(backup, t + 10, "VRRP_Script(chk_esc) succeeded")
            add(backup, t + 2, "escmanager", ("ERROR", "com.cisco.esc.ha.HaStatusMonitor", "pool-1-thread-1",
                                              "local esc health check reported esc_service not running"))
    for key in out:
        out[key].sort(key=lambda item: item[0])
    return {"lines": out, "final_master": master}


# ---------------------------------------------------------------------------------------------
# Writers

class Sink:
    """Buffered writer to a plain file, or through `gzip -6 -n` when compressing."""

    def __init__(self, path: str, compress: bool):
        self.path = path
        self.parts: list[str] = []
        self.size = 0
        self.total = 0
        self.proc = None
        if compress:
            self.out = open(path, "wb")
            self.proc = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=self.out)
            self.stream = self.proc.stdin
        else:
            self.stream = open(path, "wb", buffering=0)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            data = "".join(self.parts).encode("ascii")
            self.stream.write(data)
            self.total += len(data)
            self.parts.clear()
            self.size = 0

    def close(self) -> None:
        self.flush()
        self.stream.close()
        if self.proc is not None:
            if self.proc.wait() != 0:
                raise RuntimeError(f"gzip failed for {self.path}")
            self.out.close()


def syslog_prefix(sec: int, host: str) -> str:
    t = time.gmtime(sec)
    return f"{MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {host} "


def iso_prefix(sec: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec))


def stack_trace(rng: random.Random, exception: str) -> str:
    depth = rng.randrange(10, 31)
    first = rng.randrange(0, len(STACK_FRAMES) - 8)
    frames = [exception]
    for i in range(depth):
        frames.append("\tat " + STACK_FRAMES[(first + i) % len(STACK_FRAMES)])
    if rng.random() < 0.3:
        frames[-3:] = [f"\t... {rng.randrange(5, 40)} more"]
    return "\n".join(frames) + "\n"


def write_file(task: dict) -> dict:
    """Writes one log file of one node; returns what the manifest and the stats need."""
    node, kind = task["node"], task["kind"]
    rng = random.Random(f"{task['seed']}-{node}-{kind}")
    budget = task["budget"]
    offset = next(n[3] for n in NODES if n[0] == node)
    start, span = task["start"] + offset, task["end"] - task["start"]
    scheduled = task["scheduled"]
    sink = Sink(task["path"], task["gzip"])
    written = 0
    lines = 0
    next_i = 0
    last_sec = -1
    prefix = ""
    t = start

    if kind == "escmanager":
        pool = [escmanager_body(rng) for _ in range(POOL_SIZE)]
        bodies = [f"INFO  [{lg}] [{th}] {msg}\n" for lg, th, msg in pool]
        warn = [f"WARN  [{lg}] [{th}] Slow operation detected ({rng.randrange(2000, 9000)} ms): {msg}\n"
                for lg, th, msg in pool[:500]]

        def emit_scheduled(t_ev: float, payload) -> str:
            level, logger, thread, msg = payload
            sec = int(t_ev)
            head = f"{iso_prefix(sec)},{int((t_ev - sec) * 1000):03d} {level:<5} [{logger}] [{thread}] {msg}\n"
            return head

        while written < budget:
            t = start + span * written / budget
            while next_i < len(scheduled) and scheduled[next_i][0] <= t:
                text = emit_scheduled(*scheduled[next_i])
                sink.add(text)
                written += len(text)
                lines += 1
                next_i += 1
            sec = int(t)
            if sec != last_sec:
                prefix = iso_prefix(sec)
                last_sec = sec
            r = rng.random()
            ms = f"{prefix},{int((t - sec) * 1000):03d} "
            if r < 0.00025:
                logger, thread, msg, exc = rng.choice(ERRORS)
                msg = msg.format(uuid=uuid(rng), dep=dep_name(rng), vm=f"vm-{hexid(rng, 6)}")
                text = (f"{ms}ERROR [{logger}] [{thread}-{rng.randrange(1, 9)}] {msg}\n"
                        + stack_trace(rng, exc))
                lines += text.count("\n")
            elif r < 0.004:
                text = ms + warn[rng.randrange(len(warn))]
                lines += 1
            else:
                text = ms + bodies[rng.randrange(POOL_SIZE)]
                lines += 1
            sink.add(text)
            written += len(text)
    elif kind == "messages":
        host = node
        bodies = [messages_body(rng, host) + "\n" for _ in range(POOL_SIZE)]
        while written < budget:
            t = start + span * written / budget
            sec = int(t)
            while next_i < len(scheduled) and scheduled[next_i][0] <= t:
                t_ev, body = scheduled[next_i]
                text = syslog_prefix(int(t_ev), host) + body + "\n"
                sink.add(text)
                written += len(text)
                lines += 1
                next_i += 1
            if sec != last_sec:
                prefix = syslog_prefix(sec, host)
                last_sec = sec
            text = prefix + bodies[rng.randrange(POOL_SIZE)]
            sink.add(text)
            written += len(text)
            lines += 1
    else:  # escadm
        bodies = [f"INFO escadm: {escadm_body(rng)}\n" for _ in range(POOL_SIZE)]
        while written < budget:
            t = start + span * written / budget
            while next_i < len(scheduled) and scheduled[next_i][0] <= t:
                t_ev, (level, msg) = scheduled[next_i]
                sec = int(t_ev)
                text = f"{iso_prefix(sec)},{int((t_ev - sec) * 1000):03d} {level} escadm: {msg}\n"
                sink.add(text)
                written += len(text)
                lines += 1
                next_i += 1
            sec = int(t)
            if sec != last_sec:
                prefix = iso_prefix(sec)
                last_sec = sec
            text = f"{prefix},{int((t - sec) * 1000):03d} " + bodies[rng.randrange(POOL_SIZE)]
            sink.add(text)
            written += len(text)
            lines += 1
    # Scheduled lines past the last noise line (only with tiny sizes) go at the end.
    for t_ev, payload in scheduled[next_i:]:
        if kind == "messages":
            text = syslog_prefix(int(t_ev), node) + payload + "\n"
        elif kind == "escadm":
            sec = int(t_ev)
            text = f"{iso_prefix(sec)},{int((t_ev - sec) * 1000):03d} {payload[0]} escadm: {payload[1]}\n"
        else:
            sec = int(t_ev)
            level, logger, thread, msg = payload
            text = f"{iso_prefix(sec)},{int((t_ev - sec) * 1000):03d} {level:<5} [{logger}] [{thread}] {msg}\n"
        sink.add(text)
        written += len(text)
        lines += 1
        t = max(t, t_ev)
    sink.close()
    return {
        "node": node,
        "kind": kind,
        "path": task["path"],
        "rel": task["rel"],
        "bytes": sink.total,
        "lines": lines,
        "last_time": t,
    }


def rfc3339(t: float) -> str:
    stamp = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_time(text: str) -> float:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="bundle directory to write (replaced if it exists)")
    parser.add_argument("--size-mib", type=float, default=1024,
                        help="uncompressed log bytes over both nodes and all files (default 1024)")
    parser.add_argument("--seed", type=int, default=20261125, help="random seed (default 20261125)")
    parser.add_argument("--start", default="2026-11-25T00:00:00Z",
                        help="first stamp, RFC 3339 UTC (default 2026-11-25T00:00:00Z)")
    parser.add_argument("--days", type=float, default=7.0, help="period covered (default 7)")
    parser.add_argument("--episodes", type=int, default=40,
                        help="failover / split / script-failure episodes (default 40)")
    parser.add_argument("--gzip", action="store_true", help="write every log as NAME.gz (level 6)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel writers")
    parser.add_argument("--stats-file", help="also write a JSON summary (uncompressed bytes, lines) here")
    args = parser.parse_args()

    began = time.monotonic()
    start = parse_time(args.start)
    end = start + args.days * 86400
    total = int(args.size_mib * 1024 * 1024)
    episodes = schedule_episodes(args.seed, start, end, args.episodes)

    out = os.path.abspath(args.out.rstrip("/"))
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    tasks = []
    for name, _, _, _ in NODES:
        for kind, share in SHARES.items():
            rel = PATHS[kind] + (".gz" if args.gzip else "")
            path = os.path.join(partial, name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tasks.append({
                "node": name, "kind": kind, "rel": rel, "path": path,
                "budget": int(total * share / len(NODES)), "seed": args.seed,
                "start": start, "end": end, "gzip": args.gzip,
                "scheduled": episodes["lines"][(name, kind)],
            })
    tasks.sort(key=lambda task: -task["budget"])
    jobs = max(1, min(args.jobs, len(tasks)))
    if jobs == 1:
        results = [write_file(task) for task in tasks]
    else:
        with multiprocessing.Pool(jobs) as pool:
            results = pool.map(write_file, tasks, chunksize=1)

    last_time = max(r["last_time"] for r in results)
    collected_at = last_time + 300
    manifest_nodes = []
    for index, (name, address, _, offset) in enumerate(NODES):
        files = []
        role = "MASTER" if episodes["final_master"] == index else "BACKUP"
        state_rel = "opt/cisco/esc/keepalived_state"
        state_path = os.path.join(partial, name, state_rel)
        os.makedirs(os.path.dirname(state_path), exist_ok=True)
        with open(state_path, "w") as handle:
            handle.write(role + "\n")
        files.append({"path": state_rel, "size": os.path.getsize(state_path),
                      "mtime": rfc3339(last_time + offset), "redactions": 0})
        for r in sorted((r for r in results if r["node"] == name), key=lambda r: r["rel"]):
            files.append({"path": r["rel"], "size": os.path.getsize(r["path"]),
                          "mtime": rfc3339(r["last_time"]), "redactions": 0})
        manifest_nodes.append({
            "name": name, "dir": name, "hostname": name, "addresses": [address],
            "timezone": "UTC", "clock_offset_s": offset, "clock_uncertainty_s": 0.01,
            "files": files, "commands": [], "errors": [],
        })
    manifest = {
        "format": "esc-diag-bundle/1",
        "tool_version": "bench/generate_bundle.py",
        "collected_by": NODES[0][0],
        "collected_at": rfc3339(collected_at),
        "nodes": manifest_nodes,
    }
    with open(os.path.join(partial, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(partial, out)

    elapsed = time.monotonic() - began
    uncompressed = sum(r["bytes"] for r in results)
    on_disk = sum(os.path.getsize(os.path.join(out, r["node"], r["rel"])) for r in results)
    scheduled = sum(len(v) for v in episodes["lines"].values())
    stats = {
        "bundle": out, "gzip": args.gzip, "seed": args.seed, "size_mib": args.size_mib,
        "start": args.start, "days": args.days, "episodes": args.episodes,
        "uncompressed_bytes": uncompressed, "on_disk_bytes": on_disk,
        "lines": sum(r["lines"] for r in results), "scheduled_lines": scheduled,
        "generation_seconds": round(elapsed, 2),
        "files": [{"node": r["node"], "path": r["rel"], "bytes": r["bytes"], "lines": r["lines"]}
                  for r in sorted(results, key=lambda r: (r["node"], r["rel"]))],
    }
    if args.stats_file:
        with open(args.stats_file, "w") as handle:
            json.dump(stats, handle, indent=2)
            handle.write("\n")
    print(f"wrote {out}: {uncompressed} bytes of logs ({on_disk} on disk), {stats['lines']} lines, "
          f"{scheduled} scheduled HA lines, in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
