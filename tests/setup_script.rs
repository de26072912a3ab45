//! `scripts/setup.sh` looks for the libclang that bindgen loads (needed to build RocksDB's
//! bindings), not for anything whose name starts with "libclang": Debian ships
//! `libclang-cpp.so.N` on machines that lack libclang itself.

use std::path::Path;
use std::process::Command;

/// `scripts/setup.sh --detect-libclang DIR`: (exit code, stdout).
fn detect(dir: &Path) -> (i32, String) {
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup.sh"))
        .arg("--detect-libclang")
        .arg(dir)
        .env_remove("LIBCLANG_PATH")
        .output()
        .expect("bash runs");
    (
        out.status.code().expect("exits"),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

fn dir_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::write(dir.path().join(f), b"").unwrap();
    }
    dir
}

#[test]
fn libclang_cpp_alone_is_missing() {
    let dir = dir_with(&["libclang-cpp.so.14", "libclang-cpp.so", "libclang_rt.a"]);
    assert_eq!(detect(dir.path()), (1, "missing".to_owned()));
}

#[test]
fn the_names_bindgen_loads_are_found() {
    for name in [
        "libclang.so",
        "libclang.so.1",
        "libclang-14.so",
        "libclang-14.so.1",
        "libclang.so.14.0.6",
    ] {
        let dir = dir_with(&["libclang-cpp.so.14", name]);
        let (code, out) = detect(dir.path());
        assert_eq!(code, 0, "{name}: {out}");
        assert!(
            out.starts_with("found: ") && out.ends_with(name),
            "{name}: {out}"
        );
    }
}

#[test]
fn an_empty_or_absent_directory_is_missing() {
    let dir = dir_with(&[]);
    assert_eq!(detect(dir.path()), (1, "missing".to_owned()));
    assert_eq!(
        detect(&dir.path().join("nowhere")),
        (1, "missing".to_owned())
    );
}
