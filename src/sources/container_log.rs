//! Lines a container runtime wraps around a program's output: Docker's json-file records
//! (`{"log":"...\n","stream":"stderr","time":"..."}`), the CRI log files of Kubernetes
//! (`2024-01-01T00:00:00.123456789Z stderr F message`) and logfmt records of supervisors such as
//! k0s (`time="..." level=info msg="..." component=keepalived`). Each is rendered as the line the
//! program wrote, with the wrapper's time in front when that line has no stamp of its own; the
//! messages source then reads it like any other.

use super::envelope;
use serde_json::Value;

/// The program's line a wrapped record stands for, or None when `line` is not one.
pub fn render(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let (time, inner) = match trimmed.as_bytes().first()? {
        b'{' => docker_json(trimmed)?,
        b't' if trimmed.starts_with("time=") => logfmt(trimmed)?,
        b'0'..=b'9' => cri(trimmed)?,
        // grep's file name before each record (`grep -r keepalived /var/log/containers/`).
        b'/' => return envelope::after_grep_file_name(trimmed).and_then(render),
        _ => return None,
    };
    let inner = inner.trim_end_matches(['\n', '\r']);
    Some(if envelope::parse(inner).stamp.is_some() {
        inner.to_string()
    } else {
        format!("{time} {inner}")
    })
}

/// `{"log": ..., "time": ...}` (Docker's json-file driver).
fn docker_json(line: &str) -> Option<(String, String)> {
    if !line.contains("\"log\"") {
        return None;
    }
    let record: Value = serde_json::from_str(line).ok()?;
    let log = record.get("log")?.as_str()?.to_string();
    let time = record.get("time")?.as_str()?.to_string();
    Some((time, log))
}

/// `STAMP stdout|stderr F|P message` (CRI: containerd, CRI-O).
fn cri(line: &str) -> Option<(String, String)> {
    let (time, rest) = line.split_once(' ')?;
    let rest = rest
        .strip_prefix("stderr ")
        .or_else(|| rest.strip_prefix("stdout "))?;
    let message = rest
        .strip_prefix("F ")
        .or_else(|| rest.strip_prefix("P "))?;
    if !time.contains('T') || envelope::stamp(time).is_none() {
        return None;
    }
    Some((time.to_string(), message.to_string()))
}

/// `time="..." level=... msg="..." key=value...` (logrus and other logfmt writers).
fn logfmt(line: &str) -> Option<(String, String)> {
    let time = logfmt_value(line, "time")?;
    let message = logfmt_value(line, "msg")?;
    Some((time, message))
}

/// The value of `key=` in a logfmt line: a quoted string with `\"` and `\\` escapes, or a bare
/// word.
fn logfmt_value(line: &str, key: &str) -> Option<String> {
    let mut search = line;
    let start = loop {
        let at = search.find(key)?;
        let before = &search[..at];
        let after = &search[at + key.len()..];
        if (before.is_empty() || before.ends_with(' ')) && after.starts_with('=') {
            break &after[1..];
        }
        search = &search[at + key.len()..];
    };
    let Some(quoted) = start.strip_prefix('"') else {
        return Some(start.split(' ').next().unwrap_or("").to_string());
    };
    let mut value = String::new();
    let mut characters = quoted.chars();
    while let Some(character) = characters.next() {
        match character {
            '"' => return Some(value),
            '\\' => match characters.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                other => value.push(other),
            },
            other => value.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_json_file_records() {
        assert_eq!(
            render(
                r#"{"log":"Tue Feb 12 02:08:58 2019: VRRP child process(27323) died: Respawning\n","stream":"stderr","time":"2019-02-12T02:08:58.507727722Z"}"#
            )
            .as_deref(),
            Some("Tue Feb 12 02:08:58 2019: VRRP child process(27323) died: Respawning")
        );
        assert_eq!(
            render(r#"{"log":"(VI_1) Entering MASTER STATE\n","stream":"stderr","time":"2019-02-12T02:08:58Z"}"#)
                .as_deref(),
            Some("2019-02-12T02:08:58Z (VI_1) Entering MASTER STATE")
        );
        assert_eq!(render(r#"{"MESSAGE":"x"}"#), None);
        assert_eq!(render(r#"{"log": 3, "time": "x"}"#), None);
    }

    #[test]
    fn cri_log_files() {
        assert_eq!(
            render("2024-01-02T03:04:05.123456789Z stderr F Tue Jan  2 03:04:05 2024: (VI_1) Entering BACKUP STATE (init)")
                .as_deref(),
            Some("Tue Jan  2 03:04:05 2024: (VI_1) Entering BACKUP STATE (init)")
        );
        assert_eq!(
            render("2024-01-02T03:04:05Z stdout P (VI_1) Entering MASTER STATE").as_deref(),
            Some("2024-01-02T03:04:05Z (VI_1) Entering MASTER STATE")
        );
        assert_eq!(
            render("2024-01-02T03:04:05Z esc-ha-0 Keepalived_vrrp[1]: x"),
            None
        );
    }

    #[test]
    fn logfmt_records() {
        assert_eq!(
            render(r#"time="2024-11-19 12:56:11" level=info msg="Tue Nov 19 12:56:11 2024: Starting Keepalived v2.2.8 (04/04,2023), \"quoted\"" component=keepalived stream=stderr"#)
                .as_deref(),
            Some(r#"Tue Nov 19 12:56:11 2024: Starting Keepalived v2.2.8 (04/04,2023), "quoted""#)
        );
        assert_eq!(
            render(r#"time="2024-11-19 12:56:11" level=info msg="Starting to supervise" component=keepalived"#)
                .as_deref(),
            Some("2024-11-19 12:56:11 Starting to supervise")
        );
        assert_eq!(render("timeout=3 msg=\"unclosed"), None);
        assert_eq!(render("the msg=x time=y"), None);
    }
}
