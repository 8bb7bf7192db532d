//! Benchmarks only (see `benches/`); this library is empty. They live in
//! their own crate so that the peer crates they compare against are built
//! only for benchmarks, not for the test suite.
