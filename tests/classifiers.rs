//! `esc-diag classifiers`: every shipped table row recognises its examples and none of its
//! near-misses, and a table in --rules DIR adds a wording without touching Rust.

use std::fs;

use crate::support::{BundleBuilder, esc_diag};

#[test]
fn the_shipped_tables_pass_their_own_cases() {
    let run = esc_diag(["classifiers"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains(": 0 problems"), "{}", run.stdout);
}

#[test]
fn a_new_wording_is_a_table_row_in_a_rules_directory() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("classifiers")).unwrap();
    fs::write(
        rules.path().join("classifiers/site.toml"),
        r#"
[table]
name = "site"
sources = ["messages"]
program = '^esc_monitor$'

[[row]]
id = "vip-lost"
kind = "vrrp-fault"
event = "vip-lost"
pattern = 'VIP (?P<address>\S+) no longer answers'
examples = ["esc_monitor: VIP 10.85.103.137 no longer answers"]
near_misses = ["esc_monitor: VIP 10.85.103.137 answers"]
"#,
    )
    .unwrap();
    let bundle = BundleBuilder::new().file(
        "esc-ha-0",
        "var/log/messages",
        "Nov 25 14:20:36 esc-ha-0 esc_monitor[77]: VIP 10.85.103.137 no longer answers\n",
    );
    let without = esc_diag([
        "timeline".into(),
        "--format".into(),
        "ndjson".into(),
        bundle.path().as_os_str().to_owned(),
    ]);
    assert!(without.stdout.is_empty(), "{}", without.stdout);
    let with = esc_diag([
        "--rules".into(),
        rules.path().as_os_str().to_owned(),
        "timeline".into(),
        "--format".into(),
        "ndjson".into(),
        bundle.path().as_os_str().to_owned(),
    ]);
    let events = with.ndjson();
    assert_eq!(events.len(), 1, "{}", with.stderr);
    assert_eq!(events[0]["event"], "vip-lost");
    assert_eq!(events[0]["fields"]["address"], "10.85.103.137");
    let test = esc_diag([
        "--rules".into(),
        rules.path().as_os_str().to_owned(),
        "classifiers".into(),
    ]);
    assert_eq!(test.code, 0, "{}", test.stdout);
}

#[test]
fn a_broken_table_is_named_with_its_line_and_the_others_still_work() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("classifiers")).unwrap();
    fs::write(rules.path().join("classifiers/broken.toml"), "[table]\nname = \"broken\"\nsources = [\"messages\"]\n\n[[row]]\nid = \"x\"\nkind = \"no-such-kind\"\n").unwrap();
    let run = esc_diag([
        "--rules".into(),
        rules.path().as_os_str().to_owned(),
        "classifiers".into(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("broken.toml"), "{}", run.stdout);
    assert!(run.stdout.contains("line 7"), "{}", run.stdout);
    assert!(run.stdout.contains("4 tables"), "{}", run.stdout);
}
