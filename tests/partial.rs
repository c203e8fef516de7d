//! The evidence operators actually have: one node's side, a few pasted lines, bare files, a
//! window cut out of a day, a tree that is not from ESC. esc-diag must be right on it and say how
//! far it goes: half a pair is never healthy, one side can prove a split-brain, a window never
//! invents a transition.

use serde_json::Value;

use crate::support::{BundleBuilder, copy_tree, esc_diag, fields, testdata_bundle, texts};

fn analyze(path: &std::path::Path, extra: &[&str]) -> (Value, i32) {
    let run = crate::support::analyze(path, extra);
    (run.json(), run.code)
}

/// The rules of a report's findings, in order.
fn finding_rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|finding| finding["rule"].as_str())
        .collect()
}

/// The text report, without colours.
/// The first record of a report's `failovers` or `transitions` in which `node` went to `to`.
fn change_to<'r>(report: &'r Value, list: &str, node: &str, to: &str) -> Option<&'r Value> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["node"] == node && change["to"] == to)
}

/// A report's findings made by one rule, in the report's order.
fn findings_of<'r>(report: &'r Value, rule: &str) -> Vec<&'r Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"] == rule)
        .collect()
}

fn analyze_text(path: &std::path::Path) -> String {
    esc_diag([
        "analyze".as_ref(),
        "--color".as_ref(),
        "never".as_ref(),
        path.as_os_str(),
    ])
    .stdout
}

#[test]
fn one_nodes_quiet_logs_are_unknown_not_healthy() {
    let bundle = BundleBuilder::new().file(
        "esc-ha-0",
        "var/log/messages",
        "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering BACKUP STATE (init)\n\
         Nov 25 10:00:05 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) received lower priority (100) advert from 10.85.103.136 - discarding\n",
    );
    let (report, code) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "unknown",
        "{}",
        report["verdict"]
    );
    assert!(
        report["verdict"]["headline"].as_str().unwrap().contains(
            "nothing found wrong in esc-ha-0's logs, but the pair's other side is not in them"
        ),
        "{}",
        report["verdict"]
    );
    assert_eq!(code, 1);
    // The start-up BACKUP is a transition, not a failover.
    assert_eq!(report["failovers"].as_array().unwrap().len(), 0);
    assert_eq!(report["transitions"][0]["cause"], "startup-election");
    // A check that failed on that side makes it degraded, and the headline names the check.
    let full_disk = "Filesystem 1024-blocks Used Available Capacity Mounted on\n\
                     /dev/vda1 100 97 3 97% /var/log\n";
    let bundle = BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering BACKUP STATE (init)\n",
        )
        .file("esc-ha-0", "commands/df.txt", full_disk);
    let (report, _) = analyze(bundle.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["status"], "degraded", "{verdict}");
    let headline = verdict["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("degraded: check failed: disk-space on esc-ha-0: ")
            && headline.ends_with("(only esc-ha-0's logs: the pair's other side is unknown)"),
        "{headline}"
    );
}

#[test]
fn a_tree_with_nothing_from_the_pair_is_unknown() {
    let bundle = BundleBuilder::new().file(
        "web-1",
        "var/log/messages",
        "Nov 25 10:00:00 web-1 sshd[12]: Accepted publickey for root\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "unknown",
        "{}",
        report["verdict"]
    );
}

#[test]
fn one_side_proves_a_dual_master_and_names_the_sender_by_address() {
    let bundle = BundleBuilder::new().file(
        "master",
        "var/log/messages",
        "Aug  6 18:20:28 localhost Keepalived_vrrp[83147]: A thread timer expired 4.437445 seconds ago\n\
         Aug  6 18:20:28 localhost Keepalived_vrrp[83147]: (VI_1) Received advert from 192.168.220.61 with lower priority 90, ours 100, forcing new election\n\
         Aug  6 18:20:28 localhost Keepalived_vrrp[83147]: (VI_1) Received advert from 192.168.220.61 with lower priority 90, ours 100, forcing new election\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "split-brain",
        "{}",
        report["verdict"]
    );
    let window = &report["split_brain"][0];
    assert_eq!(window["kind"], "vrrp");
    assert_eq!(window["proof"], "advert-while-master");
    assert_eq!(window["instance"], "VI_1");
    assert_eq!(window["start"], Value::Null);
    assert!(window["seen_at"].as_str().unwrap().ends_with("18:20:28Z"));
    assert_eq!(
        window["nodes"],
        serde_json::json!(["master", "192.168.220.61"])
    );
    // No transition is invented for the node that was MASTER all along.
    assert_eq!(report["transitions"].as_array().unwrap().len(), 0);
}

#[test]
fn a_yield_known_only_from_the_advert_line_is_a_transition_from_an_inferred_master() {
    let bundle = BundleBuilder::new().file(
        "esc-ha-0",
        "var/log/messages",
        "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Master received advert from 10.85.103.136 with higher priority 102, ours 101\n\
         Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let transition = &report["transitions"][0];
    assert_eq!(transition["from"], "MASTER");
    assert_eq!(transition["from_inferred"], true);
    assert_eq!(transition["to"], "BACKUP");
    assert_eq!(transition["cause"], "preempted-by-higher-priority");
    assert_eq!(report["verdict"]["status"], "failover");
}

#[test]
fn drbd_split_brain_lines_are_a_split_brain_with_their_resource() {
    let bundle = BundleBuilder::new().file(
        "node",
        "var/log/messages",
        "[ 1142.904077] drbd pvc-b6/0 drbd43001 k8s-node1: uuid_compare()=split-brain-auto-recover by rule=bitmap-both\n\
         [ 1142.904784] drbd pvc-b6/0 drbd43001 k8s-node1: helper command: /sbin/drbdadm split-brain\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "split-brain",
        "{}",
        report["verdict"]
    );
    let window = &report["split_brain"][0];
    assert_eq!(window["kind"], "drbd");
    assert_eq!(window["proof"], "drbd-detected");
    assert_eq!(window["resource"], "pvc-b6");
    assert_eq!(report["split_brain"].as_array().unwrap().len(), 1);
}

#[test]
fn a_window_reports_part_of_the_analysis_and_invents_nothing() {
    let bundle = BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering MASTER STATE\n\
             Nov 25 10:30:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Received advert from 10.85.103.136 with lower priority 100, ours 101, forcing new election\n",
        )
        .file(
            "esc-ha-1",
            "var/log/messages",
            "Nov 25 09:59:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE\n\
             Nov 25 10:29:56 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Receive advertisement timeout\n\
             Nov 25 10:29:56 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE\n",
        );
    let (whole, _) = analyze(bundle.path(), &[]);
    let (late, _) = analyze(bundle.path(), &["--since", "2026-11-25T10:20:00Z"]);
    let (early, _) = analyze(bundle.path(), &["--until", "2026-11-25T10:10:00Z"]);
    // The window keeps the transitions of the whole analysis that fall in it, and adds none.
    let times = |report: &Value| -> Vec<String> {
        report["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|transition| format!("{}:{}", transition["node"], transition["time"]))
            .collect()
    };
    let all = times(&whole);
    for time in times(&late).iter().chain(times(&early).iter()) {
        assert!(all.contains(time), "{time} is not in {all:?}");
    }
    assert_eq!(times(&late).len(), 1);
    assert_eq!(late["verdict"]["status"], "split-brain");
    assert!(early["split_brain"].as_array().unwrap().is_empty());
    assert_ne!(early["verdict"]["status"], "split-brain");
    // since after until is a usage error.
    let run = esc_diag([
        "analyze".into(),
        "--since".into(),
        "2026-11-25T11:00:00Z".into(),
        "--until".into(),
        "2026-11-25T10:00:00Z".into(),
        bundle.path().as_os_str().to_owned(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("later than --until"), "{}", run.stderr);
}

#[test]
fn bare_files_are_named_after_the_host_their_lines_carry() {
    let directory = tempfile::tempdir().unwrap();
    let messages = directory.path().join("messages");
    std::fs::write(
        &messages,
        "Nov 25 10:00:00 lb-1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n\
         Nov 25 10:00:01 lb-2 Keepalived_vrrp[22]: (VI_1) Entering BACKUP STATE\n\
         Nov 25 10:00:02 lb-1 Keepalived_vrrp[12]: (VI_1) setting VIPs.\n\
         Nov 25 10:00:03 lb-2 Keepalived_vrrp[22]: (VI_1) received lower priority (90) advert from 10.0.0.1 - discarding\n\
         Nov 25 10:00:04 lb-1 Keepalived_vrrp[12]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.9\n\
         Nov 25 10:00:05 lb-2 Keepalived_vrrp[22]: (VI_1) received lower priority (90) advert from 10.0.0.1 - discarding\n",
    )
    .unwrap();
    let (report, _) = analyze(&messages, &[]);
    let names = texts(&report["nodes"], "name");
    assert_eq!(names, vec!["lb-1", "lb-2"], "{}", report["nodes"]);
    assert_ne!(report["verdict"]["status"], "split-brain");
}

/// A folder of a ticket's attachments: its logs read as if given one by one; a file in which
/// nothing is read (notes, a screenshot) is named in a warning, not taken for a node.
#[test]
fn a_folder_of_loose_files_reads_as_its_logs() {
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(folder.path().join(name), bytes).unwrap();
    write(
        "lb1.log",
        b"Nov 25 10:00:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n\
          Nov 25 10:05:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering FAULT STATE\n",
    );
    write(
        "lb2.log",
        b"Nov 25 10:00:01 lb2 Keepalived_vrrp[22]: (VI_1) Entering BACKUP STATE\n\
          Nov 25 10:05:01 lb2 Keepalived_vrrp[22]: (VI_1) Entering MASTER STATE\n",
    );
    write("notes.txt", b"The backup took over.\nNobody touched it.\n");
    write("screenshot.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    write(
        ".hidden",
        b"Nov 25 10:00:00 lb9 Keepalived_vrrp[1]: (VI_1) Entering MASTER STATE\n",
    );
    let (from_folder, code) = analyze(folder.path(), &[]);
    assert_eq!(code, 1, "{from_folder}");
    let files = esc_diag([
        "analyze".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--now".as_ref(),
        "2026-11-26T00:00:00Z".as_ref(),
        folder.path().join("lb1.log").as_os_str(),
        folder.path().join("lb2.log").as_os_str(),
    ])
    .json();
    for key in ["verdict", "transitions", "split_brain", "nodes"] {
        assert_eq!(from_folder[key], files[key], "{key}");
    }
    let warnings = &from_folder["coverage"]["warnings"];
    for name in ["notes.txt", "screenshot.png"] {
        assert!(
            warnings
                .as_array()
                .unwrap()
                .iter()
                .any(|warning| warning["file"] == name
                    && warning["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("nothing in its")),
            "{warnings}"
        );
    }
    // A folder with no file at all is still an input that holds nothing.
    let empty = tempfile::tempdir().unwrap();
    let run = esc_diag(["analyze".as_ref(), empty.path().as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("holds no node directory"),
        "{}",
        run.stderr
    );
}

/// The report's node names, in name order.
fn node_names(report: &Value) -> Vec<&str> {
    let mut nodes = texts(&report["nodes"], "name");
    nodes.sort();
    nodes
}

/// A warning about a bare file names the node its lines became, as every other part of the
/// report does (not the file's own name), or no node when the file holds several nodes.
#[test]
fn warnings_about_bare_files_name_the_nodes_the_report_names() {
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(folder.path().join(name), bytes).unwrap();
    write(
        "primary.messages",
        b"Nov 25 10:00:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n",
    );
    write(
        "both.log",
        b"Nov 25 10:00:01 lb2 Keepalived_vrrp[22]: (VI_1) Entering BACKUP STATE\n\
          Nov 25 10:00:02 lb3 Keepalived_vrrp[32]: (VI_2) Entering BACKUP STATE\n\
          Nov 25 10:00:03 lb2 Keepalived_vrrp[22]: (VI_1) Entering MASTER STATE\n\
          Nov 25 10:00:04 lb3 Keepalived_vrrp[32]: (VI_2) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    let nodes = node_names(&report);
    assert_eq!(nodes, ["lb1", "lb2", "lb3"], "{report}");
    let warnings = report["coverage"]["warnings"].as_array().unwrap();
    let year_of = |file: &str| {
        warnings
            .iter()
            .find(|warning| {
                warning["file"] == file
                    && warning["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("stamps carry no year")
            })
            .unwrap_or_else(|| panic!("{file}: {warnings:?}"))
    };
    assert_eq!(year_of("primary.messages")["node"], "lb1");
    assert_eq!(year_of("both.log")["node"], Value::Null);
    let checks = report["checks"].as_array().unwrap();
    for item in warnings.iter().chain(checks) {
        if let Some(node) = item["node"].as_str() {
            assert!(nodes.contains(&node), "{item}");
        }
    }
    // Each node's checks are its own: all three are checked.
    for node in &nodes {
        assert!(checks.iter().any(|check| check["node"] == *node), "{node}");
    }
}

/// A ticket's attachments named after their nodes: a file whose lines name no host (dmesg, a
/// console) is the node its name begins with, joining that node's syslog, or another file of the
/// same name; a file given alone too, unless its name is a log's.
#[test]
fn files_without_host_names_are_the_nodes_their_names_begin_with() {
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).unwrap();
    write(
        "lb1.messages",
        "Nov 25 10:00:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n",
    );
    write(
        "lb2.messages",
        "Nov 25 10:00:01 lb2 Keepalived_vrrp[22]: (VI_1) Entering BACKUP STATE\n",
    );
    write(
        "lb1.dmesg",
        "[Tue Nov 25 10:05:00 2025] block drbd0: role( Secondary -> Primary )\n",
    );
    write(
        "lb3.part1.console",
        "Tue Nov 25 10:00:02 2025: (VI_2) Entering MASTER STATE\n",
    );
    write(
        "lb3.part2.console",
        "Tue Nov 25 10:06:00 2025: (VI_2) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    let nodes = node_names(&report);
    assert_eq!(nodes, ["lb1", "lb2", "lb3"], "{report}");
    let file_node = |file: &str| {
        report["coverage"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|record| record["file"] == file)
            .map(|record| record["node"].clone())
    };
    assert_eq!(
        file_node("lb1.dmesg"),
        Some(serde_json::json!("lb1")),
        "{report}"
    );
    // Each node is checked once.
    let checks = report["checks"].as_array().unwrap();
    let lb1_checks = checks
        .iter()
        .filter(|check| check["id"] == "address-on-kad-vif" && check["node"] == "lb1")
        .count();
    assert_eq!(lb1_checks, 1, "{checks:?}");

    // A file given alone is the node its name begins with too, unless that names a log (a
    // node called `keepalived` would read as the daemon).
    let alone = folder.path().join("lb3.part1.console");
    let (report, _) = analyze(&alone, &[]);
    assert_eq!(report["nodes"][0]["name"], "lb3", "{report}");
    std::fs::copy(&alone, folder.path().join("keepalived.log")).unwrap();
    let (report, _) = analyze(&folder.path().join("keepalived.log"), &[]);
    assert_eq!(report["nodes"][0]["name"], "keepalived.log", "{report}");
}

/// The clock set back at boot while keepalived kept logging (chrony stepping a clock that ran
/// ahead): the lines keep the order the process wrote them in, so the instance that yielded after
/// the step is BACKUP now and no restart is invented; a warning says where and by how much. Two
/// `systemctl status` captures pasted one after the other repeat lines, and are no step.
#[test]
fn a_clock_set_back_while_keepalived_logs_keeps_the_order_it_wrote() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("ha-nginx-1.messages");
    std::fs::write(
        &file,
        "Aug  2 14:46:03 ha-nginx-1 Keepalived[742]: Starting VRRP child process, pid=878\n\
         Aug  2 14:46:03 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) Entering BACKUP STATE (init)\n\
         Aug  2 14:46:07 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) Receive advertisement timeout\n\
         Aug  2 14:46:07 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) Entering MASTER STATE\n\
         Aug  2 14:46:07 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) setting VIPs.\n\
         Aug  2 14:41:38 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) Master received advert from 10.255.1.10 with higher priority 100, ours 99\n\
         Aug  2 14:41:38 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) Entering BACKUP STATE\n\
         Aug  2 14:41:38 ha-nginx-1 Keepalived_vrrp[878]: (VI_2) removing VIPs.\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let states = fields(&report["transitions"], ["to", "time"]);
    assert_eq!(
        states.iter().map(|[to, _]| *to).collect::<Vec<_>>(),
        ["BACKUP", "MASTER", "BACKUP"],
        "{report}"
    );
    assert!(
        states.iter().all(|[_, time]| !time.is_empty())
            && states.windows(2).all(|pair| pair[0][1] <= pair[1][1]),
        "{states:?}"
    );
    assert_eq!(states[2][1], "2026-08-02T14:41:38Z");
    assert_eq!(report["split_brain"], serde_json::json!([]), "{report}");
    let text = report.to_string();
    assert!(!text.contains("restarted"), "{text}");
    let warnings = report["coverage"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|warning| warning["line"] == 6
            && warning["message"]
                .as_str()
                .unwrap()
                .starts_with("the clock went back 4 min 29 s here")),
        "{warnings:?}"
    );

    let status = folder.path().join("lb.systemctl-status");
    let capture = "Active: active (running) since Sat 2019-01-26 04:27:30 UTC; 1min 42s ago\n\
                   Jan 26 04:27:30 lb Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
                   Jan 26 04:27:33 lb Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
                   Jan 26 04:28:13 lb Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Received advert with higher priority 101, ours 100\n\
                   Jan 26 04:28:13 lb Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Entering BACKUP STATE\n";
    std::fs::write(&status, format!("{capture}{capture}")).unwrap();
    let (report, _) = analyze(&status, &[]);
    let warnings = report["coverage"]["warnings"].as_array().unwrap();
    assert!(
        !warnings.iter().any(|warning| warning["message"]
            .as_str()
            .unwrap()
            .contains("the clock went back")),
        "{warnings:?}"
    );
}

/// A ticket attachment's long file name: an evidence line is quoted under its time, node and
/// file, at the report's width, not squeezed into a narrow column right of them.
#[test]
fn evidence_of_a_file_with_a_long_name_is_quoted_under_its_head() {
    let folder = tempfile::tempdir().unwrap();
    let name = "case-0123456-customer-upload-backup-node-var-log-messages-2024-11-25.log";
    let file = folder.path().join(name);
    std::fs::write(
        &file,
        "Nov 25 10:00:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n\
         Nov 25 10:05:00 lb1 Keepalived_vrrp[12]: (VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100\n\
         Nov 25 10:05:00 lb1 Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE\n",
    )
    .unwrap();
    let text = analyze_text(&file);
    let quoted = "           Keepalived_vrrp: (VI_1) Master received advert from 10.0.0.2 with higher \
                  priority 150,\n           ours 100\n";
    assert!(
        text.contains(&format!("10:05:00 lb1 {name}:2\n{quoted}")),
        "{text}"
    );
    // Every line but the heads (which hold the whole file name) fits the width.
    for line in text.lines().filter(|line| !line.contains(name)) {
        assert!(line.chars().count() <= 100, "{line}");
    }
}

#[test]
fn in_a_pair_an_unknown_advert_sender_is_the_other_node() {
    let bundle = BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering MASTER STATE\n\
             Nov 25 10:30:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Received advert from 10.85.103.136 with lower priority 100, ours 101, forcing new election\n",
        )
        .file(
            "esc-ha-1",
            "var/log/messages",
            "Nov 25 09:59:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "split-brain",
        "{}",
        report["verdict"]
    );
    let window = &report["split_brain"][0];
    assert_eq!(window["proof"], "advert-while-master");
    assert_eq!(window["nodes"], serde_json::json!(["esc-ha-0", "esc-ha-1"]));
}

#[test]
fn the_verdict_carries_its_facts_and_a_ticket_title() {
    let (report, _) = analyze(&crate::support::testdata_bundle("lab-partition"), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["status"], "split-brain");
    assert_eq!(verdict["cause"], "network-partition");
    assert_eq!(verdict["instance"], "esc_ha");
    assert_eq!(
        verdict["nodes"],
        serde_json::json!(["esc-ha-0", "esc-ha-1"])
    );
    assert_eq!(verdict["start"], "2026-11-25T15:53:07Z");
    assert_eq!(verdict["current_master"], "esc-ha-1");
    let summary = report["summary"].as_str().unwrap();
    assert!(summary.len() <= 100 && summary.is_ascii(), "{summary}");
    assert!(summary.contains("split-brain") && summary.contains("network-partition"));
    assert_eq!(
        report["state_now"][0]["masters"],
        serde_json::json!(["esc-ha-1"])
    );
    assert_eq!(
        report["state_now"][0]["backups"],
        serde_json::json!(["esc-ha-0"])
    );
}

#[test]
fn one_nodes_paste_names_the_change_it_shows_and_not_the_side_it_lacks() {
    // keepalived issue 600: a node's first line is its MASTER state, then it yields to a better
    // advert. The verdict names the yield (both states known), not the first state seen; the
    // state now does not say there is no MASTER: the sender of that advert is not in the logs.
    let bundle = BundleBuilder::new().file(
        "ip-10-0-1-58",
        "var/log/messages",
        "Jun 10 20:18:02 ip-10-0-1-58 Keepalived_vrrp[16912]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Jun 10 20:18:54 ip-10-0-1-58 Keepalived_vrrp[16912]: VRRP_Instance(VI_1) Received higher prio advert 103\n\
         Jun 10 20:18:54 ip-10-0-1-58 Keepalived_vrrp[16912]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(
        headline.contains("MASTER → BACKUP") && headline.contains("preempted-by-higher-priority"),
        "{headline}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "now: VI_1       MASTER not in these logs (ip-10-0-1-58 yielded to a MASTER's advert (its sender\n                  not named) at 2026-06-10T20:18:54Z); standby ip-10-0-1-58"
        ),
        "{text}"
    );
}

/// Both nodes' logs: the old master's end, the other took over, then yielded to a better advert.
/// A MASTER holds the instance after that (the old one back, its restart not in its logs, or
/// another): not "no MASTER", and the old master is not called dead or hung.
#[test]
fn a_master_heard_after_the_last_takeover_is_not_no_master() {
    let bundle = BundleBuilder::new()
        .file(
            "ssq-56",
            "var/log/messages",
            "Apr  2 10:46:09 ssq-56 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n\
             Apr  2 10:46:14 ssq-56 Keepalived_vrrp: VRRP_Instance(VIP) Sending gratuitous ARPs on eth1 for 172.16.7.55\n",
        )
        .file(
            "ssq-57",
            "var/log/messages",
            "Apr  2 10:51:44 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering BACKUP STATE\n\
             Apr  2 11:10:20 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n\
             Apr  2 11:13:48 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Received higher prio advert\n\
             Apr  2 11:13:48 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["masters"], serde_json::json!([]), "{now}");
    assert_eq!(now["heard_master"]["node"], "ssq-57", "{now}");
    assert_eq!(now["heard_master"]["at"], "2026-04-02T11:13:48Z", "{now}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "now: VIP        MASTER not in these logs (ssq-57 yielded to a MASTER's advert (its"
        ),
        "{text}"
    );
    assert!(!text.contains("silent since"), "{text}");
    // A 2.x BACKUP that discards a lower-priority MASTER's adverts as its logs end (ka2283): that
    // sender is the MASTER, and the BACKUP was preempting it.
    let bundle = BundleBuilder::new().file(
        "myhost",
        "var/log/messages",
        "Apr 06 13:32:58 myhost Keepalived_vrrp[1161750]: (VRRP1) Entering BACKUP STATE\n\
         Apr 06 13:32:58 myhost Keepalived_vrrp[1161750]: (VRRP1) received lower priority (100) advert from 10.0.0.17 - discarding\n\
         Apr 06 13:32:59 myhost Keepalived_vrrp[1161750]: (VRRP1) received lower priority (100) advert from 10.0.0.17 - discarding\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let heard = &report["state_now"][0]["heard_master"];
    assert_eq!(heard["sender"], "10.0.0.17", "{heard}");
    assert_eq!(heard["discarded"], true, "{heard}");
    let text = analyze_text(bundle.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("myhost discarded 10.0.0.17's advert at 2026-04-06T13:32:59Z as of lower priority than its own: it was preempting that MASTER"),
        "{text}"
    );
}

/// The MASTER heard at the end is named as the findings name that advert's sender: the input's
/// only other node, whose logs end before it, as the most likely MASTER (an inference, said so);
/// the node whose address the sender is, plainly; and a sender node whose own logs go on past the
/// advert is not named at all.
#[test]
fn the_master_heard_at_the_end_is_named_as_the_findings_name_the_sender() {
    let lb1 = "Jun  5 08:29:01 lb1 Keepalived_vrrp[22216]: (VI_1) Entering MASTER STATE\n";
    let lb2 = "Jun  5 09:28:24 lb2 Keepalived_vrrp[2264]: (VI_1) Backup received priority 0 advertisement\n\
               Jun  5 09:28:24 lb2 Keepalived_vrrp[2264]: (VI_1) Entering MASTER STATE\n\
               Jun  5 09:34:25 lb2 Keepalived_vrrp[2264]: (VI_1) Master received advert from 192.168.56.101 with higher priority 200, ours 100\n\
               Jun  5 09:34:25 lb2 Keepalived_vrrp[2264]: (VI_1) Entering BACKUP STATE\n";
    let bundle = BundleBuilder::new()
        .file("lb1", "var/log/messages", lb1)
        .file("lb2", "var/log/messages", lb2);
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["masters"], serde_json::json!([]), "{now}");
    assert_eq!(now["heard_master"]["sender"], "192.168.56.101", "{now}");
    assert_eq!(now["heard_master"]["sender_node"], "lb1", "{now}");
    assert_eq!(
        now["heard_master"]["sender_node_basis"], "only-other-node",
        "{now}"
    );
    let findings = report["findings"].to_string();
    assert!(findings.contains("priority 200 from lb1"), "{findings}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("MASTER most likely lb1, the only other node in these logs (lb2 yielded to\n                  192.168.56.101's advert at 2026-06-05T09:34:25Z)"),
        "{text}"
    );

    // lb1's address known (its keepalived.conf's unicast_src_ip): named plainly.
    let conf = "vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 200\n unicast_src_ip 192.168.56.101\n unicast_peer { 192.168.56.102 }\n virtual_ipaddress { 192.168.56.200 }\n}\n";
    let bundle = BundleBuilder::new()
        .file("lb1", "var/log/messages", lb1)
        .file("lb1", "etc/keepalived/keepalived.conf", conf)
        .file("lb2", "var/log/messages", lb2);
    let (report, _) = analyze(bundle.path(), &[]);
    let heard = &report["state_now"][0]["heard_master"];
    assert_eq!(heard["sender_node_basis"], "address", "{heard}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("MASTER lb1, by its advert (lb2 yielded to lb1's advert from 192.168.56.101"),
        "{text}"
    );

    // lb1's own logs go on past the advert (in FAULT): they, not the advert, say its state.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            format!(
                "{lb1}Jun  5 09:40:00 lb1 Keepalived_vrrp[22216]: (VI_1) Entering FAULT STATE\n"
            ),
        )
        .file("lb2", "var/log/messages", lb2);
    let (report, _) = analyze(bundle.path(), &[]);
    let heard = &report["state_now"][0]["heard_master"];
    assert!(heard.is_null() || heard["sender_node"].is_null(), "{heard}");
}

#[test]
fn undated_start_up_lines_give_the_state_and_an_unexplained_takeover_keeps_its_own_cause() {
    // A tutorial's paste (Yandex Cloud docs, keepalived 2.2.8): the start-up lines with their
    // stamps cut off, then stamped lines from later; the lines before the takeover were elided.
    // The start-up BACKUP is the state the dated logs begin in; the takeover's cause is not in
    // the logs (an excerpt that begins at it proves nothing by what it lacks), and the later
    // yield's cause is not lent to it.
    let bundle = BundleBuilder::new().file(
        "backup-server-m3",
        "var/log/messages",
        "Keepalived[2751]: Starting Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+\n\
         Keepalived_vrrp[2752]: (M3_2) Entering BACKUP STATE (init)\n\
         # the switch to MASTER when the service stops on the main node\n\
         Feb 19 07:08:07 backup-server-m3 Keepalived_vrrp[2752]: (M3_2) Entering MASTER STATE\n\
         Feb 19 07:08:31 backup-server-m3 Keepalived_vrrp[2752]: (M3_2) Master received advert from 172.28.1.2 with higher priority 100, ours 90\n\
         Feb 19 07:08:31 backup-server-m3 Keepalived_vrrp[2752]: (M3_2) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let failovers = report["failovers"].as_array().unwrap();
    assert_eq!(failovers.len(), 2, "{failovers:?}");
    assert_eq!(failovers[0]["from"], "BACKUP", "{failovers:?}");
    assert_eq!(failovers[0]["to"], "MASTER", "{failovers:?}");
    assert_eq!(failovers[0]["cause"], "unknown", "{failovers:?}");
    assert_eq!(failovers[1]["cause"], "preempted-by-higher-priority");
    assert_eq!(
        report["verdict"]["cause"], "unknown",
        "{}",
        report["verdict"]
    );
    let findings = report["findings"].as_array().unwrap();
    let holding = |at: &str| {
        findings
            .iter()
            .filter(|finding| {
                finding["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|line| line["time"].as_str().is_some_and(|time| time.contains(at)))
            })
            .map(|finding| finding["cause"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(holding("07:08:07"), ["unknown"], "{findings:?}");
    assert_eq!(holding("07:08:31"), ["preempted-by-higher-priority"]);
}

#[test]
fn a_log_without_dates_says_what_its_lines_say_and_explains_them_by_their_order() {
    // `journalctl -o cat`, or a paste with the date and host columns cut: the order of the lines
    // is known, not their time.
    let bundle = BundleBuilder::new().file(
        "master-server-m3",
        "var/log/messages",
        "Keepalived[4045]: Starting Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+\n\
         Keepalived_vrrp[4046]: (M3_1) Entering BACKUP STATE (init)\n\
         Keepalived_vrrp[4046]: (M3_1) Entering MASTER STATE\n",
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("M3_1       no dated state; lines without a stamp say BACKUP → MASTER"),
        "{text}"
    );
    assert!(
        text.contains("var/log/messages: no line carries a date and time: its 3 recognised lines"),
        "{text}"
    );
    let (report, _) = analyze(bundle.path(), &[]);
    // Nothing is placed in time: no window; the changes of state are read in the lines' order
    // (with no time), and the start line before them explains them.
    assert_eq!(report["split_brain"].as_array().unwrap().len(), 0);
    let expected = [
        ("UNKNOWN", "BACKUP", "startup-election"),
        ("BACKUP", "MASTER", "startup-election"),
    ]
    .map(|(from, to, cause)| (from.to_string(), to.to_string(), cause.to_string()));
    assert_eq!(changes_with_causes(&report), expected);
    let mut times = report["transitions"].as_array().unwrap().iter();
    assert!(times.all(|transition| transition["time"].is_null()));
    assert!(text.contains("(M3_1) Entering MASTER STATE"), "{text}");
    // Now: its last word, said as such; not a MASTER now (nothing places it in time), and not
    // an UNKNOWN that hides what its lines say.
    assert!(
        text.contains(
            "now: M3_1       no dated state; last lines (no date) say master-server-m3 MASTER\n"
        ),
        "{text}"
    );
    let now = &report["state_now"][0];
    assert_eq!(now["masters"].as_array().unwrap().len(), 0);
    assert_eq!(now["others"][0]["state"], "UNKNOWN");
    assert_eq!(now["undated_last"][0]["node"], "master-server-m3");
    assert_eq!(now["undated_last"][0]["state"], "MASTER");
}

#[test]
fn a_log_without_dates_says_the_state_its_lines_are_written_in() {
    // Two nodes' pastes without stamps, neither with a state line: one forces an election (only a
    // MASTER does), the other yields to a better advert (a MASTER that goes back to BACKUP). Their
    // last words are those states, not UNKNOWN.
    let bundle = BundleBuilder::new()
        .file(
            "lb-a",
            "var/log/messages",
            "Keepalived_vrrp[700]: (VI_1) Received advert from 10.0.0.2 with lower priority 100, ours 100, forcing new election\n",
        )
        .file(
            "lb-b",
            "var/log/messages",
            "Keepalived_vrrp[800]: (VI_1) Master received advert from 10.0.0.1 with higher priority 110, ours 100\n",
        );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "now: VI_1       no dated state; last lines (no date) say lb-a MASTER, lb-b BACKUP\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("VI_1       no dated state; lines without a stamp say MASTER → BACKUP"),
        "{text}"
    );
    assert!(
        text.contains("its one recognised line is placed\n    nowhere in time (no state interval or time window rests on it)"),
        "{text}"
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["masters"].as_array().unwrap().len(), 0);
    assert_eq!(
        fields(&now["undated_last"], ["node", "state"]),
        [["lb-a", "MASTER"], ["lb-b", "BACKUP"]]
    );
}

#[test]
fn undated_lines_explain_a_fault_only_by_lines_since_the_instance_last_changed() {
    // Stamps cut off (a keepalived 1.3 blog's paste, host kept): the script failure before the
    // FAULT explains it; a script failure before the instance's earlier change does not explain
    // a later FAULT, and the peer's undated lines explain nothing on this node.
    let bundle = BundleBuilder::new()
        .file(
            "centos-master",
            "var/log/messages",
            "    centos-master Keepalived_vrrp[1084]: VRRP_Script(chk_nginx) failed\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Instance(VIP1) Entering MASTER STATE\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Instance(VIP1) Entering FAULT STATE\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Script(chk_nginx) succeeded\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Instance(VIP1) Entering BACKUP STATE\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Script(chk_nginx) failed\n\
             \x20   centos-master Keepalived_vrrp[1084]: VRRP_Instance(VIP1) Entering FAULT STATE\n",
        )
        .file(
            "centos-minion1",
            "var/log/messages",
            "    centos-minion1 Keepalived_vrrp[835]: VRRP_Script(chk_nginx) failed\n\
             \x20   centos-minion1 Keepalived_vrrp[835]: VRRP_Instance(VIP1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let causes: Vec<(String, String, String)> = report["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|failover| {
            assert!(failover["time"].is_null(), "{failover}");
            (
                failover["node"].as_str().unwrap().to_string(),
                failover["to"].as_str().unwrap().to_string(),
                failover["cause"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("centos-master", "MASTER", "unknown"),
        ("centos-master", "FAULT", "unknown"),
        ("centos-master", "FAULT", "script-fault"),
        ("centos-minion1", "MASTER", "unknown"),
    ]
    .map(|(node, to, cause)| (node.to_string(), to.to_string(), cause.to_string()));
    assert_eq!(causes, expected);
    assert_eq!(report["verdict"]["start"], serde_json::Value::Null);
}

#[test]
fn a_node_preempted_then_back_as_master_is_not_said_to_take_over_because_it_was_preempted() {
    // keepalived 1.2 (issue 1290): web2 yields to a higher-priority advert, then takes over
    // again six seconds later; 1.x logs no reason for the second takeover.
    let bundle = BundleBuilder::new().file(
        "web2",
        "var/log/messages",
        "May 25 11:22:29 web2 Keepalived_vrrp[2432]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         May 25 11:22:29 web2 Keepalived_vrrp[2432]: VRRP_Instance(VI_1) Received higher prio advert\n\
         May 25 11:22:29 web2 Keepalived_vrrp[2432]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         May 25 11:22:34 web2 Keepalived_vrrp[2432]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         May 25 11:22:35 web2 Keepalived_vrrp[2432]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["status"], "failover");
    assert_eq!(verdict["cause"], "unknown", "{verdict}");
    // The first transition never reached Entering MASTER STATE: web2's first state is the
    // BACKUP it yielded to, reported as the takeover it began and abandoned.
    let first = &report["transitions"][0];
    assert_eq!(
        (&first["from"], &first["to"], &first["cause"]),
        (
            &serde_json::json!("UNKNOWN"),
            &serde_json::json!("BACKUP"),
            &serde_json::json!("preempted-by-higher-priority")
        ),
        "{first}"
    );
    let findings = report["findings"].as_array().unwrap();
    let abandoned: Vec<&str> = findings
        .iter()
        .filter(|finding| finding["rule"] == "abandoned-takeover")
        .filter_map(|finding| finding["start"].as_str())
        .collect();
    assert!(
        abandoned.len() == 1 && abandoned[0].ends_with("-05-25T11:22:29Z"),
        "{findings:?}"
    );
    assert!(
        !findings
            .iter()
            .any(|finding| finding["cause"] == "preempted-by-higher-priority"
                && finding["title"].as_str().unwrap().contains("11:22:35")),
        "{findings:?}"
    );
}

#[test]
fn a_second_stop_after_an_unlogged_restart_is_a_stop_of_the_state_its_lines_show() {
    // `systemctl status` tails pasted one after another (a keepalived 1.3.5 blog): a stop, then
    // hours later another stop by a new process whose start no tail shows; its `sent 0 priority`
    // says it was MASTER. The second stop is a failover of its own, not a repeat of the first.
    let bundle = BundleBuilder::new().file(
        "ds1",
        "var/log/messages",
        "Jul 03 01:14:20 ds1 Keepalived[3430]: Stopping\n\
         Jul 03 01:14:20 ds1 Keepalived_vrrp[3432]: VRRP_Instance(VI_1) sent 0 priority\n\
         Jul 03 01:14:21 ds1 Keepalived_vrrp[3432]: Stopped\n\
         Jul 03 14:03:09 ds1 Keepalived[3407]: Stopping\n\
         Jul 03 14:03:09 ds1 Keepalived_vrrp[3409]: VRRP_Instance(VI_1) sent 0 priority\n\
         Jul 03 14:03:10 ds1 Keepalived_vrrp[3409]: Stopped\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let failovers = report["failovers"].as_array().unwrap();
    let stops: Vec<(&str, &str, &str)> = failovers
        .iter()
        .map(|failover| {
            (
                failover["time"].as_str().unwrap(),
                failover["from"].as_str().unwrap(),
                failover["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(stops.len(), 2, "{failovers:?}");
    assert!(stops[1].0.contains("14:03:09"), "{stops:?}");
    assert_eq!((stops[1].1, stops[1].2), ("MASTER", "STOP"), "{stops:?}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("STOP 01:14:20 → MASTER by 14:03:09 → STOP 14:03:09"),
        "{text}"
    );
}

#[test]
fn a_line_written_in_a_state_long_after_a_stop_shows_a_restart_and_the_entry_moments_later_is_the_takeover()
 {
    // A grepped excerpt: a stop, then twenty minutes later the restarted 1.x process forces an
    // election as MASTER and enters MASTER a second later; its start lines were not kept. The
    // takeover is the entry line's, from a state the excerpt does not show. A later advert line
    // with nothing following only says the state held then: no takeover is made of it.
    let bundle = BundleBuilder::new().file(
        "data01",
        "var/log/messages",
        "Mar 22 16:10:35 data01 Keepalived[19255]: Stopping Keepalived v1.2.19 (03/22,2016)\n\
         Mar 22 16:32:07 data01 Keepalived_vrrp[41479]: VRRP_Instance(VRRP1) Received lower prio advert, forcing new election\n\
         Mar 22 16:32:08 data01 Keepalived_vrrp[41479]: VRRP_Instance(VRRP1) Entering MASTER STATE\n\
         Mar 22 17:00:00 data01 Keepalived[41477]: Stopping Keepalived v1.2.19 (03/22,2016)\n\
         Mar 22 18:00:00 data01 Keepalived_vrrp[51479]: VRRP_Instance(VRRP1) Received lower prio advert, forcing new election\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let failovers = report["failovers"].as_array().unwrap();
    let changes: Vec<String> = failovers
        .iter()
        .map(|failover| {
            format!(
                "{} {}→{}",
                &failover["time"].as_str().unwrap()[11..19],
                failover["from"].as_str().unwrap(),
                failover["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changes,
        ["16:32:08 UNKNOWN→MASTER", "17:00:00 MASTER→STOP"],
        "{failovers:?}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("STOP 17:00:00 → MASTER by 18:00:00"),
        "{text}"
    );
}

#[test]
fn a_reload_keeps_the_state_an_instance_held() {
    // keepalived restores each instance's state across a reload (vrrp.c restore_vrrp_state): a
    // Neutron L3-HA node's day of reloads leaves its router BACKUP, not of unknown state.
    let bundle = BundleBuilder::new().file(
        "compute4",
        "var/log/messages",
        "Mar  9 16:10:35 compute4 Keepalived_vrrp[2307]: (VR_24) Entering BACKUP STATE (init)\n\
         Mar  9 16:11:26 compute4 Keepalived[2305]: Reloading ...\n\
         Mar  9 16:11:26 compute4 Keepalived_vrrp[2307]: Reloading\n",
    );
    let text = analyze_text(bundle.path());
    assert!(text.contains("standby compute4"), "{text}");
    assert!(!text.contains("UNKNOWN 16:11:26"), "{text}");
}

#[test]
fn an_undated_line_written_only_as_master_gives_the_state_an_undated_yield_leaves() {
    // keepalived 2.0 with its stamps cut off (issue 1375): a tracked BFD session goes down, the
    // priority drops, and the MASTER yields to a better advert; no line says it was MASTER but
    // `Master received advert`, which only a MASTER writes.
    let bundle = BundleBuilder::new().file(
        "vrrp-node",
        "var/log/messages",
        "Keepalived_vrrp[14980]: (vrrp-ipsec1) Changing effective priority from 125 to 110\n\
         Keepalived_vrrp[14980]: (vrrp-ipsec1) Master received advert from 10.0.0.11 with higher priority 115, ours 110\n\
         Keepalived_vrrp[14980]: (vrrp-ipsec1) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let failovers = report["failovers"].as_array().unwrap();
    assert_eq!(failovers.len(), 1, "{failovers:?}");
    let yielded = &failovers[0];
    assert_eq!(yielded["from"], "MASTER");
    assert_eq!(yielded["from_inferred"], true);
    assert_eq!(yielded["to"], "BACKUP");
    assert_eq!(yielded["cause"], "preempted-by-higher-priority");
    assert!(yielded["time"].is_null());
}

#[test]
fn a_start_up_backup_then_a_1x_transition_to_master_is_backup_then_master() {
    // keepalived 1.3 in AWS (two `systemctl status` tails): BACKUP at start, a forced election
    // a second later, then Transition and Entering MASTER. The Transition line is the next
    // change, not evidence that the node was MASTER before its first state line.
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Jan 26 04:27:30 lb1 Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Jan 26 04:27:31 lb1 Keepalived_vrrp[6223]: VRRP_Instance(VI_1) forcing a new MASTER election\n\
         Jan 26 04:27:32 lb1 Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Jan 26 04:27:33 lb1 Keepalived_vrrp[6223]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let changes: Vec<(String, String)> = changes_with_causes(&report)
        .into_iter()
        .map(|(from, to, _)| (from, to))
        .collect();
    let expected = [("UNKNOWN", "BACKUP"), ("BACKUP", "MASTER")]
        .map(|(from, to)| (from.to_string(), to.to_string()));
    assert_eq!(changes, expected);
}

/// Each transition of a report as (from, to, cause), in the report's order.
fn changes_with_causes(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|transition| {
            let text = |key: &str| transition[key].as_str().unwrap().to_string();
            (text("from"), text("to"), text("cause"))
        })
        .collect()
}

#[test]
fn a_master_whose_logs_end_before_the_peer_received_its_priority_0_released_the_vip() {
    // Two `systemctl status` tails (a Netology homework): the first node's tail ends as MASTER
    // (its last two lines pasted out of order); eight minutes later the other receives a
    // priority-0 advert and takes over, then yields to a higher priority. The first node stopped
    // or went to FAULT, and came back, unlogged; it did not hang. Its logs are missing after its
    // latest line, and the yield is a preemption, not a healed partition.
    let bundle = BundleBuilder::new()
        .file(
            "netology3",
            "var/log/messages",
            "Jul 26 11:07:06 netology3 Keepalived_vrrp[22526]: (RH_1) Entering MASTER STATE\n\
             Jul 26 11:07:11 netology3 Keepalived_vrrp[22526]: (RH_1) Sending/queueing gratuitous ARPs on eth1 for 172.28.128.200\n\
             Jul 26 11:07:08 netology3 Keepalived_vrrp[22526]: (RH_1) Sending/queueing gratuitous ARPs on eth1 for 172.28.128.200\n",
        )
        .file(
            "netology4",
            "var/log/messages",
            "Jul 26 11:07:06 netology4 Keepalived_vrrp[16001]: (RH_1) Entering BACKUP STATE\n\
             Jul 26 11:15:32 netology4 Keepalived_vrrp[16157]: (RH_1) Backup received priority 0 advertisement\n\
             Jul 26 11:15:33 netology4 Keepalived_vrrp[16157]: (RH_1) Entering MASTER STATE\n\
             Jul 26 11:17:46 netology4 Keepalived_vrrp[16157]: (RH_1) Master received advert from 172.28.128.10 with higher priority 100, ours 50\n\
             Jul 26 11:17:46 netology4 Keepalived_vrrp[16157]: (RH_1) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let silent = &report["state_now"][0]["silent_masters"][0];
    assert_eq!(silent["node"], "netology3", "{report}");
    assert_eq!(silent["released_to"], "netology4");
    // The year comes from the file's date (the stamps have none).
    let released_at = silent["released_at"].as_str().unwrap();
    assert!(released_at.ends_with("-07-26T11:15:32Z"), "{released_at}");
    let text = analyze_text(bundle.path());
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("then released it: netology4 received its priority 0"),
        "{text}"
    );
    assert!(!text.contains("silent since"), "{text}");
    let last_seen = silent["last_seen"].as_str().unwrap();
    assert!(last_seen.ends_with("11:07:11Z"), "{last_seen}");
    let blind = fields(
        &report["coverage"]["blind_intervals"],
        ["node", "start", "reason"],
    );
    assert!(
        blind.contains(&["netology3", last_seen, "no-logs"]),
        "{blind:?}"
    );
    let changes = fields(&report["transitions"], ["node", "to", "cause"]);
    assert!(
        changes.contains(&["netology4", "BACKUP", "preempted-by-higher-priority"]),
        "{changes:?}"
    );
}

#[test]
fn a_restart_shown_only_by_a_new_process_starting_ends_no_window_of_two_masters() {
    // Grepped state lines: the old master's process last wrote at 15:32:18; a new process
    // re-initialises the instance at 16:19:26 with no stop logged (a crash, kill or reboot). The
    // peer took over by timeout at 16:12:08. When the old master died is not known: no
    // split-brain is proven, the peer's takeover is the peer going down, and the `(init)` line is
    // a start, not a yield from MASTER.
    let bundle = BundleBuilder::new()
        .file(
            "lb0",
            "var/log/messages",
            "Jun  3 15:32:18 lb0 Keepalived_vrrp[1075]: (VI_1) Entering MASTER STATE\n\
             Jun  3 16:19:26 lb0 Keepalived_vrrp[1179]: Registering gratuitous ARP shared channel\n\
             Jun  3 16:19:26 lb0 Keepalived_vrrp[1179]: (VI_1) removing VIPs.\n\
             Jun  3 16:19:26 lb0 Keepalived_vrrp[1179]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun  3 16:19:26 lb0 Keepalived[1029]: Startup complete\n",
        )
        .file(
            "lb1",
            "var/log/messages",
            "Jun  3 15:32:24 lb1 Keepalived_vrrp[3012]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun  3 16:12:08 lb1 Keepalived_vrrp[3012]: (VI_1) Receive advertisement timeout\n\
             Jun  3 16:12:08 lb1 Keepalived_vrrp[3012]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["split_brain"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    let changes: Vec<(String, String, String, String)> = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|transition| {
            let text = |key: &str| transition[key].as_str().unwrap_or_default().to_string();
            (text("node"), text("from"), text("to"), text("cause"))
        })
        .collect();
    assert!(
        changes.contains(&(
            "lb1".into(),
            "BACKUP".into(),
            "MASTER".into(),
            "peer-down".into()
        )),
        "{changes:?}"
    );
    assert!(
        changes.contains(&(
            "lb0".into(),
            "UNKNOWN".into(),
            "BACKUP".into(),
            "startup-election".into()
        )),
        "{changes:?}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "MASTER 15:32:18 → restarted 16:19:26 (no stop logged; the old process's last line \
             15:32:18) → BACKUP 16:19:26"
        ),
        "{text}"
    );
}

#[test]
fn an_init_line_without_process_ids_is_a_restart_unless_a_reload_came_first() {
    // keepalived's console (no process ids): MASTER, then the VRRP child's start-up lines and
    // `(init)` with no stop logged (a respawned child): the MASTER ended unseen, and the BACKUP
    // entry is a start, not a yield from MASTER.
    let respawn = BundleBuilder::new().file(
        "node",
        "var/log/messages",
        "Tue Sep  7 12:59:52 2021: (primary_instance) Sending/queueing gratuitous ARPs on eth0 for 192.168.2.254\n\
         Tue Sep  7 13:00:53 2021: Track script chk_docker is being timed out, expect idle - skipping run\n\
         Tue Sep  7 13:00:57 2021: Registering Kernel netlink reflector\n\
         Tue Sep  7 13:00:57 2021: (primary_instance) removing VIPs.\n\
         Tue Sep  7 13:00:57 2021: (primary_instance) Entering BACKUP STATE (init)\n",
    );
    let text = analyze_text(respawn.path());
    assert!(
        text.contains("restarted 13:00:57 (no stop logged; the old process's last line 13:00:53) → BACKUP 13:00:57"),
        "{text}"
    );
    let (report, _) = analyze(respawn.path(), &[]);
    let entry = &report["transitions"][0];
    assert_eq!(
        (&entry["from"], &entry["to"], &entry["cause"]),
        (
            &"UNKNOWN".into(),
            &"BACKUP".into(),
            &"startup-election".into()
        ),
        "{report:#}"
    );
    // The same lines after a reload: the reload re-initialised the instance, no restart.
    let reload = BundleBuilder::new().file(
        "node",
        "var/log/messages",
        "Tue Sep  7 12:59:52 2021: (primary_instance) Sending/queueing gratuitous ARPs on eth0 for 192.168.2.254\n\
         Tue Sep  7 13:00:56 2021: Reloading\n\
         Tue Sep  7 13:00:57 2021: Registering Kernel netlink reflector\n\
         Tue Sep  7 13:00:57 2021: (primary_instance) Entering BACKUP STATE (init)\n",
    );
    let text = analyze_text(reload.path());
    assert!(!text.contains("no stop logged"), "{text}");
}

#[test]
fn a_stop_concerns_the_instances_running_then_not_one_first_named_a_day_later() {
    let bundle = BundleBuilder::new().file(
        "data01",
        "var/log/messages",
        "Mar 22 15:25:29 data01 Keepalived_vrrp[19257]: VRRP_Instance(VRRP1) Entering MASTER STATE\n\
         Mar 22 16:10:35 data01 Keepalived[19255]: Stopping Keepalived v1.2.19 (03/22,2016)\n\
         Mar 23 15:39:39 data01 Keepalived_vrrp[55233]: VRRP_Instance(VI_MYSQL) Entering FAULT STATE\n",
    );
    let text = analyze_text(bundle.path());
    let line = text
        .lines()
        .find(|line| line.contains("VI_MYSQL") && line.contains("FAULT 2026-03-23"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!line.contains("STOP"), "{line}");
}

#[test]
fn a_master_again_after_a_fault_within_the_first_minute_is_no_start_up_election() {
    // keepalived's own log file, grepped: start, MASTER, FAULT, back to MASTER, all within
    // 21 s of the `(init)` line. Only the first MASTER is the start-up election.
    let bundle = BundleBuilder::new().file(
        "hq",
        "var/log/messages",
        "Mon Sep 28 18:10:55 2026: (office) Entering BACKUP STATE (init)\n\
         Mon Sep 28 18:10:59 2026: (office) Entering MASTER STATE\n\
         Mon Sep 28 18:11:06 2026: (office) Entering FAULT STATE\n\
         Mon Sep 28 18:11:12 2026: (office) Entering BACKUP STATE\n\
         Mon Sep 28 18:11:16 2026: (office) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let causes: Vec<(String, String)> = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|transition| transition["to"] == "MASTER")
        .map(|transition| {
            (
                transition["time"].as_str().unwrap()[11..19].to_string(),
                transition["cause"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        causes[0],
        ("18:10:59".to_string(), "startup-election".to_string())
    );
    assert_eq!(causes[1].0, "18:11:16");
    assert_ne!(causes[1].1, "startup-election", "{causes:?}");
}

#[test]
fn a_master_whose_excerpt_ends_before_the_peer_is_shown_master_is_not_a_split_brain() {
    // master1's paste ends at 04:59:08 as MASTER (its check failed, its priority fell); master2's
    // begins later and shows it MASTER from 04:59:19 by its gratuitous ARPs. Nothing shows
    // master1 still MASTER then: no window of two masters, and now master1 is a silent master.
    let bundle = BundleBuilder::new()
        .file(
            "master1",
            "var/log/messages",
            "Apr 15 03:47:24 master1 Keepalived_vrrp[9166]: VRRP_Instance(kubernetes) Sending/queueing gratuitous ARPs on ens37 for 192.168.10.10\n\
             Apr 15 04:59:06 master1 Keepalived_vrrp[9166]: VRRP_Script(haproxy-check) failed\n\
             Apr 15 04:59:08 master1 Keepalived_vrrp[9166]: VRRP_Instance(kubernetes) Changing effective priority from 110 to 100\n",
        )
        .file(
            "master2",
            "var/log/messages",
            "Apr 15 03:47:20 master2 Keepalived_healthcheckers[89719]: Netlink reflector reports IP 192.168.10.12 added\n\
             Apr 15 04:59:19 master2 Keepalived_vrrp[89720]: VRRP_Instance(kubernetes) Sending/queueing gratuitous ARPs on ens37 for 192.168.10.10\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["split_brain"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    let now = &report["state_now"][0];
    assert_eq!(now["masters"], serde_json::json!(["master2"]), "{now:#}");
    assert_eq!(now["silent_masters"][0]["node"], "master1", "{now:#}");
    // Not healthy: the hand-over is not in the logs.
    assert_eq!(
        report["verdict"]["status"], "degraded",
        "{:#}",
        report["verdict"]
    );
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(
        headline.contains("master1 last said MASTER of kubernetes")
            && headline.contains("master2 is MASTER after it"),
        "{headline}"
    );
}

/// Two nodes whose lines name one router `VI_100` and `VI_101`.
fn renamed_router_bundle(second_vip: &str, second_also_names_first: bool) -> BundleBuilder {
    let extra = if second_also_names_first {
        "Aug  3 10:53:29 node2 Keepalived_vrrp[8112]: VRRP_Instance(VI_100) Entering BACKUP STATE\n"
    } else {
        ""
    };
    BundleBuilder::new()
        .file(
            "node1",
            "var/log/messages",
            "Aug  3 10:52:17 node1 Keepalived_vrrp[6760]: VRRP_Instance(VI_100) Entering BACKUP STATE\n\
             Aug  3 10:52:38 node1 Keepalived_vrrp[6760]: VRRP_Instance(VI_100) Entering MASTER STATE\n\
             Aug  3 10:52:38 node1 Keepalived_vrrp[6760]: VRRP_Instance(VI_100) Sending gratuitous ARPs on eth0 for 192.168.56.111\n\
             Aug  3 11:04:17 node1 Keepalived_vrrp[6760]: VRRP_Script(vs_mysql_100) failed\n\
             Aug  3 11:04:18 node1 Keepalived_vrrp[6760]: VRRP_Instance(VI_100) Entering FAULT STATE\n",
        )
        .file(
            "node2",
            "var/log/messages",
            format!(
                "Aug  3 10:53:28 node2 Keepalived_vrrp[8112]: VRRP_Instance(VI_101) Entering BACKUP STATE\n\
                 {extra}\
                 Aug  3 11:04:34 node2 Keepalived_vrrp[8112]: VRRP_Instance(VI_101) Entering MASTER STATE\n\
                 Aug  3 11:04:34 node2 Keepalived_vrrp[8112]: VRRP_Instance(VI_101) Sending gratuitous ARPs on eth0 for {second_vip}\n"
            ),
        )
}

#[test]
fn instances_named_differently_on_each_node_are_one_router_when_they_claim_one_vip() {
    let bundle = renamed_router_bundle("192.168.56.111", false);
    let (report, _) = analyze(bundle.path(), &[]);
    let takeover = change_to(&report, "transitions", "node2", "MASTER").unwrap();
    assert_eq!(takeover["instance"], "VI_100/VI_101", "{takeover}");
    assert_eq!(takeover["cause"], "script-fault", "{takeover}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("node1's VI_100 and node2's VI_101 are read as one virtual router"),
        "{text}"
    );
}

#[test]
fn instances_named_differently_stay_apart_without_a_common_vip_or_when_a_name_is_shared() {
    for bundle in [
        renamed_router_bundle("192.168.56.112", false),
        renamed_router_bundle("192.168.56.111", true),
    ] {
        let (report, _) = analyze(bundle.path(), &[]);
        let instances: std::collections::BTreeSet<&str> = report["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|transition| transition["instance"].as_str())
            .collect();
        assert!(instances.contains("VI_101"), "{instances:?}");
        assert!(
            !instances.iter().any(|name| name.contains('/')),
            "{instances:?}"
        );
    }
}

#[test]
fn a_1x_transition_begun_at_start_and_abandoned_is_no_mastership() {
    // keepalived 1.2 started with state MASTER configured: it begins a transition at once, hears
    // the real MASTER's better advert and goes to BACKUP before it sets the VIP.
    let transitions_of = |lines: &str| {
        let bundle = BundleBuilder::new().file("backup", "var/log/messages", lines);
        analyze(bundle.path(), &[]).0
    };
    let report = transitions_of(
        "Feb  7 04:40:45 localhost Keepalived[3771]: Starting Keepalived v1.2.13 (03/19,2015)\n\
         Feb  7 04:40:45 localhost Keepalived[3772]: Starting VRRP child process, pid=3775\n\
         Feb  7 04:40:46 localhost Keepalived_vrrp[3775]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Feb  7 04:40:46 localhost Keepalived_vrrp[3775]: VRRP_Instance(VI_1) Received higher prio advert\n\
         Feb  7 04:40:46 localhost Keepalived_vrrp[3775]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
    );
    let transitions = report["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 1, "{transitions:?}");
    assert_eq!(transitions[0]["to"], "BACKUP", "{transitions:?}");
    assert_eq!(transitions[0]["cause"], "preempted-by-higher-priority");
    assert_ne!(
        report["verdict"]["status"], "failover",
        "{}",
        report["verdict"]
    );
    // One it completes: the lower-priority advert it hears in the transition (`forcing new
    // election`) is written before its `Entering MASTER STATE`, which begins the MASTER
    // (arganzheng2016: a second early).
    let report = transitions_of(
        "Mar 22 16:32:06 data01 Keepalived[8001]: Starting Keepalived v1.2.19 (03/13,2016)\n\
         Mar 22 16:32:07 data01 Keepalived_vrrp[8003]: VRRP_Instance(VRRP1) Transition to MASTER STATE\n\
         Mar 22 16:32:07 data01 Keepalived_vrrp[8003]: VRRP_Instance(VRRP1) Received lower prio advert, forcing new election\n\
         Mar 22 16:32:08 data01 Keepalived_vrrp[8003]: VRRP_Instance(VRRP1) Entering MASTER STATE\n",
    );
    let to_master: Vec<&str> = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|transition| transition["to"] == "MASTER")
        .map(|transition| transition["time"].as_str().unwrap())
        .collect();
    assert_eq!(to_master.len(), 1, "{report:#}");
    assert!(to_master[0].ends_with("T16:32:08Z"), "{report:#}");
}

#[test]
fn a_backup_whose_logs_end_before_the_master_left_is_not_counted_as_standby() {
    let bundle = BundleBuilder::new()
        .file(
            "hostA",
            "var/log/messages",
            "Sep 17 17:20:00 hostA Keepalived_vrrp[45707]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
             Sep 19 14:28:09 hostA Keepalived[45705]: Stopping Keepalived v1.3.5 (03/19,2017)\n\
             Sep 19 14:28:10 hostA Keepalived_vrrp[45707]: VRRP_Instance(VI_1) sent 0 priority\n",
        )
        .file(
            "hostB",
            "var/log/messages",
            "Sep 17 17:20:26 hostB Keepalived_vrrp[34570]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["backups"].as_array().unwrap().len(), 0, "{now}");
    assert_eq!(now["stale_backups"][0]["node"], "hostB", "{now}");
    // A backup whose logs end as the master yields to it is still the standby.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "May 15 13:40:00 lb1 Keepalived_vrrp[10]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
             May 15 13:49:52 lb1 Keepalived_vrrp[10]: VRRP_Instance(VI_1) Received higher prio advert\n\
             May 15 13:49:52 lb1 Keepalived_vrrp[10]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "May 15 13:40:00 lb2 Keepalived_vrrp[20]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
             May 15 13:49:54 lb2 Keepalived_vrrp[20]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["backups"][0], "lb1", "{now}");
    assert_eq!(now["stale_backups"].as_array().unwrap().len(), 0, "{now}");
}

#[test]
fn leaving_fault_as_the_interface_comes_back_is_the_interface_faults_end() {
    let bundle = BundleBuilder::new().file(
        "hq",
        "var/log/messages",
        "Sep 28 18:00:00 hq Keepalived_vrrp[10]: (office) Entering MASTER STATE\n\
         Sep 28 18:11:16 hq Keepalived_vrrp[10]: Netlink reports eth1 down\n\
         Sep 28 18:11:16 hq Keepalived_vrrp[10]: (office) Entering FAULT STATE\n\
         Sep 28 18:11:22 hq Keepalived_vrrp[10]: Netlink reports eth1 up\n\
         Sep 28 18:11:22 hq Keepalived_vrrp[10]: (office) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let back = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|transition| transition["from"] == "FAULT")
        .unwrap();
    assert_eq!(back["to"], "BACKUP", "{back}");
    assert_eq!(back["cause"], "interface-fault", "{back}");
}

#[test]
fn a_headline_cause_named_by_another_rule_says_which() {
    let bundle = BundleBuilder::new().file(
        "db02",
        "var/log/messages",
        "Jun 21 16:50:00 db02 Keepalived_vrrp[207609]: (VI_1) Entering BACKUP STATE\n\
         Jun 21 17:02:51 db02 Keepalived_vrrp[207609]: (VI_1) received an invalid passwd!\n\
         Jun 21 17:02:52 db02 Keepalived_vrrp[207609]: (VI_1) received an invalid passwd!\n\
         Jun 21 17:02:53 db02 Keepalived_vrrp[207609]: (VI_1) received an invalid passwd!\n\
         Jun 21 17:02:54 db02 Keepalived_vrrp[207609]: (VI_1) Receive advertisement timeout\n\
         Jun 21 17:02:54 db02 Keepalived_vrrp[207609]: (VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let verdict = &report["verdict"];
    // The id stays the contract's; the words say which rule named it.
    assert_eq!(verdict["cause"], "network-partition", "{verdict}");
    assert!(
        verdict["headline"]
            .as_str()
            .unwrap()
            .contains("cause network-partition (takeover-on-rejected-adverts)"),
        "{verdict}"
    );
}

#[test]
fn a_priority_zero_advert_received_minutes_after_it_was_sent_says_the_clocks_disagree() {
    let pair = |receipt: &str| {
        BundleBuilder::new()
            .file(
                "kp04",
                "var/log/messages",
                "Nov  1 16:30:00 kp04 Keepalived_vrrp[10]: (VI_1) Entering MASTER STATE\n\
                 Nov  1 16:32:22 kp04 Keepalived_vrrp[10]: (VI_1) Entering FAULT STATE\n\
                 Nov  1 16:32:22 kp04 Keepalived_vrrp[10]: (VI_1) sent 0 priority\n",
            )
            .file(
                "kp05",
                "var/log/messages",
                format!(
                    "Nov  1 16:30:00 kp05 Keepalived_vrrp[20]: (VI_1) Entering BACKUP STATE\n\
                     Nov  1 {receipt} kp05 Keepalived_vrrp[20]: (VI_1) Backup received priority 0 advertisement\n"
                ),
            )
    };
    let clock_warnings = |bundle: BundleBuilder| {
        let (report, _) = analyze(bundle.path(), &[]);
        report["coverage"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|warning| {
                warning["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("clocks of kp04 and kp05 disagree"))
            })
            .count()
    };
    assert_eq!(clock_warnings(pair("16:36:18")), 1);
    assert_eq!(clock_warnings(pair("16:32:23")), 0);
}

/// The changes of state of `node` in the analysis of a bundle: (time, from, to).
fn transitions_of(bundle: &std::path::Path, node: &str) -> Vec<(String, String, String)> {
    let (report, _) = analyze(bundle, &[]);
    report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|transition| transition["node"] == node)
        .map(|transition| {
            let text = |field: &str| transition[field].as_str().unwrap_or("").to_string();
            (text("time"), text("from"), text("to"))
        })
        .collect()
}

#[test]
fn a_1x_transition_whose_entering_line_was_cut_is_completed_by_the_vips_it_announces() {
    // `systemctl status` tails cut with "...": lb02 is BACKUP, then a 1.x `Transition to MASTER
    // STATE` and the instance's gratuitous ARPs; the `Entering MASTER STATE` line is not pasted.
    let lines = |after: &str| {
        format!(
            "Aug 20 16:43:06 lb02 Keepalived_vrrp[5049]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
             Aug 20 16:55:14 lb02 Keepalived_vrrp[5049]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
             {after}"
        )
    };
    let completed = BundleBuilder::new().file(
        "lb02",
        "var/log/messages",
        lines(
            "Aug 20 16:55:15 lb02 Keepalived_vrrp[5049]: VRRP_Instance(VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.3\n",
        ),
    );
    let changes = transitions_of(completed.path(), "lb02");
    assert_eq!(
        changes.len(),
        2,
        "the first state seen, then the takeover: {changes:?}"
    );
    assert!(changes[1].0.contains("16:55:14"), "{changes:?}");
    assert_eq!(
        (changes[1].1.as_str(), changes[1].2.as_str()),
        ("BACKUP", "MASTER")
    );
    // Abandoned on a better advert (a state line says what followed), or nothing after it:
    // whether it completed is not known, so no change.
    for after in [
        "Aug 20 16:55:15 lb02 Keepalived_vrrp[5049]: VRRP_Instance(VI_1) Received higher prio advert\n\
         Aug 20 16:55:15 lb02 Keepalived_vrrp[5049]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
        "",
    ] {
        let bundle = BundleBuilder::new().file("lb02", "var/log/messages", lines(after));
        let changes = transitions_of(bundle.path(), "lb02");
        assert!(
            changes.iter().all(|change| change.2 != "MASTER"),
            "{after}: {changes:?}"
        );
    }
}

#[test]
fn an_instance_announcing_its_vips_long_after_a_backup_line_became_master_since() {
    // 2.x status tails: a BACKUP line, the state line of the takeover cut, the gratuitous ARPs
    // of the instance later. A few seconds after a BACKUP line that may follow a MASTER (no
    // `(init)`) they may be a yielded MASTER's last announcement: no change then. After a
    // start-up `(init)` BACKUP no VIPs were set, so even a few seconds later they are a MASTER's.
    let announce = |backup: &str, second: &str| {
        BundleBuilder::new().file(
            "master1",
            "var/log/messages",
            format!(
                "Sep 27 17:13:46 master1 Keepalived_vrrp[25389]: (kubernetes) Entering BACKUP STATE{backup}\n\
                 Sep 27 17:13:{second} master1 Keepalived_vrrp[25389]: (kubernetes) Sending/queueing gratuitous ARPs on ens160 for 192.168.10.10\n"
            ),
        )
    };
    let last_change = |changes: &[(String, String, String)]| {
        changes
            .last()
            .map(|change| (change.1.clone(), change.2.clone()))
    };
    for backup in ["", " (init)"] {
        let changes = transitions_of(announce(backup, "58").path(), "master1");
        assert_eq!(
            last_change(&changes),
            Some(("BACKUP".to_string(), "MASTER".to_string())),
            "{backup}: {changes:?}"
        );
    }
    let changes = transitions_of(announce("", "49").path(), "master1");
    assert!(
        changes.iter().all(|change| change.2 != "MASTER"),
        "{changes:?}"
    );
    let changes = transitions_of(announce(" (init)", "49").path(), "master1");
    assert_eq!(
        last_change(&changes),
        Some(("BACKUP".to_string(), "MASTER".to_string())),
        "{changes:?}"
    );
}

#[test]
fn a_gratuitous_arp_naming_no_instance_is_the_instance_that_announces_its_address() {
    // 1.x per-address lines: the only instance of a node that names none in its announcements
    // announces them; a node whose instance claims other addresses announces this one for an
    // instance its logs do not name.
    let lone = BundleBuilder::new().file(
        "lb02",
        "var/log/messages",
        "May 10 22:24:21 lb02 Keepalived_vrrp[20206]: VRRP_Instance(vip_3) Entering BACKUP STATE\n\
         May 10 22:33:32 lb02 Keepalived_vrrp[20206]: Sending gratuitous ARP on ens33 for 10.0.0.3\n",
    );
    let changes = transitions_of(lone.path(), "lb02");
    assert_eq!(
        changes
            .last()
            .map(|change| (change.1.as_str(), change.2.as_str())),
        Some(("BACKUP", "MASTER")),
        "{changes:?}"
    );
    let claiming = BundleBuilder::new().file(
        "node2",
        "var/log/messages",
        "Nov 28 00:12:23 node2 Keepalived_vrrp[26758]: Sending gratuitous ARP on ens192 for 192.168.1.41\n\
         Nov 28 00:12:23 node2 Keepalived_vrrp[26758]: (s4) Receive advertisement timeout\n\
         Nov 28 00:12:23 node2 Keepalived_vrrp[26758]: (s4) Entering MASTER STATE\n\
         Nov 28 00:12:23 node2 Keepalived_vrrp[26758]: (s4) Sending/queueing gratuitous ARPs on ens192 for 192.168.1.81\n",
    );
    let changes = transitions_of(claiming.path(), "node2");
    assert_eq!(
        changes
            .iter()
            .map(|change| (change.1.as_str(), change.2.as_str()))
            .collect::<Vec<_>>(),
        [("BACKUP", "MASTER")],
        "the takeover is the state line's, not an address of another instance: {changes:?}"
    );
}

#[test]
fn a_burst_of_one_line_is_cited_once_and_leaves_room_for_lines_that_say_more() {
    // A 1.x MASTER's announcements (five identical per-address lines in one second) before the
    // forced election that proves the dual master: the evidence cites the election.
    let mut mdb1 = String::new();
    for _ in 0..5 {
        mdb1.push_str("Dec 16 09:16:54 mdb1 Keepalived_vrrp[1175]: Sending gratuitous ARP on eth0 for 10.0.0.9\n");
    }
    mdb1.push_str(
        "Dec 16 09:16:54 mdb1 Keepalived_vrrp[1175]: (VI_1) Received advert from 10.0.0.3 with lower priority 49, ours 150, forcing new election\n",
    );
    let bundle = BundleBuilder::new()
        .file("mdb1", "var/log/messages", &mdb1)
        .file(
            "mdb3",
            "var/log/messages",
            "Dec 16 09:16:47 mdb3 Keepalived_vrrp[880]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let findings = report["findings"].as_array().unwrap();
    let split = findings
        .iter()
        .find(|finding| finding["severity"] == "critical")
        .expect("a split-brain finding");
    let cited = texts(&split["evidence"], "message");
    assert!(
        cited
            .iter()
            .any(|message| message.contains("forcing new election")),
        "{cited:#?}"
    );
    assert!(
        cited
            .iter()
            .filter(|message| message.starts_with("Sending gratuitous ARP"))
            .count()
            <= 1,
        "{cited:#?}"
    );
}

#[test]
fn a_configuration_complaint_is_a_finding_but_the_change_of_state_heads_the_verdict() {
    // keepalived complains of a line of its configuration and, in the same second, an instance
    // enters FAULT: both are warnings; the headline names the FAULT, the complaint is listed.
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Oct 27 14:21:41 lb1 Keepalived_vrrp[8089]: (/etc/keepalived/keepalived.conf: Line 6) Unterminated quote 'script \"killall -0 haproxy\"\"'\n\
         Oct 27 14:21:41 lb1 Keepalived_vrrp[8089]: (VI_1) entering FAULT state (no IPv4 address for interface)\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(headline.starts_with("degraded: "), "{headline}");
    assert!(!headline.contains("configuration"), "{headline}");
    let rules = fields(&report["findings"], ["rule"]);
    assert!(rules.contains(&["keepalived-config-rejected"]), "{rules:?}");
}

#[test]
fn two_excerpts_of_one_node_leave_the_hour_between_them_unseen() {
    // One node's console log pasted in two parts an hour apart. In the first, ag-1 takes over by
    // timeout and yields at once to a MASTER of the same priority (a dual master for a moment);
    // the second begins with ag-1's gratuitous ARPs: it became MASTER again in the hour the
    // input does not have.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("ka.part1.console"),
        "Fri Sep 17 18:59:21 2021: (ag-1) Receive advertisement timeout\n\
         Fri Sep 17 18:59:21 2021: (ag-1) Entering MASTER STATE\n\
         Fri Sep 17 18:59:21 2021: (ag-1) Sending/queueing gratuitous ARPs on ens192 for 10.22.4.104\n\
         Fri Sep 17 18:59:22 2021: (ag-1) Master received advert from 10.22.5.40 with same priority 100 but higher IP address than ours\n\
         Fri Sep 17 18:59:22 2021: (ag-1) Entering BACKUP STATE\n\
         Fri Sep 17 19:00:10 2021: Interface veth7d807c11 added\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("ka.part2.console"),
        "Fri Sep 17 19:56:59 2021: Sending gratuitous ARP on ens192 for 10.22.4.104\n\
         Fri Sep 17 19:56:59 2021: Sending gratuitous ARP on ens192 for 10.22.4.104\n\
         Fri Sep 17 19:57:30 2021: Interface veth9817c5ae deleted\n",
    )
    .unwrap();
    let (report, _) = analyze(folder.path(), &[]);
    // The hour between the excerpts is missing, not quiet.
    let blind = fields(
        &report["coverage"]["blind_intervals"],
        ["start", "end", "reason"],
    );
    assert!(
        blind.contains(&["2021-09-17T19:00:10Z", "2021-09-17T19:56:59Z", "no-logs"]),
        "{blind:?}"
    );
    // The second takeover happened in that hour: no advert timeout is claimed for it, and the
    // dual master of 18:59:22 is its own incident, not this one's.
    let transitions = report["transitions"].as_array().unwrap();
    let second = transitions
        .iter()
        .find(|transition| transition["time"] == "2021-09-17T19:56:59Z")
        .expect("the takeover the ARPs prove");
    assert_eq!(second["cause"], "unknown", "{second}");
    let window_finding = report["split_brain"][0]["finding"].as_str().unwrap();
    assert_ne!(second["finding"].as_str(), Some(window_finding));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == second["finding"])
        .unwrap();
    assert!(
        finding["explanation"]
            .as_str()
            .unwrap()
            .contains("own logs are missing from 2021-09-17T19:00:10Z to 2021-09-17T19:56:59Z, just before this change"),
        "{finding}"
    );
    // The node's one warning about its zone, not one per excerpt.
    let zone_warnings = report["coverage"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|warning| {
            warning["message"]
                .as_str()
                .unwrap()
                .starts_with("no time zone known")
        })
        .count();
    assert_eq!(zone_warnings, 1);
}

#[test]
fn a_file_of_lines_esc_diag_does_not_read_is_the_node_its_lines_name() {
    // A ticket's two files: lb2's keepalived lines, and lb1's kernel lines only (nothing of
    // keepalived). The second is lb1's, not lb2's.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("lb2.messages"),
        "Oct  2 10:50:26 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Oct  2 10:58:42 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Oct  2 10:58:43 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("lb1.messages"),
        "Oct  2 10:28:16 lb1 kernel: [141521.487780] TX Too many directors in too short a time delaying\n\
         Oct  2 10:28:17 lb1 kernel: [141522.486814] TX Too many directors in too short a time delaying\n",
    )
    .unwrap();
    let (report, _) = analyze(folder.path(), &[]);
    let files = fields(&report["coverage"]["files"], ["node", "file"]);
    assert!(files.contains(&["lb1", "lb1.messages"]), "{files:?}");
    assert!(files.contains(&["lb2", "lb2.messages"]), "{files:?}");
}

#[test]
fn one_node_proving_dual_masters_of_two_instances_in_one_second_gives_two_windows() {
    // A MASTER of two instances yields in the same second to another MASTER of each (equal
    // priority, higher address): two dual masters, one window per instance.
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Sep 17 18:00:00 lb1 Keepalived_vrrp[7]: (VI_1) Entering MASTER STATE\n\
         Sep 17 18:00:00 lb1 Keepalived_vrrp[7]: (VI_2) Entering MASTER STATE\n\
         Sep 17 18:59:22 lb1 Keepalived_vrrp[7]: (VI_1) Master received advert from 10.22.5.40 with same priority 100 but higher IP address than ours\n\
         Sep 17 18:59:22 lb1 Keepalived_vrrp[7]: (VI_1) Entering BACKUP STATE\n\
         Sep 17 18:59:22 lb1 Keepalived_vrrp[7]: (VI_2) Master received advert from 10.22.5.40 with same priority 100 but higher IP address than ours\n\
         Sep 17 18:59:22 lb1 Keepalived_vrrp[7]: (VI_2) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        fields(&report["split_brain"], ["instance"]),
        [["VI_1"], ["VI_2"]],
        "{}",
        report["split_brain"]
    );
}

#[test]
fn a_line_whose_stamp_lost_its_date_is_dated_by_the_line_before_it() {
    // The reason of a yield survives a paste that cut its stamp: to a letter two months end in
    // (`n`: Jan or Jun), or to its time of day. Each takes the date of the line before it, and
    // the yield its cause.
    for (cut, month) in [
        ("n 3 18:08:09", "Jun  3"),
        ("18:08:09", "Jun  3"),
        ("b 3 18:08:09", "Feb  3"),
    ] {
        let bundle = BundleBuilder::new().file(
            "lb1",
            "var/log/messages",
            format!(
                "{month} 18:05:06 lb1 Keepalived_vrrp[9]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
                 {month} 18:05:07 lb1 Keepalived_vrrp[9]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
                 {cut} lb1 Keepalived_vrrp[9]: VRRP_Instance(VI_1) Received higher prio advert\n\
                 {month} 18:08:09 lb1 Keepalived_vrrp[9]: VRRP_Instance(VI_1) Entering BACKUP STATE\n"
            ),
        );
        let (report, _) = analyze(bundle.path(), &[]);
        let yields: Vec<[&str; 2]> = fields(&report["transitions"], ["to", "cause"])
            .into_iter()
            .filter(|[to, _]| *to == "BACKUP")
            .collect();
        assert_eq!(
            yields,
            [["BACKUP", "preempted-by-higher-priority"]],
            "{cut}"
        );
        let advert = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|finding| finding["evidence"].as_array().unwrap())
            .find(|line| line["line"] == 3)
            .unwrap_or_else(|| panic!("{cut}: {report:#}"));
        assert!(
            advert["time"].as_str().unwrap().contains("18:08:09"),
            "{cut}: {advert}"
        );
    }
}

#[test]
fn lines_without_a_host_of_another_keepalived_process_are_another_node() {
    // Two pastes: one host's syslog (keepalived pid 1148) and lines without a host of keepalived
    // pid 1253, with no start between them. Not one process: the second file is its own node,
    // named by its file. Lines without a host of the same process join the host.
    for (pid, node) in [("1253", "backup"), ("1148", "localhost.localdomain")] {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("master.messages"),
            "Oct 26 11:05:06 localhost.localdomain Keepalived_vrrp[1148]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("backup.log"),
            format!(
                "Keepalived_vrrp[{pid}]: VRRP_Instance(VI_2) Received advert with higher priority 100, ours 90\n\
                 Keepalived_vrrp[{pid}]: VRRP_Instance(VI_2) Entering BACKUP STATE\n"
            ),
        )
        .unwrap();
        let (report, _) = analyze(folder.path(), &[]);
        let files = fields(&report["coverage"]["files"], ["node", "file"]);
        assert!(files.contains(&[node, "backup.log"]), "{pid}: {files:?}");
    }
}

#[test]
fn two_hosts_pasted_one_after_the_other_are_two_nodes_unless_one_process_was_renamed() {
    // Two hosts' lines pasted one after the other: another keepalived process with no start
    // between, or a host whose lines esc-diag reads none of but which carries a fifth of the
    // file's lines, is a node of its own. One keepalived process under two names is a renamed
    // node.
    let cases = [
        (
            "Oct 22 14:38:58 balancer1 Keepalived_vrrp[679]: (VI_1) Entering BACKUP STATE\n\
             Oct 22 14:39:02 balancer1 Keepalived_vrrp[679]: (VI_1) Entering MASTER STATE\n\
             Oct 22 14:46:28 balancer2 Keepalived_vrrp[676]: (VI_1) Backup received priority 0 advertisement\n\
             Oct 22 14:46:29 balancer2 Keepalived_vrrp[676]: (VI_1) Entering MASTER STATE\n\
             Oct 22 14:48:46 balancer2 Keepalived_vrrp[676]: (VI_1) Master received advert from 192.168.10.160 with higher priority 100, ours 50\n\
             Oct 22 14:48:46 balancer2 Keepalived_vrrp[676]: (VI_1) Entering BACKUP STATE\n",
            vec!["balancer1", "balancer2"],
        ),
        (
            "Jan 26 20:17:40 kv-01 kernel: drbd r0/0 drbd1009: disk( Diskless -> Attaching )\n\
             Jan 26 20:17:42 kv-01 kernel: drbd r0 kv-03: conn( Connecting -> Connected ) peer( Unknown -> Secondary )\n\
             Jan 26 20:17:42 kv-01 kernel: drbd r0/0 drbd1009 kv-03: pdsk( DUnknown -> Diskless )\n\
             Jan 26 20:17:42 kv-02 kernel: drbd r0 kv-03: Peer authenticated using 20 bytes HMAC\n\
             Jan 26 20:17:42 kv-02 kernel: drbd r0 kv-01: Preparing remote state change 3520286370\n\
             Jan 26 20:17:42 kv-02 kernel: drbd r0 kv-01: Committing remote state change 3520286370 (primary_nodes=0)\n",
            vec!["kv-01", "kv-02"],
        ),
        (
            "Oct 22 14:38:58 oadb02 Keepalived_vrrp[679]: (VI_1) Entering BACKUP STATE\n\
             Oct 22 14:39:02 oadb02 Keepalived_vrrp[679]: (VI_1) Entering MASTER STATE\n\
             Oct 22 14:46:28 db02 Keepalived_vrrp[679]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.5\n\
             Oct 22 14:46:29 db02 Keepalived_vrrp[679]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.5\n\
             Oct 22 14:48:46 db02 Keepalived_vrrp[679]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.5\n\
             Oct 22 14:48:47 db02 Keepalived_vrrp[679]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.5\n",
            vec!["db02"],
        ),
    ];
    for (lines, nodes) in cases {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("ticket.log"), lines).unwrap();
        let (report, _) = analyze(folder.path(), &[]);
        assert_eq!(node_names(&report), nodes, "{lines}");
    }
}

#[test]
fn two_files_of_one_host_name_at_one_time_are_two_machines_when_their_keepalived_differs() {
    // Two lab machines both called `ubuntu`, each pasted on its own: other keepalived processes,
    // at the same time. Each is the node its file names; both takeovers are read. Two excerpts
    // of one machine (one process) stay one node.
    let machine1 = "Apr 15 09:40:27 ubuntu Keepalived_vrrp[14058]: (vrrp) Entering BACKUP STATE (init)\n\
                    Apr 15 09:40:30 ubuntu Keepalived_vrrp[14058]: (vrrp) Receive advertisement timeout\n\
                    Apr 15 09:40:30 ubuntu Keepalived_vrrp[14058]: (vrrp) Entering MASTER STATE\n";
    for (pid, nodes) in [
        ("8500", vec!["machine1", "machine2"]),
        ("14058", vec!["ubuntu"]),
    ] {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("machine1.journal"), machine1).unwrap();
        std::fs::write(
            folder.path().join("machine2.journal"),
            format!(
                "Apr 15 09:40:29 ubuntu Keepalived_vrrp[{pid}]: (vrrp) Entering BACKUP STATE (init)\n\
                 Apr 15 09:40:40 ubuntu Keepalived_vrrp[{pid}]: (vrrp) Receive advertisement timeout\n\
                 Apr 15 09:40:40 ubuntu Keepalived_vrrp[{pid}]: (vrrp) Entering MASTER STATE\n"
            ),
        )
        .unwrap();
        let (report, _) = analyze(folder.path(), &[]);
        assert_eq!(node_names(&report), nodes, "{pid}");
        if nodes.len() == 2 {
            let masters = fields(&report["transitions"], ["node", "to"]);
            assert!(masters.contains(&["machine1", "MASTER"]), "{masters:?}");
            assert!(masters.contains(&["machine2", "MASTER"]), "{masters:?}");
        }
    }
}

#[test]
fn files_named_apart_whose_lines_all_say_localhost_are_two_machines_at_any_time() {
    // Two machines left with the installer's host name, pasted days apart: hostB's keepalived
    // starts on the 17th, hostA's (another process) stops on the 19th. Named apart, and with a
    // name that tells no machine apart, they are two nodes; a rotated pair of one machine's
    // files (`messages`, `messages.1`) stays one node, and so do two files of a real host name.
    let later = "Sep 19 14:28:09 {host} Keepalived[45705]: Stopping\n\
                 Sep 19 14:28:09 {host} Keepalived_vrrp[45706]: VRRP_Instance(twemproxy) sent 0 priority\n";
    let earlier = "Sep 17 17:20:25 {host} Keepalived[1201]: Starting Keepalived v1.3.5\n\
                   Sep 17 17:20:26 {host} Keepalived_vrrp[1202]: VRRP_Instance(twemproxy) Entering BACKUP STATE\n";
    for (host, names, nodes) in [
        (
            "localhost",
            ["hostA.messages", "hostB.messages"],
            vec!["hostA", "hostB"],
        ),
        ("localhost", ["messages", "messages.1"], vec!["localhost"]),
        (
            "redis-ha-1",
            ["hostA.messages", "hostB.messages"],
            vec!["redis-ha-1"],
        ),
    ] {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join(names[0]), later.replace("{host}", host)).unwrap();
        std::fs::write(
            folder.path().join(names[1]),
            earlier.replace("{host}", host),
        )
        .unwrap();
        let (report, _) = analyze(folder.path(), &[]);
        assert_eq!(node_names(&report), nodes, "{host} {names:?}");
    }
}

#[test]
fn a_takeover_does_not_take_the_cause_of_the_peers_preemption_seconds_later() {
    // A failover drill: pg-standby takes over (pg-primary's stop is not in its logs), then
    // pg-primary restarts and preempts it back ten seconds later. The headline's takeover keeps
    // its own cause: the start-up preemption after it is not why it happened.
    // Each node's logs are two captures: a state capture, and the drill's transcript.
    let bundle = BundleBuilder::new()
        .file(
            "pg-primary",
            "var/log/state-capture.log",
            "Mar 10 13:14:21 pg-primary Keepalived_vrrp[1000]: (pg_ha) Entering BACKUP STATE (init)\n\
             Mar 10 13:14:25 pg-primary Keepalived_vrrp[1000]: (pg_ha) Entering MASTER STATE\n",
        )
        .file(
            "pg-primary",
            "var/log/drill.log",
            "Mar 10 13:16:33 pg-primary Keepalived_vrrp[13934]: (pg_ha) Entering BACKUP STATE (init)\n\
             Mar 10 13:16:34 pg-primary Keepalived_vrrp[13934]: (pg_ha) received lower priority (90) advert from 10.0.96.14 - discarding\n\
             Mar 10 13:16:37 pg-primary Keepalived_vrrp[13934]: (pg_ha) received lower priority (90) advert from 10.0.96.14 - discarding\n\
             Mar 10 13:16:37 pg-primary Keepalived_vrrp[13934]: (pg_ha) Entering MASTER STATE\n",
        )
        .file(
            "pg-standby",
            "var/log/state-capture.log",
            "Mar 10 13:14:21 pg-standby Keepalived_vrrp[11204]: (pg_ha) Entering BACKUP STATE (init)\n",
        )
        .file(
            "pg-standby",
            "var/log/drill.log",
            "Mar 10 13:16:27 pg-standby Keepalived_vrrp[11204]: (pg_ha) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["nodes"][0], "pg-standby", "{verdict}");
    assert_ne!(verdict["cause"], "startup-election", "{verdict}");
    let headline = verdict["headline"].as_str().unwrap();
    assert!(!headline.contains("startup"), "{headline}");
}

/// A pasted `systemctl status` names the zone its journal lines are written in. The stamps are
/// still shown as written (marked UTC), and the report says which zone they are in, and how far
/// real UTC is; a header that says UTC leaves nothing to say.
#[test]
fn the_zone_a_status_header_names_is_told_and_utc_needs_no_warning() {
    let status = |zone: &str| {
        format!(
            "● keepalived.service - Keepalive Daemon (LVS and VRRP)\n\
             \x20  Loaded: loaded (/lib/systemd/system/keepalived.service; enabled)\n\
             \x20  Active: active (running) since Tue 2021-06-01 18:00:00 {zone}; 5min ago\n\
             Jun 01 18:00:00 lb1 Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun 01 18:00:03 lb1 Keepalived_vrrp[812]: (VI_1) Entering MASTER STATE\n"
        )
    };
    let zone_warnings = |zone: &str| {
        let bundle = BundleBuilder::new().file("lb1", "var/log/messages", status(zone));
        let (report, _) = analyze(bundle.path(), &[]);
        let transition = &report["transitions"][1];
        assert_eq!(transition["time"], "2021-06-01T18:00:03Z", "{transition}");
        texts(&report["coverage"]["warnings"], "message")
            .into_iter()
            .filter(|message| message.contains("zone"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        zone_warnings("EDT"),
        [
            "no time zone in a manifest: stamps without a zone are shown as written, marked UTC; \
          var/log/messages:3 (a systemctl status or journal header) gives the zone as EDT \
          (UTC-04:00): real UTC is 4 hours later"
        ]
    );
    let china_or_us = zone_warnings("CST");
    assert!(
        china_or_us[0].ends_with(
            "gives the zone as CST: UTC+08:00 in China (real UTC 8 hours earlier) or UTC-06:00 in US Central (real UTC 6 hours later)"
        ),
        "{china_or_us:?}"
    );
    assert!(zone_warnings("UTC").is_empty());
    assert!(zone_warnings("+0530")[0].ends_with("(UTC+05:30): real UTC is 5.5 hours earlier"));
}

/// The texts give what the lines themselves say: the priorities of the advert behind a yield,
/// and why keepalived dropped the adverts it rejected.
#[test]
fn explanations_quote_the_priorities_and_the_rejection_their_lines_give() {
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Jun 01 18:00:00 lb1 Keepalived_vrrp[812]: (VI_1) Entering MASTER STATE\n\
         Jun 01 18:05:00 lb1 Keepalived_vrrp[812]: (VI_1) Master received advert from 10.0.0.2 with higher priority 255, ours 99\n\
         Jun 01 18:05:00 lb1 Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE\n\
         Jun 01 18:09:00 lb1 Keepalived_vrrp[812]: (VI_1) received VRID mismatch. Received 52, Expected 51\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let explanations = texts(&report["findings"], "explanation").join("\n");
    assert!(
        explanations.contains("(priority 255 from 10.0.0.2, against its own 99)"),
        "{explanations}"
    );
    assert!(
        explanations
            .contains("dropped them as invalid: their virtual router id is not its own (52 where it expects 51)"),
        "{explanations}"
    );
}

/// A dual master seen at one instant: the master held since before its logs forces an election
/// in the same second the other is shown entering MASTER. The window begins there, and says it
/// lasted under a second, not "from before".
#[test]
fn a_window_whose_one_side_is_shown_entering_at_that_instant_begins_there() {
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Jul  9 14:41:42 lb1 Keepalived_vrrp[10266]: (VI_1) Received advert from 10.0.0.2 with lower priority 121, ours 122, forcing new election\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Jul  9 14:41:42 lb2 Keepalived_vrrp[19036]: (VI_1) Entering MASTER STATE\n\
             Jul  9 14:41:42 lb2 Keepalived_vrrp[19036]: (VI_1) Master received advert from 10.0.0.1 with higher priority 122, ours 121\n\
             Jul  9 14:41:42 lb2 Keepalived_vrrp[19036]: (VI_1) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let window = &report["split_brain"][0];
    assert_eq!(window["start"], window["end"], "{window}");
    assert!(window["start"].is_string(), "{window}");
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(headline.contains("(within the second)"), "{headline}");
}

/// A 1.x `Transition to MASTER STATE` that opens a node's logs is no state of its own: the line
/// after it decides. Completed, MASTER starts where keepalived set the VIPs; abandoned for a better
/// advert, the node never held them and the report says a takeover was begun and given up.
#[test]
fn a_one_x_transition_that_opens_the_logs_is_decided_by_the_state_line_after_it() {
    let completed = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Jul 14 10:05:37 lb1 Keepalived_vrrp[15744]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Jul 14 10:05:38 lb1 Keepalived_vrrp[15744]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Jul 14 10:05:38 lb1 Keepalived_vrrp[15744]: VRRP_Instance(VI_1) setting protocol VIPs.\n",
    );
    let (report, _) = analyze(completed.path(), &[]);
    let transitions = report["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 1, "{transitions:?}");
    assert_eq!(transitions[0]["to"], "MASTER");
    assert!(
        transitions[0]["time"]
            .as_str()
            .unwrap()
            .ends_with("T10:05:38Z"),
        "{transitions:?}"
    );

    let abandoned = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Dec 18 06:15:35 lb1 Keepalived_vrrp[61570]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Dec 18 06:15:36 lb1 Keepalived_vrrp[61570]: VRRP_Instance(VI_1) Received advert with higher priority 200, ours 100\n\
         Dec 18 06:15:36 lb1 Keepalived_vrrp[61570]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(abandoned.path(), &[]);
    let transitions = report["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 1, "{transitions:?}");
    assert_eq!(transitions[0]["from"], "UNKNOWN");
    assert_eq!(transitions[0]["to"], "BACKUP");
    assert!(
        report["failovers"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let rules: Vec<&str> = texts(&report["findings"], "rule");
    assert!(rules.contains(&"abandoned-takeover"), "{rules:?}");
    assert!(!rules.contains(&"unknown"), "{rules:?}");
}

/// Where no rule explains a change, the detail says how far the evidence goes: the node's logs
/// begin with it, the peer's begin only later, or the peer logged lines no known cause fits.
#[test]
fn a_change_no_rule_explains_says_which_side_of_it_the_logs_do_not_show() {
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Jul 14 20:51:52 lb1 Keepalived_vrrp[3026]: VRRP_Script(chk_haproxy) succeeded\n\
             Jul 14 20:51:53 lb1 Keepalived_vrrp[3026]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
             Jul 14 20:53:06 lb1 Keepalived_vrrp[3026]: VRRP_Instance(VI_1) Received lower prio advert, forcing new election\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Jul 14 20:53:05 lb2 Keepalived_vrrp[2973]: VRRP_Script(chk_haproxy) succeeded\n\
             Jul 14 20:53:06 lb2 Keepalived_vrrp[2973]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    // The detail of a node's change to MASTER.
    fn detail_of(report: &Value, node: &str) -> String {
        change_to(report, "transitions", node, "MASTER")
            .and_then(|transition| transition["detail"].as_str())
            .unwrap_or_default()
            .to_string()
    }
    let first = detail_of(&report, "lb1");
    assert!(
        first.starts_with("this is the first state lb1's logs show (they begin at 20:51:52)")
            && first.contains("lb2's logs begin at 20:53:05, after it")
            && first.ends_with("the peer's side is not in the input"),
        "{first}"
    );
    // The peer's start-up 10 s before is a line of the peer's around the change that no rule ties
    // to it: named, not denied.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Nov 16 09:04:08 lb1 Keepalived_vrrp[1843]: (VI_1) Entering MASTER STATE\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Nov 16 09:03:58 lb2 Keepalived_vrrp[4644]: (VI_1) Entering BACKUP STATE (init)\n\
             Nov 16 09:09:00 lb2 Keepalived_vrrp[4644]: (VI_1) Backup received priority 0 advertisement\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let detail = detail_of(&report, "lb1");
    assert!(
        detail.ends_with("no known cause fits what lb2 logged around it (var/log/messages:1)"),
        "{detail}"
    );
    // The node's own timeout line is named, not denied, and a peer silent around the change
    // says where its keepalived lines stop and resume.
    let bundle = BundleBuilder::new()
        .file(
            "p1",
            "var/log/messages",
            "Jan 28 11:27:22 p1 Keepalived_vrrp[10384]: (VI_1) removing VIPs.\n\
             Jan 28 11:27:23 p1 Keepalived_vrrp[10384]: Registering gratuitous ARP shared channel\n\
             Jan 28 11:40:30 p1 Keepalived_vrrp[10384]: (VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "p2",
            "var/log/messages",
            "Jan 28 11:38:43 p2 Keepalived_vrrp[27559]: (VI_1) Entering BACKUP STATE\n\
             Jan 28 11:38:46 p2 Keepalived_vrrp[27559]: (VI_1) Receive advertisement timeout\n\
             Jan 28 11:38:46 p2 Keepalived_vrrp[27559]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let detail = detail_of(&report, "p2");
    assert!(
        detail.contains("p2 logged that the adverts stopped arriving (var/log/messages:2")
            && detail.contains(
                "p1's keepalived lines stop at 11:27:23 (var/log/messages:2) and resume at 11:40:30"
            ),
        "{detail}"
    );
}

/// Logs that end in a 1.x `Transition to MASTER STATE` (or 2.x's `Receive advertisement
/// timeout`) end in a takeover begun: the `now` line says so, and that whether it completed is
/// not in them.
#[test]
fn logs_that_end_in_a_one_x_transition_say_a_takeover_was_begun() {
    let bundle = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Oct  2 10:58:20 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Oct  2 10:58:42 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Transition to MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let taking_over = &report["state_now"][0]["taking_over"];
    assert_eq!(taking_over[0]["node"], "lb2", "{taking_over}");
    assert!(
        taking_over[0]["last_seen"]
            .as_str()
            .unwrap()
            .ends_with("-10-02T10:58:42Z"),
        "{taking_over}"
    );
    let text = analyze_text(bundle.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("lb2 began a takeover at")
            && text.contains("whether it completed, they do not say"),
        "{text}"
    );
    // Logs that begin with the transition: the Roles line says it was begun, not that the node
    // became MASTER (ka1143, whose headline failover says so too).
    let begun = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Oct  2 10:58:40 lb2 Keepalived[28015]: Starting Keepalived v1.3.2 (12/03,2016)\n\
         Oct  2 10:58:42 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Transition to MASTER STATE\n",
    );
    let text = analyze_text(begun.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("VI_1 began a takeover 10:58:42 (its end is not in the logs)"),
        "{text}"
    );
    // Completed, it is no longer begun: the key is left out.
    let completed = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Oct  2 10:58:20 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Oct  2 10:58:42 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Oct  2 10:58:43 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(completed.path(), &[]);
    assert!(
        report["state_now"][0].get("taking_over").is_none(),
        "{report}"
    );
    // Nor where keepalived stops after it: the logs do not end in the transition.
    let stopped = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Oct  2 10:58:20 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Oct  2 10:58:42 lb2 Keepalived_vrrp[28016]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Oct  2 10:58:43 lb2 Keepalived[28015]: Stopping Keepalived v1.2.13 (05/28,2014)\n",
    );
    let (report, _) = analyze(stopped.path(), &[]);
    assert!(
        report["state_now"][0].get("taking_over").is_none(),
        "{report}"
    );
    // 2.x's `Receive advertisement timeout` as the last line (ka2178: 4 s after leaving FAULT):
    // the node is no longer a standby, and its takeover is begun.
    let timed_out = BundleBuilder::new().file(
        "node-12-240",
        "var/log/messages",
        "Aug 09 15:15:53 node-12-240 Keepalived_vrrp[1108437]: (INTERNAL_HA) Entering BACKUP STATE\n\
         Aug 09 15:15:57 node-12-240 Keepalived_vrrp[1108437]: (INTERNAL_HA) Receive advertisement timeout\n",
    );
    let (report, _) = analyze(timed_out.path(), &[]);
    let now = &report["state_now"][0];
    assert_eq!(now["taking_over"][0]["node"], "node-12-240", "{now}");
    assert_eq!(now["backups"], serde_json::json!([]), "{now}");
}

/// A sync group whose members' 1.x transitions open and end the logs (keepalived#1143: a reboot,
/// the group going MASTER seconds after bond0's link came up): each member's takeover is begun,
/// none is shown MASTER, and the finding is the link that had just come up.
#[test]
fn a_sync_groups_transitions_that_end_the_logs_are_takeovers_begun() {
    let bundle = BundleBuilder::new().file(
        "motmot",
        "var/log/messages",
        "Mar  5 14:46:53 motmot kernel: [   14.441145] IPv6: ADDRCONF(NETDEV_UP): bond0: link is not ready\n\
         Mar  5 14:46:55 motmot Keepalived[4182]: Starting Keepalived v1.3.2 (12/03,2016)\n\
         Mar  5 14:46:56 motmot kernel: [   17.276170] IPv6: ADDRCONF(NETDEV_CHANGE): bond0: link becomes ready\n\
         Mar  5 14:46:59 motmot Keepalived_vrrp[4211]: VRRP_Instance(vef_vlan5) Transition to MASTER STATE\n\
         Mar  5 14:46:59 motmot Keepalived_vrrp[4211]: VRRP_Group(vef_group) Syncing instances to MASTER state\n\
         Mar  5 14:46:59 motmot Keepalived_vrrp[4211]: VRRP_Instance(vef_vlan15) Transition to MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = report["state_now"].as_array().unwrap();
    assert_eq!(now.len(), 2, "{report}");
    for instance in now {
        assert_eq!(instance["taking_over"][0]["node"], "motmot", "{instance}");
        assert!(
            instance["masters"]
                .as_array()
                .is_none_or(|masters| masters.is_empty()),
            "{instance}"
        );
    }
    assert_eq!(
        findings_of(&report, "startup-before-link-ready").len(),
        1,
        "{report}"
    );
}

/// keepalived writes a line entering MASTER only on a change: the process already MASTER writing
/// one again, half an hour on, left MASTER in lines the excerpt lacks (zhnotes2017: the NIC's link
/// back, the instance MASTER again). Not after a reload between, nor for the Entering line that
/// completes a 1.x transition.
#[test]
fn a_master_entered_again_by_the_same_process_left_master_unseen() {
    let lines = |between: &str| {
        format!(
            "Mar 19 18:29:26 master Keepalived_vrrp[2024]: VRRP_Instance(VI_1) Sending gratuitous ARPs on ens32 for 192.168.100.100\n\
             {between}\
             Mar 19 19:01:15 master kernel: e1000: ens32 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None\n\
             Mar 19 19:01:18 master Keepalived_vrrp[2024]: Kernel is reporting: interface ens32 UP\n\
             Mar 19 19:01:18 master Keepalived_vrrp[2024]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
             Mar 19 19:01:19 master Keepalived_vrrp[2024]: VRRP_Instance(VI_1) Entering MASTER STATE\n"
        )
    };
    let bundle = BundleBuilder::new().file("master", "var/log/messages", lines(""));
    let (report, _) = analyze(bundle.path(), &[]);
    let transitions = report["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 1, "{report}");
    assert_eq!(transitions[0]["from"], "UNKNOWN", "{report}");
    assert!(
        transitions[0]["time"]
            .as_str()
            .unwrap()
            .ends_with("T19:01:18Z"),
        "{report}"
    );
    assert_eq!(transitions[0]["cause"], "interface-fault", "{report}");
    let reloaded = BundleBuilder::new().file(
        "master",
        "var/log/messages",
        lines(
            "Mar 19 19:01:10 master Keepalived[2022]: Reloading Keepalived v1.2.13 (03/19,2015)\n",
        ),
    );
    let (report, _) = analyze(reloaded.path(), &[]);
    assert!(
        report["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|transition| transition["from"] != "UNKNOWN"),
        "{report}"
    );
}

/// keepalived 2.x writes `Entering BACKUP STATE` (without `(init)`) only on leaving MASTER or
/// FAULT: the process already BACKUP writing it again minutes on left BACKUP in lines the excerpt
/// lacks (linodezh: two `tail | grep` captures). Roles says so; not after a 1.x `Transition to
/// MASTER STATE` abandoned between, a start between, an `(init)` line, or a repeat of the moment.
#[test]
fn a_backup_entered_again_by_the_same_process_left_backup_unseen() {
    let lines = |between: &str, again: &str| {
        format!(
            "Mar 27 01:26:13 serverB Keepalived_vrrp[48820]: (Instance1) Entering BACKUP STATE\n\
             {between}\
             Mar 27 01:35:07 serverB Keepalived_vrrp[48820]: (Instance1) {again}\n\
             Mar 27 02:02:24 serverB Keepalived_vrrp[48820]: (Instance1) Entering MASTER STATE\n"
        )
    };
    let roles_of = |text: String| {
        let bundle = BundleBuilder::new().file("serverB", "var/log/messages", text);
        let report = analyze_text(bundle.path());
        report
            .lines()
            .skip_while(|line| *line != "Roles")
            .find(|line| line.trim_start().starts_with("serverB "))
            .unwrap_or_else(|| panic!("{report}"))
            .split_whitespace()
            .skip(2)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        roles_of(lines("", "Entering BACKUP STATE")),
        "BACKUP 01:26:13 → left unseen after 01:26:13 → BACKUP 01:35:07 → MASTER 02:02:24"
    );
    let plain = "BACKUP 01:26:13 → MASTER 02:02:24";
    for (between, again) in [
        (
            "Mar 27 01:35:06 serverB Keepalived_vrrp[48820]: VRRP_Instance(Instance1) Transition to MASTER STATE\n",
            "Entering BACKUP STATE",
        ),
        ("", "Entering BACKUP STATE (init)"),
        (
            "Mar 27 01:35:05 serverB Keepalived[48819]: Reloading\n",
            "Entering BACKUP STATE",
        ),
    ] {
        assert_eq!(roles_of(lines(between, again)), plain, "{between}{again}");
    }
    let repeated = "Mar 27 01:26:13 serverB Keepalived_vrrp[48820]: (Instance1) Entering BACKUP STATE\n\
                    Mar 27 01:26:14 serverB Keepalived_vrrp[48820]: (Instance1) Entering BACKUP STATE\n\
                    Mar 27 02:02:24 serverB Keepalived_vrrp[48820]: (Instance1) Entering MASTER STATE\n";
    assert_eq!(roles_of(repeated.to_string()), plain);
}

/// A burst of one DRBD line for several devices is one finding naming them all (stx2019: six
/// devices refused their peer), and a command that must reach one resource only (create-md) never
/// becomes `all` where the lines name minors only: a placeholder it refuses, explained.
#[test]
fn a_burst_over_several_drbd_devices_names_them_all_and_never_recreates_all() {
    let kernel = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .map(|(second, line)| format!("Jun  8 10:00:{second:02} node1 kernel: {line}\n"))
            .collect::<String>()
    };
    let minors = BundleBuilder::new().file(
        "node1",
        "var/log/messages",
        kernel(&[
            "block drbd2: Unrelated data, aborting!",
            "block drbd10: Unrelated data, aborting!",
            "block drbd1: Unrelated data, aborting!",
            "block drbd2: Unrelated data, aborting!",
        ]),
    );
    let (report, _) = analyze(minors.path(), &[]);
    let finding = &findings_of(&report, "drbd-unrelated-data")[0];
    assert!(
        finding["title"]
            .as_str()
            .unwrap()
            .starts_with("DRBD device drbd2 (and likewise drbd1 and drbd10) on node1 "),
        "{finding}"
    );
    let remedy = finding["remedy"].as_str().unwrap();
    assert!(remedy.contains("drbdadm create-md RESOURCE;"), "{remedy}");
    assert!(remedy.contains("drbdadm sh-resources"), "{remedy}");
    assert!(
        !remedy.contains("create-md all") && !remedy.contains("down all"),
        "{remedy}"
    );

    let named = BundleBuilder::new().file(
        "node1",
        "var/log/messages",
        kernel(&[
            "drbd r0: Unrelated data, aborting!",
            "drbd r1: Unrelated data, aborting!",
        ]),
    );
    let (report, _) = analyze(named.path(), &[]);
    let finding = &findings_of(&report, "drbd-unrelated-data")[0];
    let remedy = finding["remedy"].as_str().unwrap();
    assert!(remedy.contains("drbdadm create-md r0 r1;"), "{remedy}");
    assert!(!remedy.contains("RESOURCE"), "{remedy}");
}

/// A finding of no transition folded into a takeover's incident because the takeover cites its
/// lines keeps its words (esphoton2021: the track script failing on the node that took over is
/// not why it took over, and the VIP now sits where the check fails; stampless lines, whose
/// findings an incident holds by their lines, not their times).
#[test]
fn a_folded_finding_of_no_transition_keeps_its_words() {
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Keepalived_vrrp[22]: Script `chk_haproxy` now returning 1\n\
         Keepalived_vrrp[22]: VRRP_Script(chk_haproxy) failed (exited with status 1)\n\
         Keepalived_vrrp[22]: (LB_VIP) Receive advertisement timeout\n\
         Keepalived_vrrp[22]: (LB_VIP) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let holder = crate::support::finding_folding(&report, "track-script-failing")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        holder["explanation"]
            .as_str()
            .unwrap()
            .contains("The track script `chk_haproxy` on lb1 failed"),
        "{holder:#}"
    );
    assert!(
        holder["remedy"]
            .as_str()
            .unwrap()
            .contains("run `chk_haproxy` by hand"),
        "{holder:#}"
    );
}

/// A syslog without process ids (keepalived 1.2 on CentOS 5) names no process that could tell two
/// machines apart: two files named apart whose lines all say `localhost`, and whose keepalived
/// lines overlap in time, are still two machines; a rotated pair stays one node.
#[test]
fn files_named_apart_without_process_ids_that_overlap_in_time_are_two_machines() {
    let stopping = "May  2 12:19:20 localhost Keepalived: Stopping Keepalived v1.2.2 (04/23,2012)\n\
                    May  2 12:19:20 localhost Keepalived_vrrp: VRRP_Instance(VI_1) removing protocol VIPs.\n";
    let taking_over = "May  2 12:19:18 localhost Keepalived_vrrp: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
                       May  2 12:19:23 localhost Keepalived_vrrp: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
                       May  2 12:19:24 localhost Keepalived_vrrp: VRRP_Instance(VI_1) Entering MASTER STATE\n";
    // A grep of one machine's syslog next to the whole of it repeats its lines: one machine.
    let whole = format!("{taking_over}May  2 12:19:25 localhost ntpd: time reset +0.2 s\n");
    for (names, contents, nodes) in [
        (
            ["mfs105.messages", "mfs104.messages"],
            [stopping, taking_over],
            vec!["mfs104", "mfs105"],
        ),
        (
            ["messages", "messages.1"],
            [stopping, taking_over],
            vec!["localhost"],
        ),
        (
            ["full.messages", "vrrp-grep.messages"],
            [whole.as_str(), taking_over],
            vec!["localhost"],
        ),
    ] {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join(names[0]), contents[0]).unwrap();
        std::fs::write(folder.path().join(names[1]), contents[1]).unwrap();
        let (report, _) = analyze(folder.path(), &[]);
        assert_eq!(node_names(&report), nodes, "{names:?}");
    }
}

/// One node's instances that change state together are one incident: a sync group's member
/// keepalived moved with the first is folded into that one's finding (whose cause the incident
/// takes), and instances that all timed out at once are one finding; each instance's split-brain
/// stays a finding of its own.
#[test]
fn instances_that_move_together_are_one_incident() {
    let bundle = BundleBuilder::new().file(
        "matrix",
        "var/log/messages",
        "Aug 10 10:09:23 matrix Keepalived_vrrp[1448]: (INT) Entering BACKUP STATE (init)\n\
         Aug 10 10:09:23 matrix Keepalived_vrrp[1448]: (EXT) Entering BACKUP STATE (init)\n\
         Aug 10 10:11:20 matrix Keepalived_vrrp[1448]: (EXT) Receive advertisement timeout\n\
         Aug 10 10:11:20 matrix Keepalived_vrrp[1448]: (EXT) Entering MASTER STATE\n\
         Aug 10 10:11:20 matrix Keepalived_vrrp[1448]: VRRP_Group(G1) Syncing instances to MASTER state\n\
         Aug 10 10:11:20 matrix Keepalived_vrrp[1448]: (INT) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let reported: Vec<&Value> = report["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|failover| &failover["finding"])
        .collect();
    assert_eq!(reported.len(), 2, "{:#}", report["failovers"]);
    assert_eq!(reported[0], reported[1], "{:#}", report["failovers"]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| &finding["id"] == reported[0])
        .unwrap();
    assert_eq!(finding["cause"], "peer-silent", "{finding:#}");
    let explanation = finding["explanation"].as_str().unwrap();
    assert!(
        explanation.contains(
            "matrix also went BACKUP → MASTER of INT at that moment (moved with its sync group)."
        ),
        "{explanation}"
    );
    // Each transition keeps its own cause; the headline names the member that moved first.
    let cause_of = |instance: &str| {
        report["failovers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|failover| failover["instance"] == instance)
            .map(|failover| failover["cause"].as_str().unwrap().to_string())
    };
    assert_eq!(cause_of("INT").as_deref(), Some("sync-group"));
    assert_eq!(cause_of("EXT").as_deref(), Some("peer-silent"));
    assert!(
        report["verdict"]["headline"]
            .as_str()
            .unwrap()
            .contains("of EXT"),
        "{:#}",
        report["verdict"]
    );

    // Two instances that timed out in the same second: one finding, the same reason.
    let bundle = BundleBuilder::new().file(
        "ubuntu",
        "var/log/syslog",
        "Oct 18 09:40:20 ubuntu Keepalived_vrrp[77]: (vrrp) Entering BACKUP STATE (init)\n\
         Oct 18 09:40:20 ubuntu Keepalived_vrrp[77]: (vrrp2) Entering BACKUP STATE (init)\n\
         Oct 18 09:50:26 ubuntu Keepalived_vrrp[77]: (vrrp) Receive advertisement timeout\n\
         Oct 18 09:50:26 ubuntu Keepalived_vrrp[77]: (vrrp2) Receive advertisement timeout\n\
         Oct 18 09:50:26 ubuntu Keepalived_vrrp[77]: (vrrp2) Entering MASTER STATE\n\
         Oct 18 09:50:26 ubuntu Keepalived_vrrp[77]: (vrrp) Entering MASTER STATE\n",
    );
    let text = analyze_text(bundle.path());
    assert_eq!(
        text.matches("Took over by advert timeout").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(
            "ubuntu also went BACKUP → MASTER of vrrp at that moment, for the same reason."
        ),
        "{text}"
    );

    // A sync group's member never becomes a split-brain's cause, and never ties a change of
    // another cause to the member that moved first.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Apr  1 15:40:00 lb1 Keepalived_vrrp[100]: (VI_1) Entering BACKUP STATE (init)\n\
             Apr  1 15:40:04 lb1 Keepalived_vrrp[100]: (VI_1) Entering MASTER STATE\n\
             Apr  1 15:45:00 lb1 Keepalived_vrrp[100]: (VI_1) Sending gratuitous ARP on eth0 for 10.0.0.1\n\
             Apr  1 15:48:00 lb1 Keepalived_vrrp[100]: (VI_1) Sending gratuitous ARP on eth0 for 10.0.0.1\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Apr  1 15:40:00 lb2 Keepalived_vrrp[200]: (VI_1) Entering BACKUP STATE (init)\n\
             Apr  1 15:40:00 lb2 Keepalived_vrrp[200]: (VI_2) Entering BACKUP STATE (init)\n\
             Apr  1 15:40:00 lb2 Keepalived_vrrp[200]: (VI_3) Entering BACKUP STATE (init)\n\
             Apr  1 15:45:13 lb2 Keepalived_vrrp[200]: (VI_1) Receive advertisement timeout\n\
             Apr  1 15:45:13 lb2 Keepalived_vrrp[200]: (VI_1) Entering MASTER STATE\n\
             Apr  1 15:45:13 lb2 Keepalived_vrrp[200]: VRRP_Group(G1) Syncing instances to MASTER state\n\
             Apr  1 15:45:13 lb2 Keepalived_vrrp[200]: (VI_2) Entering MASTER STATE\n\
             Apr  1 15:45:14 lb2 Keepalived_vrrp[200]: (VI_3) Backup received priority 0 advertisement\n\
             Apr  1 15:45:14 lb2 Keepalived_vrrp[200]: (VI_3) Entering MASTER STATE\n\
             Apr  1 15:48:00 lb2 Keepalived_vrrp[200]: (VI_1) Sending gratuitous ARP on eth0 for 10.0.0.1\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "split-brain",
        "{:#}",
        report["verdict"]
    );
    assert_eq!(
        report["verdict"]["cause"], "network-partition",
        "{:#}",
        report["verdict"]
    );
    let finding_of = |instance: &str| {
        report["failovers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|failover| failover["instance"] == instance && failover["to"] == "MASTER")
            .map(|failover| failover["finding"].clone())
            .unwrap()
    };
    assert_ne!(
        finding_of("VI_3"),
        finding_of("VI_2"),
        "{:#}",
        report["failovers"]
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "lb2 also went BACKUP → MASTER of VI_2 at that moment (moved with its sync group)."
        ),
        "{text}"
    );

    // Both nodes MASTER of two instances: two split-brains, two findings.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Jun  6 15:20:00 lb1 Keepalived_vrrp[10]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun  6 15:20:00 lb1 Keepalived_vrrp[10]: (VI_2) Entering BACKUP STATE (init)\n\
             Jun  6 15:20:04 lb1 Keepalived_vrrp[10]: (VI_1) Receive advertisement timeout\n\
             Jun  6 15:20:04 lb1 Keepalived_vrrp[10]: (VI_1) Entering MASTER STATE\n\
             Jun  6 15:20:04 lb1 Keepalived_vrrp[10]: (VI_2) Receive advertisement timeout\n\
             Jun  6 15:20:04 lb1 Keepalived_vrrp[10]: (VI_2) Entering MASTER STATE\n\
             Jun  6 15:40:00 lb1 Keepalived_vrrp[10]: (VI_1) Receive advertisement timeout\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Jun  6 15:25:00 lb2 Keepalived_vrrp[20]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun  6 15:25:00 lb2 Keepalived_vrrp[20]: (VI_2) Entering BACKUP STATE (init)\n\
             Jun  6 15:25:04 lb2 Keepalived_vrrp[20]: (VI_1) Receive advertisement timeout\n\
             Jun  6 15:25:04 lb2 Keepalived_vrrp[20]: (VI_1) Entering MASTER STATE\n\
             Jun  6 15:25:04 lb2 Keepalived_vrrp[20]: (VI_2) Receive advertisement timeout\n\
             Jun  6 15:25:04 lb2 Keepalived_vrrp[20]: (VI_2) Entering MASTER STATE\n\
             Jun  6 15:40:00 lb2 Keepalived_vrrp[20]: (VI_2) Receive advertisement timeout\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let windows = report["split_brain"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{:#}", report["split_brain"]);
    assert_ne!(windows[0]["finding"], windows[1]["finding"], "{windows:#?}");
}

/// Two excerpts of one node an hour apart, the second from another keepalived process: the
/// restart between them is not in the logs, and the new process's state is a change from a
/// state unknown (its 1.x transition completing at its Entering line), not the old process's
/// MASTER carried on. Within one file (a grep of state lines), a new process's line follows a
/// restart whose lines were filtered out, and the old state lasts until it.
#[test]
fn a_new_process_in_a_later_excerpt_is_a_restart_the_logs_do_not_hold() {
    let directory = tempfile::tempdir().unwrap();
    let first = directory.path().join("localhost.part1.messages");
    let second = directory.path().join("localhost.part2.messages");
    std::fs::write(
        &first,
        "Oct 22 23:29:25 localhost Keepalived[5815]: Starting Keepalived v1.3.5 (03/19,2017)\n\
         Oct 22 23:29:26 localhost Keepalived_vrrp[5818]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Oct 22 23:29:27 localhost Keepalived_vrrp[5818]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Oct 22 23:29:32 localhost Keepalived_vrrp[5818]: Sending gratuitous ARP on ens33 for 192.168.199.10\n",
    )
    .unwrap();
    std::fs::write(
        &second,
        "Oct 23 00:25:58 localhost Keepalived_vrrp[19797]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Oct 23 00:25:59 localhost Keepalived_vrrp[19797]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
    )
    .unwrap();
    let (report, _) = analyze(directory.path(), &[]);
    let masters: Vec<&str> = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|transition| transition["to"] == "MASTER")
        .map(|transition| transition["time"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(masters.len(), 2, "{:#}", report["transitions"]);
    assert!(masters[1].ends_with("00:25:59Z"), "{masters:?}");
    let text = analyze_text(directory.path());
    assert!(text.contains("restarted"), "{text}");

    // One file, a grep of the state lines: the new process's MASTER continues the old one's,
    // and the peer's MASTER meanwhile is a split-brain.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Jun  6 15:37:55 lb1 Keepalived_vrrp[1171]: (VI_1) Entering MASTER STATE\n\
             Jun  6 15:48:56 lb1 Keepalived_vrrp[3550]: (VI_1) Entering MASTER STATE\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Jun  6 15:37:55 lb2 Keepalived_vrrp[3331]: (VI_1) Entering BACKUP STATE (init)\n\
             Jun  6 15:37:59 lb2 Keepalived_vrrp[3331]: (VI_1) Entering MASTER STATE\n\
             Jun  6 15:50:00 lb2 Keepalived_vrrp[3331]: (VI_1) Sending gratuitous ARPs on eth0 for 10.0.0.9\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["verdict"]["status"], "split-brain",
        "{:#}",
        report["verdict"]
    );
}

/// keepalived writes no state line for an instance that starts in FAULT: a track script that
/// failed in the process's first moments, and an instance whose first state line is BACKUP the
/// moment that script succeeds, was in FAULT from the failure. A peer's takeover meanwhile is
/// that fault's (the peer sent no adverts), and Roles says FAULT by the failure.
#[test]
fn an_instance_whose_first_state_ends_a_script_failure_was_in_fault() {
    let bundle = BundleBuilder::new()
        .file(
            "p1",
            "var/log/messages",
            "Jan 28 11:27:22 p1 Keepalived[10382]: Starting Keepalived v2.2.1 (01/17,2021)\n\
             Jan 28 11:27:22 p1 Keepalived_vrrp[10384]: (VI_1) removing VIPs.\n\
             Jan 28 11:27:23 p1 Keepalived_vrrp[10384]: VRRP_Script(chk) failed (exited with status 1)\n\
             Jan 28 11:40:30 p1 Keepalived_vrrp[10384]: VRRP_Script(chk) succeeded\n\
             Jan 28 11:40:30 p1 Keepalived_vrrp[10384]: (VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "p2",
            "var/log/messages",
            "Jan 28 11:38:43 p2 Keepalived_vrrp[27559]: (VI_1) Entering BACKUP STATE\n\
             Jan 28 11:38:46 p2 Keepalived_vrrp[27559]: (VI_1) Receive advertisement timeout\n\
             Jan 28 11:38:46 p2 Keepalived_vrrp[27559]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    // p1 was in FAULT since its keepalived started: it handed nothing over, and p2's takeover is
    // an election with no MASTER to hear, not p1's script fault.
    let takeover = change_to(&report, "transitions", "p2", "MASTER").unwrap();
    assert_eq!(takeover["cause"], "election-without-master", "{takeover:#}");
    let leaving = change_to(&report, "transitions", "p1", "BACKUP").unwrap();
    assert_eq!(leaving["from"], "FAULT", "{leaving:#}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("FAULT by 11:27:23 → BACKUP 11:40:30"),
        "{text}"
    );

    // A weighted script's recovery changes a priority, and an instance that logged a state
    // before it keeps what it logged.
    let bundle = BundleBuilder::new().file(
        "p1",
        "var/log/messages",
        "Jan 28 11:27:22 p1 Keepalived_vrrp[10384]: (VI_1) Entering BACKUP STATE (init)\n\
         Jan 28 11:27:23 p1 Keepalived_vrrp[10384]: VRRP_Script(chk) failed (exited with status 1)\n\
         Jan 28 11:40:30 p1 Keepalived_vrrp[10384]: VRRP_Script(chk) succeeded\n\
         Jan 28 11:40:31 p1 Keepalived_vrrp[10384]: (VI_1) Entering MASTER STATE\n",
    );
    let text = analyze_text(bundle.path());
    assert!(!text.contains("FAULT by"), "{text}");
    assert!(text.contains("BACKUP 11:27:22 → MASTER 11:40:31"), "{text}");
}

/// Whose copy stopped when DRBD lost its peer is the node that was not Primary: the peer when
/// this node was (its role line, or the new current UUID only a Primary makes), this node when
/// the peer was (`peer( Primary -> Unknown )` on the line or the one after it); a role neither
/// side's lines give is said to be unknown, never guessed.
#[test]
fn the_copy_that_stopped_is_the_one_of_the_node_that_was_not_primary() {
    let explanation = |lines: &str| {
        let bundle = BundleBuilder::new().file("nodeb", "var/log/messages", lines);
        let (report, _) = analyze(bundle.path(), &[]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["rule"] == "drbd-connection-lost")
            .unwrap_or_else(|| panic!("{report:#}"))["explanation"]
            .as_str()
            .unwrap()
            .replace('\n', " ")
    };
    // The peer was Primary: the line after the PingAck says so.
    let text = explanation(
        "Jan 18 02:04:05 nodeb kernel: drbd r0 nodea: PingAck did not arrive in time.\n\
         Jan 18 02:04:05 nodeb kernel: drbd r0 nodea: conn( Connected -> NetworkFailure ) peer( Primary -> Unknown )\n",
    );
    assert!(
        text.contains(
            "the peer was Primary, so nodeb's copy stopped at that moment: a takeover by nodeb"
        ),
        "{text}"
    );
    // This node was Primary: DRBD 8.3 made a new current UUID as it lost the peer.
    let text = explanation(
        "Jul  2 23:13:14 nodeb kernel: block drbd20: peer( Secondary -> Unknown ) conn( Connected -> NetworkFailure ) pdsk( UpToDate -> DUnknown )\n\
         Jul  2 23:13:14 nodeb kernel: block drbd20: new current UUID 29A5DB6247CE8A0B:9162141A9BC89BE5:DD10CF7A82F39439:DD0FCF7A82F39439\n",
    );
    assert!(
        text.contains("nodeb was Primary, so the peer's copy stopped at that moment"),
        "{text}"
    );
    // Undated dmesg: the role line earlier in the file.
    let text = explanation(
        "[ 1415.227237] drbd r0: role( Secondary -> Primary )\n\
         [ 1567.998128] drbd r0 nodea: conn( Connected -> NetworkFailure ) peer( Secondary -> Unknown )\n",
    );
    assert!(text.contains("nodeb was Primary"), "{text}");
    // Neither side's role is in the lines.
    let text = explanation(
        "Jan 18 02:04:05 nodeb kernel: drbd r0 nodea: conn( Connected -> NetworkFailure )\n",
    );
    assert!(
        text.contains("the copy of the node that was not Primary stopped at that moment (which one was, the logs do not say)"),
        "{text}"
    );
}

/// One incident's changes that a rule explains in other words each keep their words: a node's
/// yield to a better advert and its takeover from a weaker master twenty seconds later are one
/// incident, and the takeover's own text says that this node preempted a MASTER whose priority
/// fell (it read as the yield alone: ka893).
#[test]
fn an_incidents_changes_explained_otherwise_keep_their_own_words() {
    let bundle = BundleBuilder::new().file(
        "server-b",
        "var/log/messages",
        "May 31 11:25:50 server-b Keepalived_vrrp[61577]: (VI_1) Entering MASTER STATE\n\
         May 31 11:25:56 server-b Keepalived_vrrp[61577]: (VI_1) Master received advert from 10.0.0.1 with higher priority 103, ours 102\n\
         May 31 11:25:56 server-b Keepalived_vrrp[61577]: (VI_1) Entering BACKUP STATE\n\
         May 31 11:26:17 server-b Keepalived_vrrp[61577]: (VI_1) received lower priority (101) advert from 10.0.0.1 - discarding\n\
         May 31 11:26:19 server-b Keepalived_vrrp[61577]: (VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == "preempted-by-higher-priority")
        .unwrap_or_else(|| panic!("{report:#}"));
    let explanation = finding["explanation"].as_str().unwrap().replace('\n', " ");
    assert!(explanation.contains("and yielded"), "{explanation}");
    // The takeover twenty seconds later, on adverts weaker than those it yielded to: most often
    // the MASTER's priority fell (master-priority-fell).
    assert!(
        explanation.contains("Most often the MASTER's priority fell"),
        "{explanation}"
    );
    // The yield's remedy already ends with the takeover's: it is given once.
    let remedy = finding["remedy"].as_str().unwrap();
    assert_eq!(remedy.matches("configure nopreempt").count(), 1, "{remedy}");
    // The priorities the adverts carried are named where no keepalived.conf gives them.
    let text = analyze_text(bundle.path());
    assert!(!text.contains("priorities: not in the input"), "{text}");
}

/// `{priorities}` where no keepalived.conf is given: what the lines say of each node (its own
/// `ours N`, its effective priority) and of an advert's sender, a sender the line does not name
/// told apart from the nodes.
#[test]
fn priorities_are_named_from_the_lines_where_no_configuration_gives_them() {
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Jan 27 15:49:45 lb1 Keepalived[100]: Starting Keepalived v1.3.5\n\
         Jan 27 15:49:45 lb1 Keepalived_vrrp[101]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Jan 27 15:49:48 lb1 Keepalived_vrrp[101]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Jan 27 15:49:49 lb1 Keepalived_vrrp[101]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Jan 27 15:57:20 lb1 Keepalived_vrrp[101]: VRRP_Instance(VI_1) Received advert with higher priority 255, ours 254\n\
         Jan 27 15:57:20 lb1 Keepalived_vrrp[101]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
    );
    let text = analyze_text(bundle.path()).replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("priorities: as logged: 254 on lb1, 255 from a sender not named"),
        "{text}"
    );
}

/// A file whose lines name no host, beside one host's syslog, is not that host's when its name
/// names another machine and no keepalived process is in both, even where either shows a start
/// (both journals of `journalctl -u keepalived` begin with one): ycdocs' master-server-m3 was
/// read as backup-server-m3.
#[test]
fn a_hostless_file_named_after_another_machine_with_other_processes_is_that_machine() {
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).unwrap();
    write(
        "master-m3.journal",
        "Keepalived[4045]: Starting Keepalived v2.2.8 (04/04,2023)\n\
         Keepalived[4045]: Starting VRRP child process, pid=4046\n\
         Keepalived_vrrp[4046]: (M3) Entering BACKUP STATE (init)\n\
         Keepalived_vrrp[4046]: (M3) Entering MASTER STATE\n",
    );
    write(
        "backup-m3.journal",
        "Feb 19 07:07:58 backup-m3 Keepalived[2751]: Starting Keepalived v2.2.8 (04/04,2023)\n\
         Feb 19 07:07:58 backup-m3 Keepalived[2751]: Starting VRRP child process, pid=2752\n\
         Feb 19 07:07:58 backup-m3 Keepalived_vrrp[2752]: (M3) Entering BACKUP STATE (init)\n\
         Feb 19 07:08:07 backup-m3 Keepalived_vrrp[2752]: (M3) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(node_names(&report), ["backup-m3", "master-m3"], "{report}");
    // A file named as a log is the host's after a restart, as before.
    std::fs::rename(
        folder.path().join("master-m3.journal"),
        folder.path().join("keepalived.log"),
    )
    .unwrap();
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(node_names(&report), ["backup-m3"], "{report}");
}

/// A stretch in which no node of the logs was MASTER, every node's state known, is said where
/// the last MASTER went to FAULT or stopped (blogh's two nodes in FAULT on one tracked file for
/// four minutes), or restarted into FAULT (a start's lower-case `entering FAULT state`: what it
/// held before, it holds no more); not where it yielded (a better MASTER existed, though the peer's logs are
/// silent: cfhaproxy), nor where a node heard a MASTER meanwhile.
#[test]
fn a_stretch_without_a_master_is_said_where_the_last_master_faulted() {
    let pair = |p1_leaves: &str, p1_after: &str| {
        BundleBuilder::new()
            .file(
                "p1",
                "var/log/messages",
                format!(
                    "Jan 28 16:29:05 p1 Keepalived_vrrp[22672]: (VI_1) Entering BACKUP STATE (init)\n\
                     Jan 28 16:29:07 p1 Keepalived_vrrp[22672]: (VI_1) Entering MASTER STATE\n\
                     {p1_leaves}\
                     Jan 28 17:36:33 p1 Keepalived_vrrp[{p1_after}]: (VI_1) Entering BACKUP STATE\n"
                ),
            )
            .file(
                "p2",
                "var/log/messages",
                "Jan 28 16:29:08 p2 Keepalived_vrrp[5257]: (VI_1) Entering BACKUP STATE (init)\n\
                 Jan 28 17:27:50 p2 Keepalived_vrrp[5257]: (VI_1): entering FAULT state (tracked file trigger_file has status -254)\n\
                 Jan 28 17:31:56 p2 Keepalived_vrrp[5257]: (VI_1) Entering BACKUP STATE\n\
                 Jan 28 17:31:59 p2 Keepalived_vrrp[5257]: (VI_1) Entering MASTER STATE\n\
                 Jan 28 17:40:00 p2 Keepalived_vrrp[5257]: (VI_1) sending adverts\n",
            )
    };
    let bundle = pair(
        "Jan 28 17:27:51 p1 Keepalived_vrrp[22672]: (VI_1): entering FAULT state (tracked file trigger_file has status -254)\n",
        "22672",
    );
    let outage = "No node of these logs was MASTER of VI_1 from 17:27:51 to 17:31:59 (4 min 8 s): neither p1 nor p2 held the VIP";
    let flat = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = flat(analyze_text(bundle.path()));
    assert!(text.contains(outage), "{text}");
    // p1 restarted into FAULT (a new process, no stop logged).
    let bundle = pair(
        "Jan 28 17:27:51 p1 Keepalived[30000]: Starting Keepalived v2.2.1 (01/17,2021)\n\
         Jan 28 17:27:51 p1 Keepalived[30000]: Starting VRRP child process, pid=30001\n\
         Jan 28 17:27:51 p1 Keepalived_vrrp[30001]: (VI_1): entering FAULT state (tracked file trigger_file has status -254)\n",
        "30001",
    );
    let text = flat(analyze_text(bundle.path()));
    assert!(text.contains(outage), "{text}");
    // p1 yielded to a better advert: someone was MASTER.
    let bundle = pair(
        "Jan 28 17:27:51 p1 Keepalived_vrrp[22672]: (VI_1) Master received advert from 10.0.0.9 with higher priority 120, ours 100\n\
         Jan 28 17:27:51 p1 Keepalived_vrrp[22672]: (VI_1) Entering BACKUP STATE\n",
        "22672",
    );
    let text = analyze_text(bundle.path());
    assert!(!text.contains("No node of these logs was MASTER"), "{text}");
}

/// keepalived 1.3 writes an equal-priority advert from a higher address as `higher priority 253,
/// ours 253`: the finding says the address decided, not that the sender's priority was higher.
#[test]
fn an_equal_priority_written_as_higher_says_the_address_decided() {
    let bundle = BundleBuilder::new().file(
        "old-master",
        "var/log/messages",
        "Nov 25 10:00:00 old-master Keepalived_vrrp[12]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Nov 25 10:05:00 old-master Keepalived_vrrp[12]: VRRP_Instance(VI_1) Received advert with higher priority 253, ours 253\n\
         Nov 25 10:05:00 old-master Keepalived_vrrp[12]: VRRP_Instance(VI_1) Entering BACKUP STATE\n",
    );
    let text = analyze_text(bundle.path()).replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("priority 253, equal to its own: the sender's higher IP address decided"),
        "{text}"
    );
}

/// Review of the day's change: a lone file named after a log or a program keeps its whole name
/// (`drbd.log`, `error.log`, `paste.txt`); a hostless file with a date in it beside a host's log
/// is that host's later run, not another machine (`after-upgrade.log`).
#[test]
fn files_named_after_logs_or_later_runs_are_not_machines() {
    let folder = tempfile::tempdir().unwrap();
    for name in ["drbd.log", "error.log", "paste.txt"] {
        let file = folder.path().join(name);
        std::fs::write(
            &file,
            "Tue Nov 25 10:00:02 2025: (VI_2) Entering MASTER STATE\n",
        )
        .unwrap();
        let (report, _) = analyze(&file, &[]);
        assert_eq!(report["nodes"][0]["name"], name, "{report}");
        std::fs::remove_file(&file).unwrap();
    }
    let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).unwrap();
    write(
        "lb1.messages",
        "Nov 25 10:00:00 lb1 Keepalived[10]: Starting Keepalived v2.2.8\n\
         Nov 25 10:00:00 lb1 Keepalived_vrrp[11]: (VI_1) Entering BACKUP STATE (init)\n\
         Nov 25 10:00:04 lb1 Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n",
    );
    write(
        "after-upgrade.log",
        "Nov 25 12:00:00 Keepalived[199]: Starting Keepalived v2.3.1\n\
         Nov 25 12:00:00 Keepalived_vrrp[200]: (VI_1) Entering BACKUP STATE (init)\n\
         Nov 25 12:00:04 Keepalived_vrrp[200]: (VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(node_names(&report), ["lb1"], "{report}");
}

#[test]
fn lines_copied_from_other_tools_and_pastes_read_as_the_same_lines() {
    // One takeover written as journalctl -o short-full, -o short-unix, a Kibana table copied
    // with its tabs, a CSV export, and a bulleted, quoted paste: each is read the same.
    let layouts: [(&str, [&str; 2]); 5] = [
        (
            "full.log",
            [
                "Thu 2026-03-05 10:00:00 UTC nodea Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE",
                "Thu 2026-03-05 10:00:04 UTC nodea Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE",
            ],
        ),
        (
            "unix.log",
            [
                "1772704800.000000 nodea Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE",
                "1772704804.000000 nodea Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE",
            ],
        ),
        (
            "kibana.log",
            [
                "Mar 5, 2026 @ 10:00:00.000\tnodea\tKeepalived_vrrp[12]: (VI_1) Entering BACKUP STATE",
                "Mar 5, 2026 @ 10:00:04.000\tnodea\tKeepalived_vrrp[12]: (VI_1) Entering MASTER STATE",
            ],
        ),
        (
            "export.csv",
            [
                r#""2026-03-05T10:00:00.000Z","nodea","Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE""#,
                r#""2026-03-05T10:00:04.000Z","nodea","Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE""#,
            ],
        ),
        (
            "ticket.txt",
            [
                "> - Mar  5 10:00:00 nodea Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE",
                "> - Mar  5 10:00:04 nodea Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE",
            ],
        ),
    ];
    for (name, lines) in layouts {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join(name);
        std::fs::write(&file, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
        let (report, _) = analyze(&file, &[]);
        let takeover = change_to(&report, "transitions", "nodea", "MASTER")
            .unwrap_or_else(|| panic!("{name}: {report}"));
        assert_eq!(takeover["from"], "BACKUP", "{name}: {report}");
        assert!(
            takeover["time"]
                .as_str()
                .is_some_and(|time| time.starts_with("2026-03-05T10:00:04")),
            "{name}: {report}"
        );
    }
}

#[test]
fn a_file_named_after_the_hosts_sibling_is_that_machine_though_its_lines_name_the_host() {
    // A cloned VM whose syslog still writes the first machine's name: lb2.messages says `lb1`.
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).unwrap();
    write(
        "lb1.messages",
        "Jun  5 08:28:57 lb1 Keepalived_vrrp[22216]: (VI_1) Entering BACKUP STATE (init)\n\
         Jun  5 08:29:01 lb1 Keepalived_vrrp[22216]: (VI_1) Entering MASTER STATE\n",
    );
    write(
        "lb2.messages",
        "Jun  5 09:24:10 lb1 Keepalived_vrrp[2264]: (VI_1) Entering BACKUP STATE (init)\n\
         Jun  5 09:28:24 lb1 Keepalived_vrrp[2264]: (VI_1) Backup received priority 0 advertisement\n\
         Jun  5 09:28:24 lb1 Keepalived_vrrp[2264]: (VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(node_names(&report), ["lb1", "lb2"], "{report}");
    assert_eq!(
        change_to(&report, "transitions", "lb2", "MASTER").unwrap()["from"],
        "BACKUP",
        "{report}"
    );
    // A drill's transcript of the same machine is no sibling: it stays the host's.
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).unwrap();
    write(
        "pg-primary.messages",
        "Mar 10 13:14:20 pg-primary Keepalived_vrrp[100]: (pg_ha) Entering MASTER STATE\n",
    );
    write(
        "drill.transcript",
        "Mar 10 15:16:33 pg-primary Keepalived_vrrp[300]: (pg_ha) Entering BACKUP STATE (init)\n",
    );
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(node_names(&report), ["pg-primary"], "{report}");
}

#[test]
fn a_stop_whose_priority_zero_comes_from_a_new_process_was_a_masters_stop() {
    // The BACKUP line is an earlier run's; the process that stops sends priority 0, which only
    // a MASTER sends: it had become MASTER in lines the excerpt does not hold.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("dbnode.messages");
    std::fs::write(
        &file,
        "Jan 10 10:00:05 dbnode Keepalived_vrrp[64509]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Jan 10 11:00:09 dbnode Keepalived[116366]: Stopping\n\
         Jan 10 11:00:09 dbnode Keepalived_vrrp[116368]: VRRP_Instance(VI_1) sent 0 priority\n\
         Jan 10 11:00:10 dbnode Keepalived_vrrp[116368]: Stopped\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let stop = change_to(&report, "transitions", "dbnode", "STOP").unwrap();
    assert_eq!(stop["from"], "MASTER", "{report}");
    assert_eq!(report["verdict"]["status"], "failover", "{report}");
}

#[test]
fn data_recovery_advice_keeps_a_node_of_the_split_brain_not_a_bystander() {
    // k8s-master2 and k8s-master3 were both MASTER; k8s-master1, MASTER at the end of the logs,
    // has lines only from a boot ten hours later: its data is not the data to keep (a field
    // case's files, with one DRBD line: DRBD's recovery is advised only where the input shows
    // DRBD).
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "testdata/field/tonycheng2017-v13x-kubeadm-3master-grep-state-only-master2-dual-master-7s",
    );
    let copy = tempfile::tempdir().unwrap();
    for node in ["k8s-master1", "k8s-master2", "k8s-master3"] {
        let name = format!("{node}.grep");
        let mut text = std::fs::read_to_string(case.join(&name)).unwrap();
        if node == "k8s-master1" {
            text.push_str(
                "Nov 03 02:02:45 k8s-master1 kernel: drbd r0: role( Secondary -> Primary )\n",
            );
        }
        std::fs::write(copy.path().join(&name), text).unwrap();
    }
    let (report, _) = analyze(copy.path(), &[]);
    let window = &report["split_brain"][0];
    assert_eq!(
        window["nodes"],
        serde_json::json!(["k8s-master2", "k8s-master3"]),
        "{report}"
    );
    let remedies: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|finding| finding["remedy"].as_str())
        .filter(|remedy| remedy.contains("discard-my-data"))
        .collect();
    assert!(!remedies.is_empty(), "{report}");
    for remedy in remedies {
        assert!(!remedy.contains("keep k8s-master1's data"), "{remedy}");
        assert!(
            remedy.contains("the logs do not tell whose data to keep"),
            "{remedy}"
        );
    }
}

#[test]
fn a_track_scripts_failing_exit_statuses_are_its_failure_where_no_failed_line_is_given() {
    // The excerpt begins with the script's exit statuses, not keepalived's `failed` line: the
    // instance was in FAULT from the first of them, and its BACKUP entry is the recovery.
    // keepalived 1.x writes the script's whole command line: also an interpreter and arguments.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("devil19.journal");
    for command in [
        "/home/oracle/primary_check.sh",
        "/bin/bash /home/oracle/primary_check.sh --role primary",
    ] {
        std::fs::write(
            &file,
            format!(
                "Dec 24 18:44:15 devil19 Keepalived_vrrp[1285]: {command} exited with status 1\n\
                 Dec 24 18:44:20 devil19 Keepalived_vrrp[1285]: {command} exited with status 1\n\
                 Dec 24 18:44:50 devil19 Keepalived_vrrp[1285]: VRRP_Script(primary_check) succeeded\n\
                 Dec 24 18:44:51 devil19 Keepalived_vrrp[1285]: VRRP_Instance(VIP_PRIMARY) Entering BACKUP STATE\n"
            ),
        )
        .unwrap();
        let (report, _) = analyze(&file, &[]);
        let backup = change_to(&report, "transitions", "devil19", "BACKUP").unwrap();
        assert_eq!(backup["from"], "FAULT", "{command}: {report}");
        assert_eq!(backup["cause"], "script-fault", "{command}: {report}");
    }
}

#[test]
fn a_dropped_advert_without_a_reason_takes_the_reason_of_the_lines_beside_it() {
    // keepalived 1.x writes `bogus VRRP packet` first and the reason two lines later.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("kolla.messages");
    std::fs::write(
        &file,
        "Mar  5 10:00:00 kolla Keepalived_vrrp[7]: bogus VRRP packet received on eth0 !!!\n\
         Mar  5 10:00:00 kolla Keepalived_vrrp[7]: VRRP_Instance(VI_51) ignoring received advertisment...\n\
         Mar  5 10:00:00 kolla Keepalived_vrrp[7]: ip address associated with VRID not present in received packet : 10.145.213.53\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "adverts-rejected", "{report}");
    assert!(
        finding["explanation"]
            .as_str()
            .unwrap()
            .contains("their VIP list is not its own (10.145.213.53"),
        "{report}"
    );
}

#[test]
fn a_tab_separated_table_is_one_node_and_an_application_log_with_a_year_is_no_syslog() {
    // Every row of a table copied with tabs, keepalived's or not, names the same host.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("table.txt");
    std::fs::write(
        &file,
        "Mar  5 10:00:00\tlb1\tsshd[1]:\taccepted\n\
         Mar  5 10:00:01\tlb1\tKeepalived_vrrp[1]:\t(VI_1) Entering MASTER STATE\n\
         Mar  5 10:00:02\tlb1\tsshd[1]:\taccepted\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    assert_eq!(node_names(&report), ["lb1"], "{report}");
    // java.util.logging's `Mar 05, 2026 10:15:30 PM class method` is not a syslog line of host PM.
    let file = folder.path().join("catalina.out");
    std::fs::write(
        &file,
        "Mar 05, 2026 10:15:30 PM org.apache.catalina.startup.Catalina start\n\
         INFO: Server startup in 1234 ms\n",
    )
    .unwrap();
    let events = esc_diag([
        "timeline".as_ref(),
        "--all".as_ref(),
        "--format".as_ref(),
        "ndjson".as_ref(),
        file.as_os_str(),
    ])
    .ndjson();
    assert!(
        events.iter().all(|event| event["host"] != "PM"),
        "{events:?}"
    );
}

#[test]
fn a_journal_header_that_names_only_its_beginning_dates_the_year_of_every_node() {
    // `journalctl -f` on lb1 (a header with no end) and lb2's year-less syslog: both are dated
    // by the header, the first year after it, and say so; not by the files' dates (a copy's).
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "-- Logs begin at Thu 2025-06-05 03:42:13 UTC. --\n\
             Jun 05 08:29:01 lb1 Keepalived_vrrp[1456]: (VI_1) Entering MASTER STATE\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Jun 05 09:28:24 lb2 Keepalived_vrrp[1308]: (VI_1) Backup received priority 0 advertisement\n\
             Jun 05 09:28:24 lb2 Keepalived_vrrp[1308]: (VI_1) Entering MASTER STATE\n\
             Jun 06 10:00:00 lb2 Keepalived_vrrp[1308]: (VI_1) Sending gratuitous ARP on eth0 for 10.0.0.50\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    // (lb2's logs run a day longer than lb1's: the header bounds each file's first line.)
    for node in ["lb1", "lb2"] {
        let time = change_to(&report, "transitions", node, "MASTER").unwrap()["time"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(time.starts_with("2025-06-05T"), "{node}: {time}");
    }
    let warnings = report["coverage"]["warnings"].to_string();
    assert!(
        warnings
            .contains("the year 2025 is the first after the journal's beginning its header gives"),
        "{warnings}"
    );
    assert!(
        warnings.contains("beginning the header of lb1's var/log/messages gives (2025-06-05)"),
        "{warnings}"
    );
}

#[test]
fn the_checker_process_stopping_leaves_the_vrrp_instances_running() {
    // Keepalived_healthcheckers writes the same `Stopped` as the VRRP process; alone (the checker
    // restarted), it stops no VRRP instance: the MASTER goes on announcing.
    let bundle = BundleBuilder::new().file(
        "lb-ws1",
        "var/log/messages",
        "Jan 26 16:47:10 lb-ws1 Keepalived_vrrp[3147]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Jan 26 17:15:32 lb-ws1 Keepalived_healthcheckers[3146]: Stopped\n\
         Jan 26 17:15:40 lb-ws1 Keepalived_vrrp[3147]: VRRP_Instance(VI_1) Sending gratuitous ARPs on eth0 for 10.0.0.50\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert!(
        change_to(&report, "transitions", "lb-ws1", "STOP").is_none(),
        "{}",
        report["transitions"]
    );
    // The VRRP process's own Stopped, after its priority 0, is a stop in order.
    let bundle = BundleBuilder::new().file(
        "lb-ws1",
        "var/log/messages",
        "Jan 26 16:47:10 lb-ws1 Keepalived_vrrp[3147]: (VI_1) Entering MASTER STATE\n\
         Jan 26 17:15:32 lb-ws1 Keepalived_vrrp[3147]: (VI_1) sent 0 priority\n\
         Jan 26 17:15:32 lb-ws1 Keepalived_vrrp[3147]: (VI_1) removing VIPs.\n\
         Jan 26 17:15:33 lb-ws1 Keepalived_vrrp[3147]: Stopped - used 0.006543 user time, 0.015268 system time\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let stop = change_to(&report, "transitions", "lb-ws1", "STOP").unwrap();
    assert_eq!(stop["cause"], "manual", "{report}");
}

#[test]
fn a_status_headers_zone_places_its_stamps_beside_stamps_that_say_their_zone() {
    let status = "● keepalived.service - LVS and VRRP High Availability Monitor\n   \
                  Active: active (running) since Fri 2023-12-22 05:22:24 EST; 10min ago\n\n\
                  Dec 22 05:22:24 nodea Keepalived_vrrp[60333]: (VI_1) Entering BACKUP STATE (init)\n\
                  Dec 22 05:30:00 nodea Keepalived_vrrp[60333]: (VI_1) Backup received priority 0 advertisement\n\
                  Dec 22 05:30:00 nodea Keepalived_vrrp[60333]: (VI_1) Entering MASTER STATE\n";
    // Alone, zone-less stamps are shown as written (marked UTC), the header's zone only named.
    let alone = BundleBuilder::new().file("nodea", "var/log/messages", status);
    let (report, _) = analyze(alone.path(), &[]);
    let master = change_to(&report, "transitions", "nodea", "MASTER").unwrap();
    assert_eq!(master["time"], "2023-12-22T05:30:00Z", "{report}");
    // Beside a node whose stamps carry their offset, the header's zone places them on one clock:
    // nodeb's stop (10:29:55 UTC) is the priority 0 nodea took over on, five seconds later.
    let mixed = BundleBuilder::new()
        .file("nodea", "var/log/messages", status)
        .file(
            "nodeb",
            "var/log/messages",
            "2023-12-22T05:20:00.000000-05:00 nodeb Keepalived_vrrp[100]: (VI_1) Entering MASTER STATE\n\
             2023-12-22T05:29:55.000000-05:00 nodeb Keepalived[99]: Stopping\n\
             2023-12-22T05:29:55.100000-05:00 nodeb Keepalived_vrrp[100]: (VI_1) sent 0 priority\n\
             2023-12-22T05:29:56.000000-05:00 nodeb Keepalived_vrrp[100]: Stopped\n",
        );
    let (report, _) = analyze(mixed.path(), &[]);
    let master = change_to(&report, "transitions", "nodea", "MASTER").unwrap();
    assert_eq!(master["time"], "2023-12-22T10:30:00Z", "{report}");
    assert_ne!(master["cause"], "peer-silent", "{report}");
    assert!(
        report["coverage"]["warnings"]
            .to_string()
            .contains("stamps without a zone are read as EST (UTC-05:00)"),
        "{}",
        report["coverage"]["warnings"]
    );
    assert!(
        report["split_brain"].as_array().unwrap().is_empty(),
        "{report}"
    );
}

/// A failover moves a VIP: a change neither to nor from MASTER (a standby's check failing) and a
/// lone node's start-up takeover with no MASTER heard are not one; their warnings lead.
#[test]
fn a_standbys_fault_and_a_lone_start_up_are_not_failovers() {
    let standby = BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            "Feb  2 06:00:00 esc-ha-0 Keepalived_vrrp[100]: VRRP_Instance(esc_ha) Entering MASTER STATE\n\
             Feb  2 07:30:00 esc-ha-0 Keepalived_vrrp[100]: VRRP_Script(chk_esc) succeeded\n",
        )
        .file(
            "esc-ha-1",
            "var/log/messages",
            "Feb  2 06:00:00 esc-ha-1 Keepalived_vrrp[200]: VRRP_Instance(esc_ha) Entering BACKUP STATE\n\
             Feb  2 07:15:02 esc-ha-1 Keepalived_vrrp[200]: VRRP_Script(chk_esc) failed\n\
             Feb  2 07:15:02 esc-ha-1 Keepalived_vrrp[200]: VRRP_Instance(esc_ha) Now in FAULT state\n\
             Feb  2 07:20:02 esc-ha-1 Keepalived_vrrp[200]: VRRP_Script(chk_esc) succeeded\n\
             Feb  2 07:20:02 esc-ha-1 Keepalived_vrrp[200]: VRRP_Instance(esc_ha) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(standby.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["status"], "degraded", "{verdict}");
    assert!(
        verdict["headline"]
            .as_str()
            .unwrap()
            .contains("esc-ha-1 BACKUP → FAULT"),
        "{verdict}"
    );
    let lone = BundleBuilder::new().file(
        "esc-ha-1",
        "var/log/messages",
        "Mar 03 18:10:16 esc-ha-1 Keepalived_vrrp[7901]: (esc_ha) Entering BACKUP STATE (init)\n\
         Mar 03 18:10:19 esc-ha-1 Keepalived_vrrp[7901]: (esc_ha) Receive advertisement timeout\n\
         Mar 03 18:10:19 esc-ha-1 Keepalived_vrrp[7901]: (esc_ha) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(lone.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["status"], "degraded", "{verdict}");
    assert!(
        verdict["headline"]
            .as_str()
            .unwrap()
            .contains("Heard no MASTER after start-up"),
        "{verdict}"
    );
    // The takeover is still a transition of the report, with its cause.
    let master = change_to(&report, "failovers", "esc-ha-1", "MASTER").unwrap();
    assert_eq!(master["cause"], "peer-silent", "{report}");
}

/// DRBD 8.4 names the device on its split-brain line and the resource on the lines beside it:
/// the recovery commands name that resource, never `all` (a host with several resources).
#[test]
fn drbd_recovery_names_the_resource_beside_a_device_line() {
    let bundle = BundleBuilder::new().file(
        "node01",
        "var/log/messages",
        "May  6 01:08:59 node01 kernel: block drbd1: Split-Brain detected but unresolved, dropping connection!\n\
         May  6 01:08:59 node01 kernel: drbd resource1: conn( Disconnecting -> StandAlone )\n\
         May  6 01:09:10 node01 kernel: drbd resource2: conn( WFConnection -> Connected )\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let remedies = texts(&report["findings"], "remedy");
    let recovery = remedies
        .iter()
        .find(|remedy| remedy.contains("--discard-my-data"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        recovery.contains("drbdadm disconnect resource1"),
        "{recovery}"
    );
    assert!(!recovery.contains(" all"), "{recovery}");
}

/// keepalived 1.x's starting node logs `Entering MASTER STATE` a second after the transition whose
/// advert made the old MASTER yield: the start is still the incident's cause, not the yield.
#[test]
fn a_1x_yield_logged_just_before_the_starting_peers_takeover_is_caused_by_the_start() {
    let bundle = BundleBuilder::new()
        .file(
            "n1",
            "var/log/messages",
            "Apr  1 08:00:00 n1 Keepalived[10]: Starting Keepalived v1.3.5 (03/19,2017)\n\
             Apr  1 08:00:00 n1 Keepalived[11]: Starting VRRP child process, pid=12\n\
             Apr  1 08:00:00 n1 Keepalived_healthcheckers[13]: Registering Kernel netlink reflector\n\
             Apr  1 08:00:01 n1 Keepalived_vrrp[12]: VRRP_Instance(VI_7) Entering BACKUP STATE\n\
             Apr  1 08:00:05 n1 Keepalived_vrrp[12]: VRRP_Instance(VI_7) Transition to MASTER STATE\n\
             Apr  1 08:00:06 n1 Keepalived_vrrp[12]: VRRP_Instance(VI_7) Entering MASTER STATE\n",
        )
        .file(
            "n2",
            "var/log/messages",
            "Apr  1 07:00:01 n2 Keepalived_vrrp[22]: VRRP_Instance(VI_7) Entering MASTER STATE\n\
             Apr  1 08:00:05 n2 Keepalived_vrrp[22]: VRRP_Instance(VI_7) Received higher prio advert\n\
             Apr  1 08:00:05 n2 Keepalived_vrrp[22]: VRRP_Instance(VI_7) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let verdict = &report["verdict"];
    assert_eq!(verdict["cause"], "startup-election", "{verdict}");
    // The healthchecker's start-up chatter is not cited where the start lines are.
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["cause"] == "startup-election")
        .expect("the start-up finding");
    assert!(
        finding["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .all(|line| !line["message"]
                .as_str()
                .unwrap()
                .contains("netlink reflector")),
        "{finding}"
    );
}

/// The same keepalived lines read in ESC's words only where the input shows ESC (one of its
/// logs): a plain pair's operator is not told to run escadm, nor to recover DRBD data it has not
/// got; DRBD's recovery is given where the input shows DRBD.
#[test]
fn escs_words_only_where_the_input_shows_esc() {
    let node_a = "Jan 10 09:00:00 lb-a Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n\
                  Jan 10 10:01:00 lb-a Keepalived_vrrp[11]: (VI_1) Master received advert from 10.0.0.2 with higher priority 101, ours 100\n\
                  Jan 10 10:01:00 lb-a Keepalived_vrrp[11]: (VI_1) Entering BACKUP STATE\n";
    let node_b = "Jan 10 09:00:01 lb-b Keepalived_vrrp[12]: (VI_1) Entering BACKUP STATE\n\
                  Jan 10 10:00:00 lb-b Keepalived_vrrp[12]: (VI_1) Receive advertisement timeout\n\
                  Jan 10 10:00:01 lb-b Keepalived_vrrp[12]: (VI_1) Entering MASTER STATE\n";
    let plain = || {
        BundleBuilder::new()
            .file("lb-a", "var/log/messages", node_a)
            .file("lb-b", "var/log/messages", node_b)
    };
    let remedies_of = |bundle: BundleBuilder| {
        let (report, _) = analyze(bundle.path(), &[]);
        assert!(
            !report["split_brain"].as_array().unwrap().is_empty(),
            "{report}"
        );
        texts(&report["findings"], "remedy").join("\n")
    };
    let esc_words = regex::Regex::new(r"\b(ESC|escadm|escmanager|esc_service|kad_vif)\b").unwrap();
    let remedies = remedies_of(plain());
    assert!(!esc_words.is_match(&remedies), "{remedies}");
    assert!(!remedies.contains("discard-my-data"), "{remedies}");
    // One line of DRBD's: its recovery, in DRBD's words.
    let remedies = remedies_of(plain().file(
        "lb-b",
        "var/log/kern.log",
        "Jan 10 10:00:30 lb-b kernel: drbd r0: conn( Connected -> NetworkFailure )\n",
    ));
    assert!(remedies.contains("discard-my-data"), "{remedies}");
    assert!(!esc_words.is_match(&remedies), "{remedies}");
    // ESC's log on one node: ESC's words, and DRBD's recovery (ESC replicates with DRBD).
    let remedies = remedies_of(plain().file(
        "lb-a",
        "var/log/esc/escadm.log",
        "2026-01-10 09:59:00,000 INFO Starting esc_service\n",
    ));
    assert!(remedies.contains("escadm"), "{remedies}");
    assert!(remedies.contains("discard-my-data"), "{remedies}");
}

/// Pasted `cat /proc/drbd` of both nodes beside DRBD's split-brain line, and no keepalived line:
/// the one node Primary at the end (the other Secondary) is the one whose data to keep; where
/// both are Primary, the logs do not tell.
#[test]
fn drbd_recovery_keeps_the_data_of_the_one_primary_a_pasted_status_shows() {
    let status = |role: &str| {
        format!(
            "version: 8.4.0 (api:1/proto:86-100)\n \
             0: cs:StandAlone ro:{role}/Unknown ds:UpToDate/DUnknown   r-----\n    \
             ns:0 nr:0 dw:144 dr:4205 al:5 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:b oos:100\n"
        )
    };
    let split = "Mar  7 15:38:05 node1 kernel: block drbd0: Split-Brain detected but unresolved, dropping connection!\n";
    let recovery_of = |roles: [&str; 2]| {
        let bundle = BundleBuilder::new()
            .file(
                "node1",
                "var/log/messages",
                format!("{}{split}", status(roles[0])),
            )
            .file("node2", "var/log/messages", status(roles[1]));
        let (report, _) = analyze(bundle.path(), &[]);
        texts(&report["findings"], "remedy")
            .into_iter()
            .find(|remedy| remedy.contains("--discard-my-data"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{report}"))
    };
    let recovery = recovery_of(["Secondary", "Primary"]);
    assert!(
        recovery.contains(
            "keep node2's data, since node2 is DRBD Primary at the end of the input and node1 \
             Secondary"
        ),
        "{recovery}"
    );
    assert!(
        recovery.contains("then on node1: drbdadm secondary"),
        "{recovery}"
    );
    let recovery = recovery_of(["Primary", "Primary"]);
    assert!(
        recovery.contains("the logs do not tell whose data to keep"),
        "{recovery}"
    );
}

/// A paste that shows only what a filter kept, or marks where lines were left out, says so
/// under "Not checked": a line the report finds missing may only have been left out.
#[test]
fn a_filtered_or_cut_paste_is_named_as_one() {
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "[root@lb1 ~]# journalctl -u keepalived | grep STATE\n\
         Nov 02 14:23:19 lb1 Keepalived_vrrp[18062]: (VI_1) Entering BACKUP STATE\n\
         ...\n\
         Nov 02 15:17:03 lb1 Keepalived_vrrp[18062]: (VI_1) Entering MASTER STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let warnings: Vec<String> = report["coverage"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| {
            format!(
                "{}:{} {}",
                warning["file"], warning["line"], warning["message"]
            )
        })
        .collect();
    let named = |line: u64, words: &str| {
        warnings
            .iter()
            .any(|warning| warning.contains(&format!(":{line} ")) && warning.contains(words))
    };
    assert!(
        named(1, "what `journalctl -u keepalived | grep STATE` printed"),
        "{warnings:?}"
    );
    assert!(named(3, "`...` marks lines left out"), "{warnings:?}");
}

/// A track script's command, where the lines give it, is what the remedy says to run: keepalived
/// 1.x's exit-status line is the failure of a weighted check where no `failed` line is written
/// (one finding for the run, named by the command), and beside a `VRRP_Script(x) failed` line it
/// gives x's command.
#[test]
fn a_track_scripts_command_in_the_lines_is_the_one_to_run() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("master.messages");
    std::fs::write(
        &file,
        "Dec 22 05:22:24 master Keepalived_vrrp[60333]: VRRP_Instance(kubernetes) removing protocol VIPs.\n\
         Dec 22 05:22:24 master Keepalived_vrrp[60333]: /usr/bin/killall -0 haproxy exited with status 1\n\
         Dec 22 05:22:26 master Keepalived_vrrp[60333]: VRRP_Instance(kubernetes) Transition to MASTER STATE\n\
         Dec 22 05:22:27 master Keepalived_vrrp[60333]: /usr/bin/killall -0 haproxy exited with status 1\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let failing = findings_of(&report, "track-script-failing");
    assert_eq!(failing.len(), 1, "{report:#}");
    assert!(
        failing[0]["title"]
            .as_str()
            .unwrap()
            .contains("`/usr/bin/killall -0 haproxy` fails"),
        "{report:#}"
    );
    assert!(
        failing[0]["remedy"]
            .as_str()
            .unwrap()
            .contains("run `/usr/bin/killall -0 haproxy` by hand (as master's line gives it)"),
        "{report:#}"
    );
    assert_eq!(report["verdict"]["status"], "degraded", "{report:#}");

    let file = folder.path().join("lb.messages");
    std::fs::write(
        &file,
        "Mar  1 10:00:00 lb Keepalived_vrrp[7]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Mar  1 11:00:00 lb Keepalived_vrrp[7]: /keepalived/haproxy_test.sh exited with status 1\n\
         Mar  1 11:00:00 lb Keepalived_vrrp[7]: VRRP_Script(chk_haproxy) failed\n\
         Mar  1 11:00:01 lb Keepalived_vrrp[7]: VRRP_Instance(VI_1) Entering FAULT STATE\n\
         Mar  1 11:00:05 lb Keepalived_vrrp[7]: /keepalived/haproxy_test.sh exited with status 1\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let fault = *findings_of(&report, "script-fault")
        .first()
        .unwrap_or_else(|| panic!("{report:#}"));
    let remedy = fault["remedy"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        remedy.contains(
            "run `chk_haproxy` by hand (its command, as lb's lines give it: `/keepalived/haproxy_test.sh`)"
        ),
        "{remedy}"
    );
    // No finding of its own for the exit statuses beside the `failed` line.
    assert!(
        findings_of(&report, "track-script-failing").is_empty(),
        "{report:#}"
    );
}

/// Commands typed at a shell prompt pasted among the lines are read: an interface taken down by
/// hand before a FAULT is its cause, cited (on the peer's side too, by the order of its own
/// file); a grep's prompt makes the lines a selection, so a FAULT's reason is not inferred from
/// what they lack, and the prompt is still named under "Not checked".
#[test]
fn commands_typed_at_a_pasted_prompt_are_read() {
    let bundle = BundleBuilder::new()
        .file(
            "balancer1",
            "var/log/messages",
            "root@balancer1:/home/vagrant# ip link set eth1 down\n\
             root@balancer1:/home/vagrant# cat /var/log/syslog | grep VI_1\n\
             May 25 12:31:18 vagrant Keepalived_vrrp[54462]: (VI_1) Entering BACKUP STATE (init)\n\
             May 25 12:31:22 vagrant Keepalived_vrrp[54462]: (VI_1) Entering MASTER STATE\n\
             May 25 12:40:45 vagrant Keepalived_vrrp[54462]: (VI_1) Entering FAULT STATE\n\
             May 25 12:40:45 vagrant Keepalived_vrrp[54462]: (VI_1) sent 0 priority\n\
             ---\n\
             root@balancer1:/home/vagrant# ip link set eth1 up\n\
             root@balancer1:/home/vagrant# cat /var/log/syslog | grep VI_1\n\
             May 25 13:02:52 vagrant Keepalived_vrrp[54462]: (VI_1) Entering MASTER STATE\n",
        )
        .file(
            "balancer2",
            "var/log/messages",
            "May 25 12:31:43 vagrant Keepalived_vrrp[54389]: (VI_1) Entering BACKUP STATE (init)\n\
             May 25 12:40:48 vagrant Keepalived_vrrp[54389]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let takeover = change_to(&report, "failovers", "balancer2", "MASTER").unwrap();
    assert_eq!(takeover["cause"], "interface-fault", "{takeover:#}");
    let finding = *findings_of(&report, "interface-set-down-by-hand")
        .first()
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        finding["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["message"] == "ip link set eth1 down" && line["program"] == "shell"),
        "{finding:#}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("the lines after this prompt are what `cat /var/log/syslog | grep"),
        "{text}"
    );

    // The same grep with no command typed: the reason is one of two, and not inferred.
    let bundle = BundleBuilder::new().file(
        "hq",
        "var/log/messages",
        "ana@hq:~$ grep -E \"Entering\" /run/keepalived.log\n\
         Mon Sep 28 18:10:55 2026: (office) Entering BACKUP STATE (init)\n\
         Mon Sep 28 18:10:59 2026: (office) Entering MASTER STATE\n\
         Mon Sep 28 18:11:06 2026: (office) Entering FAULT STATE\n\
         Mon Sep 28 18:11:12 2026: (office) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let fault = change_to(&report, "transitions", "hq", "FAULT").unwrap();
    assert_eq!(fault["cause"], "interface-fault", "{fault:#}");
    assert!(
        !findings_of(&report, "fault-reason-filtered-out").is_empty(),
        "{report:#}"
    );
}

/// A prompt names the host it ran on: a stop typed at the master's prompt, pasted among the
/// backup's lines, is the master's, and the backup's takeover after it is that stop (`manual`),
/// not a silence whose reason is unknown.
#[test]
fn a_command_pasted_among_one_nodes_lines_ran_where_its_prompt_says() {
    let bundle = BundleBuilder::new()
        .file(
            "ssq-56",
            "var/log/messages",
            "[root@ssq-58-56 opt]# /etc/init.d/keepalived start\n\
             Apr  2 10:46:08 ssq-56 Keepalived_vrrp: VRRP_Instance(VIP) Transition to MASTER STATE\n\
             Apr  2 10:46:09 ssq-56 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n",
        )
        .file(
            "ssq-57",
            "var/log/messages",
            "[root@ssq-58-57 ~]# tail -f /var/log/messages\n\
             Apr  2 10:51:44 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering BACKUP STATE\n\
             [root@ssq-58-56 opt]# /etc/init.d/keepalived stop\n\
             Stopping keepalived:[  OK  ]\n\
             [root@ssq-58-57 ~]# tail -f /var/log/messages\n\
             Apr  2 11:10:19 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Transition to MASTER STATE\n\
             Apr  2 11:10:20 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let takeover = change_to(&report, "failovers", "ssq-57", "MASTER").unwrap();
    assert_eq!(takeover["cause"], "manual", "{takeover:#}");
    let timeline = esc_diag([
        "timeline".as_ref(),
        bundle.path().as_os_str(),
        "--format".as_ref(),
        "ndjson".as_ref(),
    ]);
    let stop: Value = timeline
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|event| event["event"] == "operator-command" && event["node"] == "ssq-57")
        .unwrap_or_else(|| panic!("{}", timeline.stdout));
    assert_eq!(stop["fields"]["action"], "keepalived-stop", "{stop:#}");
    assert_eq!(stop["fields"]["prompt_host"], "ssq-58-56", "{stop:#}");
    assert_eq!(stop["fields"]["ran_on"], "ssq-56", "{stop:#}");

    // Typed at the backup's own prompt, the stop is the backup's: no cause for the takeover.
    let bundle = BundleBuilder::new()
        .file(
            "ssq-56",
            "var/log/messages",
            "[root@ssq-58-56 opt]# /etc/init.d/keepalived start\n\
             Apr  2 10:46:09 ssq-56 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n",
        )
        .file(
            "ssq-57",
            "var/log/messages",
            "[root@ssq-58-57 ~]# tail -f /var/log/messages\n\
             Apr  2 10:51:44 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering BACKUP STATE\n\
             [root@ssq-58-57 ~]# /etc/init.d/keepalived stop\n\
             Apr  2 11:10:20 ssq-57 Keepalived_vrrp: VRRP_Instance(VIP) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let takeover = change_to(&report, "failovers", "ssq-57", "MASTER").unwrap();
    assert_ne!(takeover["cause"], "manual", "{takeover:#}");
}

/// A typed command explains only the first change it can have caused, a grep typed after the
/// lines filters none of them, and a prompt naming a host that is no node's is no node's.
#[test]
fn a_typed_command_explains_no_more_than_it_can() {
    let rules_of = |bundle: &BundleBuilder| -> Vec<String> {
        let (report, _) = analyze(bundle.path(), &[]);
        texts(&report["findings"], "rule")
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    // The second FAULT, two days later, is not the interface taken down before the first.
    let bundle = BundleBuilder::new().file(
        "balancer1",
        "var/log/messages",
        "root@balancer1:~# ip link set eth1 down\n\
         root@balancer1:~# cat /var/log/syslog | grep VI_1\n\
         May 25 12:31:18 vagrant Keepalived_vrrp[54462]: (VI_1) Entering BACKUP STATE (init)\n\
         May 25 12:31:22 vagrant Keepalived_vrrp[54462]: (VI_1) Entering MASTER STATE\n\
         May 25 12:40:45 vagrant Keepalived_vrrp[54462]: (VI_1) Entering FAULT STATE\n\
         May 25 12:50:45 vagrant Keepalived_vrrp[54462]: (VI_1) Entering BACKUP STATE\n\
         May 25 12:50:49 vagrant Keepalived_vrrp[54462]: (VI_1) Entering MASTER STATE\n\
         May 27 09:10:00 vagrant Keepalived_vrrp[54462]: (VI_1) Entering FAULT STATE\n",
    );
    let rules = rules_of(&bundle);
    assert_eq!(
        rules
            .iter()
            .filter(|rule| *rule == "interface-set-down-by-hand")
            .count(),
        1,
        "{rules:?}"
    );
    // A grep typed after the lines: they are whole, and their silence about a script counts.
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "May 25 12:31:18 lb1 Keepalived_vrrp[54462]: (VI_1) Entering BACKUP STATE (init)\n\
         May 25 12:31:22 lb1 Keepalived_vrrp[54462]: (VI_1) Entering MASTER STATE\n\
         May 25 12:40:45 lb1 Keepalived_vrrp[54462]: (VI_1) Entering FAULT STATE\n\
         May 25 12:40:46 lb1 systemd[1]: Started Session 5 of user root.\n\
         root@lb1:~# grep -c VRRP /var/log/syslog\n",
    );
    let rules = rules_of(&bundle);
    assert!(
        rules.contains(&"fault-reason-not-logged".to_string()),
        "{rules:?}"
    );
    assert!(
        !rules.contains(&"fault-reason-filtered-out".to_string()),
        "{rules:?}"
    );
    // `lbA` is neither node: its `ip link set eth1 down` explains neither FAULT.
    let bundle = BundleBuilder::new()
        .file(
            "a",
            "var/log/messages",
            "Apr  2 10:46:09 a Keepalived_vrrp[7]: (VIP) Entering MASTER STATE\n\
             Apr  2 11:10:17 a Keepalived_vrrp[7]: (VIP) Entering FAULT STATE\n",
        )
        .file(
            "b",
            "var/log/messages",
            "[root@lbB ~]# tail -f /var/log/messages\n\
             Apr  2 10:51:44 b Keepalived_vrrp[8]: (VIP) Entering BACKUP STATE\n\
             [root@lbA ~]# ip link set eth1 down\n\
             [root@lbB ~]# tail -f /var/log/messages\n\
             Apr  2 11:10:20 b Keepalived_vrrp[8]: (VIP) Entering MASTER STATE\n\
             Apr  2 11:40:20 b Keepalived_vrrp[8]: (VIP) Entering FAULT STATE\n",
        );
    let rules = rules_of(&bundle);
    assert!(
        !rules.contains(&"interface-set-down-by-hand".to_string()),
        "{rules:?}"
    );
}

/// syslogd's `last message repeated N times` repeats the line before it, of the same process:
/// keepalived 1.x's forced election repeated so is a dual master seen from one node; written by
/// another process it repeats something else.
#[test]
fn syslogds_repeat_line_is_the_line_before_it_of_the_same_process() {
    let found = |repeat_pid: u32| {
        let bundle = BundleBuilder::new().file(
            "glados",
            "var/log/messages",
            format!(
                "Jul 13 23:46:44 glados Keepalived_vrrp[10]: VRRP_Instance(LB) Received lower prio advert, forcing new election\n\
                 Jul 13 23:47:01 glados Keepalived_vrrp[{repeat_pid}]: last message repeated 6 times\n"
            ),
        );
        let (report, _) = analyze(bundle.path(), &[]);
        !findings_of(&report, "dual-master-seen-from-one-node").is_empty()
    };
    assert!(found(10));
    assert!(!found(11));
}

/// A node directory whose log holds another machine's lines (a paste of both nodes' grep, a
/// syslog that receives the peer's) reads each machine's lines as its own node: the other
/// host's go to the node of the bundle named as it, else make a node of their own, and the
/// report says so.
#[test]
fn node_directories_holding_two_machines_lines_read_each_as_its_own() {
    // One block of both nodes: node1 stops, node2 takes over on its priority 0.
    let bundle = BundleBuilder::new().file(
        "pair",
        "var/log/messages",
        "Mar  2 14:18:31 node1 Keepalived[5977]: Stopping Keepalived v1.2.13 (03/19,2015)\n\
         Mar  2 14:18:31 node1 Keepalived_vrrp[5980]: VRRP_Instance(VI_1) sending 0 priority\n\
         Mar  2 14:18:31 node1 Keepalived_vrrp[5980]: VRRP_Instance(VI_1) removing protocol VIPs.\n\
         Mar  2 14:18:32 node2 Keepalived_vrrp[5979]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
         Mar  2 14:18:33 node2 Keepalived_vrrp[5979]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
         Mar  2 14:18:33 node2 Keepalived_vrrp[5979]: VRRP_Instance(VI_1) setting protocol VIPs.\n\
         Mar  2 14:18:33 node2 Keepalived_vrrp[5979]: VRRP_Instance(VI_1) Sending gratuitous ARPs on eth1 for 192.168.33.30\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(node_names(&report), ["node1", "pair"], "{report}");
    let failovers = fields(&report["failovers"], ["node", "to", "cause"]);
    assert!(
        failovers.contains(&["pair", "MASTER", "peer-keepalived-stopped"]),
        "{failovers:?}"
    );
    let warnings = texts(&report["coverage"]["warnings"], "message");
    assert!(
        warnings.iter().any(|warning| warning.contains(
            "read by the host each names: node2's as pair's own, node1's as node node1's"
        )),
        "{warnings:?}"
    );

    // lb1's syslog also receives lb2's: lb2's lines there are lb2's (the same process), and lb1
    // is not taken for a MASTER it never was.
    let lb2_lines = "Nov 25 10:00:00 lb2 Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE\n\
                     Nov 25 10:05:00 lb2 Keepalived_vrrp[21]: (VI_1) Entering MASTER STATE\n";
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            format!(
                "Nov 25 09:59:00 lb1 Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n\
                 {lb2_lines}\
                 Nov 25 10:04:59 lb1 Keepalived[10]: Stopping\n\
                 Nov 25 10:04:59 lb1 Keepalived_vrrp[11]: (VI_1) sending 0 priority\n"
            ),
        )
        .file("lb2", "var/log/messages", lb2_lines);
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(node_names(&report), ["lb1", "lb2"], "{report}");
    assert!(
        report["split_brain"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let roles = fields(&report["transitions"], ["node", "to"]);
    assert!(!roles.contains(&["lb1", "BACKUP"]), "{roles:?}");

    // A transcript holding only pg-primary's and pg-standby's lines beside their own
    // directories is no node of its own.
    let bundle = BundleBuilder::new()
        .file(
            "drill",
            "var/log/messages",
            "Mar 10 13:16:27 pg-standby Keepalived_vrrp[11204]: (pg_ha) Entering MASTER STATE\n\
             Mar 10 13:16:33 pg-primary Keepalived[13933]: Starting Keepalived v2.2.8\n\
             Mar 10 13:16:33 pg-primary Keepalived_vrrp[13934]: (pg_ha) Entering BACKUP STATE (init)\n\
             Mar 10 13:16:37 pg-primary Keepalived_vrrp[13934]: (pg_ha) Entering MASTER STATE\n",
        )
        .file(
            "pg-primary",
            "var/log/messages",
            "Mar 10 13:14:25 pg-primary Keepalived_vrrp[13332]: (pg_ha) Entering MASTER STATE\n",
        )
        .file(
            "pg-standby",
            "var/log/messages",
            "Mar 10 13:14:21 pg-standby Keepalived_vrrp[11204]: (pg_ha) Entering BACKUP STATE (init)\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        node_names(&report),
        ["pg-primary", "pg-standby"],
        "{report}"
    );
    let transitions = fields(&report["transitions"], ["node", "to"]);
    assert!(
        transitions.contains(&["pg-standby", "MASTER"]),
        "{transitions:?}"
    );
}

/// A node directory named as the sibling of the host its lines name (a cloned VM that still
/// writes lb1's name), or whose lines are another keepalived's over the same time as that
/// host's own directory, stays a node of its own.
#[test]
fn node_directories_of_a_cloned_host_name_stay_apart() {
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/messages",
            "Nov 25 10:00:00 lb1 Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n\
             Nov 25 10:09:00 lb1 Keepalived_vrrp[11]: (VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "lb2",
            "var/log/messages",
            "Nov 25 10:00:01 lb1 Keepalived_vrrp[31]: (VI_1) Entering BACKUP STATE\n\
             Nov 25 10:09:01 lb1 Keepalived_vrrp[31]: (VI_1) Entering MASTER STATE\n",
        )
        .file(
            "standby",
            "var/log/messages",
            "Nov 25 10:00:02 lb1 Keepalived_vrrp[41]: (VI_2) Entering BACKUP STATE\n\
             Nov 25 10:08:02 lb1 Keepalived_vrrp[41]: (VI_2) Entering MASTER STATE\n\
             Nov 25 10:08:03 backup-x Keepalived_vrrp[51]: (VI_3) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        node_names(&report),
        ["backup-x", "lb1", "lb2", "standby"],
        "{report}"
    );
}

/// A finding that repeats an earlier one's explanation and remedy word for word (a forced
/// election an hour after the first) says them once: the later one points to the earlier, in
/// text, Markdown and HTML alike; the JSON keeps every finding's own words.
#[test]
fn findings_in_the_same_words_say_them_once() {
    let bundle = BundleBuilder::new().file(
        "proxy-master",
        "var/log/messages",
        "Jul 27 20:18:27 proxy-master Keepalived_vrrp[2590]: (VI_1) Received advert from 172.18.88.143 with lower priority 103, ours 104, forcing new election\n\
         Jul 27 21:00:59 proxy-master Keepalived_vrrp[2590]: (VI_1) Received advert from 172.18.88.143 with lower priority 103, ours 104, forcing new election\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let explanations = texts(&report["findings"], "explanation");
    assert_eq!(explanations.len(), 2, "{report}");
    assert_eq!(explanations[0], explanations[1]);
    let opening = &explanations[0][..24];
    for format in ["text", "markdown", "html"] {
        let run = esc_diag([
            "analyze",
            bundle.path().to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(
            run.stdout.matches(opening).count(),
            1,
            "{format}: {}",
            run.stdout
        );
        assert_eq!(
            run.stdout
                .matches("of the finding of the same title above")
                .count(),
            1,
            "{format}: {}",
            run.stdout
        );
    }
}

/// Review of the node directories' split: a node's syslog that also receives the peer's lines
/// (by its name or its address), beside the peer's own directory, gives each line once to the
/// peer, whose captures stay its own (a collected bundle stays healthy); a cloned VM writing the
/// other's host name and process ids, or a machine renamed under one keepalived process, is not
/// merged or split; a directory named for a role holds a forwarded copy of the other's lines.
#[test]
fn node_directories_with_forwarded_copies_clones_and_renames_read_right() {
    let lb2_lines = |host: &str| {
        format!(
            "Nov 25 09:58:00 {host} Keepalived[20]: Starting Keepalived v2.2.8 (01/03,2024)\n\
             Nov 25 09:58:00 {host} Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE (init)\n\
             Nov 25 10:05:00 {host} Keepalived_vrrp[21]: (VI_1) Receive advertisement timeout\n\
             Nov 25 10:05:00 {host} Keepalived_vrrp[21]: (VI_1) Entering MASTER STATE\n\
             Nov 25 10:20:00 {host} Keepalived_vrrp[21]: (VI_1) Master received advert from 10.0.0.1 with higher priority 150, ours 100\n\
             Nov 25 10:20:00 {host} Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE\n"
        )
    };
    for forwarded_as in ["lb2", "10.0.0.2"] {
        let bundle = BundleBuilder::new()
            .file(
                "lb1",
                "var/log/messages",
                format!(
                    "Nov 25 09:57:00 lb1 Keepalived_vrrp[11]: (VI_1) Entering BACKUP STATE (init)\n\
                     Nov 25 09:57:04 lb1 Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n\
                     {}\
                     Nov 25 10:19:56 lb1 Keepalived[10]: Stopping\n\
                     Nov 25 10:19:57 lb1 Keepalived[30]: Starting Keepalived v2.2.8 (01/03,2024)\n\
                     Nov 25 10:19:57 lb1 Keepalived_vrrp[31]: (VI_1) Entering BACKUP STATE (init)\n\
                     Nov 25 10:20:00 lb1 Keepalived_vrrp[31]: (VI_1) Entering MASTER STATE\n",
                    lb2_lines(forwarded_as)
                ),
            )
            .file("lb2", "var/log/messages", lb2_lines("lb2"));
        let (report, _) = analyze(bundle.path(), &[]);
        assert_eq!(
            node_names(&report),
            ["lb1", "lb2"],
            "{forwarded_as}: {report}"
        );
        assert!(
            report["split_brain"].as_array().unwrap().is_empty(),
            "{forwarded_as}: {report}"
        );
        let lb2 = fields(&report["transitions"], ["node", "to"])
            .into_iter()
            .filter(|[node, _]| *node == "lb2")
            .count();
        assert_eq!(lb2, 3, "{forwarded_as}: {report}");
    }

    // A collected bundle whose esc-ha-0 syslog receives esc-ha-1's: still healthy.
    let folder = tempfile::tempdir().unwrap();
    copy_tree(&testdata_bundle("lab-healthy"), folder.path());
    let peer = std::fs::read(folder.path().join("esc-ha-1/var/log/messages")).unwrap();
    let mut own = std::fs::read(folder.path().join("esc-ha-0/var/log/messages")).unwrap();
    own.extend_from_slice(&peer);
    std::fs::write(folder.path().join("esc-ha-0/var/log/messages"), own).unwrap();
    let (report, _) = analyze(folder.path(), &[]);
    assert_eq!(report["verdict"]["status"], "healthy", "{report}");

    // A clone that writes web's host name and process ids at the same time as web: apart.
    let bundle = BundleBuilder::new()
        .file(
            "web",
            "var/log/messages",
            "Nov 25 09:00:00 web Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE (init)\n\
             Nov 25 09:00:04 web Keepalived_vrrp[812]: (VI_1) Entering MASTER STATE\n\
             Nov 25 10:00:00 web Keepalived_vrrp[812]: (VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100\n\
             Nov 25 10:00:00 web Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "backup",
            "var/log/messages",
            "Nov 25 09:00:01 web Keepalived_vrrp[812]: (VI_1) Entering BACKUP STATE (init)\n\
             Nov 25 09:10:00 sw-core1 %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to up\n\
             Nov 25 10:00:00 web Keepalived_vrrp[822]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert!(node_names(&report).contains(&"backup"), "{report}");

    // One keepalived process logging under the old host name, then the new one.
    let bundle = BundleBuilder::new().file(
        "db02",
        "var/log/messages",
        "Nov 25 09:00:00 oadb02 Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE (init)\n\
         Nov 25 09:30:00 oadb02 Keepalived_vrrp[21]: (VI_1) Entering MASTER STATE\n\
         Nov 25 09:30:00 oadb02 Keepalived_vrrp[21]: (VI_1) setting VIPs.\n\
         Nov 25 09:40:01 db02 systemd-hostnamed[900]: Changed host name to 'db02'\n\
         Nov 25 10:00:00 db02 Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(node_names(&report), ["db02"], "{report}");

    // `primary/` holds lb-a's lines and a forwarded copy of lb-b's, which `secondary/` holds.
    let lb_b = "Nov 25 09:58:00 lb-b Keepalived_vrrp[21]: (VI_1) Entering BACKUP STATE (init)\n\
                Nov 25 10:05:00 lb-b Keepalived_vrrp[21]: (VI_1) Backup received priority 0 advertisement\n\
                Nov 25 10:05:01 lb-b Keepalived_vrrp[21]: (VI_1) Entering MASTER STATE\n";
    let bundle = BundleBuilder::new()
        .file(
            "primary",
            "var/log/messages",
            format!(
                "Nov 25 09:57:04 lb-a Keepalived_vrrp[11]: (VI_1) Entering MASTER STATE\n\
                 {lb_b}\
                 Nov 25 10:05:00 lb-a Keepalived[10]: Stopping\n"
            ),
        )
        .file("secondary", "var/log/messages", lb_b);
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(node_names(&report), ["primary", "secondary"], "{report}");
    assert!(
        report["split_brain"].as_array().unwrap().is_empty(),
        "{report}"
    );
}

/// A node in FAULT whose logs end moments after keepalived saw its interface come up (1.x's line
/// as the instance leaves FAULT, 2.x's netlink line) or began a reload: the `now` line says FAULT is
/// left or weighed again past the end of the logs, not that the node is in FAULT.
#[test]
fn logs_that_end_as_an_interface_comes_up_say_fault_is_being_left() {
    // The `leaving_fault` records of each instance of one node's lines.
    let leaving = |node: &str, lines: &str| {
        let bundle = BundleBuilder::new().file(node, "var/log/messages", lines);
        let (report, _) = analyze(bundle.path(), &[]);
        report["state_now"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|instance| instance.get("leaving_fault").cloned())
            .collect::<Vec<_>>()
    };
    let one_x = "Aug 18 19:48:54 wildfly1 Keepalived_vrrp[50239]: Kernel is reporting: interface eth1 DOWN\n\
                 Aug 18 19:48:54 wildfly1 Keepalived_vrrp[50239]: VRRP_Instance(VI_1) Entering FAULT STATE\n\
                 Aug 18 19:48:54 wildfly1 Keepalived_vrrp[50239]: VRRP_Instance(VI_1) Now in FAULT state\n\
                 Aug 18 19:48:57 wildfly1 Keepalived_vrrp[50239]: Kernel is reporting: interface eth1 UP\n";
    let found = leaving("wildfly1", one_x);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0][0]["node"], "wildfly1", "{found:?}");
    assert_eq!(found[0][0]["change"], "fault-cleared", "{found:?}");
    assert_eq!(found[0][0]["interface"], "eth1", "{found:?}");
    let bundle = BundleBuilder::new().file("wildfly1", "var/log/messages", one_x);
    let text = analyze_text(bundle.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("wildfly1 left FAULT at") && text.contains("(eth1 up) where its logs end"),
        "{text}"
    );
    // 2.x: one interface back of two that went down is not all that held it in FAULT.
    let found = leaving(
        "lb1",
        "Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 down\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: Netlink reports eth1 down\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) Entering FAULT STATE\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 up\n",
    );
    assert!(found.is_empty(), "{found:?}");
    // Both back: FAULT is left, if nothing else held it.
    let found = leaving(
        "lb1",
        "Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 down\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: Netlink reports eth1 down\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) Entering FAULT STATE\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 up\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: Netlink reports eth1 up\n",
    );
    assert_eq!(found[0][0]["change"], "interface-up", "{found:?}");
    // 1.x's line names no instance: with two instances in FAULT it is neither's.
    let found = leaving(
        "lb1",
        "Aug 18 19:48:54 lb1 Keepalived_vrrp[502]: VRRP_Instance(VI_1) Now in FAULT state\n\
         Aug 18 19:48:54 lb1 Keepalived_vrrp[502]: VRRP_Instance(VI_2) Now in FAULT state\n\
         Aug 18 19:48:57 lb1 Keepalived_vrrp[502]: Kernel is reporting: interface eth0 UP\n",
    );
    assert!(found.is_empty(), "{found:?}");
    // A FAULT a track script put it in: an interface coming up does not end it.
    let found = leaving(
        "lb1",
        "Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) entering FAULT state due to script chk_nginx\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) Entering FAULT STATE\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: Netlink reports eth1 up\n",
    );
    assert!(found.is_empty(), "{found:?}");
    // A reload whose FAULT keepalived writes again after it: the logs say it stayed.
    let fault = "Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) entering FAULT state (interface eth1 down)\n\
                 Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) Entering FAULT STATE\n\
                 Aug 25 10:47:00 lb1 Keepalived_vrrp[1734]: Reloading\n";
    let found = leaving(
        "lb1",
        &format!(
            "{fault}Aug 25 10:47:00 lb1 Keepalived_vrrp[1734]: (VI_1) entering FAULT state (interface eth1 down)\n"
        ),
    );
    assert!(found.is_empty(), "{found:?}");
    // A reload as the logs end: what followed is not in them.
    let found = leaving("lb1", fault);
    assert_eq!(found[0][0]["change"], "reload", "{found:?}");
    // A state line after it: the logs show what followed, nothing is left to say.
    let found = leaving(
        "lb1",
        "Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 down\n\
         Aug 25 10:46:35 lb1 Keepalived_vrrp[1734]: (VI_1) Entering FAULT STATE\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: Netlink reports eth0 up\n\
         Aug 25 10:46:36 lb1 Keepalived_vrrp[1734]: (VI_1) Entering BACKUP STATE\n",
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_new_process_whose_first_line_implies_a_state_restarted_in_that_state() {
    // Two `systemctl status` tails of one node eight minutes apart: the second's process (16157)
    // is new, and its first line is a BACKUP's (`Backup received priority 0 advertisement`). The
    // restart is shown, the BACKUP is known from that line, and the takeover is BACKUP → MASTER.
    let bundle = BundleBuilder::new().file(
        "netology4",
        "var/log/messages",
        "Jul 26 11:06:56 netology4 Keepalived_vrrp[16001]: (RH_1) Entering BACKUP STATE (init)\n\
         Jul 26 11:06:59 netology4 Keepalived_vrrp[16001]: (RH_1) Entering MASTER STATE\n\
         Jul 26 11:07:06 netology4 Keepalived_vrrp[16001]: (RH_1) Master received advert from 172.28.128.90 with higher priority 100, ours 99\n\
         Jul 26 11:07:06 netology4 Keepalived_vrrp[16001]: (RH_1) Entering BACKUP STATE\n\
         Jul 26 11:15:32 netology4 Keepalived_vrrp[16157]: (RH_1) Backup received priority 0 advertisement\n\
         Jul 26 11:15:33 netology4 Keepalived_vrrp[16157]: (RH_1) Entering MASTER STATE\n",
    );
    let changes = transitions_of(bundle.path(), "netology4");
    assert_eq!(
        changes.last(),
        Some(&(
            "2026-07-26T11:15:33Z".into(),
            "BACKUP".into(),
            "MASTER".into()
        )),
        "{changes:?}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "BACKUP 11:07:06 → restarted by 11:15:32 (no stop logged; the old process's last \
             line 11:07:06) → BACKUP by 11:15:32 → MASTER 11:15:33"
        ),
        "{text}"
    );
}

#[test]
fn a_new_process_entering_the_state_held_a_day_later_is_a_restart_not_the_same_mastership() {
    // keepalived 1.x, tests of two days pasted one after the other: the MASTER of Dec 7 and a
    // new process's takeover on Dec 8. Within the hour the state would be taken to hold through
    // (a grep of a MASTER restarted as MASTER); a day later the new takeover is a change of its
    // own, and the yield after it is a failover.
    let lines = |second_day: &str| {
        format!(
            "Dec  7 12:58:22 localhost Keepalived_vrrp[4544]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
             Dec  7 12:58:23 localhost Keepalived_vrrp[4544]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
             {second_day} 14:01:34 localhost Keepalived_vrrp[11463]: VRRP_Instance(VI_1) Transition to MASTER STATE\n\
             {second_day} 14:01:35 localhost Keepalived_vrrp[11463]: VRRP_Instance(VI_1) Entering MASTER STATE\n\
             {second_day} 14:02:56 localhost Keepalived_vrrp[11463]: VRRP_Instance(VI_1) Received higher prio advert 103\n\
             {second_day} 14:02:56 localhost Keepalived_vrrp[11463]: VRRP_Instance(VI_1) Entering BACKUP STATE\n"
        )
    };
    let bundle = BundleBuilder::new().file("node1", "var/log/messages", lines("Dec  8"));
    let changes: Vec<(String, String)> = transitions_of(bundle.path(), "node1")
        .into_iter()
        .map(|(_, from, to)| (from, to))
        .collect();
    assert_eq!(
        changes[changes.len() - 2..],
        [
            ("UNKNOWN".to_string(), "MASTER".to_string()),
            ("MASTER".to_string(), "BACKUP".to_string())
        ],
        "{changes:?}"
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("restarted 2025-12-08 14:01:34") || text.contains("restarted 14:01:34"),
        "{text}"
    );
    // The same lines a minute apart: no restart between two MASTER lines is drawn as a change.
    let bundle = BundleBuilder::new().file(
        "node1",
        "var/log/messages",
        lines("Dec  7").replace("14:0", "13:0"),
    );
    let changes: Vec<(String, String)> = transitions_of(bundle.path(), "node1")
        .into_iter()
        .map(|(_, from, to)| (from, to))
        .collect();
    assert_eq!(
        changes,
        [
            ("UNKNOWN".to_string(), "MASTER".to_string()),
            ("MASTER".to_string(), "BACKUP".to_string())
        ],
        "{changes:?}"
    );
}

#[test]
fn a_line_of_a_new_process_that_tells_no_state_ends_the_state_the_old_one_held() {
    // A BACKUP of process 5725, then a line of a new process (5824) that says no state: the
    // BACKUP is not the state now; the restart is shown where the new process first wrote.
    let bundle = BundleBuilder::new().file(
        "lb",
        "var/log/messages",
        "Jan 13 00:37:34 lb Keepalived_vrrp[5725]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
         Jan 13 00:50:30 lb Keepalived_vrrp[5824]: VRRP_Instance(VI_1) Dropping received VRRP packet...\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let now = &report["state_now"];
    assert!(!now.to_string().contains("\"BACKUP\""), "{now:#}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "BACKUP 00:37:34 → restarted 00:50:30 (no stop logged; the old process's last line \
             00:37:34)"
        ),
        "{text}"
    );
}

#[test]
fn an_address_no_node_has_is_the_master_by_the_advert_yielded_to() {
    // keepalived 2.x, one node's logs: it took over on a priority 0, then yielded to a better
    // advert from 172.32.10.14, whose own logs are not in the input.
    let bundle = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Jan 11 14:00:09 lb2 Keepalived_vrrp[52381]: (VI_1) Backup received priority 0 advertisement\n\
         Jan 11 14:00:10 lb2 Keepalived_vrrp[52381]: (VI_1) Entering MASTER STATE\n\
         Jan 11 14:01:41 lb2 Keepalived_vrrp[52381]: (VI_1) Master received advert from 172.32.10.14 with higher priority 50, ours 49\n\
         Jan 11 14:01:41 lb2 Keepalived_vrrp[52381]: (VI_1) Entering BACKUP STATE\n",
    );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "MASTER 172.32.10.14, by its advert: lb2 yielded to it at 2026-01-11T14:01:41Z (its\n                  own logs are not in the input); standby lb2"
        ),
        "{text}"
    );
}

#[test]
fn the_headline_names_a_later_takeover_of_another_cause_before_a_start_up_preemption() {
    // netology3 starts and preempts netology4 (a pair coming up); eight minutes later netology3
    // is stopped and netology4 takes over on its priority 0: that takeover is the headline, not
    // the start-up, nor a fail-back (netology4 left MASTER by yielding to a better claim).
    let bundle = BundleBuilder::new()
        .file(
            "netology3",
            "var/log/messages",
            "Jul 26 11:07:03 netology3 Keepalived_vrrp[22526]: (RH_1) Entering BACKUP STATE (init)\n\
             Jul 26 11:07:03 netology3 Keepalived_vrrp[22526]: (RH_1) received lower priority (99) advert from 172.28.128.120 - discarding\n\
             Jul 26 11:07:06 netology3 Keepalived_vrrp[22526]: (RH_1) Entering MASTER STATE\n",
        )
        .file(
            "netology4",
            "var/log/messages",
            "Jul 26 11:06:56 netology4 Keepalived_vrrp[16001]: (RH_1) Entering BACKUP STATE (init)\n\
             Jul 26 11:06:59 netology4 Keepalived_vrrp[16001]: (RH_1) Entering MASTER STATE\n\
             Jul 26 11:07:06 netology4 Keepalived_vrrp[16001]: (RH_1) Master received advert from 172.28.128.90 with higher priority 100, ours 99\n\
             Jul 26 11:07:06 netology4 Keepalived_vrrp[16001]: (RH_1) Entering BACKUP STATE\n\
             Jul 26 11:15:32 netology4 Keepalived_vrrp[16001]: (RH_1) Backup received priority 0 advertisement\n\
             Jul 26 11:15:33 netology4 Keepalived_vrrp[16001]: (RH_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let headline = report["verdict"]["headline"].as_str().unwrap();
    assert!(
        headline.contains("netology4 went BACKUP → MASTER of RH_1 at 2026-07-26T11:15:33Z"),
        "{headline}"
    );
}

#[test]
fn a_new_process_whose_first_line_is_written_in_the_state_held_ends_and_reads_in_time() {
    // lb2's new process (4410) first writes a MASTER's yield: the restart holds MASTER through
    // (an interval of no length before the yield); the analysis ends, lb1 is MASTER after it.
    let bundle = BundleBuilder::new()
        .file(
            "lb2",
            "var/log/messages",
            "Mar  3 08:59:54 lb2 Keepalived_vrrp[3302]: (VI_1) Entering MASTER STATE\n\
             Mar  3 09:20:04 lb2 Keepalived_vrrp[4410]: (VI_1) Master received advert from 10.0.0.11 with higher priority 100, ours 90\n\
             Mar  3 09:20:04 lb2 Keepalived_vrrp[4410]: (VI_1) Entering BACKUP STATE\n",
        )
        .file(
            "lb1",
            "var/log/messages",
            "Mar  3 09:20:00 lb1 Keepalived_vrrp[1001]: (VI_1) Entering BACKUP STATE (init)\n\
             Mar  3 09:20:01 lb1 Keepalived_vrrp[1001]: (VI_1) received lower priority (90) advert from 10.0.0.12 - discarding\n\
             Mar  3 09:20:04 lb1 Keepalived_vrrp[1001]: (VI_1) Receive advertisement timeout\n\
             Mar  3 09:20:04 lb1 Keepalived_vrrp[1001]: (VI_1) Entering MASTER STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    assert_eq!(
        report["state_now"][0]["masters"],
        serde_json::json!(["lb1"])
    );
}

#[test]
fn two_copies_of_one_node_s_log_with_other_pids_are_no_restart() {
    // A containerised keepalived: its own syslog says pid 8, the host's journal 48213, both
    // writing from the start. The journal's one line more is no new process: the split-brain
    // runs from lb2's takeover to its yield.
    let journal = "Mar 03 09:00:01 lb1 Keepalived[48211]: Starting Keepalived v2.2.7 (01/16,2022)\n\
         Mar 03 09:00:01 lb1 Keepalived[48211]: Starting VRRP child process, pid=8\n\
         Mar 03 09:00:01 lb1 Keepalived_vrrp[48213]: (VI_1) Entering BACKUP STATE (init)\n\
         Mar 03 09:00:05 lb1 Keepalived_vrrp[48213]: (VI_1) Receive advertisement timeout\n\
         Mar 03 09:00:05 lb1 Keepalived_vrrp[48213]: (VI_1) Entering MASTER STATE\n\
         Mar 03 11:20:41 lb1 Keepalived_vrrp[48213]: (VI_1) Received advert from 10.0.0.12 with lower priority 90, ours 100, forcing new election\n";
    let messages = "Mar  3 09:00:01 lb1 Keepalived[7]: Starting Keepalived v2.2.7 (01/16,2022)\n\
         Mar  3 09:00:01 lb1 Keepalived[7]: Starting VRRP child process, pid=8\n\
         Mar  3 09:00:01 lb1 Keepalived_vrrp[8]: (VI_1) Entering BACKUP STATE (init)\n\
         Mar  3 09:00:05 lb1 Keepalived_vrrp[8]: (VI_1) Receive advertisement timeout\n\
         Mar  3 09:00:05 lb1 Keepalived_vrrp[8]: (VI_1) Entering MASTER STATE\n";
    let bundle = BundleBuilder::new()
        .file("lb1", "var/log/journal.txt", journal)
        .file("lb1", "var/log/messages", messages)
        .file(
            "lb2",
            "var/log/messages",
            "Mar  3 08:59:50 lb2 Keepalived_vrrp[3301]: (VI_1) Entering BACKUP STATE (init)\n\
             Mar  3 11:20:37 lb2 Keepalived_vrrp[3301]: (VI_1) Receive advertisement timeout\n\
             Mar  3 11:20:37 lb2 Keepalived_vrrp[3301]: (VI_1) Entering MASTER STATE\n\
             Mar  3 11:20:41 lb2 Keepalived_vrrp[3301]: (VI_1) Master received advert from 10.0.0.11 with higher priority 100, ours 90\n\
             Mar  3 11:20:41 lb2 Keepalived_vrrp[3301]: (VI_1) Entering BACKUP STATE\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let window = &report["split_brain"][0];
    assert_eq!(window["start"], "2026-03-03T11:20:37Z", "{window}");
    assert_eq!(window["end"], "2026-03-03T11:20:41Z", "{window}");
    let text = analyze_text(bundle.path());
    assert!(!text.contains("restarted"), "{text}");
}

#[test]
fn a_master_that_sent_priority_0_after_the_yield_is_not_named_master_now() {
    let bundle = BundleBuilder::new().file(
        "lb2",
        "var/log/messages",
        "Jan 11 14:00:09 lb2 Keepalived_vrrp[52381]: (VI_1) Backup received priority 0 advertisement\n\
         Jan 11 14:00:10 lb2 Keepalived_vrrp[52381]: (VI_1) Entering MASTER STATE\n\
         Jan 11 14:01:41 lb2 Keepalived_vrrp[52381]: (VI_1) Master received advert from 172.32.10.14 with higher priority 50, ours 49\n\
         Jan 11 14:01:41 lb2 Keepalived_vrrp[52381]: (VI_1) Entering BACKUP STATE\n\
         Jan 11 14:20:03 lb2 Keepalived_vrrp[52381]: (VI_1) Backup received priority 0 advertisement\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    assert!(
        report["state_now"][0]["heard_master"].is_null(),
        "{}",
        report["state_now"]
    );
    let text = analyze_text(bundle.path());
    assert!(!text.contains("MASTER 172.32.10.14"), "{text}");
}

#[test]
fn a_crash_of_a_backup_respawned_is_not_a_stop_and_leaves_no_vip() {
    // keepalived 2.3 (ka2693): the VRRP process crashes just after entering BACKUP, and its parent
    // starts a new one at once. No VIP was held; the state after the respawn is not yet said.
    let bundle = BundleBuilder::new().file(
        "node1",
        "var/log/messages",
        "May 20 07:27:06 node1 Keepalived_vrrp[1950]: Netlink reports ovs-6c8144 up\n\
         May 20 07:27:06 node1 Keepalived_vrrp[1950]: (vrrp1002) Entering BACKUP STATE\n\
         May 20 07:27:06 node1 Keepalived[1895]: pid 1950 exited due to segmentation fault (SIGSEGV).\n\
         May 20 07:27:06 node1 Keepalived[1895]: VRRP child process(1950) died: Respawning\n\
         May 20 07:27:06 node1 Keepalived[1895]: Starting VRRP child process, pid=1424831\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let rules = finding_rules(&report);
    assert!(
        rules.contains(&"keepalived-crashed-not-master"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"keepalived-crashed"), "{rules:?}");
    let stop = change_to(&report, "transitions", "node1", "STOP").unwrap();
    assert_eq!(stop["cause"], "peer-down", "{stop}");
    let text = analyze_text(bundle.path());
    assert!(
        text.contains(
            "BACKUP 07:27:06 → crashed 07:27:06 → respawned 07:27:06 (no state logged after)"
        ),
        "{text}"
    );
    assert!(!text.contains("ip addr del"), "{text}");
}

#[test]
fn a_health_checker_crash_named_by_pid_is_not_a_vrrp_crash() {
    // keepalived 2.3 (ka2601): the parent names the crashed process by pid only; that pid's own
    // lines are the health checker's. The VRRP process, MASTER, runs on.
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Apr 17 06:10:00 lb1 Keepalived_vrrp[34]: (VI_1) Entering MASTER STATE\n\
         Apr 17 06:15:49 lb1 Keepalived_healthcheckers[870]: Reinitializing ipvs\n\
         Apr 17 06:15:49 lb1 Keepalived[32]: pid 870 exited due to segmentation fault (SIGSEGV).\n",
    );
    let (report, _) = analyze(bundle.path(), &[]);
    let rules = finding_rules(&report);
    assert!(rules.contains(&"keepalived-checker-crashed"), "{rules:?}");
    assert!(
        !rules
            .iter()
            .any(|rule| rule.starts_with("keepalived-crashed")),
        "{rules:?}"
    );
    assert!(change_to(&report, "transitions", "lb1", "STOP").is_none());
}

#[test]
fn a_failed_track_script_is_named_in_the_title_and_the_remedy_has_no_placeholder() {
    // Two nodes of a pair whose haproxy check fails as they start (otus KeepAlived.md): both go
    // to FAULT, and the finding names the script.
    let bundle = BundleBuilder::new()
        .file(
            "hap1",
            "var/log/messages",
            "Aug 14 22:59:52 hap1 Keepalived_vrrp[2743]: Script `chk_haproxy` now returning 1\n\
             Aug 14 22:59:52 hap1 Keepalived_vrrp[2743]: VRRP_Script(chk_haproxy) failed (exited with status 1)\n\
             Aug 14 22:59:52 hap1 Keepalived_vrrp[2743]: (hap_srv) Entering FAULT STATE\n",
        )
        .file(
            "hap2",
            "var/log/messages",
            "Aug 14 22:59:51 hap2 Keepalived_vrrp[2675]: Script `chk_haproxy` now returning 1\n\
             Aug 14 22:59:51 hap2 Keepalived_vrrp[2675]: VRRP_Script(chk_haproxy) failed (exited with status 1)\n\
             Aug 14 22:59:51 hap2 Keepalived_vrrp[2675]: (hap_srv) Entering FAULT STATE\n",
        );
    let text = analyze_text(bundle.path());
    assert!(
        text.contains("WARNING  Track script `chk_haproxy` failed ("),
        "{text}"
    );
    assert!(!text.contains("SERVICE"), "{text}");
    assert!(!text.contains("tracked file or tracked process"), "{text}");
}

#[test]
fn a_stretch_without_a_master_that_a_nodes_logs_end_is_said_to_last_at_least_that_long() {
    // Two `systemctl status` tails (otus KeepAlived.md): both nodes in FAULT from their start, both
    // leave it; hap2's tail ends in BACKUP before hap1 is elected. The stretch without a MASTER is
    // known to its end only as far as hap2's logs go.
    let bundle = BundleBuilder::new()
        .file(
            "hap1",
            "var/log/messages",
            "Aug 13 15:49:20 hap1 Keepalived_vrrp[1925]: VRRP_Script(chk_hap_service) failed (exited with status 1)\n\
             Aug 13 15:49:20 hap1 Keepalived_vrrp[1925]: (hap_srv) Entering FAULT STATE\n\
             Aug 13 15:51:52 hap1 Keepalived_vrrp[1925]: VRRP_Script(chk_hap_service) succeeded\n\
             Aug 13 15:51:52 hap1 Keepalived_vrrp[1925]: (hap_srv) Entering BACKUP STATE\n\
             Aug 13 15:51:59 hap1 Keepalived_vrrp[1925]: (hap_srv) Entering MASTER STATE\n",
        )
        .file(
            "hap2",
            "var/log/messages",
            "Aug 13 15:49:17 hap2 Keepalived_vrrp[1957]: VRRP_Script(chk_hap_service) failed (exited with status 1)\n\
             Aug 13 15:49:17 hap2 Keepalived_vrrp[1957]: (hap_srv) Entering FAULT STATE\n\
             Aug 13 15:51:53 hap2 Keepalived_vrrp[1957]: VRRP_Script(chk_hap_service) succeeded\n\
             Aug 13 15:51:53 hap2 Keepalived_vrrp[1957]: (hap_srv) Entering BACKUP STATE\n",
        );
    let text = analyze_text(bundle.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("from 15:49:20 to 15:51:53 at least (2 min 33 s; hap2's logs end then"),
        "{text}"
    );
}

#[test]
fn a_crash_is_named_after_the_process_of_its_own_host_and_found_across_two_files() {
    // One paste of two nodes whose pids are the same numbers: lb2's health checker is 870, and so
    // is lb1's VRRP process, which crashes as MASTER.
    let pasted = tempfile::tempdir().unwrap();
    let file = pasted.path().join("pasted.log");
    std::fs::write(
        &file,
        "Apr 17 06:10:01 lb2 Keepalived_vrrp[871]: (VI_1) Entering BACKUP STATE\n\
         Apr 17 06:10:04 lb1 Keepalived_vrrp[870]: (VI_1) Entering MASTER STATE\n\
         Apr 17 06:15:40 lb2 Keepalived_healthcheckers[870]: TCP connection to [192.168.1.11]:tcp:80 failed.\n\
         Apr 17 06:15:49 lb1 Keepalived[868]: pid 870 exited due to segmentation fault (SIGSEGV).\n\
         Apr 17 06:15:53 lb2 Keepalived_vrrp[871]: (VI_1) Entering MASTER STATE\n",
    )
    .unwrap();
    let (report, _) = analyze(&file, &[]);
    let rules = finding_rules(&report);
    assert!(rules.contains(&"keepalived-crashed"), "{rules:?}");
    assert!(!rules.contains(&"keepalived-checker-crashed"), "{rules:?}");

    // The kernel's line of a crash in kern.log, the parent's in messages: one crash, reported.
    let bundle = BundleBuilder::new()
        .file(
            "lb1",
            "var/log/kern.log",
            "Nov 16 14:03:07 lb1 kernel: [ 3402.118877] keepalived[7937]: segfault at 18 ip 000055850090bead sp 00007ffc80e18990 error 4 in keepalived[5585008e7000+60000]\n",
        )
        .file(
            "lb1",
            "var/log/messages",
            "Nov 16 13:53:27 lb1 Keepalived_vrrp[7937]: (VI_1) Entering MASTER STATE\n\
             Nov 16 14:03:07 lb1 Keepalived[7891]: pid 7937 exited due to segmentation fault (SIGSEGV).\n",
        );
    let (report, _) = analyze(bundle.path(), &[]);
    let rules = finding_rules(&report);
    assert!(rules.contains(&"keepalived-crashed"), "{rules:?}");
}
