//! Fuzzes the keepalived.conf reader (vrrp_instance blocks, includes as text).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = esc_diag::sources::keepalived_conf::parse(&text);
});
