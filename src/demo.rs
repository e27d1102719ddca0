//! Demo data: deterministic, plausible records built on the 38 real
//! districts of Chongqing. (Being written.)
