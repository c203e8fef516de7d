//! Fuzzes the bundle manifest parser.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = esc_diag::bundle::manifest::Manifest::parse(&text);
});
