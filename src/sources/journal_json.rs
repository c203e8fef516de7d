//! `journalctl -o json` exports: one JSON object per line. Each is rendered as the equivalent
//! short-iso syslog line (`2026-11-25T15:53:07.123456+00:00 host ident[pid]: message`), which the
//! messages source then reads like any other: the evidence shows that rendering, with the export's
//! own line number.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The syslog line a journal JSON entry stands for, or None when the line is not one.
pub fn render(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    // grep's file name before each entry (`grep -h` was not used on several exports).
    if trimmed.starts_with('/') {
        return crate::sources::envelope::after_grep_file_name(trimmed).and_then(render);
    }
    if !trimmed.starts_with('{') || !trimmed.contains("\"MESSAGE\"") {
        return None;
    }
    let entry: Value = serde_json::from_str(trimmed).ok()?;
    let text = |key: &str| -> Option<String> {
        match entry.get(key)? {
            Value::String(text) => Some(text.clone()),
            // The journal writes a message that is not valid UTF-8 as an array of bytes.
            Value::Array(bytes) => {
                let bytes: Vec<u8> = bytes
                    .iter()
                    .filter_map(|byte| byte.as_u64().and_then(|byte| u8::try_from(byte).ok()))
                    .collect();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    render_fields(text)
}

/// The syslog line of a journal entry whose fields `text` gives (JSON or export entries).
pub fn render_fields(text: impl Fn(&str) -> Option<String>) -> Option<String> {
    let micros: i64 = text("__REALTIME_TIMESTAMP")?.parse().ok()?;
    let time = DateTime::<Utc>::from_timestamp_micros(micros)?;
    let host = text("_HOSTNAME").unwrap_or_else(|| "-".to_string());
    let ident = text("SYSLOG_IDENTIFIER")
        .or_else(|| text("_COMM"))
        .unwrap_or_else(|| "journal".to_string());
    let pid = text("SYSLOG_PID").or_else(|| text("_PID"));
    // One entry is one line: a multi-line message keeps its first line here (the rest are in the
    // export).
    let message = text("MESSAGE")?;
    let message = message.lines().next().unwrap_or("");
    let program = match pid {
        Some(pid) => format!("{ident}[{pid}]"),
        None => ident,
    };
    Some(format!(
        "{} {host} {program}: {message}",
        time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_becomes_its_syslog_line() {
        let line = r#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1764085987123456","_HOSTNAME":"esc-ha-0","SYSLOG_IDENTIFIER":"Keepalived_vrrp","_PID":"812","MESSAGE":"(esc_ha) Entering MASTER STATE","PRIORITY":"6"}"#;
        assert_eq!(
            render(line).unwrap(),
            "2025-11-25T15:53:07.123456+00:00 esc-ha-0 Keepalived_vrrp[812]: (esc_ha) Entering MASTER STATE"
        );
        let bytes = r#"{"__REALTIME_TIMESTAMP":"1764085987000000","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"kernel","MESSAGE":[98,108,111,99,107,255]}"#;
        assert_eq!(
            render(bytes).unwrap(),
            "2025-11-25T15:53:07.000000+00:00 h kernel: block\u{fffd}"
        );
        assert!(render("Nov 25 15:53:07 esc-ha-0 Keepalived_vrrp[812]: x").is_none());
        assert!(render("{\"MESSAGE\": 1").is_none());
    }
}
