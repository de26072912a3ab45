//! Every quote of the bundled data is the exact words of its source: change one word inside
//! any one quote and `factgraph validate` refuses the copy, naming the file and line.

mod common;

use common::{copy_dir, factgraph, root};

/// The CSV files of data/ that have a quote column, with the column's index.
fn quoted_files() -> Vec<(String, usize)> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(root().join("data")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "csv") {
            let mut r = csv::Reader::from_path(&path).unwrap();
            if let Some(i) = r.headers().unwrap().iter().position(|h| h == "quote") {
                files.push((path.file_name().unwrap().to_string_lossy().into_owned(), i));
            }
        }
    }
    files.sort();
    files
}

/// The quote with its longest word replaced by a near miss.
fn change_one_word(quote: &str) -> Option<String> {
    let word = quote
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .max_by_key(|w| w.chars().count())?;
    let at = quote.find(word)?;
    let mut changed = quote.to_owned();
    changed.replace_range(at..at + word.len(), &format!("{word}s"));
    Some(changed)
}

#[test]
fn the_bundled_quotes_are_verbatim() {
    factgraph()
        .args(["validate", "data", "--quiet"])
        .assert()
        .success();
}

#[test]
fn a_word_changed_inside_any_quote_is_refused_with_file_and_line() {
    let files = quoted_files();
    assert!(
        files.len() >= 5,
        "expected the fact files with quotes, got {files:?}"
    );
    let mut checked = 0;
    for (name, col) in &files {
        let original = std::fs::read_to_string(root().join("data").join(name)).unwrap();
        let mut reader = csv::Reader::from_reader(original.as_bytes());
        let header = reader.headers().unwrap().clone();
        let records: Vec<(u64, csv::StringRecord)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r.position().unwrap().line(), r)
            })
            .collect();
        for (k, (line, record)) in records.iter().enumerate() {
            let Some(changed) = change_one_word(&record[*col]) else {
                continue;
            };
            let dir = copy_dir(&root().join("data"));
            let mut w = csv::Writer::from_path(dir.path().join(name)).unwrap();
            w.write_record(&header).unwrap();
            for (j, (_, r)) in records.iter().enumerate() {
                if j == k {
                    let fields: Vec<&str> = r
                        .iter()
                        .enumerate()
                        .map(|(i, f)| if i == *col { changed.as_str() } else { f })
                        .collect();
                    w.write_record(&fields).unwrap();
                } else {
                    w.write_record(r).unwrap();
                }
            }
            w.flush().unwrap();
            drop(w);
            let out = factgraph()
                .current_dir(dir.path())
                .args(["validate", ".", "--quiet"])
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(2), "{name}:{line}: {stdout}");
            let at = format!("./{name}:{line}:{}: quote not found in ", col + 1);
            assert!(
                stdout.lines().any(|l| l.starts_with(&at)),
                "expected a line starting {at:?}, got:\n{stdout}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} quotes were tried");
}
