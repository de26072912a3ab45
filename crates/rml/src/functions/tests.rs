//! Unit tests of the function library.

use super::*;

fn item(s: &str) -> Item {
    Item {
        text: s.to_owned(),
        natural: Natural::String,
    }
}

/// Calls the function `iri` with one value per parameter (None: not given); its first return.
fn call(iri: &str, args: &[Option<&str>]) -> FnResult {
    let f = lookup(iri).unwrap_or_else(|| panic!("{iri} is in the library"));
    let inputs: Vec<Vec<Item>> = args
        .iter()
        .map(|a| a.map(item).into_iter().collect())
        .collect();
    apply(f, 0, &inputs)
}

fn texts(r: FnResult) -> Vec<String> {
    r.expect("the function succeeds")
        .into_iter()
        .map(|i| i.text)
        .collect()
}

fn grel(l: &str) -> String {
    format!("{GREL}{l}")
}

fn idlab(l: &str) -> String {
    format!("{IDLAB}{l}")
}
