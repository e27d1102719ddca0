//! Prometheus metrics with `prometheus-client`: request and search
//! latencies as histograms, plus gauges set from the database and the
//! indexer at scrape time (outbox backlog, imports, complaints).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Labels of a request series: the route is the matched pattern, never the
/// raw path, so the number of series stays bounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BackendLabels {
    backend: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

/// What `/metrics` reads at scrape time, besides the latencies.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    /// Public answers served from the page cache since start.
    pub page_cache_hits: u64,
    /// Public answers rendered since start.
    pub page_cache_misses: u64,
    /// Memory held by the page cache.
    pub page_cache_bytes: usize,
    /// Failed indexer attempts since its last success.
    pub indexer_failures_in_a_row: u64,
    /// Failed indexer attempts since start.
    pub indexer_failures: u64,
    /// Whether the index is being rebuilt.
    pub indexer_rebuilding: bool,
    /// Whether this process drains the outbox.
    pub indexer_draining: bool,
    /// Outbox rows this process drained since start.
    pub indexer_rows_drained: u64,
    /// Outbox rows due now.
    pub outbox_backlog: i64,
    /// Seconds since the oldest due outbox row fell due.
    pub outbox_oldest_due_age_seconds: i64,
    /// Outbox rows scheduled for later.
    pub outbox_scheduled: i64,
    /// Import batches by status.
    pub imports: Vec<(String, i64)>,
    /// Complaints by status.
    pub complaints: Vec<(String, i64)>,
}

/// The metrics of one portal process.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// One scrape at a time sets and encodes the gauges: two at once could
    /// see a status family cleared by the other.
    scraping: std::sync::Mutex<()>,
    requests: Histograms<RouteLabels>,
    searches: Histograms<BackendLabels>,
    page_cache_answers: Family<ResultLabels, Gauge>,
    page_cache_bytes: Gauge,
    indexer_failures_in_a_row: Gauge,
    indexer_failures: Gauge,
    indexer_rebuilding: Gauge,
    indexer_draining: Gauge,
    indexer_rows_drained: Gauge,
    outbox_backlog: Gauge,
    outbox_oldest_due_age_seconds: Gauge,
    outbox_scheduled: Gauge,
    import_batches: Family<StatusLabels, Gauge>,
    complaints: Family<StatusLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests: Histograms<RouteLabels> = Family::new_with_constructor(latency_histogram);
        let searches: Histograms<BackendLabels> = Family::new_with_constructor(latency_histogram);
        registry.register(
            "legal_portal_http_request_duration_seconds",
            "Time to answer HTTP requests, by route",
            requests.clone(),
        );
        registry.register(
            "legal_portal_search_duration_seconds",
            "Time to answer searches, by backend (database: the engine failed and the database answered)",
            searches.clone(),
        );
        let m = Self {
            registry,
            scraping: std::sync::Mutex::new(()),
            requests,
            searches,
            page_cache_answers: Family::default(),
            page_cache_bytes: Gauge::default(),
            indexer_failures_in_a_row: Gauge::default(),
            indexer_failures: Gauge::default(),
            indexer_rebuilding: Gauge::default(),
            indexer_draining: Gauge::default(),
            indexer_rows_drained: Gauge::default(),
            outbox_backlog: Gauge::default(),
            outbox_oldest_due_age_seconds: Gauge::default(),
            outbox_scheduled: Gauge::default(),
            import_batches: Family::default(),
            complaints: Family::default(),
        };
        m.register_gauges()
    }
}

impl Metrics {
    fn register_gauges(mut self) -> Self {
        let r = &mut self.registry;
        r.register(
            "legal_portal_page_cache_answers",
            "Public answers since start, served from the page cache (hit) or rendered (miss)",
            self.page_cache_answers.clone(),
        );
        let gauges = [
            (
                "legal_portal_page_cache_bytes",
                "Memory held by the page cache",
                &self.page_cache_bytes,
            ),
            (
                "legal_portal_indexer_failures_in_a_row",
                "Failed attempts of the search indexer since its last success (3 or more: failing)",
                &self.indexer_failures_in_a_row,
            ),
            (
                "legal_portal_indexer_failures",
                "Failed attempts of the search indexer since start",
                &self.indexer_failures,
            ),
            (
                "legal_portal_indexer_rebuilding",
                "1 while the search index is rebuilt after it was found damaged or lost",
                &self.indexer_rebuilding,
            ),
            (
                "legal_portal_indexer_draining",
                "1 while this process drains the search outbox (one process on a shared PostgreSQL does; the others take over when it stops)",
                &self.indexer_draining,
            ),
            (
                "legal_portal_indexer_rows_drained",
                "Search outbox rows this process has drained since it started",
                &self.indexer_rows_drained,
            ),
            (
                "legal_portal_outbox_backlog",
                "Search outbox rows due now and not yet in the search index",
                &self.outbox_backlog,
            ),
            (
                "legal_portal_outbox_oldest_due_age_seconds",
                "Seconds since the oldest due search outbox row fell due (0: none due); /readyz is 503 above its bound",
                &self.outbox_oldest_due_age_seconds,
            ),
            (
                "legal_portal_outbox_scheduled",
                "Search outbox rows scheduled for a later standing change, not yet due",
                &self.outbox_scheduled,
            ),
        ];
        for (name, help, gauge) in gauges {
            r.register(name, help, gauge.clone());
        }
        r.register(
            "legal_portal_import_batches",
            "Import batches by status",
            self.import_batches.clone(),
        );
        r.register(
            "legal_portal_complaints",
            "Complaints by status",
            self.complaints.clone(),
        );
        self
    }

    /// Records a finished request. `route` is the matched pattern (e.g.
    /// `/workers/{license_no}`), never the raw path, so that the number of
    /// series stays bounded.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        // Any token is a method to HTTP: only the standard ones are kept as
        // labels, or a client inventing methods would add series for ever.
        let method = match method {
            "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE"
            | "CONNECT" => method,
            _ => "other",
        };
        let labels = RouteLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// Records a search answered by `backend`.
    pub fn observe_search(&self, backend: &'static str, took: Duration) {
        self.searches
            .get_or_create(&BackendLabels { backend })
            .observe(took.as_secs_f64());
    }

    /// The OpenMetrics text exposition, with the gauges set from `scrape`.
    pub fn render(&self, scrape: &Scrape) -> String {
        let _one_at_a_time = self
            .scraping
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let answers = &self.page_cache_answers;
        answers
            .get_or_create(&ResultLabels { result: "hit" })
            .set(count(scrape.page_cache_hits));
        answers
            .get_or_create(&ResultLabels { result: "miss" })
            .set(count(scrape.page_cache_misses));
        self.page_cache_bytes
            .set(count(scrape.page_cache_bytes as u64));
        self.indexer_failures_in_a_row
            .set(count(scrape.indexer_failures_in_a_row));
        self.indexer_failures.set(count(scrape.indexer_failures));
        self.indexer_rebuilding
            .set(i64::from(scrape.indexer_rebuilding));
        self.indexer_draining
            .set(i64::from(scrape.indexer_draining));
        self.indexer_rows_drained
            .set(count(scrape.indexer_rows_drained));
        self.outbox_backlog.set(scrape.outbox_backlog);
        self.outbox_oldest_due_age_seconds
            .set(scrape.outbox_oldest_due_age_seconds);
        self.outbox_scheduled.set(scrape.outbox_scheduled);
        for (family, values) in [
            (&self.import_batches, &scrape.imports),
            (&self.complaints, &scrape.complaints),
        ] {
            family.clear();
            for (status, n) in values {
                family
                    .get_or_create(&StatusLabels {
                        status: status.clone(),
                    })
                    .set(*n);
            }
        }
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "could not encode the metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_into_cumulative_buckets() {
        let m = Metrics::default();
        m.observe_request(
            "GET",
            "/workers/{license_no}",
            200,
            Duration::from_millis(3),
        );
        m.observe_request(
            "GET",
            "/workers/{license_no}",
            200,
            Duration::from_millis(30),
        );
        let text = m.render(&Scrape {
            outbox_backlog: 4,
            complaints: vec![("submitted".into(), 2)],
            ..Scrape::default()
        });
        let series = "method=\"GET\",route=\"/workers/{license_no}\",status=\"200\"";
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_bucket{{le=\"0.005\",{series}}} 1"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_bucket{{le=\"0.05\",{series}}} 2"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_count{{{series}}} 2"
            )),
            "{text}"
        );
        assert!(text.contains("legal_portal_outbox_backlog 4"), "{text}");
        assert!(
            text.contains("legal_portal_complaints{status=\"submitted\"} 2"),
            "{text}"
        );
    }

    #[test]
    fn invented_methods_share_one_series() {
        let m = Metrics::default();
        for n in 0..50 {
            m.observe_request(&format!("X{n}"), "unmatched", 404, Duration::from_millis(1));
        }
        let text = m.render(&Scrape::default());
        let series = "method=\"other\",route=\"unmatched\",status=\"404\"";
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_count{{{series}}} 50"
            )),
            "{text}"
        );
        assert!(!text.contains("X1"), "{text}");
    }
}
