//! Writing a bundle: a staging tree next to the target (one top directory, one directory per
//! node), command output files in the contract's layout (stdout, `STDERR_MARKER`, stderr), size
//! and sha256 of each file as stored, and the final .tar.gz written under a temporary name in
//! the target's directory and renamed into place only when complete.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::STDERR_MARKER;
use super::manifest::Manifest;
use super::parallel_gzip::ParallelGzEncoder;
use crate::deflate_blocks::{BUNDLE_GZIP_LEVEL, DeflatedCopy};

/// Files of the staging tree (by path) whose content was deflated as they were written: packing
/// copies those blocks instead of compressing the file again.
pub type DeflatedCopies = std::collections::HashMap<PathBuf, DeflatedCopy>;

/// Why the bundle could not be written; names the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.display().to_string(),
        source,
    }
}

/// A bundle being assembled.
pub struct Staging {
    holder: tempfile::TempDir,
    top: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// A staging tree in the target's directory, holding the top directory `top`.
    pub fn new(target: &Path, top: &str) -> Result<Staging, WriteError> {
        let directory = target_directory(target);
        let holder = tempfile::Builder::new()
            .prefix(".esc-diag-staging-")
            .tempdir_in(&directory)
            .map_err(at(&directory))?;
        super::cleanup::register(holder.path().to_path_buf());
        let top = holder.path().join(top);
        fs::create_dir_all(&top).map_err(at(&top))?;
        Ok(Staging {
            holder,
            top,
            target: target.to_path_buf(),
        })
    }

    /// The top directory (manifest.json and the node directories go here).
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// A directory for work files that are not part of the bundle (created; removed with the
    /// staging tree).
    pub fn scratch(&self, name: &str) -> Result<PathBuf, WriteError> {
        let path = self.holder.path().join(".scratch").join(name);
        fs::create_dir_all(&path).map_err(at(&path))?;
        Ok(path)
    }

    /// Writes a command's output file: stdout, then the marker line, then stderr.
    pub fn write_command(
        node_directory: &Path,
        relative: &str,
        stdout: &[u8],
        stderr: &[u8],
    ) -> Result<(), WriteError> {
        let path = node_directory.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(at(parent))?;
        }
        let mut bytes = stdout.to_vec();
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(STDERR_MARKER.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(stderr);
        fs::write(&path, bytes).map_err(at(&path))
    }

    /// Size and sha256 (hex) of a stored file.
    pub fn describe(path: &Path) -> Result<(u64, String), WriteError> {
        let mut file = File::open(path).map_err(at(path))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let count = file.read(&mut buffer).map_err(at(path))?;
            if count == 0 {
                break;
            }
            size += count as u64;
            hasher.update(&buffer[..count]);
        }
        let digest = hasher.finalize();
        Ok((
            size,
            digest.iter().map(|byte| format!("{byte:02x}")).collect(),
        ))
    }

    /// Bytes staged so far.
    pub fn staged_bytes(&self) -> u64 {
        walkdir::WalkDir::new(&self.top)
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|entry| entry.metadata().ok())
            .filter(|metadata| metadata.is_file())
            .map(|metadata| metadata.len())
            .sum()
    }

    /// Writes manifest.json, archives the tree under a temporary name beside the target, and
    /// renames it to the target. The staging tree is removed either way.
    pub fn finish(self, manifest: &Manifest) -> Result<PathBuf, WriteError> {
        self.finish_with(manifest, &DeflatedCopies::new(), |_| ())
            .map(|(written, ())| written)
    }

    /// [`Staging::finish`], running `beside` on the finished tree (its top directory, manifest
    /// written: a bundle directory) on another thread while the archive is packed and compressed;
    /// gives back what it returned. The tree is removed once both are done. A file of `copies`
    /// that is still as it was written is packed from its deflated copy.
    pub fn finish_with<T: Send>(
        self,
        manifest: &Manifest,
        copies: &DeflatedCopies,
        beside: impl FnOnce(&Path) -> T + Send,
    ) -> Result<(PathBuf, T), WriteError> {
        self.write_manifest(manifest)?;
        let top = self.top.clone();
        let (packed, beside) = std::thread::scope(|scope| {
            let beside = scope.spawn(|| beside(&top));
            let packed = self.pack(copies);
            (packed, beside.join())
        });
        // The staging tree goes, whatever happened.
        drop(self.holder);
        let beside = beside.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((packed?, beside))
    }

    fn write_manifest(&self, manifest: &Manifest) -> Result<(), WriteError> {
        let manifest_path = self.top.join("manifest.json");
        let text = serde_json::to_string_pretty(manifest)
            .map_err(|error| io::Error::other(error.to_string()))
            .map_err(at(&manifest_path))?;
        fs::write(&manifest_path, format!("{text}\n")).map_err(at(&manifest_path))
    }

    /// Archives the tree under a temporary name beside the target and renames it to the target.
    fn pack(&self, copies: &DeflatedCopies) -> Result<PathBuf, WriteError> {
        let directory = target_directory(&self.target);
        let temporary = tempfile::Builder::new()
            .prefix(".esc-diag-")
            .suffix(".tar.gz.part")
            .tempfile_in(&directory)
            .map_err(at(&directory))?;
        let shown = temporary.path().to_path_buf();
        super::cleanup::register(shown.clone());
        {
            let writer = BufWriter::new(temporary.as_file());
            let encoder =
                ParallelGzEncoder::new(writer, flate2::Compression::new(BUNDLE_GZIP_LEVEL));
            let mut archive = tar::Builder::new(encoder);
            archive.mode(tar::HeaderMode::Deterministic);
            archive.follow_symlinks(false);
            let name = self
                .top
                .file_name()
                .map(|name| name.to_os_string())
                .unwrap_or_default();
            append_tree(&mut archive, Path::new(&name), &self.top, copies)?;
            let encoder = archive.into_inner().map_err(at(&shown))?;
            let mut writer = encoder.finish().map_err(at(&shown))?;
            writer.flush().map_err(at(&shown))?;
        }
        temporary.as_file().sync_all().map_err(at(&shown))?;
        temporary
            .persist(&self.target)
            .map_err(|error| at(&self.target)(error.error))?;
        Ok(self.target.clone())
    }
}

/// Appends the tree at `top` to the archive under `name`, manifest.json first (a reader of the
/// stream meets the table of contents before the files), then in the order of file names; a file with
/// a matching deflated copy gets its header, then the copy's blocks, then the padding to the
/// archive's 512-byte records.
fn append_tree(
    archive: &mut tar::Builder<ParallelGzEncoder<BufWriter<&File>>>,
    name: &Path,
    top: &Path,
    copies: &DeflatedCopies,
) -> Result<(), WriteError> {
    let after_manifest = |entry: &walkdir::DirEntry| {
        entry.depth() != 1 || entry.file_name() != std::ffi::OsStr::new("manifest.json")
    };
    for entry in walkdir::WalkDir::new(top)
        .follow_links(false)
        .sort_by(move |a, b| {
            (after_manifest(a), a.file_name()).cmp(&(after_manifest(b), b.file_name()))
        })
    {
        let entry = entry.map_err(|error| {
            let path = error.path().unwrap_or(top).to_path_buf();
            at(&path)(error.into())
        })?;
        let path = entry.path();
        let inside = path.strip_prefix(top).unwrap_or(path);
        let archived = name.join(inside);
        let metadata = entry.metadata().map_err(|error| at(path)(error.into()))?;
        // A copy that is missing or short leaves the file to be compressed as it is.
        let copy = copies
            .get(path)
            .filter(|copy| copy.matches(&metadata))
            .and_then(|copy| Some((copy, copy.open().ok()?)));
        match copy {
            Some((copy, copy_file)) => {
                let mut header = tar::Header::new_gnu();
                header.set_metadata_in_mode(&metadata, tar::HeaderMode::Deterministic);
                // The header (and a long name's entries) with no data: the copy is spliced in.
                archive
                    .append_data(&mut header, &archived, io::empty())
                    .map_err(at(path))?;
                let encoder = archive.get_mut();
                encoder.splice(copy, copy_file).map_err(at(path))?;
                let padding = (512 - copy.size % 512) % 512;
                encoder
                    .write_all(&[0u8; 512][..padding as usize])
                    .map_err(at(path))?;
            }
            _ if metadata.is_dir() => archive.append_dir(&archived, path).map_err(at(path))?,
            _ => archive
                .append_path_with_name(path, &archived)
                .map_err(at(path))?,
        }
    }
    Ok(())
}

fn target_directory(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_bundle_opens_and_nothing_is_left_behind() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("b.tar.gz");
        let staging = Staging::new(&target, "esc-diag-x").unwrap();
        let node = staging.top().join("esc-ha-0");
        Staging::write_command(&node, "commands/uptime.txt", b"up 1 day", b"").unwrap();
        let manifest = Manifest {
            format: super::super::MANIFEST_FORMAT.to_string(),
            ..Manifest::default()
        };
        let written = staging.finish(&manifest).unwrap();
        let names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.tar.gz"]);
        let bundle = super::super::Bundle::open(&[written]).unwrap();
        assert_eq!(bundle.nodes[0].name, "esc-ha-0");
    }

    /// Files of a tree and their contents, as a .tar.gz holds them (read as one gzip member).
    fn unpacked(archive: &Path) -> Vec<(String, Vec<u8>)> {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(File::open(archive).unwrap()));
        let mut files = Vec::new();
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            files.push((name, content));
        }
        files
    }

    #[test]
    fn files_deflated_as_they_were_written_are_packed_from_their_copies() {
        use crate::deflate_blocks::DeflatingWriter;
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("b.tar.gz");
        let staging = Staging::new(&target, "esc-diag-x").unwrap();
        let node = staging.top().join("esc-ha-0");
        let logs = node.join("var/log/esc");
        fs::create_dir_all(&logs).unwrap();
        let scratch = staging.scratch("local").unwrap();
        let long_name = format!("{}.log", "a-long-name".repeat(12));
        let mut copies = DeflatedCopies::new();
        let mut expected = Vec::new();
        // What happens to a file after its copy is made.
        #[derive(PartialEq)]
        enum After {
            Kept,
            Rewritten,
            /// Same length, modification time put back: only a copy can hold the old bytes,
            /// so finding them proves the copy was spliced in.
            SwappedInPlace,
            /// Same length, a new modification time: packed from the file.
            SameLengthLater,
            CopyRemoved,
        }
        for (index, (name, lines, after)) in [
            ("escmanager.log", 200_000, After::Kept),
            ("empty.log", 0, After::Kept),
            (long_name.as_str(), 777, After::Kept),
            ("changed.log", 5_000, After::Rewritten),
            ("swapped.log", 3_000, After::SwappedInPlace),
            ("later.log", 3_000, After::SameLengthLater),
            ("lost-copy.log", 3_000, After::CopyRemoved),
        ]
        .into_iter()
        .enumerate()
        {
            let path = logs.join(name);
            let content: Vec<u8> = (0..lines)
                .flat_map(|line| {
                    format!("2026-11-25 10:00:00,{line:03} INFO line {line}\n").into_bytes()
                })
                .collect();
            let mut writer = DeflatingWriter::new(
                File::create(&path).unwrap(),
                &scratch.join(format!("{index}.deflate")),
            );
            writer.write_all(&content).unwrap();
            let (_, copy) = writer.finish().unwrap();
            let copy = copy.unwrap();
            let swapped: Vec<u8> = content
                .iter()
                .map(|byte| byte.to_ascii_uppercase())
                .collect();
            let stored_time = fs::metadata(&path).unwrap().modified().unwrap();
            let expected_content = match after {
                After::Kept => content,
                After::Rewritten => {
                    fs::write(&path, b"rewritten\n").unwrap();
                    b"rewritten\n".to_vec()
                }
                After::SwappedInPlace | After::SameLengthLater => {
                    fs::write(&path, &swapped).unwrap();
                    let file = File::options().write(true).open(&path).unwrap();
                    if after == After::SwappedInPlace {
                        file.set_modified(stored_time).unwrap();
                        content
                    } else {
                        file.set_modified(stored_time + std::time::Duration::from_secs(1))
                            .unwrap();
                        swapped
                    }
                }
                After::CopyRemoved => {
                    fs::remove_file(&copy.path).unwrap();
                    content
                }
            };
            copies.insert(path.clone(), copy);
            expected.push((
                format!("esc-diag-x/esc-ha-0/var/log/esc/{name}"),
                expected_content,
            ));
        }
        Staging::write_command(&node, "commands/uptime.txt", b"up 1 day", b"").unwrap();
        let manifest = Manifest {
            format: super::super::MANIFEST_FORMAT.to_string(),
            ..Manifest::default()
        };
        let (written, ()) = staging.finish_with(&manifest, &copies, |_| ()).unwrap();
        let files = unpacked(&written);
        for (name, content) in &expected {
            let found = files
                .iter()
                .find(|(path, _)| path == name)
                .unwrap_or_else(|| panic!("{name} is in the archive"));
            assert!(&found.1 == content, "{name} holds what was written");
        }
        assert!(
            files
                .iter()
                .any(|(path, _)| path.ends_with("commands/uptime.txt"))
        );
        assert_eq!(
            files[1].0, "esc-diag-x/manifest.json",
            "the manifest comes first after its directory"
        );
        // The gzip trailer's CRC-32 and length are the whole tar stream's.
        let bytes = fs::read(&written).unwrap();
        let mut tar_stream = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut tar_stream)
            .unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(&tar_stream);
        let trailer = &bytes[bytes.len() - 8..];
        assert_eq!(trailer[..4], crc.sum().to_le_bytes());
        assert_eq!(trailer[4..], (tar_stream.len() as u32).to_le_bytes());
        let bundle = super::super::Bundle::open(&[written]).unwrap();
        assert_eq!(bundle.nodes[0].name, "esc-ha-0");
    }
}
