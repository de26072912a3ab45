//! GREL functions (OpenRefine's expression language as FnO functions, the `grel:` namespace
//! of `grel-functions-java`), with the parameter and return IRIs of its FnO description.
//!
//! Strings are indexed by character (Unicode scalar value). A `find`/`sep` written between
//! slashes (`/\s+/`) is a regular expression (Rust `regex` syntax, close to Java's for common
//! patterns).

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::{
    boolean, double, integer, null, parse_bool, string, Args, Builder, FnError, FnResult,
    ParamSpec, GREL,
};
use crate::source::{Item, Natural};

const VALUE: ParamSpec<'static> = (&[GREL], &["valueParam", "valueParameter"], true, false);
const SUB: ParamSpec<'static> = (&[GREL], &["param_string_sub", "string_sub"], true, false);
const SEP: ParamSpec<'static> = (&[GREL], &["param_string_sep", "p_string_sep"], true, false);
const FROM: ParamSpec<'static> = (&[GREL], &["p_int_i_from", "param_int_i_from"], true, false);
const TO: ParamSpec<'static> = (
    &[GREL],
    &["p_int_i_opt_to", "param_int_i_opt_to"],
    false,
    false,
);
const FIND: ParamSpec<'static> = (&[GREL], &["param_find", "p_string_find"], true, false);
const REPLACE: ParamSpec<'static> = (&[GREL], &["param_replace", "p_string_replace"], true, false);
const MODE: ParamSpec<'static> = (&[GREL], &["modeParam", "modeParameter"], true, false);
const ANY: ParamSpec<'static> = (&[GREL], &["param_any_e", "p_any_e"], true, false);
const ARRAY: ParamSpec<'static> = (&[GREL], &["param_a", "p_array_a"], true, true);
const BOOLS: ParamSpec<'static> = (&[GREL], &["bool_array_b", "param_rep_b"], true, true);
const BOOL: ParamSpec<'static> = (&[GREL], &["param_b", "bool_b"], true, false);
const IF_TRUE: ParamSpec<'static> = (&[GREL], &["param_true", "any_true"], true, false);
const IF_FALSE: ParamSpec<'static> = (&[GREL], &["param_false", "any_false"], false, false);
const N: ParamSpec<'static> = (&[GREL], &["param_dec_n", "p_dec_n"], true, false);
const N2: ParamSpec<'static> = (&[GREL], &["param_dec_n2", "param_n2"], true, false);
const EXP: ParamSpec<'static> = (&[GREL], &["param_dec_n_exp", "p_any_exp"], true, false);
const I: ParamSpec<'static> = (&[GREL], &["param_int_i", "p_int_i"], true, false);
const I2: ParamSpec<'static> = (&[GREL], &["param_int_i2", "p_int_i2"], true, false);
const ANYS: ParamSpec<'static> = (&[GREL], &["param_any_rep_e", "p_any_rep_e"], true, true);

type Out = (&'static [&'static str], &'static [&'static str]);
const STRING_OUT: Out = (&[GREL], &["stringOut", "stringOutput"]);
const BOOL_OUT: Out = (&[GREL], &["output_bool", "o_bool"]);
const NUMBER_OUT: Out = (&[GREL], &["output_number", "o_number"]);
const DECIMAL_OUT: Out = (&[GREL], &["output_decimal", "o_decimal"]);
const ARRAY_OUT: Out = (&[GREL], &["output_array", "o_array"]);
const ANY_OUT: Out = (&[GREL], &["output_any", "o_any"]);

/// The text of required parameter `i` (the executor only calls with required values given).
fn s<'a>(a: &Args<'a>, i: usize) -> &'a str {
    a.str(i).unwrap_or_default()
}

/// Registers the GREL functions.
pub(super) fn register(b: &mut Builder<'_>) {
    let g = |l: &'static str| [(GREL, l)];
    // Strings.
    b.def(&g("toUpperCase"), &[VALUE], &[STRING_OUT], |a, _| {
        string(s(a, 0).to_uppercase())
    });
    b.def(&g("toLowerCase"), &[VALUE], &[STRING_OUT], |a, _| {
        string(s(a, 0).to_lowercase())
    });
    b.def(&g("string_toTitlecase"), &[VALUE], &[STRING_OUT], |a, _| {
        string(title_case(s(a, 0)))
    });
    b.def(&g("string_trim"), &[VALUE], &[STRING_OUT], |a, _| {
        string(s(a, 0).trim_matches(|c: char| c <= ' '))
    });
    b.def(&g("string_length"), &[VALUE], &[NUMBER_OUT], |a, _| {
        integer(s(a, 0).chars().count() as i64)
    });
    b.def(
        &g("string_startsWith"),
        &[VALUE, SUB],
        &[BOOL_OUT],
        |a, _| boolean(s(a, 0).starts_with(s(a, 1))),
    );
    b.def(&g("string_endsWith"), &[VALUE, SUB], &[BOOL_OUT], |a, _| {
        boolean(s(a, 0).ends_with(s(a, 1)))
    });
    b.def(&g("string_contains"), &[VALUE, SUB], &[BOOL_OUT], |a, _| {
        boolean(s(a, 0).contains(s(a, 1)))
    });
    b.def(
        &g("string_indexOf"),
        &[VALUE, SUB],
        &[NUMBER_OUT],
        |a, _| integer(char_index(s(a, 0), s(a, 0).find(s(a, 1)))),
    );
    b.def(
        &g("string_lastIndexOf"),
        &[VALUE, SUB],
        &[NUMBER_OUT],
        |a, _| integer(char_index(s(a, 0), s(a, 0).rfind(s(a, 1)))),
    );
    b.def(
        &g("string_substring"),
        &[VALUE, FROM, TO],
        &[STRING_OUT],
        |a, _| match substring(s(a, 0), a.int(1)?.unwrap_or(0), a.int(2)?) {
            Some(v) => string(v),
            None => null(),
        },
    );
    b.def(
        &g("string_replace"),
        &[VALUE, FIND, REPLACE],
        &[STRING_OUT],
        |a, _| {
            let (v, find, with) = (s(a, 0), s(a, 1), s(a, 2));
            match regex_of(find)? {
                Some(re) => string(re.replace_all(v, with).into_owned()),
                None => string(v.replace(find, with)),
            }
        },
    );
    b.def(
        &g("string_replaceChars"),
        &[VALUE, FIND, REPLACE],
        &[STRING_OUT],
        |a, _| {
            let (find, with): (Vec<char>, Vec<char>) =
                (s(a, 1).chars().collect(), s(a, 2).chars().collect());
            if find.len() != with.len() {
                return Err(FnError(format!(
                    "replaceChars needs as many replacement characters as characters to replace (\"{}\" and \"{}\")",
                    s(a, 1),
                    s(a, 2)
                )));
            }
            string(
                s(a, 0)
                    .chars()
                    .map(|c| find.iter().position(|f| *f == c).map_or(c, |i| with[i]))
                    .collect::<String>(),
            )
        },
    );
    b.def(&g("string_chomp"), &[VALUE, SEP], &[STRING_OUT], |a, _| {
        let v = s(a, 0);
        string(v.strip_suffix(s(a, 1)).unwrap_or(v))
    });
    b.def(&g("string_split"), &[VALUE, SEP], &[ARRAY_OUT], |a, _| {
        let (v, sep) = (s(a, 0), s(a, 1));
        let mut parts: Vec<&str> = match regex_of(sep)? {
            Some(re) => re.split(v).collect(),
            None if sep.is_empty() => v
                .char_indices()
                .map(|(i, c)| &v[i..i + c.len_utf8()])
                .collect(),
            None => v.split(sep).collect(),
        };
        // As Java's String.split: trailing empty strings are dropped.
        while parts.last() == Some(&"") {
            parts.pop();
        }
        Ok(parts.into_iter().map(text).collect())
    });
    b.def(&g("string_toString"), &[ANY], &[STRING_OUT], |a, _| {
        string(s(a, 0))
    });
    b.def(&g("string_toNumber"), &[ANY], &[NUMBER_OUT], |a, _| {
        let v = s(a, 0).trim();
        match v.strip_prefix('+').unwrap_or(v).parse::<i64>() {
            Ok(n) => integer(n),
            Err(_) => double(super::parse_number(v)?),
        }
    });
    b.def(&g("escape"), &[VALUE, MODE], &[STRING_OUT], |a, _| {
        string(escape(s(a, 0), s(a, 1))?)
    });
    // Arrays (list parameters take every value their inputs give).
    b.def(&g("array_join"), &[ARRAY, SEP], &[STRING_OUT], |a, _| {
        let parts: Vec<&str> = a.list(0).iter().map(|v| v.text.as_str()).collect();
        string(parts.join(s(a, 1)))
    });
    b.def(&g("array_length"), &[ARRAY], &[NUMBER_OUT], |a, _| {
        integer(a.list(0).len() as i64)
    });
    // Booleans and control.
    b.def(&g("boolean_and"), &[BOOLS], &[BOOL_OUT], |a, _| {
        boolean(bools(a.list(0))?.iter().all(|b| *b))
    });
    b.def(&g("boolean_or"), &[BOOLS], &[BOOL_OUT], |a, _| {
        boolean(bools(a.list(0))?.iter().any(|b| *b))
    });
    b.def(&g("boolean_xor"), &[BOOLS], &[BOOL_OUT], |a, _| {
        boolean(bools(a.list(0))?.iter().filter(|b| **b).count() == 1)
    });
    b.def(&g("boolean_not"), &[BOOL], &[BOOL_OUT], |a, _| {
        boolean(!a.bool(0)?.unwrap_or(false))
    });
    b.def(
        &g("controls_if"),
        &[BOOL, IF_TRUE, IF_FALSE],
        &[ANY_OUT],
        |a, _| {
            let chosen = if a.bool(0)?.unwrap_or(false) {
                a.item(1)
            } else {
                a.item(2)
            };
            Ok(chosen.cloned().into_iter().collect())
        },
    );
    b.def(&g("other_coalesce"), &[ANYS], &[ANY_OUT], |a, _| {
        Ok(a.list(0).first().cloned().into_iter().collect())
    });
    // Mathematics.
    b.def(&g("math_floor"), &[N], &[NUMBER_OUT], |a, _| {
        to_integer(num(a, 0)?.floor())
    });
    b.def(&g("math_ceil"), &[N], &[NUMBER_OUT], |a, _| {
        to_integer(num(a, 0)?.ceil())
    });
    b.def(&g("math_round"), &[N], &[NUMBER_OUT], |a, _| {
        // Java's Math.round: halves go up.
        to_integer((num(a, 0)? + 0.5).floor())
    });
    b.def(&g("math_abs"), &[N], &[DECIMAL_OUT], |a, _| {
        double(num(a, 0)?.abs())
    });
    b.def(&g("math_min"), &[N, N2], &[DECIMAL_OUT], |a, _| {
        double(num(a, 0)?.min(num(a, 1)?))
    });
    b.def(&g("math_max"), &[N, N2], &[DECIMAL_OUT], |a, _| {
        double(num(a, 0)?.max(num(a, 1)?))
    });
    b.def(&g("math_pow"), &[N, EXP], &[DECIMAL_OUT], |a, _| {
        double(num(a, 0)?.powf(num(a, 1)?))
    });
    b.def(&g("math_ln"), &[N], &[DECIMAL_OUT], |a, _| {
        positive(num(a, 0)?).and_then(|n| double(n.ln()))
    });
    b.def(&g("math_log"), &[N], &[DECIMAL_OUT], |a, _| {
        positive(num(a, 0)?).and_then(|n| double(n.log10()))
    });
    b.def(&g("math_exp"), &[N], &[DECIMAL_OUT], |a, _| {
        double(num(a, 0)?.exp())
    });
    b.def(&g("math_mod"), &[I, I2], &[NUMBER_OUT], |a, _| {
        let (x, y) = (int(a, 0)?, int(a, 1)?);
        match x.checked_rem(y) {
            Some(r) => integer(r),
            None => Err(FnError(format!("{x} mod {y} is undefined"))),
        }
    });
}

fn text(s: &str) -> Item {
    Item {
        text: s.to_owned(),
        natural: Natural::String,
    }
}

fn num(a: &Args<'_>, i: usize) -> Result<f64, FnError> {
    Ok(a.number(i)?.unwrap_or_default())
}

fn int(a: &Args<'_>, i: usize) -> Result<i64, FnError> {
    Ok(a.int(i)?.unwrap_or_default())
}

fn positive(n: f64) -> Result<f64, FnError> {
    if n > 0.0 {
        Ok(n)
    } else {
        Err(FnError(format!("the logarithm of {n} is undefined")))
    }
}

fn to_integer(f: f64) -> FnResult {
    if f.abs() < 9.2e18 {
        integer(f as i64)
    } else {
        Err(FnError(format!("{f} is too large for an integer")))
    }
}

fn bools(values: &[Item]) -> Result<Vec<bool>, FnError> {
    values.iter().map(|v| parse_bool(&v.text)).collect()
}

/// The character index of a byte offset found in `s` (-1 when not found).
fn char_index(s: &str, byte: Option<usize>) -> i64 {
    byte.map_or(-1, |b| s[..b].chars().count() as i64)
}

/// `s[from..to]` by characters; negative indexes count from the end; None when out of range.
pub(super) fn substring(s: &str, from: i64, to: Option<i64>) -> Option<String> {
    let len = s.chars().count() as i64;
    let resolve = |i: i64| if i < 0 { len + i } else { i };
    let (from, to) = (resolve(from), to.map_or(len, resolve));
    if from < 0 || to > len || from > to {
        return None;
    }
    Some(
        s.chars()
            .skip(from as usize)
            .take((to - from) as usize)
            .collect(),
    )
}

/// Every word (after whitespace) with its first letter upper case and the rest lower case.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_whitespace() {
            start = true;
            out.push(c);
        } else if start {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The regular expression of a `/…/` argument (cached per thread), None for a plain string.
fn regex_of(p: &str) -> Result<Option<Regex>, FnError> {
    let Some(body) = p
        .strip_prefix('/')
        .and_then(|r| r.strip_suffix('/'))
        .filter(|_| p.len() >= 2)
    else {
        return Ok(None);
    };
    thread_local! {
        static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        if let Some(re) = c.borrow().get(body) {
            return Ok(Some(re.clone()));
        }
        let re = Regex::new(body)
            .map_err(|e| FnError(format!("invalid regular expression {p}: {e}")))?;
        let mut cache = c.borrow_mut();
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(body.to_owned(), re.clone());
        Ok(Some(re))
    })
}

/// GREL `escape(s, mode)`: `html`, `xml`, `csv`, `url` or `javascript`.
pub(super) fn escape(s: &str, mode: &str) -> Result<String, FnError> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 8);
    match mode.to_ascii_lowercase().as_str() {
        "html" | "xml" => {
            let xml = mode.eq_ignore_ascii_case("xml");
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    '\'' if xml => out.push_str("&apos;"),
                    c => out.push(c),
                }
            }
        }
        "csv" => {
            if s.contains([',', '"', '\r', '\n']) {
                out.push('"');
                out.push_str(&s.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        "url" => {
            // encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is percent-encoded.
            for b in s.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                    out.push(b as char);
                } else {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
        "javascript" => {
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '/' => out.push_str("\\/"),
                    '\u{8}' => out.push_str("\\b"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (' '..='~').contains(&c) => out.push(c),
                    c => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            let _ = write!(out, "\\u{u:04X}");
                        }
                    }
                }
            }
        }
        _ => {
            return Err(FnError(format!(
                "unknown escape mode \"{mode}\"; expected html, xml, csv, url or javascript"
            )))
        }
    }
    Ok(out)
}
