//! Fuzzes the classifier tables (TOML, regexes, examples) and classifies with what loads.

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
        for message in [
            "(esc_ha) Entering MASTER STATE",
            "block drbd1: role( Secondary -> Primary )",
            "",
        ] {
            let _ = table.classify(Some("Keepalived_vrrp"), None, message);
        }
    }
});
