//! No import cycles between the modules that once had them: each pair below depended on each other
//! until one side's type moved. This reads the source (comments and string literals aside), resolves
//! every `crate::`, `super::` and `self::` path and every `use` tree to the module it names, and fails
//! when a module names one it must not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// `(from, to, why)`: nothing in module `from` (or below it) may name module `to` (or anything below).
const FORBIDDEN: &[(&str, &str, &str)] = &[
    (
        "store",
        "auth",
        "`TenantScope` lives in `tenancy`, below both the store and authentication",
    ),
    ("tenancy", "", "`tenancy` is a leaf: it names no module of this crate"),
    (
        "app",
        "http::metrics",
        "the figures `App` holds live in `metrics`; `http::metrics` only serves them",
    ),
    (
        "metrics",
        "app",
        "`metrics` lies below the application state that holds it",
    ),
    ("metrics", "http", "`metrics` lies below the HTTP layer that serves it"),
    (
        "config",
        "backup",
        "the configuration owns the syntax of `backup.schedule` and `backup.dir`",
    ),
    (
        "domain::ledger",
        "domain::documents",
        "the tax `Rounding` a company's settings hold lives in `domain::taxes`",
    ),
    (
        "domain::reports",
        "domain::documents",
        "the reports' arithmetic is pure sums over rows; documents and payments use its checked sums",
    ),
    (
        "http::documents",
        "http::delivery",
        "the PDF of a document (`pdf_parts`, `firm_look`) is read in `http::documents`",
    ),
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

/// The module a file under `src/` holds: `src/store/mod.rs` → `store`, `src/http/metrics.rs` →
/// `http::metrics`, `src/lib.rs` → the crate root (no segments).
fn module_of(relative: &Path) -> Vec<String> {
    let mut segments: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if segments.last().is_some_and(|s| s == "mod") || segments == ["lib"] || segments == ["main"] {
        segments.pop();
    }
    segments
}

/// The source with comments, string and char literals blanked out (line structure kept).
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        let ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let end = if c == '/' && next == Some('/') {
            chars[i..]
                .iter()
                .position(|&ch| ch == '\n')
                .map_or(chars.len(), |k| i + k)
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                match (chars[j], chars.get(j + 1).copied()) {
                    ('/', Some('*')) => (depth, j) = (depth + 1, j + 2),
                    ('*', Some('/')) => (depth, j) = (depth - 1, j + 2),
                    _ => j += 1,
                }
                if depth == 0 {
                    break;
                }
            }
            j
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before {
            let hashes = chars[i + 1..].iter().take_while(|&&ch| ch == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let body: String = chars[i + 2 + hashes..].iter().collect();
                body.find(&closing).map_or(chars.len(), |k| {
                    i + 2 + hashes + body[..k].chars().count() + closing.len()
                })
            } else {
                i + 1
            }
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if c == '\'' && matches!((next, chars.get(i + 2)), (Some('\\'), _) | (Some(_), Some('\''))) {
            if next == Some('\\') {
                // `'\n'`, `'\''`, `'\u{41}'`: the closing quote comes after the escaped character.
                let rest = chars.get(i + 3..).unwrap_or_default();
                rest.iter()
                    .position(|&ch| ch == '\'')
                    .map_or(chars.len(), |k| i + 3 + k + 1)
            } else {
                i + 3
            }
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        let end = end.min(chars.len());
        out.extend(chars[i..end].iter().map(|&ch| blank(ch)));
        i = end;
    }
    out
}

/// The paths `code` names, as `(line, segments)`: `use` trees expanded (`use a::{b, c::d}` gives
/// `a::b` and `a::c::d`), and every other `x::y` path from its first segment.
fn paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut tokens: Vec<(usize, String)> = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(n);
                chars.next();
            }
            tokens.push((line, word));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push((line, "::".into()));
        } else if "{},;".contains(c) {
            tokens.push((line, c.to_string()));
        } else if c == '\n' {
            line += 1;
        } else if !c.is_whitespace() {
            tokens.push((line, String::new())); // any other punctuation ends a path
        }
    }
    let word = |t: &str| t.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_');
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (line, t) = &tokens[i];
        if t == "use" {
            // prefix stack for `{ … }` groups
            let mut stack: Vec<Vec<String>> = vec![Vec::new()];
            let mut path: Vec<String> = Vec::new();
            i += 1;
            while let Some((_, t)) = tokens.get(i) {
                match t.as_str() {
                    ";" => break,
                    "::" => {}
                    "as" => i += 1,
                    "{" => {
                        stack.push(path.clone());
                    }
                    "}" | "," => {
                        if !path.is_empty() && Some(&path) != stack.last() {
                            found.push((*line, path.clone()));
                        }
                        if t == "}" {
                            stack.pop();
                        }
                        path = stack.last().cloned().unwrap_or_default();
                    }
                    w if word(w) => path.push(w.to_owned()),
                    _ => {}
                }
                i += 1;
            }
            if !path.is_empty() && Some(&path) != stack.last() {
                found.push((*line, path));
            }
        } else if word(t) && tokens.get(i + 1).is_some_and(|(_, n)| n == "::") {
            let after_colons = i > 0 && tokens[i - 1].1 == "::";
            let mut path = vec![t.clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|(_, n)| n == "::") && tokens.get(j + 1).is_some_and(|(_, n)| word(n)) {
                path.push(tokens[j + 1].1.clone());
                j += 2;
            }
            if !after_colons {
                found.push((*line, path));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

/// The module of this crate that `path`, seen from module `from`, starts with (its segments from
/// the crate root), or `None` for another crate or a local name.
fn resolve(from: &[String], path: &[String], modules: &[Vec<String>]) -> Option<Vec<String>> {
    let absolute: Vec<String> = match path.first()?.as_str() {
        "crate" => path[1..].to_vec(),
        "super" | "self" => {
            let mut base = from.to_vec();
            let mut rest = path;
            while let Some(first) = rest.first().filter(|s| *s == "super" || *s == "self") {
                if first == "super" {
                    base.pop();
                }
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base
        }
        first => {
            let mut child = from.to_vec();
            child.push(first.to_owned());
            if !modules.contains(&child) {
                return None;
            }
            child.extend(path[1..].iter().cloned());
            child
        }
    };
    (0..=absolute.len())
        .rev()
        .map(|k| absolute[..k].to_vec())
        .find(|prefix| modules.contains(prefix))
}

fn starts_with(module: &[String], prefix: &str) -> bool {
    let prefix: Vec<&str> = prefix.split("::").filter(|s| !s.is_empty()).collect();
    module.len() >= prefix.len() && module.iter().zip(&prefix).all(|(a, b)| a == b)
}

/// The forbidden references among `files` (path, module, source), as `file:line: what (why)`.
fn violations(files: &[(PathBuf, Vec<String>, String)]) -> Vec<String> {
    let modules: Vec<Vec<String>> = files.iter().map(|(_, m, _)| m.clone()).collect();
    let mut problems = Vec::new();
    for (file, from, src) in files {
        for (line, path) in paths(&code_only(src)) {
            let Some(to) = resolve(from, &path, &modules) else {
                continue;
            };
            for (a, b, why) in FORBIDDEN {
                let is_self = starts_with(&to, a);
                if starts_with(from, a) && starts_with(&to, b) && !is_self && !to.is_empty() {
                    problems.push(format!(
                        "{}:{line}: `{}` names `{}` ({why})",
                        file.display(),
                        from.join("::"),
                        path.join("::")
                    ));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn the_modules_that_once_formed_cycles_do_not_again() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let files: Vec<(PathBuf, Vec<String>, String)> = rust_files(&src)
        .into_iter()
        .map(|f| {
            let relative = f.strip_prefix(&src).unwrap().to_owned();
            let text = std::fs::read_to_string(&f).unwrap();
            (f.strip_prefix(root).unwrap().to_owned(), module_of(&relative), text)
        })
        .collect();
    // A module renamed or gone would make its rule vacuous.
    let mut problems: Vec<String> = FORBIDDEN
        .iter()
        .flat_map(|(from, to, _)| [*from, *to])
        .filter(|name| !name.is_empty() && !files.iter().any(|(_, m, _)| !m.is_empty() && starts_with(m, name)))
        .map(|name| format!("no module `{name}` under src/: update FORBIDDEN"))
        .collect();
    problems.sort();
    problems.dedup();
    problems.extend(violations(&files));
    assert!(problems.is_empty(), "import cycles are back:\n{}", problems.join("\n"));
}

/// `TenantScope` left `auth::scope` for `tenancy`, but only `auth::scope` may make one from a
/// checked token (ARCHITECTURE.md); everything else uses `TenantScope::operator` or is handed one.
#[test]
fn only_auth_scope_makes_a_scope_from_a_checked_token() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let allowed = [Path::new("src/auth/scope.rs"), Path::new("src/tenancy.rs")];
    let offenders: Vec<String> = rust_files(&root.join("src"))
        .into_iter()
        .filter(|f| !allowed.contains(&f.strip_prefix(root).unwrap()))
        .filter(|f| code_only(&std::fs::read_to_string(f).unwrap()).contains("TenantScope::checked"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "TenantScope::checked outside auth::scope: {offenders:?}"
    );
}

/// The checker itself: it must resolve each kind of path, and must not be fooled by prose.
#[test]
fn the_checker_resolves_every_kind_of_path() {
    let file = |path: &str, module: &[&str], src: &str| {
        (
            PathBuf::from(path),
            module.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            src.to_owned(),
        )
    };
    let modules = [
        file("src/lib.rs", &[], ""),
        file("src/auth/mod.rs", &["auth"], ""),
        file("src/auth/scope.rs", &["auth", "scope"], ""),
        file("src/http/mod.rs", &["http"], ""),
        file("src/http/metrics.rs", &["http", "metrics"], ""),
        file("src/http/delivery.rs", &["http", "delivery"], ""),
        file("src/domain/mod.rs", &["domain"], ""),
        file("src/domain/documents/mod.rs", &["domain", "documents"], ""),
    ];
    let bad = [
        (
            "src/store/mod.rs",
            &["store"][..],
            "use crate::auth::scope::TenantScope;",
        ),
        (
            "src/store/x.rs",
            &["store", "x"],
            "use crate::{domain::roles, auth::{self}};",
        ),
        (
            "src/store/x.rs",
            &["store", "x"],
            "fn f(s: &crate::auth::scope::TenantScope) {}",
        ),
        ("src/store/x.rs", &["store", "x"], "use super::super::auth::AuthError;"),
        ("src/app.rs", &["app"], "pub metrics: crate::http::metrics::Metrics,"),
        ("src/app.rs", &["app"], "use crate::http::{error::ApiError, metrics};"),
        (
            "src/domain/ledger/mod.rs",
            &["domain", "ledger"],
            "x: super::documents::Rounding,",
        ),
        (
            "src/domain/ledger/entry.rs",
            &["domain", "ledger", "entry"],
            "use crate::domain::documents;",
        ),
        (
            "src/http/documents.rs",
            &["http", "documents"],
            "let x = super::delivery::pdf_parts(tx);",
        ),
        ("src/tenancy.rs", &["tenancy"], "use crate::domain::FieldErrors;"),
    ];
    for (path, module, src) in bad {
        let mut files = modules.to_vec();
        files.push(file(path, module, src));
        files.push(file("src/domain/ledger/mod.rs", &["domain", "ledger"], ""));
        files.push(file("src/domain/roles.rs", &["domain", "roles"], ""));
        assert!(!violations(&files).is_empty(), "not caught: {path}: {src}");
    }
    let good = [
        (
            "src/store/mod.rs",
            &["store"][..],
            "//! Only the auth check (crate::auth::scope) makes one.\nuse crate::tenancy::TenantScope;",
        ),
        (
            "src/store/x.rs",
            &["store", "x"],
            "fn f() -> &'static str { \"crate::auth::scope\" }\nuse super::Tx;",
        ),
        (
            "src/app.rs",
            &["app"],
            "use crate::http::error::ApiError;\nuse crate::metrics::Metrics;",
        ),
        (
            "src/http/documents.rs",
            &["http", "documents"],
            "use super::books::in_books; /* super::delivery */",
        ),
        (
            "src/http/delivery.rs",
            &["http", "delivery"],
            "use super::documents::{kind_of, pdf_parts};",
        ),
        (
            "src/domain/ledger/mod.rs",
            &["domain", "ledger"],
            "x: super::taxes::Rounding, c: char = '\"',",
        ),
    ];
    for (path, module, src) in good {
        let mut files = modules.to_vec();
        files.push(file(path, module, src));
        assert_eq!(violations(&files), Vec::<String>::new(), "false alarm: {path}: {src}");
    }
}
