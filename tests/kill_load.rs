//! Loads that never lose data. A `factgraph load` of a large generated dataset is killed
//! (SIGKILL) at several moments; after each kill the store must hold either the old graph or
//! the whole new one, never a part. Readers running during a load get the old graph or the
//! new one (or a clear message), never a crash.
//!
//! The moments are events seen on disk (the new generation directory appears, RocksDB writes
//! its first table file, the generation grows past a size, `active` switches), not delays,
//! so the test asserts nothing about time.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{factgraph, load_quietly, root};

const ROWS: usize = 300_000;

const MAPPING: &str = r#"@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Things a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
    rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "things.csv" ] ] ;
  rml:subjectMap [ rml:template "http://example.com/thing/{id}" ; rml:class ex:Thing ] ;
  rml:predicateObjectMap
    [ rml:predicate ex:name ; rml:objectMap [ rml:reference "name" ] ] ,
    [ rml:predicate ex:value ; rml:objectMap [ rml:reference "value" ; rml:datatype xsd:integer ] ] .
"#;

/// Writes the large dataset: ROWS things, three triples each.
fn generate(dir: &Path) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("things.csv")).unwrap());
    writeln!(w, "id,name,value").unwrap();
    for i in 0..ROWS {
        writeln!(w, "t{i},Thing number {i},{i}").unwrap();
    }
    w.flush().unwrap();
    std::fs::write(dir.join("things.rml.ttl"), MAPPING).unwrap();
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("factgraph")
}

/// Triples in the store (all graphs), or the reader's error message.
fn count(store: &Path) -> Result<u64, String> {
    let out = factgraph()
        .args([
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "--format",
            "csv",
            "--store",
        ])
        .arg(store)
        .output()
        .expect("factgraph runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.code().is_some(),
        "the reader died of a signal: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "the reader panicked: {stderr}"
    );
    if !out.status.success() {
        return Err(stderr);
    }
    let text = String::from_utf8(out.stdout).unwrap();
    Ok(text
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("a count"))
}

fn generations(store: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(store)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("gen-"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn active(store: &Path) -> Option<PathBuf> {
    std::fs::read_link(store.join("active")).ok()
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn has_table_file(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().ends_with(".sst"))
        })
        .unwrap_or(false)
}

fn start_load(data: &Path, store: &Path) -> Child {
    Command::new(binary())
        .args(["load", "--quiet", "--store"])
        .arg(store)
        .arg(data)
        .env_remove("FACTGRAPH_STORE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("factgraph starts")
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    /// Right after the process starts (checking and mapping the input).
    AtStart,
    /// The new generation directory has appeared.
    GenerationCreated,
    /// RocksDB has written a table file into the new generation.
    FirstTableFile,
    /// The new generation holds more than 16 MB.
    Grown,
    /// `active` points at the new generation (the load is done but for the clean-up).
    Switched,
}

/// Waits (polling the store directory) until `moment` or the end of the load; true when the
/// moment was reached while the load was still running.
fn wait_for(moment: Moment, child: &mut Child, store: &Path, old_active: &Option<PathBuf>) -> bool {
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        let new_gen = || {
            generations(store)
                .into_iter()
                .map(PathBuf::from)
                .find(|g| Some(g) != old_active.as_ref())
                .map(|g| store.join(g))
        };
        let reached = match moment {
            Moment::AtStart => true,
            Moment::GenerationCreated => new_gen().is_some(),
            Moment::FirstTableFile => new_gen().is_some_and(|g| has_table_file(&g)),
            Moment::Grown => new_gen().is_some_and(|g| dir_size(&g) > 16 << 20),
            Moment::Switched => active(store) != *old_active,
        };
        if reached {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn sigkill_at_any_moment_leaves_the_old_graph_or_the_whole_new_one() {
    let data = tempfile::tempdir().unwrap();
    generate(data.path());
    let work = tempfile::tempdir().unwrap();

    // The whole new graph, for reference.
    let reference = work.path().join("reference.db");
    load_quietly(&reference, data.path());
    let new = count(&reference).unwrap();
    assert!(new > 3 * ROWS as u64, "the new graph has {new} triples");

    // The old graph.
    let store = work.path().join("store.db");
    load_quietly(&store, &root().join("tests/fixtures/small"));
    let old = count(&store).unwrap();
    assert!(old < 1000);

    let mut report = Vec::new();
    for moment in [
        Moment::AtStart,
        Moment::GenerationCreated,
        Moment::FirstTableFile,
        Moment::Grown,
        Moment::Switched,
    ] {
        let before = active(&store);
        let expected_before = count(&store).unwrap();
        let mut child = start_load(data.path(), &store);
        let mid_load = wait_for(moment, &mut child, &store, &before);
        child.kill().ok();
        let status = child.wait().unwrap();
        let now = count(&store).unwrap_or_else(|e| panic!("after a kill at {moment:?}: {e}"));
        assert!(
            now == expected_before || now == new,
            "after a kill at {moment:?} the store holds {now} triples: neither the old graph ({expected_before}) nor the new one ({new})"
        );
        report.push(format!(
            "{moment:?}: {} → {}",
            if mid_load {
                "killed mid-load"
            } else {
                "load had already finished"
            },
            if now == new { "new graph" } else { "old graph" }
        ));
        let _ = status;
        // Put the old graph back for the next moment when the load got through.
        if now == new {
            load_quietly(&store, &root().join("tests/fixtures/small"));
            assert_eq!(count(&store).unwrap(), old);
        }
    }
    eprintln!("kill moments:\n  {}", report.join("\n  "));
    assert!(
        report.iter().filter(|r| r.contains("mid-load")).count() >= 3,
        "at least three kills landed during the load: {report:?}"
    );

    // A complete load afterwards gives the whole new graph and clears the leftovers.
    load_quietly(&store, data.path());
    assert_eq!(count(&store).unwrap(), new);
    assert_eq!(generations(&store).len(), 1, "{:?}", generations(&store));
}

#[test]
fn readers_during_a_load_see_the_old_or_the_new_graph() {
    let data = tempfile::tempdir().unwrap();
    generate(data.path());
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("store.db");
    load_quietly(&store, &root().join("tests/fixtures/small"));
    let old = count(&store).unwrap();

    let mut child = start_load(data.path(), &store);
    let mut seen_old = 0;
    let mut seen_new = 0;
    let mut new = None;
    // Bounded: at most 500 reads, and none after the load ends.
    for _ in 0..500 {
        let running = child.try_wait().unwrap().is_none();
        match count(&store) {
            Ok(n) if n == old => seen_old += 1,
            Ok(n) => {
                assert!(new.is_none_or(|m| m == n), "two different new graphs");
                new = Some(n);
                seen_new += 1;
            }
            Err(message) => panic!("a reader failed during the load: {message}"),
        }
        if !running {
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "the load succeeds with readers around");
    let final_count = count(&store).unwrap();
    assert!(final_count > 3 * ROWS as u64);
    assert!(
        new.is_none_or(|n| n == final_count),
        "readers saw only whole graphs"
    );
    eprintln!("reads during the load: {seen_old} saw the old graph, {seen_new} the new one");
    assert!(seen_old > 0, "at least one read happened during the load");
}

#[test]
fn first_load_killed_leaves_no_store_and_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    generate(data.path());
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("store.db");
    let mut child = start_load(data.path(), &store);
    let reached = wait_for(Moment::FirstTableFile, &mut child, &store, &None);
    child.kill().ok();
    child.wait().unwrap();
    if reached {
        let e = count(&store).unwrap_err();
        assert!(
            e.contains("no factgraph store at") && e.contains("factgraph load"),
            "{e}"
        );
    }
    // The next load works and clears the leftover generation.
    load_quietly(&store, &root().join("tests/fixtures/small"));
    assert!(count(&store).unwrap() > 0);
    assert_eq!(generations(&store).len(), 1);
}

/// Reads what a finished child wrote to its (piped) stderr.
fn stderr_of(child: &mut Child) -> String {
    use std::io::Read;
    let mut text = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut text).unwrap();
    }
    text
}

#[test]
fn a_load_started_during_another_waits_for_it_and_its_graph_stays() {
    let data = tempfile::tempdir().unwrap();
    generate(data.path());
    let small = root().join("tests/fixtures/small");
    let work = tempfile::tempdir().unwrap();
    // The expected graph of the second load, alone.
    let reference = work.path().join("reference.db");
    load_quietly(&reference, &small);
    let small_count = count(&reference).unwrap();

    let store = work.path().join("store.db");
    let mut first = start_load(data.path(), &store);
    let pid = first.id().to_string();
    // The first load holds the store once its pid is in load.lock (or, at the latest, once it
    // builds its generation).
    loop {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first load ended before the second could start: {}",
            stderr_of(&mut first)
        );
        let holds = std::fs::read_to_string(store.join("load.lock")).is_ok_and(|t| t.trim() == pid);
        if holds || !generations(&store).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let mut second = start_load(&small, &store);
    // Which ends first.
    let mut ended = Vec::new();
    let mut statuses = [None, None];
    while ended.len() < 2 {
        for (i, child) in [&mut first, &mut second].into_iter().enumerate() {
            if statuses[i].is_none() {
                if let Some(s) = child.try_wait().unwrap() {
                    statuses[i] = Some(s);
                    ended.push(i);
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (first_err, second_err) = (stderr_of(&mut first), stderr_of(&mut second));
    assert!(
        statuses[0].unwrap().success(),
        "the first load failed: {first_err}"
    );
    assert!(
        statuses[1].unwrap().success(),
        "the second load failed: {second_err}"
    );
    assert!(
        second_err.contains(&format!("waiting for the load started by pid {pid}")),
        "the second load did not say it waits: {second_err}"
    );
    assert!(
        second_err.contains("has ended; loading now") && second_err.contains("replace"),
        "the second load did not say it replaces the first one's graph: {second_err}"
    );
    assert_eq!(ended, [0, 1], "the second load ended before the first");
    // The graph active at the end is the second load's, the last to finish; the first's
    // generation was replaced, not left behind.
    assert_eq!(count(&store).unwrap(), small_count);
    assert_eq!(generations(&store).len(), 1, "{:?}", generations(&store));

    // With --no-wait a load refuses at once, naming the running one, and changes nothing.
    let mut running = start_load(data.path(), &store);
    let pid = running.id().to_string();
    while !std::fs::read_to_string(store.join("load.lock")).is_ok_and(|t| t.trim() == pid) {
        assert!(
            running.try_wait().unwrap().is_none(),
            "the load ended too soon"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let out = factgraph()
        .args(["load", "--no-wait", "--store"])
        .arg(&store)
        .arg(&small)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("another load (pid {pid}) is running")),
        "{err}"
    );
    running.kill().ok();
    running.wait().unwrap();
    assert_eq!(count(&store).unwrap(), small_count);
}
