//! End to end on real daemons: the lab (tests/lab/lab.sh) builds two ESC-like nodes with real
//! keepalived 2.2.7, rsyslog and sshd in network namespaces, breaks them in each scenario, and
//! snapshots both nodes into a bundle, and runs `esc-diag collect` inside esc-ha-0 against
//! esc-ha-1; `esc-diag analyze --format json` must then give the right verdict and cause on both
//! bundles, and collect must measure the peer's clock skew within 0.5 s. Needs root (namespaces)
//! and installs its Debian packages itself; a missing prerequisite fails the test rather than
//! skipping it.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::support::{differences, esc_diag, expected};

fn lab_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lab.sh")
}

fn lab(arguments: &[&str], lab_dir: &Path) -> (bool, String) {
    let output = Command::new("bash")
        .arg(lab_script())
        .args(arguments)
        .env("LAB_DIR", lab_dir)
        .env("ESC_DIAG_BIN", env!("CARGO_BIN_EXE_esc-diag"))
        .output()
        .expect("bash runs the lab script");
    let mut text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        text.push_str(&format!("(lab.sh {})", output.status));
    }
    (output.status.success(), text)
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|error| panic!("{text}: {error}"))
        .with_timezone(&Utc)
}

/// The instant of the first lab action of this name.
fn action(events: &Value, name: &str) -> DateTime<Utc> {
    let found = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["action"] == name)
        .unwrap_or_else(|| panic!("no {name} action in lab-events.json"));
    time(found["at"].as_str().unwrap())
}

/// Checks one scenario's report against the expectations of its sample bundle
/// (`testdata/bundles/lab-SCENARIO/expected.json`, shared with the analysis tests), and what only
/// a live run shows (timing against the lab's own clock); returns what is wrong.
fn check(scenario: &str, report: &Value, code: i32, events: &Value, bundle: &Path) -> Vec<String> {
    let mut wrong = differences(report, code, &expected(&format!("lab-{scenario}")));
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(what);
        }
    };
    let windows = report["split_brain"].as_array().unwrap().clone();
    match scenario {
        "partition" | "partition-nodetail" => {
            if let Some(window) = windows.first() {
                let cut = action(events, "cut");
                let restore = action(events, "restore");
                let start = time(window["start"].as_str().unwrap());
                // The window opens after the cut within the advert timeout (3 × advert_int + 1 s),
                // to the second of the log lines, and closes within 1 s of the restore.
                let opened = (start - cut).num_milliseconds();
                expect(
                    (-1000..=4000).contains(&opened),
                    format!("window opens {opened} ms after the cut"),
                );
                match window["end"].as_str() {
                    Some(end) => {
                        let closed = (time(end) - restore).num_milliseconds();
                        expect(
                            (-1000..=1000).contains(&closed),
                            format!("window closes {closed} ms after the restore"),
                        );
                    }
                    None => expect(false, "window still open".to_string()),
                }
            }
        }
        "gateway-unreachable" => {
            let failed = report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|check| check["id"] == "gateway-reachable" && check["status"] == "fail")
                .count();
            expect(
                failed == 2,
                format!("gateway-reachable failed on {failed} nodes, expected 2"),
            );
        }
        _ => {}
    }
    if scenario == "clock-skew" {
        // esc-ha-1's clock is 75 s behind: corrected, the stop comes before the takeover it caused.
        let timeline = esc_diag([
            "timeline".into(),
            "--format".into(),
            "json".into(),
            bundle.as_os_str().to_owned(),
        ]);
        let events = timeline.json()["events"].as_array().unwrap().clone();
        let position = |node: &str, text: &str| {
            events.iter().position(|event| {
                event["node"] == node && event["text"].as_str().unwrap_or("").contains(text)
            })
        };
        let stop = position("esc-ha-0", "Stopping");
        let takeover = position("esc-ha-1", "Entering MASTER STATE");
        expect(
            stop.is_some() && takeover.is_some() && stop < takeover,
            format!("corrected order: stop at {stop:?}, takeover at {takeover:?}"),
        );
    }
    wrong
}

/// What a bundle from `esc-diag collect` must hold besides the verdict: both nodes, the peer's
/// clock offset measured within 0.5 s of the lab's skew.
fn check_collected(scenario: &str, report: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let nodes: Vec<&str> = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|node| node["name"].as_str())
        .collect();
    if nodes != ["esc-ha-0", "esc-ha-1"] {
        wrong.push(format!("nodes {nodes:?}"));
    }
    let skew = if scenario == "clock-skew" { -75.0 } else { 0.0 };
    let offset = report["nodes"][1]["clock_offset_s"].as_f64();
    match offset {
        Some(offset) if (offset - skew).abs() <= 0.5 => {}
        other => wrong.push(format!(
            "esc-ha-1's measured clock offset {other:?}, expected {skew} ± 0.5 s"
        )),
    }
    wrong
}

/// Analyses a lab scenario's snapshot and the bundle `esc-diag collect` made inside esc-ha-0;
/// returns what is wrong and the verdict's headline.
fn analyse_scenario(scenario: &str, bundle: &Path) -> (Vec<String>, String) {
    let events: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("lab-events.json")).unwrap())
            .unwrap();
    // The lab's own snapshot, and the bundle `esc-diag collect` made inside esc-ha-0.
    let mut wrong = Vec::new();
    let mut headline = String::new();
    for (what, path) in [
        ("snapshot", bundle.to_path_buf()),
        ("collected", bundle.join("collected.tar.gz")),
    ] {
        let run = esc_diag([
            "analyze".into(),
            "--format".into(),
            "json".into(),
            path.as_os_str().to_owned(),
        ]);
        // (Not `support::analyze`: a usage error here is a finding of this scenario, not a panic.)
        if run.code == 2 {
            wrong.push(format!("{what}: analyze failed: {}", run.stderr));
            continue;
        }
        let report = run.json();
        headline = report["verdict"]["headline"].to_string();
        wrong.extend(
            check(scenario, &report, run.code, &events, &path)
                .into_iter()
                .map(|problem| format!("{what}: {problem}")),
        );
        if what == "collected" {
            wrong.extend(
                check_collected(scenario, &report)
                    .into_iter()
                    .map(|problem| format!("collected: {problem}")),
            );
        }
    }
    (wrong, headline)
}

#[test]
fn lab_scenarios_give_the_right_verdict_and_cause() {
    let user = Command::new("id").arg("-u").output().expect("id runs");
    assert_eq!(
        String::from_utf8_lossy(&user.stdout).trim(),
        "0",
        "the lab needs root (network namespaces, bind mounts); run the tests as root, as CI does"
    );
    let work = tempfile::tempdir().expect("a temporary directory");
    let lab_dir = work.path().join("lab");
    let started = std::time::Instant::now();
    let (ok, output) = lab(&["setup"], &lab_dir);
    let setup_s = started.elapsed().as_secs();
    assert!(
        ok,
        "lab setup (installing keepalived, rsyslog, openssh-server, ...) failed:\n{output}"
    );
    let (_, list) = lab(&["list"], &lab_dir);
    let scenarios: Vec<String> = list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect();
    assert!(scenarios.len() >= 11, "scenarios: {scenarios:?}");
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut retried: Vec<String> = Vec::new();
    let mut harness_errors: Vec<String> = Vec::new();
    // Each scenario's wall time (retries included), for the summary: CI shows where the lab's
    // time goes.
    let mut durations: Vec<String> = Vec::new();
    for scenario in &scenarios {
        let scenario_started = std::time::Instant::now();
        let took = |durations: &mut Vec<String>| {
            durations.push(format!(
                "{scenario} {}",
                scenario_started.elapsed().as_secs()
            ));
        };
        let bundle = work.path().join("bundles").join(scenario);
        let (mut ok, mut output) = lab(&["scenario", scenario, bundle.to_str().unwrap()], &lab_dir);
        if !ok {
            // Real daemons on 2 cores shared with the rest of the suite: a scenario whose lab
            // step failed (not the analysis) is run once more, and the retry is reported.
            // Why it failed: its FAIL line or the harness's own `lab harness:` line, and its
            // exit status.
            let first = output
                .lines()
                .filter(|line| line.starts_with("FAIL ") || line.starts_with("lab harness:"))
                .chain(output.lines().last())
                .collect::<Vec<_>>()
                .join(" ");
            (ok, output) = lab(&["scenario", scenario, bundle.to_str().unwrap()], &lab_dir);
            retried.push(format!("{scenario} (first run: {first})"));
        }
        if !ok && !output.contains("FAIL ") {
            // The harness itself died twice without saying why (no assertion failed): reported,
            // not counted against the analysis.
            harness_errors.push(format!(
                "{scenario} ({})",
                output.lines().last().unwrap_or("")
            ));
            took(&mut durations);
            continue;
        }
        if !ok {
            failures.push(format!(
                "{scenario}: the lab scenario failed:\n{}",
                output
                    .lines()
                    .rev()
                    .take(15)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
            took(&mut durations);
            continue;
        }
        let (mut wrong, mut headline) = analyse_scenario(scenario, &bundle);
        if !wrong.is_empty() {
            // Live daemons on a loaded machine add events of their own (a health check timing
            // out): a scenario whose analysis differs is run once more, and the retry reported.
            let first = wrong.join("; ");
            let (ok, _) = lab(&["scenario", scenario, bundle.to_str().unwrap()], &lab_dir);
            if ok {
                (wrong, headline) = analyse_scenario(scenario, &bundle);
                retried.push(format!("{scenario} (first run: {first})"));
            }
        }
        took(&mut durations);
        if wrong.is_empty() {
            passed += 1;
            println!("PASS {scenario}: {headline}");
        } else {
            failures.push(format!(
                "{scenario}: {} (verdict: {headline})",
                wrong.join("; ")
            ));
        }
    }
    let _ = lab(&["down"], &lab_dir);
    // cargo shows a passing test's output only on request, so the count also goes to a file that
    // .ci/run prints.
    let mut summary = format!(
        "lab scenarios: {passed} passed, {} failed in {} s (setup {setup_s}; {})",
        failures.len(),
        started.elapsed().as_secs(),
        durations.join(", ")
    );
    if !retried.is_empty() {
        summary.push_str(&format!("; run twice: {}", retried.join(", ")));
    }
    if !harness_errors.is_empty() {
        summary.push_str(&format!(
            "; lab harness died without a reason (not the analysis): {}",
            harness_errors.join(", ")
        ));
    }
    println!("{summary}");
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab-summary.txt"),
        format!("{summary}\n"),
    );
    assert!(
        failures.is_empty(),
        "lab scenarios failed:\n{}",
        failures.join("\n")
    );
}
