//! `esc-diag diff`: a bundle against itself changes nothing (exit 0); a hand-changed copy (a
//! priority changed, a VIP removed, esc-config.yaml and DRBD edited, a secret changed) reports
//! every change and shows no secret; pairs of lab bundles report the verdict and who is MASTER;
//! the JSON follows schema/diff-v1.schema.json.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{copy_tree, esc_diag, sample_bundles, testdata_bundle};

fn diff_schema() -> jsonschema::Validator {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/diff-v1.schema.json"),
    )
    .expect("the schema file");
    jsonschema::validator_for(&serde_json::from_str(&text).expect("the schema is JSON"))
        .expect("the diff schema compiles")
}

fn diff(before: &Path, after: &Path, format: &str) -> crate::support::Run {
    let run = esc_diag([
        "diff".as_ref(),
        before.as_os_str(),
        after.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
        "--now".as_ref(),
        "2026-11-26T00:00:00Z".as_ref(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("the file");
    assert!(text.contains(from), "{} has {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("written");
}

/// Two copies of lab-healthy with esc-config.yaml and a DRBD resource file on esc-ha-0; the second
/// edited by hand.
fn hand_changed() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let work = tempfile::tempdir().expect("a temporary directory");
    let (before, after) = (work.path().join("before"), work.path().join("after"));
    for side in [&before, &after] {
        copy_tree(&testdata_bundle("lab-healthy"), side);
        let node = side.join("esc-ha-0");
        fs::create_dir_all(node.join("opt/cisco/esc/esc-config")).expect("a directory");
        fs::write(
            node.join("opt/cisco/esc/esc-config/esc-config.yaml"),
            "resources:\n  drbd:\n    nodes:\n    - 10.85.103.135\n    - 10.85.103.136\n  \
             keepalived:\n    vip: 10.85.103.137\n    auth_pass: before-secret-3141\n",
        )
        .expect("written");
        fs::create_dir_all(node.join("etc/drbd.d")).expect("a directory");
        fs::write(
            node.join("etc/drbd.d/esc.res"),
            "resource esc {\n  protocol C;\n  net { shared-secret \"drbd-secret-2718\"; }\n  \
             on esc-ha-0 { address 10.85.103.135:7789; }\n}\n",
        )
        .expect("written");
    }
    let node = after.join("esc-ha-0");
    edit(
        &node.join("etc/keepalived/keepalived.conf"),
        "priority 101",
        "priority 100",
    );
    edit(
        &node.join("etc/keepalived/keepalived.conf"),
        "10.85.103.137/24 dev eth0",
        "",
    );
    edit(
        &node.join("opt/cisco/esc/esc-config/esc-config.yaml"),
        "before-secret-3141",
        "after-secret-1618",
    );
    edit(
        &node.join("opt/cisco/esc/esc-config/esc-config.yaml"),
        "    - 10.85.103.136\n",
        "    - 10.85.103.138\n",
    );
    edit(
        &node.join("etc/drbd.d/esc.res"),
        "drbd-secret-2718",
        "drbd-secret-1414",
    );
    edit(&node.join("etc/drbd.d/esc.res"), "protocol C", "protocol A");
    (work, before, after)
}

#[test]
fn a_bundle_against_itself_changes_nothing() {
    let validator = diff_schema();
    for name in sample_bundles() {
        let bundle = testdata_bundle(&name);
        let run = diff(&bundle, &bundle, "json");
        let report = run.json();
        assert_eq!(run.code, 0, "{name}: {}", run.stdout);
        assert_eq!(report["changed"], false, "{name}");
        assert_eq!(report["changes"], serde_json::json!([]), "{name}");
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|error| error.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let text = diff(&bundle, &bundle, "text");
        assert!(text.stdout.starts_with("SAME"), "{name}: {}", text.stdout);
    }
}

#[test]
fn every_hand_made_change_is_reported_and_no_secret_is_shown() {
    let (_work, before, after) = hand_changed();
    let run = diff(&before, &after, "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    let errors: Vec<String> = diff_schema()
        .iter_errors(&report)
        .map(|error| error.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let changes: Vec<(String, String, String, String, String)> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| {
            let text = |field: &str| change[field].as_str().unwrap_or("null").to_string();
            (
                text("area"),
                text("subject"),
                text("item"),
                text("before"),
                text("after"),
            )
        })
        .collect();
    let has = |area: &str, subject: &str, item: &str, before: &str, after: &str| {
        changes.contains(&(
            area.to_string(),
            subject.to_string(),
            item.to_string(),
            before.to_string(),
            after.to_string(),
        ))
    };
    for (area, subject, item, old, new) in [
        ("keepalived", "esc_ha", "priority", "101", "100"),
        ("keepalived", "esc_ha", "vips", "10.85.103.137/24", ""),
        (
            "esc-config",
            "null",
            "resources.drbd.nodes",
            "[10.85.103.135, 10.85.103.136]",
            "[10.85.103.135, 10.85.103.138]",
        ),
        (
            "esc-config",
            "null",
            "resources.keepalived.auth_pass",
            "<secret>",
            "<secret>",
        ),
        (
            "drbd",
            "etc/drbd.d/esc.res",
            "resource esc > protocol",
            "C",
            "A",
        ),
        (
            "drbd",
            "etc/drbd.d/esc.res",
            "resource esc > net > shared-secret",
            "<secret>",
            "<secret>",
        ),
    ] {
        assert!(
            has(area, subject, item, old, new),
            "no {area} {subject} {item} {old} → {new} in {changes:#?}"
        );
    }
    // Only esc-ha-0 was edited, and only these six settings: nothing else is reported.
    assert_eq!(
        changes.len(),
        6,
        "exactly the six hand-made changes: {changes:#?}"
    );
    let text = diff(&before, &after, "text");
    assert_eq!(text.code, 1);
    for secret in [
        "before-secret-3141",
        "after-secret-1618",
        "drbd-secret-2718",
        "drbd-secret-1414",
    ] {
        assert!(!run.stdout.contains(secret), "JSON shows {secret}");
        assert!(!text.stdout.contains(secret), "text shows {secret}");
    }
    assert!(text.stdout.contains("priority"), "{}", text.stdout);
    assert!(text.stdout.contains("101 → 100"), "{}", text.stdout);
}

#[test]
fn lab_pairs_report_the_verdict_and_who_is_master() {
    let healthy = testdata_bundle("lab-healthy");
    for (name, status) in [
        ("lab-partition", "split-brain"),
        ("lab-graceful-stop", "failover"),
    ] {
        let run = diff(&healthy, &testdata_bundle(name), "json");
        assert_eq!(run.code, 1, "{name}");
        let report = run.json();
        assert_eq!(report["before"]["verdict"], "healthy", "{name}");
        assert_eq!(report["after"]["verdict"], status, "{name}");
        let changes = report["changes"].as_array().expect("changes");
        assert!(
            changes.iter().any(|change| change["area"] == "verdict"
                && change["item"] == "status"
                && change["before"] == "healthy"
                && change["after"] == status),
            "{name}: {changes:#?}"
        );
        // The expected current master of each sample is who the diff says is MASTER after.
        let expected = crate::support::expected(name);
        if let Some(master) = expected["current_master"].as_str() {
            assert!(
                changes
                    .iter()
                    .filter(|change| change["area"] == "master")
                    .all(|change| change["after"] == master),
                "{name}: {changes:#?}"
            );
        }
    }
}

#[test]
fn a_missing_side_is_an_error_naming_it() {
    let run = esc_diag([
        "diff",
        testdata_bundle("lab-healthy").to_str().expect("UTF-8"),
        "/nonexistent/after.tar.gz",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("AFTER"), "{}", run.stderr);
    assert!(
        run.stderr.contains("/nonexistent/after.tar.gz"),
        "{}",
        run.stderr
    );
}
