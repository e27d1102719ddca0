//! Reliability: the portal with its search engine down, what its log may carry, and kill -9.

mod degraded;
mod kill;
mod logs;
mod shutdown;
