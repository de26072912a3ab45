//! The pages people browse, rendered on the server (no script, no build step): `/`, the
//! query editor with the competency queries as examples and results as a table, and
//! `/entity?iri=…`, what the graph says about one entity.

use std::collections::BTreeMap;

use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term};
use oxigraph::store::Store;

use super::describe::{self, describe, name, term_name, Description};
use super::examples::QueryExample;
use super::html::{entity_href, esc, literal, page, query_href, short_name};
use super::http::{encode_component, Request, Response};
use super::protocol::{evaluate, Outcome, SparqlRequest};
use super::svg::{self, Neighbour};
use super::{Limits, Shared};

/// The query the editor shows when it is given none.
pub const DEFAULT_QUERY: &str =
    "SELECT ?entity ?name WHERE {\n  ?entity schema:name ?name\n}\nORDER BY ?name\nLIMIT 50\n";

/// At most this many neighbours are drawn.
const MAX_NEIGHBOURS: usize = 24;

fn node_of(term: &Term) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        Term::NamedNode(n) => Some(n.as_ref().into()),
        Term::BlankNode(b) => Some(b.as_ref().into()),
        _ => None,
    }
}

/// A link to the page of `node`: a quantity with its value and unit alone; anything else
/// with its label (or description, see [`describe::display_label`]) and its short name
/// beside it, or its short name alone.
fn node_link(store: &Store, node: NamedOrBlankNodeRef<'_>) -> String {
    let short = short_name(node);
    let title = match node {
        NamedOrBlankNodeRef::NamedNode(n) => n.as_str().to_owned(),
        NamedOrBlankNodeRef::BlankNode(_) => short.clone(),
    };
    if let Some(q) = describe::label(store, node)
        .is_none()
        .then(|| describe::quantity(store, node))
        .flatten()
    {
        return format!(
            "<a class=\"quantity\" href=\"{}\" title=\"{}\">{}</a>",
            esc(&entity_href(node)),
            esc(&title),
            esc(&q)
        );
    }
    match describe::display_label(store, node) {
        Some(label) => format!(
            "<a href=\"{}\" title=\"{}\">{}</a><span class=\"iri\">{}</span>",
            esc(&entity_href(node)),
            esc(&title),
            esc(&label),
            esc(&short)
        ),
        None => format!(
            "<a href=\"{}\" title=\"{}\">{}</a>",
            esc(&entity_href(node)),
            esc(&title),
            esc(&short)
        ),
    }
}

/// A term as HTML: nodes link to their page, literals show their language or datatype.
fn term_html(store: &Store, term: &Term) -> String {
    match node_of(term) {
        Some(node) => node_link(store, node),
        None => literal(term.as_ref()),
    }
}

/// A link to the page of a property or class, named in English ([`term_name`]); its
/// `prefix:local` name in the tooltip.
fn vocab_link(store: &Store, iri: &NamedNode) -> String {
    let node = iri.as_ref().into();
    format!(
        "<a href=\"{}\" title=\"{}\">{}</a>",
        esc(&entity_href(node)),
        esc(&short_name(node)),
        esc(&term_name(store, iri.as_ref()))
    )
}

/// `s` with its first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn results_html(store: &Store, outcome: &Outcome, query: &str, limits: &Limits) -> String {
    let mut s = String::new();
    let downloads = |formats: &[(&str, &str)]| {
        let links: Vec<String> = formats
            .iter()
            .map(|(f, label)| {
                format!(
                    "<a href=\"{}\">{label}</a>",
                    esc(&format!(
                        "/query?query={}&format={f}",
                        encode_component(query)
                    ))
                )
            })
            .collect();
        format!("<p class=\"downloads\">Download: {}</p>", links.join(" · "))
    };
    let capped = if outcome.truncated() {
        format!(
            " (cut at {}: the server's --max-results)",
            limits.max_results
        )
    } else {
        String::new()
    };
    match outcome {
        Outcome::Boolean(b) => {
            s.push_str(&format!(
                "<p id=\"boolean\" class=\"boolean\"><strong>{b}</strong></p>"
            ));
            s.push_str(&downloads(&[("json", "JSON"), ("xml", "XML")]));
        }
        Outcome::Solutions {
            variables, rows, ..
        } => {
            s.push_str(&format!(
                "<p class=\"note\" id=\"count\">{} row{}{capped}</p>",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            ));
            s.push_str("<table id=\"results-table\" class=\"results\"><thead><tr>");
            for v in variables {
                s.push_str(&format!("<th>{}</th>", esc(v.as_str())));
            }
            s.push_str("</tr></thead><tbody>");
            for row in rows {
                s.push_str("<tr>");
                for v in variables {
                    s.push_str("<td>");
                    if let Some(t) = row.get(v) {
                        s.push_str(&term_html(store, t));
                    }
                    s.push_str("</td>");
                }
                s.push_str("</tr>");
            }
            s.push_str("</tbody></table>");
            s.push_str(&downloads(&[
                ("json", "JSON"),
                ("xml", "XML"),
                ("csv", "CSV"),
                ("tsv", "TSV"),
            ]));
        }
        Outcome::Graph { triples, .. } => {
            s.push_str(&format!(
                "<p class=\"note\" id=\"count\">{} triple{}{capped}</p>",
                triples.len(),
                if triples.len() == 1 { "" } else { "s" }
            ));
            s.push_str(
                "<table id=\"results-table\" class=\"results\"><thead><tr>\
                 <th>subject</th><th>predicate</th><th>object</th></tr></thead><tbody>",
            );
            for t in triples {
                s.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    node_link(store, t.subject.as_ref()),
                    vocab_link(store, &t.predicate),
                    term_html(store, &t.object)
                ));
            }
            s.push_str("</tbody></table>");
            s.push_str(&downloads(&[
                ("turtle", "Turtle"),
                ("ntriples", "N-Triples"),
                ("rdfxml", "RDF/XML"),
            ]));
        }
    }
    s
}

/// `/`: the editor; with `query=…` it also runs the query and shows the results; with
/// `example=NAME` it fills the editor with that example (one of `examples`).
pub fn home(
    snapshot: &Shared,
    request: &Request,
    limits: &Limits,
    examples: &[QueryExample],
) -> Response {
    let store = snapshot.store();
    let query = request.param("query").filter(|q| !q.trim().is_empty());
    let example = request.param("example");
    let text = query
        .clone()
        .or_else(|| {
            example
                .as_deref()
                .and_then(|name| examples.iter().find(|e| e.name == name))
                .map(|e| e.text.clone())
        })
        .unwrap_or_else(|| DEFAULT_QUERY.to_owned());
    let mut status = 200;
    let mut body = String::from(
        "<h1>Query the graph</h1>\n<p class=\"note\">SPARQL 1.1; the prefixes <code>fg:</code> \
         <code>fgr:</code> <code>org:</code> <code>schema:</code> <code>prov:</code> \
         <code>dcterms:</code> <code>skos:</code> <code>owl:</code> <code>wd:</code> <code>rdfs:</code> \
         <code>xsd:</code> … are predeclared; the default graph is the union of all graphs. \
         Programs can use the endpoint <a href=\"/query\">/query</a> (SPARQL 1.1 Protocol).</p>\n",
    );
    body.push_str(&format!(
        "<form id=\"query-form\" method=\"get\" action=\"/\">\
         <textarea id=\"query\" name=\"query\" rows=\"16\" spellcheck=\"false\">{}</textarea>\
         <br><button type=\"submit\" id=\"run\">Run</button></form>\n",
        esc(&text)
    ));
    if let Some(q) = &query {
        body.push_str("<section id=\"results\"><h2>Results</h2>");
        match evaluate(
            snapshot,
            &SparqlRequest {
                query: q.clone(),
                ..SparqlRequest::default()
            },
            limits,
        ) {
            Ok(outcome) => body.push_str(&results_html(store, &outcome, q, limits)),
            Err(e) => {
                status = e.status();
                body.push_str(&format!(
                    "<p class=\"error\" id=\"error\">{}</p>",
                    esc(&e.to_string())
                ));
            }
        }
        body.push_str("</section>\n");
    }
    body.push_str(
        "<section id=\"examples\"><h2>Examples</h2>\
         <p class=\"note\">The competency questions of the project: run one, or open it in the editor.</p>\
         <ul class=\"examples\">",
    );
    for e in examples {
        body.push_str(&format!(
            "<li><a class=\"example\" id=\"example-{name}\" href=\"{run}\">{name}</a> — {desc} \
             (<a href=\"{edit}\">edit</a>)</li>",
            name = esc(&e.name),
            run = esc(&query_href(&e.text)),
            desc = esc(&e.description()),
            edit = esc(&format!("/?example={}", encode_component(&e.name))),
        ));
    }
    body.push_str("</ul></section>\n");
    Response::html(status, page("SPARQL", &body))
}

fn error_page(status: u16, title: &str, message: &str) -> Response {
    Response::html(
        status,
        page(
            title,
            &format!(
                "<h1>{}</h1><p class=\"error\" id=\"error\">{}</p>",
                esc(title),
                esc(message)
            ),
        ),
    )
}

/// A page for a path that does not exist.
pub fn not_found(path: &str) -> Response {
    error_page(
        404,
        "Not found",
        &format!("nothing is served at {path}; try / or /query"),
    )
}

/// `/entity?iri=…` (or `?bnode=…`): the page of one entity.
pub fn entity(store: &Store, request: &Request) -> Response {
    let node: NamedOrBlankNode = if let Some(iri) = request.param("iri") {
        match NamedNode::new(iri.as_str()) {
            Ok(n) => n.into(),
            Err(e) => return error_page(400, "Not an IRI", &format!("{iri}: {e}")),
        }
    } else if let Some(id) = request.param("bnode") {
        match BlankNode::new(id.as_str()) {
            Ok(b) => b.into(),
            Err(e) => return error_page(400, "Not a blank node", &format!("{id}: {e}")),
        }
    } else {
        return error_page(400, "Which entity?", "give ?iri=IRI (or ?bnode=ID)");
    };
    let d = match describe(store, node.as_ref()) {
        Ok(d) => d,
        Err(e) => return error_page(500, "Store error", &e.to_string()),
    };
    if d.is_empty() {
        return error_page(
            404,
            "Unknown entity",
            &format!("the graph says nothing about {}", short_name(node.as_ref())),
        );
    }
    let title = name(store, node.as_ref());
    Response::html(200, page(&title, &entity_body(store, &d, &title)))
}

fn neighbours(store: &Store, d: &Description) -> (Vec<Neighbour>, usize) {
    // (node, outgoing) → property names, in first-seen order.
    let mut order: Vec<(NamedOrBlankNode, bool)> = Vec::new();
    let mut edges: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut add = |node: NamedOrBlankNode, outgoing: bool, p: &NamedNode| {
        let key = (node, outgoing);
        let i = order.iter().position(|k| *k == key).unwrap_or_else(|| {
            order.push(key);
            order.len() - 1
        });
        let label = term_name(store, p.as_ref());
        let names = edges.entry(i).or_default();
        if !names.contains(&label) {
            names.push(label);
        }
    };
    for (p, o) in &d.properties {
        if let Some(n) = node_of(o) {
            add(n.into_owned(), true, p);
        }
    }
    for (s, p) in &d.incoming {
        add(s.clone(), false, p);
    }
    let hidden = order.len().saturating_sub(MAX_NEIGHBOURS) + usize::from(d.incoming_truncated);
    let drawn = order
        .iter()
        .take(MAX_NEIGHBOURS)
        .enumerate()
        .map(|(i, (node, outgoing))| Neighbour {
            href: entity_href(node.as_ref()),
            label: name(store, node.as_ref()),
            edge: edges.get(&i).map(|e| e.join(", ")).unwrap_or_default(),
            outgoing: *outgoing,
        })
        .collect();
    (drawn, hidden)
}

fn sources_html(store: &Store, sources: &[NamedOrBlankNode]) -> String {
    if sources.is_empty() {
        return String::new();
    }
    let links: Vec<String> = sources
        .iter()
        .map(|s| node_link(store, s.as_ref()))
        .collect();
    format!("<p class=\"source\">Source: {}</p>", links.join("; "))
}

/// The address of a Wikidata item's page.
fn wikidata_href(q: &str) -> String {
    format!("https://www.wikidata.org/wiki/{}", encode_component(q))
}

/// A value copied from Wikidata as HTML: items link to their page here when the store
/// knows them, else to Wikidata; websites are external links; points are `lat, lon`.
fn wikidata_value(store: &Store, value: &Term) -> String {
    match value {
        Term::NamedNode(n) => {
            if let Some(q) = n.as_str().strip_prefix("http://www.wikidata.org/entity/") {
                match describe::label(store, n.as_ref().into()) {
                    Some(label) => format!(
                        "<a href=\"{}\">{}</a><span class=\"iri\">wd:{}</span>",
                        esc(&entity_href(n.as_ref().into())),
                        esc(&label),
                        esc(q)
                    ),
                    None => format!(
                        "<a rel=\"external\" href=\"{}\">wd:{}</a>",
                        esc(&wikidata_href(q)),
                        esc(q)
                    ),
                }
            } else {
                format!("<a rel=\"external\" href=\"{0}\">{0}</a>", esc(n.as_str()))
            }
        }
        Term::Literal(l) if l.datatype().as_str().ends_with("#wktLiteral") => {
            let point = l
                .value()
                .trim()
                .strip_prefix("Point(")
                .and_then(|p| p.strip_suffix(')'))
                .and_then(|p| p.split_once(' '));
            match point {
                Some((lon, lat)) => format!(
                    "<span class=\"value\">{}, {}</span><span class=\"datatype\">lat, lon</span>",
                    esc(lat.trim()),
                    esc(lon.trim())
                ),
                None => literal(value.as_ref()),
            }
        }
        _ => term_html(store, value),
    }
}

/// The facts `enrich` copied from Wikidata, item by item, each with its source.
fn wikidata_html(store: &Store, d: &Description) -> String {
    if d.wikidata_facts.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<section id=\"wikidata-facts\"><h2>From Wikidata</h2>\
         <p class=\"note\">Copied by <code>factgraph enrich</code> into the graph \
         <code>",
    );
    s.push_str(&esc(crate::enrich::GRAPH));
    s.push_str("</code>, apart from the curated facts.</p>");
    for q in &d.wikidata {
        let facts: Vec<_> = d.wikidata_facts.iter().filter(|(i, _, _)| i == q).collect();
        if facts.is_empty() {
            continue;
        }
        s.push_str("<table class=\"wikidata-facts\"><tbody>");
        for (_, p, o) in facts {
            let name = describe::WIKIDATA_PROPERTIES
                .iter()
                .find(|(x, _)| *x == p.as_str())
                .map_or_else(|| term_name(store, p.as_ref()), |(_, n)| (*n).to_owned());
            s.push_str(&format!(
                "<tr><th title=\"{}\">{}</th><td>{}</td></tr>",
                esc(&short_name(p.as_ref().into())),
                esc(&name),
                wikidata_value(store, o)
            ));
        }
        s.push_str(&format!(
            "</tbody></table><p class=\"source\">Source: Wikidata item \
             <a class=\"wikidata-source\" rel=\"external\" href=\"{}\">{}</a></p>",
            esc(&wikidata_href(q)),
            esc(q)
        ));
    }
    s.push_str("</section>");
    s
}

fn entity_body(store: &Store, d: &Description, title: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "<article id=\"entity\"><h1 id=\"entity-name\">{}</h1>",
        esc(title)
    ));
    let iri = match &d.node {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    };
    if let Some(text) = d.description.as_ref().filter(|t| t.value().trim() != title) {
        s.push_str(&format!(
            "<p class=\"description\" id=\"entity-description\"{}>{}</p>",
            text.language()
                .map(|l| format!(" lang=\"{}\"", esc(l)))
                .unwrap_or_default(),
            esc(text.value())
        ));
    }
    s.push_str(&format!(
        "<p class=\"iri\" id=\"entity-iri\"><code>{}</code></p>",
        esc(&iri)
    ));
    if !d.types.is_empty() {
        let types: Vec<String> = d.types.iter().map(|t| vocab_link(store, t)).collect();
        s.push_str(&format!(
            "<p class=\"types\" id=\"types\">Types: {}</p>",
            types.join(" ")
        ));
    }
    if d.wikidata.is_empty() {
        s.push_str(
            "<p id=\"wikidata\" class=\"note\">Wikidata: not linked (<code>factgraph link</code> \
             proposes candidates).</p>",
        );
    } else {
        let links: Vec<String> = d
            .wikidata
            .iter()
            .map(|q| {
                format!(
                    "<a class=\"wikidata\" rel=\"external\" href=\"{}\">{}</a>",
                    esc(&wikidata_href(q)),
                    esc(q)
                )
            })
            .collect();
        s.push_str(&format!(
            "<p id=\"wikidata\">Wikidata: {}</p>",
            links.join(", ")
        ));
    }
    s.push_str(&wikidata_html(store, d));
    if !d.labels.is_empty() {
        s.push_str("<section id=\"labels\"><h2>Labels</h2><table>");
        for (p, l) in &d.labels {
            s.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                vocab_link(store, p),
                literal(l.as_ref().into())
            ));
        }
        s.push_str("</table></section>");
    }
    if !d.quotes.is_empty() {
        s.push_str("<section id=\"quote\"><h2>In the source's words</h2>");
        for q in &d.quotes {
            s.push_str(&format!("<blockquote>{}</blockquote>", esc(q.value())));
        }
        s.push_str(&sources_html(store, &d.sources));
        s.push_str("</section>");
    }
    let (drawn, hidden) = neighbours(store, d);
    if !drawn.is_empty() {
        s.push_str("<section id=\"neighbourhood\"><h2>Neighbourhood</h2>");
        s.push_str(&svg::diagram(title, &drawn, hidden));
        s.push_str("</section>");
    }
    if !d.facts.is_empty() {
        s.push_str("<section id=\"facts\"><h2>Takes part in</h2>");
        let mut groups: BTreeMap<String, Vec<&describe::Fact>> = BTreeMap::new();
        for f in &d.facts {
            let kind = f.types.first().map_or_else(
                || "Fact".to_owned(),
                |t| capitalised(&term_name(store, t.as_ref())),
            );
            groups.entry(kind).or_default().push(f);
        }
        for (kind, facts) in &groups {
            s.push_str(&format!(
                "<h3>{} <span class=\"note\">({})</span></h3>",
                esc(kind),
                facts.len()
            ));
            for f in facts {
                s.push_str(&format!(
                    "<div class=\"fact\"><p>{} <span class=\"chip\">{}</span></p>",
                    node_link(store, f.node.as_ref()),
                    esc(&term_name(store, f.role.as_ref()))
                ));
                if !f.links.is_empty() {
                    let links: Vec<String> = f
                        .links
                        .iter()
                        .map(|(p, o)| {
                            format!(
                                "{}: {}",
                                esc(&term_name(store, p.as_ref())),
                                node_link(store, o.as_ref())
                            )
                        })
                        .collect();
                    s.push_str(&format!("<p class=\"links\">{}</p>", links.join(" · ")));
                }
                for q in &f.quotes {
                    s.push_str(&format!("<blockquote>{}</blockquote>", esc(q.value())));
                }
                s.push_str(&sources_html(store, &f.sources));
                s.push_str("</div>");
            }
        }
        s.push_str("</section>");
    }
    if !d.properties.is_empty() {
        s.push_str(
            "<section id=\"properties\"><h2>Properties</h2><table>\
             <thead><tr><th>property</th><th>value</th></tr></thead><tbody>",
        );
        let mut i = 0;
        while i < d.properties.len() {
            let p = &d.properties[i].0;
            let mut values = Vec::new();
            while i < d.properties.len() && d.properties[i].0 == *p {
                values.push(term_html(store, &d.properties[i].1));
                i += 1;
            }
            s.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                vocab_link(store, p),
                values.join("<br>")
            ));
        }
        s.push_str("</tbody></table></section>");
    }
    if !d.incoming.is_empty() {
        s.push_str(
            "<section id=\"incoming\"><h2>Referenced by</h2><table>\
             <thead><tr><th>subject</th><th>property</th></tr></thead><tbody>",
        );
        for (subject, p) in &d.incoming {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                node_link(store, subject.as_ref()),
                vocab_link(store, p)
            ));
        }
        s.push_str("</tbody></table>");
        if d.incoming_truncated {
            s.push_str(&format!(
                "<p class=\"note\">Only the first {} are listed.</p>",
                describe::MAX_INCOMING
            ));
        }
        s.push_str("</section>");
    }
    if let NamedOrBlankNode::NamedNode(n) = &d.node {
        s.push_str(&format!(
            "<p><a id=\"describe\" href=\"{}\">DESCRIBE in the query editor</a></p>",
            esc(&query_href(&format!("DESCRIBE <{}>", n.as_str())))
        ));
    }
    s.push_str("</article>");
    s
}
