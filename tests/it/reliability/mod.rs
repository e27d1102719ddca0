//! Reliability: the portal with its search engine down, and what its log may carry.

mod degraded;
mod logs;
mod shutdown;
