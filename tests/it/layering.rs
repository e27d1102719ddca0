//! The layers (docs/architecture.md): `domain/` is pure (not even
//! `i18n`: it names messages, the layers above say them); `db/`,
//! `search/` and `import/` build on it and never reach up into `web/` or a
//! feature module (`complaints`, `demo`, `webhooks`), nor each other beyond
//! the table's rules; `config.rs`, `i18n.rs` and `secrets.rs` import
//! nothing above them; the search outbox has one home, `db::outbox`.
//! Read from the source, so a new `use` that breaks a rule fails here.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// The code of a file without its comments (line comments and doc
/// comments; the tree has no block comments naming modules).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` at byte `at` continues an identifier (so `crate::web`
/// does not match `crate::webhooks`).
fn continues_name(code: &str, at: usize) -> bool {
    code[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `crate::m`, `super::…::m` climbing to the crate root from `depth`
/// modules down, or `use crate::{…, m…}`, naming module `m` (a path such
/// as `search::indexer` names that submodule).
fn names_at(code: &str, module: &str, depth: usize) -> bool {
    let mut roots = vec!["crate::".to_owned()];
    if depth > 0 {
        roots.push("super::".repeat(depth));
    }
    for root in &roots {
        let needle = format!("{root}{module}");
        if code
            .match_indices(&needle)
            .any(|(i, _)| !continues_name(code, i + needle.len()))
        {
            return true;
        }
        // Grouped imports: `use crate::{a, web::x}`.
        let open = format!("{root}{{");
        if code.match_indices(&open).any(|(i, _)| {
            let rest = &code[i + open.len()..];
            let group = &rest[..rest.find("};").unwrap_or(rest.len())];
            group.split([',', '{', ' ', '\n']).any(|p| {
                let p = p.trim();
                p == module
                    || p.strip_prefix(module)
                        .is_some_and(|tail| tail.starts_with("::") || tail.starts_with(" as"))
            })
        }) {
            return true;
        }
    }
    false
}

/// [`names_at`] for a file at the crate root.
fn names(code: &str, module: &str) -> bool {
    names_at(code, module, 0)
}

/// How many `super::` climb from `file` (under `src`) to the crate root:
/// `db/mod.rs` is one module down, `db/x.rs` two, `import/parse/csv.rs`
/// three.
fn depth(src: &Path, file: &Path) -> usize {
    let rel = file.strip_prefix(src).unwrap();
    let dirs = rel.components().count() - 1;
    if rel.file_name().is_some_and(|n| n == "mod.rs") {
        dirs
    } else {
        dirs + 1
    }
}

#[test]
fn no_lower_layer_reaches_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    // Feature modules and the web layer sit above every layer checked here.
    let rules: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "web",
                "db",
                "search",
                "import",
                "complaints",
                "demo",
                "config",
                "i18n",
                "webhooks",
                "secrets",
            ],
        ),
        ("db", &["web", "complaints", "demo", "search", "webhooks"]),
        (
            "search",
            &["web", "complaints", "demo", "import", "webhooks"],
        ),
        (
            "import",
            &["web", "complaints", "demo", "search", "webhooks"],
        ),
        (
            "complaints",
            &["web", "demo", "search", "import", "webhooks"],
        ),
        (
            "config.rs",
            &[
                "web",
                "complaints",
                "db",
                "search",
                "import",
                "demo",
                "webhooks",
            ],
        ),
        (
            "i18n.rs",
            &[
                "web",
                "complaints",
                "db",
                "search",
                "import",
                "demo",
                "webhooks",
            ],
        ),
        (
            "secrets.rs",
            &[
                "web",
                "complaints",
                "db",
                "search",
                "import",
                "demo",
                "webhooks",
            ],
        ),
    ];
    for (layer, forbidden) in rules {
        let path = src.join(layer);
        let files = if path.is_dir() {
            rust_files(&path)
        } else {
            vec![path]
        };
        for file in files {
            let code = code(&file);
            let depth = depth(&src, &file);
            for m in *forbidden {
                if names_at(&code, m, depth) {
                    broken.push(format!("{} names crate::{m}", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_check_sees_a_forbidden_import() {
    assert!(names("use crate::web::lang::tr;", "web"));
    assert!(names("use crate::{db, web::errors::AppError};", "web"));
    assert!(names("use crate::{db, web};", "web"));
    assert!(names("use crate::{db, web as w};", "web"));
    assert!(names("let x = crate::web::lang::current();", "web"));
    assert!(names("use crate::web as w;", "web"));
    assert!(names("use crate::web;", "web"));
    assert!(names_at("use super::super::web::lang;", "web", 2));
    assert!(!names_at("use super::web::lang;", "web", 2));
    assert!(names("crate::search::indexer::x", "search::indexer"));
    assert!(!names("crate::search::outbox::x", "search::indexer"));
    assert!(!names("use crate::webhooks::x;", "web"));
    assert!(!names("use crate::{db, webhooks};", "web"));
    assert!(!names("// crate::web::lang\n", "dbx"));
    let src = Path::new("/r/src");
    assert_eq!(depth(src, Path::new("/r/src/db/mod.rs")), 1);
    assert_eq!(depth(src, Path::new("/r/src/db/x.rs")), 2);
    assert_eq!(depth(src, Path::new("/r/src/import/parse/csv.rs")), 3);
    assert_eq!(depth(src, Path::new("/r/src/config.rs")), 1);
}

#[test]
fn the_search_outbox_has_one_home() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let home = src.join("db/outbox.rs");
    let schema = src.join("db/schema.rs");
    let mut others: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|f| *f != home && *f != schema)
        .filter(|f| {
            let code = code(f);
            code.contains("search_outbox")
        })
        .map(|f| f.display().to_string())
        .collect();
    others.sort();
    assert!(
        others.is_empty(),
        "only db::outbox reads, writes and deletes search_outbox rows; also: {others:?}"
    );
}
