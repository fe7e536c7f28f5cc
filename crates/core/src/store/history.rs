//! The last History read from the server for each customer whose Details asked for it, shown
//! again while the server cannot be reached.

use userdesk_model::{AuditEntry, ProfileId};

use super::Store;
use crate::error::{CoreError, Result};

impl Store {
    /// Keeps the customer's latest History entries as the server sent them, in place of those
    /// kept before.
    pub(crate) async fn keep_history(&self, id: ProfileId, entries: &[AuditEntry]) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        sqlx::query("DELETE FROM profile_history WHERE profile_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for entry in entries {
            let json = serde_json::to_string(entry).map_err(|e| {
                CoreError::Protocol(format!("a History entry could not be kept: {e}"))
            })?;
            sqlx::query(
                "INSERT OR REPLACE INTO profile_history (profile_id, seq, entry) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
            .bind(json)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The customer's History entries as last read from the server, the latest first.
    pub(crate) async fn kept_history(&self, id: ProfileId) -> Result<Vec<AuditEntry>> {
        let kept: Vec<String> = sqlx::query_scalar(
            "SELECT entry FROM profile_history WHERE profile_id = ? ORDER BY seq DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        kept.iter()
            .map(|json| {
                serde_json::from_str(json)
                    .map_err(|e| CoreError::Corrupt(format!("a kept History entry: {e}")))
            })
            .collect()
    }
}
