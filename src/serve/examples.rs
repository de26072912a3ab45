//! The example queries of the query page: the competency questions of `queries/`, embedded
//! in the binary so that `factgraph serve` needs no project checkout.

/// One example query.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The file name without `.rq` (`signatories`).
    pub name: &'static str,
    /// The query text as in the file.
    pub text: &'static str,
}

macro_rules! example {
    ($name:literal) => {
        Example {
            name: $name,
            text: include_str!(concat!("../../queries/", $name, ".rq")),
        }
    };
}

/// Every `queries/*.rq`, in alphabetical order (a test checks that none is missing).
pub const EXAMPLES: &[Example] = &[
    example!("commitments"),
    example!("commitments-due"),
    example!("inetum-in-morocco"),
    example!("investment-by-currency"),
    example!("provenance"),
    example!("signatories"),
    example!("wikidata-links"),
];

impl Example {
    /// The leading `#` comment of the file, as one sentence or two.
    pub fn description(&self) -> String {
        leading_comment(self.text)
    }

    /// The example called `name`.
    pub fn find(name: &str) -> Option<&'static Example> {
        EXAMPLES.iter().find(|e| e.name == name)
    }
}

/// An example query of the query pages: a built-in one, or a `.rq` file of the directory
/// given to `serve --examples`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryExample {
    /// The file name without `.rq`.
    pub name: String,
    /// The query text.
    pub text: String,
}

impl QueryExample {
    /// The leading `#` comment of the file, as one sentence or two.
    pub fn description(&self) -> String {
        leading_comment(&self.text)
    }
}

fn leading_comment(text: &str) -> String {
    text.lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The built-in examples ([`EXAMPLES`]) as [`QueryExample`]s.
pub fn built_in() -> Vec<QueryExample> {
    EXAMPLES
        .iter()
        .map(|e| QueryExample {
            name: e.name.to_owned(),
            text: e.text.to_owned(),
        })
        .collect()
}

/// The `*.rq` files of `dir` (not its subdirectories), by file name.
pub fn from_dir(dir: &std::path::Path) -> std::io::Result<Vec<QueryExample>> {
    let mut examples = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".rq"))
        else {
            continue;
        };
        if path.is_file() {
            examples.push(QueryExample {
                name: name.to_owned(),
                text: std::fs::read_to_string(&path)?,
            });
        }
    }
    examples.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_competency_query_is_an_example() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("queries/ exists")
            .filter_map(Result::ok)
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.strip_suffix(".rq").map(str::to_owned)
            })
            .collect();
        names.sort();
        let embedded: Vec<&str> = EXAMPLES.iter().map(|e| e.name).collect();
        assert_eq!(names, embedded, "add the new queries/*.rq to EXAMPLES");
        assert!(Example::find("signatories")
            .expect("signatories")
            .description()
            .starts_with("Who signed"));
    }
}
