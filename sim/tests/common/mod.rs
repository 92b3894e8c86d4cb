//! Temporary folders and files of the integration tests, removed when dropped: the tests
//! left one folder per run in the system's temporary folder before (hundreds of them,
//! ~0.7 GB, after a few sessions).

#![allow(dead_code)] // each test binary uses its own part of this module

use std::ffi::OsStr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Makes every folder of one test process distinct: tests run in parallel threads.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary folder, removed with everything in it when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// `evict-sim-<what>-<pid>-<n>` in the system's temporary folder.
    pub(crate) fn new(what: &str) -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("evict-sim-{what}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `bytes` to `name` inside the folder (creating the folders `name` holds).
    pub(crate) fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file alone in a fresh temporary folder; the folder, with anything a command wrote
/// beside the file, is removed when this is dropped. Reads as a `Path`.
pub(crate) struct TempFile {
    path: PathBuf,
    _dir: TempDir,
}

impl TempFile {
    /// `bytes` written to `name` in a fresh folder named after `what`.
    pub(crate) fn new(what: &str, name: &str, bytes: &[u8]) -> Self {
        let dir = TempDir::new(what);
        TempFile {
            path: dir.file(name, bytes),
            _dir: dir,
        }
    }
}

impl Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<OsStr> for TempFile {
    fn as_ref(&self) -> &OsStr {
        self.path.as_os_str()
    }
}
