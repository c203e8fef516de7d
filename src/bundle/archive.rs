//! Unpacking a bundle archive (.tar.gz, .tar, .tar.xz as sosreport writes, .tar.bz2, .tar.zst,
//! .zip; told by content) into a private temporary directory, refusing every entry that could
//! write outside it (`..`, absolute paths, links, devices) and keeping what a truncated archive
//! held.

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
    /// A tar compressed with xz (sosreport's .tar.xz), bzip2 or zstd: told by the `ustar` mark
    /// in its first decompressed block, whatever its name.
    TarXz,
    TarBz2,
    TarZst,
    /// A zip archive.
    Zip,
    /// An archive or compression esc-diag does not unpack: its name.
    Unsupported(&'static str),
    /// A compressed file of which not one byte decompresses (empty, or truncated or damaged
    /// before its first block ends): its compression's name (xz, bzip2, zstd).
    Empty(&'static str),
    /// Anything else: read as a log file (gzip included).
    Plain,
}

/// A tar's mark, at byte 257 of its first header.
fn is_tar_head(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// The first `limit` bytes of a compressed file, decompressed (as much as decompresses).
fn decompressed_head(path: &Path, packing: Packing, limit: usize) -> Vec<u8> {
    let mut head = Vec::with_capacity(limit);
    if let Ok(file) = fs::File::open(path)
        && let Ok(decoder) = decoder(file, packing, &path.display().to_string())
    {
        let _ = decoder.take(limit as u64).read_to_end(&mut head);
    }
    head
}

/// Tells a bundle archive from a log file by its first bytes (and, for tar.gz, its name).
pub fn sniff(path: &Path) -> std::io::Result<Packing> {
    let head = read_head(path, 512)?;
    let compressed_tar = |packing: Packing, what: &'static str, compression: &'static str| {
        let head = decompressed_head(path, packing, 512);
        if is_tar_head(&head) {
            packing
        } else if head.is_empty() {
            Packing::Empty(compression)
        } else {
            Packing::Unsupported(what)
        }
    };
    Ok(if is_gzip_magic(&head) && has_tar_gz_name(path) {
        Packing::TarGz
    } else if is_tar_head(&head) {
        Packing::Tar
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        compressed_tar(
            Packing::TarXz,
            "an xz-compressed file that is not a tar",
            "xz",
        )
    } else if head.starts_with(b"BZh") {
        compressed_tar(
            Packing::TarBz2,
            "a bzip2-compressed file that is not a tar",
            "bzip2",
        )
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        compressed_tar(
            Packing::TarZst,
            "a zstd-compressed file that is not a tar",
            "zstd",
        )
    } else if head.starts_with(b"PK\x03\x04") {
        Packing::Zip
    } else if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        Packing::Unsupported("a 7-Zip archive")
    } else {
        Packing::Plain
    })
}

/// A reader of the archive's tar stream.
fn decoder(file: fs::File, packing: Packing, shown: &str) -> std::io::Result<Box<dyn Read>> {
    let buffered = BufReader::new(file);
    Ok(match packing {
        Packing::TarGz => Box::new(GzDecoder::new(buffered)),
        Packing::TarBz2 => Box::new(bzip2::read::MultiBzDecoder::new(buffered)),
        Packing::TarZst => {
            let decoder = ruzstd::decoding::StreamingDecoder::new(buffered).map_err(|error| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{shown}: not zstd: {error}"),
                )
            })?;
            Box::new(decoder)
        }
        // Several concatenated xz streams read as one, as xz itself reads them.
        Packing::TarXz => Box::new(lzma_rust2::XzReader::new(buffered, true)),
        _ => Box::new(buffered),
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

/// Whether an entry names the archive's top itself (`./`, as `tar -C DIR .` writes first):
/// nothing to unpack, nothing to warn about.
fn is_the_root(path: &Path) -> bool {
    path.components()
        .all(|component| component == Component::CurDir)
}

/// Where a link at `link` (relative to the tree's root) whose target is `target` points, relative
/// to the root, when that is inside the tree: a symbolic link's target is read from the link's
/// directory, a hard link's (`hard`) from the root. None for a target outside (absolute, or
/// climbing out with `..`) or the root itself.
pub fn resolve_link(link: &Path, target: &Path, hard: bool) -> Option<PathBuf> {
    let mut resolved: Vec<Component> = Vec::new();
    if !hard {
        resolved.extend(link.parent().into_iter().flat_map(Path::components));
    }
    for component in target.components() {
        match component {
            Component::Normal(_) => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!resolved.is_empty()).then(|| resolved.iter().collect())
}

/// Gives each link kept while unpacking (its path and its target's, relative to `destination`)
/// the contents of its target, when the archive held the target as a regular file: as a hard
/// link, so nothing is copied (sosreports replace a log they cut by a link to the cut copy, and
/// link many command outputs under a second name). A link whose target is not such a file is
/// named in a warning. Nothing is made once a signal has arrived (the tree is being removed).
fn materialise_links(
    links: &[(PathBuf, PathBuf)],
    destination: &Path,
    shown: &str,
    warnings: &mut Vec<Warning>,
) {
    if super::cleanup::interrupted() {
        return;
    }
    for (link, target) in links {
        let source = destination.join(target);
        let made = fs::symlink_metadata(&source).is_ok_and(|metadata| metadata.is_file()) && {
            let place = destination.join(link);
            place
                .parent()
                .is_none_or(|parent| fs::create_dir_all(parent).is_ok())
                && (fs::hard_link(&source, &place).is_ok() || fs::copy(&source, &place).is_ok())
        };
        if !made {
            warnings.push(Warning::file(
                shown,
                format!(
                    "entry {} is a link to {}, which the archive does not hold as a file; skipped",
                    link.display(),
                    target.display()
                ),
            ));
        }
    }
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
/// `packing` is what [`sniff`] found.
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
    if packing == Packing::Zip {
        return unpack_zip(archive, destination, warnings, limits);
    }
    let file = fs::File::open(archive)?;
    unpack_tar(
        decoder(file, packing, &shown)?,
        &shown,
        destination,
        warnings,
        limits,
    )
}

/// Unpacks a tar stream (see [`unpack_within`]).
fn unpack_tar(
    decoder: Box<dyn Read>,
    shown: &str,
    destination: &Path,
    warnings: &mut Vec<Warning>,
    limits: Limits,
) -> std::io::Result<()> {
    let shown = shown.to_string();
    let mut tar = tar::Archive::new(decoder);
    let entries = match tar.entries() {
        Ok(entries) => entries,
        Err(error) => {
            warnings.push(Warning::file(
                &shown,
                format!("not a readable tar archive: {error}"),
            ));
            return Ok(());
        }
    };
    let limit = limits.bytes;
    let mut unpacked_bytes = 0u64;
    // Links to another place inside the archive: (link, target), made once everything is out.
    let mut links: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (count, entry) in entries.enumerate() {
        // Interrupted: the signal handler is removing the tree; write nothing more into it.
        if super::cleanup::interrupted() {
            break;
        }
        if count >= limits.entries {
            warnings.push(too_many_entries(&shown, limits));
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
        let name = raw_path.display().to_string();
        if let Some(refusal) = name_refusal(&shown, &name) {
            warnings.push(refusal);
            continue;
        }
        if is_the_root(&raw_path) {
            continue;
        }
        let Some(relative) = safe_relative(&raw_path) else {
            warnings.push(Warning::file(
                &shown,
                format!("entry {name} points outside the bundle; skipped"),
            ));
            continue;
        };
        let kind = entry.header().entry_type();
        let target = destination.join(&relative);
        if kind.is_dir() {
            if let Err(error) = fs::create_dir_all(&target) {
                warnings.push(unwritable(&shown, &name, &error));
            }
            continue;
        }
        if (kind.is_symlink() || kind.is_hard_link())
            && let Ok(Some(link_target)) = entry.link_name()
            && let Some(target) = resolve_link(&relative, &link_target, kind.is_hard_link())
        {
            links.push((relative, target));
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
            warnings.push(too_many_bytes(
                &shown,
                limit,
                &raw_path.display().to_string(),
            ));
            break;
        }
        if let Some(parent) = target.parent()
            && let Err(error) = fs::create_dir_all(parent)
        {
            warnings.push(unwritable(&shown, &name, &error));
            continue;
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
    materialise_links(&links, destination, &shown, warnings);
    Ok(())
}

/// The longest entry name read (Linux's PATH_MAX), and the longest name of one component
/// (NAME_MAX): longer ones are refused by name rather than failing the whole archive.
pub const MAX_ENTRY_NAME_BYTES: usize = 4096;
pub const MAX_COMPONENT_BYTES: usize = 255;

/// The warning of an entry whose name cannot be unpacked (too long), if it cannot.
fn name_refusal(shown: &str, name: &str) -> Option<Warning> {
    let longest = name.split('/').map(str::len).max().unwrap_or(0);
    let reason = if name.len() > MAX_ENTRY_NAME_BYTES {
        format!(
            "has a name of {} bytes (at most {MAX_ENTRY_NAME_BYTES})",
            name.len()
        )
    } else if longest > MAX_COMPONENT_BYTES {
        format!("has a name part of {longest} bytes (at most {MAX_COMPONENT_BYTES})")
    } else {
        return None;
    };
    Some(Warning::file(
        shown,
        format!("entry {} {reason}; skipped", shown_name(name)),
    ))
}

/// An entry's name as a warning shows it: whole when short, else its start.
fn shown_name(name: &str) -> String {
    const SHOWN: usize = 100;
    if name.len() <= SHOWN {
        return name.to_string();
    }
    let mut cut = SHOWN;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &name[..cut])
}

/// The warning of an entry that could not be written where it belongs; the unpacking goes on.
fn unwritable(shown: &str, name: &str, error: &std::io::Error) -> Warning {
    Warning::file(
        shown,
        format!(
            "entry {} could not be unpacked ({error}); skipped",
            shown_name(name)
        ),
    )
}

/// The warning of an archive with more entries than the limit.
fn too_many_entries(shown: &str, limits: Limits) -> Warning {
    Warning::file(
        shown,
        format!(
            "more than {} entries: stopped there, kept the entries before",
            limits.entries
        ),
    )
}

/// The warning of an archive that unpacks to more bytes than the limit, at `entry`.
fn too_many_bytes(shown: &str, limit: u64, entry: &str) -> Warning {
    Warning::file(
        shown,
        format!(
            "unpacks to more than {limit} bytes at entry {entry}: stopped there (a decompression bomb is not a bundle), kept the entries before"
        ),
    )
}

/// Unpacks a zip archive with the same rules as a tar: names confined to the destination, links
/// skipped, directories made, at most `limits` entries and bytes (counted as decompressed, not as
/// declared), each refusal naming its entry.
fn unpack_zip(
    archive: &Path,
    destination: &Path,
    warnings: &mut Vec<Warning>,
    limits: Limits,
) -> std::io::Result<()> {
    let shown = archive.display().to_string();
    let mut zip = match zip::ZipArchive::new(BufReader::new(fs::File::open(archive)?)) {
        Ok(zip) => zip,
        Err(error) => {
            warnings.push(Warning::file(
                &shown,
                format!("not a readable zip archive: {error}"),
            ));
            return Ok(());
        }
    };
    let mut unpacked_bytes = 0u64;
    // Links to another place inside the archive: (link, target), made once everything is out.
    let mut links: Vec<(PathBuf, PathBuf)> = Vec::new();
    for index in 0..zip.len() {
        if super::cleanup::interrupted() {
            break;
        }
        if index >= limits.entries {
            warnings.push(too_many_entries(&shown, limits));
            break;
        }
        let mut entry = match zip.by_index(index) {
            Ok(entry) => entry,
            Err(error) => {
                warnings.push(Warning::file(
                    &shown,
                    format!("entry {} is unreadable ({error}); skipped", index + 1),
                ));
                continue;
            }
        };
        let name = entry.name().to_string();
        if let Some(refusal) = name_refusal(&shown, &name) {
            warnings.push(refusal);
            continue;
        }
        if is_the_root(Path::new(&name)) {
            continue;
        }
        let Some(relative) = safe_relative(Path::new(&name)) else {
            warnings.push(Warning::file(
                &shown,
                format!("entry {name} points outside the bundle; skipped"),
            ));
            continue;
        };
        let target = destination.join(&relative);
        if entry.is_dir() {
            if let Err(error) = fs::create_dir_all(&target) {
                warnings.push(unwritable(&shown, &name, &error));
            }
            continue;
        }
        if entry.is_symlink() {
            // A zip holds a link's target as its contents.
            let mut link_target = String::new();
            if (&mut entry)
                .take(4096)
                .read_to_string(&mut link_target)
                .is_ok()
                && let Some(target) = resolve_link(&relative, Path::new(&link_target), false)
            {
                links.push((relative, target));
                continue;
            }
            warnings.push(Warning::file(
                &shown,
                format!(
                    "entry {name} is a link, not a regular file; skipped (links are never followed)"
                ),
            ));
            continue;
        }
        if let Some(parent) = target.parent()
            && let Err(error) = fs::create_dir_all(parent)
        {
            warnings.push(unwritable(&shown, &name, &error));
            continue;
        }
        let budget = limits.bytes.saturating_sub(unpacked_bytes);
        let mut output = match fs::File::create(&target) {
            Ok(output) => output,
            Err(error) => {
                warnings.push(unwritable(&shown, &name, &error));
                continue;
            }
        };
        match std::io::copy(
            &mut (&mut entry).take(budget.saturating_add(1)),
            &mut output,
        ) {
            Ok(copied) => {
                unpacked_bytes = unpacked_bytes.saturating_add(copied);
                if unpacked_bytes > limits.bytes {
                    drop(output);
                    let _ = fs::remove_file(&target);
                    warnings.push(too_many_bytes(&shown, limits.bytes, &name));
                    break;
                }
            }
            Err(error) => warnings.push(Warning::file(
                &shown,
                format!("entry {name} could not be read completely: {error}"),
            )),
        }
    }
    materialise_links(&links, destination, &shown, warnings);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_resolves_only_within_the_tree() {
        let inside = |link: &str, target: &str, hard: bool| {
            resolve_link(Path::new(link), Path::new(target), hard).is_some()
        };
        assert_eq!(
            resolve_link(
                Path::new("sos/sos_commands/logs/journalctl_--no-pager"),
                Path::new("../../sos_strings/logs/journalctl_--no-pager.tailed"),
                false
            ),
            Some(PathBuf::from(
                "sos/sos_strings/logs/journalctl_--no-pager.tailed"
            ))
        );
        assert!(inside("sos/hostname", "sos_commands/host/hostname", false));
        assert!(inside(
            "sos/sos_commands/logs/journalctl_--no-pager",
            "../../sos_strings/logs/journalctl_--no-pager.tailed",
            false
        ));
        assert!(inside("a/b", "./c/../d", false));
        assert!(!inside("sos/hostname", "/etc/hostname", false));
        assert!(!inside("sos/x", "../../etc/passwd", false));
        assert!(!inside("x", "..", false));
        assert!(!inside("a/x", "..", false));
        // A hard link's target is named from the archive's root.
        assert!(inside("a/b/c", "a/d", true));
        assert!(!inside("a/b/c", "../d", true));
    }

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
