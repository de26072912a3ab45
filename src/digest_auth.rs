//! HTTP Digest access authentication (RFC 7616, and RFC 2617's form without `qop`), the client
//! side: reading a server's `WWW-Authenticate: Digest …` challenge and answering it with an
//! `Authorization` header. `push` uses it for servers that take no Basic credentials, such as
//! Virtuoso's `/sparql-graph-crud-auth`.
//!
//! Supported: algorithms `MD5`, `MD5-sess`, `SHA-256`, `SHA-256-sess`; `qop="auth"` or no
//! `qop`. Not supported: `qop="auth-int"` alone (the body's hash) and `userhash`.

use md5::Md5;
use sha2::{Digest as _, Sha256};

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The header holds no Digest challenge.
    #[error("no Digest challenge in `{0}`")]
    NoChallenge(String),
    /// A parameter the challenge needs is missing.
    #[error("the Digest challenge has no `{0}`")]
    Missing(&'static str),
    /// The hash algorithm is not one of MD5 and SHA-256 (with or without `-sess`).
    #[error("the Digest challenge asks for the algorithm `{0}`, not MD5 or SHA-256")]
    Algorithm(String),
    /// The server only offers protections this client does not implement.
    #[error("the Digest challenge only offers qop `{0}` (only `auth` is supported)")]
    Qop(String),
}

/// The hash of a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha256,
}

/// A server's Digest challenge, and the count of requests answered with its nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    /// The algorithm's name as the server wrote it, sent back as is.
    algorithm_name: Option<String>,
    session: bool,
    /// `Some("auth")` when the server offers it, `None` for the legacy form without qop.
    qop_auth: bool,
    /// Whether the server said the previous nonce was stale (the credentials were right).
    pub stale: bool,
    nonce_count: u32,
}

/// Splits `header` into its challenges' schemes and parameters. A header may carry several
/// challenges (`Basic realm="x", Digest realm="y", nonce="z"`): a token followed by a space
/// (not by `=`) starts a new one.
fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize, pred: &dyn Fn(u8) -> bool| {
        while *i < bytes.len() && pred(bytes[*i]) {
            *i += 1;
        }
    };
    let is_token = |b: u8| !b" \t,=\"".contains(&b);
    while i < bytes.len() {
        skip(&mut i, &|b| b == b' ' || b == b'\t' || b == b',');
        let start = i;
        skip(&mut i, &is_token);
        if start == i {
            // A stray character: step over it.
            i += 1;
            continue;
        }
        let token = &header[start..i];
        let mut j = i;
        skip(&mut j, &|b| b == b' ' || b == b'\t');
        if j < bytes.len() && bytes[j] == b'=' && !out.is_empty() {
            // name=value of the current challenge (token68 values are not used by Digest).
            i = j + 1;
            skip(&mut i, &|b| b == b' ' || b == b'\t');
            let value = if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
                let mut v = String::new();
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    let ch_len = header[i..].chars().next().map_or(1, char::len_utf8);
                    v.push_str(&header[i..i + ch_len]);
                    i += ch_len;
                }
                i += 1;
                v
            } else {
                let s = i;
                skip(&mut i, &|b| b != b',' && b != b' ' && b != b'\t');
                header[s..i].to_owned()
            };
            if let Some((_, params)) = out.last_mut() {
                params.push((token.to_ascii_lowercase(), value));
            }
        } else {
            out.push((token.to_owned(), Vec::new()));
        }
    }
    out
}

impl Challenge {
    /// Reads the Digest challenge of one `WWW-Authenticate` header value.
    pub fn parse(header: &str) -> Result<Challenge, DigestError> {
        let (_, params) = challenges(header)
            .into_iter()
            .find(|(scheme, _)| scheme.eq_ignore_ascii_case("digest"))
            .ok_or_else(|| DigestError::NoChallenge(header.chars().take(200).collect()))?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let realm = get("realm").ok_or(DigestError::Missing("realm"))?;
        let nonce = get("nonce").ok_or(DigestError::Missing("nonce"))?;
        let algorithm_name = get("algorithm");
        let name = algorithm_name
            .as_deref()
            .unwrap_or("MD5")
            .to_ascii_uppercase();
        let (base, session) = match name.strip_suffix("-SESS") {
            Some(b) => (b.to_owned(), true),
            None => (name.clone(), false),
        };
        let algorithm = match base.as_str() {
            "MD5" => Algorithm::Md5,
            "SHA-256" => Algorithm::Sha256,
            _ => return Err(DigestError::Algorithm(name)),
        };
        let qop_auth = match get("qop") {
            None => false,
            Some(q) => {
                if q.split(',').any(|o| o.trim().eq_ignore_ascii_case("auth")) {
                    true
                } else {
                    return Err(DigestError::Qop(q));
                }
            }
        };
        Ok(Challenge {
            realm,
            nonce,
            opaque: get("opaque"),
            algorithm,
            algorithm_name,
            session,
            qop_auth,
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
            nonce_count: 0,
        })
    }

    /// The first Digest challenge among several `WWW-Authenticate` values, if any.
    pub fn from_headers<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
        values.into_iter().find_map(|v| Challenge::parse(v).ok())
    }

    fn hash(&self, data: &str) -> String {
        let bytes: Vec<u8> = match self.algorithm {
            Algorithm::Md5 => Md5::digest(data.as_bytes()).to_vec(),
            Algorithm::Sha256 => Sha256::digest(data.as_bytes()).to_vec(),
        };
        hex(&bytes)
    }

    /// The `Authorization` header value for `method` on `uri` (the request target: path and
    /// query, as sent), with a fresh client nonce. Each call counts one more use of the
    /// server's nonce.
    pub fn authorization(&mut self, method: &str, uri: &str, user: &str, password: &str) -> String {
        let mut random = [0u8; 16];
        let cnonce = match getrandom::fill(&mut random) {
            Ok(()) => hex(&random),
            // No system randomness: still unique per request, if guessable.
            Err(_) => self.hash(&format!(
                "{}:{}:{:?}",
                self.nonce,
                self.nonce_count,
                std::time::SystemTime::now()
            )),
        };
        self.authorization_with(method, uri, user, password, &cnonce)
    }

    /// [`Challenge::authorization`] with a given client nonce (for tests against known answers).
    pub fn authorization_with(
        &mut self,
        method: &str,
        uri: &str,
        user: &str,
        password: &str,
        cnonce: &str,
    ) -> String {
        self.nonce_count = self.nonce_count.wrapping_add(1);
        let nc = format!("{:08x}", self.nonce_count);
        let mut ha1 = self.hash(&format!("{user}:{}:{password}", self.realm));
        if self.session {
            ha1 = self.hash(&format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = self.hash(&format!("{method}:{uri}"));
        let response = if self.qop_auth {
            self.hash(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", self.nonce))
        } else {
            self.hash(&format!("{ha1}:{}:{ha2}", self.nonce))
        };
        let mut header = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{response}\"",
            quote(user),
            quote(&self.realm),
            quote(&self.nonce),
            quote(uri)
        );
        if let Some(a) = &self.algorithm_name {
            header.push_str(&format!(", algorithm={a}"));
        }
        if self.qop_auth {
            header.push_str(&format!(
                ", qop=auth, nc={nc}, cnonce=\"{}\"",
                quote(cnonce)
            ));
        }
        if let Some(o) = &self.opaque {
            header.push_str(&format!(", opaque=\"{}\"", quote(o)));
        }
        header
    }
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// A quoted-string's content: `"` and `\` escaped.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The request target of `url` (`/path?query`), as Digest's `uri` names it.
pub fn request_target(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_owned(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616 §3.9.1's example, MD5 and SHA-256.
    #[test]
    fn rfc_7616_examples() {
        let header = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
            algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
            opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
        let mut c = Challenge::parse(header).expect("a challenge");
        let a = c.authorization_with(
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle of Life",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(
            a.contains("response=\"8ca523f5e9506fed4657c9700eebdbec\""),
            "{a}"
        );
        assert!(a.contains("nc=00000001"), "{a}");
        let header = header.replace("algorithm=MD5", "algorithm=SHA-256");
        let mut c = Challenge::parse(&header).expect("a challenge");
        let a = c.authorization_with(
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle of Life",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(
            a.contains(
                "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
            ),
            "{a}"
        );
        // The nonce count goes up with each use.
        let b = c.authorization_with("GET", "/", "u", "p", "x");
        assert!(b.contains("nc=00000002"), "{b}");
    }

    /// RFC 2617 §3.5's example (MD5, qop=auth).
    #[test]
    fn rfc_2617_example() {
        let mut c = Challenge::parse(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .expect("a challenge");
        let a = c.authorization_with(
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle Of Life",
            "0a4f113b",
        );
        assert!(
            a.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{a}"
        );
        assert!(
            a.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
            "{a}"
        );
    }

    #[test]
    fn challenges_among_others_and_refusals() {
        let c = Challenge::parse(
            "Basic realm=\"x\", Digest realm=\"SPARQL\", domain=\"/sparql-graph-crud-auth\", \
             nonce=\"076b\", opaque=\"5ebe\", stale=\"true\", qop=\"auth\", algorithm=\"MD5\"",
        )
        .expect("the Digest one");
        assert_eq!(c.realm, "SPARQL");
        assert!(c.stale);
        assert_eq!(
            Challenge::parse("Basic realm=\"x\""),
            Err(DigestError::NoChallenge("Basic realm=\"x\"".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""),
            Err(DigestError::Qop("auth-int".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"),
            Err(DigestError::Algorithm("SHA-512-256".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"r\""),
            Err(DigestError::Missing("nonce"))
        );
    }

    #[test]
    fn request_targets() {
        assert_eq!(
            request_target("http://127.0.0.1:8890/sparql-graph-crud-auth?graph=a%3Ab"),
            "/sparql-graph-crud-auth?graph=a%3Ab"
        );
        assert_eq!(request_target("http://h:1"), "/");
        assert_eq!(request_target("http://h?default"), "/?default");
    }
}
