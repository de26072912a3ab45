//! A small client of the Wikidata (MediaWiki) API: `wbsearchentities` to find candidates by
//! name, `wbgetentities` for their labels, descriptions and claims.
//!
//! It follows Wikimedia's API etiquette: a User-Agent naming factgraph and its project page
//! ([`USER_AGENT`]), one request at a time, at most a few a second, and retries with
//! exponential backoff (or the server's `Retry-After`) on 429, 5xx, `maxlag` and transport
//! errors. Every successful response is cached on disk, keyed by its URL, so a second run
//! asks nothing of the network and works offline.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde::de::DeserializeSeed;

use super::wikidata::{qid_number, Entity, Filter};

/// The User-Agent of every request factgraph makes (Wikimedia's policy: tool/version and a
/// way to reach its authors).
pub const USER_AGENT: &str = concat!(
    "factgraph/",
    env!("CARGO_PKG_VERSION"),
    " (https://github.com/factgraph/factgraph)"
);

/// Wikidata's API endpoint.
pub const DEFAULT_API: &str = "https://www.wikidata.org/w/api.php";

/// At most this many requests a second to a host other than this machine.
pub const MAX_REMOTE_RATE: f64 = 5.0;

/// `wbgetentities` takes at most 50 ids a request.
const IDS_PER_REQUEST: usize = 50;

/// Errors talking to the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status (after the retries).
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The request.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer.
        body: String,
    },
    /// The server could not be reached (after the retries).
    #[error("cannot reach {} ({message}){}", url.split('?').next().unwrap_or(url), if *tries > 1 { format!(", tried {tries} times") } else { String::new() })]
    Transport {
        /// The request.
        url: String,
        /// What failed.
        message: String,
        /// Attempts made, the first included.
        tries: u32,
    },
    /// The answer is not the JSON the API gives.
    #[error("{url}: unexpected answer: {message}")]
    Answer {
        /// The request.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The API reported an error.
    #[error("{url}: the API says {code}: {info}")]
    Api {
        /// The request.
        url: String,
        /// The error code.
        code: String,
        /// Its explanation.
        info: String,
    },
    /// The cache directory cannot be written.
    #[error("{}: {source}", path.display())]
    Cache {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A failed attempt about to be retried, as told to [`ApiOptions::on_retry`].
#[derive(Debug)]
pub struct RetryNotice<'a> {
    /// What failed.
    pub error: &'a ApiError,
    /// The retry about to be made (1 for the first).
    pub retry: u32,
    /// Retries allowed in all.
    pub retries: u32,
    /// How long the client waits before it.
    pub wait: Duration,
}

impl std::fmt::Display for RetryNotice<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}; retry {} of {} in {:.0} s",
            self.error,
            self.retry,
            self.retries,
            self.wait.as_secs_f64().ceil()
        )
    }
}

/// Called before each retry, e.g. to tell the person waiting (the CLI prints it on stderr).
#[derive(Clone)]
pub struct RetryHook(pub std::sync::Arc<dyn Fn(&RetryNotice<'_>) + Send + Sync>);

impl std::fmt::Debug for RetryHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RetryHook")
    }
}

/// How to reach the API.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The endpoint (`…/w/api.php`).
    pub url: String,
    /// Where responses are cached (`None`: no cache).
    pub cache: Option<PathBuf>,
    /// Requests a second at most (capped at [`MAX_REMOTE_RATE`] unless the host is this
    /// machine).
    pub requests_per_second: f64,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retries after a failed attempt.
    pub retries: u32,
    /// The first backoff; doubled at each retry.
    pub backoff: Duration,
    /// Told of each retry before the wait (`None`: silent).
    pub on_retry: Option<RetryHook>,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            url: DEFAULT_API.to_owned(),
            cache: None,
            requests_per_second: 3.0,
            timeout: Duration::from_secs(30),
            retries: 5,
            backoff: Duration::from_secs(1),
            on_retry: None,
        }
    }
}

/// What a client did.
#[derive(Debug, Clone, Default)]
pub struct ApiStats {
    /// Requests sent (retries included).
    pub requests: u64,
    /// Answers taken from the cache.
    pub cached: u64,
    /// Retries after 429, 5xx or transport errors.
    pub retries: u64,
}

/// The client.
pub struct Api {
    agent: ureq::Agent,
    options: ApiOptions,
    interval: Duration,
    last: Option<Instant>,
    /// What it did so far.
    pub stats: ApiStats,
}

fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    name == "localhost" || name == "::1" || name.starts_with("127.")
}

/// Percent-encodes a query parameter (RFC 3986 unreserved characters kept).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: a stable file name for a cached URL.
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A transport error in words: ureq's `io: Connection refused` without the `io: `.
fn transport_message(e: &ureq::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("io: ").unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}

impl Api {
    /// A client with `options`.
    pub fn new(options: ApiOptions) -> Self {
        let mut rate = options.requests_per_second;
        if rate.is_nan() || rate <= 0.0 {
            rate = 3.0;
        }
        if !is_local(&options.url) {
            rate = rate.min(MAX_REMOTE_RATE);
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .user_agent(USER_AGENT)
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .build()
            .into();
        Api {
            agent,
            interval: Duration::from_secs_f64(1.0 / rate),
            options,
            last: None,
            stats: ApiStats::default(),
        }
    }

    fn url(&self, params: &[(&str, &str)]) -> String {
        let mut url = self.options.url.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        url.push_str(&query.join("&"));
        url
    }

    fn cache_path(&self, url: &str) -> Option<PathBuf> {
        self.options
            .cache
            .as_ref()
            .map(|d| d.join(format!("{:016x}.json", fnv(url))))
    }

    fn cached(&self, url: &str) -> Option<String> {
        let text = fs::read_to_string(self.cache_path(url)?).ok()?;
        let (first, body) = text.split_once('\n')?;
        (first == url).then(|| body.to_owned())
    }

    fn store(&self, url: &str, body: &str) -> Result<(), ApiError> {
        let Some(path) = self.cache_path(url) else {
            return Ok(());
        };
        let err = |source| ApiError::Cache {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension("partial");
        let mut f = fs::File::create(&tmp).map_err(err)?;
        f.write_all(url.as_bytes()).map_err(err)?;
        f.write_all(b"\n").map_err(err)?;
        f.write_all(body.as_bytes()).map_err(err)?;
        drop(f);
        fs::rename(&tmp, &path).map_err(err)
    }

    fn pace(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.interval {
                sleep(self.interval - since);
            }
        }
        self.last = Some(Instant::now());
    }

    /// GETs the API with `params` (`format=json` added) and returns the JSON answer, from the
    /// cache when it has it.
    pub fn get_json(&mut self, params: &[(&str, &str)]) -> Result<serde_json::Value, ApiError> {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("format", "json"));
        let url = self.url(&all);
        if let Some(body) = self.cached(&url) {
            if let Ok(v) = serde_json::from_str(&body) {
                self.stats.cached += 1;
                return Ok(v);
            }
        }
        let mut attempt = 0u32;
        loop {
            self.pace();
            self.stats.requests += 1;
            let outcome = self
                .agent
                .get(&url)
                .header("Accept", "application/json")
                .call();
            let (retry_after, failure) = match outcome {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(120)));
                    let body = response
                        .body_mut()
                        .with_config()
                        .limit(256 << 20)
                        .read_to_string();
                    match (status, body) {
                        (200..=299, Ok(body)) => {
                            let v: serde_json::Value =
                                serde_json::from_str(&body).map_err(|e| ApiError::Answer {
                                    url: url.clone(),
                                    message: e.to_string(),
                                })?;
                            if let Some(err) = v.get("error") {
                                let code = err
                                    .get("code")
                                    .and_then(|c| c.as_str())
                                    .unwrap_or("unknown")
                                    .to_owned();
                                let info = err
                                    .get("info")
                                    .and_then(|c| c.as_str())
                                    .unwrap_or("")
                                    .to_owned();
                                if code == "maxlag" || code == "ratelimited" {
                                    (
                                        retry_after,
                                        ApiError::Api {
                                            url: url.clone(),
                                            code,
                                            info,
                                        },
                                    )
                                } else {
                                    return Err(ApiError::Api { url, code, info });
                                }
                            } else {
                                self.store(&url, &body)?;
                                return Ok(v);
                            }
                        }
                        (429 | 500..=599, body) => (
                            retry_after,
                            ApiError::Status {
                                url: url.clone(),
                                status,
                                body: body.unwrap_or_default().chars().take(200).collect(),
                            },
                        ),
                        (_, body) => {
                            return Err(ApiError::Status {
                                url: url.clone(),
                                status,
                                body: body
                                    .map_err(|e| e.to_string())
                                    .unwrap_or_else(|e| e)
                                    .chars()
                                    .take(200)
                                    .collect(),
                            })
                        }
                    }
                }
                Err(e) => (
                    None,
                    ApiError::Transport {
                        url: url.clone(),
                        message: transport_message(&e),
                        tries: attempt + 1,
                    },
                ),
            };
            if attempt >= self.options.retries {
                return Err(failure);
            }
            let wait = retry_after.unwrap_or(self.options.backoff * 2u32.saturating_pow(attempt));
            attempt += 1;
            if let Some(hook) = &self.options.on_retry {
                (hook.0)(&RetryNotice {
                    error: &failure,
                    retry: attempt,
                    retries: self.options.retries,
                    wait,
                });
            }
            self.stats.retries += 1;
            sleep(wait);
        }
    }

    /// The ids `wbsearchentities` finds for `text` in `language`, best first.
    pub fn search(
        &mut self,
        text: &str,
        language: &str,
        limit: usize,
    ) -> Result<Vec<String>, ApiError> {
        let limit = limit.to_string();
        let v = self.get_json(&[
            ("action", "wbsearchentities"),
            ("search", text),
            ("language", language),
            ("uselang", language),
            ("type", "item"),
            ("limit", &limit),
        ])?;
        let hits = v
            .get("search")
            .and_then(|s| s.as_array())
            .ok_or_else(|| ApiError::Answer {
                url: self.options.url.clone(),
                message: "no `search` array in the wbsearchentities answer".to_owned(),
            })?;
        Ok(hits
            .iter()
            .filter_map(|h| h.get("id").and_then(|i| i.as_str()))
            .filter(|id| qid_number(id).is_some())
            .map(str::to_owned)
            .collect())
    }

    /// The entities `ids` (items), through `filter`, with `wbgetentities`, 50 a request.
    /// Missing items are left out.
    pub fn entities(
        &mut self,
        ids: &[String],
        filter: Filter<'_>,
    ) -> Result<Vec<Entity>, ApiError> {
        let mut out = Vec::new();
        let mut languages: Vec<&str> = filter.langs.iter().map(String::as_str).collect();
        if languages.is_empty() {
            languages.push("en");
        }
        let languages = languages.join("|");
        let props = if filter.langs.is_empty() {
            "claims"
        } else {
            "labels|descriptions|aliases|claims"
        };
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            let joined = chunk.join("|");
            let v = self.get_json(&[
                ("action", "wbgetentities"),
                ("ids", &joined),
                ("props", props),
                ("languages", &languages),
            ])?;
            let entities = v
                .get("entities")
                .and_then(|e| e.as_object())
                .ok_or_else(|| ApiError::Answer {
                    url: self.options.url.clone(),
                    message: "no `entities` object in the wbgetentities answer".to_owned(),
                })?;
            for id in chunk {
                let Some(e) = entities.get(id) else { continue };
                if e.get("missing").is_some() {
                    continue;
                }
                let entity = filter
                    .deserialize(e.clone())
                    .map_err(|err| ApiError::Answer {
                        url: self.options.url.clone(),
                        message: format!("{id}: {err}"),
                    })?;
                out.push(entity);
            }
        }
        Ok(out)
    }

    /// Fills `classes` with the P279 parents of `start` and their ancestors, fetching the
    /// classes it does not know yet level by level (at most `max_classes` in all).
    pub fn climb_classes(
        &mut self,
        start: &[u64],
        classes: &mut HashMap<u64, Vec<u64>>,
        max_classes: usize,
    ) -> Result<(), ApiError> {
        let mut frontier: Vec<u64> = start
            .iter()
            .copied()
            .filter(|c| !classes.contains_key(c))
            .collect();
        frontier.sort_unstable();
        frontier.dedup();
        let properties = ["P279"];
        let filter = Filter {
            langs: &[],
            properties: &properties,
            descriptions: false,
        };
        while !frontier.is_empty() && classes.len() < max_classes {
            let ids: Vec<String> = frontier.iter().map(|c| format!("Q{c}")).collect();
            let found = self.entities(&ids, filter)?;
            for c in &frontier {
                classes.entry(*c).or_default();
            }
            let mut next = Vec::new();
            for e in found {
                let Some(n) = e.number() else { continue };
                let parents: Vec<u64> = e.items("P279").collect();
                for p in &parents {
                    if !classes.contains_key(p) {
                        next.push(*p);
                    }
                }
                classes.insert(n, parents);
            }
            next.sort_unstable();
            next.dedup();
            frontier = next;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_and_encoding() {
        assert!(is_local("http://127.0.0.1:8080/w/api.php"));
        assert!(is_local("http://localhost/api"));
        assert!(is_local("http://[::1]:99/"));
        assert!(!is_local("https://www.wikidata.org/w/api.php"));
        assert_eq!(encode("Ghita Mezzour|é"), "Ghita%20Mezzour%7C%C3%A9");
        assert!(USER_AGENT.starts_with("factgraph/"));
        assert!(USER_AGENT.ends_with("(https://github.com/factgraph/factgraph)"));
    }
}
