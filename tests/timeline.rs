//! `esc-diag timeline` on the shipped bundles: years, zones, clock offsets, rotations, ordering,
//! filters, formats and determinism.

use std::fs;

use serde_json::Value;

use crate::support::{BundleBuilder, esc_diag, testdata_bundle, texts};

fn events(run: &crate::support::Run) -> Vec<Value> {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run.json()["events"]
        .as_array()
        .expect("an events array")
        .clone()
}

/// The events of `timeline --format json` on a path that reads cleanly (exit 0).
fn json_events(path: &std::path::Path) -> Vec<Value> {
    let run = esc_diag([
        "timeline".into(),
        "--format".into(),
        "json".into(),
        path.as_os_str().to_owned(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    events(&run)
}

fn find<'a>(events: &'a [Value], node: &str, text: &str) -> &'a Value {
    events
        .iter()
        .find(|event| event["node"] == node && event["text"].as_str().unwrap_or("").contains(text))
        .unwrap_or_else(|| panic!("no event of {node} with {text:?}"))
}

fn position(events: &[Value], node: &str, text: &str) -> usize {
    events
        .iter()
        .position(|event| {
            event["node"] == node && event["text"].as_str().unwrap_or("").contains(text)
        })
        .unwrap_or_else(|| panic!("no event of {node} with {text:?}"))
}

#[test]
fn year_less_stamps_take_the_year_and_turn_it_at_new_year() {
    let run = ["timeline", "--format", "json"].arg_path(&testdata_bundle("keepalived1-rollover"));
    let events = events(&run);
    let started = find(&events, "esc-ha-0", "Starting Keepalived v1.3.5");
    assert_eq!(started["time"], "2026-12-30T10:00:00Z");
    assert_eq!(started["file"], "var/log/messages-20261231.gz");
    assert_eq!(started["line"], 1);
    // The live file starts on Dec 31 and turns into January.
    assert_eq!(
        find(
            &events,
            "esc-ha-0",
            "VRRP_Instance(esc_ha) removing protocol VIPs."
        )["time"],
        "2027-01-01T00:00:09Z"
    );
    assert_eq!(
        find(&events, "esc-ha-1", "Starting Keepalived v1.3.5")["time"],
        "2026-12-30T10:00:00Z"
    );
}

#[test]
fn a_pasted_systemctl_status_dates_its_journal_tail_in_any_locale() {
    // `systemctl status` under LANG=zh_CN: the tail's months are numbers (`6月`), the Active
    // line carries the year the tail's stamps lack. A second paste's tail turns the year.
    let bundle = BundleBuilder::new()
        .file(
            "master1",
            "var/log/messages",
            "● keepalived.service - LVS and VRRP High Availability Monitor\n   \
             Active: active (running) since 三 2018-06-27 16:45:01 CST; 8s ago\n\n\
             6月 27 16:45:02 master1 Keepalived_vrrp[20046]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
        )
        .file(
            "master2",
            "var/log/messages",
            "   Active: active (running) since Mon 2018-12-31 23:00:00 UTC; 1 day 2h ago\n\n\
             Dec 31 23:59:59 master2 Keepalived_vrrp[1]: VRRP_Instance(VI_1) Entering BACKUP STATE\n\
             Jan 01 00:00:01 master2 Keepalived_vrrp[1]: VRRP_Instance(VI_1) Entering MASTER STATE\n",
        );
    let events = json_events(bundle.path());
    assert_eq!(
        find(&events, "master1", "Entering MASTER STATE")["time"],
        "2018-06-27T16:45:02Z"
    );
    assert_eq!(
        find(&events, "master2", "Entering BACKUP STATE")["time"],
        "2018-12-31T23:59:59Z"
    );
    assert_eq!(
        find(&events, "master2", "Entering MASTER STATE")["time"],
        "2019-01-01T00:00:01Z"
    );
}

#[test]
fn a_pasted_systemctl_status_says_when_keepalived_started() {
    // Two `systemctl status keepalived` pastes of one node: the first run started at 17:36:15,
    // a restart at 17:49:10 (shown twice: the same start, not a third), and nginx's status,
    // which is not keepalived's.
    let status = |since: &str, ago: &str| {
        format!(
            "\tkeepalived.service - Keepalive Daemon (LVS and VRRP)\n\
             \t     Loaded: loaded (/lib/systemd/system/keepalived.service; enabled)\n\
             \t    Drop-In: /etc/systemd/system/keepalived.service.d\n\
             \t             └─override.conf\n\
             \t     Active: active (running) since Thu 2021-05-06 {since} UTC; {ago} ago\n\n"
        )
    };
    let text = [
        status("17:36:15", "7min"),
        "\tMay 06 17:38:25 lb4 Keepalived_vrrp[734]: (VI_1) Entering BACKUP STATE\n".to_string(),
        status("17:49:10", "7min"),
        "\tMay 06 17:49:10 lb4 Keepalived_vrrp[1704]: (VI_1) Entering BACKUP STATE\n".to_string(),
        status("17:49:10", "9min"),
        "● nginx.service - A high performance web server\n   \
         Active: active (running) since Thu 2021-05-06 17:50:00 UTC; 1min ago\n"
            .to_string(),
    ]
    .concat();
    let bundle = BundleBuilder::new().file("lb4", "var/log/messages", text);
    let events = json_events(bundle.path());
    let starts: Vec<(&str, &str, u64)> = events
        .iter()
        .filter(|event| event["event"] == "keepalived-starting")
        .map(|event| {
            (
                event["time"].as_str().unwrap(),
                event["text"].as_str().unwrap(),
                event["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            (
                "2021-05-06T17:36:15Z",
                "\t     Active: active (running) since Thu 2021-05-06 17:36:15 UTC; 7min ago",
                5
            ),
            (
                "2021-05-06T17:49:10Z",
                "\t     Active: active (running) since Thu 2021-05-06 17:49:10 UTC; 7min ago",
                12
            ),
        ]
    );
    // The restart makes the next state line a start-up election, not a repeat of BACKUP.
    let run = crate::support::analyze(bundle.path(), &[]);
    let transitions = run.json()["transitions"].clone();
    assert!(
        transitions
            .as_array()
            .unwrap()
            .iter()
            .any(|transition| transition["time"] == "2021-05-06T17:49:10Z"
                && transition["to"] == "BACKUP"
                && transition["cause"] == "startup-election"),
        "{transitions:#}"
    );
}

/// Adds a path argument to a prepared run (keeps call sites short).
trait ArgPath {
    fn arg_path(self, path: &std::path::Path) -> crate::support::Run;
}

impl<const N: usize> ArgPath for [&str; N] {
    fn arg_path(self, path: &std::path::Path) -> crate::support::Run {
        let mut arguments: Vec<std::ffi::OsString> = self.iter().map(Into::into).collect();
        arguments.push(path.as_os_str().to_owned());
        esc_diag(arguments)
    }
}

#[test]
fn rollover_bundle_orders_cross_node_events_on_the_collector_clock() {
    let run = ["timeline", "--format", "json"].arg_path(&testdata_bundle("keepalived1-rollover"));
    let events = events(&run);
    // esc-ha-1's clock is 2 s ahead: its 00:00:10 line happened at 00:00:08, before esc-ha-0
    // yielded at 00:00:09.
    let forcing = find(&events, "esc-ha-1", "forcing new election");
    assert_eq!(forcing["time"], "2027-01-01T00:00:08Z");
    assert_eq!(forcing["uncertainty_s"], 0.004);
    let yielding = find(&events, "esc-ha-0", "Received advert with higher priority");
    assert_eq!(yielding["time"], "2027-01-01T00:00:09Z");
    assert!(
        position(&events, "esc-ha-1", "forcing new election")
            < position(&events, "esc-ha-0", "Received advert with higher priority")
    );
    // The rotated .gz of December, then the live file that turns into January.
    let december = find(
        &events,
        "esc-ha-0",
        "VRRP_Instance(esc_ha) Entering MASTER STATE",
    );
    assert_eq!(december["time"], "2026-12-30T10:00:05Z");
    assert_eq!(december["kind"], "vrrp-state");
    assert_eq!(december["fields"]["state"], "MASTER");
    assert_eq!(december["fields"]["instance"], "esc_ha");
    let repeated = find(&events, "esc-ha-0", "message repeated 3 times");
    assert_eq!(repeated["time"], "2026-12-31T23:59:50Z");
    assert_eq!(repeated["fields"]["repeated"], "3");
    assert_eq!(repeated["event"], "gratuitous-arp");
    // The 1.x transition line is not an Entering line.
    let transition = find(&events, "esc-ha-1", "Transition to MASTER STATE");
    assert_eq!(transition["event"], "transition-to-master");
    assert!(transition["fields"]["state"].is_null());
    // A stack trace is folded into its entry.
    let jdbc = find(&events, "esc-ha-0", "Unable to acquire JDBC Connection");
    assert_eq!(jdbc["kind"], "esc-error");
    assert_eq!(jdbc["fields"]["lines"], "5");
    assert!(
        jdbc["text"]
            .as_str()
            .unwrap()
            .contains("Caused by: org.postgresql.util.PSQLException")
    );
    // The tagged log's glued date and its wrapped tag list.
    let tagged = find(&events, "esc-ha-1", "the database system is starting up");
    assert_eq!(tagged["time"], "2027-01-01T00:00:06.300Z");
    assert_eq!(tagged["event"], "database-unavailable");
    // keepalived_state takes the manifest's mtime, corrected by the offset.
    let state = events
        .iter()
        .find(|event| event["node"] == "esc-ha-1" && event["source"] == "keepalived_state")
        .expect("a state-file event");
    assert_eq!(state["fields"]["state"], "MASTER");
    assert_eq!(state["time"], "2027-01-01T00:00:05.600Z");
    // /proc/drbd at collection time, on the collector's clock.
    let drbd = events
        .iter()
        .find(|event| event["source"] == "drbd_status")
        .expect("a DRBD status event");
    assert_eq!(drbd["fields"]["connection"], "StandAlone");
    assert_eq!(drbd["time"], "2027-01-01T00:10:00Z");
    // The offset measured at collection is applied to events days older: said once.
    let warnings = run.json()["warnings"].as_array().unwrap().clone();
    assert!(warnings.iter().any(|warning| {
        warning["message"]
            .as_str()
            .unwrap()
            .contains("more than a day older")
    }));
}

#[test]
fn journal_exports_and_keepalived_log_files_without_a_manifest() {
    let run = ["timeline", "--format", "json"].arg_path(&testdata_bundle("journal-nodetail"));
    let events = events(&run);
    let document = run.json();
    let nodes = texts(&document["nodes"], "name");
    assert_eq!(nodes, vec!["esc-ha-0", "esc-ha-1"]);
    let log_file = find(&events, "esc-ha-1", "(esc_ha) Entering MASTER STATE");
    assert_eq!(log_file["time"], "2026-11-25T14:30:41.882305121Z");
    assert!(log_file["program"].is_null());
    let precise = find(&events, "esc-ha-0", "(esc_ha) Entering BACKUP STATE (init)");
    assert_eq!(precise["time"], "2026-11-25T14:10:00.130250Z");
    assert_eq!(precise["fields"]["reason"], "init");
    let reboot = find(&events, "esc-ha-0", "-- Reboot --");
    assert_eq!(reboot["event"], "node-boot");
    assert_eq!(reboot["time_inferred"], true);
    let unit = find(&events, "esc-ha-0", "Started LVS and VRRP");
    assert_eq!(unit["event"], "service-started");
}

#[test]
fn output_is_byte_identical_run_after_run() {
    for format in ["json", "text", "ndjson"] {
        for all in [false, true] {
            let mut arguments = vec!["timeline", "--format", format];
            if all {
                arguments.push("--all");
            }
            let bundle = testdata_bundle("keepalived1-rollover");
            let first = arguments
                .clone()
                .into_iter()
                .map(String::from)
                .chain([bundle.display().to_string()])
                .collect::<Vec<_>>();
            let one = esc_diag(&first);
            let two = esc_diag(&first);
            assert_eq!(one.code, 0, "{}", one.stderr);
            assert_eq!(one.stdout, two.stdout, "{format} all={all}");
            assert!(!one.stdout.is_empty());
        }
    }
}

#[test]
fn all_streams_every_line_including_unrecognised_ones() {
    let bundle = testdata_bundle("keepalived1-rollover");
    let recognised = ["timeline", "--format", "json"].arg_path(&bundle);
    let coverage_lines = recognised.json()["coverage"]["lines"].as_u64().unwrap();
    let all = ["timeline", "--format", "ndjson", "--all"].arg_path(&bundle);
    let events = all.ndjson();
    let unrecognised: Vec<&Value> = events
        .iter()
        .filter(|event| event["kind"] == "unrecognised")
        .collect();
    assert!(unrecognised.iter().any(|event| {
        event["text"]
            .as_str()
            .unwrap()
            .contains("rsyslogd was HUPed")
    }));
    // Every physical line shows up once: folded entries count their lines, facts come on top.
    let physical: u64 = events
        .iter()
        .filter(|event| event["file"] != "manifest.json")
        .map(|event| {
            event["fields"]["lines"]
                .as_str()
                .map_or(1, |lines| lines.parse::<u64>().unwrap())
        })
        .sum();
    assert!(
        physical >= coverage_lines - 8,
        "{physical} of {coverage_lines}"
    );
    // Same order rules as the recognised view.
    let times: Vec<&str> = events
        .iter()
        .filter_map(|event| event["time"].as_str())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times.len(), sorted.len());
}

#[test]
fn filters_by_kind_node_and_relative_time() {
    let bundle = testdata_bundle("keepalived1-rollover");
    let run = [
        "timeline",
        "--format",
        "ndjson",
        "--kind",
        "vrrp-state",
        "--node",
        "esc-ha-1",
        "--since",
        "-1h",
    ]
    .arg_path(&bundle);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = run.ndjson();
    assert!(!events.is_empty());
    for event in &events {
        assert_eq!(event["kind"], "vrrp-state");
        assert_eq!(event["node"], "esc-ha-1");
        assert!(
            event["time"].as_str().unwrap() >= "2026-12-31T23:10:00Z",
            "{event}"
        );
    }
    let bad = ["timeline", "--kind", "vrrp-stat"].arg_path(&bundle);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown event kind"), "{}", bad.stderr);
    let bad_time = ["timeline", "--since", "yesterday"].arg_path(&bundle);
    assert_eq!(bad_time.code, 2);
    assert!(bad_time.stderr.contains("--since"), "{}", bad_time.stderr);
}

fn tar_gz_of(directory: &std::path::Path, top: &str, output: &std::path::Path) {
    let file = fs::File::create(output).unwrap();
    let encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    builder.append_dir_all(top, directory).unwrap();
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn two_single_node_archives_merge_and_a_bare_file_reads() {
    let bundle = testdata_bundle("keepalived1-rollover");
    let work = tempfile::tempdir().unwrap();
    for node in ["esc-ha-0", "esc-ha-1"] {
        let single = work.path().join(format!("{node}-only"));
        fs::create_dir_all(&single).unwrap();
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(bundle.join(node))
            .arg(&single)
            .status()
            .unwrap();
        assert!(status.success());
        tar_gz_of(
            &single,
            &format!("esc-diag-{node}"),
            &work.path().join(format!("{node}.tar.gz")),
        );
    }
    let run = esc_diag([
        "timeline".into(),
        "--format".into(),
        "json".into(),
        work.path().join("esc-ha-0.tar.gz").into_os_string(),
        work.path().join("esc-ha-1.tar.gz").into_os_string(),
    ]);
    let merged = events(&run);
    assert!(merged.iter().any(|event| event["node"] == "esc-ha-0"));
    assert!(merged.iter().any(|event| event["node"] == "esc-ha-1"));
    let bare = ["timeline", "--format", "json"].arg_path(&bundle.join("esc-ha-1/var/log/messages"));
    let bare_events = events(&bare);
    assert!(
        bare_events
            .iter()
            .any(|event| event["event"] == "split-brain-detected")
    );
    // A bare file's node is the syslog host its lines carry, not the file name.
    assert_eq!(bare.json()["nodes"][0]["name"], "esc-ha-1");
}

#[test]
fn a_manifest_time_zone_applies_to_stamps_without_one() {
    let builder = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", "Jul  4 12:00:00 esc-ha-0 Keepalived_vrrp[9]: (esc_ha) Entering MASTER STATE\n")
        .file("esc-ha-1", "var/log/messages", "2026-07-04T12:00:01.5+02:00 esc-ha-1 Keepalived_vrrp[8]: (esc_ha) Entering BACKUP STATE\n")
        .manifest(serde_json::json!({
            "format": "esc-diag-bundle/1",
            "collected_at": "2026-07-05T00:00:00Z",
            "nodes": [
                {"name": "esc-ha-0", "dir": "esc-ha-0", "timezone": "Europe/Paris"},
                {"name": "esc-ha-1", "dir": "esc-ha-1", "timezone": "UTC"}
            ]
        }));
    let run = ["timeline", "--format", "json"].arg_path(builder.path());
    let events = events(&run);
    assert_eq!(
        find(&events, "esc-ha-0", "MASTER")["time"],
        "2026-07-04T10:00:00Z"
    );
    assert_eq!(
        find(&events, "esc-ha-1", "BACKUP")["time"],
        "2026-07-04T10:00:01.5Z"
    );
    assert!(
        run.json()["warnings"].as_array().unwrap().is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn every_shipped_bundle_prints_a_timeline() {
    let root = testdata_bundle("");
    let mut bundles: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    bundles.sort();
    assert!(
        bundles.len() >= 2,
        "testdata/bundles holds the sample bundles"
    );
    for bundle in bundles {
        let run = ["timeline", "--format", "json"].arg_path(&bundle);
        let events = events(&run);
        let nodes: std::collections::BTreeSet<&str> = events
            .iter()
            .filter(|event| event["kind"] == "vrrp-state")
            .map(|event| event["node"].as_str().unwrap())
            .collect();
        assert_eq!(
            nodes.len(),
            2,
            "{}: VRRP states of both nodes",
            bundle.display()
        );
        let text = ["timeline"].arg_path(&bundle);
        assert_eq!(text.code, 0);
        assert!(text.stderr.contains("events shown"), "{}", text.stderr);
    }
}

#[test]
fn text_folds_gratuitous_arp_runs_and_an_unknown_node_is_a_usage_error() {
    let bundle = testdata_bundle("lab-partition");
    let text = esc_diag(["timeline".into(), bundle.clone().into_os_string()]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout
            .contains("more gratuitous ARP lines for 10.85.103.137"),
        "{}",
        text.stdout
    );
    let folded = text
        .stdout
        .lines()
        .filter(|line| line.contains("Sending gratuitous ARP on"))
        .count();
    assert_eq!(folded, 0, "{}", text.stdout);
    // JSON and --all keep every line.
    let all = esc_diag([
        "timeline".into(),
        "--all".into(),
        bundle.clone().into_os_string(),
    ]);
    assert!(
        all.stdout
            .contains("Sending gratuitous ARP on eth0 for 10.85.103.137")
    );
    let missing = esc_diag([
        "timeline".into(),
        "--node".into(),
        "esc-ha-9".into(),
        bundle.into_os_string(),
    ]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("esc-ha-0, esc-ha-1"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_journalctl_json_export_is_read_entry_by_entry() {
    let entry = |micros: u64, host: &str, pid: u32, message: &str| {
        serde_json::json!({
            "__CURSOR": format!("s=1;i={micros}"),
            "__REALTIME_TIMESTAMP": micros.to_string(),
            "__MONOTONIC_TIMESTAMP": "123",
            "_BOOT_ID": "b",
            "PRIORITY": "6",
            "_HOSTNAME": host,
            "SYSLOG_IDENTIFIER": "Keepalived_vrrp",
            "_PID": pid.to_string(),
            "MESSAGE": message,
        })
        .to_string()
    };
    let export = [
        entry(
            1_764_085_980_000_000,
            "esc-ha-1",
            22,
            "(esc_ha) Entering BACKUP STATE (init)",
        ),
        entry(
            1_764_085_987_100_000,
            "esc-ha-1",
            22,
            "(esc_ha) Receive advertisement timeout",
        ),
        entry(
            1_764_085_987_200_000,
            "esc-ha-1",
            22,
            "(esc_ha) Entering MASTER STATE",
        ),
    ]
    .join("\n");
    let bundle = BundleBuilder::new().file("esc-ha-1", "journal/keepalived.json", export + "\n");
    let events = json_events(bundle.path());
    let master = find(&events, "esc-ha-1", "Entering MASTER STATE");
    assert_eq!(master["time"], "2025-11-25T15:53:07.200000Z");
    assert_eq!(master["kind"], "vrrp-state");
    let report = crate::support::analyze(bundle.path(), &[]).json();
    let takeover = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|transition| transition["to"] == "MASTER")
        .unwrap()
        .clone();
    assert_eq!(takeover["node"], "esc-ha-1");
    // The evidence is the entry's line in the export, shown as the syslog line it stands for.
    let line = takeover["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|evidence| evidence["message"] == "(esc_ha) Entering MASTER STATE")
        .unwrap()
        .clone();
    assert_eq!(line["line"], 3);
    assert_eq!(
        line["text"],
        "2025-11-25T15:53:07.200000+00:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE"
    );
}

/// `journalctl -o export` (gzip too): each entry is read as the syslog line it stands for, on
/// the line where the entry starts in the export; a message with a newline is a binary field.
#[test]
fn a_journalctl_export_is_read_entry_by_entry_with_the_exports_line_numbers() {
    let entry = |micros: u64, message: &str| {
        let mut bytes = format!(
            "__CURSOR=s=1;i={micros}\n__REALTIME_TIMESTAMP={micros}\n__MONOTONIC_TIMESTAMP=1\n_BOOT_ID=b\nPRIORITY=6\n_HOSTNAME=esc-ha-1\nSYSLOG_IDENTIFIER=Keepalived_vrrp\n_PID=22\n"
        )
        .into_bytes();
        if message.contains('\n') {
            bytes.extend_from_slice(b"MESSAGE\n");
            bytes.extend_from_slice(&(message.len() as u64).to_le_bytes());
            bytes.extend_from_slice(message.as_bytes());
            bytes.push(b'\n');
        } else {
            bytes.extend_from_slice(format!("MESSAGE={message}\n").as_bytes());
        }
        bytes.push(b'\n');
        bytes
    };
    let mut export = entry(
        1_764_085_980_000_000,
        "(esc_ha) Entering BACKUP STATE (init)",
    );
    export.extend(entry(
        1_764_085_987_100_000,
        "(esc_ha) Receive advertisement timeout\nwith a second line",
    ));
    export.extend(entry(
        1_764_085_987_200_000,
        "(esc_ha) Entering MASTER STATE",
    ));
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gzip, &export).unwrap();
    let bundle = BundleBuilder::new()
        .file("esc-ha-1", "journal/keepalived.export", &export)
        .file(
            "esc-ha-0",
            "journal/keepalived.export.gz",
            gzip.finish().unwrap(),
        );
    let events = json_events(bundle.path());
    for node in ["esc-ha-0", "esc-ha-1"] {
        let master = find(&events, node, "Entering MASTER STATE");
        assert_eq!(master["time"], "2025-11-25T15:53:07.200000Z");
        assert_eq!(master["kind"], "vrrp-state");
        // Entries of 10, 12 (a binary field with one newline) and 10 lines: the third starts
        // on line 23.
        assert_eq!(master["line"], 23, "{master}");
        let timeout = find(&events, node, "Receive advertisement timeout");
        assert_eq!(timeout["line"], 11, "{timeout}");
        assert_eq!(timeout["event"], "advert-timeout", "{timeout}");
    }
}

/// A mail client's or terminal's wrapping: a line is read with up to three continuation lines
/// (a blank line before each allowed) where alone it is nothing, or something less than with
/// them; a line that is something alone is never taken for another's continuation.
#[test]
fn a_wrapped_line_is_read_with_its_continuation_lines() {
    let bundle = BundleBuilder::new().file(
        "lb1",
        "var/log/messages",
        "Jan 30 15:00:25 lb1 Keepalived_vrrp[14332]:\n\
         VRRP_Instance(haproxy_keepalived_infra_check_haproxy) Received higher prio\n\
         advert 102\n\
         Jan 30 15:00:25 lb1 Keepalived_vrrp[14332]: (VI_1): entering FAULT state\n\
         (tracked file trigger_file has status -254)\n\
         Jan 30 15:00:26 lb1 Keepalived_vrrp[14332]: (VI_2) Entering BACKUP STATE\n\
         (init)\n\
         Jan 30 15:00:27 lb1 Keepalived_vrrp[14332]: (VI_3) Entering MASTER STATE\n\
         (VI_4) Entering BACKUP STATE\n\
         Jan 30 15:00:28 lb1 Keepalived_vrrp[14332]: (VI_5) Entering BACKUP STATE\n\
         \n\
         (init)\n\
         Jan 30 15:00:29 lb1 Keepalived_vrrp[14332]:\n\
         (/etc/keepalived/keepalived.conf: Line 6) Unterminated quote 'script \"killall\n\
         -0 haproxy\"\"'\n\
         Jan 30 15:00:30 lb1 Keepalived_vrrp[14332]:\n\
         (/etc/keepalived/keepalived.conf: Line 13) Truncating auth_pass to 8\n\
         characters\n\
         Jan 30 15:00:31 lb1 Keepalived_vrrp[14332]: (VI_6) Entering\n\
         MASTER STATE\n\
         \n\
         (this is node 2, the VIP moved here)\n\
         Jan 30 15:00:32 lb1 Keepalived_vrrp[14332]: (VI_7) Entering\n\
         MASTER STATE\n\
         (...)\n",
    );
    let events = json_events(bundle.path());
    let event = |text: &str| find(&events, "lb1", text);
    let higher = event("Received higher prio");
    assert_eq!(higher["event"], "higher-priority-advert", "{higher}");
    assert_eq!(higher["fields"]["priority"], "102");
    assert_eq!(event("entering FAULT")["fields"]["file"], "trigger_file");
    assert_eq!(event("(VI_2) Entering BACKUP")["fields"]["reason"], "init");
    // Both lines of the last pair are state changes of their own.
    assert_eq!(event("(VI_3) Entering MASTER")["fields"]["state"], "MASTER");
    assert_eq!(event("(VI_4) Entering BACKUP")["fields"]["state"], "BACKUP");
    // Double-spaced: a blank line between the pieces.
    assert_eq!(event("(VI_5) Entering BACKUP")["fields"]["reason"], "init");
    // A continuation that opens with the file keepalived's parser names.
    let note = event("Unterminated quote");
    assert_eq!(note["event"], "config-error", "{note}");
    assert_eq!(note["fields"]["config_line"], "6");
    // Wrapped twice: something after the first continuation, another thing after the second.
    let truncated = event("Truncating auth_pass");
    assert_eq!(truncated["event"], "config-note", "{truncated}");
    // After a join, a blank line ends the line, and a mark of lines left out is none of it.
    for instance in ["(VI_6)", "(VI_7)"] {
        let master = event(instance);
        assert_eq!(master["fields"]["state"], "MASTER", "{master}");
        assert_eq!(master["fields"]["reason"], Value::Null, "{master}");
    }
}

/// One pasted file of two nodes: each host's lines are its node's, however few and wherever
/// they stand; a `systemctl status` block is the node's whose journal lines follow it; lines
/// written without a host name no node after their tag.
#[test]
fn one_file_of_two_nodes_gives_each_node_its_own_lines() {
    let directory = tempfile::tempdir().unwrap();
    let ticket = directory.path().join("ticket.log");
    fs::write(
        &ticket,
        "● keepalived.service - Keepalive Daemon (LVS and VRRP)\n\
         \x20    Loaded: loaded (/lib/systemd/system/keepalived.service; enabled)\n\
         \x20    Active: active (running) since Mon 2023-08-14 21:26:51 UTC; 16s ago\n\
         \n\
         Aug 14 21:26:51 hap1 Keepalived_vrrp[3440]: (hap_srv) Entering BACKUP STATE (init)\n\
         Aug 14 21:26:58 hap1 Keepalived_vrrp[3440]: (hap_srv) Entering BACKUP STATE\n\
         Aug 14 21:25:25 hap2 Keepalived_vrrp[3440]: (hap_srv) Entering BACKUP STATE (init)\n\
         Aug 14 21:25:30 hap2 Keepalived_vrrp[3440]: (hap_srv) Received advert from 10.0.0.1 with lower priority 100, ours 200, forcing new election\n\
         Aug 14 21:25:31 hap2 Keepalived_vrrp[3440]: (hap_srv) Entering MASTER STATE\n\
         Aug 14 21:25:32 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:33 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:34 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:35 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:36 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:37 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:38 hap2 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n\
         Aug 14 21:25:39 Keepalived_vrrp[3440]: Sending gratuitous ARP on eth0 for 10.0.0.9\n",
    )
    .unwrap();
    let events = json_events(&ticket);
    // hap1 has two of the file's thirteen hosted lines, and its status block names no host.
    assert_eq!(find(&events, "hap1", "Active: active")["host"], "hap1");
    assert_eq!(find(&events, "hap1", "(init)")["fields"]["state"], "BACKUP");
    assert_eq!(find(&events, "hap2", "Entering MASTER")["host"], "hap2");
    let hostless = find(&events, "hap2", "21:25:39 Keepalived_vrrp");
    assert_eq!(hostless["host"], Value::Null);
    assert_eq!(hostless["program"], "Keepalived_vrrp");
    // Each node's logs cover its own lines: neither is said to lack logs of the other's span.
    let report = crate::support::analyze(&ticket, &[]).json();
    let nodes = texts(&report["nodes"], "name");
    assert_eq!(nodes, ["hap2", "hap1"], "{report}");
    let blind = &report["coverage"]["blind_intervals"];
    assert!(
        blind
            .as_array()
            .unwrap()
            .iter()
            .all(|interval| interval["reason"] != "no-logs"),
        "{blind}"
    );
}
