//! A JSON source whose iterator selects the elements of one array (and an XML source with a
//! plain element path) is read element by element: the memory a run holds stays far below
//! the size of the file.
//!
//! Measured with a counting global allocator (this test binary only): the peak of live
//! heap bytes during `execute` over generated files (JSON about 17 MB, XML about 6 MB, and a
//! logical view with an iterable field over a JSON file of about 12 MB).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use factgraph_rml::{self as rml, ParseOptions, SinkError};
use oxrdf::QuadRef;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counters are global: the tests of this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_big_json_array_is_streamed_with_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("people.json");
    {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&data).expect("create"));
        write!(out, "{{\"meta\": {{\"n\": 200000}}, \"people\": [").expect("write");
        for i in 0..200_000 {
            if i > 0 {
                writeln!(out, ",").expect("write");
            }
            write!(
                out,
                "{{\"id\": {i}, \"name\": \"person number {i}\", \"tags\": [\"a\", \"b\"], \"score\": {i}.5}}"
            )
            .expect("write");
        }
        write!(out, "]}}").expect("write");
    }
    let size = std::fs::metadata(&data).expect("metadata").len() as usize;
    let mapping = dir.path().join("mapping.ttl");
    std::fs::write(
        &mapping,
        r#"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
        ex:TM a rml:TriplesMap;
          rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator "$.people[*]";
            rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "people.json" ] ];
          rml:subjectMap [ rml:template "http://example.com/p/{$.id}" ];
          rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference "$.name" ] ];
          rml:predicateObjectMap [ rml:predicate ex:tag; rml:objectMap [ rml:reference "$.tags[*]" ] ];
          rml:predicateObjectMap [ rml:predicate ex:score; rml:objectMap [ rml:reference "$.score" ] ] ."#,
    )
    .expect("write mapping");
    let m = rml::parse_mapping_file(&mapping, &ParseOptions::default()).expect("mapping");
    let mut quads = 0u64;
    let mut sink = |_q: QuadRef<'_>| -> Result<(), SinkError> {
        quads += 1;
        Ok(())
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let stats = rml::execute(&m, &mut sink).expect("execute");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(stats.rows, 200_000);
    assert_eq!(quads, 800_000);
    eprintln!("file {size} bytes, peak heap during execute {peak} bytes");
    assert!(size > 15_000_000, "the file is {size} bytes");
    assert!(
        peak < 2_000_000,
        "peak heap {peak} bytes for a {size}-byte file: the array was not streamed"
    );
}

#[test]
fn a_big_xml_file_is_streamed_with_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("people.xml");
    {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&data).expect("create"));
        writeln!(
            out,
            "<?xml version=\"1.0\"?>\n<people xmlns:x=\"http://x.example/\">"
        )
        .expect("write");
        for i in 0..60_000 {
            writeln!(
                out,
                "  <person id=\"{i}\"><name>person number {i}</name><x:tag>a</x:tag><x:tag>b</x:tag></person>"
            )
            .expect("write");
        }
        writeln!(out, "</people>").expect("write");
    }
    let size = std::fs::metadata(&data).expect("metadata").len() as usize;
    let mapping = dir.path().join("mapping.ttl");
    std::fs::write(
        &mapping,
        r#"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
        ex:TM a rml:TriplesMap;
          rml:logicalSource [ rml:referenceFormulation [ a rml:XPathReferenceFormulation;
              rml:namespace [ rml:namespacePrefix "x"; rml:namespaceURL "http://x.example/" ] ];
            rml:iterator "/people/person";
            rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "people.xml" ] ];
          rml:subjectMap [ rml:template "http://example.com/p/{@id}" ];
          rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference "name" ] ];
          rml:predicateObjectMap [ rml:predicate ex:tag; rml:objectMap [ rml:reference "x:tag" ] ] ."#,
    )
    .expect("write mapping");
    let m = rml::parse_mapping_file(&mapping, &ParseOptions::default()).expect("mapping");
    let mut quads = 0u64;
    let mut sink = |_q: QuadRef<'_>| -> Result<(), SinkError> {
        quads += 1;
        Ok(())
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let stats = rml::execute(&m, &mut sink).expect("execute");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(stats.rows, 60_000);
    assert_eq!(quads, 180_000);
    eprintln!("file {size} bytes, peak heap during execute {peak} bytes");
    assert!(size > 5_000_000, "the file is {size} bytes");
    assert!(
        peak < 2_000_000,
        "peak heap {peak} bytes for a {size}-byte file: the elements were not streamed"
    );
}

#[test]
fn a_logical_view_over_a_big_json_array_is_streamed_with_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("people.json");
    {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&data).expect("create"));
        write!(out, "{{\"people\": [").expect("write");
        for i in 0..100_000 {
            if i > 0 {
                writeln!(out, ",").expect("write");
            }
            write!(
                out,
                "{{\"id\": {i}, \"name\": \"person number {i}\", \"items\": [{{\"type\": \"a\", \"weight\": {i}}}, {{\"type\": \"b\", \"weight\": 1}}]}}"
            )
            .expect("write");
        }
        write!(out, "]}}").expect("write");
    }
    let size = std::fs::metadata(&data).expect("metadata").len() as usize;
    let mapping = dir.path().join("mapping.ttl");
    std::fs::write(
        &mapping,
        r#"@prefix rml: <http://w3id.org/rml/> . @prefix ex: <http://example.com/> .
        ex:Source a rml:LogicalSource; rml:referenceFormulation rml:JSONPath; rml:iterator "$.people[*]";
          rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "people.json" ] .
        ex:View a rml:LogicalView; rml:viewOn ex:Source;
          rml:field [ rml:fieldName "id"; rml:reference "$.id" ];
          rml:field [ a rml:IterableField; rml:fieldName "item"; rml:iterator "$.items[*]";
            rml:field [ rml:fieldName "type"; rml:reference "$.type" ];
            rml:field [ rml:fieldName "weight"; rml:reference "$.weight" ] ] .
        ex:TM a rml:TriplesMap; rml:logicalSource ex:View;
          rml:subjectMap [ rml:template "http://example.com/p/{id}/item/{item.#}" ];
          rml:predicateObjectMap [ rml:predicate ex:type; rml:objectMap [ rml:reference "item.type" ] ];
          rml:predicateObjectMap [ rml:predicate ex:weight; rml:objectMap [ rml:reference "item.weight" ] ] ."#,
    )
    .expect("write mapping");
    let m = rml::parse_mapping_file(&mapping, &ParseOptions::default()).expect("mapping");
    let mut quads = 0u64;
    let mut sink = |_q: QuadRef<'_>| -> Result<(), SinkError> {
        quads += 1;
        Ok(())
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let stats = rml::execute(&m, &mut sink).expect("execute");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(stats.rows, 200_000);
    assert_eq!(quads, 400_000);
    eprintln!("file {size} bytes, peak heap during execute {peak} bytes");
    assert!(size > 10_000_000, "the file is {size} bytes");
    assert!(
        peak < 2_000_000,
        "peak heap {peak} bytes for a {size}-byte file: the view's source was not streamed"
    );
}
