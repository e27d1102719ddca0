//! The embedded engine: a tantivy index under the data folder.
//!
//! Names are indexed three ways: Chinese character 1- and 2-grams (so 龙沙
//! finds 龙沙镇法律服务所), full pinyin (matched as a prefix with one typo
//! allowed for longer input) and initials. Other words go through jieba.
//! License numbers match exactly and rank first. Facets are counted from
//! fast-field ordinals, and distance is computed for the candidates only,
//! after a latitude/longitude bounding-box prefilter.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery,
    FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, TextAnalyzer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, TantivyError, Term,
};

use super::{
    DocType, Facets, GeoPoint, HitSource, ParsedText, RecordHit, SearchDocument, SearchError,
    SearchHit, SearchIndex, SearchQuery, SearchResults, SortOrder, highlight, is_cjk,
};
use crate::domain::vocab::SubjectKind;

const JIEBA: &str = "jieba";
const NGRAM: &str = "cjk_ngram";

/// Facet fields, in the order of [`Facets`].
const FACETS: [&str; 9] = [
    "kind",
    "district",
    "township",
    "area_kind",
    "standing",
    "status",
    "practice_area",
    "record_kind",
    "year",
];

/// Bytes of stored documents per block of the document store (tantivy's
/// default is 16 KiB).
const DOCSTORE_BLOCK: usize = 4096;

/// How many of [`FACETS`], from the first, an office or a worker can carry:
/// the last two are the records' (only the record documents that
/// `documents.rs` builds for disclosures and reviews fill them), so a search
/// of subjects does not read them.
const SUBJECT_FACETS: usize = 7;

/// The one facet a document can hold several values of; each of the
/// others is one term of [`FACET_KEY`].
const PRACTICE_AREA: usize = 6;

/// The fast field holding a document's single-valued facets (every one of
/// [`FACETS`] but [`PRACTICE_AREA`], in that order) as one term, so that
/// counting a match's facets reads one column: a column per facet cost a
/// cache miss each, and with one for the optional ones' index, a quarter
/// of a one-character search at the nation's scale (issue 15).
const FACET_KEY: &str = "facet_key";

/// How many values a [`facet_key`] holds: every facet but practice areas.
const KEYED: usize = FACETS.len() - 1;

/// A key's values, each as its ordinal among the segment's values of that
/// facet (`u32::MAX` for an empty value).
type KeyOrds = [u32; KEYED];

/// Per key ordinal of a segment, its [`KeyOrds`], bit-packed: each value's
/// ordinal plus one (0 for an empty value) in as many bits as that facet's
/// values need, a key's side by side. At the nation's scale a key takes
/// about 6 bytes instead of 32: a fifth of the memory (9 MB less in all),
/// and a search's look-up of each matched key (a cache miss, 15 % of a
/// one-character search; issue 15) reads from a table five times denser.
struct PackedKeys {
    words: Vec<u64>,
    /// Each value's first bit within a key's bits, and its width.
    fields: [(usize, u32); KEYED],
    /// Bits per key.
    stride: usize,
    len: usize,
}

impl PackedKeys {
    /// `keys`' ordinals, each below its facet's `counts` or `u32::MAX`.
    fn new(keys: &[KeyOrds], counts: [usize; KEYED]) -> PackedKeys {
        let mut fields = [(0, 0); KEYED];
        let mut stride = 0;
        for (field, count) in fields.iter_mut().zip(counts) {
            // Ordinals 1..=count, and 0 (ordinals are `u32`s: 32 bits at most).
            let width = (u64::BITS - (count as u64).leading_zeros()).min(32);
            *field = (stride, width);
            stride += width as usize;
        }
        let mut words = vec![0u64; (keys.len() * stride).div_ceil(64) + 1];
        for (k, key) in keys.iter().enumerate() {
            for (&(at, width), (&ord, &count)) in fields.iter().zip(key.iter().zip(&counts)) {
                let stored = if (ord as usize) < count {
                    u64::from(ord) + 1
                } else {
                    0
                };
                put_bits(&mut words, k * stride + at, width, stored);
            }
        }
        PackedKeys {
            words,
            fields,
            stride,
            len: keys.len(),
        }
    }

    fn get(&self, key: usize) -> Option<KeyOrds> {
        if key >= self.len {
            return None;
        }
        let start = key * self.stride;
        Some(self.fields.map(
            |(at, width)| match get_bits(&self.words, start + at, width) {
                0 => u32::MAX,
                n => u32::try_from(n - 1).unwrap_or(u32::MAX),
            },
        ))
    }
}

/// ORs `value` (at most `width` ≤ 32 bits) into `words` from bit `bit`.
fn put_bits(words: &mut [u64], bit: usize, width: u32, value: u64) {
    debug_assert!(
        width == 64 || value >> width == 0,
        "{value} in {width} bits"
    );
    if width == 0 {
        return;
    }
    let (word, shift) = (bit / 64, (bit % 64) as u32);
    if let Some(w) = words.get_mut(word) {
        *w |= value << shift;
    }
    if shift + width > 64
        && let Some(w) = words.get_mut(word + 1)
    {
        *w |= value >> (64 - shift);
    }
}

/// The `width` (≤ 32) bits of `words` from bit `bit`.
fn get_bits(words: &[u64], bit: usize, width: u32) -> u64 {
    if width == 0 {
        return 0;
    }
    let (word, shift) = (bit / 64, (bit % 64) as u32);
    let mut v = words.get(word).copied().unwrap_or(0) >> shift;
    if shift + width > 64 {
        v |= words.get(word + 1).copied().unwrap_or(0) << (64 - shift);
    }
    v & ((1u64 << width) - 1)
}

/// [`FACET_KEY`]'s term: each value as its length in bytes, `:`, then the
/// value, so that no value can be mistaken for a separator; an absent
/// value is empty, which is never counted.
fn facet_key(values: [&str; KEYED]) -> String {
    use std::fmt::Write as _;
    let mut key = String::with_capacity(values.iter().map(|v| v.len() + 3).sum());
    for v in values {
        let _ = write!(key, "{}:{v}", v.len());
    }
    key
}

/// The values [`facet_key`] joined, or `None` for a term it did not write.
fn facet_key_values(mut key: &str) -> Option<[&str; KEYED]> {
    let mut values = [""; KEYED];
    for v in &mut values {
        let (len, rest) = key.split_once(':')?;
        // Only the lengths `facet_key` writes: digits, no leading zero.
        if len.is_empty()
            || !len.bytes().all(|b| b.is_ascii_digit())
            || len.len() > 1 && len.starts_with('0')
        {
            return None;
        }
        let len: usize = len.parse().ok()?;
        *v = rest.get(..len)?;
        key = &rest[len..];
    }
    key.is_empty().then_some(values)
}

/// The index in [`FACETS`] of [`facet_key`]'s `i`-th value.
const fn keyed_facet(i: usize) -> usize {
    if i < PRACTICE_AREA { i } else { i + 1 }
}

// The key's layout and the subjects' facets follow FACETS' order.
const _: () = assert!(SUBJECT_FACETS == PRACTICE_AREA + 1);
const _: () = {
    let name = FACETS[PRACTICE_AREA].as_bytes();
    let want = b"practice_area";
    assert!(name.len() == want.len());
    let mut i = 0;
    while i < want.len() {
        assert!(name[i] == want[i]);
        i += 1;
    }
};

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    license_no: Field,
    name_ngram: Field,
    text: Field,
    name_pinyin: Field,
    name_initials: Field,
    district: Field,
    township: Field,
    area_kind: Field,
    standing: Field,
    status: Field,
    practice_area: Field,
    lat: Field,
    lng: Field,
    kind_rank: Field,
    key_hi: Field,
    key_lo: Field,
    doc: Field,
    doc_type: Field,
    subject: Field,
    record_kind: Field,
    year: Field,
    decision_key: Field,
    facet_key: Field,
}

impl Fields {
    /// The fields a text query reads, which records had fields of their
    /// own for when both shelves were one index ([`BothShelves`]).
    fn own_text(&self) -> [Field; 5] {
        [
            self.license_no,
            self.name_ngram,
            self.text,
            self.name_pinyin,
            self.name_initials,
        ]
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let ngram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NGRAM)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    // No field norms on the words: a subject's text (name, office, address,
    // facts) is not a closer match for being shorter, so the workers of an
    // office found by its name tie and are ordered by license number, as on
    // Meilisearch (with norms their order followed the lengths of their
    // addresses). The name's 2-grams keep norms: a shorter name holding the
    // typed characters is the closer match.
    let jieba = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JIEBA)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING),
        kind: b.add_text_field("kind", STRING),
        license_no: b.add_text_field("license_no", STRING),
        // The name's Chinese characters only, as queries read them (a
        // middle dot split 古丽·买买 into pairs no query has). Renamed from
        // `name_ngram` when that changed, so that an index built before is
        // seen as another schema and rebuilt at open.
        name_ngram: b.add_text_field("name_cjk_ngram", ngram),
        text: b.add_text_field("text", jieba),
        name_pinyin: b.add_text_field("name_pinyin", STRING),
        name_initials: b.add_text_field("name_initials", STRING),
        district: b.add_text_field("district", STRING),
        township: b.add_text_field("township", STRING),
        area_kind: b.add_text_field("area_kind", STRING),
        standing: b.add_text_field("standing", STRING),
        status: b.add_text_field("status", STRING),
        practice_area: b.add_text_field("practice_area", STRING | FAST),
        lat: b.add_f64_field("lat", INDEXED | FAST),
        lng: b.add_f64_field("lng", INDEXED | FAST),
        kind_rank: b.add_u64_field("kind_rank", FAST),
        key_hi: b.add_u64_field("key_hi", FAST),
        key_lo: b.add_u64_field("key_lo", FAST),
        doc: b.add_text_field("doc", STORED),
        doc_type: b.add_text_field("doc_type", STRING),
        subject: b.add_text_field("subject", STRING),
        record_kind: b.add_text_field("record_kind", STRING),
        year: b.add_text_field("year", STRING),
        decision_key: b.add_text_field("decision_key", STRING),
        facet_key: b.add_text_field(FACET_KEY, FAST),
    };
    (b.build(), fields)
}

/// The embedded tantivy engine: two tantivy indexes, one per shelf, the
/// profiles' in the index folder and the records' in its `records`
/// folder.
///
/// Profiles and records apart, as on Meilisearch: a search of profiles
/// reads columns, field norms and postings where only profiles lie. In one
/// index the nation's 84,000 profiles were spread among 520,000 documents,
/// and a one-character search missed the processor's caches on nearly every
/// match (431–460 → 322–325 µs of CPU a search, pinyin initials 247–266 →
/// 171–178 µs; issue 15). After a rebuild the profiles are merged into one
/// segment ([`merge_all`]).
///
/// The index is derived data: a folder that cannot be opened (an empty
/// `meta.json`, a truncated segment file) is moved aside to
/// `index.broken-<time>` and started afresh, and [`SearchIndex::recover`]
/// does the same while the portal runs (the folder deleted under it); the
/// indexer then rebuilds it from the database.
#[derive(Clone)]
pub struct EmbeddedIndex {
    profiles: Shelf,
    records: Shelf,
}

/// The records' folder inside the profiles' (so that moving the index
/// folder aside or deleting it takes both).
const RECORDS_FOLDER: &str = "records";

/// Each shelf's writer: indexing threads and memory in all (tantivy wants
/// 15 MB a thread at least). The records are five documents in six.
const PROFILES_WRITER: (usize, usize) = (1, 20_000_000);
const RECORDS_WRITER: (usize, usize) = (2, 30_000_000);

/// One tantivy index in one folder: the profiles or the records.
#[derive(Clone)]
struct Shelf {
    live: Arc<RwLock<Arc<Live>>>,
    fields: Fields,
    path: PathBuf,
    /// Threads and memory of its writer.
    writer: (usize, usize),
    browse: Arc<Mutex<BrowseCache>>,
    columns: Arc<Mutex<ColumnCache>>,
    recovered: bool,
}

/// One opened folder: the index, its writer and its reader.
struct Live {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
}

/// The writer's lock file in an index folder (tantivy's name).
const WRITER_LOCK: &str = ".tantivy-writer.lock";

/// Answers to queries without text or position ("everything in this
/// district", the empty search page), kept for one generation of the
/// index: over the whole nation such a query visits every document to
/// count facets, and many residents ask exactly the same one.
#[derive(Default)]
struct BrowseCache {
    generation: u64,
    answers: std::collections::HashMap<String, SearchResults>,
}

/// Each segment's fast-field columns and facet values, opened once, by the
/// writer after each commit and at start: opening them (a look-up in the
/// segment's column directory for each of seven columns, then splitting
/// every facet key) costs more than answering a search for a name. A segment never changes once written, so its
/// columns stay valid for as long as it is searched; segments merged away
/// are dropped when the searcher no longer has them.
#[derive(Default)]
struct ColumnCache {
    segments: std::collections::HashMap<tantivy::index::SegmentId, Arc<SegmentColumns>>,
    /// The last searcher asked for, its segments' values merged: the
    /// newest, but for a search that took its searcher just before a
    /// commit, whose own is then built again and replaces it until the next
    /// search of the newest one.
    searcher: Option<Arc<SearcherColumns>>,
}

/// One searcher's segments' columns, and each facet's values across all of
/// them: the merge of the segments' counts then adds up integers rather
/// than comparing and copying every segment's value strings (the merge was
/// a sixth of a one-character search at the nation's scale; issue 15).
/// Built with the segments' columns, by the writer after each commit (or
/// by a search that finds none for its searcher).
struct SearcherColumns {
    ids: Vec<tantivy::index::SegmentId>,
    /// By segment ordinal.
    segments: Vec<Arc<SegmentColumns>>,
    /// Per facet of [`FACETS`], every segment's values, sorted, once each.
    values: Vec<Values>,
    /// Per segment ordinal, per facet: where each of the segment's values
    /// (by its ordinal there) is in `values`.
    places: Vec<Vec<Vec<u32>>>,
}

impl SearcherColumns {
    fn new(ids: Vec<tantivy::index::SegmentId>, segments: Vec<Arc<SegmentColumns>>) -> Self {
        let mut values = Vec::with_capacity(FACETS.len());
        let mut places: Vec<Vec<Vec<u32>>> = vec![Vec::with_capacity(FACETS.len()); segments.len()];
        for f in 0..FACETS.len() {
            let mut all: Vec<&str> = segments
                .iter()
                .flat_map(|s| s.terms.get(f).into_iter().flatten())
                .map(String::as_str)
                .collect();
            all.sort_unstable();
            all.dedup();
            for (s, places) in segments.iter().zip(&mut places) {
                let terms = s.terms.get(f).map_or(&[][..], Vec::as_slice);
                places.push(
                    terms
                        .iter()
                        .map(|t| {
                            all.binary_search(&t.as_str())
                                .ok()
                                .and_then(|at| u32::try_from(at).ok())
                                .unwrap_or(u32::MAX)
                        })
                        .collect(),
                );
            }
            values.push(Values::new(&all));
        }
        SearcherColumns {
            ids,
            segments,
            values,
            places,
        }
    }

    fn is_for(&self, readers: &[SegmentReader]) -> bool {
        self.ids.len() == readers.len()
            && self
                .ids
                .iter()
                .zip(readers)
                .all(|(id, r)| *id == r.segment_id())
    }
}

/// One segment's columns, as [`Candidates`] reads them.
struct SegmentColumns {
    lat: Column<f64>,
    lng: Column<f64>,
    kind_rank: Column<u64>,
    key_hi: Column<u64>,
    key_lo: Column<u64>,
    /// [`FACET_KEY`]'s column, and for each of its term ordinals the
    /// ordinal of each value in `terms` (in [`facet_key`]'s order).
    facet_key: Option<(StrColumn, PackedKeys)>,
    /// [`PRACTICE_AREA`]'s column.
    practice_area: Option<StrColumn>,
    /// One per name of [`FACETS`]: the segment's values, in order.
    terms: Vec<Vec<String>>,
}

impl SegmentColumns {
    fn open(reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let ff = reader.fast_fields();
        let mut terms = vec![Vec::new(); FACETS.len()];
        let practice_area = ff.str(FACETS[PRACTICE_AREA])?;
        if let Some(col) = &practice_area {
            terms[PRACTICE_AREA] = dictionary(col)?;
        }
        let facet_key = match ff.str(FACET_KEY)? {
            Some(col) => {
                let (ords, values) = split_keys(&col)?;
                for (i, values) in values.into_iter().enumerate() {
                    terms[keyed_facet(i)] = values;
                }
                Some((col, ords))
            }
            None => None,
        };
        Ok(SegmentColumns {
            lat: ff.f64("lat")?,
            lng: ff.f64("lng")?,
            kind_rank: ff.u64("kind_rank")?,
            key_hi: ff.u64("key_hi")?,
            key_lo: ff.u64("key_lo")?,
            facet_key,
            practice_area,
            terms,
        })
    }
}

/// Per facet in [`facet_key`]'s order, the values of a segment's keys,
/// sorted; and per key ordinal, the ordinal of each of its values there
/// (`u32::MAX` for an empty value, never counted). In one pass over the
/// keys: neighbouring keys share their first values (kind, district,
/// township), which are then not looked up again.
fn split_keys(col: &StrColumn) -> tantivy::Result<(PackedKeys, Vec<Vec<String>>)> {
    let mut ids: Vec<std::collections::HashMap<String, u32>> = vec![Default::default(); KEYED];
    let mut ords: Vec<KeyOrds> = Vec::with_capacity(col.num_terms());
    let mut last: [(String, u32); KEYED] = std::array::from_fn(|_| (String::new(), u32::MAX));
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        let mut key_ords = [u32::MAX; KEYED];
        if let Some(values) = std::str::from_utf8(stream.key())
            .ok()
            .and_then(facet_key_values)
        {
            for (i, v) in values.into_iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let (seen, id) = &mut last[i];
                if seen.as_str() != v {
                    let next = ids[i].len() as u32;
                    *id = *ids[i].entry(v.to_owned()).or_insert(next);
                    v.clone_into(seen);
                }
                key_ords[i] = *id;
            }
        }
        ords.push(key_ords);
    }
    // Number each facet's values in order, and the keys' ordinals with them.
    let mut values = Vec::with_capacity(KEYED);
    let mut renumber = Vec::with_capacity(KEYED);
    for ids in ids {
        let mut sorted: Vec<(String, u32)> = ids.into_iter().collect();
        sorted.sort_unstable();
        let mut to = vec![u32::MAX; sorted.len()];
        for (n, (_, id)) in sorted.iter().enumerate() {
            to[*id as usize] = n as u32;
        }
        renumber.push(to);
        values.push(sorted.into_iter().map(|(v, _)| v).collect());
    }
    for key in &mut ords {
        for (ord, to) in key.iter_mut().zip(&renumber) {
            if let Some(n) = to.get(*ord as usize) {
                *ord = *n;
            }
        }
    }
    let counts: [usize; KEYED] = std::array::from_fn(|i| values.get(i).map_or(0, Vec::len));
    Ok((PackedKeys::new(&ords, counts), values))
}

/// Strings by ordinal, in one buffer: read in order, they are read from
/// one block of memory rather than each from its own allocation (a cache
/// miss for the string and another for its text, twice per facet value of
/// an answer).
struct Values {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl Values {
    fn new(all: &[&str]) -> Values {
        let mut text = String::with_capacity(all.iter().map(|v| v.len()).sum());
        let ends = all
            .iter()
            .map(|v| {
                text.push_str(v);
                text.len()
            })
            .collect();
        Values { text, ends }
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)?,
        };
        self.text.get(start..end)
    }
}

/// A string column's terms, by ordinal.
fn dictionary(col: &StrColumn) -> tantivy::Result<Vec<String>> {
    let mut terms = Vec::with_capacity(col.num_terms());
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        terms.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(terms)
}

impl ColumnCache {
    /// The columns of the searcher's segments, and their facets' values.
    fn of(
        cache: &Mutex<ColumnCache>,
        searcher: &tantivy::Searcher,
    ) -> tantivy::Result<Arc<SearcherColumns>> {
        let readers = searcher.segment_readers();
        if let Ok(cache) = cache.lock()
            && let Some(known) = cache.searcher.as_ref().filter(|s| s.is_for(readers))
        {
            return Ok(known.clone());
        }
        // Open what is missing outside the lock, then keep only the
        // segments this searcher has.
        let known: std::collections::HashMap<_, _> =
            cache.lock().map(|c| c.segments.clone()).unwrap_or_default();
        let all = readers
            .iter()
            .map(|r| match known.get(&r.segment_id()) {
                Some(c) => Ok(c.clone()),
                None => SegmentColumns::open(r).map(Arc::new),
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let ids: Vec<_> = readers.iter().map(|r| r.segment_id()).collect();
        let merged = Arc::new(SearcherColumns::new(ids.clone(), all.clone()));
        if let Ok(mut cache) = cache.lock() {
            cache.segments = ids.into_iter().zip(all).collect();
            cache.searcher = Some(merged.clone());
        }
        Ok(merged)
    }
}

/// How many browse answers one generation keeps.
const BROWSE_KEEP: usize = 128;

fn engine(e: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(e.to_string())
}

impl Shelf {
    /// Opens (or creates) the shelf in `dir`. A second process on the same
    /// folder gets a clear error, not a wait. A folder that cannot be read
    /// is moved aside and replaced by an empty index: the index is a
    /// projection of the database and is rebuilt from it.
    fn open(dir: &Path, writer: (usize, usize)) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            SearchError::Unavailable(format!("cannot create {}: {e}", dir.display()))
        })?;
        let (schema, fields) = schema();
        let (live, recovered) = match Live::open(dir, &schema, writer) {
            Ok(live) => (live, false),
            // Another process writes there: never touch its folder.
            Err(e @ SearchError::Unavailable(_)) => return Err(e),
            Err(e) => {
                ensure_unlocked(dir)?;
                let aside = set_aside(dir)?;
                tracing::warn!(
                    path = %dir.display(),
                    moved_to = %aside.display(),
                    error = %e,
                    "the search index cannot be read; moved it aside and rebuilding it from \
                     the database (search answers from the database until then)"
                );
                std::fs::create_dir_all(dir).map_err(|e| {
                    SearchError::Unavailable(format!("cannot create {}: {e}", dir.display()))
                })?;
                (Live::open(dir, &schema, writer)?, true)
            }
        };
        Ok(Self {
            live: Arc::new(RwLock::new(Arc::new(live))),
            fields,
            path: dir.to_path_buf(),
            writer,
            browse: Arc::default(),
            columns: Arc::default(),
            recovered,
        })
    }

    fn live(&self) -> Result<Arc<Live>, SearchError> {
        self.live
            .read()
            .map(|l| l.clone())
            .map_err(|_| SearchError::Engine("index state poisoned".into()))
    }

    /// Whether the folder still holds a readable index.
    fn folder_intact(&self) -> bool {
        let (schema, _) = schema();
        self.path.join("meta.json").is_file()
            && Self::open_dir(&self.path, schema)
                .and_then(|index| index.load_metas())
                .is_ok()
    }

    /// Swaps in an empty index in the folder (created if need be).
    fn reset(&self) -> Result<(), SearchError> {
        std::fs::create_dir_all(&self.path).map_err(|e| {
            SearchError::Unavailable(format!("cannot create {}: {e}", self.path.display()))
        })?;
        let (schema, _) = schema();
        let fresh = Arc::new(Live::open(&self.path, &schema, self.writer)?);
        let old = {
            let mut live = self
                .live
                .write()
                .map_err(|_| SearchError::Engine("index state poisoned".into()))?;
            std::mem::replace(&mut *live, fresh)
        };
        drop(old);
        if let Ok(mut cache) = self.browse.lock() {
            cache.answers.clear();
        }
        Ok(())
    }

    fn open_dir(dir: &Path, schema: Schema) -> tantivy::Result<Index> {
        let mmap =
            MmapDirectory::open(dir).map_err(|e| TantivyError::SystemError(e.to_string()))?;
        // Stored documents are read a block at a time, and without a
        // compressor a block is copied whole on each read the block cache
        // misses: small blocks make a page of hits cheaper to read.
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK,
            ..Default::default()
        };
        Index::builder()
            .schema(schema)
            .settings(settings)
            .open_or_create(mmap)
    }

    /// `d` as tantivy's, with its id and its shelf.
    fn prepare(&self, d: &SearchDocument) -> Result<Prepared, SearchError> {
        Ok(Prepared {
            id: d.id.clone(),
            record: d.doc_type.is_record(),
            doc: self.to_tantivy(d)?,
        })
    }

    fn to_tantivy(&self, d: &SearchDocument) -> Result<TantivyDocument, SearchError> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.kind, d.kind.key());
        let record = d.doc_type.is_record();
        doc.add_text(f.license_no, &d.license_no);
        doc.add_text(
            f.name_ngram,
            d.name.chars().filter(|c| is_cjk(*c)).collect::<String>(),
        );
        doc.add_text(f.text, format!("{} {}", d.name, d.text));
        doc.add_text(f.name_pinyin, &d.name_pinyin);
        doc.add_text(f.name_initials, &d.name_initials);
        doc.add_text(f.district, &d.district_code);
        if let Some(t) = &d.township {
            doc.add_text(f.township, t);
        }
        doc.add_text(f.area_kind, &d.area_kind);
        doc.add_text(f.standing, &d.standing);
        doc.add_text(f.status, &d.status);
        for a in &d.practice_areas {
            doc.add_text(f.practice_area, a);
        }
        // Records are never searched by position (search_params drops it).
        if let (Some(lat), Some(lng), false) = (d.lat, d.lng, record) {
            doc.add_f64(f.lat, lat);
            doc.add_f64(f.lng, lng);
        }
        doc.add_text(f.doc_type, d.doc_type.key());
        let r = &d.record;
        if let Some(subject) = &r.subject {
            doc.add_text(f.subject, subject);
        }
        if let Some(k) = &r.record_kind {
            doc.add_text(f.record_kind, k);
        }
        if let Some(y) = r.year {
            doc.add_text(f.year, y.to_string());
        }
        if let Some(k) = &r.decision_key {
            doc.add_text(f.decision_key, k);
        }
        let year = r.year.map(|y| y.to_string());
        doc.add_text(
            f.facet_key,
            facet_key([
                d.kind.key(),
                &d.district_code,
                d.township.as_deref().unwrap_or(""),
                &d.area_kind,
                &d.standing,
                &d.status,
                r.record_kind.as_deref().unwrap_or(""),
                year.as_deref().unwrap_or(""),
            ]),
        );
        // Records: newest first when nothing else decides, then by id.
        let (hi, lo) = if d.doc_type.is_record() {
            key_parts(&d.id)
        } else {
            key_parts(&d.license_no)
        };
        doc.add_u64(f.kind_rank, order_rank(d));
        doc.add_u64(f.key_hi, hi);
        doc.add_u64(f.key_lo, lo);
        doc.add_text(f.doc, serde_json::to_string(d).map_err(engine)?);
        Ok(doc)
    }

    /// Opens the columns of the current searcher's segments that are not
    /// open yet.
    fn warm_columns(&self) {
        if let Ok(live) = self.live()
            && let Err(e) = ColumnCache::of(&self.columns, &live.reader.searcher())
        {
            tracing::warn!("search columns could not be opened: {e}");
        }
    }

    /// Answers a query on the calling thread; `other` is the other shelf's
    /// searcher, whose statistics BM25 counts too (see [`BothShelves`]).
    fn search_blocking(
        &self,
        q: &SearchQuery,
        other: Option<&tantivy::Searcher>,
    ) -> Result<SearchResults, SearchError> {
        let live = self.live()?;
        let searcher = live.reader.searcher();
        let browsing = q.text.trim().is_empty() && q.near.is_none();
        if !browsing {
            return self.answer(q, &searcher, other);
        }
        let generation = searcher.generation().generation_id();
        let key = format!("{q:?}");
        if let Ok(cache) = self.browse.lock()
            && cache.generation == generation
            && let Some(found) = cache.answers.get(&key)
        {
            return Ok(found.clone());
        }
        let answer = self.answer(q, &searcher, other)?;
        if let Ok(mut cache) = self.browse.lock() {
            if cache.generation != generation || cache.answers.len() >= BROWSE_KEEP {
                cache.generation = generation;
                cache.answers.clear();
            }
            cache.answers.insert(key, answer.clone());
        }
        Ok(answer)
    }

    fn answer(
        &self,
        q: &SearchQuery,
        searcher: &tantivy::Searcher,
        other: Option<&tantivy::Searcher>,
    ) -> Result<SearchResults, SearchError> {
        let text = ParsedText::parse(&q.text);
        let query = self.build_query(q, &text)?;
        let collector = Candidates {
            columns: ColumnCache::of(&self.columns, searcher).map_err(engine)?,
            facets: if q.target.is_record() {
                FACETS.len()
            } else {
                SUBJECT_FACETS
            },
            near: q.near,
            radius_m: q.radius_m.filter(|_| q.near.is_some()),
        };
        let statistics = BothShelves {
            searcher,
            other,
            own: self.fields.own_text(),
        };
        let (found, facets) = searcher
            .search_with_statistics_provider(&*query, &collector, &statistics)
            .map_err(engine)?;
        let total = found.len() as u64;
        let by_distance = q.sort == SortOrder::Distance && q.near.is_some();
        let end = (q.offset + q.limit).min(found.len());
        let cands = if end > q.offset {
            first_in_order(found, end, by_distance, |c| {
                order_key(&collector.columns.segments, c)
            })
        } else {
            Vec::new()
        };
        let hits = cands
            .iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|c| {
                let doc: TantivyDocument = searcher.doc(c.address).map_err(engine)?;
                let stored = doc
                    .get_first(self.fields.doc)
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| SearchError::Engine("stored document missing".into()))?;
                let d: HitSource = serde_json::from_str(stored).map_err(engine)?;
                Ok(hit_of(d, c.distance, &text))
            })
            .collect::<Result<Vec<_>, SearchError>>()?;
        Ok(SearchResults {
            hits,
            total,
            facets,
            backend: "embedded",
        })
    }

    fn build_query(
        &self,
        q: &SearchQuery,
        text: &ParsedText,
    ) -> Result<Box<dyn Query>, SearchError> {
        let f = &self.fields;
        let records = q.target.is_record();
        let t = f;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The profiles' shelf holds nothing else; the records' holds both
        // kinds of record.
        if records {
            must.push((Occur::Must, term(f.doc_type, q.target.key())));
        }
        if !text.folded.is_empty() {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let boosted = |q: Box<dyn Query>, b: f32| -> (Occur, Box<dyn Query>) {
                (Occur::Should, Box::new(BoostQuery::new(q, b)))
            };
            if let Some(license) = &text.license {
                should.push(boosted(term(t.license_no, license), 1000.0));
            }
            // Decision numbers are records'.
            if let Some(decision) = text.decision.as_ref().filter(|_| records) {
                should.push(boosted(term(f.decision_key, decision), 1000.0));
            }
            // The text as typed and, when it has traditional characters,
            // as the register writes it (張三 finds 张三, as on Meilisearch).
            let spellings = [Some(&text.folded), text.simplified.as_ref()];
            for typed in spellings.into_iter().flatten().filter(|_| text.has_cjk) {
                let chars: Vec<char> = typed.chars().filter(|c| is_cjk(*c)).collect();
                let grams: Vec<String> = if chars.len() == 1 {
                    vec![chars[0].to_string()]
                } else {
                    chars.windows(2).map(|w| w.iter().collect()).collect()
                };
                should.push(boosted(
                    all_of(grams.iter().map(|g| word(t.name_ngram, g))),
                    10.0,
                ));
            }
            if let Some(typed) = &text.latin {
                let len = typed.chars().count();
                for latin in &super::pinyin_spellings(typed) {
                    let t = Term::from_field_text(t.name_pinyin, latin);
                    if len >= 4 {
                        // The exact prefix scores above a one-letter variant
                        // of it, so `zhang` lists 张… before 长…/尚… (chang,
                        // shang).
                        should.push(boosted(
                            Box::new(FuzzyTermQuery::new_prefix(t.clone(), 0, true)),
                            6.0,
                        ));
                    } else if len >= 2 {
                        // Two or three letters are initials first (below),
                        // or the start of the reading: `liu` is every 刘,
                        // `zha` every 张, as Meilisearch's prefix search of
                        // the last word finds them; after the initials.
                        should.push(boosted(
                            Box::new(FuzzyTermQuery::new_prefix(t.clone(), 0, true)),
                            1.5,
                        ));
                    }
                    if len >= 5 {
                        // One letter wrong, but not the first (Meilisearch
                        // counts a first-letter typo as two, and allows one):
                        // `wanjian` is 万健, not 韩建梅 (hanjianmei).
                        let first = latin.chars().next().map(String::from).unwrap_or_default();
                        let same_start = Term::from_field_text(t.field(), &first);
                        should.push(boosted(
                            all_of(
                                [
                                    Box::new(FuzzyTermQuery::new_prefix(t.clone(), 1, true))
                                        as Box<dyn Query>,
                                    Box::new(FuzzyTermQuery::new_prefix(same_start, 0, true)),
                                ]
                                .into_iter(),
                            ),
                            3.0,
                        ));
                    }
                    should.push(boosted(
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
                        8.0,
                    ));
                }
                let latin = typed;
                should.push(boosted(term(t.name_initials, latin), 7.0));
                if (2..=3).contains(&len) {
                    // Initials typed so far: `zz` also finds 朱志春 (zzc),
                    // after every exact `zz`, as Meilisearch's prefix search
                    // of the last word does.
                    should.push(boosted(
                        Box::new(FuzzyTermQuery::new_prefix(
                            Term::from_field_text(t.name_initials, latin),
                            0,
                            true,
                        )),
                        2.0,
                    ));
                }
            }
            // The normalised text: a license number typed in groups is one
            // word here, as it is for Meilisearch.
            for typed in [Some(&text.query), text.simplified.as_ref()]
                .into_iter()
                .flatten()
            {
                let words = self.words(typed)?;
                if !words.is_empty() {
                    should.push(boosted(all_of(words.iter().map(|w| word(t.text, w))), 1.0));
                }
            }
            if should.is_empty() {
                return Ok(Box::new(EmptyQuery));
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        let filters = &q.filters;
        let pairs = [
            (f.kind, filters.kind.map(|k| k.key().to_owned())),
            (f.district, filters.district.clone()),
            (f.township, filters.township.clone()),
            (f.area_kind, filters.area_kind.map(|k| k.key().to_owned())),
            (f.standing, filters.standing.map(|s| s.key().to_owned())),
            (f.status, filters.status.map(|s| s.key().to_owned())),
            (f.practice_area, filters.practice_area.clone()),
            (
                f.record_kind,
                filters.record_kind.map(|k| k.key().to_owned()),
            ),
            (f.year, filters.year.map(|y| y.to_string())),
        ];
        for (field, value) in pairs {
            if let Some(v) = value {
                // A filter narrows and does not score: a practice-area
                // term scored by BM25 put subjects with fewer areas first,
                // ahead of the order's offices-then-license-number.
                let filter = ConstScoreQuery::new(term(field, &v), 0.0);
                must.push((Occur::Must, Box::new(filter)));
            }
        }
        if let (Some(p), Some(r)) = (q.near, q.radius_m) {
            let ((lat0, lat1), (lng0, lng1)) = p.bounding_box(r);
            must.push((Occur::Must, range(f.lat, lat0, lat1)));
            must.push((Occur::Must, range(f.lng, lng0, lng1)));
        }
        if text.folded.is_empty() {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(must)))
    }

    /// The words of `text` as the jieba field indexes them.
    fn words(&self, text: &str) -> Result<Vec<String>, SearchError> {
        let mut analyzer = self
            .live()?
            .index
            .tokenizer_for_field(self.fields.text)
            .map_err(engine)?;
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            if t.text.chars().any(char::is_alphanumeric) && !out.contains(&t.text) {
                out.push(t.text.clone());
            }
        }
        Ok(out)
    }
}

impl Live {
    /// Opens or creates the index in `dir` with its writer and reader. A
    /// writer lock held by another process is `Unavailable`; anything else
    /// that fails is an `Engine` error (a damaged folder).
    fn open(dir: &Path, schema: &Schema, writer: (usize, usize)) -> Result<Self, SearchError> {
        let index = match Shelf::open_dir(dir, schema.clone()) {
            Ok(index) => index,
            // The index is a projection: one from an older schema is
            // thrown away and rebuilt from the database.
            Err(TantivyError::SchemaError(_)) => {
                tracing::warn!(path = %dir.display(), "search index schema changed; rebuilding");
                std::fs::remove_dir_all(dir).map_err(engine)?;
                std::fs::create_dir_all(dir).map_err(engine)?;
                Shelf::open_dir(dir, schema.clone()).map_err(engine)?
            }
            Err(e) => return Err(engine(e)),
        };
        register_tokenizers(&index)?;
        let (threads, memory) = writer;
        let writer = index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => SearchError::Unavailable(format!(
                    "the embedded search index in {} is in use by another portal process; \
                 run one process per data folder, or set MEILI_URL to share Meilisearch",
                    dir.display()
                )),
                e => engine(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(engine)?;
        // Every segment must open: a truncated file shows here, not at the
        // first search.
        reader.reload().map_err(engine)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
        })
    }
}

/// Refuses to touch a folder whose writer lock another process holds.
fn ensure_unlocked(dir: &Path) -> Result<(), SearchError> {
    let Ok(file) = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join(WRITER_LOCK))
    else {
        return Ok(());
    };
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(SearchError::Unavailable(format!(
            "the embedded search index in {} is in use by another portal process",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(_)) => Ok(()),
    }
}

/// Moves `dir` to `<dir>.broken-<unix seconds>` beside it (removing it when
/// it cannot be moved) and returns where it went.
fn set_aside(dir: &Path) -> Result<PathBuf, SearchError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".broken-{stamp}"));
    let aside = dir.with_file_name(name);
    if std::fs::rename(dir, &aside).is_err() {
        let removed = if dir.is_dir() {
            std::fs::remove_dir_all(dir)
        } else {
            std::fs::remove_file(dir)
        };
        removed.map_err(|e| {
            SearchError::Unavailable(format!("cannot move aside {}: {e}", dir.display()))
        })?;
    }
    Ok(aside)
}

fn register_tokenizers(index: &Index) -> Result<(), SearchError> {
    index.tokenizers().register(
        JIEBA,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(LowerCaser)
            .build(),
    );
    let ngram = NgramTokenizer::new(1, 2, false).map_err(engine)?;
    index.tokenizers().register(
        NGRAM,
        TextAnalyzer::builder(ngram).filter(LowerCaser).build(),
    );
    Ok(())
}

/// An exact term of a `STRING` field.
fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// A word of a tokenized field, scored by frequency.
fn word(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn all_of(queries: impl Iterator<Item = Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.map(|q| (Occur::Must, q)).collect(),
    ))
}

fn range(field: Field, lo: f64, hi: f64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_f64(field, lo)),
        Bound::Included(Term::from_field_f64(field, hi)),
    ))
}

/// The first order key when scores tie: offices before workers; records
/// newest first.
fn order_rank(d: &SearchDocument) -> u64 {
    if d.doc_type.is_record() {
        let days = d
            .record
            .record_date
            .map_or(0, |day| i64::from(chrono::Datelike::num_days_from_ce(&day)));
        (10_000_000 - days).max(0) as u64
    } else {
        match d.kind {
            SubjectKind::Office => 0,
            SubjectKind::Worker => 1,
        }
    }
}

/// The first 16 bytes of a license number as two big-endian integers: an
/// order equal to the text's for numbers up to 16 characters, stable beyond.
fn key_parts(license_no: &str) -> (u64, u64) {
    let mut bytes = [0u8; 16];
    for (b, s) in bytes.iter_mut().zip(license_no.bytes()) {
        *b = s;
    }
    let (hi, lo) = bytes.split_at(8);
    (
        u64::from_be_bytes(hi.try_into().unwrap_or_default()),
        u64::from_be_bytes(lo.try_into().unwrap_or_default()),
    )
}

/// The first `end` of `found` in the answer's order: by score, or by
/// distance near a point, then by the order key `key` reads (offices before
/// workers, then license number; records newest first, then id). The key
/// is read only for the matches that can be among the first `end`: those
/// ahead of the `end`-th by score or tied with it. Reading it for every
/// match took the collector from 30 % to 37 % of a one-character search at
/// the nation's scale, where each of its three columns is a cache miss
/// among 520,000 documents (issue 15).
fn first_in_order<K: Ord>(
    mut found: Vec<Candidate>,
    end: usize,
    by_distance: bool,
    key: impl Fn(&Candidate) -> K,
) -> Vec<Candidate> {
    let primary = |a: &Candidate, b: &Candidate| {
        if by_distance {
            a.distance
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.distance.unwrap_or(f64::INFINITY))
        } else {
            b.score.total_cmp(&a.score)
        }
    };
    if end == 0 {
        return Vec::new();
    }
    if end < found.len() {
        // Whatever the order key says, a match behind the `end`-th by score
        // is out, and one ahead of it is in.
        let (_, nth, _) = found.select_nth_unstable_by(end - 1, primary);
        let nth = *nth;
        found.retain(|c| primary(c, &nth).is_le());
    }
    let mut keyed: Vec<_> = found.into_iter().map(|c| (key(&c), c)).collect();
    let order =
        |(ka, a): &(K, Candidate), (kb, b): &(K, Candidate)| primary(a, b).then_with(|| ka.cmp(kb));
    // Many may tie with the `end`-th (every match of an empty query): sort
    // only the first `end` of them.
    if end < keyed.len() {
        keyed.select_nth_unstable_by(end - 1, order);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(order);
    keyed.into_iter().map(|(_, c)| c).collect()
}

/// A match's order key, from the columns of its segment (`columns` has
/// every segment of the searcher, by ordinal: [`ColumnCache::of`]).
fn order_key(columns: &[Arc<SegmentColumns>], c: &Candidate) -> (u64, u64, u64) {
    let doc = c.address.doc_id;
    let Some(col) = columns.get(c.address.segment_ord as usize) else {
        debug_assert!(false, "no columns for segment {}", c.address.segment_ord);
        return (0, 0, 0);
    };
    (
        col.kind_rank.first(doc).unwrap_or(0),
        col.key_hi.first(doc).unwrap_or(0),
        col.key_lo.first(doc).unwrap_or(0),
    )
}

/// Builds a hit from a stored document; shared with the Meilisearch engine.
pub fn hit_of(d: HitSource, distance_m: Option<f64>, text: &ParsedText) -> SearchHit {
    let highlight = highlight(&d.name, &d.name_syllables, text);
    let record = d.doc_type.is_record().then(|| RecordHit {
        doc_type: d.doc_type,
        kind: d.record_kind.unwrap_or_default(),
        decision_no: d.decision_no,
        authority: d.authority,
        decided_on: d.record_date.filter(|_| d.doc_type == DocType::Disclosure),
        public_until: d.public_until,
        year: d.year.unwrap_or_default(),
        summary: d.summary,
        basis: d.basis,
    });
    SearchHit {
        kind: d.kind,
        license_no: d.license_no,
        name: d.name,
        district_code: d.district_code,
        district_name: d.district_name,
        township: d.township,
        standing: d.standing,
        standing_label: d.standing_label,
        status: d.status,
        office_name: d.office_name,
        address: d.address,
        distance_m: distance_m.map(|m| m.round()),
        highlight,
        record,
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    address: DocAddress,
    score: Score,
    distance: Option<f64>,
}

/// Collects every match with its score, distance and order key, dropping
/// those outside the radius, and counts the facets of the rest.
struct Candidates {
    /// The columns of the searcher's segments, and their facets' values.
    columns: Arc<SearcherColumns>,
    /// How many of [`FACETS`], from the first, the searched documents can
    /// carry and are counted.
    facets: usize,
    near: Option<GeoPoint>,
    radius_m: Option<f64>,
}

struct SegmentCandidates {
    segment: SegmentOrdinal,
    near: Option<GeoPoint>,
    radius_m: Option<f64>,
    columns: Arc<SegmentColumns>,
    /// The searcher's columns: where this segment's facet values are among
    /// all of the searcher's.
    searcher: Arc<SearcherColumns>,
    /// How many of [`FACETS`], from the first, are counted.
    facets: usize,
    /// The matches' [`FACET_KEY`] ordinals and their practice areas'
    /// ordinals, one per value, counted at harvest: a count per term would
    /// zero a vector as long as the segment's dictionary on every search
    /// (the nation's 31,000 townships in each of a dozen segments; issue 15).
    key_ords: Vec<u64>,
    area_ords: Vec<u64>,
    found: Vec<Candidate>,
}

/// A segment's matches, and per facet (place among the searcher's values,
/// count) pairs, unsorted and a place perhaps more than once: they are
/// summed once every segment is in, and the values read then (a term
/// string per segment per value was a third of a one-character search at
/// the nation's scale, a sort per segment and facet a tenth).
type Harvest = (Vec<Candidate>, Vec<Vec<(u32, u64)>>);

impl Collector for Candidates {
    type Fruit = (Vec<Candidate>, Facets);
    type Child = SegmentCandidates;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCandidates> {
        // The columns were opened for this very searcher: a segment without
        // them would be counted without its facets.
        let columns = self
            .columns
            .segments
            .get(segment as usize)
            .cloned()
            .ok_or_else(|| {
                TantivyError::InternalError(format!("no columns for segment {segment}"))
            })?;
        Ok(SegmentCandidates {
            segment,
            near: self.near,
            radius_m: self.radius_m,
            facets: self.facets,
            key_ords: Vec::new(),
            area_ords: Vec::new(),
            columns,
            searcher: self.columns.clone(),
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Harvest>) -> tantivy::Result<(Vec<Candidate>, Facets)> {
        let mut all = Vec::new();
        let mut merged: Vec<Vec<(u32, u64)>> = vec![Vec::new(); FACETS.len()];
        for (cands, facets) in fruits {
            all.extend(cands);
            for (into, from) in merged.iter_mut().zip(facets) {
                into.extend(from);
            }
        }
        let counts: Vec<BTreeMap<String, u64>> = merged
            .into_iter()
            .zip(&self.columns.values)
            .map(|(pairs, values)| {
                // In order of place, so of value: BTreeMap builds from it
                // without sorting.
                summed(pairs, values.ends.len())
                    .into_iter()
                    .filter_map(|(place, n)| {
                        let value = values.get(place as usize)?;
                        (!value.is_empty()).then(|| (value.to_owned(), n))
                    })
                    .collect()
            })
            .collect();
        let mut it = counts.into_iter();
        let mut next = || it.next().unwrap_or_default();
        let facets = Facets {
            kind: next(),
            district: next(),
            township: next(),
            area_kind: next(),
            standing: next(),
            status: next(),
            practice_area: next(),
            record_kind: next(),
            year: next(),
        };
        Ok((all, facets))
    }
}

impl SegmentCollector for SegmentCandidates {
    type Fruit = Harvest;

    fn collect(&mut self, doc: DocId, score: Score) {
        let c = &*self.columns;
        // The position is read only for a search near a point.
        let distance = self.near.and_then(|p| {
            let at = GeoPoint {
                lat: c.lat.first(doc)?,
                lng: c.lng.first(doc)?,
            };
            Some(p.distance_m(&at))
        });
        if let Some(r) = self.radius_m
            && distance.is_none_or(|d| d > r)
        {
            return;
        }
        if let Some((col, _)) = &c.facet_key
            && let Some(ord) = col.ords().first(doc)
        {
            self.key_ords.push(ord);
        }
        if self.facets > PRACTICE_AREA
            && let Some(col) = &c.practice_area
        {
            self.area_ords.extend(col.term_ords(doc));
        }
        self.found.push(Candidate {
            address: DocAddress::new(self.segment, doc),
            score,
            distance,
        });
    }

    fn harvest(mut self) -> Harvest {
        let mut facets: Vec<Vec<(u32, u64)>> = vec![Vec::new(); FACETS.len()];
        let Some(places) = self.searcher.places.get(self.segment as usize) else {
            debug_assert!(false, "no facet values for segment {}", self.segment);
            return (self.found, facets);
        };
        let place = |facet: usize, ord: u64| {
            let at = *places.get(facet)?.get(usize::try_from(ord).ok()?)?;
            (at != u32::MAX).then_some(at)
        };
        for (ord, n) in counted(std::mem::take(&mut self.area_ords)) {
            if let Some(at) = place(PRACTICE_AREA, ord) {
                facets[PRACTICE_AREA].push((at, n));
            }
        }
        if let Some((_, values)) = &self.columns.facet_key {
            // Each distinct key once, with its count, into each facet's
            // (place, count) pairs.
            let counted_facets: Vec<usize> = (0..KEYED)
                .filter(|&i| keyed_facet(i) < self.facets)
                .collect();
            for (key, n) in counted(std::mem::take(&mut self.key_ords)) {
                let Some(ords) = usize::try_from(key).ok().and_then(|k| values.get(k)) else {
                    continue;
                };
                for &i in &counted_facets {
                    let facet = keyed_facet(i);
                    if let Some(at) = place(facet, u64::from(ords[i])) {
                        facets[facet].push((at, n));
                    }
                }
            }
        }
        (self.found, facets)
    }
}

/// Each place of `pairs` below `len` once, with the sum of its counts if
/// that is not 0, in order of place. Counted in an array when
/// that is not much longer than `pairs` (most facets have a handful of
/// values), else sorted.
fn summed(mut pairs: Vec<(u32, u64)>, len: usize) -> Vec<(u32, u64)> {
    if len <= pairs.len().saturating_mul(16) {
        let mut counts = vec![0u64; len];
        for (place, n) in pairs {
            if let Some(c) = counts.get_mut(place as usize) {
                *c += n;
            }
        }
        return (0u32..).zip(counts).filter(|(_, n)| *n > 0).collect();
    }
    pairs.retain(|p| (p.0 as usize) < len);
    pairs.sort_unstable_by_key(|p| p.0);
    let mut sums: Vec<(u32, u64)> = Vec::with_capacity(pairs.len());
    for (place, n) in pairs {
        match sums.last_mut() {
            Some((last, sum)) if *last == place => *sum += n,
            _ => sums.push((place, n)),
        }
    }
    sums.retain(|s| s.1 > 0);
    sums
}

/// Each distinct ordinal of `ords` with how many times it occurs, in order.
fn counted(mut ords: Vec<u64>) -> Vec<(u64, u64)> {
    ords.sort_unstable();
    ords.chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u64))
        .collect()
}

impl EmbeddedIndex {
    /// Opens (or creates) the index in `dir`: the profiles' shelf there and
    /// the records' in its `records` folder. A second process on the same
    /// folder gets a clear error, not a wait. A folder that cannot be read
    /// is moved aside and replaced by an empty index (see
    /// [`EmbeddedIndex::recovered`]): the index is a projection of the
    /// database and is rebuilt from it. An index written before the shelves
    /// were apart has another schema, and is rebuilt too.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        // The profiles' first: moving their folder aside moves the records'.
        let profiles = Shelf::open(dir, PROFILES_WRITER)?;
        let records_dir = dir.join(RECORDS_FOLDER);
        let had_records = records_dir.join("meta.json").is_file();
        let records = Shelf::open(&records_dir, RECORDS_WRITER)?;
        let records_lost = records.recovered || !had_records;
        if !records_lost || profiles.recovered || profiles.live()?.reader.searcher().num_docs() == 0
        {
            return Ok(Self { profiles, records });
        }
        // Records lost beside profiles kept: both start empty, so that the
        // index says it must be rebuilt (no profile in it) for as long as
        // it is not, across restarts too.
        drop((profiles, records));
        ensure_unlocked(dir)?;
        let aside = set_aside(dir)?;
        tracing::warn!(path = %dir.display(), moved_to = %aside.display(),
            "the search index has profiles but its records folder was unreadable or missing; \
             moved it aside and rebuilding it from the database");
        let mut index = Self {
            profiles: Shelf::open(dir, PROFILES_WRITER)?,
            records: Shelf::open(&records_dir, RECORDS_WRITER)?,
        };
        index.profiles.recovered = true;
        Ok(index)
    }

    /// When either folder is gone or unreadable while the portal runs:
    /// moves what is left of the index folder aside and swaps in two empty
    /// shelves (both, so that an index that must be rebuilt is an empty
    /// one, even if the portal stops before it is).
    fn recover_blocking(&self) -> Result<bool, SearchError> {
        if self.profiles.folder_intact() && self.records.folder_intact() {
            return Ok(false);
        }
        let dir = &self.profiles.path;
        if dir.exists() {
            let aside = set_aside(dir)?;
            tracing::warn!(path = %dir.display(), moved_to = %aside.display(),
                "the search index folder is unreadable; moved it aside");
        }
        // The profiles' first: theirs is the folder the records' is in.
        self.profiles.reset()?;
        self.records.reset()?;
        tracing::warn!(path = %dir.display(), "recreated the search index; it is rebuilt from the database");
        Ok(true)
    }

    /// Whether [`EmbeddedIndex::open`] found a folder unreadable and
    /// started an empty index in its place.
    pub fn recovered(&self) -> bool {
        self.profiles.recovered || self.records.recovered
    }

    /// The folder of the index.
    pub fn path(&self) -> &Path {
        &self.profiles.path
    }

    /// The shelf that holds documents of `doc_type`, and the other one.
    fn shelves(&self, doc_type: DocType) -> (&Shelf, &Shelf) {
        if doc_type.is_record() {
            (&self.records, &self.profiles)
        } else {
            (&self.profiles, &self.records)
        }
    }

    /// Answers a query on the calling thread.
    pub fn search_blocking(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let (shelf, other) = self.shelves(q.target);
        let other = other.live()?.reader.searcher();
        shelf.search_blocking(q, Some(&other))
    }

    /// One write to the index: `f` stages changes through [`Writers`], then
    /// each shelf it touched commits (the records' first) and its reader
    /// reloads; searches see neither before both have committed. A failure
    /// drops what either still has staged; records already committed when
    /// the profiles' commit fails (or the process stops between the two)
    /// stay, and are written again with the profiles when the outbox rows,
    /// kept until a write succeeds, are drained again.
    fn write(
        &self,
        f: impl FnOnce(&mut Writers<'_>) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let (profiles, records) = (self.profiles.live()?, self.records.live()?);
        let poisoned = |_| SearchError::Engine("index writer poisoned".into());
        let mut profiles_writer = profiles.writer.lock().map_err(poisoned)?;
        let mut records_writer = records.writer.lock().map_err(poisoned)?;
        let mut w = Writers {
            profiles: &mut profiles_writer,
            records: &mut records_writer,
            touched: [false; 2],
            rebuilt: false,
            fields: self.profiles.fields,
        };
        let staged = f(&mut w);
        let ([profiles_touched, records_touched], rebuilt) = (w.touched, w.rebuilt);
        let committed = staged.and_then(|()| {
            if records_touched {
                records_writer.commit().map_err(engine)?;
            }
            if profiles_touched {
                profiles_writer.commit().map_err(engine)?;
            }
            Ok(())
        });
        if let Err(e) = committed {
            // Drop what was staged so that the next write starts clean.
            let _ = records_writer.rollback();
            let _ = profiles_writer.rollback();
            profiles_writer.set_merge_policy(Box::<LogMergePolicy>::default());
            return Err(e);
        }
        if rebuilt {
            // The rebuilt profiles as one segment: the writer flushes one
            // every ≈ 12,000 profiles, and each segment costs a search its
            // look-ups again (8 segments of the nation's profiles: 15 %
            // more CPU a one-character search than one).
            drop(records_writer);
            merge_all(&profiles.index, &mut profiles_writer);
            profiles_writer.set_merge_policy(Box::<LogMergePolicy>::default());
        }
        drop(profiles_writer);
        let mut reloaded = Ok(());
        for (shelf, live, touched) in [
            (&self.records, &records, records_touched),
            (&self.profiles, &profiles, profiles_touched),
        ] {
            if touched {
                match live.reader.reload() {
                    // The new segments' columns are opened here, by the
                    // writer, rather than by the next search (a merged
                    // segment of the nation's takes tens of milliseconds to
                    // split into its facets' values).
                    Ok(()) => shelf.warm_columns(),
                    Err(e) => reloaded = reloaded.and(Err(engine(e))),
                }
            }
        }
        reloaded
    }

    /// Writes `docs` again (each replaces the document of its id).
    fn upsert_blocking(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        let prepared = self.prepare(docs)?;
        self.write(|w| prepared.into_iter().try_for_each(|p| w.replace(p)))
    }

    /// Each document as tantivy's (both shelves have one schema).
    fn prepare(&self, docs: &[SearchDocument]) -> Result<Vec<Prepared>, SearchError> {
        docs.iter().map(|d| self.profiles.prepare(d)).collect()
    }

    fn rebuild_blocking(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        let prepared = self.prepare(docs)?;
        self.write(|w| {
            w.delete_all()?;
            prepared.into_iter().try_for_each(|p| w.add(p))
        })
    }
}

/// BM25's statistics of one shelf as one index of both shelves gave them,
/// when the records' text was in fields of their own: the text fields
/// (`own`) count this shelf's documents only, every other field (the
/// filters, which records carry too) both shelves', and the total counts
/// every document of both, deleted ones included as tantivy counts them.
/// The ranking was tuned and checked against Meilisearch's with these
/// figures: with the profiles' alone, a name's length weighed less against
/// the words (杨 listed three-character names before 杨庆 at the nation's
/// scale), so a search ranks as it did before the shelves were apart.
struct BothShelves<'a> {
    searcher: &'a tantivy::Searcher,
    other: Option<&'a tantivy::Searcher>,
    own: [Field; 5],
}

impl BothShelves<'_> {
    /// The other shelf's searcher, where `field` is counted over both.
    fn other_for(&self, field: Field) -> Option<&tantivy::Searcher> {
        self.other.filter(|_| !self.own.contains(&field))
    }
}

impl Bm25StatisticsProvider for BothShelves<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let other = match self.other_for(field) {
            Some(o) => Bm25StatisticsProvider::total_num_tokens(o, field)?,
            None => 0,
        };
        Ok(Bm25StatisticsProvider::total_num_tokens(self.searcher, field)? + other)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let other = match self.other {
            Some(o) => Bm25StatisticsProvider::total_num_docs(o)?,
            None => 0,
        };
        Ok(Bm25StatisticsProvider::total_num_docs(self.searcher)? + other)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let other = match self.other_for(term.field()) {
            Some(o) => Bm25StatisticsProvider::doc_freq(o, term)?,
            None => 0,
        };
        Ok(Bm25StatisticsProvider::doc_freq(self.searcher, term)? + other)
    }
}

/// Both shelves' writers during one [`EmbeddedIndex::write`], which of
/// them were written to, and whether everything was deleted first.
struct Writers<'a> {
    profiles: &'a mut IndexWriter,
    records: &'a mut IndexWriter,
    touched: [bool; 2],
    rebuilt: bool,
    fields: Fields,
}

/// A document as tantivy's, with its id and whether it is a record's.
struct Prepared {
    id: String,
    record: bool,
    doc: TantivyDocument,
}

/// Merges the committed segments of `index` into one and waits for it; a
/// failure leaves them as they were (searches read them as well, a little
/// slower).
fn merge_all(index: &Index, writer: &mut IndexWriter) {
    let ids = match index.searchable_segment_ids() {
        Ok(ids) if ids.len() > 1 => ids,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the search index's segments");
            return;
        }
    };
    if let Err(e) = writer.merge(&ids).wait() {
        tracing::warn!(error = %e, segments = ids.len(), "could not merge the search index's segments");
    }
}

impl Writers<'_> {
    /// The writer of the records' shelf or of the profiles'.
    fn of(&mut self, records: bool) -> &mut IndexWriter {
        self.touched[usize::from(records)] = true;
        if records { self.records } else { self.profiles }
    }

    /// `p` added to its shelf.
    fn add(&mut self, p: Prepared) -> Result<(), SearchError> {
        self.of(p.record).add_document(p.doc).map_err(engine)?;
        Ok(())
    }

    /// `p` in place of the document of its id.
    fn replace(&mut self, p: Prepared) -> Result<(), SearchError> {
        let id = Term::from_field_text(self.fields.id, &p.id);
        self.of(p.record).delete_term(id);
        self.add(p)
    }

    /// The profiles of `kind` with these license numbers deleted.
    fn delete_profiles(&mut self, kind: SubjectKind, license_nos: &[String]) {
        for k in license_nos {
            let id = Term::from_field_text(self.fields.id, &SearchDocument::id_of(kind, k));
            self.of(false).delete_term(id);
        }
    }

    /// Everything deleted from both shelves. The profiles are merged into
    /// one segment once committed, rather than level by level meanwhile
    /// (a merge begun meanwhile would clash with that one).
    fn delete_all(&mut self) -> Result<(), SearchError> {
        self.rebuilt = true;
        self.profiles.set_merge_policy(Box::new(NoMergePolicy));
        for records in [false, true] {
            self.of(records).delete_all_documents().map_err(engine)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SearchIndex for EmbeddedIndex {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    fn warm_up(&self) {
        load_word_list();
        // The columns of an index on disk, opened beside the first requests
        // rather than by the first search.
        let me = self.clone();
        std::thread::spawn(move || {
            me.profiles.warm_columns();
            me.records.warm_columns();
        });
    }

    async fn upsert(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        let me = self.clone();
        blocking(move || me.upsert_blocking(&docs)).await
    }

    async fn delete(&self, kind: SubjectKind, license_nos: Vec<String>) -> Result<(), SearchError> {
        let me = self.clone();
        blocking(move || {
            me.write(|w| {
                w.delete_profiles(kind, &license_nos);
                Ok(())
            })
        })
        .await
    }

    async fn rebuild(&self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        let me = self.clone();
        blocking(move || me.rebuild_blocking(&docs)).await
    }

    /// One writer session: everything deleted, each chunk added as it
    /// comes (tantivy flushes segments within its memory budget), one
    /// commit at the end, so searches see the old index until then.
    async fn rebuild_from(&self, mut feed: super::RebuildFeed) -> Result<(), SearchError> {
        let me = self.clone();
        blocking(move || {
            me.write(|w| {
                w.delete_all()?;
                loop {
                    match feed.blocking_recv() {
                        Some(Some(chunk)) => {
                            for d in &chunk {
                                w.add(me.profiles.prepare(d)?)?;
                            }
                        }
                        Some(None) => return Ok(()),
                        None => return Err(super::feed_cut()),
                    }
                }
            })
        })
        .await
    }

    async fn replace_records(
        &self,
        subjects: Vec<String>,
        docs: Vec<SearchDocument>,
    ) -> Result<(), SearchError> {
        self.write_batch(super::IndexBatch {
            record_subjects: subjects,
            records: docs,
            ..Default::default()
        })
        .await
    }

    /// The whole batch in one commit per shelf (one segment flush and
    /// reader reload each instead of up to three).
    async fn write_batch(&self, batch: super::IndexBatch) -> Result<(), SearchError> {
        let me = self.clone();
        blocking(move || {
            let upserts = me.prepare(&batch.upserts)?;
            let records = me.prepare(&batch.records)?;
            let subject = me.profiles.fields.subject;
            me.write(|w| {
                upserts.into_iter().try_for_each(|p| w.replace(p))?;
                for (kind, keys) in &batch.deletes {
                    w.delete_profiles(*kind, keys);
                }
                for s in &batch.record_subjects {
                    w.of(true).delete_term(Term::from_field_text(subject, s));
                }
                records.into_iter().try_for_each(|p| w.add(p))
            })
        })
        .await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        // The profiles' shelf holds profiles only.
        Ok(self.profiles.live()?.reader.searcher().num_docs())
    }

    async fn census(&self) -> Result<super::check::Census, SearchError> {
        let f = self.profiles.fields;
        let mut out = super::check::Census::new();
        for (key, field, value, shelf) in [
            ("office", f.kind, SubjectKind::Office.key(), &self.profiles),
            ("worker", f.kind, SubjectKind::Worker.key(), &self.profiles),
            (
                "disclosure",
                f.doc_type,
                DocType::Disclosure.key(),
                &self.records,
            ),
            ("review", f.doc_type, DocType::Review.key(), &self.records),
        ] {
            let n = shelf
                .live()?
                .reader
                .searcher()
                .search(&*term(field, value), &tantivy::collector::Count)
                .map_err(engine)?;
            if n > 0 {
                out.insert(key.to_owned(), n as u64);
            }
        }
        Ok(out)
    }

    async fn fetch(&self, ids: Vec<String>) -> Result<Vec<Option<SearchDocument>>, SearchError> {
        let searchers = [
            (&self.profiles, self.profiles.live()?.reader.searcher()),
            (&self.records, self.records.live()?.reader.searcher()),
        ];
        ids.iter()
            .map(|id| {
                for (shelf, searcher) in &searchers {
                    let found = searcher
                        .search(
                            &*term(shelf.fields.id, id),
                            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
                        )
                        .map_err(engine)?;
                    let Some((_, address)) = found.first() else {
                        continue;
                    };
                    let doc: TantivyDocument = searcher.doc(*address).map_err(engine)?;
                    let stored = doc
                        .get_first(shelf.fields.doc)
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| SearchError::Engine("stored document missing".into()))?;
                    return Ok(Some(serde_json::from_str(stored).map_err(engine)?));
                }
                Ok(None)
            })
            .collect()
    }

    async fn recover(&self) -> Result<bool, SearchError> {
        let me = self.clone();
        blocking(move || me.recover_blocking()).await
    }

    /// Answers on the calling thread, the HTTP worker's, instead of the
    /// blocking pool: a search of the index in memory is CPU work of tens
    /// of microseconds (a few milliseconds for one character at the
    /// nation's scale), and handing each one to a pool thread on the same
    /// cores cost more in thread switches (≈ 15 % of the server's time under
    /// searches) and queueing than it saved. Measured on the province demo
    /// (100 connections, one worker): the search API's p99 21 → 11–13 ms at
    /// the same throughput, the search page's 82–87 → 32–41 ms. At the
    /// nation's scale, where a worker that also speaks HTTP misses the
    /// caches more, searches by name answer ≈ 20 % fewer per second with a
    /// shorter tail (docs/performance.md); a nation runs Meilisearch.
    /// Jieba's dictionary, which the first search would load, is loaded at
    /// start on a thread of its own ([`SearchIndex::warm_up`]).
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        // A panic in the engine stays an engine failure, answered from the
        // database as it was on the pool, instead of taking the worker and
        // its connections down.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.search_blocking(query)))
            .unwrap_or_else(|_| Err(SearchError::Engine("search panicked".into())))
    }
}

/// Loads jieba's dictionary (≈ 150 ms, ≈ 30 MB) on a thread of its own, so
/// that the first search, which runs on an HTTP worker, does not wait for
/// it (the serving portal calls this once it has opened the index).
fn load_word_list() {
    let spawned = std::thread::Builder::new()
        .name("jieba-warm-up".into())
        .spawn(|| {
            use tantivy::tokenizer::{TokenStream, Tokenizer};
            let mut jieba = tantivy_jieba::JiebaTokenizer::new();
            jieba.token_stream("基层法律服务").advance();
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not load the word list ahead of the first search");
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SearchError::Engine(format!("search task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::{DocAddress, Term};

    use std::collections::BTreeMap;

    use super::{
        BothShelves, Candidate, ColumnCache, DocType, EmbeddedIndex, Facets, KEYED, PackedKeys,
        SearchDocument, SearchQuery, Values, facet_key, facet_key_values, first_in_order, summed,
    };
    use crate::domain::standing::Standing;
    use crate::domain::vocab::SubjectKind;
    use crate::search::Filters;
    use crate::search::documents::RecordFields;

    /// Scores and distances with heavy ties and the floats' edge cases.
    fn float() -> impl Strategy<Value = f32> {
        prop_oneof![
            Just(f32::NAN),
            Just(f32::INFINITY),
            Just(f32::NEG_INFINITY),
            Just(0.0),
            Just(-0.0),
            (0u8..4).prop_map(f32::from),
        ]
    }

    /// A document of the kind `i` picks, with values drawn from small
    /// pools (the same for every sixteenth `i`) holding the key's separators and digits, absent and empty
    /// values, and several practice areas.
    fn facet_doc(i: u64, version: u64) -> SearchDocument {
        // SplitMix64's finaliser over one of 16 groups, so that documents
        // share keys (a key's count is then more than one).
        let pick = |pool: &[&'static str], salt: u64| {
            let mut x = (i % 16) ^ (version << 20) ^ (salt << 40);
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^= x >> 31;
            pool[(x % pool.len() as u64) as usize]
        };
        let doc_type = [DocType::Subject, DocType::Disclosure, DocType::Review][(i % 3) as usize];
        let kind = if i.is_multiple_of(4) {
            SubjectKind::Office
        } else {
            SubjectKind::Worker
        };
        // Later versions bring values of their own, one sorting before every
        // other: a segment then lacks some of the searcher's values, and a
        // value's place among them is not its ordinal in its segment.
        let own = ["500101", "0", "!"][(version % 3) as usize];
        let areas = ["法律咨询", "代理:1", "调解", "2:ab", own];
        SearchDocument {
            id: format!("{}-{i}", doc_type.key()),
            kind,
            license_no: format!("45000000{i:05}"),
            name: format!("名{i}"),
            name_pinyin: String::new(),
            name_initials: String::new(),
            name_syllables: Vec::new(),
            district_code: pick(&["500101", "500102", "5:01", "1", own], 1).to_owned(),
            district_name: String::new(),
            township: match pick(&["-", "", "龙沙镇", "3:ab", "镇:1", own], 2) {
                "-" => None,
                t => Some(t.to_owned()),
            },
            area_kind: pick(&["rural", "urban", ""], 3).to_owned(),
            standing: pick(&["good_standing", "suspended", "deregistered"], 4).to_owned(),
            standing_label: String::new(),
            standing_next_change: None,
            status: pick(&["practising", "deregistered", ""], 5).to_owned(),
            practice_areas: areas
                .iter()
                .enumerate()
                .filter(|(n, _)| (i + version) >> n & 1 == 1)
                .map(|(_, a)| (*a).to_owned())
                .collect(),
            office_license_no: None,
            office_name: None,
            address: None,
            text: String::new(),
            lat: None,
            lng: None,
            doc_type,
            // Some profiles carry record values too: a search of profiles
            // must not count them.
            record: RecordFields {
                record_kind: (doc_type.is_record() || i % 8 == 3)
                    .then(|| pick(&["warning", "fine", "passed", "1:x", own], 6).to_owned()),
                year: (!i.is_multiple_of(5)).then(|| 2019 + (i % 4) as i32),
                ..RecordFields::default()
            },
        }
    }

    /// The facets a search should count: every non-empty value of the
    /// matched documents, the records' own two only for records.
    fn recount(docs: &[&SearchDocument], records: bool) -> Facets {
        let mut f = Facets::default();
        let add = |map: &mut BTreeMap<String, u64>, v: &str| {
            if !v.is_empty() {
                *map.entry(v.to_owned()).or_default() += 1;
            }
        };
        for d in docs {
            add(&mut f.kind, d.kind.key());
            add(&mut f.district, &d.district_code);
            add(&mut f.township, d.township.as_deref().unwrap_or(""));
            add(&mut f.area_kind, &d.area_kind);
            add(&mut f.standing, &d.standing);
            add(&mut f.status, &d.status);
            for a in &d.practice_areas {
                add(&mut f.practice_area, a);
            }
            if records {
                add(
                    &mut f.record_kind,
                    d.record.record_kind.as_deref().unwrap_or(""),
                );
                add(
                    &mut f.year,
                    &d.record.year.map(|y| y.to_string()).unwrap_or_default(),
                );
            }
        }
        f
    }

    /// Facets counted from the documents' keys, over several segments and
    /// documents written again (their old versions deleted), are what
    /// counting the documents gives, for each target and with filters.
    #[test]
    fn facets_count_every_value_across_segments() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = EmbeddedIndex::open(dir.path()).expect("index");
        // The newest searcher of the shelf of `target`'s documents.
        let searcher = |target: DocType| {
            let shelf = index.shelves(target).0;
            shelf.live().expect("live").reader.searcher()
        };
        let mut held: BTreeMap<u64, SearchDocument> = BTreeMap::new();
        // A searcher taken after the second commit, as a search begun then
        // still holds it: it counts what it saw, with the segments of then.
        let mut earlier = None;
        for (n, (version, ids)) in [
            (0, 0..90),
            (0, 90..200),
            (1, 40..120),
            (2, 150..170),
            (0, 200..260),
        ]
        .into_iter()
        .enumerate()
        {
            let docs: Vec<SearchDocument> = ids.map(|i| facet_doc(i, version)).collect();
            index.upsert_blocking(&docs).expect("upsert");
            for d in docs {
                let i = d.license_no[8..].parse().expect("number");
                held.insert(i, d);
            }
            if n == 1 {
                let searchers = [DocType::Subject, DocType::Disclosure].map(&searcher);
                earlier = Some((searchers, held.clone()));
            }
        }
        let (earlier, held_earlier) = earlier.expect("taken");
        let now = [DocType::Subject, DocType::Disclosure].map(&searcher);
        // Their segments are not the newest searchers' (later commits added
        // some; background merges may have joined others).
        let ids = |s: &tantivy::Searcher| -> Vec<_> {
            s.segment_readers().iter().map(|r| r.segment_id()).collect()
        };
        for (now, earlier) in now.iter().zip(&earlier) {
            assert_ne!(ids(now), ids(earlier));
        }
        let filters = [
            Filters::default(),
            Filters {
                kind: Some(SubjectKind::Worker),
                ..Filters::default()
            },
            Filters {
                standing: Some(Standing::Suspended),
                ..Filters::default()
            },
            Filters {
                practice_area: Some("代理:1".into()),
                ..Filters::default()
            },
        ];
        for target in [DocType::Subject, DocType::Disclosure, DocType::Review] {
            for filter in &filters {
                let q = SearchQuery {
                    target,
                    filters: filter.clone(),
                    limit: 5,
                    ..SearchQuery::default()
                };
                // Now, then the earlier searcher, then now again: each
                // answer counts its own segments' documents.
                let shelf = usize::from(target.is_record());
                for (searcher, held) in [
                    (&now[shelf], &held),
                    (&earlier[shelf], &held_earlier),
                    (&now[shelf], &held),
                ] {
                    let found = index
                        .shelves(target)
                        .0
                        .answer(&q, searcher, None)
                        .expect("search");
                    let matched: Vec<&SearchDocument> = held
                        .values()
                        .filter(|d| d.doc_type == target)
                        .filter(|d| filter.kind.is_none_or(|k| d.kind == k))
                        .filter(|d| filter.standing.is_none_or(|s| d.standing == s.key()))
                        .filter(|d| {
                            filter
                                .practice_area
                                .as_ref()
                                .is_none_or(|a| d.practice_areas.contains(a))
                        })
                        .collect();
                    assert!(!matched.is_empty(), "{target:?} {filter:?}");
                    assert_eq!(found.total, matched.len() as u64, "{target:?} {filter:?}");
                    assert_eq!(
                        found.facets,
                        recount(&matched, target.is_record()),
                        "{target:?} {filter:?}"
                    );
                }
            }
        }
        // The newest searcher's columns are kept, not built per search.
        let first = ColumnCache::of(&index.profiles.columns, &now[0]).expect("columns");
        let again = ColumnCache::of(&index.profiles.columns, &now[0]).expect("columns");
        assert!(std::sync::Arc::ptr_eq(&first, &again));
    }

    /// BM25 counts a text field over its own shelf and every other field
    /// over both, with every document of both in the total: the figures of
    /// one index of both shelves, where the records had text fields of
    /// their own.
    #[test]
    fn bm25_statistics_are_those_of_one_index_of_both_shelves() {
        use tantivy::query::Bm25StatisticsProvider as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let index = EmbeddedIndex::open(dir.path()).expect("index");
        let docs: Vec<SearchDocument> = (0..90).map(|i| facet_doc(i, 1)).collect();
        index.upsert_blocking(&docs).expect("upsert");
        let f = index.profiles.fields;
        let searcher = |t: DocType| index.shelves(t).0.live().expect("live").reader.searcher();
        let (profiles, records) = (searcher(DocType::Subject), searcher(DocType::Review));
        let count = |keep: &dyn Fn(&SearchDocument) -> bool| -> u64 {
            docs.iter().filter(|d| keep(d)).count() as u64
        };
        for (is_record, own, other) in [(false, &profiles, &records), (true, &records, &profiles)] {
            let stats = BothShelves {
                searcher: own,
                other: Some(other),
                own: f.own_text(),
            };
            assert_eq!(stats.total_num_docs().expect("docs"), 90);
            let name_gram = Term::from_field_text(f.name_ngram, "名");
            assert_eq!(
                stats.doc_freq(&name_gram).expect("freq"),
                count(&|d| d.doc_type.is_record() == is_record),
                "a text field counts its own shelf (records: {is_record})"
            );
            for d in &docs {
                let district = Term::from_field_text(f.district, &d.district_code);
                assert_eq!(
                    stats.doc_freq(&district).expect("freq"),
                    count(&|e| e.district_code == d.district_code),
                    "a filter counts both shelves: {}",
                    d.district_code
                );
            }
            let own_tokens = own.total_num_tokens(f.name_ngram).expect("tokens");
            assert!(own_tokens > 0 && other.total_num_tokens(f.name_ngram).expect("tokens") > 0);
            assert_eq!(
                stats.total_num_tokens(f.name_ngram).expect("tokens"),
                own_tokens,
                "a text field's tokens are its own shelf's (records: {is_record})"
            );
            let areas: usize = docs.iter().map(|d| d.practice_areas.len()).sum();
            assert_eq!(
                stats.total_num_tokens(f.practice_area).expect("tokens"),
                areas as u64
            );
        }
    }

    proptest! {
        /// Packed keys give back each key's ordinals, an empty value as
        /// `u32::MAX`, whatever the facets' numbers of values (widths from
        /// 0 to 32 bits, keys straddling words), and nothing past the last.
        #[test]
        fn packed_keys_give_back_each_key(
            counts in prop::array::uniform8(prop_oneof![0usize..4, 0usize..70_000, Just(u32::MAX as usize)]),
            picks in prop::collection::vec(prop::array::uniform8((any::<bool>(), any::<u32>())), 0..50),
        ) {
            let keys: Vec<[u32; KEYED]> = picks
                .iter()
                .map(|key| {
                    std::array::from_fn(|i| {
                        let (empty, n) = key[i];
                        if empty || counts[i] == 0 {
                            u32::MAX
                        } else {
                            (n as usize % counts[i]) as u32
                        }
                    })
                })
                .collect();
            let packed = PackedKeys::new(&keys, counts);
            for (k, key) in keys.iter().enumerate() {
                prop_assert_eq!(packed.get(k), Some(*key));
            }
            prop_assert_eq!(packed.get(keys.len()), None);
        }

        /// Summing by array or by sort gives what a map of every place's
        /// total gives, whichever way `len` and the pairs' number fall.
        #[test]
        fn summed_adds_up_each_place(
            pairs in prop::collection::vec((0u32..300, 0u64..5), 0..80),
            len in 0usize..400,
        ) {
            let mut want: BTreeMap<u32, u64> = BTreeMap::new();
            for (place, n) in &pairs {
                if (*place as usize) < len {
                    *want.entry(*place).or_default() += n;
                }
            }
            want.retain(|_, n| *n > 0);
            let got = summed(pairs, len);
            let as_map: BTreeMap<u32, u64> = got.iter().copied().collect();
            prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "in order, each place once");
            prop_assert_eq!(as_map, want);
        }

        /// Strings packed in one buffer come back as they went in, by
        /// ordinal, and nothing past the last.
        #[test]
        fn packed_values_give_back_each_string(all in prop::collection::vec("\\PC{0,8}", 0..40)) {
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            let values = Values::new(&refs);
            for (i, v) in all.iter().enumerate() {
                prop_assert_eq!(values.get(i), Some(v.as_str()));
            }
            prop_assert_eq!(values.get(all.len()), None);
        }
    }

    proptest! {
        /// The page is what sorting every match by (score or distance,
        /// order key) and taking the first `end` gives.
        #[test]
        fn first_in_order_is_a_full_sort_cut(
            matches in prop::collection::vec((float(), prop::option::of(float())), 0..60),
            end in 0usize..70,
            by_distance: bool,
            seed: u64,
        ) {
            // Unique keys, as license numbers are, in an order unrelated to
            // the documents'.
            let found: Vec<Candidate> = matches
                .iter()
                .enumerate()
                .map(|(i, (score, distance))| Candidate {
                    address: DocAddress::new(0, i as u32),
                    score: *score,
                    distance: distance.map(f64::from),
                })
                .collect();
            let key = |c: &Candidate| u64::from(c.address.doc_id).wrapping_mul(seed | 1).rotate_left(17);
            let mut all = found.clone();
            all.sort_by(|a, b| {
                let primary = if by_distance {
                    a.distance
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.distance.unwrap_or(f64::INFINITY))
                } else {
                    b.score.total_cmp(&a.score)
                };
                primary.then_with(|| key(a).cmp(&key(b)))
            });
            all.truncate(end);
            let page = first_in_order(found, end, by_distance, key);
            let docs = |v: &[Candidate]| v.iter().map(|c| c.address.doc_id).collect::<Vec<_>>();
            prop_assert_eq!(docs(&page), docs(&all));
        }

        /// A facet key gives back the values it was made of, whatever they
        /// hold (separators, digits, any character), and any other term is
        /// refused rather than misread.
        #[test]
        fn facet_keys_give_back_their_values(
            values in prop::array::uniform8("[0-9:a中\\u{1f}]{0,6}|\\PC{0,12}"),
            junk in "\\PC{0,40}",
        ) {
            let values: [&str; KEYED] = values.each_ref().map(String::as_str);
            let key = facet_key(values);
            prop_assert_eq!(facet_key_values(&key), Some(values));
            if let Some(read) = facet_key_values(&junk) {
                prop_assert_eq!(facet_key(read), junk.clone());
            }
            // More after a whole key, or a length written otherwise.
            let longer = format!("{key}{junk}0:");
            prop_assert_eq!(facet_key_values(&longer), None);
            let padded = key.replacen(&format!("{}:", values[0].len()), &format!("0{}:", values[0].len()), 1);
            prop_assert_eq!(facet_key_values(&padded), None);
            let plus = key.replacen(&format!("{}:", values[0].len()), &format!("+{}:", values[0].len()), 1);
            prop_assert_eq!(facet_key_values(&plus), None);
            for cut in (0..key.len()).filter(|&i| key.is_char_boundary(i)) {
                prop_assert_eq!(facet_key_values(&key[..cut]), None);
            }
        }
    }
}
