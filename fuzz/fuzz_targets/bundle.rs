//! Fuzzes the whole chain on a generated bundle: the input is split into files of two nodes
//! (messages, escmanager.log, keepalived.conf, keepalived_state, drbd status, manifest.json, or a
//! .tar.gz of its own), read, merged, diagnosed and reported as JSON. An input that begins with
//! `L` is a folder of loose files instead (a ticket's pastes: one file may hold several nodes'
//! lines).

#![no_main]

use std::fs;
use std::sync::OnceLock;

use esc_diag::bundle::Bundle;
use esc_diag::diagnosis::{ReportWindow, diagnose};
use esc_diag::rules::RuleSet;
use esc_diag::sources::classifier::Classifier;
use esc_diag::timeline::Timeline;
use libfuzzer_sys::fuzz_target;

const PLACES: [&str; 8] = [
    "esc-ha-0/var/log/messages",
    "esc-ha-1/var/log/messages",
    "esc-ha-0/var/log/esc/escmanager.log",
    "esc-ha-0/etc/keepalived/keepalived.conf",
    "esc-ha-1/opt/cisco/esc/keepalived_state",
    "esc-ha-1/commands/drbdadm_status.txt",
    "manifest.json",
    "bundle.tar.gz",
];

fn loaded() -> &'static (Classifier, RuleSet) {
    static LOADED: OnceLock<(Classifier, RuleSet)> = OnceLock::new();
    LOADED.get_or_init(|| (Classifier::load(None), RuleSet::load(None)))
}

/// Where the parts of an input beginning with `L` go: loose files of a folder.
const LOOSE_PLACES: [&str; 4] = [
    "ticket.log",
    "node2.messages",
    "notes.txt",
    "escmanager.log",
];

fuzz_target!(|data: &[u8]| {
    let Ok(directory) = tempfile::tempdir() else {
        return;
    };
    let (data, places) = match data.strip_prefix(b"L") {
        Some(rest) => (rest, &LOOSE_PLACES[..]),
        None => (data, &PLACES[..]),
    };
    // Parts separated by a 0xff byte go to the places in turn.
    let mut tarball = None;
    for (part, place) in data.split(|byte| *byte == 0xff).zip(places) {
        let path = directory.path().join(place);
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(&path, part);
        if place.ends_with(".tar.gz") {
            tarball = Some(path);
        }
    }
    if places.len() == PLACES.len() {
        let _ = fs::create_dir_all(directory.path().join("esc-ha-0/var/log"));
    }
    let input = match tarball {
        Some(path) => path,
        None => directory.path().to_path_buf(),
    };
    let Ok(bundle) = Bundle::open(&[input]) else {
        return;
    };
    let (classifier, rules) = loaded();
    let timeline = Timeline::build(&bundle, classifier);
    let _ = diagnose(&bundle, &timeline, rules, ReportWindow::default());
});
