//! Reports: how results are printed. One file per output: the analysis as text, JSON, HTML and
//! Markdown, the timeline as text and JSON / NDJSON, the swimlane picture the HTML draws, and
//! `diff` as text and JSON.
//! Printing only; nothing here reads logs or decides anything.

pub mod analysis_html;
pub mod analysis_json;
pub mod analysis_markdown;
pub mod analysis_text;
pub mod diff_json;
pub mod diff_text;
pub mod json_string;
pub mod phrases;
pub mod swimlanes;
pub mod timeline_json;
pub mod timeline_text;

pub use crate::timeline::{format_time, format_time_capped};

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn times_keep_the_source_precision() {
        let whole = Utc.with_ymd_and_hms(2026, 11, 25, 14, 20, 36).unwrap();
        assert_eq!(format_time(whole, 0), "2026-11-25T14:20:36Z");
        assert_eq!(format_time(whole, 6), "2026-11-25T14:20:36.000000Z");
        let shifted = whole + chrono::Duration::milliseconds(250);
        assert_eq!(format_time(shifted, 0), "2026-11-25T14:20:36.250Z");
    }
}
