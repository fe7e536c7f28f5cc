//! Deterministic demo data: one seed and one moment give the same workspace on every system, for
//! the app's demo store, the server's seed, the tests and the benchmarks.

mod profiles;
mod rng;
mod workspace;

pub use profiles::DemoProfiles;
pub use rng::Rng;
pub use workspace::{Batches, DemoWorkspace};
