//! The files of one node: listing the plan's globs on the node (with sudo where needed), cutting
//! each log to the window on the node (a bisection by byte offset finds the window's edges, so
//! only that range crosses), unpacking gzip rotations, and storing every line redacted into the
//! node's staging directory. The journal export stands in when there is no /var/log/messages.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::access::{AccessError, quote, quote_argv};
use super::gather::{CommandRun, Gatherer, Stop, StoredFile, Sudo, check_space, first_line};
use super::plan::{self, FileKind, Redaction};
use super::redact::Redactor;
use super::window::{self, LineCut, NodeClock};

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
    out: BufWriter<File>,
    pending: Vec<u8>,
    redactions: u64,
    written: u64,
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
        self.written += line.len() as u64;
        self.out.write_all(&line)
    }

    fn finish(mut self) -> io::Result<(u64, u64)> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&rest)?;
        }
        self.out.flush()?;
        Ok((self.written, self.redactions))
    }
}

impl Write for LineSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
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
        self.pending.extend_from_slice(rest);
        if self.pending.len() > LONGEST_LINE {
            let line = std::mem::take(&mut self.pending);
            self.line(&line)?;
        }
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
        for file in listed {
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
        let stored_relative = if gzip {
            relative.trim_end_matches(".gz").to_string()
        } else {
            relative.clone()
        };
        let target = self.plan.staging.join(&stored_relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|error| lost_local(&target, error))?;
        }
        let out = File::create(&target).map_err(|error| lost_local(&target, error))?;
        let sink = LineSink {
            cut: windowed.then(|| LineCut::new(clock, self.plan.window)),
            redactor: &self.plan.redactor,
            redaction: file.redaction,
            out: BufWriter::new(out),
            pending: Vec::new(),
            redactions: 0,
            written: 0,
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
        let mut received = 0u64;
        let result;
        let sink_result;
        if gzip {
            let mut decoder = flate2::write::GzDecoder::new(sink);
            result = self.access.stream(
                &command,
                stdin.as_deref(),
                plan::FILE_TIMEOUT,
                &mut |chunk| {
                    received += chunk.len() as u64;
                    decoder.write_all(chunk)
                },
            );
            sink_result = decoder.finish().and_then(LineSink::finish);
        } else {
            let mut sink = sink;
            result = self.access.stream(
                &command,
                stdin.as_deref(),
                plan::FILE_TIMEOUT,
                &mut |chunk| {
                    received += chunk.len() as u64;
                    sink.write_all(chunk)
                },
            );
            sink_result = sink.finish();
        }
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
        let (written, redactions) = match sink_result {
            Ok(counts) => counts,
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
            if written == 0 {
                let _ = fs::remove_file(&target);
                return Ok(());
            }
        }
        if written == 0 && windowed {
            let _ = fs::remove_file(&target);
            return Ok(());
        }
        self.out.files.push(StoredFile {
            relative: stored_relative,
            mtime: Some(file.mtime),
            redactions,
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
        let mut sink = LineSink {
            cut: None,
            redactor: &self.plan.redactor,
            redaction: Redaction::LogCredentials,
            out: BufWriter::new(out),
            pending: Vec::new(),
            redactions: 0,
            written: 0,
        };
        let (command, stdin) = self.wrap(&format!(
            "PATH=\"$PATH:{}\"; export PATH; exec {}",
            plan::EXTRA_PATH,
            quote_argv(&argv)
        ));
        let output = self
            .access
            .stream(&command, stdin.as_deref(), timeout, &mut |chunk| {
                sink.write_all(chunk)
            })?;
        let (written, redactions) = sink.finish().unwrap_or((0, 0));
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
            });
        }
        self.record(run, timeout);
        Ok(())
    }
}

fn lost_local(path: &Path, error: io::Error) -> AccessError {
    AccessError {
        node: "local".to_string(),
        why: format!("{}: {error}", path.display()),
    }
}
