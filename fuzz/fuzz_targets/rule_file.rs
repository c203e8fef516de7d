//! Fuzzes the diagnosis rule files (TOML, texts, conditions, cases).

#![no_main]

use esc_diag::rule_files::RuleFile;
use esc_diag::rules::Rule;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = RuleFile {
        relative: "fuzzed.toml".to_string(),
        origin: "fuzzed.toml".to_string(),
        text: String::from_utf8_lossy(data).into_owned(),
    };
    let _ = Rule::from_file(&file);
});
