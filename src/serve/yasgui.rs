//! The YASGUI page (`/yasgui`) and its files (`/assets/yasgui/…`), embedded in the binary:
//! [YASGUI](https://github.com/rdfjs/Yasgui) (`@zazuko/yasgui`, MIT) pointed at `/query`,
//! with one tab per example query. `assets/yasgui/README.md` says where the files come from
//! and how to update them.
//!
//! This is the one page that runs a script; its Content-Security-Policy ([`CSP`]) allows
//! scripts, styles and requests to this server only, and the configuration travels as JSON
//! data, not as inline code.

use super::examples::QueryExample;
use super::http::Response;

/// The version of `@zazuko/yasgui` in `assets/yasgui/`.
pub const VERSION: &str = "4.6.2";

const JS: &[u8] = include_bytes!("../../assets/yasgui/yasgui.min.js");
const CSS: &[u8] = include_bytes!("../../assets/yasgui/yasgui.min.css");
const GLUE: &[u8] = include_bytes!("../../assets/yasgui/factgraph-yasgui.js");
const LICENSE: &[u8] = include_bytes!("../../assets/yasgui/LICENSE");

/// The Content-Security-Policy of the YASGUI page: everything from this server only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The file at `path` under `/assets/yasgui/`, if it is one of them.
pub fn asset(path: &str) -> Option<Response> {
    let (media_type, body) = match path {
        "/assets/yasgui/yasgui.min.js" => ("text/javascript; charset=utf-8", JS),
        "/assets/yasgui/yasgui.min.css" => ("text/css; charset=utf-8", CSS),
        "/assets/yasgui/factgraph-yasgui.js" => ("text/javascript; charset=utf-8", GLUE),
        "/assets/yasgui/LICENSE" => ("text/plain; charset=utf-8", LICENSE),
        _ => return None,
    };
    Some(
        Response::new(200, media_type, body.to_vec())
            .with_header("Cache-Control", "public, max-age=86400"),
    )
}

/// The configuration the page hands to `factgraph-yasgui.js`, as JSON safe to put inside a
/// `<script type="application/json">` element (`<` is escaped, so no `</script>` can end it).
pub fn config_json(examples: &[QueryExample]) -> String {
    let config = serde_json::json!({
        "endpoint": "/query",
        "examples": examples
            .iter()
            .map(|e| serde_json::json!({ "name": e.name, "query": e.text }))
            .collect::<Vec<_>>(),
    });
    config
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The YASGUI page.
pub fn page(examples: &[QueryExample]) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>YASGUI — factgraph</title>\n\
         <link rel=\"stylesheet\" href=\"/assets/yasgui/yasgui.min.css\">\n\
         <style>body{{margin:0;font-family:system-ui,sans-serif}}\
         header{{padding:.5rem 1rem;background:#2e3440}}header a{{color:#eceff4;margin-right:1rem;text-decoration:none}}\
         #yasgui{{padding:0 1rem}}</style>\n</head>\n<body>\n\
         <header><a href=\"/\">factgraph</a><a href=\"/yasgui\">YASGUI</a>\
         <a href=\"/query\">service description</a>\
         <a href=\"/assets/yasgui/LICENSE\">YASGUI {VERSION} (MIT)</a></header>\n\
         <div id=\"yasgui\"></div>\n\
         <noscript><p>This page needs JavaScript; <a href=\"/\">the query page</a> does not.</p></noscript>\n\
         <script type=\"application/json\" id=\"factgraph-yasgui-config\">{}</script>\n\
         <script src=\"/assets/yasgui/yasgui.min.js\"></script>\n\
         <script src=\"/assets/yasgui/factgraph-yasgui.js\"></script>\n\
         </body>\n</html>\n",
        config_json(examples)
    );
    Response::html(200, html).with_header("Content-Security-Policy", CSP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_cannot_end_its_script_element() {
        let json = config_json(&[QueryExample {
            name: "x".into(),
            text: "# </script><script>alert(1)</script> & more".into(),
        }]);
        assert!(!json.contains('<') && !json.contains('>'), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            back["examples"][0]["query"],
            "# </script><script>alert(1)</script> & more"
        );
        assert_eq!(back["endpoint"], "/query");
    }

    #[test]
    fn the_files_are_embedded() {
        assert!(asset("/assets/yasgui/yasgui.min.js").is_some_and(|r| r.body.len() > 100_000));
        assert!(asset("/assets/yasgui/yasgui.min.css").is_some());
        assert!(asset("/assets/yasgui/../../Cargo.toml").is_none());
    }
}
