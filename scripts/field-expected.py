#!/usr/bin/env python3
"""Write each field case's expected.json: the case's reference labels (case.json, in the shared
corpus' vocabulary) restated as what esc-diag must report, in esc-diag's own terms.

usage: scripts/field-expected.py [CASES_DIR]   (default testdata/field)

A case's node is its file name up to the first dot (node54.messages -> node54), as the test builds
the bundle. Only labels the lines prove are kept: split_brain (true/false; null when not provable),
and the transitions whose cause the lines prove, each with the cause ids that are right for it.
An existing expected.json with "reviewed": true is left alone (hand-edited: see its "why").
"""
import json
import os
import re
import sys

CAUSES = {
    "advert_timeout": ["network-partition", "peer-down", "peer-silent", "election-without-master"],
    "higher_priority_advert": ["preempted-by-higher-priority"],
    "lower_priority_advert_forced_election": ["forced-election-lower-priority"],
    "interface_down": ["interface-fault"],
    "track_script_failed": ["script-fault"],
    "fault": ["interface-fault", "script-fault"],
    "manual_stop": ["manual", "peer-keepalived-stopped"],
    "priority_zero_received": ["peer-keepalived-stopped", "manual"],
    "startup": ["startup-election", "election-without-master"],
}
MONTHS = {m.lower(): i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
# Localized abbreviations the tool reads too (fr, de, es, it, pt, ru), lower case without the dot.
MONTHS.update({"janv": 1, "févr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "août": 8,
               "sept": 9, "oct": 10, "déc": 12, "mär": 3, "okt": 10, "dez": 12, "ene": 1, "abr": 4,
               "ago": 8, "dic": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10,
               "fev": 2, "out": 10, "янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5,
               "июн": 6, "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12})


def stamp_key(text):
    """A log stamp as 'MM-DD HH:MM:SS' in the wall time the tool reads (a zoned RFC 3339 stamp
    in UTC), or None for a layout this does not read (localized month names)."""
    import datetime as dt
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?", text or "")
    if m:
        y, mo, d, h, mi, s = map(int, m.groups()[:6])
        t = dt.datetime(y, mo, d, h, mi, s)
        zone = m.group(8)
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            t -= sign * dt.timedelta(hours=hours, minutes=minutes)
        return t.strftime("%m-%d %H:%M:%S")
    parts = (text or "").split()
    if parts and parts[0][:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        parts = parts[1:]
    try:
        month, day, clock = parts[:3]
        name = month.lower().rstrip(".")
        return "%02d-%02d %s" % (MONTHS.get(name) or MONTHS[name[:3]], int(day), clock[:8])
    except (KeyError, ValueError):
        return None


def expected(case):
    labels = case["expected"]
    files = case["files"] if isinstance(case["files"], dict) else {name: {} for name in case["files"]}
    stems = sorted({name.split(".")[0] for name in files})
    node_of = {meta.get("node"): name.split(".")[0] for name, meta in files.items() if meta.get("node")}
    split_brain = labels.get("split_brain") if labels.get("split_brain_provable_from_logs") else None
    transitions = []
    for event in labels.get("failover_events") or []:
        if not event.get("cause_provable_from_logs"):
            continue
        causes = CAUSES.get(event.get("cause") or "unknown")
        to = str(event.get("to") or "").upper()
        if not causes or to not in ("MASTER", "BACKUP", "FAULT"):
            continue
        if event.get("state_change") is False or str(event.get("from") or "").upper() == to:
            continue
        node = node_of.get(event.get("node")) or (stems[0] if len(stems) == 1 else None)
        if not node:
            continue
        targets = [to, "STOP"] if event.get("cause") == "manual_stop" else [to]
        transitions.append({
            "node": node,
            "to": targets,
            "at": stamp_key(event.get("time")),
            "stamp": event.get("time"),
            "causes": causes,
        })
    return {
        "source_url": case.get("source_url"),
        "split_brain": split_brain,
        "split_brain_kind": ("drbd" if labels.get("split_brain_kind") == "drbd_data" else "vrrp") if split_brain else None,
        "transitions": transitions,
    }


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "testdata", "field")
    written = 0
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        if not os.path.isfile(os.path.join(folder, "case.json")):
            continue
        target = os.path.join(folder, "expected.json")
        if os.path.exists(target) and json.load(open(target)).get("reviewed"):
            continue
        with open(os.path.join(folder, "case.json")) as source:
            case = json.load(source)
        with open(target, "w") as out:
            json.dump(expected(case), out, indent=1, ensure_ascii=False)
            out.write("\n")
        written += 1
    print(f"{written} expected.json written")


if __name__ == "__main__":
    main()
