//! Deflate in independent blocks: raw deflate of a run of bytes, compressed without the window of
//! what came before and ended on a byte boundary (a sync flush), so that such runs, written one
//! after another between a gzip header and trailer, make one ordinary gzip member. The bundle
//! writer compresses its blocks this way on every core; collection compresses each log this way
//! as it arrives (a [`DeflatingWriter`]), so that packing the bundle copies the log's blocks
//! instead of compressing it again. Shared by `collect` and `bundle`, it knows neither.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::SystemTime;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// The bundle's gzip level: 1 writes a generated week of logs at about twice the speed of the
/// default 6 for a bundle about a quarter larger, and compressing was most of a collection's time.
pub const BUNDLE_GZIP_LEVEL: u32 = 1;

/// How much of a stream is compressed as one block.
pub const BLOCK_BYTES: usize = 4 << 20;

/// A compressed block: its deflate bytes, and the CRC-32 and length of what it holds.
pub struct DeflatedBlock {
    pub deflated: Vec<u8>,
    pub crc: Crc,
}

/// One block as raw deflate: ended by a sync flush (byte-aligned, the stream goes on), or, for
/// the last block, by the end of the stream.
pub fn deflate_block(input: &[u8], level: Compression, last: bool) -> io::Result<DeflatedBlock> {
    let mut crc = Crc::new();
    crc.update(input);
    let mut compress = Compress::new(level, false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut deflated = Vec::with_capacity(input.len() / 2 + 1024);
    loop {
        let consumed = compress.total_in() as usize;
        if deflated.len() == deflated.capacity() {
            deflated.reserve(input.len() / 8 + 64 * 1024);
        }
        let status = compress
            .compress_vec(&input[consumed..], &mut deflated, flush)
            .map_err(io::Error::other)?;
        let all_in = compress.total_in() as usize == input.len();
        let done = match status {
            Status::StreamEnd => true,
            // A sync flush is complete once it returns with room left in the output.
            Status::Ok | Status::BufError => {
                !last && all_in && deflated.len() < deflated.capacity()
            }
        };
        if done {
            return Ok(DeflatedBlock { deflated, crc });
        }
    }
}

/// A file's content deflated as it was written: `deflated_bytes` bytes of sync-flushed blocks in
/// `path` (none of them ends the stream), holding the file's `size` bytes, whose CRC-32 is `crc`.
/// `modified` is the file's modification time once written: a copy stands for the file only
/// while its length and that time still match.
#[derive(Debug, Clone)]
pub struct DeflatedCopy {
    pub path: PathBuf,
    pub deflated_bytes: u64,
    pub size: u64,
    pub crc: Arc<Crc>,
    pub modified: SystemTime,
}

impl DeflatedCopy {
    /// Whether the file at `path` is still the one this copy was made of (same length and
    /// modification time as when it was written).
    pub fn matches(&self, metadata: &std::fs::Metadata) -> bool {
        metadata.is_file()
            && metadata.len() == self.size
            && metadata.modified().ok() == Some(self.modified)
    }

    /// The copy's file, opened, once it is checked to hold all its deflated bytes.
    pub fn open(&self) -> io::Result<File> {
        let in_error = |error: io::Error| {
            io::Error::new(error.kind(), format!("{}: {error}", self.path.display()))
        };
        let file = File::open(&self.path).map_err(in_error)?;
        let length = file.metadata().map_err(in_error)?.len();
        if length != self.deflated_bytes {
            return Err(io::Error::other(format!(
                "{}: {length} bytes where {} were written",
                self.path.display(),
                self.deflated_bytes
            )));
        }
        Ok(file)
    }
}

/// What the compressing thread hands back: the blocks' combined CRC and how many deflated bytes
/// it wrote.
type Compressed = io::Result<(Crc, u64)>;

/// A writer to a file that also deflates what it writes, in blocks of [`BLOCK_BYTES`], into a
/// second file on a thread of its own. Memory: the block being filled, one waiting for the thread
/// and the one it compresses (with its output), about 14 MiB at most. If the copy fails, the file
/// is still written: only the copy is given up. Dropped without [`DeflatingWriter::finish`] (an
/// error on the way), it stops its thread and removes the copy.
pub struct DeflatingWriter {
    /// None once finished.
    file: Option<File>,
    copy_path: PathBuf,
    filling: Vec<u8>,
    /// Bytes handed to the copy so far.
    copied: u64,
    /// The compressing thread, started at the first full block.
    worker: Option<(SyncSender<Vec<u8>>, JoinHandle<Compressed>)>,
    /// The copy failed (it is given up; the file is unaffected).
    failed: bool,
}

impl DeflatingWriter {
    /// Writes to `file`, deflating a copy of what is written into `copy_path` (created).
    pub fn new(file: File, copy_path: &Path) -> DeflatingWriter {
        DeflatingWriter {
            file: Some(file),
            copy_path: copy_path.to_path_buf(),
            filling: Vec::new(),
            copied: 0,
            worker: None,
            failed: false,
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the deflating writer is finished"))
    }

    fn hand_over(&mut self) {
        let block = std::mem::take(&mut self.filling);
        if self.worker.is_none() {
            let (sender, receiver) = sync_channel::<Vec<u8>>(1);
            let path = self.copy_path.clone();
            match std::thread::Builder::new()
                .name("deflate copy".to_string())
                .spawn(move || compress_blocks(&path, receiver))
            {
                Ok(handle) => self.worker = Some((sender, handle)),
                Err(_) => {
                    self.failed = true;
                    return;
                }
            }
        }
        if let Some((sender, _)) = &self.worker
            && sender.send(block).is_err()
        {
            // The thread stopped on an error: finish() reports it.
            self.failed = true;
        }
    }

    /// Stops the compressing thread once it has compressed what it was given; what it returned.
    fn stop_worker(&mut self) -> Option<Compressed> {
        let (sender, handle) = self.worker.take()?;
        drop(sender);
        Some(
            handle
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the deflating thread stopped"))),
        )
    }

    /// Flushes the file and gives it back, with the deflated copy of everything written when it
    /// could be made (None otherwise: the caller compresses the file itself).
    pub fn finish(mut self) -> io::Result<(File, Option<DeflatedCopy>)> {
        self.file()?.flush()?;
        if !self.failed && !self.filling.is_empty() && self.worker.is_some() {
            self.hand_over();
        }
        let compressed = match self.stop_worker() {
            Some(compressed) => compressed,
            None if self.failed => Err(io::Error::other("the copy could not be started")),
            None => {
                // Less than a block (or nothing) was written: compressed here.
                let block = std::mem::take(&mut self.filling);
                compress_blocks(&self.copy_path, (!block.is_empty()).then_some(block))
            }
        };
        let file = self.file.take().expect("checked above");
        let copy = match compressed {
            Ok((crc, deflated_bytes)) if !self.failed => file
                .metadata()
                .ok()
                // Bytes reached the file some other way: the copy does not hold them all.
                .filter(|metadata| metadata.len() == self.copied)
                .and_then(|metadata| metadata.modified().ok())
                .map(|modified| DeflatedCopy {
                    path: self.copy_path.clone(),
                    deflated_bytes,
                    size: self.copied,
                    crc: Arc::new(crc),
                    modified,
                }),
            _ => None,
        };
        if copy.is_none() {
            let _ = std::fs::remove_file(&self.copy_path);
        }
        Ok((file, copy))
    }
}

impl Drop for DeflatingWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Not finished: the copy is of no use.
            let _ = self.stop_worker();
            let _ = std::fs::remove_file(&self.copy_path);
        }
    }
}

/// The compressing thread: each block received is deflated (sync-flushed) and appended to the
/// file at `path`.
fn compress_blocks(path: &Path, blocks: impl IntoIterator<Item = Vec<u8>>) -> Compressed {
    let mut out = BufWriter::with_capacity(256 * 1024, File::create(path)?);
    let level = Compression::new(BUNDLE_GZIP_LEVEL);
    let mut crc = Crc::new();
    let mut written = 0u64;
    for block in blocks {
        let deflated = deflate_block(&block, level, false)?;
        out.write_all(&deflated.deflated)?;
        written += deflated.deflated.len() as u64;
        crc.combine(&deflated.crc);
    }
    out.flush()?;
    Ok((crc, written))
}

impl Write for DeflatingWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let count = self.file()?.write(bytes)?;
        if !self.failed {
            let mut rest = &bytes[..count];
            while !rest.is_empty() {
                let taken = (BLOCK_BYTES - self.filling.len()).min(rest.len());
                self.filling.extend_from_slice(&rest[..taken]);
                self.copied += taken as u64;
                rest = &rest[taken..];
                if self.filling.len() == BLOCK_BYTES {
                    self.hand_over();
                    if self.failed {
                        break;
                    }
                }
            }
        }
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Lines that compress like logs, `length` bytes.
    fn sample(length: usize) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(length);
        let mut line = 0u64;
        while bytes.len() < length {
            line += 1;
            bytes.extend_from_slice(
                format!(
                    "2026-11-25 10:{:02}:00,001 INFO [Main] line {line}\n",
                    line % 60
                )
                .as_bytes(),
            );
        }
        bytes.truncate(length);
        bytes
    }

    /// The copy's blocks read back (a final empty block ends the stream for the reader).
    fn inflated(copy: &DeflatedCopy) -> Vec<u8> {
        let mut deflated = std::fs::read(&copy.path).unwrap();
        assert_eq!(deflated.len() as u64, copy.deflated_bytes);
        deflated.extend_from_slice(&[0x03, 0x00]);
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(deflated.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        back
    }

    #[test]
    fn a_copy_holds_what_was_written_across_blocks_and_for_empty_files() {
        let directory = tempfile::tempdir().unwrap();
        for (length, chunk) in [
            (0, 1),
            (1, 1),
            (10_000, 333),
            (BLOCK_BYTES, 65_536),
            (2 * BLOCK_BYTES + 17, 1_000_003),
        ] {
            let input = sample(length);
            let path = directory.path().join(format!("file-{length}"));
            let copy_path = directory.path().join(format!("copy-{length}"));
            let mut writer = DeflatingWriter::new(File::create(&path).unwrap(), &copy_path);
            for piece in input.chunks(chunk) {
                writer.write_all(piece).unwrap();
            }
            let (_, copy) = writer.finish().unwrap();
            let copy = copy.expect("a copy");
            assert_eq!(std::fs::read(&path).unwrap(), input);
            assert!(inflated(&copy) == input, "{length} bytes");
            assert_eq!(copy.size, length as u64);
            let mut crc = Crc::new();
            crc.update(&input);
            assert_eq!(
                (copy.crc.sum(), copy.crc.amount()),
                (crc.sum(), crc.amount())
            );
            assert!(copy.matches(&std::fs::metadata(&path).unwrap()));
            if length > 10_000 {
                assert!(copy.deflated_bytes < length as u64 / 2, "it compresses");
            }
        }
    }

    #[test]
    fn a_file_changed_after_writing_no_longer_matches_its_copy() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("file");
        let mut writer =
            DeflatingWriter::new(File::create(&path).unwrap(), &directory.path().join("copy"));
        writer.write_all(b"first\n").unwrap();
        let (_, copy) = writer.finish().unwrap();
        let copy = copy.unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"more\n")
            .unwrap();
        assert!(!copy.matches(&std::fs::metadata(&path).unwrap()));
    }

    #[test]
    fn a_copy_that_cannot_be_written_is_given_up_and_the_file_is_still_written() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("file");
        let input = sample(BLOCK_BYTES + 5);
        let copy_path = directory.path().join("no such directory").join("copy");
        let mut writer = DeflatingWriter::new(File::create(&path).unwrap(), &copy_path);
        for piece in input.chunks(100_000) {
            writer.write_all(piece).unwrap();
        }
        let (_, copy) = writer.finish().unwrap();
        assert!(copy.is_none());
        assert!(std::fs::read(&path).unwrap() == input);
    }

    #[test]
    fn a_writer_dropped_unfinished_stops_its_thread_and_leaves_no_copy() {
        let directory = tempfile::tempdir().unwrap();
        let copy_path = directory.path().join("copy");
        let mut writer = DeflatingWriter::new(
            File::create(directory.path().join("file")).unwrap(),
            &copy_path,
        );
        writer.write_all(&sample(2 * BLOCK_BYTES + 100)).unwrap();
        drop(writer);
        // The thread was joined before the copy was removed: nothing writes it again.
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!copy_path.exists());
    }
}
