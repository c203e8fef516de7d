//! The files of one node: listing the plan's globs on the node (with sudo where needed), cutting
//! each log to the window on the node (a bisection by byte offset finds the window's edges, so
//! only that range crosses), unpacking gzip rotations, and storing every line redacted into the
//! node's staging directory. The journal export stands in when there is no /var/log/messages.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use chrono::{DateTime, Utc};

use super::access::{Access, AccessError, Output, quote, quote_argv};
use super::gather::{CommandRun, Gatherer, Stop, StoredFile, Sudo, check_space, first_line};
use super::plan::{self, FileKind, Redaction};
use super::redact::{self, Redactor};
use super::window::{self, LineCut, NodeClock};
use crate::deflate_blocks::{DeflatedCopy, DeflatingWriter};

/// How much a bisection probe reads (a stamped line is expected within it).
const PROBE_BYTES: u64 = 8192;
/// Where a bisection stops: the window's edges are found to within this many bytes.
const BISECT_STEP: u64 = 32 * 1024;

/// A file found on the node.
#[derive(Debug, Clone)]
struct Listed {
    path: String,
    readable: bool,
    size: u64,
    mtime: i64,
    kind: FileKind,
    redaction: Redaction,
}

/// Where a stored line goes: the window cut, redaction, the staged file.
struct LineSink<'a> {
    cut: Option<LineCut>,
    redactor: &'a Redactor,
    redaction: Redaction,
    out: BufWriter<HashingWriter<DeflatingWriter>>,
    pending: Vec<u8>,
    redactions: u64,
}

const LONGEST_LINE: usize = 1 << 20;

impl LineSink<'_> {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        if let Some(cut) = &mut self.cut
            && !cut.keep(line)
        {
            return Ok(());
        }
        let (line, count) = self.redactor.line(line, self.redaction);
        self.redactions += count;
        self.out.write_all(&line)
    }

    fn finish(mut self) -> io::Result<Stored> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&rest)?;
        }
        let hashing = self.out.into_inner().map_err(|error| error.into_error())?;
        let (deflating, size, sha256) = hashing.finish();
        let (_, copy) = deflating.finish()?;
        Ok(Stored {
            redactions: self.redactions,
            digest: (size, sha256),
            copy,
        })
    }
}

/// What a sink stored: secrets removed, the file's size (the bytes written) and sha256, and its
/// deflated copy when one could be made.
struct Stored {
    redactions: u64,
    digest: (u64, String),
    copy: Option<DeflatedCopy>,
}

/// Runs `command` on the node and stores its output through `store` as it arrives; `finish`
/// ends the store. Gives the command's result, the store's, and the bytes received. A store that
/// fails stops the command with the store's error.
fn stream_stored<S: Write, T>(
    access: &mut dyn Access,
    command: &str,
    stdin: Option<&[u8]>,
    timeout: std::time::Duration,
    store: S,
    finish: impl FnOnce(S) -> io::Result<T>,
) -> (Result<Output, AccessError>, io::Result<T>, u64) {
    let mut store = store;
    let mut received = 0u64;
    let result = access.stream(command, stdin, timeout, &mut |chunk| {
        received += chunk.len() as u64;
        store.write_all(chunk)
    });
    let stored = finish(store);
    (result, stored, received)
}

/// A writer that counts and hashes (sha256) what it passes on, so a stored file's size and
/// sha256 (its manifest entry) are known once it is written, without reading it again.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The inner writer, the bytes passed on, and their sha256 (hex).
    fn finish(self) -> (W, u64, String) {
        let digest = self.hasher.finalize();
        let hex = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        (self.inner, self.size, hex)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let count = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..count]);
        self.size += count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl LineSink<'_> {
    /// Stores `bytes` where only lines holding a word that secrets need can change (no window
    /// cut, no address mapping): those lines go through `line`, the bytes between them are
    /// written as they came, without finding each line's end.
    fn screened(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut rest = bytes;
        if !self.pending.is_empty() {
            let Some(position) = memchr::memchr(b'\n', rest) else {
                return self.hold(rest);
            };
            self.pending.extend_from_slice(&rest[..=position]);
            let line = std::mem::take(&mut self.pending);
            self.line(&line)?;
            rest = &rest[position + 1..];
        }
        let whole_lines = memchr::memrchr(b'\n', rest).map_or(0, |position| position + 1);
        let (whole, tail) = rest.split_at(whole_lines);
        let mut stored = 0;
        for word in redact::secret_words(whole) {
            if word < stored {
                continue; // a second word of a line already stored
            }
            let start =
                memchr::memrchr(b'\n', &whole[stored..word]).map_or(stored, |at| stored + at + 1);
            let end = memchr::memchr(b'\n', &whole[word..]).map_or(whole.len(), |at| word + at + 1);
            self.verbatim(&whole[stored..start])?;
            self.line(&whole[start..end])?;
            stored = end;
        }
        self.verbatim(&whole[stored..])?;
        self.hold(tail)
    }

    /// Bytes stored as they came (lines without secrets).
    fn verbatim(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Keeps the start of a line until its end arrives; a line longer than LONGEST_LINE is
    /// stored in pieces.
    fn hold(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() > LONGEST_LINE {
            let line = std::mem::take(&mut self.pending);
            self.line(&line)?;
        }
        Ok(())
    }
}

impl Write for LineSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.cut.is_none() && self.redactor.keeps_lines_without_secret_words() {
            self.screened(bytes)?;
            return Ok(bytes.len());
        }
        let mut rest = bytes;
        while let Some(position) = memchr::memchr(b'\n', rest) {
            if self.pending.is_empty() {
                self.line(&rest[..=position])?;
            } else {
                self.pending.extend_from_slice(&rest[..=position]);
                let line = std::mem::take(&mut self.pending);
                self.line(&line)?;
            }
            rest = &rest[position + 1..];
        }
        self.hold(rest)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Gatherer<'_> {
    fn list(
        &mut self,
        patterns: &[&str],
        kind: FileKind,
        redaction: Redaction,
    ) -> Result<Vec<Listed>, AccessError> {
        let root = self.plan.root.trim_end_matches('/');
        let globs: Vec<String> = patterns
            .iter()
            .map(|pattern| {
                // The root is quoted; the plan's own glob characters stay live.
                let (directory, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
                format!("{}/{}", quote(&format!("{root}{directory}")), name)
            })
            .collect();
        let script = format!(
            "for p in {}; do if [ -d \"$p\" ]; then find \"$p\" -type f; elif [ -f \"$p\" ]; then printf '%s\\n' \"$p\"; fi; done | while IFS= read -r f; do if [ -r \"$f\" ]; then r=1; else r=0; fi; printf '%s %s %s\\n' \"$r\" \"$(stat -c '%s %Y' -- \"$f\" 2>/dev/null || echo '0 0')\" \"$f\"; done",
            globs.join(" ")
        );
        let output = self.run(&script, plan::PROBE_TIMEOUT)?;
        let mut listed = Vec::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let mut parts = line.splitn(4, ' ');
            let (Some(readable), Some(size), Some(mtime), Some(path)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            listed.push(Listed {
                path: path.to_string(),
                readable: readable == "1",
                size: size.parse().unwrap_or(0),
                mtime: mtime.parse().unwrap_or(0),
                kind,
                redaction,
            });
        }
        Ok(listed)
    }

    pub(super) fn files(&mut self) -> Result<(), Stop> {
        let mut listed: Vec<Listed> = Vec::new();
        for entry in plan::FILES {
            listed.extend(self.list(entry.patterns, entry.kind, entry.redaction)?);
        }
        let scripts: Vec<String> = self.out.keepalived.scripts.clone();
        if !scripts.is_empty() {
            let patterns: Vec<&str> = scripts.iter().map(String::as_str).collect();
            listed.extend(self.list(&patterns, FileKind::Whole, Redaction::KeepalivedAuth)?);
        }
        let mut seen = std::collections::HashSet::new();
        listed.retain(|file| seen.insert(file.path.clone()));
        // Whole files first, then logs newest first (so the bound keeps the recent ones).
        listed.sort_by_key(|file| (file.kind == FileKind::Log, -file.mtime));
        let has_messages = listed
            .iter()
            .any(|file| file.path.contains("/var/log/messages"));
        // Files that store at one path (`x.1` and `x.1.gz`, a rotation caught while
        // compressing) are stored once: the uncompressed one (the gzip one may be cut short).
        let mut storing: std::collections::HashMap<String, String> = Default::default();
        let (compressed, plain): (Vec<&Listed>, Vec<&Listed>) =
            listed.iter().partition(|file| file.path.ends_with(".gz"));
        for file in plain.into_iter().chain(compressed) {
            storing
                .entry(stored_path(&self.relative(&file.path)).to_string())
                .or_insert_with(|| file.path.clone());
        }
        for file in listed {
            let relative = self.relative(&file.path);
            let kept = &storing[stored_path(&relative)];
            if *kept != file.path {
                let why = format!(
                    "not stored: {} is stored at the same path",
                    self.relative(kept)
                );
                self.problem(relative, why);
                continue;
            }
            self.file(&file)?;
        }
        if !has_messages {
            self.journal()?;
        }
        Ok(())
    }

    fn relative(&self, path: &str) -> String {
        let root = self.plan.root.trim_end_matches('/');
        path.strip_prefix(root)
            .unwrap_or(path)
            .trim_start_matches('/')
            .to_string()
    }

    /// The instant of the first stamped line at or after `offset`.
    fn probe(
        &mut self,
        path: &str,
        offset: u64,
        clock: &NodeClock,
    ) -> Result<Option<DateTime<Utc>>, AccessError> {
        let script = format!(
            "tail -c +{} -- {} | head -c {PROBE_BYTES}",
            offset + 1,
            quote(path)
        );
        let output = self.run(&script, plan::PROBE_TIMEOUT)?;
        Ok(window::first_instant(&output.stdout, offset == 0, clock))
    }

    /// Brackets the byte offset where lines stop being before `time`: the first stamp after `low`
    /// is before it, the first after `high` is not; within BISECT_STEP unless a probe found none.
    fn bisect(
        &mut self,
        path: &str,
        size: u64,
        time: DateTime<Utc>,
        clock: &NodeClock,
    ) -> Result<(u64, u64), AccessError> {
        let (mut low, mut high) = (0u64, size);
        while high - low > BISECT_STEP {
            let middle = low + (high - low) / 2;
            match self.probe(path, middle, clock)? {
                Some(found) if found < time => low = middle,
                Some(_) => high = middle,
                // No stamp in the probe (a long stack trace): stop with what is known; the
                // caller takes the side that keeps every line of the window.
                None => break,
            }
        }
        Ok((low, high))
    }

    fn file(&mut self, file: &Listed) -> Result<(), Stop> {
        let relative = self.relative(&file.path);
        if !file.readable {
            let why = match &self.plan.sudo {
                Sudo::Unavailable(why) => format!("only root may read it, and {why}"),
                _ => "permission denied".to_string(),
            };
            self.problem(relative, why);
            return Ok(());
        }
        let gzip = file.path.ends_with(".gz");
        let clock = NodeClock {
            reader: self.plan.reader,
            utc_offset_s: self.out.utc_offset_s,
            now: self.plan.now,
        };
        let windowed = file.kind == FileKind::Log && !self.plan.window.is_open();
        let (mut start, mut end) = (0u64, file.size);
        if windowed {
            if let Some(since) = self.plan.window.since
                && file.mtime < since.timestamp()
            {
                return Ok(()); // its last line is older than the window
            }
            if !gzip {
                if let Some(until) = self.plan.window.until {
                    if self
                        .probe(&file.path, 0, &clock)?
                        .is_some_and(|first| first > until)
                    {
                        return Ok(());
                    }
                    // Lines after `until` start at most a probe after `high`.
                    let (_, high) = self.bisect(&file.path, file.size, until, &clock)?;
                    end = (high + BISECT_STEP).min(file.size);
                }
                if let Some(since) = self.plan.window.since {
                    start = self.bisect(&file.path, end, since, &clock)?.0;
                }
            }
        }
        if let Some(bound) = self.plan.bound {
            let left = bound.saturating_sub(self.stored_bytes);
            if left == 0 {
                self.problem(relative, format!("not collected: the node's bound of {} MB was reached (--since/--until or --all)", bound / 1_000_000));
                return Ok(());
            }
            if end - start > left {
                start = end - left;
                self.problem(relative.clone(), format!("only its last {} MB: the node's bound of {} MB was reached (--since/--until or --all)", left / 1_000_000, bound / 1_000_000));
            }
        }
        // A gzip rotation unpacks to several times its size.
        let expected = if gzip { 10 } else { 1 } * (end - start);
        check_space(&self.plan.staging, expected).map_err(Stop::NoSpace)?;
        let stored_relative = stored_path(&relative).to_string();
        let target = self.plan.staging.join(&stored_relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|error| lost_local(&target, error))?;
        }
        let out = File::create(&target).map_err(|error| lost_local(&target, error))?;
        let out = DeflatingWriter::new(out, &self.next_copy_path());
        let sink = LineSink {
            cut: windowed.then(|| LineCut::new(clock, self.plan.window)),
            redactor: &self.plan.redactor,
            redaction: file.redaction,
            out: BufWriter::new(HashingWriter::new(out)),
            pending: Vec::new(),
            redactions: 0,
        };
        let script = if start == 0 && end == file.size {
            format!("cat -- {}", quote(&file.path))
        } else {
            format!(
                "tail -c +{} -- {} | head -c {}",
                start + 1,
                quote(&file.path),
                end - start
            )
        };
        let (command, stdin) = self.wrap(&script);
        let progress = self.plan.progress.clone();
        let (result, sink_result, received) = if gzip {
            stream_stored(
                self.access,
                &command,
                stdin.as_deref(),
                plan::FILE_TIMEOUT,
                flate2::write::GzDecoder::new(sink),
                |decoder| decoder.finish().and_then(LineSink::finish),
            )
        } else {
            stream_stored(
                self.access,
                &command,
                stdin.as_deref(),
                plan::FILE_TIMEOUT,
                sink,
                LineSink::finish,
            )
        };
        let output = result?;
        self.stored_bytes += received;
        self.files_done += 1;
        if let Some(bar) = &progress {
            bar.set_message(format!(
                "{} files, {:.1} MB",
                self.files_done,
                self.stored_bytes as f64 / 1e6
            ));
        }
        let Stored {
            redactions,
            digest,
            copy,
        } = match sink_result {
            Ok(stored) => stored,
            Err(error) => {
                let _ = fs::remove_file(&target);
                self.problem(relative, format!("could not be stored: {error}"));
                return Ok(());
            }
        };
        if output.exit_code != Some(0) {
            let why = if output.timed_out {
                format!("timed out after {} s", plan::FILE_TIMEOUT.as_secs())
            } else {
                first_line(&output.stderr)
            };
            self.problem(relative.clone(), format!("read failed: {why}"));
            if digest.0 == 0 {
                let _ = fs::remove_file(&target);
                return Ok(());
            }
        }
        if digest.0 == 0 && windowed {
            let _ = fs::remove_file(&target);
            return Ok(());
        }
        self.out.files.push(StoredFile {
            relative: stored_relative,
            mtime: Some(file.mtime),
            redactions,
            digest: Some(digest),
            copy,
        });
        Ok(())
    }

    fn journal(&mut self) -> Result<(), Stop> {
        let window = self.plan.window;
        let (name, argv, timeout) = plan::journal(
            window.since.map(|time| time.timestamp()),
            window.until.map(|time| time.timestamp()),
        );
        let target = self.plan.staging.join(plan::JOURNAL_FILE);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|error| Stop::Lost(lost_local(&target, error)))?;
        }
        let out = File::create(&target).map_err(|error| Stop::Lost(lost_local(&target, error)))?;
        let out = DeflatingWriter::new(out, &self.next_copy_path());
        let sink = LineSink {
            cut: None,
            redactor: &self.plan.redactor,
            redaction: Redaction::LogCredentials,
            out: BufWriter::new(HashingWriter::new(out)),
            pending: Vec::new(),
            redactions: 0,
        };
        let (command, stdin) = self.wrap(&format!(
            "PATH=\"$PATH:{}\"; export PATH; exec {}",
            plan::EXTRA_PATH,
            quote_argv(&argv)
        ));
        let (output, stored, _) = stream_stored(
            self.access,
            &command,
            stdin.as_deref(),
            timeout,
            sink,
            LineSink::finish,
        );
        let output = output?;
        let (redactions, digest, copy) = match stored {
            Ok(stored) => (stored.redactions, Some(stored.digest), stored.copy),
            Err(_) => (0, None, None),
        };
        let written = digest.as_ref().map_or(0, |(size, _)| *size);
        let mut run = CommandRun {
            name,
            argv,
            file: plan::JOURNAL_FILE.to_string(),
            exit_code: if output.not_found() {
                None
            } else {
                output.exit_code
            },
            duration_s: output.duration.as_secs_f64(),
            stdout: Vec::new(),
            stderr: output.stderr.clone(),
            redactions,
            written: true,
        };
        if output.exit_code != Some(0) || written == 0 {
            let _ = fs::remove_file(&target);
            run.file = String::new();
            if let Some(parent) = target.parent() {
                let _ = fs::remove_dir(parent);
            }
            let why = if output.exit_code == Some(0) {
                "journalctl has no entries in the window".to_string()
            } else {
                first_line(&output.stderr)
            };
            self.problem(
                "journal",
                format!("no /var/log/messages and no journal export: {why}"),
            );
        } else {
            self.out.files.push(StoredFile {
                relative: plan::JOURNAL_FILE.to_string(),
                mtime: Some(self.plan.now.timestamp()),
                redactions,
                digest,
                copy,
            });
        }
        self.record(run, timeout);
        Ok(())
    }
}

impl Gatherer<'_> {
    /// A new file name for a stored log's deflated copy.
    fn next_copy_path(&mut self) -> std::path::PathBuf {
        self.copies_started += 1;
        self.plan
            .copies
            .join(format!("{}.deflate", self.copies_started))
    }
}

/// Where a file of the node is stored, relative to its directory: a gzip rotation unpacked,
/// without its `.gz`.
fn stored_path(relative: &str) -> &str {
    relative.trim_end_matches(".gz")
}

fn lost_local(path: &Path, error: io::Error) -> AccessError {
    AccessError {
        node: "local".to_string(),
        why: format!("{}: {error}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What storing `text` line by line gives: every pattern tried on each line.
    fn line_by_line(text: &[u8], redaction: Redaction) -> Vec<u8> {
        text.split_inclusive(|byte| *byte == b'\n')
            .flat_map(|line| redact::every_pattern(line, redaction).0)
            .collect()
    }

    /// Streams `text` into a sink in chunks of the given sizes (cycled); the stored bytes.
    fn streamed(text: &[u8], redaction: Redaction, chunk_sizes: &[usize]) -> Vec<u8> {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("stored");
        let redactor = Redactor::default();
        let mut sink = LineSink {
            cut: None,
            redactor: &redactor,
            redaction,
            out: BufWriter::new(HashingWriter::new(DeflatingWriter::new(
                File::create(&path).unwrap(),
                &directory.path().join("copy"),
            ))),
            pending: Vec::new(),
            redactions: 0,
        };
        let mut rest = text;
        for size in chunk_sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, after) = rest.split_at((*size).min(rest.len()));
            sink.write_all(chunk).unwrap();
            rest = after;
        }
        let counts = sink.finish().unwrap();
        let stored = fs::read(&path).unwrap();
        let sha256: String = Sha256::digest(&stored)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(counts.digest, (stored.len() as u64, sha256));
        // The deflated copy holds the stored bytes (sync-flushed blocks: a final empty block
        // ends the stream for the reader).
        let copy = counts.copy.expect("a deflated copy");
        let mut deflated = fs::read(&copy.path).unwrap();
        assert_eq!(deflated.len() as u64, copy.deflated_bytes);
        deflated.extend_from_slice(&[0x03, 0x00]);
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::DeflateDecoder::new(deflated.as_slice()),
            &mut inflated,
        )
        .unwrap();
        assert!(inflated == stored, "the copy holds what was stored");
        assert_eq!(copy.size, stored.len() as u64);
        let mut crc = flate2::Crc::new();
        crc.update(&stored);
        assert_eq!(copy.crc.sum(), crc.sum());
        assert!(copy.matches(&fs::metadata(&path).unwrap()));
        stored
    }

    #[test]
    fn screening_a_stream_stores_what_redacting_each_line_stores() {
        let mut text = Vec::new();
        let lines: [&[u8]; 10] = [
            b"2026-11-25 10:00:00,001 INFO  [Main] started\n",
            b"Nov 25 10:00:01 esc-ha-0 app[7]: login user=admin password=letmein ok\n",
            b"Nov 25 10:00:02 esc-ha-0 app[7]: PASSWD: x1 and Authorization: Bearer abcdefghijk\n",
            "Nov 25 10:00:03 esc-ha-0 app[7]: pa\u{17F}\u{17F}word=long-s\n".as_bytes(),
            "Nov 25 10:00:03 esc-ha-0 app[7]: to\u{212A}en=kelvin\n".as_bytes(),
            b"    auth_pass cisco123\n",
            b"no secret here, only an api mention\n",
            b"\n",
            b"token=t1 token=t2 secret: s3\n",
            b"a last line without its newline password=tail",
        ];
        for round in 0..40 {
            for (index, line) in lines.iter().enumerate() {
                if (round + index) % 3 != 0 || index == lines.len() - 1 {
                    text.extend_from_slice(line);
                }
            }
            text.extend_from_slice(b"\n");
        }
        for redaction in [Redaction::LogCredentials, Redaction::KeepalivedAuth] {
            let expected = line_by_line(&text, redaction);
            assert_ne!(expected, text, "the sample holds secrets");
            for chunks in [
                &[1usize][..],
                &[7, 3, 64],
                &[4096],
                &[text.len()],
                &[13, 1, 200],
            ] {
                assert_eq!(
                    String::from_utf8_lossy(&streamed(&text, redaction, chunks)),
                    String::from_utf8_lossy(&expected),
                    "chunks of {chunks:?}"
                );
            }
        }
    }
}
