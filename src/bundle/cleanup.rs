//! Removes the temporary trees archives were unpacked into, and a collection's staging tree and
//! unfinished bundle, when esc-diag is interrupted (Ctrl-C, SIGTERM, SIGHUP): a temporary
//! directory or file is removed when dropped, which a signal never reaches.

use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static TREES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set the moment a signal arrives: from then on the handler owns the exit.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Remembers a temporary tree (or file) to remove if esc-diag is interrupted.
pub fn register(path: PathBuf) {
    if let Ok(mut trees) = TREES.lock() {
        trees.push(path);
    }
}

/// Whether a signal has arrived: unpacking stops writing into the tree being removed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Removes every registered tree (those already gone are skipped). An unpacking still writing
/// its current entry can re-create a directory under a removal (or make it fail with a file
/// created meanwhile): the removal is tried again until the tree stays gone, for a second at most.
pub fn remove_all() {
    let trees = TREES
        .lock()
        .map(|mut trees| std::mem::take(&mut *trees))
        .unwrap_or_default();
    for tree in trees {
        let mut gone_twice = 0;
        for _ in 0..100 {
            if tree.is_dir() {
                let _ = fs::remove_dir_all(&tree);
            } else {
                let _ = fs::remove_file(&tree);
            }
            if tree.exists() {
                gone_twice = 0;
            } else {
                gone_twice += 1;
                if gone_twice == 2 {
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// On Ctrl-C, SIGTERM or SIGHUP: remove the trees and exit with 130 (interrupted). Installed
/// once, before any archive is unpacked.
pub fn remove_on_signal() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        remove_all();
        std::process::exit(130);
    });
}

/// Called as a command ends: once a signal has arrived, the command's own ending (an error from
/// a tree removed under it, or success) waits for the handler, which removes the trees and exits
/// with 130, instead of racing it.
pub fn yield_to_signal() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}
