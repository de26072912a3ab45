//! The competency questions of queries/ and what ../shared/DESIGN.md promises about the bundled data,
//! checked on a store loaded from data/.

#[macro_use]
mod common;

use common::{bundled_store, query, root};

/// Every queries/NAME.rq gives exactly queries/NAME.csv (SPARQL CSV results).
#[test]
fn competency_queries_give_their_expected_answers() {
    let store = bundled_store();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for rq in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
    {
        let expected_path = rq.with_extension("csv");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} has no expected answer {}",
                rq.display(),
                expected_path.display()
            )
        });
        let out = common::factgraph()
            .args(["query", "--format", "csv", "-f"])
            .arg(rq)
            .arg("--store")
            .arg(store)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            rq.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            got.replace("\r\n", "\n").trim_end(),
            expected.replace("\r\n", "\n").trim_end(),
            "{}",
            rq.display()
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} competency queries");
}

fn rows(csv: &str) -> Vec<String> {
    csv.replace("\r\n", "\n")
        .lines()
        .skip(1)
        .map(String::from)
        .collect()
}

#[test]
fn the_four_signatories_with_their_titles_and_organisations() {
    let q = "SELECT ?name ?title ?orgName WHERE {
        ?a a fg:Agreement ; fg:signatory ?p .
        ?p schema:name ?name .
        ?m a org:Membership ; org:member ?p ; org:organization ?org ; schema:roleName ?title .
        ?org schema:name ?orgName .
        FILTER(lang(?orgName) = 'fr' || lang(?orgName) = '')
    } ORDER BY ?name ?orgName";
    let r = rows(&query(bundled_store(), q, "csv"));
    let names: std::collections::BTreeSet<&str> =
        r.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "Ali Seddiki",
            "Ghita Mezzour",
            "Jacques Pommeraud",
            "Mohcine Jazouli"
        ]
    );
    let all = r.join("\n");
    assert!(
        all.contains("président-directeur général du groupe Inetum")
            || all.contains("président-directeur général"),
        "{all}"
    );
    assert!(all.contains("ministre déléguée chargée de la Transition numérique et de la Réforme de l'administration"), "{all}");
    assert!(all.contains("directeur général de l’Agence Marocaine de Développement des Investissements et des Exportations") || all.contains("directeur général"), "{all}");
    let titled = "SELECT ?t WHERE { ?m a org:Membership ; schema:roleName ?t ; org:role ?r . ?r a org:Role ; skos:prefLabel ?l . FILTER(lang(?t) = 'fr') }";
    assert!(rows(&query(bundled_store(), titled, "csv")).len() >= 4);
}

#[test]
fn jobs_investment_and_agreement_facts() {
    let store = bundled_store();
    let jobs = "ASK { ?c a fg:Commitment ; fg:committedBy ?o ; fg:commitmentKind fg:JobCreation ;
        fg:targetYear \"2027\"^^xsd:gYear ; fg:quantity ?q . ?q schema:value ?v . ?o schema:name ?n .
        FILTER(?v = 1500 && str(?n) = 'Inetum') }";
    assert!(
        query(store, jobs, "csv").contains("true"),
        "1,500 jobs by 2027"
    );
    let money = "ASK { ?c a fg:Commitment ; fg:quantity ?q . ?q a schema:MonetaryAmount ;
        schema:minValue ?min ; schema:currency \"MAD\" . FILTER(?min = 50000000) FILTER NOT EXISTS { ?q schema:value ?v } }";
    assert!(
        query(store, money, "csv").contains("true"),
        "more than 50 MDH as a minimum"
    );
    let agreement = "ASK { ?a a fg:Agreement ; fg:agreementType fg:MemorandumOfUnderstanding ;
        schema:startDate \"2024-04\"^^xsd:gYearMonth ; schema:location ?l . ?l owl:sameAs wd:Q3551 }";
    assert!(
        query(store, agreement, "csv").contains("true"),
        "MoU, April 2024, in Rabat"
    );
    for qid in ["Q1028", "Q7903"] {
        let q = format!("ASK {{ ?x owl:sameAs wd:{qid} ; schema:name ?n }}");
        assert!(query(store, &q, "csv").contains("true"), "{qid}");
    }
    let no_day = "ASK { ?x ?p ?d FILTER(datatype(?d) = xsd:date || datatype(?d) = xsd:dateTime) }";
    assert!(
        query(store, no_day, "csv").contains("false"),
        "no invented day"
    );
}

#[test]
fn every_fact_node_has_source_and_verbatim_quote() {
    let article =
        std::fs::read_to_string(root().join("data/sources/inetum-maroc-2024-04.txt")).unwrap();
    let quotes = query(
        bundled_store(),
        "SELECT ?f ?q WHERE { ?f fg:quote ?q } ORDER BY ?f",
        "json",
    );
    let json: serde_json::Value = serde_json::from_str(&quotes).unwrap();
    let bindings = json["results"]["bindings"].as_array().unwrap();
    assert!(bindings.len() >= 15, "only {} quotes", bindings.len());
    for b in bindings {
        let q = b["q"]["value"].as_str().unwrap();
        assert_eq!(b["q"]["xml:lang"].as_str(), Some("fr"), "{q}");
        assert!(
            article.contains(q),
            "not verbatim in the article: {q:?} ({})",
            b["f"]["value"]
        );
    }
    let orphans = "SELECT ?f WHERE { ?f fg:quote ?q FILTER NOT EXISTS { ?f prov:wasDerivedFrom ?s . ?s a schema:NewsArticle } }";
    assert_eq!(
        rows(&query(bundled_store(), orphans, "csv")),
        Vec::<String>::new()
    );
    let unquoted = "SELECT ?f WHERE { VALUES ?c { org:Membership fg:Agreement fg:Commitment } ?f a ?c FILTER NOT EXISTS { ?f fg:quote ?q ; prov:wasDerivedFrom ?s } }";
    assert_eq!(
        rows(&query(bundled_store(), unquoted, "csv")),
        Vec::<String>::new()
    );
}

#[test]
fn the_shared_article_is_the_bundled_copy() {
    // The copy in data/sources is what quotes are checked against; it must be the article.
    let shared = root().join("../shared/sources/inetum-maroc-2024-04.txt");
    if !shared.exists() {
        skip_notice!("SKIPPED: ../shared/sources not present");
        return;
    }
    assert_eq!(
        std::fs::read(shared).unwrap(),
        std::fs::read(root().join("data/sources/inetum-maroc-2024-04.txt")).unwrap()
    );
}
