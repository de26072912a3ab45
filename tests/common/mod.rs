//! Helpers shared by the integration tests.
#![allow(dead_code, unused_macros)]

/// Says a check was skipped, straight to stderr so that test capture does not hide it.
macro_rules! skip_notice {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod postgres;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The factgraph binary, run from the project root, with no store from the environment.
pub fn factgraph() -> Command {
    let mut c = Command::cargo_bin("factgraph").expect("the factgraph binary is built");
    c.current_dir(root()).env_remove("FACTGRAPH_STORE");
    c
}

/// A store loaded once from the bundled data/, shared by the tests of one binary.
pub fn bundled_store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.db");
        factgraph()
            .args(["load", "data", "--quiet", "--store"])
            .arg(&path)
            .assert()
            .success();
        (dir, path)
    });
    path
}

/// Loads `dir` into the store at `store` with `factgraph load --quiet`, expecting success.
pub fn load_quietly(store: &Path, dir: &Path) {
    factgraph()
        .args(["load", "--quiet", "--store"])
        .arg(store)
        .arg(dir)
        .assert()
        .success();
}

/// Runs a query on `store` and returns stdout (CSV unless `format` says otherwise).
pub fn query(store: &Path, q: &str, format: &str) -> String {
    let out = factgraph()
        .args(["query", q, "--format", format, "--store"])
        .arg(store)
        .output()
        .expect("factgraph runs");
    assert!(
        out.status.success(),
        "query failed: {}\n{q}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Copies a directory (flat) into a new temporary directory.
pub fn copy_dir(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_into(from, dir.path());
    dir
}

fn copy_into(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("readable dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_into(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}
