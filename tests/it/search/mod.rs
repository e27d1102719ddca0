//! Search: one conformance suite every engine must pass (embedded always,
//! Meilisearch when `MEILI_URL` is set), the pages and API around it, the
//! outbox, several portals on one database, and a crash while indexing.

/// Runs each named `async fn(Engine)` of the module twice: on the
/// embedded engine, and on Meilisearch when `MEILI_URL` is set (a loud
/// skip line otherwise).
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        mod embedded {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::search::Engine::Embedded).await;
                }
            )+
        }
        mod meilisearch {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(m) = $crate::search::Meili::from_env(stringify!($name)) {
                        super::$name($crate::search::Engine::Meilisearch(m)).await;
                    }
                }
            )+
        }
    };
}

mod agreement;
mod check;
mod cli;
mod conformance;
mod crash;
mod heal;
mod outage;
mod pages;
mod portals;
mod processes;
mod rebuild;
mod records;

/// A Meilisearch server for one test, with an index prefix of its own.
#[derive(Debug, Clone)]
pub struct Meili {
    /// Server address.
    pub url: String,
    /// Key, if the server needs one.
    pub key: Option<String>,
    /// Unique index prefix of this test.
    pub prefix: String,
}

impl Meili {
    /// The server named by `MEILI_URL`, or `None` after a loud skip line.
    pub fn from_env(test: &str) -> Option<Meili> {
        match std::env::var("MEILI_URL") {
            Ok(url) if !url.trim().is_empty() => Some(Meili {
                url,
                key: std::env::var("MEILI_MASTER_KEY")
                    .ok()
                    .filter(|k| !k.is_empty()),
                prefix: format!("test_{}_", uuid::Uuid::new_v4().simple()),
            }),
            _ => {
                eprintln!("*** SKIPPED {test} on Meilisearch: MEILI_URL is not set ***");
                None
            }
        }
    }

    /// Deletes this test's indexes.
    pub async fn clean_up(&self) {
        match legal_portal::search::meili::MeiliIndex::open(
            &self.url,
            self.key.as_deref(),
            &self.prefix,
        )
        .await
        {
            Ok(index) => {
                if let Err(e) = index.drop_indexes().await {
                    eprintln!("could not delete the test indexes {}*: {e}", self.prefix);
                }
            }
            Err(e) => eprintln!(
                "could not reach Meilisearch to clean up {}*: {e}",
                self.prefix
            ),
        }
    }
}

/// Which engine a conformance test runs on.
#[derive(Debug, Clone)]
pub enum Engine {
    /// tantivy in the test's data folder.
    Embedded,
    /// A real Meilisearch server.
    Meilisearch(Meili),
}

impl Engine {
    /// The Meilisearch settings of the engine, if any.
    pub fn meili(&self) -> Option<Meili> {
        match self {
            Engine::Embedded => None,
            Engine::Meilisearch(m) => Some(m.clone()),
        }
    }

    /// The `backend` the API must report.
    pub fn backend(&self) -> &'static str {
        match self {
            Engine::Embedded => "embedded",
            Engine::Meilisearch(_) => "meilisearch",
        }
    }

    /// Cleans up after a test.
    pub async fn clean_up(&self) {
        if let Engine::Meilisearch(m) = self {
            m.clean_up().await;
        }
    }
}
