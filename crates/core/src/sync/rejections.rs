//! The server's refusals of the manager's edits, kept until the manager dismisses them.

use chrono::Utc;
use userdesk_model::sync::Rejection;
use userdesk_model::{FieldError, ProfileId};

use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::sync::state::{code_from_name, code_name, to_i64, to_u64};

impl Store {
    /// Keeps the server's refusals for the manager; one already kept stays as it is (dismissed
    /// or not).
    pub(crate) async fn record_rejections(&self, rejections: &[Rejection]) -> Result<()> {
        if rejections.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_transaction().await?;
        for r in rejections {
            let fields = serde_json::to_string(&r.fields)
                .map_err(|e| CoreError::Protocol(format!("a rejection could not be kept: {e}")))?;
            sqlx::query(
                "INSERT OR IGNORE INTO rejections (mutation_id, name, code, message, fields, \
                 rejected_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(to_i64(r.mutation_id))
            .bind(&r.name)
            .bind(code_name(r.code))
            .bind(&r.message)
            .bind(fields)
            .bind(Utc::now().timestamp_millis())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The server's refusals the manager has not dismissed, oldest first.
    pub async fn rejections(&self) -> Result<Vec<Rejection>> {
        let rows: Vec<(i64, String, String, String, String, Option<ProfileId>)> = sqlx::query_as(
            "SELECT mutation_id, name, code, message, fields, profile_id FROM rejections \
             WHERE dismissed = 0 ORDER BY mutation_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, code, message, fields, profile_id)| {
                Ok(Rejection {
                    mutation_id: to_u64(id),
                    name,
                    code: code_from_name(&code),
                    message,
                    fields: serde_json::from_str::<Vec<FieldError>>(&fields)
                        .map_err(|e| CoreError::Corrupt(format!("rejection fields: {e}")))?,
                    profile_id,
                })
            })
            .collect()
    }

    /// Hides a refusal from the list once the manager has read it.
    pub async fn dismiss_rejection(&self, mutation_id: u64) -> Result<()> {
        sqlx::query("UPDATE rejections SET dismissed = 1 WHERE mutation_id = ?")
            .bind(to_i64(mutation_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
