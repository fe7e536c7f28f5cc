//! Push and pull throughput; written in a later stage.
fn main() {}
