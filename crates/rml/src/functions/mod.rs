//! RML-FNML: the functions a mapping may call while mapping, and how one execution is applied.
//!
//! Every function is described as FnO describes it: an IRI, its parameters (each known by its
//! `fno:Parameter` IRI and by its `fno:predicate`, which older mappings use) and its returns.
//! The parser checks a mapping's executions against these descriptions (unknown function,
//! parameter or return, missing required parameter: a mapping error); the executor gathers the
//! values of each input and calls [`apply`]. The library is listed in `crates/rml/FUNCTIONS.md`.
//!
//! Values are the lexical forms the term maps produce, with their natural datatype (a JSON
//! number stays a number, a function returning an integer gives `xsd:integer`). A parameter
//! whose input selects several values is applied to each in turn (the cartesian product over
//! parameters), except list parameters (`grel:param_a`, …), which receive them all. A null
//! (no value) for a required parameter gives no result; an argument a function cannot use (a
//! non-number for a number) is an [`FnError`], which the executor reports as a data error.

mod grel;
mod idlab;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::source::{Item, Natural};

/// The GREL namespace (functions, parameters and returns).
pub(crate) const GREL: &str = "http://users.ugent.be/~bjdmeest/function/grel.ttl#";
/// The IDLab functions namespace.
pub(crate) const IDLAB: &str = "https://w3id.org/imec/idlab/function#";
/// The older IDLab functions namespace (RML+FnO mappings).
pub(crate) const IDLAB_OLD: &str = "http://example.com/idlab/function/";
/// The example functions of the RML-FNML specification (`fns:`).
pub(crate) const FNS: &str = "http://example.com/functions/";

/// A failure of a function on the values it was given (not a null result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FnError(pub String);

/// What a function returns for one execution: its values for the requested return.
pub(crate) type FnResult = Result<Vec<Item>, FnError>;

/// The code of a function: the arguments (by parameter position) and which return is wanted.
type Implementation = fn(&Args<'_>, usize) -> FnResult;

/// A parameter of a function.
#[derive(Debug)]
pub(crate) struct Param {
    /// The IRIs it is known by: the `fno:Parameter` and its `fno:predicate`.
    pub iris: Vec<String>,
    /// Must an input give it?
    pub required: bool,
    /// Does it take every value of its inputs at once (an `rdf:List` parameter)?
    pub list: bool,
}

/// A function of the library.
pub(crate) struct Function {
    /// The IRIs it is known by (the first is the one documented).
    pub iris: Vec<String>,
    /// Its parameters, in `fno:expects` order.
    pub params: Vec<Param>,
    /// Its returns, in `fno:returns` order, each with the IRIs it is known by.
    pub returns: Vec<Vec<String>>,
    imp: Implementation,
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Function")
            .field("iris", &self.iris)
            .finish_non_exhaustive()
    }
}

impl Function {
    /// The position of the parameter called `iri`.
    pub(crate) fn param(&self, iri: &str) -> Option<usize> {
        self.params
            .iter()
            .position(|p| p.iris.iter().any(|i| i == iri))
    }

    /// The position of the return called `iri`.
    pub(crate) fn output(&self, iri: &str) -> Option<usize> {
        self.returns.iter().position(|r| r.iter().any(|i| i == iri))
    }

    /// The function's documented IRI.
    pub(crate) fn iri(&self) -> &str {
        &self.iris[0]
    }
}

/// Builds the description of a function: `def(&[iris], params, returns, code)`.
struct Builder<'a> {
    out: &'a mut Vec<Function>,
}

/// A parameter written as `([namespaces], [local names], required, list)`: it is known by
/// every local name in every namespace.
type ParamSpec<'s> = (&'s [&'s str], &'s [&'s str], bool, bool);

/// A return written as `([namespaces], [local names])`.
type ReturnSpec<'s> = (&'s [&'s str], &'s [&'s str]);

impl Builder<'_> {
    fn def(
        &mut self,
        iris: &[(&str, &str)],
        params: &[ParamSpec<'_>],
        returns: &[ReturnSpec<'_>],
        imp: Implementation,
    ) {
        let expand = |namespaces: &[&str], locals: &[&str]| -> Vec<String> {
            namespaces
                .iter()
                .flat_map(|ns| locals.iter().map(move |l| format!("{ns}{l}")))
                .collect()
        };
        self.out.push(Function {
            iris: iris.iter().map(|(ns, l)| format!("{ns}{l}")).collect(),
            params: params
                .iter()
                .map(|(ns, locals, required, list)| Param {
                    iris: expand(ns, locals),
                    required: *required,
                    list: *list,
                })
                .collect(),
            returns: returns.iter().map(|(ns, l)| expand(ns, l)).collect(),
            imp,
        });
    }
}

struct Library {
    functions: Vec<Function>,
    by_iri: HashMap<String, usize>,
}

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let mut functions = Vec::new();
        let mut b = Builder {
            out: &mut functions,
        };
        grel::register(&mut b);
        idlab::register(&mut b);
        let mut by_iri = HashMap::new();
        for (i, f) in functions.iter().enumerate() {
            for iri in &f.iris {
                by_iri.insert(iri.clone(), i);
            }
        }
        Library { functions, by_iri }
    })
}

/// The function called `iri`, if the library has it.
pub(crate) fn lookup(iri: &str) -> Option<&'static Function> {
    let lib = library();
    lib.by_iri.get(iri).map(|&i| &lib.functions[i])
}

/// The library's function closest to an unknown IRI (a likely typo: `grel:toUppercase`).
pub(crate) fn suggestion(iri: &str) -> Option<&'static str> {
    let lower = iri.to_lowercase();
    library()
        .by_iri
        .keys()
        .map(|k| (crate::vocab::edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min_by(|a, b| a.cmp(b))
        .map(|(_, k)| k.as_str())
}

/// Every function of the library.
#[cfg(test)]
pub(crate) fn all() -> &'static [Function] {
    &library().functions
}

/// The arguments of one execution, by parameter position.
pub(crate) struct Args<'a> {
    values: Vec<Arg<'a>>,
}

enum Arg<'a> {
    One(Option<&'a Item>),
    List(&'a [Item]),
}

impl<'a> Args<'a> {
    /// The value of single-valued parameter `i` (None when null or not given).
    pub(crate) fn item(&self, i: usize) -> Option<&'a Item> {
        match self.values.get(i) {
            Some(Arg::One(v)) => *v,
            Some(Arg::List(l)) => l.first(),
            None => None,
        }
    }

    /// The text of parameter `i`.
    pub(crate) fn str(&self, i: usize) -> Option<&'a str> {
        self.item(i).map(|v| v.text.as_str())
    }

    /// Every value of list parameter `i`.
    pub(crate) fn list(&self, i: usize) -> &'a [Item] {
        match self.values.get(i) {
            Some(Arg::List(l)) => l,
            Some(Arg::One(Some(v))) => std::slice::from_ref(*v),
            _ => &[],
        }
    }

    /// Parameter `i` as an integer (an error when it is not one).
    pub(crate) fn int(&self, i: usize) -> Result<Option<i64>, FnError> {
        self.str(i).map(parse_int).transpose()
    }

    /// Parameter `i` as a number (an error when it is not one).
    pub(crate) fn number(&self, i: usize) -> Result<Option<f64>, FnError> {
        self.str(i).map(parse_number).transpose()
    }

    /// Parameter `i` as a boolean (an error when it is not one).
    pub(crate) fn bool(&self, i: usize) -> Result<Option<bool>, FnError> {
        self.str(i).map(parse_bool).transpose()
    }
}

/// An integer argument: `xsd:integer` lexical forms (and integral decimals such as `3.0`).
pub(crate) fn parse_int(s: &str) -> Result<i64, FnError> {
    let t = s.trim();
    if let Ok(n) = t.strip_prefix('+').unwrap_or(t).parse::<i64>() {
        return Ok(n);
    }
    match parse_number(t) {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(FnError(format!("\"{s}\" is not an integer"))),
    }
}

/// A numeric argument: an `xsd:decimal` or `xsd:double` lexical form.
pub(crate) fn parse_number(s: &str) -> Result<f64, FnError> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    match t.parse::<f64>() {
        Ok(f) if ok && f.is_finite() => Ok(f),
        _ => Err(FnError(format!("\"{s}\" is not a number"))),
    }
}

/// A boolean argument: `true`/`false` (any case) or `1`/`0`.
pub(crate) fn parse_bool(s: &str) -> Result<bool, FnError> {
    match s.trim() {
        t if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
        t if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
        _ => Err(FnError(format!("\"{s}\" is not a boolean (true or false)"))),
    }
}

/// A string result.
pub(crate) fn string(s: impl Into<String>) -> FnResult {
    Ok(vec![Item {
        text: s.into(),
        natural: Natural::String,
    }])
}

/// An integer result (`xsd:integer`).
pub(crate) fn integer(n: i64) -> FnResult {
    Ok(vec![Item {
        text: n.to_string(),
        natural: Natural::Integer,
    }])
}

/// A boolean result (`xsd:boolean`).
pub(crate) fn boolean(b: bool) -> FnResult {
    Ok(vec![Item {
        text: b.to_string(),
        natural: Natural::Boolean,
    }])
}

/// A floating-point result (`xsd:double`), written as Java's `Double.toString` would for
/// ordinary magnitudes (`2.0`, `0.5`).
pub(crate) fn double(f: f64) -> FnResult {
    if !f.is_finite() {
        return Err(FnError(format!("the result {f} is not a finite number")));
    }
    let text = if f == 0.0 {
        "0.0".to_owned()
    } else if !(1e-3..1e7).contains(&f.abs()) {
        format!("{f:E}")
    } else if f.fract() == 0.0 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    };
    Ok(vec![Item {
        text,
        natural: Natural::Double,
    }])
}

/// No result (a null): the term map gives no term.
pub(crate) fn null() -> FnResult {
    Ok(Vec::new())
}

/// Applies `f` to the values of its parameters (`inputs[i]`: every value given to parameter
/// `i`), returning the values of return `output` over every combination of single values.
pub(crate) fn apply(f: &Function, output: usize, inputs: &[Vec<Item>]) -> FnResult {
    for (p, values) in f.params.iter().zip(inputs) {
        if p.required && values.is_empty() {
            return null();
        }
    }
    let mut out = Vec::new();
    let mut choice = vec![0usize; f.params.len()];
    loop {
        let values = f
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let given = inputs.get(i).map_or(&[][..], Vec::as_slice);
                if p.list {
                    Arg::List(given)
                } else {
                    Arg::One(given.get(choice[i]))
                }
            })
            .collect();
        out.extend((f.imp)(&Args { values }, output)?);
        // The next combination of single values (odometer order, last parameter fastest).
        let mut i = f.params.len();
        loop {
            if i == 0 {
                return Ok(out);
            }
            i -= 1;
            let n = inputs.get(i).map_or(0, Vec::len);
            if f.params[i].list || n <= 1 {
                continue;
            }
            choice[i] += 1;
            if choice[i] < n {
                break;
            }
            choice[i] = 0;
        }
    }
}

#[cfg(test)]
mod mapping_tests;
#[cfg(test)]
mod tests;
