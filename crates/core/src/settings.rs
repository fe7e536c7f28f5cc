//! The manager's settings kept in the local store.

use crate::error::Result;
use crate::store::Store;

/// The key of each setting in the `settings` table.
pub(crate) mod keys {
    pub const TIME_ZONE: &str = "time_zone";
    pub const DEMO_SEEDED: &str = "demo_seeded";
}

impl Store {
    /// A setting's value, if it was ever set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting, replacing its value.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
