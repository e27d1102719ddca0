//! Prometheus metrics: request counts and latency by route, plus gauges read
//! from the database at scrape time (outbox backlog, imports, complaints).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        for (le, n) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// Key of a request series: method, route pattern, status.
type RouteKey = (String, String, u16);

/// In-process metrics of one portal process.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RouteKey, Histogram>>,
    searches: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    /// Records a finished request. `route` is the matched pattern (e.g.
    /// `/workers/{license_no}`), never the raw path, so that the number of
    /// series stays bounded.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Ok(mut map) = self.requests.lock() {
            map.entry((method.to_owned(), route.to_owned(), status))
                .or_default()
                .observe(took);
        }
    }

    /// Records a search answered by `backend`.
    pub fn observe_search(&self, backend: &str, took: Duration) {
        if let Ok(mut map) = self.searches.lock() {
            map.entry(backend.to_owned()).or_default().observe(took);
        }
    }

    /// The Prometheus text exposition, with `gauges` appended.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        out.push_str("# HELP legal_portal_http_request_duration_seconds Time to answer HTTP requests, by route.\n");
        out.push_str("# TYPE legal_portal_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, route, status), h) in map.iter() {
                let labels = format!(
                    "method=\"{}\",route=\"{}\",status=\"{status}\"",
                    escape(method),
                    escape(route)
                );
                h.render(
                    &mut out,
                    "legal_portal_http_request_duration_seconds",
                    &labels,
                );
            }
        }
        out.push_str(
            "# HELP legal_portal_search_duration_seconds Time to answer searches, by backend.\n",
        );
        out.push_str("# TYPE legal_portal_search_duration_seconds histogram\n");
        if let Ok(map) = self.searches.lock() {
            for (backend, h) in map.iter() {
                let labels = format!("backend=\"{}\"", escape(backend));
                h.render(&mut out, "legal_portal_search_duration_seconds", &labels);
            }
        }
        for g in gauges {
            let _ = writeln!(out, "# HELP {} {}\n# TYPE {} gauge", g.name, g.help, g.name);
            for (labels, value) in &g.series {
                if labels.is_empty() {
                    let _ = writeln!(out, "{} {value}", g.name);
                } else {
                    let _ = writeln!(out, "{}{{{labels}}} {value}", g.name);
                }
            }
        }
        out
    }
}

/// A gauge family read at scrape time.
#[derive(Debug, Clone)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Label sets (`key="value",…`, may be empty) and values.
    pub series: Vec<(String, f64)>,
}

impl Gauge {
    /// A gauge with one unlabelled value.
    pub fn single(name: &'static str, help: &'static str, value: f64) -> Self {
        Self {
            name,
            help,
            series: vec![(String::new(), value)],
        }
    }

    /// A gauge with one series per `(label value, count)`.
    pub fn by(
        name: &'static str,
        help: &'static str,
        label: &str,
        values: &[(String, i64)],
    ) -> Self {
        Self {
            name,
            help,
            series: values
                .iter()
                .map(|(v, n)| (format!("{label}=\"{}\"", escape(v)), *n as f64))
                .collect(),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        let text = m.render(&[
            Gauge::single("legal_portal_outbox_backlog", "Rows waiting.", 4.0),
            Gauge::by(
                "legal_portal_complaints",
                "By status.",
                "status",
                &[("submitted".into(), 2)],
            ),
        ]);
        let series = "method=\"GET\",route=\"/workers/{license_no}\",status=\"200\"";
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_bucket{{{series},le=\"0.005\"}} 1"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "legal_portal_http_request_duration_seconds_bucket{{{series},le=\"0.05\"}} 2"
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
}
