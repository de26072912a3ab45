//! The pages end to end in headless Chromium (Debian's `chromium`, which `.ci/run` installs):
//! open `/`, run an example through the editor's GET form, follow the link to Inetum's page,
//! check the elements the browser built and take screenshots. Prints SKIPPED when Chromium
//! is absent. Only 127.0.0.1 is reached.

#[macro_use]
mod common;
mod serve_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serve_support::{assert_svg_texts_apart, enc, serve, store_with_wikidata};

/// `$FACTGRAPH_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FACTGRAPH_CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `extra` flags and a fresh profile; returns stdout.
fn run_chromium(binary: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    // A safety net, not an assertion: give up on a browser that hangs (600 × 200 ms).
    let mut finished = false;
    for _ in 0..600 {
        if child.try_wait().ok().flatten().is_some() {
            finished = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if !finished {
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromium did not finish on {url}");
    }
    reader.join().expect("stdout reader")
}

fn dump_dom(binary: &Path, url: &str) -> String {
    let dom = run_chromium(binary, &["--dump-dom".to_owned()], url);
    assert!(dom.contains("<html"), "no DOM for {url}: {dom}");
    dom
}

fn screenshot(binary: &Path, url: &str, file: &Path) {
    let _ = std::fs::remove_file(file);
    run_chromium(binary, &[format!("--screenshot={}", file.display())], url);
    let png = std::fs::read(file).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 10_000, "a suspiciously small screenshot");
    println!("screenshot: {}", file.display());
}

/// Undoes the escaping the DOM serialiser applies to text and attribute values.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

#[test]
fn browse_from_the_editor_to_inetums_page() {
    let Some(binary) = chromium() else {
        skip_notice!(
            "SKIPPED: no chromium (run scripts/setup.sh --test, or set FACTGRAPH_CHROMIUM)"
        );
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let server = serve(common::bundled_store(), &[]);

    // 1. The home page: the editor form and the examples.
    let home = dump_dom(&binary, &server.url("/"));
    assert!(home.contains("<form id=\"query-form\" method=\"get\" action=\"/\">"));
    assert!(home.contains("id=\"example-signatories\""));
    screenshot(&binary, &server.url("/"), &shots.join("home.png"));

    // 2. Open the example in the editor and submit the GET form as the browser would:
    //    the form's action with the textarea's text as `query`.
    let edit_href = between(&home, "(<a href=\"", "\"")
        .map(unescape)
        .expect("an edit link");
    assert!(edit_href.starts_with("/?example="), "{edit_href}");
    let editor = dump_dom(&binary, &server.url("/?example=signatories"));
    let text = between(&editor, "name=\"query\"", "</textarea>")
        .and_then(|t| t.split_once('>').map(|(_, text)| unescape(text)))
        .expect("the editor's textarea");
    assert!(text.contains("fg:signatory"), "{text}");
    let results_url = server.url(&format!("/?query={}", enc(&text)));
    let results = dump_dom(&binary, &results_url);
    assert!(results.contains("id=\"results-table\""), "no results table");
    assert!(results.contains("Ghita Mezzour"));
    assert!(results.contains("<th>signatory</th>"));
    screenshot(&binary, &results_url, &shots.join("results.png"));

    // 3. Follow the link to Inetum's page.
    let inetum_href = format!(
        "/entity?iri={}",
        enc("https://w3id.org/factgraph/id/org/inetum")
    );
    let anchor = format!("<a href=\"{inetum_href}\"");
    assert!(
        results.contains(&anchor),
        "no link to Inetum in the results"
    );
    let page = dump_dom(&binary, &server.url(&inetum_href));

    // 4. Check what the browser built.
    assert!(page.contains("<h1 id=\"entity-name\">Inetum</h1>"));
    assert!(page.contains("<section id=\"neighbourhood\">"));
    let svg = between(&page, "<svg", "</svg>").expect("the neighbourhood diagram");
    assert!(svg.matches("<line").count() >= 5, "too few edges drawn");
    assert!(svg.contains("class=\"edge-label\""));
    assert!(svg.contains("<a class=\"node\" href=\"/entity?iri="));
    let facts = between(&page, "<section id=\"facts\">", "</section>").expect("facts");
    for kind in ["Membership", "Commitment", "Agreement"] {
        assert!(facts.contains(kind), "no {kind} in the facts");
    }
    assert!(facts.contains("<blockquote>"));
    assert!(facts.contains("Source: <a href=\"/entity?iri="));
    assert!(facts.contains("création de 1.500 emplois"));
    assert!(page.contains("id=\"wikidata\""));
    assert!(!page.contains("<script"));
    screenshot(
        &binary,
        &server.url(&inetum_href),
        &shots.join("entity-inetum.png"),
    );

    // 5. From Inetum to Morocco through the diagram: its Wikidata link.
    let maroc = dump_dom(
        &binary,
        &server.url(&format!(
            "/entity?iri={}",
            enc("https://w3id.org/factgraph/id/place/maroc")
        )),
    );
    assert!(maroc.contains("href=\"https://www.wikidata.org/wiki/Q1028\""));
}

/// The text content of an HTML fragment: tags dropped, entities undone.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

#[test]
fn entity_pages_show_descriptions_quantities_english_names_and_wikidata_facts() {
    let Some(binary) = chromium() else {
        skip_notice!(
            "SKIPPED: no chromium (run scripts/setup.sh --test, or set FACTGRAPH_CHROMIUM)"
        );
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let server = serve(store_with_wikidata(), &[]);
    let page_of = |iri: &str| server.url(&format!("/entity?iri={}", enc(iri)));

    // 1. An organisation: its description under the title, English property names, a
    //    diagram whose texts keep apart, quantities inline in its facts.
    let url = page_of("https://w3id.org/factgraph/id/org/inetum");
    let inetum = dump_dom(&binary, &url);
    let after_title = between(&inetum, "</h1>", "<p class=\"iri\"").expect("under the title");
    assert_eq!(
        text_of(after_title),
        "spécialiste européen des services numériques"
    );
    let svg = between(&inetum, "<svg", "</svg>").expect("the diagram");
    assert_svg_texts_apart(svg, "org/inetum");
    let facts = text_of(between(&inetum, "<section id=\"facts\">", "</section>").expect("facts"));
    assert!(facts.contains("quantity: 1\u{a0}500 emplois"), "{facts}");
    assert!(facts.contains("quantity: 3 fois l'effectif"), "{facts}");
    assert!(facts.contains("committed by") && !facts.contains("engagé par"));
    assert!(!facts.contains("fgr:quantity/"));
    assert!(!inetum.contains("<script"));
    screenshot(&binary, &url, &shots.join("entity-organisation.png"));

    // 2. A commitment with a quantity: the value with its unit, not the quantity's IRI.
    let url = page_of("https://w3id.org/factgraph/id/commitment/emplois-1500-2027");
    let jobs = dump_dom(&binary, &url);
    let properties =
        between(&jobs, "<section id=\"properties\">", "</section>").expect("properties");
    let rows: Vec<String> = properties.split("<tr>").skip(2).map(text_of).collect();
    assert!(
        rows.contains(&"quantity1\u{a0}500 emplois".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"committed byInetumfgr:org/inetum".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("target year2027")),
        "{rows:?}"
    );
    for french in ["engagé par", "quantité", "année cible", "type d'engagement"] {
        assert!(!text_of(&jobs).contains(french), "{french} on the page");
    }
    assert!(!text_of(properties).contains("fgr:quantity/emplois-1500"));
    let svg = between(&jobs, "<svg", "</svg>").expect("the diagram");
    assert!(text_of(svg).contains("1\u{a0}500 emplois"));
    assert_svg_texts_apart(svg, "commitment/emplois-1500-2027");
    screenshot(&binary, &url, &shots.join("entity-commitment.png"));
    let url = page_of("https://w3id.org/factgraph/id/commitment/investissement-50-mdh");
    let money = text_of(&dump_dom(&binary, &url));
    assert!(money.contains("> 50\u{a0}000\u{a0}000 MAD"));
    screenshot(&binary, &url, &shots.join("entity-amount.png"));

    // 3. A place linked to Wikidata: the facts enrich copied, with their source.
    let url = page_of("https://w3id.org/factgraph/id/place/maroc");
    let maroc = dump_dom(&binary, &url);
    let section = between(&maroc, "<section id=\"wikidata-facts\">", "</section>")
        .expect("the Wikidata section");
    let text = text_of(section);
    for fact in [
        "inception1956-03-02",
        "countryMoroccowd:Q1028",
        "official websitehttps://www.maroc.ma/",
        "coordinates32.0, -7.0",
        "descriptioncountry in North Africa",
        "Source: Wikidata item Q1028",
    ] {
        assert!(text.contains(fact), "no {fact} in {text}");
    }
    assert!(section.contains("href=\"https://www.wikidata.org/wiki/Q1028\""));
    screenshot(&binary, &url, &shots.join("entity-wikidata.png"));
}

#[test]
fn yasgui_runs_the_examples_of_the_directory_against_query() {
    let Some(binary) = chromium() else {
        skip_notice!(
            "SKIPPED: no chromium (run scripts/setup.sh --test, or set FACTGRAPH_CHROMIUM)"
        );
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let examples = tempfile::tempdir().expect("examples dir");
    std::fs::write(
        examples.path().join("a-people.rq"),
        "# The people, by name.\nSELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name\n",
    )
    .expect("example");
    std::fs::write(
        examples.path().join("b-orgs.rq"),
        "SELECT ?o WHERE { ?o a org:Organization }\n",
    )
    .expect("example");
    std::fs::write(examples.path().join("notes.txt"), "not a query").expect("other file");
    let dir = examples.path().to_string_lossy().into_owned();
    let server = serve(common::bundled_store(), &["--examples", &dir]);

    // /yasgui#run opens one tab per .rq file and runs the first against /query; the page
    // loads YASGUI from the server itself (its CSP allows nothing else).
    let url = server.url("/yasgui#run");
    let budget = "--virtual-time-budget=10000".to_owned();
    let dom = run_chromium(&binary, &["--dump-dom".to_owned(), budget.clone()], &url);
    assert!(dom.contains("class=\"yasgui"), "YASGUI did not start");
    assert!(dom.contains(">a-people<"), "no tab for a-people.rq");
    assert!(dom.contains(">b-orgs<"), "no tab for b-orgs.rq");
    assert!(!dom.contains(">notes<"));
    assert!(
        dom.contains("<table id=\"DataTables_Table_0\""),
        "no results table"
    );
    assert!(
        dom.contains("Ghita Mezzour"),
        "the query's results are not shown"
    );
    let file = shots.join("yasgui.png");
    let _ = std::fs::remove_file(&file);
    run_chromium(
        &binary,
        &[format!("--screenshot={}", file.display()), budget],
        &url,
    );
    assert!(std::fs::read(&file).is_ok_and(|png| png.starts_with(b"\x89PNG")));
    println!("screenshot: {}", file.display());
}
