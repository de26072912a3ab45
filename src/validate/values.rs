//! Value checks: XML Schema datatypes (through `oxsdatatypes`, the parser Oxigraph itself
//! uses), BCP 47 language tags (`oxilangtag`), absolute IRIs (RFC 3987, `iri-string`),
//! ISO 4217 currency codes and Wikidata item ids.

use std::str::FromStr;

use oxsdatatypes::{
    Boolean, Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth,
    GMonthDay, GYear, GYearMonth, Integer, Time, YearMonthDuration,
};

/// The XML Schema namespace.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Checks `value` against the datatype `datatype` (a full IRI). `None` when factgraph does
/// not check that datatype (any string is accepted); `Some(Err(expected))` when the value is
/// not in the datatype's lexical space, with a description of what is.
///
/// ```
/// use factgraph::validate::values::check_datatype;
/// let xsd = |l: &str| format!("http://www.w3.org/2001/XMLSchema#{l}");
/// assert_eq!(check_datatype(&xsd("integer"), "1500"), Some(Ok(())));
/// assert!(matches!(check_datatype(&xsd("integer"), "1.500"), Some(Err(_))));
/// assert_eq!(check_datatype(&xsd("gYearMonth"), "2024-04"), Some(Ok(())));
/// assert_eq!(check_datatype(&xsd("string"), "anything"), None);
/// ```
pub fn check_datatype(datatype: &str, value: &str) -> Option<Result<(), &'static str>> {
    let local = datatype.strip_prefix(XSD)?;
    fn ok<T>(r: Result<T, impl Sized>, expected: &'static str) -> Option<Result<(), &'static str>> {
        Some(r.map(|_| ()).map_err(|_| expected))
    }
    fn ranged(
        value: &str,
        min: Option<i128>,
        max: Option<i128>,
        expected: &'static str,
    ) -> Option<Result<(), &'static str>> {
        let good = Integer::from_str(value).is_ok()
            && value
                .trim_start_matches('+')
                .parse::<i128>()
                .map_or(min.is_none() && max.is_none(), |n| {
                    min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)
                });
        Some(if good { Ok(()) } else { Err(expected) })
    }
    match local {
        "integer" => ok(
            Integer::from_str(value),
            "an xsd:integer: digits with an optional sign and no separator, such as \"1500\"",
        ),
        "decimal" => ok(
            Decimal::from_str(value),
            "an xsd:decimal: digits with an optional sign and decimal point, no thousands separator, such as \"50000000\" or \"2.5\"",
        ),
        "double" => ok(
            Double::from_str(value),
            "an xsd:double such as \"1.5\", \"1.5E3\" or \"INF\"",
        ),
        "float" => ok(
            Float::from_str(value),
            "an xsd:float such as \"1.5\", \"1.5E3\" or \"INF\"",
        ),
        "boolean" => ok(
            Boolean::from_str(value),
            "an xsd:boolean: \"true\", \"false\", \"1\" or \"0\"",
        ),
        "date" => ok(
            Date::from_str(value),
            "an xsd:date YYYY-MM-DD, such as \"2024-04-15\"",
        ),
        "dateTime" => ok(
            DateTime::from_str(value),
            "an xsd:dateTime YYYY-MM-DDThh:mm:ss with an optional time zone, such as \"2024-04-15T09:30:00Z\"",
        ),
        "time" => ok(
            Time::from_str(value),
            "an xsd:time hh:mm:ss, such as \"09:30:00\"",
        ),
        "gYear" => ok(GYear::from_str(value), "an xsd:gYear YYYY, such as \"2027\""),
        "gYearMonth" => ok(
            GYearMonth::from_str(value),
            "an xsd:gYearMonth YYYY-MM, such as \"2024-04\"",
        ),
        "gMonthDay" => ok(GMonthDay::from_str(value), "an xsd:gMonthDay --MM-DD"),
        "gMonth" => ok(GMonth::from_str(value), "an xsd:gMonth --MM"),
        "gDay" => ok(GDay::from_str(value), "an xsd:gDay ---DD"),
        "duration" => ok(
            Duration::from_str(value),
            "an xsd:duration such as \"P1Y2M\" or \"PT3H\"",
        ),
        "dayTimeDuration" => ok(
            DayTimeDuration::from_str(value),
            "an xsd:dayTimeDuration such as \"P2DT3H\"",
        ),
        "yearMonthDuration" => ok(
            YearMonthDuration::from_str(value),
            "an xsd:yearMonthDuration such as \"P1Y2M\"",
        ),
        "long" => ranged(
            value,
            Some(i64::MIN.into()),
            Some(i64::MAX.into()),
            "an xsd:long (a 64-bit integer)",
        ),
        "int" => ranged(
            value,
            Some(i32::MIN.into()),
            Some(i32::MAX.into()),
            "an xsd:int (a 32-bit integer)",
        ),
        "short" => ranged(
            value,
            Some(i16::MIN.into()),
            Some(i16::MAX.into()),
            "an xsd:short (a 16-bit integer)",
        ),
        "byte" => ranged(
            value,
            Some(i8::MIN.into()),
            Some(i8::MAX.into()),
            "an xsd:byte (an 8-bit integer)",
        ),
        "nonNegativeInteger" => ranged(value, Some(0), None, "an integer ≥ 0"),
        "positiveInteger" => ranged(value, Some(1), None, "an integer ≥ 1"),
        "nonPositiveInteger" => ranged(value, None, Some(0), "an integer ≤ 0"),
        "negativeInteger" => ranged(value, None, Some(-1), "an integer ≤ -1"),
        "unsignedLong" => ranged(
            value,
            Some(0),
            Some(u64::MAX.into()),
            "an xsd:unsignedLong (0 to 18446744073709551615)",
        ),
        "unsignedInt" => ranged(
            value,
            Some(0),
            Some(u32::MAX.into()),
            "an xsd:unsignedInt (0 to 4294967295)",
        ),
        "unsignedShort" => ranged(
            value,
            Some(0),
            Some(u16::MAX.into()),
            "an xsd:unsignedShort (0 to 65535)",
        ),
        "unsignedByte" => ranged(
            value,
            Some(0),
            Some(u8::MAX.into()),
            "an xsd:unsignedByte (0 to 255)",
        ),
        "anyURI" => Some(if iri_string::types::IriReferenceStr::new(value).is_ok() {
            Ok(())
        } else {
            Err("an xsd:anyURI: an IRI reference (RFC 3987)")
        }),
        _ => None,
    }
}

/// Is `tag` a well-formed BCP 47 language tag?
///
/// ```
/// assert!(factgraph::validate::values::is_language_tag("fr"));
/// assert!(factgraph::validate::values::is_language_tag("en-GB"));
/// assert!(!factgraph::validate::values::is_language_tag("fr_FR"));
/// ```
pub fn is_language_tag(tag: &str) -> bool {
    oxilangtag::LanguageTag::parse(tag).is_ok()
}

/// Is `iri` an absolute IRI (RFC 3987)?
pub fn is_absolute_iri(iri: &str) -> bool {
    iri_string::types::IriStr::new(iri).is_ok()
}

/// Is `id` a Wikidata item id: `Q` and digits, without leading zero?
///
/// ```
/// use factgraph::validate::values::is_wikidata_item;
/// assert!(is_wikidata_item("Q1028"));
/// assert!(!is_wikidata_item("q1028"));
/// assert!(!is_wikidata_item("1028"));
/// assert!(!is_wikidata_item("Q01"));
/// ```
pub fn is_wikidata_item(id: &str) -> bool {
    id.strip_prefix('Q').is_some_and(|digits| {
        !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The namespaces of Wikidata entity IRIs.
pub const WIKIDATA_ENTITY: [&str; 2] = [
    "http://www.wikidata.org/entity/",
    "https://www.wikidata.org/entity/",
];

/// Is `code` an active ISO 4217 currency code (the list of 2024, plus the fund and
/// precious-metal codes)?
///
/// ```
/// use factgraph::validate::values::is_currency_code;
/// assert!(is_currency_code("MAD"));
/// assert!(!is_currency_code("mad"));
/// assert!(!is_currency_code("DHS"));
/// ```
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3
        && ISO_4217
            .as_bytes()
            .chunks(4)
            .any(|c| &c[..3] == code.as_bytes())
}

/// Active ISO 4217 alphabetic codes.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF \
DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR \
IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA \
MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR \
PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB \
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU \
XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datatypes() {
        let x = |l: &str| format!("{XSD}{l}");
        for (dt, good, bad) in [
            ("integer", "-12", "1 500"),
            ("decimal", "50000000", "50,000,000"),
            ("double", "1.5E3", "one"),
            ("boolean", "true", "yes"),
            ("date", "2024-04-15", "15/04/2024"),
            ("dateTime", "2024-04-15T09:30:00Z", "2024-04-15 09:30"),
            ("gYear", "2027", "27"),
            ("gYearMonth", "2024-04", "2024-4"),
            ("int", "2147483647", "2147483648"),
            ("nonNegativeInteger", "0", "-1"),
        ] {
            assert_eq!(check_datatype(&x(dt), good), Some(Ok(())), "{dt} {good}");
            assert!(
                matches!(check_datatype(&x(dt), bad), Some(Err(_))),
                "{dt} {bad}"
            );
        }
    }

    #[test]
    fn codes() {
        assert!(is_currency_code("EUR"));
        assert!(!is_currency_code("EU"));
        assert!(!is_currency_code("XYZ"));
        assert!(is_wikidata_item("Q7903"));
        assert!(!is_wikidata_item("Q"));
        assert!(!is_wikidata_item("Q01"));
        assert!(!is_wikidata_item("P31"));
        assert!(!is_wikidata_item("Q12a"));
        for code in ISO_4217.split(' ') {
            assert!(is_currency_code(code), "{code}");
        }
        assert_eq!(ISO_4217.len() % 4, 3);
    }
}
