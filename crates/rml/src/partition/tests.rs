//! Shares: parsing `K/N`, the CSV record scan, and that the shares of a run together give
//! exactly the quads of the whole run.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::*;
use crate::tests::PREFIXES;
use crate::{execute, execute_parallel, parse_mapping_file, ParseOptions};

#[test]
fn shares_are_written_k_slash_n_from_zero() {
    assert_eq!("0/4".parse::<Share>(), Share::new(0, 4));
    assert_eq!(
        "3/4".parse::<Share>().map(|s| (s.index(), s.count())),
        Ok((3, 4))
    );
    assert_eq!(
        "4/4".parse::<Share>(),
        Err(ShareError::OutOfRange { index: 4, count: 4 })
    );
    assert_eq!("0/0".parse::<Share>(), Err(ShareError::NoShares));
    for bad in ["", "1", "1/", "/4", "-1/4", "a/b", "1/4/2", "1.0/4"] {
        assert!(
            matches!(bad.parse::<Share>(), Err(ShareError::Syntax(_))),
            "{bad:?}"
        );
    }
    let err = "4/4".parse::<Share>().unwrap_err().to_string();
    assert!(err.contains("from 0 to 3"), "{err}");
}

#[test]
fn byte_ranges_cover_the_file_once() {
    for n in 1..9u64 {
        for len in [0u64, 1, 7, 100, 1 << 40] {
            let mut next = 0;
            for k in 0..n {
                let (a, b) = Share::new(k, n).unwrap().byte_range(len);
                assert_eq!(a, next);
                assert!(b >= a);
                next = b;
            }
            assert_eq!(next, len);
        }
    }
}

/// Reads the records of `share` as the fast path does: header, seek, count.
fn share_records(path: &Path, share: Share) -> Vec<Vec<String>> {
    let found = csv_share(path, share, b',').unwrap();
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut at = csv::Position::new();
    at.set_byte(found.start)
        .set_line(found.line)
        .set_record(found.record);
    reader.seek(at).unwrap();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    for _ in 0..found.records {
        assert!(reader.read_record(&mut record).unwrap());
        out.push(record.iter().map(str::to_owned).collect());
    }
    out
}

#[test]
fn csv_shares_split_at_record_boundaries_even_in_quoted_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    // Quoted fields with line breaks, commas, doubled quotes, a CR LF file with blank lines,
    // quotes in the middle of unquoted fields, a last record without a line break.
    let mut text = String::from("id,text\r\n");
    for i in 0..200 {
        match i % 5 {
            0 => write!(text, "{i},\"line one\nline two, \"\"quoted\"\"\n\"\r\n").unwrap(),
            1 => write!(text, "{i},plain\r\n\r\n").unwrap(),
            2 => write!(text, "{i},a\"b\r\n").unwrap(),
            3 => write!(text, "\"{i}\",\"\r\n{i},fake,record\r\n\"\n").unwrap(),
            _ => writeln!(text, "{i},\"\"").unwrap(),
        }
    }
    text.push_str("200,end");
    fs::write(&path, &text).unwrap();
    let mut whole = Vec::new();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        whole.push(r.iter().map(str::to_owned).collect::<Vec<_>>());
    }
    assert_eq!(whole.len(), 201);
    for n in [1, 2, 3, 4, 7, 50, 400] {
        let mut union = Vec::new();
        for k in 0..n {
            union.extend(share_records(&path, Share::new(k, n).unwrap()));
        }
        assert_eq!(union, whole, "{n} shares");
    }
}

const SOURCES: &str = "
ex:People a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"people.csv\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/person/{id}\"; rml:class foaf:Person ];
  rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:bio; rml:objectMap [ rml:reference \"bio\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:worksFor; rml:objectMap [
      rml:parentTriplesMap ex:Orgs; rml:joinCondition [ rml:child \"org\"; rml:parent \"id\" ] ] ] .
ex:Orgs a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"orgs.csv\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/org/{id}\" ];
  rml:predicateObjectMap [ rml:predicate foaf:name; rml:objectMap [ rml:reference \"name\" ] ] .
ex:Events a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:JSONPath; rml:iterator \"$.events[*]\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"events.json\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/event/{$.id}\" ];
  rml:predicateObjectMap [ rml:predicate ex:tag; rml:objectMap [ rml:reference \"$.tags[*]\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:by; rml:objectMap [
      rml:parentTriplesMap ex:People; rml:joinCondition [ rml:child \"$.who\"; rml:parent \"id\" ] ] ];
  rml:predicateObjectMap [ rml:predicate ex:detail; rml:objectMap [ rml:termType rml:BlankNode ] ] .
ex:Places a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:XPath; rml:iterator \"/places/place\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"places.xml\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/place/{@id}\" ];
  rml:predicateObjectMap [ rml:predicate ex:name; rml:objectMap [ rml:reference \"name\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:mayor; rml:objectMap [
      rml:parentTriplesMap ex:People; rml:joinCondition [ rml:child \"mayor\"; rml:parent \"id\" ] ] ] .
ex:AllNames a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:XPath; rml:iterator \"//name\"; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"places.xml\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/name/{.}\" ];
  rml:predicateObjectMap [ rml:predicate ex:seen; rml:objectMap [ rml:termType rml:BlankNode ] ] .
";

/// A data directory: people.csv (quoted line breaks, a join to orgs.csv), events.json (an
/// array streamed element by element, a join to people, a fresh blank node per event).
fn data(dir: &Path, people: usize) {
    let mut csv = String::from("id,name,bio,org\n");
    let mut orgs = String::from("id,name\n");
    for o in 0..7 {
        writeln!(orgs, "o{o},\"Org, {o}\"").unwrap();
    }
    for i in 0..people {
        let bio = if i % 3 == 0 {
            format!("\"born in\n{i}, \"\"quoted\"\"\r\nend\"")
        } else {
            format!("plain {i}")
        };
        writeln!(csv, "p{i},Name {i},{bio},o{}", i % 9).unwrap();
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
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<places>\n");
    for p in 0..people / 3 {
        writeln!(
            xml,
            "  <place id=\"{p}\"><name>Place &amp; {p}</name><mayor>p{}</mayor></place>",
            p * 3
        )
        .unwrap();
    }
    xml.push_str("</places>\n");
    fs::write(dir.join("places.xml"), xml).unwrap();
    fs::write(dir.join("people.csv"), csv).unwrap();
    fs::write(dir.join("orgs.csv"), orgs).unwrap();
    fs::write(dir.join("events.json"), json).unwrap();
    fs::write(dir.join("mapping.rml.ttl"), format!("{PREFIXES}{SOURCES}")).unwrap();
}

fn mapping(dir: &Path, share: Option<Share>) -> Mapping {
    let mut m = parse_mapping_file(&dir.join("mapping.rml.ttl"), &ParseOptions::default()).unwrap();
    m.share = share;
    m
}

fn lines(quads: &[oxrdf::Quad]) -> Vec<String> {
    let mut l: Vec<String> = quads.iter().map(|q| format!("{q} .")).collect();
    l.sort();
    l.dedup();
    l
}

/// Every quad as a line, sorted, duplicates kept.
fn all_lines(quads: &[oxrdf::Quad]) -> Vec<String> {
    let mut l: Vec<String> = quads.iter().map(|q| format!("{q} .")).collect();
    l.sort();
    l
}

fn parallel(m: &Mapping) -> (Vec<oxrdf::Quad>, u64) {
    let mut all = Vec::new();
    let stats = execute_parallel(
        m,
        3,
        Vec::new,
        |c: &mut Vec<oxrdf::Quad>, q| {
            c.push(q.into_owned());
            Ok(())
        },
        |c| {
            all.extend(c);
            Ok(())
        },
    )
    .unwrap();
    (all, stats.rows)
}

#[test]
fn the_shares_of_a_run_give_the_whole_graph() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), 3000);
    let mut whole = Vec::new();
    let stats = execute(&mapping(dir.path(), None), &mut whole).unwrap();
    let every = all_lines(&whole);
    let whole = lines(&whole);
    assert!(whole.iter().any(|l| l.contains("_:f")), "fresh blank nodes");
    assert!(whole.iter().any(|l| l.contains("worksFor")));
    assert!(whole.iter().any(|l| l.contains("<http://example.com/by>")));
    assert!(whole
        .iter()
        .any(|l| l.contains("<http://example.com/mayor>")));
    assert!(whole
        .iter()
        .any(|l| l.contains("<http://example.com/seen> _:f")));
    // The same labels run after run: a whole run is reproducible.
    let mut again = Vec::new();
    execute(&mapping(dir.path(), None), &mut again).unwrap();
    assert_eq!(lines(&again), whole);
    for n in [1, 2, 4, 5] {
        let (mut sequential, mut concurrent, mut rows) = (Vec::new(), Vec::new(), 0);
        for k in 0..n {
            let m = mapping(dir.path(), Some(Share::new(k, n).unwrap()));
            let s = execute(&m, &mut sequential).unwrap();
            let (quads, r) = parallel(&m);
            assert_eq!(r, s.rows);
            concurrent.extend(quads);
            rows += s.rows;
            if n > 1 {
                // Every share maps some of every source.
                assert!(s.rows < stats.rows, "share {k}/{n}: {} rows", s.rows);
            }
        }
        assert_eq!(rows, stats.rows, "{n} shares");
        assert_eq!(lines(&sequential), whole, "{n} shares");
        // Each record mapped by exactly one share: even duplicate quads come as often.
        assert_eq!(all_lines(&sequential), every, "{n} shares");
        assert_eq!(all_lines(&concurrent), every, "{n} shares, parallel");
        assert_eq!(lines(&concurrent), whole, "{n} shares, parallel");
    }
}

#[test]
fn errors_in_a_share_name_the_line_of_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), 400);
    // A reference-valued IRI map: a name that is no absolute IRI is an error.
    let ttl = fs::read_to_string(dir.path().join("mapping.rml.ttl")).unwrap();
    let ttl = ttl.replace(
        "rml:predicateObjectMap [ rml:predicate ex:bio; rml:objectMap [ rml:reference \"bio\" ] ];",
        "rml:predicateObjectMap [ rml:predicate ex:bio; rml:objectMap [ rml:reference \"bio\" ] ];
  rml:predicateObjectMap [ rml:predicate ex:home; rml:objectMap [ rml:reference \"name\"; rml:termType rml:IRI ] ];",
    );
    fs::write(dir.path().join("mapping.rml.ttl"), ttl).unwrap();
    // Every name an absolute IRI but one, in the middle of share 2's bytes.
    let people = fs::read_to_string(dir.path().join("people.csv"))
        .unwrap()
        .replace(",Name ", ",http://example.com/name/");
    let (from, to) = Share::new(2, 4).unwrap().byte_range(people.len() as u64);
    let middle = ((from + to) / 2) as usize;
    let mut at = 0;
    let mut target = None;
    for l in people.split_inclusive('\n') {
        if at >= middle && l.starts_with('p') {
            target = Some(l.split(',').next().unwrap().to_owned());
            break;
        }
        at += l.len();
    }
    let target = target.unwrap();
    let people = people.replace(
        &format!("{target},http://example.com/name/"),
        &format!("{target},Name "),
    );
    fs::write(dir.path().join("people.csv"), &people).unwrap();
    let line = people
        .lines()
        .position(|l| l.starts_with(&format!("{target},")))
        .unwrap()
        + 1;
    let whole = execute(&mapping(dir.path(), None), &mut Vec::new()).unwrap_err();
    let expected = format!("people.csv:{line}:");
    assert!(whole.to_string().contains(&expected), "{whole}");
    let mut failed = 0;
    for k in 0..4 {
        let m = mapping(dir.path(), Some(Share::new(k, 4).unwrap()));
        if let Err(e) = execute(&m, &mut Vec::new()) {
            failed += 1;
            assert_eq!(k, 2, "{e}");
            assert!(e.to_string().contains(&expected), "{e}");
        }
    }
    assert_eq!(failed, 1);
    // Counted from the start of the whole file, not of the share.
    assert!(line > 300, "{line}");
}

#[test]
fn named_collections_are_mapped_whole_by_share_zero() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("g.csv"), "k,v\na,1\nb,2\na,3\nb,4\na,5\n").unwrap();
    let ttl = format!(
        "{PREFIXES}@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:G a rml:TriplesMap;
  rml:logicalSource [ rml:referenceFormulation rml:CSV; rml:source [ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path \"g.csv\" ] ];
  rml:subjectMap [ rml:template \"http://example.com/{{k}}\" ];
  rml:predicateObjectMap [ rml:predicate ex:values; rml:objectMap [
      rml:template \"http://example.com/list/{{k}}\"; rml:gather ( [ rml:reference \"v\" ] ); rml:gatherAs rdf:List ] ] .
"
    );
    fs::write(dir.path().join("mapping.rml.ttl"), ttl).unwrap();
    let tm = &mapping(dir.path(), None).triples_maps[0];
    assert!(!splittable(tm));
    let mut whole = Vec::new();
    execute(&mapping(dir.path(), None), &mut whole).unwrap();
    let whole = lines(&whole);
    assert!(whole.len() > 6, "{whole:?}");
    let mut union = Vec::new();
    for k in 0..3 {
        let mut quads = Vec::new();
        execute(
            &mapping(dir.path(), Some(Share::new(k, 3).unwrap())),
            &mut quads,
        )
        .unwrap();
        assert_eq!(quads.is_empty(), k != 0);
        union.extend(quads);
    }
    assert_eq!(lines(&union), whole);
}

#[test]
fn compressed_sources_are_refused_not_split_wrongly() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), 30);
    // A bzip2 file where the mapping expects CSV (its magic happens to be ASCII, so the
    // header reads): byte ranges of it are no ranges of records.
    fs::write(
        dir.path().join("people.csv"),
        "BZh91AY&SY,id\nwhatever,p1\n",
    )
    .unwrap();
    let m = mapping(dir.path(), Some(Share::new(1, 2).unwrap()));
    let err = execute(&m, &mut Vec::new()).unwrap_err().to_string();
    assert!(
        err.contains("--partition cannot split \"people.csv\": it is bzip2-compressed"),
        "{err}"
    );
    assert_eq!(not_plain(&dir.path().join("orgs.csv")), None);
}
