//! `esc-diag analyze` on the shipped bundles: verdicts and causes, the JSON report against its
//! published schema, determinism with --now, exit codes, filters and the text report.

use serde_json::Value;

use crate::support::{esc_diag, report_schema, schema_errors, testdata_bundle};

fn analyze_json(bundle: &str) -> (Value, i32) {
    let run = esc_diag([
        "analyze".into(),
        "--format".into(),
        "json".into(),
        "--now".into(),
        "2026-11-26T00:00:00Z".into(),
        testdata_bundle(bundle).into_os_string(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    (run.json(), run.code)
}

fn causes(report: &Value) -> Vec<(String, String, String)> {
    report["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|failover| {
            (
                failover["node"].as_str().unwrap().to_string(),
                format!(
                    "{}>{}",
                    failover["from"].as_str().unwrap(),
                    failover["to"].as_str().unwrap()
                ),
                failover["cause"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_shipped_bundle_gets_the_expected_verdict_and_a_valid_report() {
    let validator = report_schema();
    let expected = [
        ("keepalived1-rollover", "split-brain", 1),
        ("journal-nodetail", "failover", 1),
        ("lab-healthy", "healthy", 0),
        ("lab-partition", "split-brain", 1),
        ("lab-partition-nodetail", "split-brain", 1),
        ("lab-peer-down-kill", "failover", 1),
        ("lab-peer-down-freeze", "split-brain", 1),
        ("lab-graceful-stop", "failover", 1),
        ("lab-interface-fault", "failover", 1),
        ("lab-script-fault", "failover", 1),
        ("lab-distinct-priority-preempt", "failover", 1),
        ("lab-clock-skew", "failover", 1),
        ("lab-gateway-unreachable", "degraded", 1),
    ];
    for (bundle, status, code) in expected {
        let (report, exit) = analyze_json(bundle);
        let errors = schema_errors(&validator, &report);
        assert!(
            errors.is_empty(),
            "{bundle}: the report breaks its schema: {errors:?}"
        );
        assert_eq!(
            report["verdict"]["status"], status,
            "{bundle}: {}",
            report["verdict"]["headline"]
        );
        assert_eq!(exit, code, "{bundle}: exit code");
    }
}

#[test]
fn causes_of_every_transition() {
    let (rollover, _) = analyze_json("keepalived1-rollover");
    let rollover = causes(&rollover);
    assert!(
        rollover.contains(&(
            "esc-ha-1".into(),
            "BACKUP>MASTER".into(),
            "network-partition".into()
        )),
        "{rollover:?}"
    );
    assert!(
        rollover.contains(&(
            "esc-ha-0".into(),
            "MASTER>BACKUP".into(),
            "network-partition".into()
        )),
        "{rollover:?}"
    );
    let (journal, _) = analyze_json("journal-nodetail");
    assert!(
        causes(&journal).contains(&(
            "esc-ha-1".into(),
            "BACKUP>MASTER".into(),
            "peer-down".into()
        )),
        "{:?}",
        causes(&journal)
    );
    let (graceful, _) = analyze_json("lab-graceful-stop");
    let graceful = causes(&graceful);
    assert!(
        graceful.contains(&(
            "esc-ha-1".into(),
            "BACKUP>MASTER".into(),
            "peer-keepalived-stopped".into()
        )),
        "{graceful:?}"
    );
    assert!(
        graceful.contains(&("esc-ha-0".into(), "MASTER>STOP".into(), "manual".into())),
        "{graceful:?}"
    );
    let (healthy, _) = analyze_json("lab-healthy");
    assert_eq!(
        causes(&healthy),
        vec![(
            "esc-ha-0".to_string(),
            "BACKUP>MASTER".to_string(),
            "startup-election".to_string()
        )]
    );
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
    // One DRBD split-brain is critical with a remedy naming the survivor and the victim.
    let (rollover, _) = analyze_json("keepalived1-rollover");
    let drbd = rollover["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == "drbd-split-brain")
        .unwrap()
        .clone();
    assert_eq!(drbd["severity"], "critical");
    assert!(
        drbd["remedy"]
            .as_str()
            .unwrap()
            .contains("Keep the data of esc-ha-1"),
        "{}",
        drbd["remedy"]
    );
    assert!(
        drbd["remedy"]
            .as_str()
            .unwrap()
            .contains("discard esc-ha-0's"),
        "{}",
        drbd["remedy"]
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
    let filtered = esc_diag(arguments(&[
        "--format",
        "json",
        "--min-severity",
        "critical",
    ]));
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
        run.stdout.contains("esc-ha-1 var/log/messages:"),
        "evidence with file:line"
    );
    assert!(run.stdout.contains("remedy:"));
    assert!(run.stdout.contains("Roles"));
    assert!(run.stdout.contains("esc_ha     BACKUP "), "{}", run.stdout);
}

#[test]
fn analyze_since_and_until_limit_the_period() {
    let run = esc_diag([
        "analyze".into(),
        "--format".into(),
        "json".into(),
        "--until".into(),
        "2026-12-31T00:00:00Z".into(),
        testdata_bundle("keepalived1-rollover").into_os_string(),
    ]);
    let report = run.json();
    // Before New Year there is only the start-up election; the captures' checks still count.
    assert_eq!(
        report["verdict"]["status"], "degraded",
        "{}",
        report["verdict"]["headline"]
    );
    assert!(report["split_brain"].as_array().unwrap().is_empty());
    let causes: Vec<&str> = report["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|failover| failover["cause"].as_str().unwrap())
        .collect();
    assert_eq!(causes, vec!["startup-election"]);
}
