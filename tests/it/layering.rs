//! The layers (docs/architecture.md): `domain/` is pure; `db/`, `search/`
//! and `import/` build on it and never reach up into `web/`; `db/` names
//! no feature module (`complaints`, `demo`); `config.rs` and `i18n.rs`
//! import nothing above them. Read from the source, so a new `use` that
//! breaks the rule fails here.

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

/// `crate::m` or `use crate::{…, m…}` naming module `m`.
fn names(code: &str, module: &str) -> bool {
    if code.contains(&format!("crate::{module}::")) || code.contains(&format!("crate::{module};")) {
        return true;
    }
    // Grouped imports: `use crate::{a, web::x}`.
    code.match_indices("crate::{").any(|(i, _)| {
        let rest = &code[i..];
        let group = &rest[..rest.find("};").unwrap_or(rest.len())];
        group
            .split([',', '{', ' ', '\n'])
            .any(|p| p.trim() == module || p.trim().starts_with(&format!("{module}::")))
    })
}

#[test]
fn no_lower_layer_reaches_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
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
            ],
        ),
        ("db", &["web", "complaints", "demo", "search::indexer"]),
        ("search", &["web", "complaints", "demo"]),
        ("import", &["web", "complaints", "demo"]),
    ];
    for (layer, forbidden) in rules {
        for file in rust_files(&src.join(layer)) {
            let code = code(&file);
            for m in *forbidden {
                if names(&code, m) {
                    broken.push(format!("{} names crate::{m}", file.display()));
                }
            }
        }
    }
    for (file, forbidden) in [
        (
            "config.rs",
            &["web", "complaints", "db", "search", "import"][..],
        ),
        (
            "i18n.rs",
            &["web", "complaints", "db", "search", "import"][..],
        ),
    ] {
        let code = code(&src.join(file));
        for m in forbidden {
            if names(&code, m) {
                broken.push(format!("src/{file} names crate::{m}"));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_check_sees_a_forbidden_import() {
    assert!(names("use crate::web::lang::tr;", "web"));
    assert!(names("use crate::{db, web::errors::AppError};", "web"));
    assert!(names("let x = crate::web::lang::current();", "web"));
    assert!(!names("use crate::webhooks::x;", "web"));
    assert!(!names("// crate::web::lang\n", "dbx"));
}

#[test]
fn the_search_outbox_has_one_writer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let writers: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|f| {
            let flat: String = code(f).split_whitespace().collect();
            flat.contains("insert_into(search_outbox")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert_eq!(
        writers,
        vec![src.join("db/outbox.rs").display().to_string()],
        "rows reach search_outbox only through db::outbox::write"
    );
}
