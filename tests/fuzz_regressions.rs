//! Inputs the fuzzers (`fuzz/`) found, replayed through the same entry points: each once made
//! a target fail, and must not any more. `tests/fixtures/fuzz/<target>/` holds them.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        eprintln!("{target}: {}", path.display());
        run(&data);
        n += 1;
    }
    n
}

#[test]
fn csv_rml_regressions() {
    assert!(replay("csv_rml", factgraph::fuzzing::csv_rml) >= 1);
}

#[test]
fn mapping_parse_regressions() {
    replay("mapping_parse", factgraph::fuzzing::mapping_parse);
}

#[test]
fn awkward_but_valid_csv_reads_like_the_csv_crate() {
    for text in [
        &b"\xEF\xBB\xBFid,name\r\n1,\"two\r\nlines\"\r\n\r\n2,\"a \"\"quote\"\"\"\r\n"[..],
        b"id,name\n1,with space\n2,\xC3\xA9t\xC3\xA9\n",
        b"id\r1\r2",
    ] {
        factgraph::fuzzing::csv_agrees_with_scanner(text);
    }
}
