//! The bundle: what the collector writes and analysis reads. Turns the PATHs a user gives
//! (bundle directories, .tar.gz bundles, one node's directory, bare log files) into nodes with
//! their files and manifest entries. It lists files; it does not know what is in them.
//!
//! Layout (the contract, also in the README): a directory, or a .tar.gz holding one top directory,
//! with an optional manifest.json and one subdirectory per node mirroring that node's filesystem
//! (var/log/messages*, var/log/esc/*.log*, opt/cisco/esc/keepalived_state, etc/keepalived/, ...),
//! plus commands/NAME.txt for command output and journal/ for journalctl exports.

pub mod archive;
pub mod cleanup;
pub mod lines;
pub mod manifest;
pub mod parallel_gzip;
pub mod write;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use walkdir::WalkDir;

pub use manifest::{MANIFEST_FORMAT, Manifest, ManifestNode};

/// Directories whose presence marks a node directory.
pub const NODE_MARKERS: &[&str] = &["var", "etc", "opt", "commands", "journal"];

/// The parts of a node directory that are read (what collect gathers, and where a node's own
/// filesystem keeps it): the rest of a tree laid out like a node's filesystem, such as `/`
/// itself, is not walked.
pub const NODE_SUBTREES: &[&str] = &[
    "var/log",
    "etc/keepalived",
    "etc/drbd.d",
    "etc/drbd.conf",
    "opt/cisco/esc",
    "proc/drbd",
    "commands",
    "journal",
    // A sosreport's command outputs that checks read (addresses, routes, disks, clock sync).
    "sos_commands/networking",
    "sos_commands/filesys",
    "sos_commands/chrony",
    // A sosreport's journal as text (`journalctl --no-pager ...`), and where sos puts a file or
    // output it kept only the newest part of (`sos_strings/PLUGIN/...tailed`, the original name
    // then a link to it).
    "sos_commands/logs",
    "sos_strings",
];

/// Whether a path inside a node directory is on the way to, or inside, a part that is read.
fn in_node_subtree(relative: &str) -> bool {
    relative.is_empty()
        || NODE_SUBTREES.iter().any(|subtree| {
            relative == *subtree
                || relative.starts_with(&format!("{subtree}/"))
                || subtree.starts_with(&format!("{relative}/"))
        })
}

/// journald's binary files and the login records: not text, and often large.
fn is_binary_log(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    name.ends_with(".journal")
        || name.ends_with(".journal~")
        || matches!(name, "wtmp" | "btmp" | "lastlog" | "faillog")
}

/// The line that separates a command's stdout from its stderr in commands/NAME.txt.
pub const STDERR_MARKER: &str = "----- stderr -----";

/// The largest manifest read (16 MiB; ours are a few kilobytes): a larger one is ignored.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// The largest clock offset a manifest may give a node (a year, in seconds): beyond it the field
/// is damaged, not a clock.
pub const MAX_CLOCK_OFFSET_S: f64 = 366.0 * 86_400.0;

/// Something that could not be read as expected; reading goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Warning {
    /// The node, when the problem is inside one.
    pub node: Option<String>,
    /// The file, relative to the node directory (or as given).
    pub file: Option<String>,
    pub line: Option<u64>,
    pub message: String,
}

impl Warning {
    /// A warning about a whole input or file.
    pub fn file(file: &str, message: impl Into<String>) -> Warning {
        Warning {
            node: None,
            file: Some(file.to_string()),
            line: None,
            message: message.into(),
        }
    }

    /// A warning about a place in a node's file.
    pub fn at(node: &str, file: &str, line: Option<u64>, message: impl Into<String>) -> Warning {
        Warning {
            node: Some(node.to_string()),
            file: Some(file.to_string()),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(node) = &self.node {
            write!(formatter, "{node}: ")?;
        }
        if let Some(file) = &self.file {
            write!(formatter, "{file}")?;
            if let Some(line) = self.line {
                write!(formatter, ":{line}")?;
            }
            write!(formatter, ": ")?;
        }
        write!(formatter, "{}", self.message)
    }
}

/// A file of a node, as found in the bundle.
#[derive(Debug, Clone)]
pub struct NodeFile {
    /// Relative to the node directory, with `/` separators (var/log/messages-20261124.gz).
    pub relative: String,
    pub path: PathBuf,
    pub size: u64,
    /// The modification time on the node: the manifest's, else the file system's.
    pub mtime: Option<DateTime<Utc>>,
    /// Whether `mtime` came from the manifest (the file system's may be a checkout's time).
    pub mtime_from_manifest: bool,
    /// The file is sos' `.tailed` copy: sos kept only its newest part.
    pub tailed_by_sos: bool,
}

/// One node of the pair (or a bare file standing for one).
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    /// The node directory; None for a bare log file.
    pub root: Option<PathBuf>,
    pub manifest: Option<ManifestNode>,
    /// When the bundle holding this node was collected.
    pub collected_at: Option<DateTime<Utc>>,
    /// The node that ran the collection (the manifest's `collected_by`).
    pub collected_by: Option<String>,
    pub files: Vec<NodeFile>,
}

/// Everything the PATHs held.
#[derive(Debug, Default)]
pub struct Bundle {
    pub nodes: Vec<Node>,
    pub warnings: Vec<Warning>,
    /// The PATHs as given.
    pub inputs: Vec<String>,
    /// Unpacked archives live here until the bundle is dropped.
    unpacked: Vec<tempfile::TempDir>,
}

/// Archives unpacked in one run at most (several PATHs, archives in a folder of loose files).
const MAX_UNPACKED_ARCHIVES: usize = 64;

/// Why no bundle could be made from the PATHs.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// (The I/O error is in the message, not a `source`: shown once, not twice in the chain.)
    #[error("{path}: {error}")]
    Unreadable { path: String, error: std::io::Error },
    #[error("{path}: holds no node directory, log file or manifest esc-diag can read")]
    Empty { path: String },
    #[error("{path}: {what}")]
    Unsupported { path: String, what: String },
}

/// Parses an RFC 3339 time into UTC.
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

fn file_mtime(path: &Path) -> Option<DateTime<Utc>> {
    let modified = fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(modified))
}

fn is_node_dir(path: &Path) -> bool {
    NODE_MARKERS.iter().any(|marker| path.join(marker).is_dir())
}

/// The regular files directly in `path`, in name order: not hidden ones (`.name`), not links
/// (a link could lead out of the folder).
fn loose_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(path)?
        .filter_map(Result::ok)
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    Ok(files)
}

fn sorted_subdirectories(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(path)?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().map(|kind| kind.is_dir()).unwrap_or(false))
        .map(|entry| entry.path())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Whether a node directory is a sosreport's tree (its `sos_commands/` beside the filesystem).
fn is_sosreport(path: &Path) -> bool {
    path.join("sos_commands").is_dir()
}

/// Whether a file is the copy sos keeps of something it cut at its size limit (`NAME.tailed`).
fn is_cut_by_sos(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.to_string_lossy().ends_with(".tailed"))
}

/// The regular file a symbolic link at `relative` (below `root`; the link itself at `link`)
/// names, when it is inside `root` and reached without going through another link.
fn linked_file(root: &Path, relative: &str, link: &Path) -> Option<PathBuf> {
    let target = fs::read_link(link).ok()?;
    let resolved = archive::resolve_link(Path::new(relative), &target, false)?;
    regular_file_within(root, &resolved)
}

/// `root/relative` when it is a regular file reached without going through a link.
fn regular_file_within(root: &Path, relative: &Path) -> Option<PathBuf> {
    let mut reached = root.to_path_buf();
    for component in relative.components() {
        reached.push(component);
        let metadata = fs::symlink_metadata(&reached).ok()?;
        if metadata.file_type().is_symlink() {
            return None;
        }
    }
    fs::symlink_metadata(&reached)
        .is_ok_and(|metadata| metadata.is_file())
        .then_some(reached)
}

/// Keeps one name for a file a node holds under several (a link read under its own name, a
/// hard link from an archive): not one under `sos_strings/`, where sos puts a cut copy whose
/// original name is a link to it; else not one read through a link (`messages` linking to
/// `messages-20261201`: the rotation's name dates it); else the first. The name kept says when
/// it is such a cut copy.
fn drop_second_names(files: &mut Vec<NodeFile>, through_link: &[bool]) {
    use std::os::unix::fs::MetadataExt;
    let mut names_of: std::collections::HashMap<(u64, u64), Vec<usize>> =
        std::collections::HashMap::new();
    for (index, file) in files.iter().enumerate() {
        if let Ok(metadata) = fs::metadata(&file.path) {
            names_of
                .entry((metadata.dev(), metadata.ino()))
                .or_default()
                .push(index);
        }
    }
    let mut keep = vec![true; files.len()];
    for names in names_of.values().filter(|names| names.len() > 1) {
        let kept = names
            .iter()
            .copied()
            .min_by_key(|index| {
                (
                    files[*index].relative.starts_with("sos_strings/"),
                    through_link.get(*index).copied().unwrap_or(false),
                    *index,
                )
            })
            .unwrap_or(names[0]);
        for index in names.iter().copied().filter(|index| *index != kept) {
            keep[index] = false;
            files[kept].tailed_by_sos |= files[index].tailed_by_sos;
        }
    }
    let mut kept = keep.into_iter();
    files.retain(|_| kept.next().unwrap_or(true));
}

/// A node's name: a sosreport's host name (`sos_commands/host/hostname`, or the `hostname` at
/// its top, which sos writes as a link to it) when it is a plausible host name, else the
/// directory's name. Only regular files reached through no link are read.
fn node_name(path: &Path) -> String {
    if is_sosreport(path) {
        for written in ["sos_commands/host/hostname", "hostname"] {
            let Some(file) = regular_file_within(path, Path::new(written)) else {
                continue;
            };
            if let Ok(text) = lines::read_small_text(&file, 1024)
                && let Some(host) = text.lines().next().map(str::trim)
                && !host.is_empty()
                && host.len() <= 253
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-._".contains(&byte))
            {
                return host.to_string();
            }
        }
    }
    directory_name(path)
}

fn directory_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl Bundle {
    /// Reads every PATH and merges their nodes. Fails only when nothing at all could be read.
    pub fn open(paths: &[PathBuf]) -> Result<Bundle, BundleError> {
        let mut bundle = Bundle::default();
        let mut stdin_read = false;
        for path in paths {
            bundle.inputs.push(path.display().to_string());
            if path.as_os_str() == "-" {
                if std::mem::replace(&mut stdin_read, true) {
                    return Err(BundleError::Unsupported {
                        path: "-".to_string(),
                        what: "standard input is given more than once".to_string(),
                    });
                }
                let spooled = bundle.spool_stdin()?;
                bundle.add_path(&spooled)?;
                continue;
            }
            bundle.add_path(path)?;
        }
        bundle.name_bare_files();
        bundle.make_names_unique();
        Ok(bundle)
    }

    /// `-`: standard input (pasted lines, a log or an archive piped in) copied to a private
    /// temporary file named `stdin`, then read like any PATH (by its content).
    fn spool_stdin(&mut self) -> Result<PathBuf, BundleError> {
        let unreadable = |error| BundleError::Unreadable {
            path: "standard input".to_string(),
            error,
        };
        let temporary = tempfile::Builder::new()
            .prefix("esc-diag-stdin-")
            .tempdir()
            .map_err(unreadable)?;
        cleanup::register(temporary.path().to_path_buf());
        let spooled = temporary.path().join("stdin");
        self.unpacked.push(temporary);
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            eprintln!("esc-diag: reading standard input (paste the lines, then Ctrl-D)");
        }
        let mut file = fs::File::create(&spooled).map_err(unreadable)?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file).map_err(unreadable)?;
        Ok(spooled)
    }

    fn add_path(&mut self, path: &Path) -> Result<(), BundleError> {
        let shown = path.display().to_string();
        let metadata = fs::metadata(path).map_err(|error| BundleError::Unreadable {
            path: shown.clone(),
            error,
        })?;
        if metadata.is_dir() {
            return self.add_directory(path);
        }
        if !metadata.is_file() {
            // Reading a FIFO or a device would block or never end.
            return Err(BundleError::Unsupported {
                path: shown,
                what: "not a regular file or directory (a FIFO, socket or device is not read)"
                    .to_string(),
            });
        }
        let packing = archive::sniff(path).map_err(|error| BundleError::Unreadable {
            path: shown.clone(),
            error,
        })?;
        if let archive::Packing::Empty(compression) = packing {
            return Err(BundleError::Unsupported {
                path: shown,
                what: format!(
                    "{compression}-compressed, but nothing in it decompresses: it is empty, or truncated or damaged before its first block ends (`{compression} -t` tests it)"
                ),
            });
        }
        if let archive::Packing::Unsupported(what) = packing {
            return Err(BundleError::Unsupported {
                path: shown,
                what: format!(
                    "{what}: esc-diag reads directories, log files (plain or gzip) and archives (.tar, .tar.gz, .tar.xz, .tar.bz2, .tar.zst, .zip); unpack it first and give the directory"
                ),
            });
        }
        if packing != archive::Packing::Plain {
            // Archives in a folder of loose files are unpacked too; one that holds itself
            // (or archives nested without end) stops here.
            if self.unpacked.len() >= MAX_UNPACKED_ARCHIVES {
                return Err(BundleError::Unsupported {
                    path: shown,
                    what: format!(
                        "not unpacked: {MAX_UNPACKED_ARCHIVES} archives were unpacked already (archives nested in archives?)"
                    ),
                });
            }
            let temporary = tempfile::Builder::new()
                .prefix("esc-diag-bundle-")
                .tempdir()
                .map_err(|error| BundleError::Unreadable {
                    path: shown.clone(),
                    error,
                })?;
            cleanup::register(temporary.path().to_path_buf());
            let warnings_before = self.warnings.len();
            archive::unpack(path, packing, temporary.path(), &mut self.warnings).map_err(
                |error| BundleError::Unreadable {
                    path: shown.clone(),
                    error,
                },
            )?;
            let top = temporary.path().to_path_buf();
            self.unpacked.push(temporary);
            let subdirectories = sorted_subdirectories(&top).unwrap_or_default();
            let root = if !top.join("manifest.json").is_file() && subdirectories.len() == 1 {
                subdirectories[0].clone()
            } else {
                top
            };
            let before = self.nodes.len();
            // An archive that gave nothing says why, when unpacking it said something.
            let empty = |warnings: &[Warning]| match warnings.get(warnings_before) {
                Some(warning) => BundleError::Unsupported {
                    path: shown.clone(),
                    what: format!("holds nothing esc-diag can read: {}", warning.message),
                },
                None => BundleError::Empty {
                    path: shown.clone(),
                },
            };
            if self.add_directory(&root).is_err() || self.nodes.len() == before {
                return Err(empty(&self.warnings));
            }
            return Ok(());
        }
        self.add_bare_file(path);
        Ok(())
    }

    fn add_bare_file(&mut self, path: &Path) {
        let name = directory_name(path);
        let node_name = name.clone();
        let size = fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
        self.nodes.push(Node {
            name: node_name,
            root: None,
            manifest: None,
            collected_at: None,
            collected_by: None,
            files: vec![NodeFile {
                relative: name,
                path: path.to_path_buf(),
                size,
                mtime: file_mtime(path),
                mtime_from_manifest: false,
                tailed_by_sos: is_cut_by_sos(path),
            }],
        });
    }

    fn add_directory(&mut self, path: &Path) -> Result<(), BundleError> {
        let shown = path.display().to_string();
        let manifest_path = path.join("manifest.json");
        let mut manifest = None;
        if manifest_path.is_file() {
            let size = fs::metadata(&manifest_path).map_or(0, |metadata| metadata.len());
            match (if size > MAX_MANIFEST_BYTES {
                Err(format!(
                    "{size} bytes, more than a manifest of {MAX_MANIFEST_BYTES} bytes can be"
                ))
            } else {
                fs::read_to_string(&manifest_path).map_err(|error| error.to_string())
            })
            .and_then(|text| Manifest::parse(&text))
            {
                Ok(parsed) => manifest = Some(parsed),
                Err(error) => self.warnings.push(Warning::file(
                    &manifest_path.display().to_string(),
                    format!("manifest ignored ({error}); node names are the directory names and clocks are taken as they are"),
                )),
            }
        }
        let collected_at = manifest
            .as_ref()
            .and_then(|manifest| manifest.collected_at.as_deref())
            .and_then(parse_rfc3339);

        if is_node_dir(path) && manifest.is_none() {
            let node = self.read_node(node_name(path), path, None, None);
            self.nodes.push(node);
            return Ok(());
        }

        let nodes_before = self.nodes.len();
        let mut claimed = Vec::new();
        if let Some(manifest) = &mut manifest {
            // A clock offset beyond any real clock error (a year) is a damaged field, not a clock.
            for entry in &mut manifest.nodes {
                for (field, value) in [
                    ("clock_offset_s", &mut entry.clock_offset_s),
                    ("clock_uncertainty_s", &mut entry.clock_uncertainty_s),
                ] {
                    if let Some(seconds) = *value
                        && !(seconds.is_finite() && seconds.abs() <= MAX_CLOCK_OFFSET_S)
                    {
                        self.warnings.push(Warning::file(
                            &manifest_path.display().to_string(),
                            format!(
                                "nodes[{}].{field} = {seconds} is out of range (over a year): ignored, the node's stamps are taken as they are",
                                entry.name
                            ),
                        ));
                        *value = None;
                    }
                }
            }
        }
        if let Some(manifest) = &manifest {
            for entry in &manifest.nodes {
                let dir = if entry.dir.is_empty() {
                    &entry.name
                } else {
                    &entry.dir
                };
                // The node directory stays inside the bundle: no `..`, no root, not a symbolic
                // link.
                let Some(node_root) = archive::safe_relative(Path::new(dir))
                    .map(|inside| path.join(inside))
                    .filter(|root| {
                        !fs::symlink_metadata(root)
                            .is_ok_and(|metadata| metadata.file_type().is_symlink())
                    })
                else {
                    self.warnings.push(Warning::file(
                        &manifest_path.display().to_string(),
                        format!(
                            "nodes[{}].dir {dir:?} leaves the bundle (only a directory inside it is read): node skipped",
                            entry.name
                        ),
                    ));
                    continue;
                };
                claimed.push(node_root.clone());
                if !node_root.is_dir() {
                    self.warnings.push(Warning::at(
                        &entry.name,
                        dir,
                        None,
                        "the manifest names this node directory but the bundle does not hold it",
                    ));
                    continue;
                }
                let mut node = self.read_node(
                    entry.name.clone(),
                    &node_root,
                    Some(entry.clone()),
                    collected_at,
                );
                node.collected_by = Some(manifest.collected_by.clone());
                self.nodes.push(node);
            }
        }
        let subdirectories =
            sorted_subdirectories(path).map_err(|error| BundleError::Unreadable {
                path: shown.clone(),
                error,
            })?;
        for subdirectory in subdirectories {
            if claimed.contains(&subdirectory) || !is_node_dir(&subdirectory) {
                continue;
            }
            let node = self.read_node(node_name(&subdirectory), &subdirectory, None, collected_at);
            self.nodes.push(node);
        }
        if self.nodes.len() == nodes_before && manifest.is_none() {
            // A folder of loose logs (a ticket's attachments, excerpts saved side by side): each
            // file read as if given on its own.
            let loose = loose_files(path).map_err(|error| BundleError::Unreadable {
                path: shown.clone(),
                error,
            })?;
            let mut refused = None;
            for file in &loose {
                if let Err(error) = self.add_path(file) {
                    refused.get_or_insert_with(|| error.to_string());
                    self.warnings.push(Warning::file(
                        &file.display().to_string(),
                        error.to_string(),
                    ));
                }
            }
            // Nothing read: the first file's refusal says why.
            if let Some(why) = refused.filter(|_| self.nodes.is_empty()) {
                return Err(BundleError::Unsupported {
                    path: shown,
                    what: format!("holds nothing esc-diag can read: {why}"),
                });
            }
        }
        if self.nodes.is_empty() && manifest.is_none() {
            return Err(BundleError::Empty { path: shown });
        }
        Ok(())
    }

    fn read_node(
        &mut self,
        name: String,
        root: &Path,
        manifest: Option<ManifestNode>,
        collected_at: Option<DateTime<Utc>>,
    ) -> Node {
        let mut files = Vec::new();
        // Which of `files` were read through a symbolic link.
        let mut through_link: Vec<bool> = Vec::new();
        // A sosreport's top holds command outputs (ps, lsof, date...), not logs.
        let top_files_are_logs = !is_sosreport(root);
        let walk = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                let relative = entry
                    .path()
                    .strip_prefix(root)
                    .map(|path| path.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                // Files at the top of the node directory are read; directories only on the way
                // to what is.
                (entry.depth() == 1 && entry.file_type().is_file() && top_files_are_logs)
                    || in_node_subtree(&relative)
            });
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    self.warnings.push(Warning::at(
                        &name,
                        &root.display().to_string(),
                        None,
                        error.to_string(),
                    ));
                    continue;
                }
            };
            let relative = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            // A link to a regular file elsewhere in the node is read under the link's name
            // (sosreports replace a log they cut by a link to the cut copy); any other link is
            // not followed.
            let is_link = entry.path_is_symlink();
            let path = if is_link {
                match linked_file(root, &relative, entry.path()) {
                    Some(target) => target,
                    None => {
                        self.warnings.push(Warning::at(
                            &name,
                            &relative,
                            None,
                            "is a symbolic link to something that is not a regular file inside its node; not followed",
                        ));
                        continue;
                    }
                }
            } else if entry.file_type().is_file() {
                entry.path().to_path_buf()
            } else {
                continue;
            };
            if is_binary_log(&relative) {
                self.warnings.push(Warning::at(
                    &name,
                    &relative,
                    None,
                    "is a binary log (journald or login records) and is not read; export the journal as text with journalctl",
                ));
                continue;
            }
            let listed = manifest.as_ref().and_then(|node| node.file(&relative));
            let manifest_mtime = listed
                .and_then(|file| file.mtime.as_deref())
                .and_then(parse_rfc3339);
            let size = fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
            let tailed_by_sos = is_cut_by_sos(&path);
            files.push(NodeFile {
                relative,
                mtime: manifest_mtime.or_else(|| file_mtime(&path)),
                path,
                size,
                mtime_from_manifest: manifest_mtime.is_some(),
                tailed_by_sos,
            });
            through_link.push(is_link);
        }
        drop_second_names(&mut files, &through_link);
        if files.is_empty() {
            self.warnings.push(Warning::at(
                &name,
                &root.display().to_string(),
                None,
                "node directory holds no files",
            ));
        }
        Node {
            collected_by: None,
            name,
            root: Some(root.to_path_buf()),
            manifest,
            collected_at,
            files,
        }
    }

    /// Bare files are named after the first path component that tells them apart
    /// (`a/esc-ha-0/messages` and `a/esc-ha-1/messages` → esc-ha-0, esc-ha-1); one alone keeps
    /// its file name.
    fn name_bare_files(&mut self) {
        let bare: Vec<usize> = (0..self.nodes.len())
            .filter(|index| self.nodes[*index].root.is_none())
            .collect();
        if bare.len() < 2 {
            return;
        }
        let paths: Vec<Vec<String>> = bare
            .iter()
            .map(|index| {
                let path = fs::canonicalize(&self.nodes[*index].files[0].path)
                    .unwrap_or_else(|_| self.nodes[*index].files[0].path.clone());
                path.components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .collect();
        let shortest = paths.iter().map(Vec::len).min().unwrap_or(0);
        let common = (0..shortest)
            .take_while(|position| {
                paths
                    .iter()
                    .all(|path| path[*position] == paths[0][*position])
            })
            .count();
        for (index, path) in bare.iter().zip(&paths) {
            if let Some(component) = path.get(common) {
                self.nodes[*index].name = component.clone();
            }
        }
    }

    fn make_names_unique(&mut self) {
        let mut seen: Vec<String> = Vec::new();
        for node in &mut self.nodes {
            if seen.contains(&node.name) {
                let mut counter = 2;
                while seen.contains(&format!("{}#{counter}", node.name)) {
                    counter += 1;
                }
                let renamed = format!("{}#{counter}", node.name);
                self.warnings.push(Warning::file(
                    &node.name,
                    format!(
                        "two inputs hold a node of this name; the second is shown as {renamed}"
                    ),
                ));
                node.name = renamed;
            }
            seen.push(node.name.clone());
        }
    }
}
