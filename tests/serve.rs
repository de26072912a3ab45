//! `factgraph serve` over real HTTP on 127.0.0.1: the SPARQL 1.1 Protocol (GET, POST form,
//! POST sparql-query), content negotiation, read-only, errors, limits, CORS, the service
//! description, the pages and their escaping.

mod common;
mod serve_support;

use common::bundled_store;
use serve_support::{
    assert_svg_texts_apart, enc, get, post, query_path, request, serve, store_with_wikidata, Served,
};

/// A server on the bundled store for one test (killed when the test ends, even by a panic).
fn server() -> Served {
    serve(bundled_store(), &[])
}

const INETUM: &str = "https://w3id.org/factgraph/id/org/inetum";

#[test]
fn ask_is_answered_in_json_and_xml() {
    let s = server();
    let q = query_path("ASK { fgr:org\\/inetum a org:Organization }");
    let json = get(&s.url(&q), "application/sparql-results+json");
    assert_eq!(json.status, 200, "{}", json.body);
    assert!(json
        .content_type
        .starts_with("application/sparql-results+json"));
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON results");
    assert_eq!(value["boolean"], serde_json::Value::Bool(true));

    let xml = get(&s.url(&q), "application/sparql-results+xml");
    assert_eq!(xml.status, 200);
    assert!(xml
        .content_type
        .starts_with("application/sparql-results+xml"));
    assert!(xml.body.contains("<boolean>true</boolean>"), "{}", xml.body);

    let no = get(
        &s.url(&query_path("ASK { ?x schema:name \"Nobody\" }")),
        "application/json",
    );
    assert!(no.body.contains("false"), "{}", no.body);
}

#[test]
fn select_by_post_in_csv_gives_the_competency_answer() {
    let s = server();
    let root = common::root();
    let text = std::fs::read_to_string(root.join("queries/signatories.rq")).expect("query");
    let expected = std::fs::read_to_string(root.join("queries/signatories.csv")).expect("csv");
    let normal = |t: &str| t.replace("\r\n", "\n").trim_end().to_owned();

    let form = post(
        &s.url("/query"),
        "application/x-www-form-urlencoded",
        &format!("query={}", enc(&text)),
        "text/csv",
    );
    assert_eq!(form.status, 200, "{}", form.body);
    assert_eq!(form.content_type, "text/csv; charset=utf-8");
    assert_eq!(normal(&form.body), normal(&expected));

    let direct = post(
        &s.url("/query"),
        "application/sparql-query",
        &text,
        "text/csv",
    );
    assert_eq!(direct.status, 200, "{}", direct.body);
    assert_eq!(normal(&direct.body), normal(&expected));

    let tsv = post(
        &s.url("/query"),
        "application/sparql-query",
        &text,
        "text/tab-separated-values",
    );
    assert!(tsv.content_type.starts_with("text/tab-separated-values"));
    assert!(
        tsv.body.starts_with("?agreement\t?signatory"),
        "{}",
        tsv.body
    );
}

#[test]
fn construct_is_answered_in_turtle_ntriples_and_rdfxml() {
    let s = server();
    let q = query_path(&format!(
        "CONSTRUCT {{ ?c fg:committedBy <{INETUM}> ; schema:name ?n }} \
         WHERE {{ ?c fg:committedBy <{INETUM}> ; schema:name ?n }}"
    ));
    let turtle = get(&s.url(&q), "text/turtle");
    assert_eq!(turtle.status, 200, "{}", turtle.body);
    assert!(turtle.content_type.starts_with("text/turtle"));
    let count = |format: oxigraph::io::RdfFormat, body: &str| {
        oxigraph::io::RdfParser::from_format(format)
            .for_reader(body.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("valid RDF")
            .len()
    };
    let n = count(oxigraph::io::RdfFormat::Turtle, &turtle.body);
    assert!(n >= 8, "{n} triples: {}", turtle.body);
    assert!(turtle.body.contains("@prefix fg:"));

    let nt = get(&s.url(&q), "application/n-triples");
    assert!(nt.content_type.starts_with("application/n-triples"));
    assert_eq!(count(oxigraph::io::RdfFormat::NTriples, &nt.body), n);

    let xml = get(&s.url(&q), "application/rdf+xml");
    assert!(xml.content_type.starts_with("application/rdf+xml"));
    assert_eq!(count(oxigraph::io::RdfFormat::RdfXml, &xml.body), n);

    // A graph cannot be sent as SPARQL results.
    assert_eq!(get(&s.url(&q), "text/csv").status, 406);
}

#[test]
fn a_malformed_query_gets_400_with_the_parsers_message() {
    let s = server();
    let r = get(&s.url(&query_path("SELECT ?x WHERE { ?x ")), "");
    assert_eq!(r.status, 400);
    assert!(r.body.starts_with("SPARQL syntax error"), "{}", r.body);
    assert!(
        r.body.contains("line") || r.body.contains("1:"),
        "{}",
        r.body
    );
    let r = post(
        &s.url("/query"),
        "application/sparql-query",
        "SELECT * WHERE { ?s ?p }",
        "application/json",
    );
    assert_eq!(r.status, 400);
}

#[test]
fn updates_get_403_and_change_nothing() {
    let s = server();
    let count = || {
        get(
            &s.url(&query_path("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")),
            "text/csv",
        )
        .body
    };
    let before = count();
    let update =
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }";
    let r = post(&s.url("/query"), "application/sparql-update", update, "*/*");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("read-only"), "{}", r.body);
    let r = post(
        &s.url("/query"),
        "application/x-www-form-urlencoded",
        &format!("update={}", enc(update)),
        "*/*",
    );
    assert_eq!(r.status, 403);
    assert_eq!(get(&s.url(&query_path(update)), "").status, 403);
    assert_eq!(request("PUT", &s.url("/query")).status, 403);
    assert_eq!(count(), before);
}

#[test]
fn cors_headers_and_preflight() {
    let s = server();
    let r = get(&s.url(&query_path("ASK {}")), "application/json");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let pre = request("OPTIONS", &s.url("/query"));
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(pre
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    assert!(pre
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("Content-Type")));
}

#[test]
fn the_service_description_describes_the_endpoint() {
    let s = server();
    let r = get(&s.url("/query"), "text/turtle");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/turtle"));
    assert!(
        r.body
            .contains(&format!("sd:endpoint <http://{}/query>", s.addr)),
        "{}",
        r.body
    );
    assert!(r.body.contains("sd:SPARQL11Query"));
    assert!(r.body.contains("formats:SPARQL_Results_JSON"));
    let graph = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_reader(r.body.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("valid Turtle");
    assert!(graph.len() > 10);
}

#[test]
fn concurrent_requests_are_all_answered() {
    let s = server();
    let url = s.url(&query_path(
        "SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name",
    ));
    let expected = get(&url, "text/csv").body;
    assert!(expected.contains("Ghita Mezzour"));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| get(&url, "text/csv"))
                    .map(|a| (a.status, a.body))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        for (status, body) in t.join().expect("client thread") {
            assert_eq!(status, 200);
            assert_eq!(body, expected);
        }
    }
}

#[test]
fn results_are_capped_at_max_results() {
    let s = serve(bundled_store(), &["--max-results", "3"]);
    let r = get(
        &s.url(&query_path("SELECT ?s WHERE { ?s ?p ?o }")),
        "application/sparql-results+json",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-sparql-maxrows"), Some("3"));
    let value: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(
        value["results"]["bindings"].as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
fn a_query_past_the_timeout_is_cancelled() {
    let s = serve(bundled_store(), &["--timeout", "0.5"]);
    // Hundreds of quads to the fourth power: far more than half a second of work.
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";
    let r = get(&s.url(&query_path(q)), "application/json");
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("did not finish"), "{}", r.body);
    // The server still answers afterwards.
    assert_eq!(get(&s.url(&query_path("ASK {}")), "").status, 200);
}

#[test]
fn the_home_page_is_an_html_form_with_the_examples() {
    let s = server();
    let r = get(&s.url("/"), "text/html");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r
        .body
        .contains("<form id=\"query-form\" method=\"get\" action=\"/\">"));
    assert!(r.body.contains("<textarea id=\"query\" name=\"query\""));
    for name in [
        "signatories",
        "commitments",
        "inetum-in-morocco",
        "provenance",
    ] {
        assert!(
            r.body.contains(&format!("id=\"example-{name}\"")),
            "example {name} missing"
        );
    }
    assert!(r.header("content-security-policy").is_some());
}

#[test]
fn the_result_page_links_every_resource_to_its_page() {
    let s = server();
    let q =
        "SELECT ?org ?name WHERE { ?org a org:Organization ; schema:name ?name } ORDER BY ?name";
    let r = get(&s.url(&format!("/?query={}", enc(q))), "text/html");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"results-table\""));
    assert!(r
        .body
        .contains(&format!("href=\"/entity?iri={}\"", enc(INETUM))));
    // The editor keeps the query, escaped.
    assert!(r.body.contains("?org a org:Organization"));
    let bad = get(
        &s.url(&format!("/?query={}", enc("SELECT WHERE"))),
        "text/html",
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("id=\"error\""));
}

#[test]
fn the_entity_page_of_inetum_shows_its_facts_sources_and_neighbourhood() {
    let s = server();
    let r = get(&s.url(&format!("/entity?iri={}", enc(INETUM))), "text/html");
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    assert!(b.contains("<h1 id=\"entity-name\">Inetum</h1>"));
    assert!(b.contains("<svg"), "no diagram");
    assert!(b.contains(">committed by</text>") || b.contains(">committedBy</text>"));
    assert!(b.contains("id=\"facts\""));
    assert!(b.contains("Membership"));
    assert!(b.contains("création de 1.500 emplois"));
    assert!(b.contains("<blockquote>"));
    assert!(b.contains("Source: <a href=\"/entity?iri="));
    assert!(b.contains("Jacques Pommeraud"));

    let maroc = get(
        &s.url(&format!(
            "/entity?iri={}",
            enc("https://w3id.org/factgraph/id/place/maroc")
        )),
        "",
    );
    assert!(maroc
        .body
        .contains("href=\"https://www.wikidata.org/wiki/Q1028\""));

    let unknown = get(
        &s.url(&format!("/entity?iri={}", enc("http://example.org/none"))),
        "",
    );
    assert_eq!(unknown.status, 404);
}

fn entity(s: &Served, iri: &str) -> String {
    let r = get(&s.url(&format!("/entity?iri={}", enc(iri))), "text/html");
    assert_eq!(r.status, 200, "{iri}: {}", r.body);
    r.body
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

#[test]
fn entity_pages_show_the_description_and_quantities_with_their_unit() {
    let s = server();
    let inetum = entity(&s, INETUM);
    assert!(inetum.contains(
        "<p class=\"description\" id=\"entity-description\" lang=\"fr\">spécialiste européen des services numériques</p>"
    ));
    // The quantity of a commitment: its value and unit, not its IRI.
    let jobs = entity(
        &s,
        "https://w3id.org/factgraph/id/commitment/emplois-1500-2027",
    );
    let properties =
        between(&jobs, "<section id=\"properties\">", "</section>").expect("properties");
    assert!(
        properties.contains(">1\u{a0}500 emplois</a>"),
        "{properties}"
    );
    assert!(!jobs.contains(">fgr:quantity/emplois-1500<"));
    let money = entity(
        &s,
        "https://w3id.org/factgraph/id/commitment/investissement-50-mdh",
    );
    assert!(money.contains(">&gt; 50\u{a0}000\u{a0}000 MAD</a>"));
    assert!(!money.contains(">fgr:quantity/investissement-50-mdh<"));
    // An aim has no label: its description names it.
    assert!(!money.contains(">fgr:aim/nearshore</a>"));
    assert!(money.contains(">développer le nearshore"));
    let aim = entity(&s, "https://w3id.org/factgraph/id/aim/nearshore");
    assert!(!aim.contains("<h1 id=\"entity-name\">fgr:aim/nearshore</h1>"));
    // Inline in the facts of Inetum's page too.
    let facts = between(&inetum, "<section id=\"facts\">", "</section>").expect("facts");
    assert!(facts.contains("1\u{a0}500 emplois"));
    assert!(facts.contains("3 fois l&#39;effectif"));
    assert!(!facts.contains(">fgr:quantity/"));
}

#[test]
fn property_names_are_english_only() {
    let s = server();
    let jobs = entity(
        &s,
        "https://w3id.org/factgraph/id/commitment/emplois-1500-2027",
    );
    for english in [
        ">committed by<",
        ">commitment kind<",
        ">part of<",
        ">target year<",
        ">location<",
        ">name<",
    ] {
        assert!(jobs.contains(english), "no {english}");
    }
    for french in [
        "engagé par",
        "type d&#39;engagement",
        "fait partie de",
        "année cible",
    ] {
        assert!(!jobs.contains(french), "{french} on the page");
    }
    // No prefixed names as property names either (they are in the tooltips).
    assert!(!jobs.contains(">fg:committedBy<") && !jobs.contains(">schema:location<"));
}

#[test]
fn wikidata_facts_have_their_own_section_with_their_source() {
    let s = serve(store_with_wikidata(), &[]);
    let maroc = entity(&s, "https://w3id.org/factgraph/id/place/maroc");
    let section = between(&maroc, "<section id=\"wikidata-facts\">", "</section>")
        .expect("the Wikidata section");
    for text in [
        ">inception<",
        "1956-03-02",
        ">country<",
        ">official website<",
        "href=\"https://www.maroc.ma/\"",
        ">coordinates<",
        "32.0, -7.0",
        "country in North Africa",
        "Source: Wikidata item <a class=\"wikidata-source\" rel=\"external\" href=\"https://www.wikidata.org/wiki/Q1028\">Q1028</a>",
    ] {
        assert!(section.contains(text), "no {text} in {section}");
    }
    assert!(
        !section.contains("pays d&#39;Afrique du Nord"),
        "one description only"
    );
    // The item's own page names Wikidata's properties in English too.
    let item = entity(&s, "http://www.wikidata.org/entity/Q1028");
    assert!(item.contains(">country</a>") && item.contains(">inception</a>"));
    assert!(!item.contains(">P17</a>"));
    // Without wikidata.nq there is no such section.
    let plain = server();
    assert!(!entity(&plain, "https://w3id.org/factgraph/id/place/maroc")
        .contains("id=\"wikidata-facts\""));
}

#[test]
fn every_bundled_entity_draws_its_diagram_with_labels_apart() {
    let s = server();
    let r = get(
        &s.url(&query_path(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"https://w3id.org/factgraph/\")) }",
        )),
        "text/csv",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut drawn = 0;
    for iri in r
        .body
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let page = entity(&s, iri);
        if let Some(svg) = between(&page, "<svg", "</svg>") {
            assert_svg_texts_apart(svg, iri);
            drawn += 1;
        }
    }
    assert!(drawn >= 30, "only {drawn} diagrams");
}

#[test]
fn crowded_layouts_keep_their_labels_apart_and_inside() {
    use factgraph::serve::svg::{layout, Neighbour};
    for n in [1, 2, 3, 5, 8, 13, 24] {
        let neighbours: Vec<Neighbour> = (0..n)
            .map(|i| Neighbour {
                href: format!("/entity?iri=x{i}"),
                label: format!("Agence Marocaine de Développement {i}"),
                edge: format!("signatory, member, organization {i}"),
                outgoing: i % 3 == 0,
            })
            .collect();
        let l = layout(
            "Agence Marocaine de Développement des Investissements",
            &neighbours,
        );
        let boxes = l.boxes();
        let (vx, vy, vw, vh) = l.view;
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.x >= vx && a.y >= vy && a.x + a.w <= vx + vw && a.y + a.h <= vy + vh);
            for b in &boxes[i + 1..] {
                assert!(!a.intersects(b), "n={n}: {a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn pages_escape_everything_they_echo() {
    let s = server();
    let evil = "<script>alert('x')</script>";
    // In results.
    let q = format!("SELECT ?x WHERE {{ BIND(\"{evil}\" AS ?x) }}");
    let r = get(&s.url(&format!("/?query={}", enc(&q))), "text/html");
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<script"), "{}", r.body);
    assert!(r
        .body
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    // In the editor: a query that tries to close the textarea.
    let q = format!("</textarea>{evil}");
    let r = get(&s.url(&format!("/?query={}", enc(&q))), "text/html");
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("<script"));
    assert!(r.body.contains("&lt;/textarea&gt;&lt;script&gt;"));
    assert_eq!(r.body.matches("</textarea>").count(), 1);
    // In an entity IRI.
    let r = get(
        &s.url(&format!(
            "/entity?iri={}",
            enc(&format!("http://x.org/\">{evil}"))
        )),
        "",
    );
    assert!(r.status == 400 || r.status == 404);
    assert!(!r.body.contains("<script"));
    // In a path.
    let r = get(&s.url(&format!("/{}", enc(evil))), "");
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("<script"));
}

#[test]
fn a_new_load_is_served_without_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let mapping = r#"@prefix rml: <http://w3id.org/rml/> .
@prefix schema: <http://schema.org/> .
<#Things> a rml:TriplesMap ;
  rml:logicalSource [ rml:referenceFormulation rml:CSV ;
      rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "things.csv" ] ] ;
  rml:subjectMap [ rml:template "https://example.org/thing/{id}" ; rml:class schema:Thing ] ;
  rml:predicateObjectMap [ rml:predicate schema:name ; rml:objectMap [ rml:reference "name" ] ] .
"#;
    std::fs::write(data.join("things.rml.ttl"), mapping).expect("mapping");
    std::fs::write(data.join("things.csv"), "id,name\n1,one\n").expect("csv");
    let store = dir.path().join("store.db");
    let load = || {
        common::load_quietly(&store, &data);
    };
    load();
    let s = serve(&store, &[]);
    let names = || {
        get(
            &s.url(&query_path(
                "SELECT ?n WHERE { ?t a schema:Thing ; schema:name ?n } ORDER BY ?n",
            )),
            "text/csv",
        )
        .body
        .replace("\r\n", "\n")
    };
    assert_eq!(names(), "n\none\n");
    std::fs::write(data.join("things.csv"), "id,name\n1,one\n2,two\n").expect("csv");
    load();
    assert_eq!(names(), "n\none\ntwo\n");
}

#[test]
fn the_yasgui_page_and_its_files_come_from_the_server() {
    let s = server();
    let page = get(&s.url("/yasgui"), "text/html");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(page
        .body
        .contains("<script src=\"/assets/yasgui/yasgui.min.js\">"));
    assert!(!page.body.contains("http://cdn") && !page.body.contains("https://cdn"));
    // The built-in examples travel as JSON data.
    assert!(
        page.body.contains("\"name\":\"signatories\""),
        "{}",
        page.body
    );
    for (path, media) in [
        ("/assets/yasgui/yasgui.min.js", "text/javascript"),
        ("/assets/yasgui/yasgui.min.css", "text/css"),
        ("/assets/yasgui/factgraph-yasgui.js", "text/javascript"),
        ("/assets/yasgui/LICENSE", "text/plain"),
    ] {
        let file = get(&s.url(path), "");
        assert_eq!(file.status, 200, "{path}");
        assert!(
            file.content_type.starts_with(media),
            "{path}: {}",
            file.content_type
        );
    }
    // The other pages still run no script.
    let home = get(&s.url("/"), "text/html");
    assert!(!home.body.contains("<script"));
    assert!(home.body.contains("href=\"/yasgui\""));
}

#[test]
fn examples_come_from_the_directory_given() {
    let dir = tempfile::tempdir().expect("examples dir");
    std::fs::write(
        dir.path().join("mine.rq"),
        "# Everything about Inetum.\nSELECT * WHERE { fgr:org\\/inetum ?p ?o }\n",
    )
    .expect("example");
    let examples = dir.path().to_string_lossy().into_owned();
    let s = serve(bundled_store(), &["--examples", &examples]);
    let home = get(&s.url("/"), "text/html");
    assert!(home.body.contains("id=\"example-mine\""), "{}", home.body);
    assert!(home.body.contains("Everything about Inetum."));
    assert!(!home.body.contains("id=\"example-signatories\""));
    let editor = get(&s.url("/?example=mine"), "text/html");
    assert!(
        editor.body.contains("fgr:org\\/inetum ?p ?o"),
        "{}",
        editor.body
    );
    let yasgui = get(&s.url("/yasgui"), "text/html");
    assert!(yasgui.body.contains("\"name\":\"mine\""), "{}", yasgui.body);

    let missing = dir.path().join("absent");
    let out = common::factgraph()
        .args(["serve", "--bind", "127.0.0.1:0", "--examples"])
        .arg(&missing)
        .arg("--store")
        .arg(bundled_store())
        .output()
        .expect("factgraph runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the example queries"));
}
