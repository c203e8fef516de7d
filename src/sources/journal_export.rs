//! `journalctl -o export` files: entries of `FIELD=value` lines (a field holding a newline or
//! binary data is written as its name, a little-endian 64-bit length, the bytes and a newline),
//! entries separated by an empty line. A file that starts like one is read through
//! [`ExportLines`], which turns each entry into the short-iso syslog line it stands for (as
//! `-o json` entries are), placed on the entry's first line and followed by as many empty lines as
//! the entry took, so that line numbers stay those of the export.

use std::io::{self, BufRead, Read};

use super::journal_json;

/// The longest binary field read; a longer declared length is a damaged export.
const MAX_FIELD_BYTES: u64 = 16 << 20;
/// The longest text line of an entry kept (the rest of the line is skipped).
const MAX_FIELD_LINE_BYTES: u64 = 1 << 20;

/// A decoded file stream as lines: through [`ExportLines`] when it is a journal export, else as
/// it is (for [`crate::bundle::lines::LineReader::open_decoded`]).
pub fn decode(mut stream: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    if is_export(stream.fill_buf()?) {
        Ok(Box::new(io::BufReader::with_capacity(
            64 * 1024,
            ExportLines::new(stream),
        )))
    } else {
        Ok(stream)
    }
}

/// Whether these first bytes of a file are the start of a journal export.
pub fn is_export(head: &[u8]) -> bool {
    head.starts_with(b"__CURSOR=") || head.starts_with(b"__REALTIME_TIMESTAMP=")
}

/// A journal export read as text lines (see the module's description).
pub struct ExportLines<R: BufRead> {
    inner: R,
    /// Rendered lines not yet read.
    pending: Vec<u8>,
    position: usize,
    done: bool,
    /// Physical lines of the export consumed so far (for error messages).
    lines: u64,
}

impl<R: BufRead> ExportLines<R> {
    pub fn new(inner: R) -> ExportLines<R> {
        ExportLines {
            inner,
            pending: Vec::new(),
            position: 0,
            done: false,
            lines: 0,
        }
    }

    /// Reads one line of the export (with its newline), at most `MAX_FIELD_LINE_BYTES` of it
    /// kept; returns the bytes kept and how many bytes the line took.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<usize> {
        line.clear();
        let mut taken = 0;
        loop {
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                return Ok(taken);
            }
            let (chunk, end) = match memchr::memchr(b'\n', available) {
                Some(index) => (&available[..=index], true),
                None => (available, false),
            };
            let room = (MAX_FIELD_LINE_BYTES as usize).saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let used = chunk.len();
            self.inner.consume(used);
            taken += used;
            if end {
                return Ok(taken);
            }
        }
    }

    /// Reads the next entry and appends its rendering to `pending`.
    fn next_entry(&mut self) -> io::Result<()> {
        let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
        let first_line = self.lines + 1;
        let mut entry_lines = 0u64;
        let mut line = Vec::new();
        loop {
            let taken = self.read_line(&mut line)?;
            if taken == 0 {
                self.done = true;
                break;
            }
            entry_lines += 1;
            self.lines += 1;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            if text.is_empty() {
                break;
            }
            match memchr::memchr(b'=', text) {
                Some(equals) => fields.push((
                    String::from_utf8_lossy(&text[..equals]).into_owned(),
                    text[equals + 1..].to_vec(),
                )),
                None => {
                    // A binary field: its name, then a 64-bit little-endian length and the bytes.
                    let name = String::from_utf8_lossy(text).into_owned();
                    let mut length = [0u8; 8];
                    self.inner.read_exact(&mut length).map_err(|error| {
                        damaged(first_line, &name, &format!("no length ({error})"))
                    })?;
                    let length_breaks = memchr::memchr_iter(b'\n', &length).count() as u64;
                    let length = u64::from_le_bytes(length);
                    if length > MAX_FIELD_BYTES {
                        return Err(damaged(
                            first_line,
                            &name,
                            &format!("declares {length} bytes (at most {MAX_FIELD_BYTES})"),
                        ));
                    }
                    let mut value = vec![0u8; length as usize];
                    self.inner.read_exact(&mut value).map_err(|error| {
                        damaged(first_line, &name, &format!("cut short ({error})"))
                    })?;
                    let mut newline = [0u8; 1];
                    let _ = self.inner.read_exact(&mut newline);
                    let breaks = length_breaks
                        + memchr::memchr_iter(b'\n', &value).count() as u64
                        + u64::from(newline[0] == b'\n');
                    entry_lines += breaks;
                    self.lines += breaks;
                    fields.push((name, value));
                }
            }
        }
        if fields.is_empty() && entry_lines == 0 {
            return Ok(());
        }
        let get = |key: &str| -> Option<String> {
            fields
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        };
        if let Some(rendered) = journal_json::render_fields(get) {
            self.pending.extend_from_slice(rendered.as_bytes());
            self.pending.push(b'\n');
            entry_lines = entry_lines.saturating_sub(1);
        }
        // The entry's other lines (and an entry that renders as nothing) stay, empty.
        for _ in 0..entry_lines {
            self.pending.push(b'\n');
        }
        Ok(())
    }
}

fn damaged(line: u64, field: &str, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("journal export entry at line {line}: binary field {field:?} {what}"),
    )
}

impl<R: BufRead> Read for ExportLines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.position == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            self.pending.clear();
            self.position = 0;
            self.next_entry()?;
        }
        let count = buffer.len().min(self.pending.len() - self.position);
        buffer[..count].copy_from_slice(&self.pending[self.position..self.position + count]);
        self.position += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> io::Result<String> {
        let mut text = String::new();
        ExportLines::new(bytes).read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn entries_become_syslog_lines_on_their_first_line() {
        let mut export = b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1764085987123456\n_HOSTNAME=esc-ha-0\nSYSLOG_IDENTIFIER=Keepalived_vrrp\n_PID=812\nMESSAGE=(esc_ha) Entering MASTER STATE\n\n".to_vec();
        // A binary MESSAGE (it holds a newline): name, length, bytes, newline.
        export.extend_from_slice(b"__CURSOR=s=2\n__REALTIME_TIMESTAMP=1764085988000000\n_HOSTNAME=esc-ha-0\nSYSLOG_IDENTIFIER=kernel\nMESSAGE\n");
        let message = b"block drbd0: role( Primary -> Secondary )\nsecond line";
        export.extend_from_slice(&(message.len() as u64).to_le_bytes());
        export.extend_from_slice(message);
        export.extend_from_slice(b"\n\n");
        let text = read_all(&export).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(
            lines[0],
            "2025-11-25T15:53:07.123456+00:00 esc-ha-0 Keepalived_vrrp[812]: (esc_ha) Entering MASTER STATE"
        );
        assert!(lines[1..7].iter().all(|line| line.is_empty()), "{lines:?}");
        assert_eq!(
            lines[7],
            "2025-11-25T15:53:08.000000+00:00 esc-ha-0 kernel: block drbd0: role( Primary -> Secondary )"
        );
        // The export had 15 lines: the first entry's 7, the second's 8 (one inside its binary field).
        assert_eq!(text.matches('\n').count(), 15, "{text:?}");
    }

    #[test]
    fn a_damaged_binary_field_is_an_error_naming_the_entry() {
        let mut export = b"__CURSOR=s=1\nMESSAGE\n".to_vec();
        export.extend_from_slice(&u64::MAX.to_le_bytes());
        let error = read_all(&export).unwrap_err();
        assert!(error.to_string().contains("entry at line 1"), "{error}");
        assert!(error.to_string().contains("\"MESSAGE\""), "{error}");
        let cut = b"__CURSOR=s=1\nMESSAGE\n\x05\x00";
        assert!(read_all(cut).is_err());
    }

    #[test]
    fn only_exports_are_taken_for_exports() {
        assert!(is_export(b"__CURSOR=s=abc;i=1\n"));
        assert!(!is_export(b"Nov 25 14:20:36 esc-ha-0 kernel: x"));
        assert!(!is_export(b"{\"__CURSOR\":\"s\"}"));
    }
}
