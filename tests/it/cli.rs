use std::process::{Command, Output};

use diesel::prelude::*;
use legal_portal::db::{self, schema::admin_tokens};

use crate::helpers::fresh_database;

fn run(db_url: &str, data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("LEGAL_PORTAL_DATA", data_dir)
        .env("LEGAL_PORTAL_TODAY", "2026-11-28")
        .env_remove("MEILI_URL")
        .output()
        .expect("run legal-portal")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_token_is_printed_once_and_only_its_hash_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    let out = run(
        &url,
        dir.path(),
        &[
            "token",
            "create",
            "--name",
            "渝中区司法局导入",
            "--scope",
            "import",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&out).trim().to_owned();
    assert!(token.starts_with("lpt_") && token.len() > 40, "{token}");

    let mut conn = db::establish(&url).unwrap();
    let (hash, scope): (String, String) = admin_tokens::table
        .select((admin_tokens::token_hash, admin_tokens::scope))
        .first(&mut conn)
        .unwrap();
    assert_eq!(scope, "import");
    assert_ne!(hash, token);
    assert_eq!(hash, db::tokens::hash_token(&token));
    assert!(!stderr(&out).contains(&token), "the token is not logged");

    let again = run(
        &url,
        dir.path(),
        &[
            "token",
            "create",
            "--name",
            "渝中区司法局导入",
            "--scope",
            "admin",
        ],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let revoke = run(
        &url,
        dir.path(),
        &["token", "revoke", "--name", "渝中区司法局导入"],
    );
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    let revoked: Option<chrono::NaiveDateTime> = admin_tokens::table
        .select(admin_tokens::revoked_at)
        .first(&mut conn)
        .unwrap();
    assert!(revoked.is_some());
    let twice = run(
        &url,
        dir.path(),
        &["token", "revoke", "--name", "渝中区司法局导入"],
    );
    assert!(!twice.status.success(), "revoking twice is reported");

    let bad = run(
        &url,
        dir.path(),
        &["token", "create", "--name", "x", "--scope", "root"],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("unknown scope"), "{}", stderr(&bad));
}

#[test]
fn demo_data_loads_once_and_refuses_to_overwrite_without_replace() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    let out = run(&url, dir.path(), &["demo-data", "--scale", "province"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["scale"], "province");
    assert_eq!(report["loaded"]["districts"], 38);
    let offices = report["loaded"]["offices"].as_u64().unwrap();
    assert!((250..=350).contains(&offices), "{offices} offices");

    let again = run(&url, dir.path(), &["demo-data"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--replace"), "{}", stderr(&again));

    let replaced = run(&url, dir.path(), &["demo-data", "--replace"]);
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    let second: serde_json::Value = serde_json::from_str(stdout(&replaced).trim()).unwrap();
    assert_eq!(
        second["loaded"], report["loaded"],
        "the same seed gives the same data"
    );
}

#[test]
fn help_names_every_command_and_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&out);
    for word in [
        "serve",
        "demo-data",
        "token",
        "DATABASE_URL",
        "LEGAL_PORTAL_DATA",
        "MEILI_URL",
        "--readiness-max-lag-seconds",
        "LEGAL_PORTAL_READINESS_MAX_LAG_SECONDS",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("LEGAL_PORTAL_BIND") && help.contains("--demo"),
        "{help}"
    );
}

#[test]
fn console_accounts_are_made_listed_reset_and_disabled_from_the_command_line() {
    use legal_portal::db::schema::admin_users;
    use std::io::Write;

    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = fresh_database(dir.path());
    {
        let mut conn = db::establish(&url).unwrap();
        db::run_migrations(&mut conn).unwrap();
        crate::helpers::build::district(&mut conn, "500118", "永川区", 1_149_000, 300);
    }
    // A printed one-time password; only its Argon2id hash is stored.
    let out = run(
        &url,
        dir.path(),
        &["user", "create", "--name", "市局张", "--role", "city"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let password = stdout(&out).trim().to_owned();
    assert_eq!(password.chars().count(), 20, "{password}");
    assert!(!stderr(&out).contains(&password), "not logged");
    let mut conn = db::establish(&url).unwrap();
    let hash: String = admin_users::table
        .filter(admin_users::name.eq("市局张"))
        .select(admin_users::password_hash)
        .first(&mut conn)
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(db::users::password_matches(&hash, &password));

    // A password from standard input; a district account needs a district
    // that exists.
    let mut child = Command::new(env!("CARGO_BIN_EXE_legal-portal"))
        .args([
            "user",
            "create",
            "--name",
            "yongchuan",
            "--role",
            "district",
        ])
        .args(["--district", "500118", "--password-stdin"])
        .env("DATABASE_URL", &url)
        .env("LEGAL_PORTAL_DATA", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).trim().is_empty(), "nothing to print");
    for (args, says) in [
        (
            vec!["user", "create", "--name", "x", "--role", "district"],
            "--district",
        ),
        (
            vec![
                "user",
                "create",
                "--name",
                "y",
                "--role",
                "district",
                "--district",
                "999999",
            ],
            "no district",
        ),
        (
            vec!["user", "create", "--name", "市局张", "--role", "city"],
            "already exists",
        ),
        (
            vec!["user", "create", "--name", "z", "--role", "mayor"],
            "unknown role",
        ),
    ] {
        let out = run(&url, dir.path(), &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    let list = stdout(&run(&url, dir.path(), &["user", "list"]));
    assert!(
        list.contains("yongchuan\tdistrict\t500118\tactive"),
        "{list}"
    );

    let out = run(
        &url,
        dir.path(),
        &["user", "reset-password", "--name", "市局张"],
    );
    let new_password = stdout(&out).trim().to_owned();
    assert!(out.status.success() && new_password != password);
    let out = run(
        &url,
        dir.path(),
        &["user", "disable", "--name", "yongchuan"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&run(&url, dir.path(), &["user", "list"]));
    assert!(
        list.contains("yongchuan\tdistrict\t500118\tdisabled"),
        "{list}"
    );
}
