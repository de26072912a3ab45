//! RML templates: `http://example.com/{ID}/{Name}` parsed once into segments, expanded per row.
//!
//! Escapes follow RML-Core: `\{`, `\}` and `\\` stand for the character itself; any other
//! backslash is an error. Values inserted into IRIs are made IRI-safe as R2RML requires:
//! every character outside RFC 3987's `iunreserved` production is percent-encoded (UTF-8).

use std::fmt::Write as _;

/// One piece of a template: text kept as is, or a reference to a field of the logical source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text (escapes already removed).
    Text(String),
    /// A reference (a CSV column name).
    Reference(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The segments, in order.
    pub segments: Vec<Segment>,
}

/// Why a template string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{` with no matching `}`.
    #[error("unclosed '{{' at character {0}: expected '}}' to end the reference (write \\{{ for a literal brace)")]
    Unclosed(usize),
    /// `}` outside a reference.
    #[error("unexpected '}}' at character {0}: write \\}} for a literal brace")]
    UnexpectedClose(usize),
    /// `{` inside a reference.
    #[error("'{{' inside a reference at character {0}: references cannot nest (write \\{{ for a literal brace)")]
    Nested(usize),
    /// `{}`.
    #[error("empty reference '{{}}' at character {0}")]
    EmptyReference(usize),
    /// A backslash followed by something other than `{`, `}` or `\`.
    #[error("invalid escape '\\{1}' at character {0}: only \\{{, \\}} and \\\\ are allowed")]
    BadEscape(usize, char),
    /// A trailing backslash.
    #[error("template ends with a lone backslash")]
    TrailingBackslash,
}

impl Template {
    /// Parses an RML template string.
    ///
    /// ```
    /// use factgraph_rml::template::{Segment, Template};
    /// let t = Template::parse(r"http://ex.com/{ID}/\{x\}").unwrap();
    /// assert_eq!(t.references().collect::<Vec<_>>(), ["ID"]);
    /// assert_eq!(t.segments.last(), Some(&Segment::Text("/{x}".into())));
    /// ```
    pub fn parse(s: &str) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut current = String::new();
        let mut in_ref: Option<usize> = None;
        let mut chars = s.chars().enumerate();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e @ ('{' | '}' | '\\'))) => current.push(e),
                    Some((_, e)) => return Err(TemplateError::BadEscape(i + 1, e)),
                    None => return Err(TemplateError::TrailingBackslash),
                },
                '{' => {
                    if in_ref.is_some() {
                        return Err(TemplateError::Nested(i + 1));
                    }
                    if !current.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut current)));
                    }
                    in_ref = Some(i + 1);
                }
                '}' => {
                    let Some(start) = in_ref.take() else {
                        return Err(TemplateError::UnexpectedClose(i + 1));
                    };
                    if current.is_empty() {
                        return Err(TemplateError::EmptyReference(start));
                    }
                    segments.push(Segment::Reference(std::mem::take(&mut current)));
                }
                c => current.push(c),
            }
        }
        if let Some(start) = in_ref {
            return Err(TemplateError::Unclosed(start));
        }
        if !current.is_empty() {
            segments.push(Segment::Text(current));
        }
        Ok(Self { segments })
    }

    /// The references the template uses, in order.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Reference(r) => Some(r.as_str()),
            Segment::Text(_) => None,
        })
    }

    /// The text before the first reference (used to tell absolute from relative IRIs cheaply).
    pub fn leading_text(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Text(t)) => t,
            _ => "",
        }
    }
}

/// Is `c` in RFC 3987's `iunreserved` production (ALPHA / DIGIT / "-" / "." / "_" / "~" / ucschar)?
pub fn is_iunreserved(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '-' | '.' | '_' | '~')
        || matches!(c as u32,
            0xA0..=0xD7FF
            | 0xF900..=0xFDCF
            | 0xFDF0..=0xFFEF
            | 0x10000..=0x1FFFD
            | 0x20000..=0x2FFFD
            | 0x30000..=0x3FFFD
            | 0x40000..=0x4FFFD
            | 0x50000..=0x5FFFD
            | 0x60000..=0x6FFFD
            | 0x70000..=0x7FFFD
            | 0x80000..=0x8FFFD
            | 0x90000..=0x9FFFD
            | 0xA0000..=0xAFFFD
            | 0xB0000..=0xBFFFD
            | 0xC0000..=0xCFFFD
            | 0xD0000..=0xDFFFD
            | 0xE1000..=0xEFFFD)
}

/// Appends the IRI-safe form of `value` to `out` (R2RML §7.3): characters outside `iunreserved`
/// become `%HH` for each of their UTF-8 bytes, in upper case.
///
/// ```
/// let mut s = String::new();
/// factgraph_rml::template::push_iri_safe(&mut s, "Saint Martin (French part)/é");
/// assert_eq!(s, "Saint%20Martin%20%28French%20part%29%2Fé");
/// ```
pub fn push_iri_safe(out: &mut String, value: &str) {
    // Fast path: most identifiers are plain ASCII.
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        if is_iunreserved(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                // Writing to a String cannot fail.
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(t: &str) -> Vec<String> {
        Template::parse(t)
            .unwrap()
            .references()
            .map(String::from)
            .collect()
    }

    #[test]
    fn parses_references_and_text() {
        let t = Template::parse("http://ex.com/{Country Code}/{Name}").unwrap();
        assert_eq!(
            t.segments,
            vec![
                Segment::Text("http://ex.com/".into()),
                Segment::Reference("Country Code".into()),
                Segment::Text("/".into()),
                Segment::Reference("Name".into()),
            ]
        );
        assert_eq!(t.leading_text(), "http://ex.com/");
    }

    #[test]
    fn escapes() {
        let t = Template::parse(r"\{\{\{ {ISO 3166} \}\}\}").unwrap();
        assert_eq!(
            t.segments,
            vec![
                Segment::Text("{{{ ".into()),
                Segment::Reference("ISO 3166".into()),
                Segment::Text(" }}}".into()),
            ]
        );
        assert_eq!(refs(r"http://ex.com/{\{Name\}}"), ["{Name}"]);
        assert_eq!(refs(r"http://ex.com/{N\\ame}"), [r"N\ame"]);
    }

    #[test]
    fn errors() {
        assert_eq!(
            Template::parse("http://ex.com/{Name"),
            Err(TemplateError::Unclosed(15))
        );
        assert_eq!(
            Template::parse("http://ex.com/{{Name}}"),
            Err(TemplateError::Nested(16))
        );
        assert!(matches!(
            Template::parse(r"http://ex.com/{Name\}"),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            Template::parse(r"http://ex.com/{N\ame}"),
            Err(TemplateError::BadEscape(_, 'a'))
        ));
        assert!(matches!(
            Template::parse("a}b"),
            Err(TemplateError::UnexpectedClose(2))
        ));
        assert!(matches!(
            Template::parse("a{}b"),
            Err(TemplateError::EmptyReference(2))
        ));
    }

    #[test]
    fn iri_safe_encoding() {
        let mut s = String::new();
        push_iri_safe(&mut s, "Bolivia, Plurinational State of");
        assert_eq!(s, "Bolivia%2C%20Plurinational%20State%20of");
        s.clear();
        push_iri_safe(&mut s, "http://example.com/company/Alice");
        assert_eq!(s, "http%3A%2F%2Fexample.com%2Fcompany%2FAlice");
        s.clear();
        push_iri_safe(&mut s, "ghita-mezzour_2.0~x");
        assert_eq!(s, "ghita-mezzour_2.0~x");
        s.clear();
        // Non-ASCII letters are iunreserved and stay; a non-breaking space is ucschar too.
        push_iri_safe(&mut s, "Évaluation d’État");
        assert_eq!(s, "Évaluation%20d’État");
        s.clear();
        push_iri_safe(&mut s, "100%");
        assert_eq!(s, "100%25");
    }
}
