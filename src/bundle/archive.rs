//! Unpacking a bundle .tar.gz (or plain .tar) into a private temporary directory, refusing every entry that could
//! write outside it (`..`, absolute paths, links, devices) and keeping what a truncated archive held.

use std::fs;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;

use super::Warning;
use super::lines::{is_gzip_magic, read_head};

/// Whether the file name says tar.gz.
pub fn has_tar_gz_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".tar.gz") || name.ends_with(".tgz")
}

/// What a file holds, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// A gzip-compressed tar (our bundles), by name and magic.
    TarGz,
    /// An uncompressed tar (`ustar` at byte 257).
    Tar,
    /// An archive or compression esc-diag does not unpack: its name.
    Unsupported(&'static str),
    /// Anything else: read as a log file (gzip included).
    Plain,
}

/// Tells a bundle archive from a log file by its first bytes (and, for tar.gz, its name).
pub fn sniff(path: &Path) -> std::io::Result<Packing> {
    let head = read_head(path, 512)?;
    Ok(if is_gzip_magic(&head) && has_tar_gz_name(path) {
        Packing::TarGz
    } else if head.get(257..262) == Some(b"ustar") {
        Packing::Tar
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Packing::Unsupported("xz-compressed (a .tar.xz, as sosreport writes)")
    } else if head.starts_with(b"BZh") {
        Packing::Unsupported("bzip2-compressed")
    } else if head.starts_with(b"PK\x03\x04") {
        Packing::Unsupported("a zip archive")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Packing::Unsupported("zstd-compressed")
    } else if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        Packing::Unsupported("a 7-Zip archive")
    } else {
        Packing::Plain
    })
}

/// A relative path made only of normal components (`.` dropped), or None when it is empty or
/// could leave its root (`..`, a root, a prefix). Every path from outside input that names a place
/// inside a root (archive entries, manifest node directories, rule case files) goes through it.
pub fn safe_relative(path: &Path) -> Option<PathBuf> {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!clean.as_os_str().is_empty()).then_some(clean)
}

/// At most this many entries are unpacked from one archive.
pub const MAX_ENTRIES: usize = 100_000;

/// At most this many bytes are unpacked from an archive of `size` bytes: 1 GiB, or 20 times the
/// archive (logs compress about ten-fold), whichever is more. Beyond it is a decompression bomb,
/// not a bundle.
pub fn unpack_limit(size: u64) -> u64 {
    (1u64 << 30).max(size.saturating_mul(20))
}

/// Unpacks `archive` into `destination`; refused entries and read errors become warnings, and
/// unpacking stops (keeping what came before) past `MAX_ENTRIES` or `unpack_limit`.
/// `packing` is what [`sniff`] found: `Tar` is read as it is, anything else through gzip.
pub fn unpack(
    archive: &Path,
    packing: Packing,
    destination: &Path,
    warnings: &mut Vec<Warning>,
) -> std::io::Result<()> {
    let limits = Limits {
        entries: MAX_ENTRIES,
        bytes: unpack_limit(fs::metadata(archive)?.len()),
    };
    unpack_within(archive, packing, destination, warnings, limits)
}

/// How much one archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub bytes: u64,
}

/// [`unpack`] with explicit limits.
pub fn unpack_within(
    archive: &Path,
    packing: Packing,
    destination: &Path,
    warnings: &mut Vec<Warning>,
    limits: Limits,
) -> std::io::Result<()> {
    let shown = archive.display().to_string();
    let file = fs::File::open(archive)?;
    let decoder: Box<dyn Read> = if packing == Packing::Tar {
        Box::new(BufReader::new(file))
    } else {
        Box::new(GzDecoder::new(BufReader::new(file)))
    };
    let mut tar = tar::Archive::new(decoder);
    let entries = match tar.entries() {
        Ok(entries) => entries,
        Err(error) => {
            warnings.push(Warning::file(
                &shown,
                format!("not a readable tar.gz: {error}"),
            ));
            return Ok(());
        }
    };
    let limit = limits.bytes;
    let mut unpacked_bytes = 0u64;
    for (count, entry) in entries.enumerate() {
        if count >= limits.entries {
            warnings.push(Warning::file(
                &shown,
                format!(
                    "more than {} entries: stopped there, kept the entries before",
                    limits.entries
                ),
            ));
            break;
        }
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                warnings.push(Warning::file(
                    &shown,
                    format!("archive is truncated or corrupt, kept the entries before it: {error}"),
                ));
                break;
            }
        };
        let raw_path = match entry.path() {
            Ok(path) => path.into_owned(),
            Err(error) => {
                warnings.push(Warning::file(
                    &shown,
                    format!("entry with an unreadable name skipped: {error}"),
                ));
                continue;
            }
        };
        let Some(relative) = safe_relative(&raw_path) else {
            warnings.push(Warning::file(
                &shown,
                format!(
                    "entry {} points outside the bundle; skipped",
                    raw_path.display()
                ),
            ));
            continue;
        };
        let kind = entry.header().entry_type();
        let target = destination.join(&relative);
        if kind.is_dir() {
            fs::create_dir_all(&target)?;
            continue;
        }
        if !kind.is_file() {
            warnings.push(Warning::file(
                &shown,
                format!(
                    "entry {} is a {:?}, not a regular file; skipped (links are never followed)",
                    raw_path.display(),
                    kind
                ),
            ));
            continue;
        }
        unpacked_bytes = unpacked_bytes.saturating_add(entry.header().size().unwrap_or(0));
        if unpacked_bytes > limit {
            warnings.push(Warning::file(
                &shown,
                format!(
                    "unpacks to more than {limit} bytes at entry {}: stopped there (a decompression bomb is not a bundle), kept the entries before",
                    raw_path.display()
                ),
            ));
            break;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        if let Err(error) = entry.unpack(&target) {
            warnings.push(Warning::file(
                &shown,
                format!(
                    "entry {} could not be read completely: {error}",
                    raw_path.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar.gz of `files` (name, size in bytes of `x`).
    fn archive(files: &[(&str, usize)]) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new()
            .suffix(".tar.gz")
            .tempfile()
            .unwrap();
        let encoder =
            flate2::write::GzEncoder::new(file.reopen().unwrap(), flate2::Compression::fast());
        let mut builder = tar::Builder::new(encoder);
        for (name, size) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(*size as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, name, &vec![b'x'; *size][..])
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap();
        file
    }

    #[test]
    fn unpacking_stops_at_the_byte_and_entry_limits_keeping_what_came_before() {
        let bomb = archive(&[("a/1", 400), ("a/2", 400), ("a/3", 400)]);
        let destination = tempfile::tempdir().unwrap();
        let mut warnings = Vec::new();
        let limits = Limits {
            entries: 10,
            bytes: 1000,
        };
        unpack_within(
            bomb.path(),
            Packing::TarGz,
            destination.path(),
            &mut warnings,
            limits,
        )
        .unwrap();
        assert!(destination.path().join("a/2").is_file());
        assert!(!destination.path().join("a/3").exists());
        assert!(
            warnings
                .iter()
                .any(|warning| warning.message.contains("decompression bomb"))
        );
        let many = archive(&[("b/1", 1), ("b/2", 1), ("b/3", 1)]);
        let destination = tempfile::tempdir().unwrap();
        let mut warnings = Vec::new();
        let limits = Limits {
            entries: 2,
            bytes: 1000,
        };
        unpack_within(
            many.path(),
            Packing::TarGz,
            destination.path(),
            &mut warnings,
            limits,
        )
        .unwrap();
        assert!(destination.path().join("b/2").is_file());
        assert!(!destination.path().join("b/3").exists());
        assert!(
            warnings
                .iter()
                .any(|warning| warning.message.contains("more than 2 entries"))
        );
        assert_eq!(unpack_limit(10), 1 << 30);
        assert_eq!(unpack_limit(1 << 30), 20 << 30);
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert!(safe_relative(Path::new("../etc/passwd")).is_none());
        assert!(safe_relative(Path::new("/etc/passwd")).is_none());
        assert!(safe_relative(Path::new("a/../../b")).is_none());
        assert_eq!(
            safe_relative(Path::new("./b/esc-ha-0/var")).unwrap(),
            PathBuf::from("b/esc-ha-0/var")
        );
    }
}
