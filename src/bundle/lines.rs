//! Reading one bundle file as numbered lines: plain or gzip, with a bound on line length, so that
//! a truncated archive, binary junk or a 50 MB line gives what could be read plus a warning.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

/// The longest line kept in full; the rest of a longer line is skipped and counted.
pub const MAX_LINE_BYTES: usize = 1 << 20;

const READ_BUFFER_BYTES: usize = 256 * 1024;

/// One physical line: its 1-based number and byte offset in the (decompressed) stream.
#[derive(Debug)]
pub struct Line<'a> {
    pub number: u64,
    pub offset: u64,
    /// The bytes of the line without its line ending, at most [`MAX_LINE_BYTES`].
    pub bytes: &'a [u8],
    /// How many bytes of this line were past the bound and skipped.
    pub skipped_bytes: u64,
    /// The reader found every byte of the line ASCII (checked once for a run of lines).
    ascii: bool,
}

impl<'a> Line<'a> {
    /// The line as text; bytes that are not UTF-8 become U+FFFD.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.bytes)
    }

    /// The line as text when it is UTF-8; a line the reader found ASCII is not checked again.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.ascii {
            debug_assert!(self.bytes.is_ascii());
            // SAFETY: ASCII bytes are UTF-8; `ascii` is set only for bytes the reader checked
            // (see `LineReader::ascii_until`).
            Some(unsafe { std::str::from_utf8_unchecked(self.bytes) })
        } else {
            std::str::from_utf8(self.bytes).ok()
        }
    }

    /// Whether the reader found every byte of the line ASCII (false when it did not look).
    pub fn is_known_ascii(&self) -> bool {
        self.ascii
    }

    /// Whether the line holds a NUL byte (binary data rather than a log line).
    pub fn has_nul(&self) -> bool {
        memchr::memchr(0, self.bytes).is_some()
    }
}

/// A line reader over any byte stream; `next_line` lends each line in turn.
pub struct LineReader {
    inner: Box<dyn BufRead + Send>,
    buffer: Vec<u8>,
    /// Bytes of the stream's buffer lent as the last line, consumed when the next is asked for.
    lent: usize,
    next_number: u64,
    next_offset: u64,
    /// Every byte of the stream from the next line up to this offset is ASCII (checked once for
    /// the rest of a buffer, instead of once per line).
    ascii_until: u64,
    /// Whether the stream is gzip (its read errors mean a truncated or corrupt archive).
    pub gzip: bool,
}

/// Whether these first bytes are a gzip header.
pub fn is_gzip_magic(head: &[u8]) -> bool {
    head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
}

impl LineReader {
    /// Opens a file, decompressing it when it starts with the gzip magic bytes.
    pub fn open(path: &Path) -> io::Result<LineReader> {
        LineReader::open_decoded(path, Ok)
    }

    /// Opens a file like [`LineReader::open`], passing the decompressed stream through `decode`
    /// first (a reader of another layout turning it into lines).
    pub fn open_decoded(
        path: &Path,
        decode: impl FnOnce(Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>>,
    ) -> io::Result<LineReader> {
        let mut file = BufReader::with_capacity(READ_BUFFER_BYTES, File::open(path)?);
        let gzip = is_gzip_magic(file.fill_buf()?);
        let inner: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                READ_BUFFER_BYTES,
                MultiGzDecoder::new(file),
            ))
        } else {
            Box::new(file)
        };
        Ok(LineReader::from_reader(decode(inner)?, gzip))
    }

    /// Reads lines from a stream that is already decoded.
    pub fn from_reader(inner: Box<dyn BufRead + Send>, gzip: bool) -> LineReader {
        LineReader {
            inner,
            buffer: Vec::with_capacity(4096),
            lent: 0,
            next_number: 1,
            next_offset: 0,
            ascii_until: 0,
            gzip,
        }
    }

    /// Reads text held in memory (tests, command captures).
    pub fn from_bytes(bytes: Vec<u8>) -> LineReader {
        LineReader::from_reader(Box::new(io::Cursor::new(bytes)), false)
    }

    /// The next line, `Ok(None)` at the end, or the read error (for gzip: truncated or corrupt).
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.inner.consume(std::mem::take(&mut self.lent));
        // Most lines lie whole in the stream's buffer: lent from there, not copied.
        let whole = match self.inner.fill_buf() {
            Ok(available) => memchr::memchr(b'\n', available)
                .filter(|&end| end <= MAX_LINE_BYTES)
                .map(|end| (end, available[..end].last() == Some(&b'\r'))),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => None,
            Err(error) => return Err(error),
        };
        if let Some((end, carriage_return)) = whole {
            self.lent = end + 1;
            let line_end = self.next_offset + end as u64;
            let window = self.inner.fill_buf()?;
            if line_end > self.ascii_until {
                // The ASCII run from this line on, found once for the lines after it.
                self.ascii_until = self.next_offset + ascii_prefix(window) as u64;
            }
            let line = Line {
                number: self.next_number,
                offset: self.next_offset,
                bytes: without_byte_order_mark(
                    self.next_number,
                    &window[..end - usize::from(carriage_return)],
                ),
                skipped_bytes: 0,
                ascii: line_end <= self.ascii_until,
            };
            self.next_number += 1;
            self.next_offset += (end + 1) as u64;
            return Ok(Some(line));
        }
        // A line put together from several reads; a read error part-way through leaves the
        // stream ahead of `next_offset`: the ASCII run is found again from the next lent line's
        // own bytes.
        self.ascii_until = 0;
        self.buffer.clear();
        let mut skipped: u64 = 0;
        let mut consumed: u64 = 0;
        let mut saw_any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                break;
            }
            saw_any = true;
            let (chunk, found_end) = match memchr::memchr(b'\n', available) {
                Some(index) => (&available[..index], Some(index + 1)),
                None => (available, None),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buffer.len());
            let keep = chunk.len().min(room);
            self.buffer.extend_from_slice(&chunk[..keep]);
            skipped += (chunk.len() - keep) as u64;
            let used = found_end.unwrap_or(available.len());
            consumed += used as u64;
            self.inner.consume(used);
            if found_end.is_some() {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        let line = Line {
            number: self.next_number,
            offset: self.next_offset,
            bytes: without_byte_order_mark(self.next_number, &self.buffer),
            skipped_bytes: skipped,
            ascii: false,
        };
        self.next_number += 1;
        self.next_offset += consumed;
        Ok(Some(line))
    }
}

/// A first line without the UTF-8 byte-order mark a Windows editor writes at a file's start.
fn without_byte_order_mark(number: u64, bytes: &[u8]) -> &[u8] {
    match number {
        1 => bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes),
        _ => bytes,
    }
}

/// How many bytes at the start of `bytes` are ASCII.
fn ascii_prefix(bytes: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let mut length = 0;
    for chunk in bytes.chunks(CHUNK) {
        if !chunk.is_ascii() {
            return length + chunk.iter().take_while(|byte| byte.is_ascii()).count();
        }
        length += chunk.len();
    }
    length
}

/// Reads a whole small file (a state file, a command capture) as text, decompressing gzip.
pub fn read_small_text(path: &Path, limit: u64) -> io::Result<String> {
    let mut reader = LineReader::open(path)?;
    let mut text = String::new();
    while let Some(line) = reader.next_line()? {
        if text.len() as u64 > limit {
            break;
        }
        text.push_str(&line.text());
        text.push('\n');
    }
    Ok(text)
}

/// Reads up to `limit` bytes of a file, for sniffing its kind.
pub fn read_head(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit);
    File::open(path)?
        .take(limit as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(reader: &mut LineReader) -> Vec<(u64, u64, String, u64)> {
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push((
                line.number,
                line.offset,
                line.text().into_owned(),
                line.skipped_bytes,
            ));
        }
        out
    }

    #[test]
    fn a_byte_order_mark_opening_the_stream_is_no_part_of_its_first_line() {
        let mut reader = LineReader::from_bytes(b"\xef\xbb\xbfone\ntwo".to_vec());
        let lines = collect(&mut reader);
        assert_eq!((lines[0].2.as_str(), lines[1].1), ("one", 7));
    }

    #[test]
    fn numbers_and_offsets_count_line_endings() {
        let mut reader = LineReader::from_bytes(b"one\r\ntwo\n\nlast".to_vec());
        let lines = collect(&mut reader);
        assert_eq!(
            lines,
            vec![
                (1, 0, "one".to_string(), 0),
                (2, 5, "two".to_string(), 0),
                (3, 9, String::new(), 0),
                (4, 10, "last".to_string(), 0),
            ]
        );
    }

    #[test]
    fn lines_lent_from_the_buffer_and_lines_across_its_end_read_alike() {
        let text = b"first line\r\nsecond\n\nthird, longer than the buffer\r\n\rx\nlast";
        let mut whole = LineReader::from_bytes(text.to_vec());
        let expected = collect(&mut whole);
        assert_eq!(expected.len(), 6);
        assert_eq!(expected[4].2, "\rx");
        for capacity in 1..text.len() + 2 {
            let stream = io::BufReader::with_capacity(capacity, io::Cursor::new(text.to_vec()));
            let mut reader = LineReader::from_reader(Box::new(stream), false);
            assert_eq!(collect(&mut reader), expected, "buffer of {capacity} bytes");
        }
    }

    /// A line the reader found ASCII is lent as text without another check: whatever the buffer
    /// size, each line's text is what checking its bytes alone gives (ASCII, other UTF-8 and
    /// bytes that are not UTF-8, in runs and mixed within lines).
    #[test]
    fn lines_are_text_exactly_when_their_bytes_are_utf8() {
        let mut text: Vec<u8> = Vec::new();
        for line in [
            &b"plain ascii"[..],
            b"caf\xc3\xa9 au lait",
            b"",
            b"\xff\xfe not utf-8",
            b"ascii again",
            b"ascii again, longer",
            b"\xe2\x84\xaa",
            b"cut \xe2\x84",
            b"end",
        ] {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        text.extend_from_slice(b"last \xc3\xa9");
        for capacity in 1..text.len() + 2 {
            let stream = io::BufReader::with_capacity(capacity, io::Cursor::new(text.clone()));
            let mut reader = LineReader::from_reader(Box::new(stream), false);
            let mut lines = 0;
            while let Some(line) = reader.next_line().unwrap() {
                assert_eq!(
                    line.as_str(),
                    std::str::from_utf8(line.bytes).ok(),
                    "line {} with a buffer of {capacity} bytes",
                    line.number
                );
                lines += 1;
            }
            assert_eq!(lines, 10);
        }
    }

    /// A stream that gives its chunks one read each; `None` is a read error.
    struct Chunks(Vec<Option<Vec<u8>>>);

    impl Read for Chunks {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            match self.0.remove(0) {
                Some(bytes) => {
                    buffer[..bytes.len()].copy_from_slice(&bytes);
                    Ok(bytes.len())
                }
                None => Err(io::Error::other("transient")),
            }
        }
    }

    /// A read error in the middle of a line leaves the stream ahead of the line count; a line
    /// read after it is still text only when its bytes are UTF-8.
    #[test]
    fn a_line_read_after_an_error_is_checked_for_utf8_again() {
        let stream = Chunks(vec![
            Some(b"a\nbbbbbbbbbbbbbb".to_vec()),
            None,
            Some(b"\xff\xfe\n".to_vec()),
        ]);
        let mut reader =
            LineReader::from_reader(Box::new(io::BufReader::with_capacity(16, stream)), false);
        assert_eq!(reader.next_line().unwrap().unwrap().bytes, b"a");
        assert!(reader.next_line().is_err());
        let after = reader.next_line().unwrap().unwrap();
        assert_eq!(after.bytes, b"\xff\xfe");
        assert_eq!(after.as_str(), None);
    }

    #[test]
    fn an_overlong_line_is_cut_and_the_next_line_still_read() {
        let mut bytes = vec![b'x'; MAX_LINE_BYTES + 10];
        bytes.extend_from_slice(b"\nnext\n");
        let mut reader = LineReader::from_bytes(bytes);
        let first = reader.next_line().unwrap().unwrap();
        assert_eq!(first.bytes.len(), MAX_LINE_BYTES);
        assert_eq!(first.skipped_bytes, 10);
        let second = reader.next_line().unwrap().unwrap();
        assert_eq!(second.number, 2);
        assert_eq!(second.offset, MAX_LINE_BYTES as u64 + 11);
        assert_eq!(second.text(), "next");
    }

    #[test]
    fn truncated_gzip_gives_the_lines_before_the_cut_then_an_error() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for index in 0..2000 {
            writeln!(encoder, "line number {index} with some padding text").unwrap();
        }
        let mut compressed = encoder.finish().unwrap();
        compressed.truncate(compressed.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages.1.gz");
        std::fs::write(&path, &compressed).unwrap();
        let mut reader = LineReader::open(&path).unwrap();
        assert!(reader.gzip);
        let mut count = 0;
        let error = loop {
            match reader.next_line() {
                Ok(Some(_)) => count += 1,
                Ok(None) => panic!("a truncated gzip must end in an error"),
                Err(error) => break error,
            }
        };
        assert!(count > 100, "read {count} lines before the cut");
        assert!(!error.to_string().is_empty());
    }
}
