//! A gzip writer that compresses on every core: what is written is cut into blocks, each block
//! is compressed on a thread of its own as raw deflate ending on a byte boundary (a sync flush;
//! the last block ends the stream), and the blocks are written in order between one gzip header
//! and one trailer (the blocks' CRC-32s combined). The result is one ordinary gzip member, read
//! by `gzip -d`, `tar -z` or flate2's `GzDecoder` like any other; each block starts without the
//! previous one's window, which costs a few bytes of compression per block.
//! [`ParallelGzEncoder::splice`] writes blocks deflated before (a log compressed as it was
//! collected) in their place in the stream.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::thread::JoinHandle;

use flate2::{Compression, Crc};

use crate::deflate_blocks::{BLOCK_BYTES, DeflatedBlock, DeflatedCopy, deflate_block};

/// At most this many blocks are compressed at once, whatever the number of cores (memory: a
/// block in and about half a block out each, up to two blocks out for incompressible bytes).
const MOST_THREADS: usize = 4;

/// What is to be written next, in order: a block being compressed, or a copy deflated before
/// (its file, opened).
enum Queued {
    Compressing(JoinHandle<io::Result<DeflatedBlock>>),
    Spliced(DeflatedCopy, std::fs::File),
}

/// A gzip stream compressed on up to `threads` threads at once (see the module's comment).
pub struct ParallelGzEncoder<W: Write> {
    inner: W,
    level: Compression,
    threads: usize,
    block_bytes: usize,
    /// What is written and not yet handed to a thread.
    filling: Vec<u8>,
    /// Blocks being compressed and copies to splice in, oldest first (written in this order).
    compressing: VecDeque<Queued>,
    crc: Crc,
    header_written: bool,
}

impl<W: Write> ParallelGzEncoder<W> {
    /// A writer compressing at `level` on as many threads as this machine has cores, up to
    /// [`MOST_THREADS`].
    pub fn new(inner: W, level: Compression) -> ParallelGzEncoder<W> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |count| count.get())
            .min(MOST_THREADS);
        ParallelGzEncoder::with_threads(inner, level, threads, BLOCK_BYTES)
    }

    /// A writer with `threads` threads and blocks of `block_bytes` (at least 1 each).
    pub fn with_threads(
        inner: W,
        level: Compression,
        threads: usize,
        block_bytes: usize,
    ) -> ParallelGzEncoder<W> {
        let block_bytes = block_bytes.max(1);
        ParallelGzEncoder {
            inner,
            level,
            threads: threads.max(1),
            block_bytes,
            filling: Vec::with_capacity(block_bytes),
            compressing: VecDeque::new(),
            crc: Crc::new(),
            header_written: false,
        }
    }

    /// Compresses what is left, writes the trailer and gives back the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.start_block(true)?;
        while !self.compressing.is_empty() {
            self.write_oldest()?;
        }
        let mut trailer = [0u8; 8];
        trailer[..4].copy_from_slice(&self.crc.sum().to_le_bytes());
        // ISIZE: the input's length modulo 2^32 (RFC 1952).
        trailer[4..].copy_from_slice(&(self.crc.amount()).to_le_bytes());
        self.inner.write_all(&trailer)?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn write_header(&mut self) -> io::Result<()> {
        if self.header_written {
            return Ok(());
        }
        // ID1 ID2, deflate, no flags, no modification time, extra flags (4: fastest, 2: best,
        // as gzip sets them), operating system unknown.
        let extra_flags = match self.level.level() {
            1 => 4,
            9 => 2,
            _ => 0,
        };
        self.inner
            .write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extra_flags, 255])?;
        self.header_written = true;
        Ok(())
    }

    /// Hands the filled block to a thread (the last one ends the deflate stream), first making
    /// room when every thread is busy.
    fn start_block(&mut self, last: bool) -> io::Result<()> {
        self.make_room()?;
        let next = if last {
            Vec::new()
        } else {
            Vec::with_capacity(self.block_bytes)
        };
        let input = std::mem::replace(&mut self.filling, next);
        let level = self.level;
        let worker = std::thread::Builder::new()
            .name("gzip block".to_string())
            .spawn(move || deflate_block(&input, level, last))?;
        self.compressing.push_back(Queued::Compressing(worker));
        Ok(())
    }

    /// Writes the blocks of `copy` (deflated before, see [`DeflatedCopy`]; `file` is its file,
    /// from [`DeflatedCopy::open`]) as the stream's next bytes, after what was written so far.
    pub fn splice(&mut self, copy: &DeflatedCopy, file: std::fs::File) -> io::Result<()> {
        if !self.filling.is_empty() {
            self.start_block(false)?;
        }
        self.make_room()?;
        self.compressing
            .push_back(Queued::Spliced(copy.clone(), file));
        Ok(())
    }

    /// Writes the oldest queued blocks out until fewer than `threads` are queued.
    fn make_room(&mut self) -> io::Result<()> {
        while self.compressing.len() >= self.threads {
            self.write_oldest()?;
        }
        Ok(())
    }

    fn write_oldest(&mut self) -> io::Result<()> {
        let Some(queued) = self.compressing.pop_front() else {
            return Ok(());
        };
        self.write_header()?;
        match queued {
            Queued::Compressing(worker) => {
                let block = worker.join().map_err(|_| {
                    io::Error::other("a gzip block's thread stopped unexpectedly")
                })??;
                self.inner.write_all(&block.deflated)?;
                self.crc.combine(&block.crc);
            }
            Queued::Spliced(copy, file) => {
                let copied = io::copy(
                    &mut io::Read::take(file, copy.deflated_bytes),
                    &mut self.inner,
                )?;
                if copied != copy.deflated_bytes {
                    return Err(io::Error::other(format!(
                        "{}: {copied} bytes where {} were written",
                        copy.path.display(),
                        copy.deflated_bytes
                    )));
                }
                self.crc.combine(&copy.crc);
            }
        }
        Ok(())
    }
}

impl<W: Write> Write for ParallelGzEncoder<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let room = self.block_bytes - self.filling.len();
        let taken = room.min(bytes.len());
        self.filling.extend_from_slice(&bytes[..taken]);
        if self.filling.len() == self.block_bytes {
            self.start_block(false)?;
        }
        Ok(taken)
    }

    /// Nothing is forced out early: blocks are compressed whole (a flush would cut one short).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Text that compresses like logs do, with a run of incompressible bytes in it.
    fn sample(length: usize) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(length);
        let mut state = 0x2545_f491_u32;
        let mut line = 0u64;
        while bytes.len() < length {
            line += 1;
            if line % 97 == 0 {
                for _ in 0..300 {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    bytes.push(state as u8);
                }
            }
            bytes.extend_from_slice(
                format!(
                    "2026-11-25 10:{:02}:00,001 INFO [Main] line {line} of the sample\n",
                    line % 60
                )
                .as_bytes(),
            );
        }
        bytes.truncate(length);
        bytes
    }

    fn compressed(input: &[u8], threads: usize, block_bytes: usize, chunk: usize) -> Vec<u8> {
        let mut encoder =
            ParallelGzEncoder::with_threads(Vec::new(), Compression::new(1), threads, block_bytes);
        for piece in input.chunks(chunk.max(1)) {
            encoder.write_all(piece).unwrap();
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn one_gzip_member_that_any_reader_reads_back_whole() {
        for (length, threads, block_bytes, chunk) in [
            (300_000, 1, 1 << 20, 8192),
            (300_000, 2, 10_000, 8192),
            (300_000, 3, 4096, 1000),
            (3_000, 2, 1, 7),
            (300_000, 4, 65_536, 300_000),
        ] {
            let input = sample(length);
            let gzip = compressed(&input, threads, block_bytes, chunk);
            // GzDecoder reads one member only: all of the input must be in the first.
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(gzip.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            assert!(back == input, "{threads} threads, blocks of {block_bytes}");
            let crc = u32::from_le_bytes(gzip[gzip.len() - 8..gzip.len() - 4].try_into().unwrap());
            let mut expected = Crc::new();
            expected.update(&input);
            assert_eq!(crc, expected.sum());
            if block_bytes >= 4096 {
                assert!(gzip.len() < input.len() / 2, "it compresses");
            }
        }
    }

    #[test]
    fn nothing_written_is_an_empty_gzip_stream() {
        let gzip = compressed(&[], 2, 1024, 1);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(gzip.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert!(back.is_empty());
        assert_eq!(&gzip[..2], &[0x1f, 0x8b]);
    }
}
