//! Reports: how results are printed. One file per output: the timeline as text for people and as
//! JSON / NDJSON for tools. Printing only; nothing here reads logs or decides anything.

pub mod timeline_json;
pub mod timeline_text;

use chrono::{DateTime, Utc};

/// RFC 3339 in UTC with `Z`, with as many fraction digits as the source wrote (more only when a
/// clock correction needs them).
pub fn format_time(time: DateTime<Utc>, digits: u8) -> String {
    format_time_capped(time, digits, 9)
}

/// As [`format_time`], with at most `cap` fraction digits (the rest truncated).
pub fn format_time_capped(time: DateTime<Utc>, digits: u8, cap: u32) -> String {
    let nanos = time.timestamp_subsec_nanos();
    let mut digits = u32::from(digits.min(9));
    while digits < 9 && nanos % 10u32.pow(9 - digits) != 0 {
        digits = match digits {
            0..=2 => 3,
            3..=5 => 6,
            _ => 9,
        };
    }
    let digits = digits.min(cap);
    let base = time.format("%Y-%m-%dT%H:%M:%S");
    if digits == 0 {
        format!("{base}Z")
    } else {
        let fraction = format!("{nanos:09}");
        format!("{base}.{}Z", &fraction[..digits as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_keep_the_source_precision() {
        let whole = Utc.with_ymd_and_hms(2026, 11, 25, 14, 20, 36).unwrap();
        assert_eq!(format_time(whole, 0), "2026-11-25T14:20:36Z");
        assert_eq!(format_time(whole, 6), "2026-11-25T14:20:36.000000Z");
        let shifted = whole + chrono::Duration::milliseconds(250);
        assert_eq!(format_time(shifted, 0), "2026-11-25T14:20:36.250Z");
    }
}
