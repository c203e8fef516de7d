//! `esc-diag rules`: every shipped rule passes its own cases and every classifier row recognises
//! its examples and none of its near-misses; a table or a rule in --rules DIR adds a wording or a
//! cause without touching Rust; broken files are named with their line.

use std::fs;

use crate::support::{BundleBuilder, Run, esc_diag};

#[test]
fn the_shipped_rules_and_tables_pass_their_own_cases() {
    let run = esc_diag(["rules", "test"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.trim_end().ends_with(" passed, 0 failed"),
        "{}",
        run.stdout
    );
    let check = esc_diag(["rules", "check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains(": 0 problems"), "{}", check.stdout);
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
        "rules".into(),
        "test".into(),
        rules.path().as_os_str().to_owned(),
    ]);
    assert_eq!(test.code, 0, "{}", test.stdout);
}

#[test]
fn a_broken_table_is_named_with_its_line_and_the_others_still_work() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("classifiers")).unwrap();
    fs::write(rules.path().join("classifiers/broken.toml"), "[table]\nname = \"broken\"\nsources = [\"messages\"]\n\n[[row]]\nid = \"x\"\nkind = \"no-such-kind\"\n").unwrap();
    let run = rules_check(rules.path());
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("broken.toml"), "{}", run.stdout);
    assert!(run.stdout.contains("line 7"), "{}", run.stdout);
    assert!(run.stdout.contains("6 classifier tables"), "{}", run.stdout);
}

/// `esc-diag rules check DIR`.
fn rules_check(directory: &std::path::Path) -> Run {
    esc_diag([
        "rules".into(),
        "check".into(),
        directory.as_os_str().to_owned(),
    ])
}

fn site_rules() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site-rules")
}

#[test]
fn a_new_cause_is_a_rule_file_with_its_cases_in_a_rules_directory() {
    let test = esc_diag(["rules".into(), "test".into(), site_rules().into_os_string()]);
    assert_eq!(test.code, 0, "{}", test.stdout);
    assert!(
        test.stdout
            .contains("ok   hypervisor-restart / the monitor logged the restart"),
        "{}",
        test.stdout
    );
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", "Nov 25 10:00:00 esc-ha-0 Keepalived_vrrp[12]: (esc_ha) Entering MASTER STATE\n")
        .file(
            "esc-ha-1",
            "var/log/messages",
            "Nov 25 09:59:00 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering BACKUP STATE\nNov 25 10:05:00 esc-ha-1 vm_monitor[5]: peer VM restart requested\nNov 25 10:05:04 esc-ha-1 Keepalived_vrrp[22]: (esc_ha) Entering MASTER STATE\n",
        );
    let with_rule = esc_diag([
        "--rules".into(),
        site_rules().into_os_string(),
        "analyze".into(),
        "--format".into(),
        "json".into(),
        bundle.path().as_os_str().to_owned(),
    ]);
    let report = with_rule.json();
    let failover = report["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|failover| failover["node"] == "esc-ha-1")
        .unwrap()
        .clone();
    assert_eq!(
        failover["cause"], "hypervisor-restart",
        "{}",
        with_rule.stdout
    );
    let without = crate::support::analyze(bundle.path(), &[]);
    let failovers = without.json()["failovers"].clone();
    assert!(
        failovers
            .as_array()
            .unwrap()
            .iter()
            .all(|failover| failover["cause"] != "hypervisor-restart")
    );
}

#[test]
fn a_broken_rule_is_named_with_line_and_column_and_the_others_still_run() {
    let rules = tempfile::tempdir().unwrap();
    fs::write(
        rules.path().join("broken-rule.toml"),
        "title = \"x\"\nseverity = \"warning\"\nsubject = \"takeover\"\nexplanation = \"\"\nremedy = \"\"\ncondition = '''\n  seen(peer, true, -5s, 1s) and\n  state(peer) == \"MASTER\"\n'''\n",
    )
    .unwrap();
    let run = rules_check(rules.path());
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("broken-rule.toml:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("state() takes 2 arguments"),
        "{}",
        run.stdout
    );
    let analyze = esc_diag([
        "--rules".into(),
        rules.path().as_os_str().to_owned(),
        "analyze".into(),
        "--format".into(),
        "json".into(),
        crate::support::testdata_bundle("lab-partition").into_os_string(),
    ]);
    let report = analyze.json();
    assert_eq!(report["verdict"]["status"], "split-brain");
    assert!(
        report["coverage"]["rule_errors"][0]
            .as_str()
            .unwrap()
            .contains("broken-rule.toml")
    );
}

#[test]
fn a_placeholder_no_value_fills_and_advice_no_file_holds_are_named() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("advice")).unwrap();
    fs::write(
        rules.path().join("typo-rule.toml"),
        "title = \"Takeover by {slef}\"\nseverity = \"warning\"\nsubject = \"takeover\"\nexplanation = \"awk '{print $1}' is text\"\nremedy = \"On {peer}: look.\\n{advice:no-such-advice}\"\ncondition = 'true'\n",
    )
    .unwrap();
    fs::write(
        rules.path().join("advice/local.toml"),
        "text = \"Keep {survivor}; ask {owner}.\"\n[when_unknown]\nsurvivr = \"x\"\n",
    )
    .unwrap();
    let run = rules_check(rules.path());
    assert_eq!(run.code, 1, "{}", run.stdout);
    let problems: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(problems.len(), 4, "{}", run.stdout);
    for expected in [
        "typo-rule.toml: its title names {slef}, which no value fills",
        "typo-rule.toml: the remedy names {advice:no-such-advice}, but there is no",
        "advice/local.toml: names {owner}, which no value fills",
        "advice/local.toml: has a when_unknown text for \"survivr\"",
    ] {
        assert!(
            problems.iter().any(|line| line.contains(expected)),
            "{expected}\n{}",
            run.stdout
        );
    }
}

#[test]
fn the_literals_a_source_is_screened_for_are_printed_one_per_line() {
    let shipped = esc_diag(["rules", "literals", "escmanager"]);
    assert_eq!(shipped.code, 0, "{}", shipped.stderr);
    let literals: Vec<&str> = shipped.stdout.lines().collect();
    assert!(literals.contains(&"master"), "{literals:?}");
    assert!(
        literals
            .iter()
            .all(|literal| !literal.is_empty() && *literal == literal.to_lowercase()),
        "{literals:?}"
    );
    let sorted = {
        let mut sorted = literals.clone();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
    };
    assert_eq!(literals, sorted);

    // A site row adds its pattern's literal, folded; a row that requires none turns the screen off.
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("classifiers")).unwrap();
    let table = |pattern: &str| {
        format!(
            "[table]\nname = \"site\"\nsources = [\"escmanager\"]\n\n[[row]]\nid = \"frob\"\nkind = \"esc-service\"\nevent = \"frob\"\npattern = '{pattern}'\nexamples = [\"x Quux Frobnicated y\"]\n"
        )
    };
    let with_rules = |pattern: &str| {
        fs::write(rules.path().join("classifiers/site.toml"), table(pattern)).unwrap();
        esc_diag([
            "--rules".into(),
            rules.path().as_os_str().to_owned(),
            "rules".into(),
            "literals".into(),
            "escmanager".into(),
        ])
    };
    let added = with_rules("Quux (?:Frobnicated|Frobbed)");
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added.stdout.lines().any(|line| line == "quux frobnicated"),
        "{}",
        added.stdout
    );
    assert!(
        added.stdout.lines().any(|line| line == "quux frobbed"),
        "{}",
        added.stdout
    );
    let unscreened = with_rules(".+");
    assert_eq!(unscreened.code, 2);
    assert!(
        unscreened.stderr.contains("every line is classified"),
        "{}",
        unscreened.stderr
    );

    let unknown = esc_diag(["rules", "literals", "messages"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("escmanager, escadm"),
        "{}",
        unknown.stderr
    );
}
