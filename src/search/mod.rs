//! Search: one trait ([`SearchIndex`]) with two engines behind it — the
//! embedded tantivy index ([`embedded`]) and Meilisearch ([`meili`]) — fed
//! from the database through the outbox ([`outbox`], [`indexer`]).
//!
//! The database is the truth; an index is a projection of it
//! ([`documents`]) and can be rebuilt at any time.

pub mod check;
pub mod documents;
pub mod embedded;
pub mod fallback;
pub mod indexer;
pub mod meili;
pub mod names;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::LicenseNo;
use crate::domain::standing::Standing;
use crate::domain::vocab::{AreaKind, DisciplineKind, ReviewOutcome, SubjectKind, WorkerStatus};

pub use documents::{DocType, HitSource, SearchDocument};

/// Errors of a search engine.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine could not be opened (bad settings, index locked by another
    /// process, server unreachable at start-up).
    #[error("search engine unavailable: {0}")]
    Unavailable(String),
    /// The engine failed an operation.
    #[error("search engine failed: {0}")]
    Engine(String),
    /// The database failed while projecting.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// Another rebuild of the index is running (on this portal or another
    /// on the same database), started then (UTC).
    #[error("a rebuild of the search index is already running (started {0} UTC)")]
    Rebuilding(chrono::NaiveDateTime),
}

/// A point on the earth, WGS-84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
}

impl GeoPoint {
    /// Great-circle distance in metres (haversine, mean earth radius).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().min(1.0).asin()
    }

    /// The latitude/longitude box that holds every point within `radius_m`.
    pub fn bounding_box(&self, radius_m: f64) -> ((f64, f64), (f64, f64)) {
        let dlat = radius_m / 111_195.0;
        let cos = self.lat.to_radians().cos().abs().max(1e-6);
        let dlng = (radius_m / (111_195.0 * cos)).min(180.0);
        (
            (self.lat - dlat, self.lat + dlat),
            (self.lng - dlng, self.lng + dlng),
        )
    }
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first (an exact license number first of all); without
    /// text, offices before workers, then by license number.
    #[default]
    Relevance,
    /// Nearest first; needs a point.
    Distance,
}

/// Filters; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// Offices or workers.
    pub kind: Option<SubjectKind>,
    /// District code.
    pub district: Option<String>,
    /// Township name.
    pub township: Option<String>,
    /// Rural or urban.
    pub area_kind: Option<AreaKind>,
    /// Standing.
    pub standing: Option<Standing>,
    /// A worker's status.
    pub status: Option<WorkerStatus>,
    /// One practice area.
    pub practice_area: Option<String>,
    /// Records only: a kind of disciplinary action (disclosures) or a
    /// review outcome (reviews).
    #[serde(default)]
    pub record_kind: Option<RecordKind>,
    /// Records only: the year of the decision or of the review.
    #[serde(default)]
    pub year: Option<i32>,
}

/// What a record search is filtered by: a kind of disciplinary action for
/// disclosures, an outcome for reviews. Serialized as its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordKind {
    /// A kind of disciplinary action (disclosures).
    Discipline(DisciplineKind),
    /// An annual-review outcome (reviews).
    Review(ReviewOutcome),
}

impl RecordKind {
    /// The key, as the documents carry it.
    pub fn key(self) -> &'static str {
        match self {
            RecordKind::Discipline(k) => k.key(),
            RecordKind::Review(o) => o.key(),
        }
    }
}

/// One search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What is searched: profiles (offices and workers), disclosed
    /// disciplinary actions, or annual-review outcomes.
    #[serde(default)]
    pub target: DocType,
    /// What the resident typed; may be empty.
    pub text: String,
    /// Filters.
    pub filters: Filters,
    /// Where the resident is, for distance and radius.
    pub near: Option<GeoPoint>,
    /// Only hits within this many metres of `near`.
    pub radius_m: Option<f64>,
    /// Order of the hits.
    pub sort: SortOrder,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            target: DocType::Subject,
            text: String::new(),
            filters: Filters::default(),
            near: None,
            radius_m: None,
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 20,
        }
    }
}

/// A stretch of a hit's name, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fragment {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub matched: bool,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// `office` or `worker`.
    #[serde(rename = "type")]
    pub kind: SubjectKind,
    /// Normalised license number.
    pub license_no: String,
    /// Name.
    pub name: String,
    /// District code (for a worker, their office's).
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// Township name.
    pub township: Option<String>,
    /// Standing key.
    pub standing: String,
    /// Standing label.
    pub standing_label: String,
    /// Status key.
    pub status: String,
    /// For a worker: their office's name.
    pub office_name: Option<String>,
    /// Address (offices).
    pub address: Option<String>,
    /// Metres from the query point, when one was given and the subject has
    /// a position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The name cut into matched and unmatched stretches.
    pub highlight: Vec<Fragment>,
    /// For a disclosure or review hit: the record; the other fields
    /// describe its subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordHit>,
}

/// A disclosed disciplinary action or an annual-review outcome found by a
/// search (`type=disclosure` or `type=review`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordHit {
    /// `disclosure` or `review`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "disclosure")]
    pub doc_type: DocType,
    /// Discipline kind key (disclosures) or review outcome key (reviews).
    pub kind: String,
    /// Decision number (文号) of a disclosure, as published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
    /// Deciding authority of a disclosure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Decision date of a disclosure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<chrono::NaiveDate>,
    /// Last day a disclosure is public.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub public_until: Option<chrono::NaiveDate>,
    /// Year of the decision or of the review.
    pub year: i32,
    /// Facts found (disclosures) or the review's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Legal basis of a disclosure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// Counts of the hits per value, for each filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Facets {
    /// By `office`/`worker`.
    #[serde(rename = "type")]
    pub kind: BTreeMap<String, u64>,
    /// By district code.
    pub district: BTreeMap<String, u64>,
    /// By township.
    pub township: BTreeMap<String, u64>,
    /// By area kind.
    pub area_kind: BTreeMap<String, u64>,
    /// By standing key.
    pub standing: BTreeMap<String, u64>,
    /// By status key.
    pub status: BTreeMap<String, u64>,
    /// By practice area.
    pub practice_area: BTreeMap<String, u64>,
    /// Records: by discipline kind or review outcome key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub record_kind: BTreeMap<String, u64>,
    /// Records: by year.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub year: BTreeMap<String, u64>,
}

/// The answer to a [`SearchQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// The requested page of hits.
    pub hits: Vec<SearchHit>,
    /// How many hits in all.
    pub total: u64,
    /// Counts per filter value over all hits.
    pub facets: Facets,
    /// Which engine answered: `embedded` or `meilisearch`.
    pub backend: &'static str,
}

/// One drained batch of the outbox, as an engine stores it.
#[derive(Debug, Default)]
pub struct IndexBatch {
    /// Profiles to add or replace.
    pub upserts: Vec<SearchDocument>,
    /// Profiles to remove, by kind and license number.
    pub deletes: Vec<(SubjectKind, Vec<String>)>,
    /// Document ids of the subjects whose records are replaced by
    /// `records` (every subject projected, so stale records go).
    pub record_subjects: Vec<String>,
    /// Their records.
    pub records: Vec<SearchDocument>,
}

/// A full rebuild's documents, a chunk at a time; `None` marks the end. An
/// engine puts its new index in place only once the end has come: a feed
/// closed before it (a projection that failed) leaves the live index as it
/// was. A chunk is a few thousand subjects with their records, so a
/// rebuild holds one chunk in memory, not the nation's projection.
pub type RebuildFeed = tokio::sync::mpsc::Receiver<Option<Vec<SearchDocument>>>;

/// Why a rebuild stopped: its feed closed before the end.
fn feed_cut() -> SearchError {
    SearchError::Engine("the rebuild's documents stopped before their end".into())
}

/// A search engine holding the projection of offices and workers.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    /// `embedded` or `meilisearch`.
    fn backend(&self) -> &'static str;

    /// Loads ahead, off the request path, what the first search would
    /// otherwise wait for (the embedded engine's word list). By default
    /// nothing: Meilisearch searches in its own process.
    fn warm_up(&self) {}

    /// Adds or replaces documents; returns once the engine has stored them.
    async fn upsert(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError>;

    /// Removes documents by kind and license number; returns once stored.
    async fn delete(&self, kind: SubjectKind, license_nos: Vec<String>) -> Result<(), SearchError>;

    /// Replaces everything with `docs` (a full reindex).
    async fn rebuild(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError>;

    /// Replaces everything with the documents `feed` hands out (a full
    /// reindex, streamed). By default they are gathered and given to
    /// [`SearchIndex::rebuild`]; the engines write each chunk as it comes.
    async fn rebuild_from(&self, mut feed: RebuildFeed) -> Result<(), SearchError> {
        let mut all = Vec::new();
        loop {
            match feed.recv().await {
                Some(Some(chunk)) => all.extend(chunk),
                Some(None) => return self.rebuild(all).await,
                None => return Err(feed_cut()),
            }
        }
    }

    /// Stores one drained batch. By default one write after another;
    /// an engine that can store it in one commit does so.
    async fn write_batch(&self, batch: IndexBatch) -> Result<(), SearchError> {
        if !batch.upserts.is_empty() {
            self.upsert(batch.upserts).await?;
        }
        for (kind, keys) in batch.deletes {
            self.delete(kind, keys).await?;
        }
        if !batch.record_subjects.is_empty() {
            self.replace_records(batch.record_subjects, batch.records)
                .await?;
        }
        Ok(())
    }

    /// How many profile documents (offices and workers) the index holds;
    /// records are counted by [`SearchIndex::census`].
    async fn count(&self) -> Result<u64, SearchError>;

    /// How many documents of each type the index holds (`office`,
    /// `worker`, `disclosure`, `review`), for `search check`.
    async fn census(&self) -> Result<check::Census, SearchError>;

    /// The documents stored under these ids, in order (`None` where none).
    async fn fetch(&self, ids: Vec<String>) -> Result<Vec<Option<SearchDocument>>, SearchError>;

    /// Replaces every record document (disclosures, reviews) of the
    /// subjects with these document ids by `docs`; returns once stored.
    async fn replace_records(
        &self,
        subjects: Vec<String>,
        docs: Vec<SearchDocument>,
    ) -> Result<(), SearchError>;

    /// Answers a query.
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;

    /// After failed writes: puts a damaged or vanished index back in order
    /// (an empty one), and says whether it did, so that the indexer
    /// rebuilds it from the database. Engines that cannot lose their
    /// index this way do nothing.
    async fn recover(&self) -> Result<bool, SearchError> {
        Ok(false)
    }
}

/// A shared engine.
pub type SharedIndex = Arc<dyn SearchIndex>;

/// Opens the engine the settings name — Meilisearch when `MEILI_URL` is
/// set, else the embedded index under `<data dir>/index` — and the indexer
/// that feeds it. Nothing is indexed yet: call
/// [`indexer::Indexer::start_up`].
pub async fn open(
    settings: &crate::config::Settings,
    pool: crate::db::Pool,
) -> Result<indexer::Indexer, SearchError> {
    let url = settings.database_url();
    let (index, claim): (SharedIndex, _) = match settings.meili_url.as_deref() {
        Some(meili) if !meili.trim().is_empty() => {
            let index = meili::MeiliIndex::open(
                meili,
                settings.meili_master_key.as_deref(),
                &settings.meili_index_prefix,
            )
            .await?;
            (Arc::new(index), (None, false))
        }
        _ => {
            let dir = settings.data_dir.join("index");
            let db_url = url.clone();
            tokio::task::spawn_blocking(move || {
                let claim = indexer::claim_embedded(&db_url)?;
                let index = embedded::EmbeddedIndex::open(&dir)?;
                let rebuild = index.recovered();
                Ok::<_, SearchError>((Arc::new(index) as SharedIndex, (claim, rebuild)))
            })
            .await
            .map_err(|e| SearchError::Engine(format!("search start-up failed: {e}")))??
        }
    };
    let (claim, rebuild) = claim;
    let indexer =
        indexer::Indexer::new(pool, url, index, settings.clock(), settings.standing_policy)
            .holding(claim);
    if rebuild {
        indexer.mark_rebuilding();
    }
    Ok(indexer)
}

/// What the resident typed, understood once for every engine.
///
/// Engines search [`ParsedText::query`], never the raw text: a license
/// number typed with spaces or full-width digits (`4550 0101 0000 1`,
/// `４５５０…`) reaches the embedded engine and Meilisearch alike as the
/// normalised number (`4550010100001`), so both answer it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedText {
    /// Trimmed, full-width folded, lower-cased text.
    pub folded: String,
    /// The text as a license number, when it can be one and holds a digit:
    /// normalised like `LicenseNo` (half-width, no spaces, upper case).
    pub license: Option<String>,
    /// The text every engine searches: the normalised license number when
    /// the text is one, else `folded` (in simplified characters when it
    /// has traditional ones).
    pub query: String,
    /// Whether the text holds Chinese characters.
    pub has_cjk: bool,
    /// Latin letters only (pinyin or initials), lower case, no spaces; a
    /// typed `v` is `ü`.
    pub latin: Option<String>,
    /// The text as a decision number (文号), normalised by
    /// [`decision_key`], when it looks like one.
    pub decision: Option<String>,
    /// The text with its traditional characters written simplified (張三
    /// → 张三), when it has any: the register is in simplified
    /// characters. Searched beside the text as typed, never instead of it.
    pub simplified: Option<String>,
}

/// Traditional characters and their simplified forms (`t2s.txt`, from
/// fast2s, MIT).
static T2S: std::sync::LazyLock<std::collections::HashMap<char, char>> =
    std::sync::LazyLock::new(|| {
        include_str!("t2s.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cs = l.chars().filter(|c| !c.is_whitespace());
                Some((cs.next()?, cs.next()?))
            })
            .collect()
    });

/// `text` with each traditional character written simplified, one for one.
pub fn simplified(text: &str) -> String {
    text.chars().map(|c| *T2S.get(&c).unwrap_or(&c)).collect()
}

/// A pinyin vowel without its tone mark (zhāng → zhang), as names are
/// indexed; ü keeps its dots, the other characters stay as they are.
fn untoned(c: char) -> char {
    match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'Ā' | 'Á' | 'Ǎ' | 'À' => 'A',
        'ē' | 'é' | 'ě' | 'è' => 'e',
        'Ē' | 'É' | 'Ě' | 'È' => 'E',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'Ī' | 'Í' | 'Ǐ' | 'Ì' => 'I',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'Ō' | 'Ó' | 'Ǒ' | 'Ò' => 'O',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'Ū' | 'Ú' | 'Ǔ' | 'Ù' => 'U',
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'ü',
        'Ǖ' | 'Ǘ' | 'Ǚ' | 'Ǜ' => 'Ü',
        c => c,
    }
}

/// The longest pinyin of a name looked for in several spellings.
const MAX_NAME_PINYIN: usize = 32;

/// The spellings of typed pinyin to look for: `lu` and `nu` may be lü and
/// nü typed without the dots (吕 is indexed `lü`), so each is tried both
/// ways (at most 8 spellings); the spelling typed comes first.
pub fn pinyin_spellings(latin: &str) -> Vec<String> {
    let chars: Vec<char> = latin.chars().collect();
    // No name reads longer: past that the text is not a name, and each
    // spelling costs a fuzzy automaton as long as the text.
    if chars.len() > MAX_NAME_PINYIN {
        return vec![latin.to_owned()];
    }
    let ambiguous: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i] == 'u' && matches!(chars[i - 1], 'l' | 'n'))
        .take(3)
        .collect();
    let mut out = Vec::with_capacity(1 << ambiguous.len());
    for mask in 0..(1u32 << ambiguous.len()) {
        let mut v = chars.clone();
        for (bit, &i) in ambiguous.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                v[i] = 'ü';
            }
        }
        out.push(v.into_iter().collect());
    }
    out
}

/// A decision number (文号) in one spelling: half-width, no spaces, every
/// kind of bracket as `(` `)`; `渝司罚决〔2025〕1号`, `渝司罚决［2025］1号` and
/// `渝司罚决 (2025) 1 号` all become `渝司罚决(2025)1号`.
pub fn decision_key(raw: &str) -> String {
    raw.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〔' | '［' | '【' | '[' | '（' | '〖' | '{' | '｛' => '(',
            '〕' | '］' | '】' | ']' | '）' | '〗' | '}' | '｝' => ')',
            c => c,
        })
        .collect()
}

/// Folds full-width ASCII to half-width and the ideographic space to a
/// space.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Whether `c` is a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

impl ParsedText {
    /// Understands `raw`.
    pub fn parse(raw: &str) -> Self {
        let folded: String = raw
            .chars()
            .map(fold_width)
            .map(untoned)
            .collect::<String>()
            .trim()
            .to_lowercase();
        let license = LicenseNo::parse(&folded)
            .ok()
            .filter(|l| l.as_str().chars().any(|c| c.is_ascii_digit()))
            .map(LicenseNo::into_string);
        let has_cjk = folded.chars().any(is_cjk);
        // Pinyin has no v: typed (as pinyin keyboards take it) it is ü, as
        // in lü (吕) and nü (女); the index writes ü.
        let letters: String = folded
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == 'v' { 'ü' } else { c })
            .collect();
        let latin = (!letters.is_empty()
            && letters.chars().all(|c| c.is_ascii_lowercase() || c == 'ü'))
        .then_some(letters);
        let query = match (&license, &latin) {
            (Some(l), _) => l.clone(),
            (None, Some(_)) => folded.replace('v', "ü"),
            (None, None) => folded.clone(),
        };
        // A decision number holds Chinese, a digit and a bracket or 号.
        let decision = (has_cjk
            && folded.chars().any(|c| c.is_ascii_digit())
            && folded.chars().any(|c| "〔〕［］【】[]()（）号".contains(c)))
        .then(|| decision_key(raw));
        let simplified = has_cjk
            .then(|| simplified(&folded))
            .filter(|s| *s != folded);
        // Meilisearch is asked in the register's characters (it folds some
        // traditional characters itself, not all: 劉 found no 刘).
        let query = match (&license, &simplified) {
            (None, Some(s)) => s.clone(),
            _ => query,
        };
        Self {
            folded,
            license,
            query,
            has_cjk,
            latin,
            decision,
            simplified,
        }
    }
}

/// Cuts `name` into matched and unmatched stretches for the query: the
/// Chinese text where it occurs in the name, or the characters whose pinyin
/// the latin query spells (full pinyin prefix or initials).
pub fn highlight(name: &str, syllables: &[String], text: &ParsedText) -> Vec<Fragment> {
    let chars: Vec<char> = name.chars().collect();
    let mut marked = vec![false; chars.len()];
    if text.has_cjk {
        let needle: Vec<char> = text.folded.chars().filter(|c| is_cjk(*c)).collect();
        if !needle.is_empty() && needle.len() <= chars.len() {
            for start in 0..=chars.len() - needle.len() {
                if chars[start..start + needle.len()] == needle[..] {
                    marked[start..start + needle.len()].fill(true);
                }
            }
        }
    } else if let Some(latin) = &text.latin
        && syllables.len() == chars.len()
    {
        let initials: String = syllables.iter().filter_map(|s| s.chars().next()).collect();
        if initials == *latin {
            marked.fill(true);
        } else {
            let mut rest = latin.as_str();
            for (i, s) in syllables.iter().enumerate() {
                if rest.is_empty() || s.is_empty() {
                    break;
                }
                if let Some(r) = rest.strip_prefix(s.as_str()) {
                    marked[i] = true;
                    rest = r;
                } else if s.starts_with(rest) || rest.len() < s.len() {
                    marked[i] = true;
                    break;
                } else {
                    break;
                }
            }
        }
    }
    let mut out: Vec<Fragment> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match out.last_mut() {
            Some(f) if f.matched == m => f.text.push(c),
            _ => out.push(Fragment {
                text: c.to_string(),
                matched: m,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn traditional_characters_are_also_read_simplified() {
        let t = super::ParsedText::parse("張 宇梅");
        assert_eq!(t.simplified.as_deref(), Some("张 宇梅"));
        assert_eq!(t.folded, "張 宇梅", "the text as typed is kept");
        assert_eq!(super::ParsedText::parse("张宇梅").simplified, None);
        assert_eq!(super::ParsedText::parse("zhang").simplified, None);
        assert_eq!(super::simplified("陳劉鄭黃吳"), "陈刘郑黄吴");
    }

    #[test]
    fn a_typed_v_is_ü_and_lu_is_tried_both_ways() {
        let t = super::ParsedText::parse("LV mei");
        assert_eq!(t.latin.as_deref(), Some("lümei"));
        assert_eq!(t.query, "lü mei");
        assert_eq!(
            super::pinyin_spellings("lunu"),
            ["lunu", "lünu", "lunü", "lünü"]
        );
        assert_eq!(super::pinyin_spellings("zhang"), ["zhang"]);
        assert_eq!(super::pinyin_spellings("luluLulu").len(), 8, "at most 8");
        let long = "lu".repeat(17);
        assert_eq!(super::pinyin_spellings(&long), vec![long], "not a name");
    }

    use super::*;

    #[test]
    fn license_typed_full_width_with_spaces_is_recognised() {
        let t = ParsedText::parse("４５００１０１　０００１２３");
        assert_eq!(t.license.as_deref(), Some("4500101000123"));
        assert!(!t.has_cjk);
    }

    #[test]
    fn engines_are_given_the_normalised_license_number() {
        for typed in [
            "4550 0101 0000 1",
            "４５５０ ０１０１ ００００ １",
            "４５５０　０１０１　００００　１",
            " 4550０101 0000１ ",
            "4550010100001",
        ] {
            let t = ParsedText::parse(typed);
            assert_eq!(t.license.as_deref(), Some("4550010100001"), "{typed:?}");
            assert_eq!(t.query, "4550010100001", "{typed:?}");
        }
        // Letters in a license number are upper-cased like `LicenseNo`.
        assert_eq!(ParsedText::parse("ab 12 3").query, "AB123");
        // Text that is not a license number is searched as typed (folded).
        assert_eq!(ParsedText::parse(" 龙沙 ").query, "龙沙");
        assert_eq!(ParsedText::parse("Zhang San").query, "zhang san");
        assert_eq!(ParsedText::parse("张三 123").query, "张三 123");
    }

    #[test]
    fn decision_numbers_have_one_spelling() {
        for typed in [
            "渝司罚决〔2025〕1号",
            "渝司罚决[2025]1号",
            "渝司罚决［２０２５］１号",
            " 渝司罚决 (2025) 1 号 ",
            "渝司罚决（2025）1号",
        ] {
            let t = ParsedText::parse(typed);
            assert_eq!(
                t.decision.as_deref(),
                Some("渝司罚决(2025)1号"),
                "{typed:?}"
            );
        }
        assert_eq!(ParsedText::parse("违规收费").decision, None);
        assert_eq!(ParsedText::parse("张三 123").decision, None);
    }

    #[test]
    fn pinyin_is_latin_and_not_a_license() {
        let t = ParsedText::parse(" Zhang San ");
        assert_eq!(t.latin.as_deref(), Some("zhangsan"));
        assert_eq!(t.license, None);
        // Typed with tone marks, as a pinyin keyboard may give it.
        let t = ParsedText::parse("Zhāng Sān");
        assert_eq!(t.latin.as_deref(), Some("zhangsan"));
        assert_eq!(t.query, "zhang san");
    }

    #[test]
    fn highlight_marks_chinese_substring_and_pinyin_prefix() {
        let t = ParsedText::parse("龙沙");
        let h = highlight("龙沙镇法律服务所", &[], &t);
        assert_eq!(h[0].text, "龙沙");
        assert!(h[0].matched);
        assert!(!h[1].matched);
        let syl: Vec<String> = ["zhang", "san", "feng"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let h = highlight("张三丰", &syl, &ParsedText::parse("zhangsan"));
        assert_eq!((h[0].text.as_str(), h[0].matched), ("张三", true));
        let h = highlight("张三丰", &syl, &ParsedText::parse("zsf"));
        assert_eq!((h[0].text.as_str(), h[0].matched), ("张三丰", true));
    }

    #[test]
    fn distance_between_two_chongqing_points() {
        let a = GeoPoint {
            lat: 29.5630,
            lng: 106.5516,
        };
        let b = GeoPoint {
            lat: 29.5630,
            lng: 106.5616,
        };
        let d = a.distance_m(&b);
        assert!((960.0..975.0).contains(&d), "{d}");
        let ((lat0, lat1), (lng0, lng1)) = a.bounding_box(1000.0);
        assert!(lat0 < a.lat && a.lat < lat1 && lng0 < b.lng && b.lng < lng1);
    }
}
