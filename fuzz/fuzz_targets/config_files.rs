//! Fuzzes the configuration readers `esc-diag diff` compares: esc-config.yaml (YAML, flattened)
//! and DRBD's configuration (statements in blocks). The first byte picks the reader.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if which % 2 == 0 {
        let _ = esc_diag::sources::esc_config::parse(&text);
    } else {
        let statements = esc_diag::sources::drbd_conf::parse(&text);
        for key in statements.keys() {
            let _ = esc_diag::sources::drbd_conf::is_secret(key);
        }
    }
});
