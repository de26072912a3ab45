//! `factgraph map --partition K/N` and `scripts/spark-map`: the shares of a run together are
//! exactly the graph of one `map` (sorted distinct N-Quads lines), on the synthetic data of
//! `examples/synth.rs` (joins, quoted fields) and on a directory with quoted line breaks and a
//! JSON source; errors of a share name lines of the whole file.

#[macro_use]
mod common;

#[path = "../examples/synth.rs"]
#[allow(dead_code)]
mod synth;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::factgraph;

/// The sorted distinct lines of the files.
fn lines_of(files: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        out.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    }
    out
}

/// How many lines the files hold together (duplicates counted).
fn count_lines(files: &[PathBuf]) -> usize {
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
        .sum()
}

/// `factgraph map DIR --format nquads` (plus `extra`) into `out`.
fn map(dir: &Path, out: &Path, extra: &[&str]) {
    factgraph()
        .arg("map")
        .arg(dir)
        .args(["--format", "nquads", "-o"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// The union of `map --partition k/n` for every k equals `map`.
fn shares_equal_whole(dir: &Path, n: u64) -> usize {
    let work = tempfile::tempdir().unwrap();
    let whole = work.path().join("whole.nq");
    map(dir, &whole, &[]);
    let mut parts = Vec::new();
    for k in 0..n {
        let part = work.path().join(format!("part-{k}.nq"));
        map(dir, &part, &["--partition", &format!("{k}/{n}")]);
        assert!(
            std::fs::metadata(&part).unwrap().len() > 0,
            "share {k}/{n} is empty"
        );
        parts.push(part);
    }
    // Each record is mapped by exactly one share: even duplicate quads come as often.
    assert_eq!(
        count_lines(&parts),
        count_lines(std::slice::from_ref(&whole))
    );
    let whole = lines_of(&[whole]);
    let union = lines_of(&parts);
    assert_eq!(union.len(), whole.len(), "{n} shares of {}", dir.display());
    assert!(union == whole, "{n} shares of {}", dir.display());
    whole.len()
}

#[test]
fn the_shares_of_synthetic_data_give_the_graph_of_map() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), 5_000, 7).unwrap();
    let quads = shares_equal_whole(dir.path(), 4);
    assert!(quads > 50_000, "{quads}");
}

/// people.csv (quoted line breaks, a join to orgs.csv) and events.json (a JSON array, a
/// join to people.csv).
fn mixed_dir(dir: &Path, people: usize) {
    let mut csv = String::from("id,name,bio,org\n");
    for i in 0..people {
        let bio = if i % 3 == 0 {
            format!("\"born in\n{i},\r\n\"\"quoted\"\"\nend\"")
        } else {
            format!("plain {i}")
        };
        writeln!(csv, "p{i},http://example.com/name/{i},{bio},o{}", i % 9).unwrap();
    }
    let mut orgs = String::from("id,name\n");
    for o in 0..7 {
        writeln!(orgs, "o{o},\"Org, {o}\"").unwrap();
    }
    let mut json = String::from("{\"events\": [\n");
    for e in 0..people / 2 {
        if e > 0 {
            json.push_str(",\n");
        }
        write!(
            json,
            "  {{\"id\": {e}, \"tags\": [\"a{e}\", \"b]{e}\"], \"who\": \"p{}\"}}",
            e * 2
        )
        .unwrap();
    }
    json.push_str("\n]}\n");
    std::fs::write(dir.join("people.csv"), csv).unwrap();
    std::fs::write(dir.join("orgs.csv"), orgs).unwrap();
    std::fs::write(dir.join("events.json"), json).unwrap();
    let source = |file: &str| {
        format!("rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"{file}\" ] ]")
    };
    let mapping = format!(
        "@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
ex:People a rml:TriplesMap; {};
  rml:subjectMap [ rml:template \"http://example.com/person/{{id}}\"; rml:class ex:Person ];
  rml:predicateObjectMap [ rml:predicate ex:home; rml:objectMap [ rml:reference \"name\"; rml:termType rml:IRI ] ];
  rml:predicateObjectMap [ rml:predicate ex:bio; rml:objectMap [ rml:reference \"bio\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:worksFor; rml:objectMap [
      rml:parentTriplesMap ex:Orgs; rml:joinCondition [ rml:child \"org\"; rml:parent \"id\" ] ] ] .
ex:Orgs a rml:TriplesMap; {};
  rml:subjectMap [ rml:template \"http://example.com/org/{{id}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ] .
ex:Events a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$.events[*]\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"events.json\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/event/{{$.id}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:tag; rml:objectMap [ rml:reference \"$.tags[*]\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:by; rml:objectMap [
      rml:parentTriplesMap ex:People; rml:joinCondition [ rml:child \"$.who\"; rml:parent \"id\" ] ] ];
  rml:predicateObjectMap [ rml:predicate ex:detail; rml:objectMap [ rml:termType rml:BlankNode ] ] .
",
        source("people.csv"),
        source("orgs.csv")
    );
    std::fs::write(dir.join("mapping.rml.ttl"), mapping).unwrap();
}

#[test]
fn quoted_line_breaks_and_json_split_into_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    mixed_dir(dir.path(), 2_000);
    let work = tempfile::tempdir().unwrap();
    let whole = work.path().join("whole.nq");
    map(dir.path(), &whole, &[]);
    let text = std::fs::read_to_string(&whole).unwrap();
    // What the comparison must cover: line breaks kept in literals, the join, JSON records
    // and their fresh blank nodes.
    assert!(text.contains("born in\\n"), "quoted line breaks mapped");
    assert!(text.contains("<http://example.com/worksFor>"));
    assert!(text.contains("<http://example.com/by>"));
    assert!(text.contains("<http://example.com/detail> _:"));
    for n in [2, 4, 5] {
        shares_equal_whole(dir.path(), n);
    }
}

#[test]
fn an_error_in_share_2_names_the_line_of_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    mixed_dir(dir.path(), 1_000);
    // One name that makes no absolute IRI, in the middle of the third quarter of the bytes.
    let path = dir.path().join("people.csv");
    let people = std::fs::read_to_string(&path).unwrap();
    let target = people.len() * 5 / 8;
    let mut at = 0;
    let mut id = None;
    for l in people.split_inclusive('\n') {
        if at >= target && l.starts_with('p') {
            id = l.split(',').next().map(str::to_owned);
            break;
        }
        at += l.len();
    }
    let id = id.unwrap();
    let people = people.replacen(
        &format!("{id},http://example.com/name/"),
        &format!("{id},not an iri "),
        1,
    );
    std::fs::write(&path, &people).unwrap();
    let line = 1 + people
        .lines()
        .position(|l| l.starts_with(&format!("{id},")))
        .unwrap();
    assert!(
        line > 1_000,
        "quoted line breaks put row {id} on line {line}"
    );
    let expected = format!("people.csv:{line}:");
    for k in 0..4 {
        let out = tempfile::NamedTempFile::new().unwrap();
        let run = factgraph()
            .args(["map", "--partition", &format!("{k}/4"), "-o"])
            .arg(out.path())
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        if k == 2 {
            assert_eq!(run.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains(&expected), "{expected} in {stderr}");
        } else {
            assert!(run.status.success(), "share {k}: {stderr}");
        }
    }
}

#[test]
fn shares_that_do_not_exist_are_refused() {
    for (arg, says) in [
        ("4/4", "from 0 to 3"),
        ("1/0", "0 shares"),
        ("one/4", "expected K/N"),
    ] {
        let run = factgraph()
            .args(["map", "data", "--partition", arg])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{arg}");
        assert!(stderr.contains(says), "{arg}: {stderr}");
    }
}

/// The python with PySpark (the project venv's, else python3) and a Java runtime, or why not.
fn spark_python() -> Result<PathBuf, String> {
    let venv = std::env::var_os("FACTGRAPH_VENV").map_or_else(
        || {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/factgraph/venv")
        },
        PathBuf::from,
    );
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err("no Java runtime (java -version)".into());
    }
    for python in [venv.join("bin/python"), PathBuf::from("python3")] {
        let ok = Command::new(&python)
            .args(["-c", "import pyspark"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(python);
        }
    }
    Err(format!(
        "PySpark is not installed (in {} or python3); scripts/setup.sh --test installs it",
        venv.display()
    ))
}

#[test]
fn spark_map_gives_the_graph_of_map() {
    let python = match spark_python() {
        Ok(p) => p,
        Err(why) => {
            skip_notice!("SKIPPED spark_map_gives_the_graph_of_map: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    synth::generate(dir.path(), 20_000, 11).unwrap();
    let work = tempfile::tempdir().unwrap();
    let whole = work.path().join("whole.nq");
    map(dir.path(), &whole, &[]);
    let out = work.path().join("out");
    let run = Command::new(python)
        .arg(common::root().join("scripts/spark-map"))
        .args(["--master", "local[2]", "--partitions", "4", "--out"])
        .arg(&out)
        .arg("--factgraph")
        .arg(env!("CARGO_BIN_EXE_factgraph"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("spark-map: 4 shares on local[2]"),
        "{stderr}"
    );
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("part-") && name.ends_with(".nq")
        })
        .collect();
    parts.sort();
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert_eq!(
        count_lines(&parts),
        count_lines(std::slice::from_ref(&whole))
    );
    let whole = lines_of(&[whole]);
    let union = lines_of(&parts);
    assert!(whole.len() > 200_000, "{}", whole.len());
    assert_eq!(union.len(), whole.len());
    assert!(union == whole, "the parts differ from map's graph");
    // Every share did part of the work.
    for p in &parts {
        let quads = lines_of(std::slice::from_ref(p)).len();
        assert!(quads > 0 && quads < whole.len(), "{}: {quads}", p.display());
    }
}
