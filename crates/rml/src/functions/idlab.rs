//! IDLab functions (`idlab-fn:`, in the `https://w3id.org/imec/idlab/function#` namespace and the
//! older `http://example.com/idlab/function/`), and the example functions of the RML-FNML
//! specification's `functions.ttl` (`fns:`).

use super::{
    boolean, null, string, Args, Builder, FnError, FnResult, ParamSpec, ReturnSpec, FNS, GREL,
    IDLAB, IDLAB_OLD,
};

const NS: &[&str] = &[IDLAB, IDLAB_OLD];

const STR: ParamSpec<'static> = (NS, &["_str", "str"], true, false);
const STR_OPT: ParamSpec<'static> = (NS, &["_str", "str"], false, false);
const OTHER: ParamSpec<'static> = (NS, &["_otherStr", "otherStr"], true, false);
const DELIMITER: ParamSpec<'static> = (NS, &["_delimiter", "delimiter"], true, false);
const DELIMITER_OPT: ParamSpec<'static> = (NS, &["_delimiter", "delimiter"], false, false);
const BOOL_STR: ParamSpec<'static> = (NS, &["_strBoolean", "strBoolean"], false, false);
const EXPECTED: ParamSpec<'static> = (NS, &["_expectedStr", "expectedStr"], true, false);
const RESULT: ParamSpec<'static> = (NS, &["_result", "result"], true, false);
const LIST: ParamSpec<'static> = (NS, &["_list", "list"], false, true);
const TEST: ParamSpec<'static> = (NS, &["_test", "p_test"], false, false);
const FROM: ParamSpec<'static> = (NS, &["_from", "p_from"], false, false);
const TO: ParamSpec<'static> = (NS, &["_to", "p_to"], false, false);
// `idlab-fn:equal` and `idlab-fn:notEqual` take GREL's value parameters; a null compares unequal.
const VALUE: ParamSpec<'static> = (&[GREL], &["valueParam", "valueParameter"], false, false);
const VALUE2: ParamSpec<'static> = (&[GREL], &["valueParam2", "valueParameter2"], false, false);

const STRING_OUT: ReturnSpec<'static> = (NS, &["_stringOut", "stringOut"]);
const BOOL_OUT: ReturnSpec<'static> = (NS, &["_boolOut", "o_boolOut", "boolOut"]);

const FNS_STRING: ParamSpec<'static> = (
    &[FNS],
    &["stringParameter", "hasStringParameter"],
    true,
    false,
);
const FNS_OUT: ReturnSpec<'static> = (&[FNS], &["stringOutput", "hasStringOutput"]);
const FNS_PROTOCOL: ReturnSpec<'static> = (&[FNS], &["protocolOutput", "hasProtocolOutput"]);
const FNS_DOMAIN: ReturnSpec<'static> = (&[FNS], &["domainOutput", "hasDomainOutput"]);

fn text<'a>(a: &Args<'a>, i: usize) -> &'a str {
    a.str(i).unwrap_or_default()
}

/// Registers the IDLab functions and the specification's example functions.
pub(super) fn register(b: &mut Builder<'_>) {
    let f = |l: &'static str| [(IDLAB, l), (IDLAB_OLD, l)];
    b.def(&f("equal"), &[VALUE, VALUE2], &[BOOL_OUT], |a, _| {
        boolean(matches!((a.str(0), a.str(1)), (Some(x), Some(y)) if x == y))
    });
    b.def(&f("notEqual"), &[VALUE, VALUE2], &[BOOL_OUT], |a, _| {
        boolean(!matches!((a.str(0), a.str(1)), (Some(x), Some(y)) if x == y))
    });
    b.def(&f("isNull"), &[STR_OPT], &[BOOL_OUT], |a, _| {
        boolean(a.item(0).is_none())
    });
    b.def(
        &f("trueCondition"),
        &[BOOL_STR, STR],
        &[STRING_OUT],
        |a, _| {
            if a.str(0) == Some("true") {
                Ok(a.item(1).cloned().into_iter().collect())
            } else {
                null()
            }
        },
    );
    b.def(
        &f("decide"),
        &[STR, EXPECTED, RESULT],
        &[STRING_OUT],
        |a, _| {
            if a.str(0) == a.str(1) {
                Ok(a.item(2).cloned().into_iter().collect())
            } else {
                null()
            }
        },
    );
    b.def(&f("toUpperCaseURL"), &[STR], &[STRING_OUT], |a, _| {
        string(upper_case_url(text(a, 0)))
    });
    b.def(
        &f("concat"),
        &[STR, OTHER, DELIMITER_OPT],
        &[STRING_OUT],
        |a, _| {
            string(format!(
                "{}{}{}",
                text(a, 0),
                a.str(2).unwrap_or_default(),
                text(a, 1)
            ))
        },
    );
    b.def(
        &f("stringContainsOtherString"),
        &[STR, OTHER, DELIMITER],
        &[BOOL_OUT],
        |a, _| {
            let (s, other, sep) = (text(a, 0), text(a, 1), text(a, 2));
            if sep.is_empty() {
                return Err(FnError("the delimiter is empty".into()));
            }
            boolean(s.split(sep).any(|part| part == other))
        },
    );
    b.def(
        &f("listContainsElement"),
        &[LIST, STR],
        &[BOOL_OUT],
        |a, _| {
            let s = text(a, 1);
            boolean(a.list(0).iter().any(|v| v.text == s))
        },
    );
    b.def(&f("inRange"), &[TEST, FROM, TO], &[BOOL_OUT], |a, _| {
        let Some(test) = a.number(0)? else {
            return boolean(false);
        };
        let above = a.number(1)?.is_none_or(|from| test >= from);
        let below = a.number(2)?.is_none_or(|to| test < to);
        boolean(above && below)
    });
    // A test function of the IDLab library, used by the RML-FNML test cases.
    b.def(&f("alwaysReturnsABC"), &[], &[STRING_OUT], |_, _| {
        string("ABC")
    });

    // The example functions of the specification's functions.ttl.
    b.def(&[(FNS, "helloworld")], &[], &[FNS_OUT], |_, _| {
        string("Hello World!")
    });
    b.def(&[(FNS, "schema")], &[FNS_STRING], &[FNS_OUT], |a, _| {
        string(format!("https://schema.org/{}", text(a, 0)))
    });
    b.def(
        &[(FNS, "parseURL")],
        &[FNS_STRING],
        &[FNS_PROTOCOL, FNS_DOMAIN, FNS_OUT],
        |a, output| parse_url(text(a, 0), output),
    );
}

/// IDLab `toUpperCaseURL`: the value in upper case, with `http://` put in front unless it
/// already starts with `http://` or `https://` (in any case).
pub(super) fn upper_case_url(s: &str) -> String {
    let upper = s.to_uppercase();
    if upper.starts_with("HTTP://") || upper.starts_with("HTTPS://") {
        upper
    } else {
        format!("http://{upper}")
    }
}

/// `fns:parseURL`: return 0 the protocol, 1 the domain, 2 the path (without its first `/`) of
/// `{protocol}://{domain}/{path}`; no result when the value has no `://`.
pub(super) fn parse_url(s: &str, output: usize) -> FnResult {
    let Some((protocol, rest)) = s.split_once("://") else {
        return null();
    };
    let (domain, path) = rest.split_once('/').unwrap_or((rest, ""));
    string(match output {
        0 => protocol,
        1 => domain,
        _ => path,
    })
}
