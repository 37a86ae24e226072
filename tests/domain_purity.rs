//! The domain is pure: nothing under `src/domain/` may name the web framework, a database
//! driver, JSON, the async runtime, an HTTP client, serde, or the storage and HTTP layers of
//! this crate. The file formats (`src/formats/`) are held to the same rule. This reads the source
//! (comments and string literals aside) and fails on any path or `use` that does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Crates the domain must not use, as the first segment of a path.
const FORBIDDEN_CRATES: &[&str] = &[
    "axum",
    "rusqlite",
    "postgres",
    "serde_json",
    "tokio",
    "reqwest",
    "serde",
    "tower",
    "tower_http",
    "hyper",
    "r2d2",
    "r2d2_postgres",
    "refinery",
];

/// Modules of this crate the domain must not reach into.
const FORBIDDEN_MODULES: &[&str] = &[
    "store",
    "http",
    "app",
    "cli",
    "config",
    "provision",
    "telemetry",
    "auth",
];

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The source with comments, string and char literals blanked out (line structure kept), so
/// that prose such as "nothing here touches postgres" is not mistaken for a dependency.
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i) {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let body_start = j + 1;
            let rest: String = chars[body_start..].iter().collect();
            let end = rest
                .find(&closing)
                .map_or(chars.len(), |k| body_start + rest[..k].chars().count() + closing.len());
            for ch in &chars[i..end.min(chars.len())] {
                out.push(blank(*ch));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && is_char_literal(&chars, i) {
            let end = chars[i + 1..]
                .iter()
                .position(|&ch| ch == '\'')
                .map_or(chars.len(), |k| i + 1 + k + 1);
            // An escaped quote ('\'') ends one further.
            let end = if chars.get(i + 1) == Some(&'\\') && chars.get(i + 2) == Some(&'\'') {
                i + 4
            } else {
                end
            };
            for _ in i..end.min(chars.len()) {
                out.push(' ');
            }
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `'x'` or `'\n'` rather than a lifetime such as `'a`.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The identifiers of `code` with the byte offsets where they start.
fn identifiers(code: &str) -> Vec<(usize, &str)> {
    let mut ids = Vec::new();
    let mut start = None;
    for (i, c) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
        let part = c.is_alphanumeric() || c == '_';
        match (start, part) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                ids.push((s, &code[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    ids
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Colons,
    Open,
    Close,
    Comma,
    Star,
}

fn tokens(item: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let bytes = item.as_bytes();
    let mut i = 0;
    while i < item.len() {
        let c = item[i..].chars().next().unwrap();
        if c.is_alphanumeric() || c == '_' {
            let len = item[i..]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(item.len() - i);
            toks.push(Tok::Ident(&item[i..i + len]));
            i += len;
            continue;
        }
        match c {
            ':' if bytes.get(i + 1) == Some(&b':') => {
                toks.push(Tok::Colons);
                i += 1;
            }
            '{' => toks.push(Tok::Open),
            '}' => toks.push(Tok::Close),
            ',' => toks.push(Tok::Comma),
            '*' => toks.push(Tok::Star),
            _ => {}
        }
        i += c.len_utf8();
    }
    toks
}

/// Expands a use tree (`a::{b, c::{d as e, *}}`) into its full paths.
fn expand_use(toks: &[Tok<'_>], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    while let Some(tok) = toks.get(*i) {
        match tok {
            Tok::Colons => *i += 1,
            Tok::Ident("as") => *i += 2, // `as name`: the alias is not part of the path
            Tok::Ident(segment) => {
                path.push((*segment).to_owned());
                *i += 1;
            }
            Tok::Star => {
                path.push("*".to_owned());
                *i += 1;
            }
            Tok::Open => {
                *i += 1;
                while let Some(t) = toks.get(*i) {
                    match t {
                        Tok::Close => {
                            *i += 1;
                            break;
                        }
                        Tok::Comma => *i += 1,
                        _ => expand_use(toks, i, path.clone(), out),
                    }
                }
                return;
            }
            Tok::Comma | Tok::Close => break,
        }
    }
    out.push(path);
}

/// What is wrong with a path (its segments from the root), if anything.
fn forbidden_path(segments: &[&str]) -> Option<String> {
    let first = *segments.first()?;
    if FORBIDDEN_CRATES.contains(&first) {
        return Some(format!("`{first}`"));
    }
    // `crate::store`, and `super::super::http` (which from `src/domain/x.rs` is the crate).
    let rest: Vec<&str> = match first {
        "crate" => segments[1..].to_vec(),
        "super" => segments.iter().copied().skip_while(|s| *s == "super").collect(),
        _ => return None,
    };
    let module = *rest.first()?;
    FORBIDDEN_MODULES
        .contains(&module)
        .then(|| format!("`{first}::{module}`"))
}

/// The forbidden references in one file's source, as `line N: what: source line`.
fn violations(src: &str) -> Vec<String> {
    let code = code_only(src);
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let source_line = |n: usize| src.lines().nth(n - 1).unwrap_or("").trim().to_owned();
    let mut found = Vec::new();
    let mut report = |offset: usize, what: String| {
        let n = line_of(offset);
        found.push(format!("line {n}: {what}: {}", source_line(n)));
    };
    let ids = identifiers(&code);

    // 1. `use` and `extern crate` items, their trees expanded: `use {std::fmt, tokio};`,
    //    `use serde as s;`, `use crate::{domain::x, store::y};`, `extern crate tokio;`.
    let mut items = Vec::new();
    for (offset, keyword) in ids.iter().filter(|(_, id)| *id == "use" || *id == "extern") {
        let start = offset + keyword.len();
        let end = code[start..].find(';').map_or(code.len(), |k| start + k);
        items.push(*offset..end);
        let mut toks = tokens(&code[start..end]);
        if *keyword == "extern" {
            toks.retain(|t| *t != Tok::Ident("crate"));
        }
        let mut paths = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            expand_use(&toks, &mut i, Vec::new(), &mut paths);
            i += 1;
        }
        for path in paths {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            if let Some(what) = forbidden_path(&segments) {
                report(*offset, format!("`{keyword}` of {what} ({})", segments.join("::")));
            }
        }
    }

    // 2. Paths anywhere else: `axum::Json`, `&::serde_json::Value`, `#[derive(serde::Serialize)]`,
    //    `crate :: store :: Tx`. Only a path's first segment counts (`my::postgres::X` is fine).
    for (k, (offset, id)) in ids.iter().enumerate() {
        if items.iter().any(|r| r.contains(offset)) {
            continue;
        }
        let after = code[offset + id.len()..].trim_start();
        if !after.starts_with("::") {
            continue;
        }
        let before = code[..*offset].trim_end();
        if let Some(head) = before.strip_suffix("::") {
            let head = head.trim_end();
            if head.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '>') {
                continue; // not the first segment
            }
        }
        let mut segments = vec![*id];
        let mut j = k + 1;
        while let Some((next_offset, next)) = ids.get(j) {
            let prev = ids[j - 1];
            let between = code[prev.0 + prev.1.len()..*next_offset].trim();
            if between != "::" || segments.len() > 8 {
                break;
            }
            segments.push(next);
            j += 1;
        }
        if let Some(what) = forbidden_path(&segments) {
            report(*offset, format!("path through {what}"));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_domain_names_no_framework_driver_or_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let files = rust_files(&dir);
    assert!(
        files.len() >= 2,
        "expected the domain modules under {}, found {files:?}",
        dir.display()
    );
    assert!(files.iter().any(|f| f.ends_with("mod.rs")), "{files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        for v in violations(&src) {
            problems.push(format!(
                "{}: {v}",
                file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(file).display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the domain must stay pure (no HTTP, no database driver, no JSON, no async runtime):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_file_formats_name_no_framework_driver_or_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/formats");
    let files = rust_files(&dir);
    assert!(files.iter().any(|f| f.ends_with("mod.rs")), "{files:?}");
    let problems: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let name = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(file)
                .display()
                .to_string();
            violations(&std::fs::read_to_string(file).unwrap())
                .into_iter()
                .map(move |v| format!("{name}: {v}"))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "file formats are pure (bytes in, values out: no HTTP, no database, no JSON):\n{}",
        problems.join("\n")
    );
}

/// The checker itself: it must catch each kind of reference, and must not be fooled by prose.
#[test]
fn the_checker_catches_every_kind_of_reference() {
    let bad = [
        "use axum::Json;",
        "use rusqlite::Connection;",
        "use postgres::Client;",
        "use serde_json::Value;",
        "use tokio::sync::Mutex;",
        "use reqwest::Client;",
        "use serde::Serialize;",
        "use serde::{Deserialize, Serialize};",
        "use crate::store::Tx;",
        "use crate::http::error::ApiError;",
        "use crate::{domain::roles::Role, store::platform};",
        "use {std::fmt, tokio};",
        "use serde as s;",
        "extern crate tokio;",
        "fn f() -> serde_json::Value { todo!() }",
        "fn f(v: &::serde_json::Value) {}",
        "#[derive(serde::Serialize)]\nstruct S;",
        "fn f(tx: &mut crate::store::Tx) {}",
        "fn f() { let _ = crate :: http :: router; }",
        "impl From<rusqlite::Error> for E { fn from(_: rusqlite::Error) -> E { E } }",
        "use super::super::store::Tx;",
        "pub(crate) use crate::store;",
        "use crate::{domain::{roles, tenants}, http::{self}};",
    ];
    for src in bad {
        assert!(!violations(src).is_empty(), "not caught: {src}");
    }
    let good = [
        "use std::collections::BTreeMap;\nuse uuid::Uuid;\nuse jiff::Timestamp;",
        "use super::roles::Role;\nuse super::FieldErrors;",
        "use crate::domain::roles::Role;",
        "//! Nothing here touches axum::Router, postgres or serde_json::Value.\nstruct A;",
        "/* use tokio::spawn; */ struct B;",
        "/// Like `serde::Serialize`, but by hand.\nfn to_text() -> &'static str { \"use axum::Json; crate::store\" }",
        "fn backend() -> &'static str { r#\"postgres::Client\"# }",
        "fn c() -> char { '\"' }\nfn d<'a>(s: &'a str) -> &'a str { s }",
        "struct Store; fn store() {} mod http_like {} fn tokio_like() {}",
        "fn f(x: my::postgres::Thing) {}",
        "use uuid::{Uuid, serde as uuid_serde};",
        "use super::*;",
        "fn f() -> Vec<Vec<u8>> { Vec::<Vec<u8>>::new() }",
    ];
    for src in good {
        assert_eq!(violations(src), Vec::<String>::new(), "false alarm: {src}");
    }
    let found = violations("struct A;\n\nuse tokio::spawn;\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("line 3:"), "{found:?}");
}
