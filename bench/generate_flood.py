#!/usr/bin/env python3
"""Writes a two-node bundle whose messages are nearly all recognised keepalived lines:
track-script successes and the MASTER's gratuitous ARPs (the floods a keepalived at a
debug level leaves), with a failover between the nodes every 50,000 lines and
a DRBD connection loss at each (--failover-every 1: a flapping pair, a failover every second).
For measuring memory and time against the number of recognised events and of transitions."""

import argparse
import datetime
import os
import shutil


def node_lines(node, address, count, start, failover_every=16_667):
    """Yields `count` syslog lines of one node, one second apart per group of lines."""
    master = node.endswith("0")
    instant = start
    pid = 4242 if master else 4343
    written = 0
    cycle = 0
    while written < count:
        stamp = instant.strftime("%b %e %H:%M:%S")
        prefix = f"{stamp} {node} Keepalived_vrrp[{pid}]: "
        if cycle == 0 or cycle % failover_every == failover_every - 1:
            # The start, then a failover: the MASTER steps down, the BACKUP takes over.
            if cycle > 0:
                master = not master
                yield f"{stamp} {node} kernel: drbd esc: PingAck did not arrive in time.\n"
                written += 1
            yield prefix + f"(esc_ha) Entering {'MASTER' if master else 'BACKUP'} STATE\n"
            written += 1
        elif master:
            yield prefix + "VRRP_Script(chk_esc_health) succeeded\n"
            yield prefix + f"(esc_ha) Sending/queueing gratuitous ARPs on eth0 for {address}\n"
            yield prefix + f"Sending gratuitous ARP on eth0 for {address}\n"
            written += 3
        else:
            yield prefix + "VRRP_Script(chk_esc_health) succeeded\n"
            yield prefix + "VRRP_Script(chk_drbd) succeeded\n"
            written += 2
        cycle += 1
        instant += datetime.timedelta(seconds=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", help="bundle directory to write (replaced if it exists)")
    parser.add_argument("--lines", type=int, required=True, help="recognised lines over both nodes")
    parser.add_argument(
        "--failover-every",
        type=int,
        default=16_667,
        help="seconds between failovers (1: every line pair is a failover)",
    )
    args = parser.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    start = datetime.datetime(2026, 11, 1, 0, 0, 0)
    nodes = ["esc-ha-0", "esc-ha-1"]
    for node in nodes:
        directory = os.path.join(args.out, node, "var", "log")
        os.makedirs(directory)
        with open(os.path.join(directory, "messages"), "w", buffering=1 << 20) as out:
            lines = node_lines(node, "10.85.103.140", args.lines // 2, start, args.failover_every)
            out.writelines(lines)


if __name__ == "__main__":
    main()
