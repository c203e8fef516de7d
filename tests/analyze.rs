//! `esc-diag analyze` on the shipped bundles: verdicts and causes, the JSON report against its
//! published schema, determinism with --now, exit codes, filters and the text report.

use serde_json::Value;

use crate::support::{
    analyze, differences, esc_diag, expected, report_schema, sample_bundles, schema_errors,
    testdata_bundle, texts,
};

fn analyze_json(bundle: &str) -> (Value, i32) {
    let run = analyze(&testdata_bundle(bundle), &[]);
    (run.json(), run.code)
}

/// Each sample bundle against its own `expected.json`, and its report against the schema.
#[test]
fn every_sample_bundle_meets_its_expected_json_and_its_report_the_schema() {
    let validator = report_schema();
    let bundles = sample_bundles();
    assert!(bundles.len() >= 13, "{bundles:?}");
    let mut wrong = Vec::new();
    for bundle in &bundles {
        let (report, code) = analyze_json(bundle);
        let errors = schema_errors(&validator, &report);
        if !errors.is_empty() {
            wrong.push(format!(
                "{bundle}: the report breaks its schema: {errors:?}"
            ));
        }
        for difference in differences(&report, code, &expected(bundle)) {
            wrong.push(format!("{bundle}: {difference}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_split_brain_window_matches_the_log_lines_to_the_second() {
    let (report, _) = analyze_json("lab-partition");
    let window = &report["split_brain"][0];
    let events: Value = serde_json::from_str(
        &std::fs::read_to_string(testdata_bundle("lab-partition").join("lab-events.json")).unwrap(),
    )
    .unwrap();
    let at = |action: &str| {
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["action"] == action)
            .unwrap()["at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // esc-ha-1's "Entering MASTER STATE" and esc-ha-0's yield, as logged.
    let takeover = window["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|evidence| {
            evidence["node"] == "esc-ha-1"
                && evidence["text"]
                    .as_str()
                    .unwrap()
                    .contains("Entering MASTER STATE")
        })
        .unwrap();
    let yielded = window["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|evidence| {
            evidence["node"] == "esc-ha-0"
                && evidence["text"]
                    .as_str()
                    .unwrap()
                    .contains("Entering BACKUP STATE")
        })
        .unwrap();
    assert_eq!(window["start"], takeover["time"]);
    assert_eq!(window["end"], yielded["time"]);
    assert!(window["start"].as_str().unwrap() > at("cut").as_str());
    assert_eq!(window["duration_s"].as_f64().unwrap(), 5.0);
    assert_eq!(window["nodes"], serde_json::json!(["esc-ha-0", "esc-ha-1"]));
    // The DRBD split-brain is folded into the VRRP window's finding, whose remedy names the
    // survivor (MASTER now) and the victim.
    let (rollover, _) = analyze_json("keepalived1-rollover");
    let incident = crate::support::finding_folding(&rollover, "drbd-split-brain")
        .unwrap()
        .clone();
    assert_eq!(incident["severity"], "critical");
    assert_eq!(incident["rule"], "split-brain");
    let remedy = incident["remedy"].as_str().unwrap();
    assert!(remedy.contains("keep esc-ha-1's data"), "{remedy}");
    // Its DRBD 8 lines name only the minor (`block drbd1:`), which drbdadm does not take.
    assert!(
        remedy.contains("on esc-ha-0: drbdadm secondary all"),
        "{remedy}"
    );
}

#[test]
fn output_is_byte_identical_with_now_pinned_and_min_severity_filters_output_only() {
    let arguments = |extra: &[&str]| {
        let mut arguments: Vec<std::ffi::OsString> = vec![
            "analyze".into(),
            "--now".into(),
            "2026-11-26T00:00:00Z".into(),
        ];
        arguments.extend(extra.iter().map(Into::into));
        arguments.push(testdata_bundle("keepalived1-rollover").into_os_string());
        arguments
    };
    for format in ["json", "text"] {
        let one = esc_diag(arguments(&["--format", format]));
        let two = esc_diag(arguments(&["--format", format]));
        assert_eq!(one.stdout, two.stdout, "{format}");
    }
    let filtered = analyze(
        &testdata_bundle("keepalived1-rollover"),
        &["--min-severity", "critical"],
    );
    assert_eq!(filtered.code, 1, "the exit code counts every finding");
    let findings = filtered.json()["findings"].as_array().unwrap().clone();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|finding| finding["severity"] == "critical")
    );
    let bad = esc_diag(arguments(&["--min-severity", "loud"]));
    assert_eq!(bad.code, 2);
}

/// An empty findings list says whether --min-severity left findings out, and how many.
#[test]
fn no_findings_says_whether_min_severity_left_some_out() {
    let text = |extra: &[&str]| {
        let mut arguments: Vec<std::ffi::OsString> = vec!["analyze".into()];
        arguments.extend(extra.iter().map(Into::into));
        arguments.push(testdata_bundle("lab-healthy").into_os_string());
        esc_diag(arguments).stdout
    };
    let all = text(&[]);
    assert!(all.contains("INFO     Start-up election"), "{all}");
    assert!(!all.contains("No findings"), "{all}");
    let filtered = text(&["--min-severity", "warning"]);
    assert!(
        filtered.contains(
            "No findings at warning or above (1 finding below it left out by --min-severity)."
        ),
        "{filtered}"
    );
    let markdown = text(&["--min-severity", "error", "--format", "markdown"]);
    assert!(
        markdown.contains("No findings at error or above (1 finding below it"),
        "{markdown}"
    );
    let quiet = tempfile::tempdir().unwrap();
    let messages = quiet.path().join("messages");
    std::fs::write(
        &messages,
        "Aug 25 10:44:00 lb1 Keepalived_vrrp[1734]: (VI_1) Entering BACKUP STATE\n",
    )
    .unwrap();
    let none = esc_diag(["analyze".into(), messages.into_os_string()]).stdout;
    assert!(none.contains("\nNo findings.\n"), "{none}");
}

#[test]
fn the_text_report_leads_with_the_verdict_and_shows_evidence_and_roles() {
    let run = esc_diag([
        "analyze".into(),
        testdata_bundle("lab-partition").into_os_string(),
    ]);
    assert_eq!(run.code, 1);
    let first = run.stdout.lines().next().unwrap();
    assert!(
        first.starts_with(
            "SPLIT-BRAIN  split-brain (VRRP): esc-ha-0 and esc-ha-1 were both MASTER of esc_ha"
        ),
        "{first}"
    );
    assert!(run.stdout.contains("CRITICAL"));
    assert!(
        run.stdout
            .contains("esc-ha-1 messages:23  Keepalived_vrrp: (esc_ha) Entering MASTER STATE"),
        "evidence with file:line and the message: {}",
        run.stdout
    );
    assert!(run.stdout.contains("remedy:"));
    assert!(run.stdout.contains("Roles"));
    assert!(run.stdout.contains("esc_ha     BACKUP "), "{}", run.stdout);
    // One screen: at most 50 rows of a 100-column terminal, and one finding per incident.
    let rows: usize = run
        .stdout
        .lines()
        .map(|line| line.chars().count().max(1).div_ceil(100))
        .sum();
    assert!(rows <= 50, "{rows} rows:\n{}", run.stdout);
    assert_eq!(
        run.stdout.matches("\nCRITICAL ").count(),
        1,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("\nWARNING ").count(),
        0,
        "{}",
        run.stdout
    );
    // Nothing the JSON reports as a finding is missing from the text.
    let report = analyze(&testdata_bundle("lab-partition"), &[]).json();
    for finding in report["findings"].as_array().unwrap() {
        let title = finding["title"].as_str().unwrap();
        let first_words: String = title.chars().take(40).collect();
        assert!(
            run.stdout.contains(&first_words),
            "{title} missing from the text"
        );
    }
}

#[test]
fn analyze_since_and_until_limit_the_period() {
    let run = analyze(
        &testdata_bundle("keepalived1-rollover"),
        &["--until", "2026-12-31T00:00:00Z"],
    );
    let report = run.json();
    // Before New Year there is only the start-up election; the captures' checks still count.
    assert_eq!(
        report["verdict"]["status"], "degraded",
        "{}",
        report["verdict"]["headline"]
    );
    assert!(report["split_brain"].as_array().unwrap().is_empty());
    let causes = texts(&report["failovers"], "cause");
    assert_eq!(causes, vec!["startup-election"]);
}

#[test]
fn a_one_sided_split_brain_whose_line_names_no_sender_says_so() {
    let bundle = crate::support::BundleBuilder::new().file(
        "esc-ha-1",
        "var/log/messages",
        "Nov 25 10:00:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE\nNov 25 10:07:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Received advert with lower priority 100, ours 101, forcing new election\n",
    );
    let run = crate::support::analyze(bundle.path(), &[]);
    let headline = run.json()["verdict"]["headline"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        headline.starts_with(
            "split-brain (VRRP): esc-ha-1 and the sender of an advert it received (not named in the line) were both MASTER"
        ),
        "{headline}"
    );
}

#[test]
fn a_yield_to_a_better_advert_is_taken_when_the_entering_backup_line_was_filtered_out() {
    // A grepped excerpt: the yields' own lines, without the Entering BACKUP STATE that keepalived
    // writes right after each (vrrp_state_leave_master).
    let grepped = "Sep 26 10:44:46 lb2 Keepalived_vrrp[1736]: (VI_1) Master received advert from 10.0.0.5 with higher priority 201, ours 200\nSep 26 10:44:48 lb2 Keepalived_vrrp[1736]: (VI_2) Master received advert from 10.0.0.5 with same priority 200 but higher IP address than ours\nSep 26 10:44:52 lb2 Keepalived_vrrp[1736]: (VI_1) Entering MASTER STATE\n";
    let bundle = crate::support::BundleBuilder::new().file("lb2", "var/log/messages", grepped);
    let report = crate::support::analyze(bundle.path(), &[]).json();
    let changes: Vec<(String, String, String, String)> = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|transition| {
            (
                transition["instance"].as_str().unwrap().to_string(),
                transition["from"].as_str().unwrap().to_string(),
                transition["to"].as_str().unwrap().to_string(),
                transition["cause"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("VI_1", "MASTER", "BACKUP", "preempted-by-higher-priority"),
        ("VI_2", "MASTER", "BACKUP", "preempted-by-higher-priority"),
        ("VI_1", "BACKUP", "MASTER", "unknown"),
    ];
    assert_eq!(
        changes,
        expected
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect::<Vec<_>>(),
        "{report:#}"
    );
    // With the state line present, there is the one yield, as before.
    let whole = format!(
        "{}Sep 26 10:44:46 lb2 Keepalived_vrrp[1736]: (VI_1) Entering BACKUP STATE\n",
        &grepped[..grepped.find('\n').unwrap() + 1]
    );
    let bundle = crate::support::BundleBuilder::new().file("lb2", "var/log/messages", &whole);
    let report = crate::support::analyze(bundle.path(), &[]).json();
    let transitions = report["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 1, "{report:#}");
    assert_eq!(transitions[0]["to"], "BACKUP", "{report:#}");
}

#[test]
fn a_pair_is_called_healthy_only_when_the_logs_show_a_master() {
    let verdict = |messages: [&str; 2]| {
        let bundle = crate::support::BundleBuilder::new()
            .file("esc-ha-0", "var/log/messages", messages[0])
            .file("esc-ha-1", "var/log/messages", messages[1]);
        let report = crate::support::analyze(bundle.path(), &[]).json();
        (
            report["verdict"]["status"].as_str().unwrap().to_string(),
            report["verdict"]["headline"].as_str().unwrap().to_string(),
        )
    };
    let started = |node: &str| {
        format!(
            "Nov 25 10:00:00 {node} Keepalived_vrrp[22]: Registering Kernel netlink reflector\nNov 25 10:00:00 {node} Keepalived_vrrp[22]: (esc_ha) Ignoring track_interface eth1 since own interface\n"
        )
    };
    let (status, headline) = verdict([&started("esc-ha-0"), &started("esc-ha-1")]);
    assert_eq!(status, "unknown", "{headline}");
    let backup = |node: &str| {
        format!("Nov 25 10:00:00 {node} Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE\n")
    };
    let (status, headline) = verdict([&backup("esc-ha-0"), &backup("esc-ha-1")]);
    assert_eq!(status, "degraded", "{headline}");
    assert!(
        headline.contains("no node is MASTER of esc_ha"),
        "{headline}"
    );
    let master = "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering BACKUP STATE (init)\nNov 25 10:00:04 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering MASTER STATE\n";
    let standby =
        "Nov 25 10:00:01 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE (init)\n";
    let (status, headline) = verdict([master, standby]);
    assert_eq!(status, "healthy", "{headline}");
}

#[test]
fn a_split_brain_is_caused_by_the_takeover_that_opened_it_not_an_earlier_change() {
    // A yield, a takeover by timeout 20 s later, and a second later the proof of a dual master:
    // one incident, whose cause is the takeover's (the yield's was named before).
    let bundle = crate::support::BundleBuilder::new().file(
        "esc-ha-1",
        "var/log/messages",
        "Nov 25 10:00:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE\nNov 25 10:05:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Master received advert from 10.85.103.135 with higher priority 120, ours 110\nNov 25 10:05:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE\nNov 25 10:05:20 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Receive advertisement timeout\nNov 25 10:05:20 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE\nNov 25 10:05:21 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Received advert from 10.85.103.135 with lower priority 100, ours 110, forcing new election\n",
    );
    let report = crate::support::analyze(bundle.path(), &[]).json();
    assert_eq!(report["verdict"]["status"], "split-brain", "{report:#}");
    assert_eq!(report["verdict"]["cause"], "peer-silent", "{report:#}");
}
