//! Fuzzes the rule condition language (nom parser and its checks).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = esc_diag::rules::condition::parse(&text);
});
