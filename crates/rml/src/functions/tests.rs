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

#[test]
fn string_functions() {
    let up = grel("toUpperCase");
    assert_eq!(texts(call(&up, &[Some("Venus é")])), ["VENUS É"]);
    assert_eq!(
        texts(call(&grel("toLowerCase"), &[Some("VeNus")])),
        ["venus"]
    );
    assert_eq!(
        texts(call(&grel("string_toTitlecase"), &[Some("hello  wORLD")])),
        ["Hello  World"]
    );
    assert_eq!(
        texts(call(&grel("string_trim"), &[Some(" \t a b \n")])),
        ["a b"]
    );
    let len = call(&grel("string_length"), &[Some("Évora")]).unwrap();
    assert_eq!(
        (len[0].text.as_str(), len[0].natural),
        ("5", Natural::Integer)
    );
    assert_eq!(
        texts(call(&grel("string_contains"), &[Some("food"), Some("oo")])),
        ["true"]
    );
    assert_eq!(
        texts(call(
            &grel("string_startsWith"),
            &[Some("food"), Some("oo")]
        )),
        ["false"]
    );
    assert_eq!(
        texts(call(&grel("string_endsWith"), &[Some("food"), Some("od")])),
        ["true"]
    );
    assert_eq!(
        texts(call(&grel("string_indexOf"), &[Some("éaba"), Some("b")])),
        ["2"]
    );
    assert_eq!(
        texts(call(
            &grel("string_lastIndexOf"),
            &[Some("abab"), Some("x")]
        )),
        ["-1"]
    );
    assert_eq!(
        texts(call(&grel("string_chomp"), &[Some("hardly"), Some("ly")])),
        ["hard"]
    );
}

#[test]
fn substring_counts_characters_and_gives_no_result_out_of_range() {
    let sub = grel("string_substring");
    assert_eq!(
        texts(call(&sub, &[Some("profound"), Some("3"), None])),
        ["found"]
    );
    assert_eq!(
        texts(call(&sub, &[Some("profound"), Some("2"), Some("4")])),
        ["of"]
    );
    assert_eq!(
        texts(call(&sub, &[Some("profound"), Some("1"), Some("-1")])),
        ["rofoun"]
    );
    assert_eq!(
        texts(call(&sub, &[Some("Évora"), Some("1"), None])),
        ["vora"]
    );
    // RMLFNMLTC0007 and 0008: at the end an empty string, beyond it nothing.
    assert_eq!(texts(call(&sub, &[Some("Venus"), Some("5"), None])), [""]);
    assert!(texts(call(&sub, &[Some("Venus"), Some("1000"), None])).is_empty());
    assert!(matches!(
        call(&sub, &[Some("Venus"), Some("one"), None]),
        Err(FnError(m)) if m.contains("not an integer")
    ));
}

#[test]
fn replace_split_and_join() {
    let replace = grel("string_replace");
    assert_eq!(
        texts(call(&replace, &[Some("M Venus"), Some(" "), Some("-")])),
        ["M-Venus"]
    );
    assert_eq!(
        texts(call(
            &replace,
            &[Some("a  b   c"), Some("/\\s+/"), Some("_")]
        )),
        ["a_b_c"]
    );
    assert!(call(&replace, &[Some("x"), Some("/(/"), Some("")]).is_err());
    assert_eq!(
        texts(call(
            &grel("string_replaceChars"),
            &[Some("Téxt"), Some("é"), Some("e")]
        )),
        ["Text"]
    );
    let split = grel("string_split");
    assert_eq!(
        texts(call(&split, &[Some("a,b,,c,,"), Some(",")])),
        ["a", "b", "", "c"]
    );
    assert_eq!(
        texts(call(&split, &[Some("a1b22c"), Some("/[0-9]+/")])),
        ["a", "b", "c"]
    );
    let join = lookup(&grel("array_join")).unwrap();
    let values = vec![item("x"), item("y"), item("z")];
    assert_eq!(
        texts(apply(join, 0, &[values.clone(), vec![item("|")]])),
        ["x|y|z"]
    );
    let length = lookup(&grel("array_length")).unwrap();
    assert_eq!(texts(apply(length, 0, &[values])), ["3"]);
}

#[test]
fn escape_modes() {
    let e = |s: &str, mode: &str| texts(call(&grel("escape"), &[Some(s), Some(mode)]));
    assert_eq!(e("A&B <\"x\">", "html"), ["A&amp;B &lt;&quot;x&quot;&gt;"]);
    assert_eq!(e("it's", "xml"), ["it&apos;s"]);
    assert_eq!(e("a,\"b\"", "csv"), ["\"a,\"\"b\"\"\""]);
    assert_eq!(e("plain", "csv"), ["plain"]);
    assert_eq!(e("a b/é(x)", "url"), ["a%20b%2F%C3%A9(x)"]);
    assert_eq!(e("it's\n/é", "javascript"), ["it\\'s\\n\\/\\u00E9"]);
    assert!(call(&grel("escape"), &[Some("x"), Some("rot13")]).is_err());
}

#[test]
fn booleans_and_control() {
    let list = |f: &str, values: &[&str]| {
        let f = lookup(&grel(f)).unwrap();
        apply(f, 0, &[values.iter().map(|v| item(v)).collect()])
    };
    assert_eq!(texts(list("boolean_and", &["true", "TRUE", "1"])), ["true"]);
    assert_eq!(texts(list("boolean_and", &["true", "false"])), ["false"]);
    assert_eq!(texts(list("boolean_or", &["false", "true"])), ["true"]);
    assert_eq!(texts(list("boolean_xor", &["true", "true"])), ["false"]);
    assert!(list("boolean_or", &["maybe"]).is_err());
    assert_eq!(
        texts(call(&grel("boolean_not"), &[Some("false")])),
        ["true"]
    );
    let r#if = grel("controls_if");
    assert_eq!(
        texts(call(&r#if, &[Some("true"), Some("a"), Some("b")])),
        ["a"]
    );
    assert_eq!(
        texts(call(&r#if, &[Some("false"), Some("a"), Some("b")])),
        ["b"]
    );
    assert!(texts(call(&r#if, &[Some("false"), Some("a"), None])).is_empty());
    let coalesce = lookup(&grel("other_coalesce")).unwrap();
    assert_eq!(
        texts(apply(coalesce, 0, &[vec![item("first"), item("second")]])),
        ["first"]
    );
}

#[test]
fn math_functions() {
    let one = |f: &str, n: &str| call(&grel(f), &[Some(n)]);
    assert_eq!(texts(one("math_floor", "2.7")), ["2"]);
    assert_eq!(texts(one("math_ceil", "2.1")), ["3"]);
    assert_eq!(texts(one("math_round", "2.5")), ["3"]);
    assert_eq!(texts(one("math_round", "-2.5")), ["-2"]);
    let abs = one("math_abs", "-1.5").unwrap();
    assert_eq!(
        (abs[0].text.as_str(), abs[0].natural),
        ("1.5", Natural::Double)
    );
    assert_eq!(texts(one("math_abs", "-2")), ["2.0"]);
    assert_eq!(
        texts(call(&grel("math_max"), &[Some("3"), Some("10")])),
        ["10.0"]
    );
    assert_eq!(
        texts(call(&grel("math_min"), &[Some("3"), Some("1e-1")])),
        ["0.1"]
    );
    assert_eq!(
        texts(call(&grel("math_pow"), &[Some("2"), Some("10")])),
        ["1024.0"]
    );
    assert_eq!(
        texts(call(&grel("math_mod"), &[Some("7"), Some("3")])),
        ["1"]
    );
    assert!(call(&grel("math_mod"), &[Some("7"), Some("0")]).is_err());
    assert!(one("math_ln", "0").is_err());
    assert!(matches!(
        one("math_floor", "abc"),
        Err(FnError(m)) if m.contains("not a number")
    ));
    // "NaN" and "inf" parse in Rust but are not xsd:decimal lexical forms.
    assert!(one("math_floor", "NaN").is_err());
    assert!(one("math_abs", "inf").is_err());
    let n = call(&grel("string_toNumber"), &[Some(" 42 ")]).unwrap();
    assert_eq!((n[0].text.as_str(), n[0].natural), ("42", Natural::Integer));
    assert_eq!(
        texts(call(&grel("string_toNumber"), &[Some("4.5")])),
        ["4.5"]
    );
    assert!(call(&grel("string_toNumber"), &[Some("x")]).is_err());
}

#[test]
fn idlab_functions() {
    let equal = idlab("equal");
    assert_eq!(texts(call(&equal, &[Some("A"), Some("A")])), ["true"]);
    assert_eq!(texts(call(&equal, &[Some("A"), Some("B")])), ["false"]);
    assert_eq!(texts(call(&equal, &[None, Some("B")])), ["false"]);
    assert_eq!(
        texts(call(&idlab("notEqual"), &[Some("A"), Some("B")])),
        ["true"]
    );
    assert_eq!(texts(call(&idlab("isNull"), &[None])), ["true"]);
    assert_eq!(texts(call(&idlab("isNull"), &[Some("")])), ["false"]);
    let cond = idlab("trueCondition");
    assert_eq!(texts(call(&cond, &[Some("true"), Some("x")])), ["x"]);
    assert!(texts(call(&cond, &[Some("false"), Some("x")])).is_empty());
    assert!(texts(call(&cond, &[None, Some("x")])).is_empty());
    let url = idlab("toUpperCaseURL");
    // RMLFNMLTC0003, 0011, 0031.
    assert_eq!(
        texts(call(&url, &[Some("http://example.com/venus")])),
        ["HTTP://EXAMPLE.COM/VENUS"]
    );
    assert_eq!(texts(call(&url, &[Some("Venus")])), ["http://VENUS"]);
    assert_eq!(
        texts(call(&url, &[Some("www.example.com")])),
        ["http://WWW.EXAMPLE.COM"]
    );
    let concat = idlab("concat");
    assert_eq!(texts(call(&concat, &[Some("a"), Some("b"), None])), ["ab"]);
    assert_eq!(
        texts(call(&concat, &[Some("a"), Some("b"), Some(", ")])),
        ["a, b"]
    );
    assert_eq!(
        texts(call(
            &idlab("stringContainsOtherString"),
            &[Some("a b c"), Some("b"), Some(" ")]
        )),
        ["true"]
    );
    assert_eq!(
        texts(call(&idlab("decide"), &[Some("y"), Some("y"), Some("yes")])),
        ["yes"]
    );
    let range = idlab("inRange");
    assert_eq!(
        texts(call(&range, &[Some("3"), Some("1"), Some("3")])),
        ["false"]
    );
    assert_eq!(texts(call(&range, &[Some("1"), Some("1"), None])), ["true"]);
    assert_eq!(texts(call(&range, &[None, Some("1"), None])), ["false"]);
    assert_eq!(texts(call(&idlab("alwaysReturnsABC"), &[])), ["ABC"]);
    let contains = lookup(&idlab("listContainsElement")).unwrap();
    assert_eq!(
        texts(apply(
            contains,
            0,
            &[vec![item("a"), item("b")], vec![item("b")]]
        )),
        ["true"]
    );
}

#[test]
fn specification_example_functions() {
    assert_eq!(
        texts(call(&format!("{FNS}helloworld"), &[])),
        ["Hello World!"]
    );
    assert_eq!(
        texts(call(&format!("{FNS}schema"), &[Some("Person")])),
        ["https://schema.org/Person"]
    );
    let parse = lookup(&format!("{FNS}parseURL")).unwrap();
    let url = vec![vec![item("https://example.com/a/b")]];
    let out = |o: &str| {
        texts(apply(
            parse,
            parse.output(&format!("{FNS}{o}")).unwrap(),
            &url,
        ))
    };
    assert_eq!(out("protocolOutput"), ["https"]);
    assert_eq!(out("domainOutput"), ["example.com"]);
    assert_eq!(out("stringOutput"), ["a/b"]);
}

#[test]
fn names_parameters_and_returns_by_their_aliases() {
    // The fno:predicate of a parameter, and the older IDLab namespace.
    let up = lookup(&grel("toUpperCase")).unwrap();
    assert_eq!(up.param(&grel("valueParameter")), Some(0));
    assert_eq!(up.output(&grel("stringOutput")), Some(0));
    let old = lookup(&format!("{IDLAB_OLD}toUpperCaseURL")).unwrap();
    assert_eq!(old.param(&format!("{IDLAB_OLD}_str")), Some(0));
    assert_eq!(old.param(&idlab("str")), Some(0));
    assert!(lookup(&grel("unknown_func")).is_none());
    assert_eq!(up.param(&grel("unknownParam")), None);
}

#[test]
fn multiple_values_are_applied_one_by_one() {
    // Each single-valued parameter takes each of its values (the cartesian product).
    let concat = lookup(&idlab("concat")).unwrap();
    let out = apply(
        concat,
        0,
        &[
            vec![item("a"), item("b")],
            vec![item("1"), item("2")],
            vec![],
        ],
    );
    assert_eq!(texts(out), ["a1", "a2", "b1", "b2"]);
    // A required parameter without a value: no result, the function is not called.
    let up = lookup(&grel("toUpperCase")).unwrap();
    assert!(texts(apply(up, 0, &[vec![]])).is_empty());
}

#[test]
fn functions_md_lists_every_function() {
    let doc = include_str!("../../FUNCTIONS.md");
    for f in all() {
        let iri = f.iri();
        let short = [(GREL, "grel:"), (IDLAB, "idlab-fn:"), (FNS, "fns:")]
            .iter()
            .find_map(|(ns, p)| iri.strip_prefix(ns).map(|l| format!("`{p}{l}`")))
            .unwrap_or_else(|| format!("<{iri}>"));
        assert!(doc.contains(&short), "FUNCTIONS.md does not list {short}");
    }
}
