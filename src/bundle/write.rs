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

/// The bundle's gzip level: 1 writes a generated week of logs at about twice the speed of the
/// default 6 for a bundle about a quarter larger, and compressing was most of a collection's time.
const BUNDLE_GZIP_LEVEL: u32 = 1;

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
        self.finish_with(manifest, |_| ())
            .map(|(written, ())| written)
    }

    /// [`Staging::finish`], running `beside` on the finished tree (its top directory, manifest
    /// written: a bundle directory) on another thread while the archive is packed and compressed;
    /// gives back what it returned. The tree is removed once both are done.
    pub fn finish_with<T: Send>(
        self,
        manifest: &Manifest,
        beside: impl FnOnce(&Path) -> T + Send,
    ) -> Result<(PathBuf, T), WriteError> {
        self.write_manifest(manifest)?;
        let top = self.top.clone();
        let (packed, beside) = std::thread::scope(|scope| {
            let beside = scope.spawn(|| beside(&top));
            let packed = self.pack();
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
    fn pack(&self) -> Result<PathBuf, WriteError> {
        let directory = target_directory(&self.target);
        let temporary = tempfile::Builder::new()
            .prefix(".esc-diag-")
            .suffix(".tar.gz.part")
            .tempfile_in(&directory)
            .map_err(at(&directory))?;
        let shown = temporary.path().to_path_buf();
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
            archive
                .append_dir_all(Path::new(&name), &self.top)
                .map_err(at(&shown))?;
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
}
