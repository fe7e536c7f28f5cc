//! A brand-new store's demo customers, from `userdesk-demo`.

use chrono::{DateTime, Utc};
use userdesk_demo::DemoProfiles;
use userdesk_model::Profile;

use crate::error::Result;
use crate::store::Store;

impl Store {
    /// Adds `count` demo profiles from `seed`, in transactions of 10,000.
    #[tracing::instrument(skip(self))]
    pub async fn seed_demo_profiles(
        &self,
        seed: u64,
        now: DateTime<Utc>,
        count: usize,
    ) -> Result<()> {
        let mut profiles = DemoProfiles::new(seed, now).take(count).peekable();
        while profiles.peek().is_some() {
            let batch: Vec<Profile> = profiles.by_ref().take(10_000).collect();
            self.insert_profiles(&batch).await?;
        }
        Ok(())
    }
}
