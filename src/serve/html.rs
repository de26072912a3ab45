//! HTML building blocks of the pages: escaping (every piece of text from the store, the
//! request or a query goes through [`esc`]), the page shell and links to entity pages.

use oxigraph::model::{NamedOrBlankNodeRef, TermRef};

use super::http::encode_component;
use crate::prefixes::compact;

/// Escapes text for HTML (and SVG/XML) element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The address of the entity page of `node` (not escaped for HTML: pass it through [`esc`]).
pub fn entity_href(node: NamedOrBlankNodeRef<'_>) -> String {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => {
            format!("/entity?iri={}", encode_component(n.as_str()))
        }
        NamedOrBlankNodeRef::BlankNode(b) => {
            format!("/entity?bnode={}", encode_component(b.as_str()))
        }
    }
}

/// The address of the query page running `query`.
pub fn query_href(query: &str) -> String {
    format!("/?query={}", encode_component(query))
}

/// A short name for a node when it has no label: `prefix:local`, or the blank node id.
pub fn short_name(node: NamedOrBlankNodeRef<'_>) -> String {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => {
            let c = compact(n.as_str());
            c.strip_prefix('<')
                .and_then(|c| c.strip_suffix('>'))
                .map_or(c.clone(), str::to_owned)
        }
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

/// Writes a literal as HTML: its value, then its language or (non-string) datatype, small.
pub fn literal(term: TermRef<'_>) -> String {
    let TermRef::Literal(l) = term else {
        return String::new();
    };
    let mut out = format!("<span class=\"value\">{}</span>", esc(l.value()));
    if let Some(lang) = l.language() {
        out.push_str(&format!("<span class=\"lang\">@{}</span>", esc(lang)));
    } else {
        let dt = l.datatype().as_str();
        if dt != "http://www.w3.org/2001/XMLSchema#string" {
            out.push_str(&format!(
                "<span class=\"datatype\">{}</span>",
                esc(&compact(dt))
            ));
        }
    }
    out
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d3557;color:#fff;padding:.6em 1.5em;display:flex;gap:1.5em;align-items:baseline}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.15em}
main{padding:1em 1.5em;max-width:1200px}
h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.2em;margin:1.4em 0 .5em;border-bottom:1px solid #d8dee9}
textarea{width:100%;font:13px/1.4 ui-monospace,'DejaVu Sans Mono',monospace;box-sizing:border-box}
button{font-size:1em;padding:.3em 1.2em;margin:.4em 0}
table{border-collapse:collapse;margin:.5em 0;background:#fff}
th,td{border:1px solid #d8dee9;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eef1f6}
a{color:#1d5fa8}
.iri{color:#5c6677;font-size:.82em;margin-left:.4em}
.lang,.datatype{color:#7a8394;font-size:.8em;margin-left:.3em}
.error{background:#fde8e8;border:1px solid #e5a5a5;padding:.6em;white-space:pre-wrap;font-family:ui-monospace,monospace}
.note{color:#5c6677}
.description{font-size:1.05em;color:#2b3445;margin:.1em 0 .5em}
.quantity{font-weight:600}
.wikidata-facts{min-width:24em}
blockquote{margin:.3em 0 .3em 1em;padding:.2em .8em;border-left:3px solid #a8b8d0;color:#2b3445;font-style:italic}
.types a,.chip{display:inline-block;background:#e7eef8;border-radius:3px;padding:0 .4em;margin-right:.3em}
.examples li{margin:.2em 0}
.fact{background:#fff;border:1px solid #d8dee9;padding:.5em .8em;margin:.5em 0}
svg{background:#fff;border:1px solid #d8dee9;max-width:100%;height:auto}
";

/// A whole page: `title` (text, escaped here) and `body` (HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — factgraph</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><a class=\"brand\" href=\"/\">factgraph</a>\
         <a href=\"/\">query</a><a href=\"/yasgui\">YASGUI</a><a href=\"/query\">service description</a></header>\n\
         <main>\n{body}\n</main>\n</body>\n</html>\n",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        let l = Literal::new_language_tagged_literal_unchecked("<b>bold</b>", "fr");
        assert_eq!(
            literal(l.as_ref().into()),
            "<span class=\"value\">&lt;b&gt;bold&lt;/b&gt;</span><span class=\"lang\">@fr</span>"
        );
        let n = NamedNode::new_unchecked("http://example.org/a\"><script>");
        assert_eq!(
            entity_href(n.as_ref().into()),
            "/entity?iri=http%3A%2F%2Fexample.org%2Fa%22%3E%3Cscript%3E"
        );
    }
}
