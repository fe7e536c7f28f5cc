//! Customers' pictures in the store: a picked file made the customer's picture (prepared by
//! `platform::picture`) with its mutation in one transaction, and the pictures as the manager sees
//! them, pending changes laid over the server's copies.

use std::collections::HashMap;

use base64::Engine as _;
use sqlx::SqliteConnection;
use userdesk_model::sync::Op;
use userdesk_model::{Picture, ProfileId};

use crate::error::{CoreError, Result};
use crate::platform::picture::{prepare_picture, PictureError};
use crate::store::outbox;
use crate::store::profiles;
use crate::store::synced::{self, RecordKind};
use crate::store::Store;

/// The customer's picture as the manager sees it: a pending change laid over the server's copy;
/// `true` with it when the change is not confirmed yet.
pub(crate) async fn read(
    conn: &mut SqliteConnection,
    profile: ProfileId,
) -> Result<Option<(Picture, bool)>> {
    Ok(read_many(conn, &[profile]).await?.pop())
}

/// [`read`] for many customers, in their order; those without a picture are left out.
pub(crate) async fn read_many(
    conn: &mut SqliteConnection,
    profiles: &[ProfileId],
) -> Result<Vec<(Picture, bool)>> {
    let mut pending: HashMap<ProfileId, Option<Picture>> = HashMap::new();
    for (op, at) in outbox::pending_ops_named(conn, "profile.set_picture").await? {
        if let Op::ProfileSetPicture { profile_id, png } = op {
            let picture = png.map(|png| Picture {
                profile_id,
                png,
                updated_at: at,
            });
            pending.insert(profile_id, picture);
        }
    }
    let mut found = Vec::new();
    for profile in profiles {
        match pending.get(profile) {
            Some(Some(picture)) => found.push((picture.clone(), true)),
            Some(None) => {}
            None => {
                if let Some(picture) =
                    synced::by_id::<Picture>(conn, RecordKind::Picture, profile.to_string()).await?
                {
                    found.push((picture, false));
                }
            }
        }
    }
    Ok(found)
}

impl Store {
    /// Makes the picked file the customer's picture: decoded, cropped and scaled off the async
    /// threads, then its `profile.set_picture` mutation in one transaction. A file that is not a
    /// readable image of a sensible size is refused and nothing changes.
    pub(crate) async fn set_picture(&self, profile: ProfileId, file: Vec<u8>) -> Result<()> {
        {
            let mut conn = self.pool.acquire().await?;
            profiles::must_exist(&mut conn, profile).await?;
        }
        let png = tokio::task::spawn_blocking(move || prepare_picture(&file))
            .await
            .map_err(|e| CoreError::Task(e.to_string()))??;
        let png = base64::engine::general_purpose::STANDARD.encode(png);
        Picture::check(&png).map_err(PictureError::Encode)?;
        let mut tx = self.write_transaction().await?;
        profiles::must_exist(&mut tx, profile).await?;
        outbox::append(
            &mut tx,
            &Op::ProfileSetPicture {
                profile_id: profile,
                png: Some(png),
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the customer's picture; without one, nothing is queued.
    pub(crate) async fn remove_picture(&self, profile: ProfileId) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        profiles::must_exist(&mut tx, profile).await?;
        if read(&mut tx, profile).await?.is_none() {
            return Ok(());
        }
        outbox::append(
            &mut tx,
            &Op::ProfileSetPicture {
                profile_id: profile,
                png: None,
            },
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The pictures of those of the customers that have one.
    pub(crate) async fn pictures(&self, profiles: &[ProfileId]) -> Result<Vec<(Picture, bool)>> {
        let mut conn = self.pool.acquire().await?;
        read_many(&mut conn, profiles).await
    }
}
