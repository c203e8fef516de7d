#!/usr/bin/env python3
"""Bundle writer for the esc-diag lab harness (called by lab.sh).

snapshot: copy each lab node's files into DEST/<node>/ (mirroring the node filesystem),
          run the diagnostic commands inside each node's namespaces, write DEST/manifest.json
          (format esc-diag-bundle/1).
events:   write DEST/lab-events.json (scenario name, options, timed actions, outcome).
"""
import argparse
import concurrent.futures
import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import time

FORMAT = "esc-diag-bundle/1"
TOOL_VERSION = "lab-harness"
REDACT_RE = re.compile(r"^(\s*auth_pass\s+)(\S+)", re.MULTILINE)


def rfc3339(ts: float) -> str:
    d = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def commands_for(gateway: str, peer: str, vip: str):
    return [
        ("ip_addr", ["ip", "-j", "addr"]),
        ("ip_route", ["ip", "-j", "route"]),
        ("ip_link", ["ip", "-j", "link"]),
        ("keepalived_version", ["keepalived", "--version"]),
        ("ping_gateway", ["ping", "-c", "3", "-W", "1", gateway]),
        ("ping_peer", ["ping", "-c", "3", "-W", "1", peer]),
        ("ping_vip", ["ping", "-c", "3", "-W", "1", vip]),
        ("uptime", ["uptime"]),
        # not a bare `df -P`: that would also list the build host's unrelated mounts
        ("df", ["df", "-P", "/", "/var/log", "/opt/cisco/esc"]),
    ]


def run_command(holder_pid: str, node_dir: str, name: str, argv):
    rel = f"commands/{name}.txt"
    start = time.monotonic()
    try:
        p = subprocess.run(
            ["nsenter", "--target", holder_pid, "--net", "--mount", "--uts", "--"] + argv,
            capture_output=True,
            timeout=20,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"},
        )
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = e.stdout or b"", (e.stderr or b"") + b"\n(timed out)\n", 124
    duration = time.monotonic() - start
    with open(os.path.join(node_dir, rel), "wb") as f:
        f.write(out)
        if out and not out.endswith(b"\n"):
            f.write(b"\n")
        f.write(b"----- stderr -----\n")
        f.write(err)
    return {"name": name, "argv": argv, "file": rel, "exit_code": rc,
            "duration_s": round(duration, 3)}


def copy_node_files(src_root: str, node_dir: str, clock_offset: float = 0.0):
    """Copy the node's files (cp -p semantics); return (file entries, errors).

    A node with a simulated clock skew (libfaketime) still gets real mtimes from the kernel;
    a real node would stamp its files with its own (skewed) clock, so the copies' mtimes are
    shifted by clock_offset seconds.
    """
    wanted = ["var/log/messages"]
    wanted += sorted(os.path.relpath(p, src_root)
                     for p in glob.glob(os.path.join(src_root, "var/log/esc/*.log")))
    wanted.append("opt/cisco/esc/keepalived_state")
    wanted += sorted(os.path.relpath(p, src_root)
                     for p in glob.glob(os.path.join(src_root, "etc/keepalived/*"))
                     if os.path.isfile(p))
    files, errors = [], []
    for rel in wanted:
        src = os.path.join(src_root, rel)
        dst = os.path.join(node_dir, rel)
        if not os.path.exists(src):
            errors.append({"kind": "missing_file", "path": rel, "message": "not found on node"})
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        redactions = 0
        if rel == "etc/keepalived/keepalived.conf":
            st = os.stat(src)
            with open(src, encoding="utf-8") as f:
                text, redactions = REDACT_RE.subn(r"\1<redacted>", f.read())
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
            shutil.copymode(src, dst)
            os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
        else:
            shutil.copy2(src, dst)
        if clock_offset:
            st = os.stat(dst)
            shift = int(clock_offset * 1e9)
            os.utime(dst, ns=(st.st_atime_ns + shift, st.st_mtime_ns + shift))
        st = os.stat(dst)
        files.append({"path": rel, "size": st.st_size, "sha256": sha256(dst),
                      "mtime": rfc3339(st.st_mtime), "redactions": redactions})
    return files, errors


def snapshot(args):
    os.makedirs(args.dest, exist_ok=True)
    nodes = []
    for spec in args.node:
        name, holder, addr, peer = spec.split(":")
        node_dir = os.path.join(args.dest, name)
        os.makedirs(os.path.join(node_dir, "commands"), exist_ok=True)
        offset = args.clock_offset if name != args.collected_by else 0.0
        files, errors = copy_node_files(os.path.join(args.lab_dir, name), node_dir, offset)
        nodes.append({"spec": (name, holder, addr, peer), "dir": node_dir,
                      "files": files, "errors": errors})
    # run all commands of both nodes in parallel (the pings dominate: ~2 s, 3+ s when lost)
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        for n in nodes:
            name, holder, addr, peer = n["spec"]
            n["futures"] = [pool.submit(run_command, holder, n["dir"], cname, argv)
                            for cname, argv in commands_for(args.gateway, peer, args.vip)]
        for n in nodes:
            n["commands"] = [f.result() for f in n["futures"]]
    manifest_nodes = []
    for n in nodes:
        name, _holder, addr, _peer = n["spec"]
        offset = args.clock_offset if name != args.collected_by else 0.0
        manifest_nodes.append({
            "name": name, "dir": name, "hostname": name, "addresses": [addr],
            "timezone": "UTC", "clock_offset_s": float(offset), "clock_uncertainty_s": 0.0,
            "files": n["files"], "commands": n["commands"], "errors": n["errors"],
        })
    manifest = {"format": FORMAT, "tool_version": TOOL_VERSION,
                "collected_by": args.collected_by, "collected_at": rfc3339(time.time()),
                "nodes": manifest_nodes}
    with open(os.path.join(args.dest, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def events(args):
    env = {}
    with open(args.env, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    evs = []
    if os.path.exists(args.events):
        with open(args.events, encoding="utf-8") as f:
            evs = [json.loads(line) for line in f if line.strip()]
    for e in evs:
        if not e.get("node"):
            e.pop("node", None)
    options = {
        "priorities": {"esc-ha-0": 101, "esc-ha-1": 100 if env.get("OPT_PRIORITIES") == "distinct" else 101},
        "log_detail": env.get("OPT_DETAIL") == "1",
        "unicast": env.get("OPT_UNICAST") == "1",
        "min_auto_priority_delay_us": int(env["OPT_MAPD"]) if env.get("OPT_MAPD") else None,
        "track_interface": env.get("OPT_TRACK_IF") == "1",
        "start_order": env.get("OPT_START"),
        "advert_int_s": 1,
        "syslog_facility": {"esc-ha-0": "local0", "esc-ha-1": "local1"},
        "lab_up_args": args.up_options,
    }
    final = dict(kv.split("=", 1) for kv in args.final)
    doc = {
        "scenario": args.scenario,
        "options": options,
        "nodes": {"esc-ha-0": "10.85.103.135", "esc-ha-1": "10.85.103.136", "vip": "10.85.103.137",
                  "gateway": "10.85.103.1", "instance": "esc_ha", "virtual_router_id": 137},
        "master_before": args.master_before,
        "events": evs,
        "final_state": final,
        "final_vip_on": args.vip_on.split() if args.vip_on else [],
    }
    with open(os.path.join(args.dest, "lab-events.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("--lab-dir", required=True)
    s.add_argument("--dest", required=True)
    s.add_argument("--node", action="append", required=True, help="NAME:HOLDER_PID:ADDR:PEER_ADDR")
    s.add_argument("--gateway", required=True)
    s.add_argument("--vip", required=True)
    s.add_argument("--collected-by", default="esc-ha-0")
    s.add_argument("--clock-offset", type=float, default=0.0,
                   help="clock skew of the nodes other than --collected-by (node clock - real clock)")
    e = sub.add_parser("events")
    e.add_argument("--dest", required=True)
    e.add_argument("--scenario", required=True)
    e.add_argument("--up-options", default="")
    e.add_argument("--master-before", default="")
    e.add_argument("--env", required=True)
    e.add_argument("--events", required=True)
    e.add_argument("--final", action="append", default=[])
    e.add_argument("--vip-on", default="")
    args = ap.parse_args()
    if args.cmd == "snapshot":
        snapshot(args)
    else:
        events(args)


if __name__ == "__main__":
    main()
