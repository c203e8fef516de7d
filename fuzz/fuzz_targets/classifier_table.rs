//! Fuzzes the classifier tables (TOML, regexes, examples) and classifies with what loads: the
//! literal search derived from the fuzzed patterns must find what trying every row finds, on
//! fixed messages and on the table's own examples and near-misses.

#![no_main]

use esc_diag::rule_files::RuleFile;
use esc_diag::sources::classifier::Table;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = RuleFile {
        relative: "classifiers/fuzzed.toml".to_string(),
        origin: "classifiers/fuzzed.toml".to_string(),
        text: String::from_utf8_lossy(data).into_owned(),
    };
    if let Ok(table) = Table::from_file(&file) {
        let own: Vec<&str> = table
            .rows
            .iter()
            .flat_map(|row| row.examples.iter().chain(&row.near_misses))
            .map(String::as_str)
            .collect();
        let fixed = [
            "(esc_ha) Entering MASTER STATE",
            "block drbd1: role( Secondary -> Primary )",
            "",
            "\u{17f}TOP \u{212a}ELVIN",
        ];
        for message in fixed.iter().copied().chain(own) {
            for level in [None, Some("ERROR")] {
                let fast = table.classify(Some("Keepalived_vrrp"), level, message);
                let slow = table.classify_exhaustively(Some("Keepalived_vrrp"), level, message);
                assert_eq!(
                    fast.as_ref().map(|found| &found.row.id),
                    slow.as_ref().map(|found| &found.row.id),
                    "{message:?}"
                );
            }
        }
    }
});
