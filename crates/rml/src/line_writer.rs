//! A fast writer for the line-based RDF formats (N-Triples, N-Quads).
//!
//! `factgraph map` spends most of its time writing terms; this writer appends each quad's
//! bytes to one reused buffer (no formatting machinery, literals scanned once for the four
//! characters that need escaping) and hands the buffer to the output in large blocks.
//! The output is canonical N-Triples / N-Quads as RDF 1.1 defines it.

use std::io::{self, Write};

use oxrdf::{GraphNameRef, LiteralRef, NamedOrBlankNodeRef, QuadRef, TermRef};

const FLUSH_AT: usize = 1 << 16;

/// Writes quads as N-Quads (or N-Triples, dropping graph names) to `W`.
pub struct LineWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    quads: bool,
}

impl<W: Write> LineWriter<W> {
    /// N-Quads when `quads` is true, N-Triples otherwise.
    pub fn new(out: W, quads: bool) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            quads,
        }
    }

    /// Appends one quad; the graph name is written only in N-Quads.
    pub fn write_quad(&mut self, q: QuadRef<'_>) -> io::Result<()> {
        append_quad(&mut self.buf, q, self.quads);
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is buffered and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Appends one quad as an N-Quads line (`quads`) or an N-Triples line (graph name dropped).
pub fn append_quad(b: &mut Vec<u8>, q: QuadRef<'_>, quads: bool) {
    {
        write_subject(b, q.subject);
        b.push(b' ');
        write_iri(b, q.predicate.as_str());
        b.push(b' ');
        write_term(b, q.object);
        if quads {
            match q.graph_name {
                GraphNameRef::DefaultGraph => {}
                GraphNameRef::NamedNode(n) => {
                    b.push(b' ');
                    write_iri(b, n.as_str());
                }
                GraphNameRef::BlankNode(n) => {
                    b.extend_from_slice(b" _:");
                    b.extend_from_slice(n.as_str().as_bytes());
                }
            }
        }
        b.extend_from_slice(b" .\n");
    }
}

fn write_iri(b: &mut Vec<u8>, iri: &str) {
    b.push(b'<');
    b.extend_from_slice(iri.as_bytes());
    b.push(b'>');
}

fn write_subject(b: &mut Vec<u8>, s: NamedOrBlankNodeRef<'_>) {
    match s {
        NamedOrBlankNodeRef::NamedNode(n) => write_iri(b, n.as_str()),
        NamedOrBlankNodeRef::BlankNode(n) => {
            b.extend_from_slice(b"_:");
            b.extend_from_slice(n.as_str().as_bytes());
        }
    }
}

fn write_term(b: &mut Vec<u8>, t: TermRef<'_>) {
    match t {
        TermRef::NamedNode(n) => write_iri(b, n.as_str()),
        TermRef::BlankNode(n) => {
            b.extend_from_slice(b"_:");
            b.extend_from_slice(n.as_str().as_bytes());
        }
        TermRef::Literal(l) => write_literal(b, l),
        #[allow(unreachable_patterns)]
        other => b.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_literal(b: &mut Vec<u8>, l: LiteralRef<'_>) {
    b.push(b'"');
    write_escaped(b, l.value());
    b.push(b'"');
    if let Some(lang) = l.language() {
        b.push(b'@');
        b.extend_from_slice(lang.as_bytes());
    } else if l.datatype() != oxrdf::vocab::xsd::STRING {
        b.extend_from_slice(b"^^");
        write_iri(b, l.datatype().as_str());
    }
}

/// Appends `s` with `"`, `\`, LF and CR as ECHAR and other control characters as UCHAR.
fn write_escaped(b: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F => b"",
            _ => continue,
        };
        b.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            b.extend_from_slice(format!("\\u{c:04X}").as_bytes());
        } else {
            b.extend_from_slice(esc);
        }
        start = i + 1;
    }
    b.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode, Quad};

    fn line(q: &Quad, quads: bool) -> String {
        let mut w = LineWriter::new(Vec::new(), quads);
        w.write_quad(q.as_ref()).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn matches_oxrdf_display_and_parses_back() {
        let s = NamedNode::new_unchecked("http://ex.com/é");
        let p = NamedNode::new_unchecked("http://ex.com/p");
        let g = NamedNode::new_unchecked("http://ex.com/g");
        let objects: Vec<oxrdf::Term> = vec![
            Literal::new_simple_literal("a \"quoted\" \\ line\nnext\r\tend\u{1}").into(),
            Literal::new_language_tagged_literal_unchecked("Maroc", "fr").into(),
            Literal::new_typed_literal("2027", oxrdf::vocab::xsd::G_YEAR).into(),
            BlankNode::new_unchecked("b1").into(),
            s.clone().into(),
        ];
        for o in objects {
            let q = Quad::new(s.clone(), p.clone(), o, g.clone());
            let nq = line(&q, true);
            let parsed: Vec<Quad> = oxttl::NQuadsParser::new()
                .for_slice(nq.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(parsed, vec![q.clone()], "{nq}");
            let nt = line(&q, false);
            assert!(!nt.contains("http://ex.com/g"), "{nt}");
        }
    }
}
