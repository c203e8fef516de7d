//! The report's words on every sample bundle: no template placeholder or alternative clause
//! reaches the output, findings do not contradict each other on who keeps the VIP or the data,
//! and where the lab acted on one node, the remedies of the failover send the operator there.

use regex::Regex;
use serde_json::Value;

use crate::support::{analyze, esc_diag, sample_bundles, testdata_bundle};

/// Every sentence of a report meant for people: titles, explanations, remedies, the verdict.
fn sentences(report: &Value) -> Vec<(String, String)> {
    let mut texts = vec![(
        "verdict".to_string(),
        report["verdict"]["headline"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )];
    for finding in report["findings"].as_array().into_iter().flatten() {
        let id = finding["id"].as_str().unwrap_or("").to_string();
        for field in ["title", "explanation", "remedy"] {
            texts.push((
                format!("{id} {field}"),
                finding[field].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    for check in report["checks"].as_array().into_iter().flatten() {
        if let Some(remedy) = check["remedy"].as_str() {
            texts.push((format!("check {}", check["id"]), remedy.to_string()));
        }
    }
    texts
}

/// What in a text reads as a template or an alternative rather than a fact.
fn banned_patterns() -> Vec<(Regex, &'static str)> {
    vec![
        (Regex::new(r"<[A-Za-z_ -]+>").unwrap(), "a <placeholder>"),
        (
            Regex::new(r"\{[a-z_:]+\}").unwrap(),
            "an unfilled {template}",
        ),
        (
            Regex::new(r"\{[a-z]+\?").unwrap(),
            "an unresolved {choice?…|…}",
        ),
        (
            Regex::new(r"\((for|if) an? [a-z]+[,)]").unwrap(),
            "a (for a ...) alternative",
        ),
        (
            Regex::new(r"(?i)\bfor a (yield|stop|takeover|fault)\b").unwrap(),
            "a per-subject alternative",
        ),
        (
            Regex::new(r"\beither\b[^.]*\bor\b").unwrap(),
            "an either/or clause",
        ),
        (
            Regex::new(r"\bor on esc-ha").unwrap(),
            "an or-on-node alternative",
        ),
    ]
}

/// The placeholders and alternative clauses in a report's sentences, the findings that
/// contradict each other on who keeps the VIP and the data (or name a survivor that is not the
/// MASTER now), and a finding citing one log line twice. Shared with the field corpus test.
pub fn word_problems(report: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let banned = banned_patterns();
    for (place, sentence) in sentences(report) {
        for (pattern, what) in &banned {
            if let Some(found) = pattern.find(&sentence) {
                problems.push(format!("{place}: {what}: {:?}", found.as_str()));
            }
        }
    }
    let keeps = Regex::new(r"keep (esc-ha-\d+|\S+)'s data|Leave the VIP on (\S+),").unwrap();
    let mut named: Vec<String> = Vec::new();
    for (_, sentence) in sentences(report) {
        for capture in keeps.captures_iter(&sentence) {
            let node = capture
                .get(1)
                .or(capture.get(2))
                .unwrap()
                .as_str()
                .to_string();
            if !named.contains(&node) {
                named.push(node);
            }
        }
    }
    if named.len() > 1 {
        problems.push(format!("the survivor is {named:?}"));
    }
    if let (Some(node), Some(master)) =
        (named.first(), report["verdict"]["current_master"].as_str())
        && node != master
    {
        problems.push(format!("keeps {node}'s side but {master} is MASTER now"));
    }
    let says_unknown = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|finding| {
            finding["remedy"]
                .as_str()
                .is_some_and(|remedy| remedy.contains("the logs do not tell whose data"))
        });
    if says_unknown && !named.is_empty() {
        problems.push(format!(
            "one finding names the survivor {named:?}, another says the logs do not tell"
        ));
    }
    for finding in report["findings"].as_array().into_iter().flatten() {
        let mut cited: Vec<(&Value, &Value, &Value)> = Vec::new();
        for line in finding["evidence"].as_array().into_iter().flatten() {
            let key = (&line["node"], &line["file"], &line["line"]);
            if cited.contains(&key) {
                problems.push(format!(
                    "{} cites {}:{} twice",
                    finding["id"], line["file"], line["line"]
                ));
            }
            cited.push(key);
        }
    }
    problems
}

#[test]
fn no_placeholder_alternative_or_contradiction_reaches_any_report() {
    let banned = banned_patterns();
    // Quoted log lines (evidence) and their wrapped continuations are the logs' own words.
    let quoted = Regex::new(r"^\s+\d{2}:\d{2}:\d{2}|^\s+\d{4}-\d{2}-\d{2} |^\s{20,}").unwrap();
    let mut wrong = Vec::new();
    for bundle in sample_bundles() {
        let path = testdata_bundle(&bundle);
        let report = analyze(&path, &[]).json();
        for problem in word_problems(&report) {
            wrong.push(format!("{bundle}: {problem}"));
        }
        // The text report without its quoted log lines (evidence is the logs' own words).
        let text = esc_diag(["analyze".into(), "--verbose".into(), path.into_os_string()]).stdout;
        let prose: String = text
            .lines()
            .filter(|line| !quoted.is_match(line))
            .collect::<Vec<_>>()
            .join("\n");
        for (pattern, what) in &banned {
            if let Some(found) = pattern.find(&prose) {
                wrong.push(format!(
                    "{bundle}: text report: {what}: {:?}",
                    found.as_str()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The node the lab acted on (stopped, killed, froze, took the link of), from lab-events.json.
fn acted_on(bundle: &str) -> Option<String> {
    let text = std::fs::read_to_string(testdata_bundle(bundle).join("lab-events.json")).ok()?;
    let events: Value = serde_json::from_str(&text).ok()?;
    events["events"]
        .as_array()?
        .iter()
        .find(|event| event["node"].is_string() && event["action"] != "takeover")
        .and_then(|event| event["node"].as_str())
        .map(str::to_string)
}

#[test]
fn remedies_send_the_operator_to_the_node_the_lab_acted_on() {
    let first_node = Regex::new(r"\bOn (esc-ha-\d+)\b").unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for bundle in sample_bundles() {
        let Some(node) = acted_on(&bundle) else {
            continue;
        };
        let report = analyze(&testdata_bundle(&bundle), &[]).json();
        for finding in report["findings"].as_array().into_iter().flatten() {
            if finding["severity"] == "info" {
                continue;
            }
            let remedy = finding["remedy"].as_str().unwrap_or("");
            let Some(named) = first_node.captures(remedy) else {
                continue;
            };
            checked += 1;
            if named[1] != node {
                wrong.push(format!(
                    "{bundle}: the lab acted on {node}, but {} sends the operator to {}: {remedy}",
                    finding["id"], &named[1]
                ));
            }
        }
    }
    assert!(checked >= 6, "only {checked} remedies named a node");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn references_are_public_addresses() {
    for bundle in sample_bundles() {
        let report = analyze(&testdata_bundle(&bundle), &[]).json();
        for finding in report["findings"].as_array().into_iter().flatten() {
            for reference in finding["references"].as_array().into_iter().flatten() {
                let reference = reference.as_str().unwrap_or("");
                assert!(
                    reference.starts_with("https://"),
                    "{bundle}: {}: {reference:?} is not a public address",
                    finding["id"]
                );
            }
        }
    }
}

#[test]
fn finding_ids_are_unique_in_every_report_two_vrrp_instances_included() {
    let bundles = sample_bundles();
    assert!(bundles.contains(&"two-instances-partition".to_string()));
    for bundle in bundles {
        let report = analyze(&testdata_bundle(&bundle), &[]).json();
        let mut ids: Vec<&str> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|finding| finding["id"].as_str())
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "{bundle}: duplicate finding ids");
    }
}
