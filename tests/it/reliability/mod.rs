//! Reliability: the portal with its search engine down.

mod degraded;
