//! A lexical look at SPARQL text, for messages and display only (the parser is spargebra's):
//! the prefixes a query declares and uses, with their positions; the order in which its
//! variables first appear (`SELECT *`); whether it starts like an update.
//!
//! Comments, strings and `<IRI>`s are skipped, so what they contain is never taken for a
//! prefix or a variable.

/// A token of SPARQL text that matters here, with its 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A keyword or other bare word (`SELECT`, `a`, `true`, a number).
    Word(String, Position),
    /// A variable (`?x` or `$x`), without its sigil.
    Variable(String, Position),
    /// A prefixed name or bare namespace (`schema:name`, `fg:`): its prefix, without `:`.
    Prefixed(String, Position),
    /// Any other character outside comments, strings and IRIs (`*`, `{`, `.`).
    Punct(char, Position),
}

/// A place in the text: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Splits `text` into [`Token`]s, skipping whitespace, comments, strings and IRIs.
pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut column) = (0, 1, 1);
    // Moves past `n` characters, keeping line and column.
    let advance = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if *i >= chars.len() {
                return;
            }
            if chars[*i] == '\n' {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    let is_name = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{00B7}');
    let is_var = |c: char| c.is_alphanumeric() || matches!(c, '_' | '\u{00B7}');
    while i < chars.len() {
        let c = chars[i];
        let here = Position { line, column };
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut column, 1);
        } else if c == '#' {
            let n = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .unwrap_or(chars.len() - i);
            advance(&mut i, &mut line, &mut column, n);
        } else if c == '"' || c == '\'' {
            let long = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
            let open = if long { 3 } else { 1 };
            let mut j = i + open;
            while j < chars.len() {
                if chars[j] == '\\' {
                    j += 2;
                } else if chars[j] == c
                    && (!long || (chars.get(j + 1) == Some(&c) && chars.get(j + 2) == Some(&c)))
                {
                    j += open;
                    break;
                } else if !long && chars[j] == '\n' {
                    break;
                } else {
                    j += 1;
                }
            }
            let n = j - i;
            advance(&mut i, &mut line, &mut column, n);
        } else if c == '<' && iri_end(&chars[i + 1..]).is_some() {
            let n = iri_end(&chars[i + 1..]).unwrap_or(0) + 2;
            advance(&mut i, &mut line, &mut column, n);
        } else if (c == '?' || c == '$') && chars.get(i + 1).is_some_and(|&c| is_var(c)) {
            let n = chars[i + 1..].iter().take_while(|&&c| is_var(c)).count();
            let name: String = chars[i + 1..i + 1 + n].iter().collect();
            out.push(Token::Variable(name, here));
            advance(&mut i, &mut line, &mut column, n + 1);
        } else if is_name(c) || c == ':' {
            let n = chars[i..].iter().take_while(|&&c| is_name(c)).count();
            let word: String = chars[i..i + n].iter().collect();
            if chars.get(i + n) == Some(&':') {
                // A prefixed name: skip its local part (which may hold `:` and `\` escapes).
                let local = chars[i + n + 1..]
                    .iter()
                    .take_while(|&&c| is_name(c) || matches!(c, ':' | '%' | '\\'))
                    .count();
                out.push(Token::Prefixed(word, here));
                advance(&mut i, &mut line, &mut column, n + 1 + local);
            } else {
                out.push(Token::Word(word, here));
                advance(&mut i, &mut line, &mut column, n);
            }
        } else {
            out.push(Token::Punct(c, here));
            advance(&mut i, &mut line, &mut column, 1);
        }
    }
    out
}

/// The length of an IRI's text when `rest` (what follows a `<`) holds one before its `>`.
fn iri_end(rest: &[char]) -> Option<usize> {
    for (n, &c) in rest.iter().enumerate() {
        match c {
            '>' => return Some(n),
            '<' | '"' | '{' | '}' | '|' | '^' | '`' => return None,
            c if c.is_whitespace() => return None,
            _ => {}
        }
    }
    None
}

/// The prefixes `PREFIX p: <…>` declares in the text.
pub fn declared_prefixes(tokens: &[Token]) -> Vec<String> {
    tokens
        .windows(2)
        .filter_map(|w| match w {
            [Token::Word(k, _), Token::Prefixed(p, _)] if k.eq_ignore_ascii_case("prefix") => {
                Some(p.clone())
            }
            _ => None,
        })
        .collect()
}

/// The first prefixed name whose prefix is neither declared in the text nor in `known`,
/// with its place.
pub fn first_unknown_prefix(tokens: &[Token], known: &[&str]) -> Option<(String, Position)> {
    let declared = declared_prefixes(tokens);
    tokens.iter().find_map(|t| match t {
        Token::Prefixed(p, at)
            if p != "_" && !declared.iter().any(|d| d == p) && !known.iter().any(|k| k == p) =>
        {
            Some((p.clone(), *at))
        }
        _ => None,
    })
}

/// The first keyword after the prologue (`PREFIX`/`BASE` declarations), upper-cased.
pub fn first_keyword(tokens: &[Token]) -> Option<String> {
    let mut it = tokens.iter();
    while let Some(t) = it.next() {
        match t {
            Token::Word(w, _) if w.eq_ignore_ascii_case("prefix") => {
                it.next(); // the prefix; its IRI is no token
            }
            Token::Word(w, _) if w.eq_ignore_ascii_case("base") => {}
            Token::Word(w, _) => return Some(w.to_ascii_uppercase()),
            _ => return None,
        }
    }
    None
}

/// Whether the text starts (after its prologue) like a SPARQL 1.1 Update.
pub fn looks_like_update(tokens: &[Token]) -> bool {
    first_keyword(tokens).is_some_and(|k| {
        matches!(
            k.as_str(),
            "INSERT"
                | "DELETE"
                | "LOAD"
                | "CLEAR"
                | "DROP"
                | "CREATE"
                | "ADD"
                | "MOVE"
                | "COPY"
                | "WITH"
        )
    })
}

/// For `SELECT *` (or `SELECT DISTINCT *`), the variables in the order they first appear in
/// the text; `None` for any other query.
pub fn select_star_order(tokens: &[Token]) -> Option<Vec<String>> {
    let select = tokens
        .iter()
        .position(|t| matches!(t, Token::Word(w, _) if w.eq_ignore_ascii_case("select")))?;
    let mut rest = tokens[select + 1..].iter().skip_while(
        |t| matches!(t, Token::Word(w, _) if w.eq_ignore_ascii_case("distinct") || w.eq_ignore_ascii_case("reduced")),
    );
    if !matches!(rest.next(), Some(Token::Punct('*', _))) {
        return None;
    }
    let mut order: Vec<String> = Vec::new();
    for t in tokens {
        if let Token::Variable(v, _) = t {
            if !order.contains(v) {
                order.push(v.clone());
            }
        }
    }
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unknown_prefixes_outside_strings_iris_and_comments() {
        let q = "PREFIX ex: <http://ex/a:b>\n# fgy:x\nSELECT * WHERE {\n  ?s ex:p \"fgz:q\" ; fgx:p <x:y> }";
        let t = tokens(q);
        assert_eq!(declared_prefixes(&t), vec!["ex".to_owned()]);
        let (p, at) = first_unknown_prefix(&t, &["fg"]).expect("fgx is unknown");
        assert_eq!(p, "fgx");
        assert_eq!(
            at,
            Position {
                line: 4,
                column: 21
            }
        );
        assert_eq!(
            first_unknown_prefix(&tokens("SELECT * { ?s a fg:X . _:b ?p 1 }"), &["fg"]),
            None
        );
        // `<` as an operator is no IRI.
        let t = tokens("SELECT ?x { ?x ?p ?v FILTER(?v < 3 && ?v > 1) ?x nope:q ?y }");
        assert_eq!(
            first_unknown_prefix(&t, &[]).map(|(p, _)| p).as_deref(),
            Some("nope")
        );
    }

    #[test]
    fn keeps_the_order_of_select_star() {
        let t = tokens("SELECT * WHERE { ?z a ?a. ?z ?p $b }");
        assert_eq!(
            select_star_order(&t),
            Some(vec!["z".into(), "a".into(), "p".into(), "b".into()])
        );
        assert_eq!(select_star_order(&tokens("SELECT ?a ?z { ?z a ?a }")), None);
        assert!(select_star_order(&tokens("select distinct * { ?x ?y ?z }")).is_some());
    }

    #[test]
    fn tells_updates() {
        assert!(looks_like_update(&tokens(
            "PREFIX ex: <http://ex/>\nINSERT DATA { ex:a ex:b ex:c }"
        )));
        assert!(looks_like_update(&tokens("delete where { ?s ?p ?o }")));
        assert!(!looks_like_update(&tokens("SELECT * { ?s ?p ?o }")));
        assert!(!looks_like_update(&tokens("queries/signatories.rq")));
    }
}
