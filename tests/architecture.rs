//! The one-way data flow, checked: `collect → bundle → sources → timeline → checks / rules →
//! report`, with `commands` chaining them. A module may use only stages at or before its own
//! (checks and rules do not use each other); nothing uses `commands` or `cli` but `lib.rs`.

use std::fs;
use std::path::Path;

/// Stages in pipeline order; a module may use its own stage and earlier ones.
const STAGES: &[(&str, u32)] = &[
    ("exit_code", 0),
    ("rule_files", 0),
    ("deflate_blocks", 0),
    ("collect", 1),
    ("bundle", 2),
    ("sources", 3),
    ("timeline", 4),
    ("finding", 5),
    ("checks", 6),
    ("rules", 6),
    ("diagnosis", 7),
    ("report", 8),
    ("cli", 9),
    ("commands", 10),
];

fn stage(module: &str) -> Option<u32> {
    STAGES
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, rank)| *rank)
}

fn visit(directory: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(directory).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn imports_point_only_upstream() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&source, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&source)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = relative
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = stage(&module) else {
            wrong.push(format!(
                "{relative}: module {module} has no place in the pipeline list"
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(position) = rest.find("crate::") {
                let used: String = rest[position + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[position + 7..];
                let Some(theirs) = stage(&used) else { continue };
                let sibling = theirs == own && used != module;
                if theirs > own || sibling {
                    wrong.push(format!(
                        "{relative}:{}: {module} uses {used}, which is downstream",
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the data flow:\n{}",
        wrong.join("\n")
    );
}
