//! A customer's Details: the user-details fields, the Active option and the picture.

use userdesk_model::ProfileId;
use userdesk_model::{PictureView, Profile, ProfileDetails, ProfilePatch, ProfileStatus};

use super::views::picture_view;
use super::AppCore;
use crate::error::Result;
use crate::sync::auto::AutoSync;
use crate::time::format_timestamp;

impl AppCore {
    /// Everything the Details window shows of one profile.
    pub async fn profile_details(&self, id: ProfileId) -> Result<ProfileDetails> {
        let profile = self.store.get_profile(id).await?;
        self.details(profile).await
    }

    /// Validates and saves a change to the user-details fields; invalid input changes nothing.
    pub async fn patch_profile(
        &self,
        id: ProfileId,
        patch: ProfilePatch,
    ) -> Result<ProfileDetails> {
        let sent = patch.clone();
        let valid = patch.validate()?;
        let before = self.store.get_profile(id).await?;
        let profile = self.store.patch_profile(id, &valid).await?;
        self.remember_fields(&before, &profile, &sent);
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        self.details(profile).await
    }

    /// The Details window's Active option: activates the profile (`true`) or archives it
    /// (`false`) at once; an archived profile shows only under the Archived status filter.
    pub async fn set_profile_active(&self, id: ProfileId, active: bool) -> Result<ProfileDetails> {
        let status = if active {
            ProfileStatus::Active
        } else {
            ProfileStatus::Archived
        };
        let before = self.store.get_profile(id).await?;
        let profile = self.store.set_profile_status(id, status).await?;
        self.remember_status(&before, status);
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        self.details(profile).await
    }

    /// "Click the circle next to the name": the picked file becomes the customer's picture,
    /// cropped to a centred square and scaled to 256×256. A file that is not an image, is
    /// damaged, or is over 20 MB is refused with the reason and nothing changes.
    pub async fn set_profile_picture(
        &self,
        id: ProfileId,
        file: Vec<u8>,
    ) -> Result<ProfileDetails> {
        self.store.set_picture(id, file).await?;
        self.with_auto_sync(AutoSync::edited);
        self.profile_details(id).await
    }

    /// Removes the customer's picture.
    pub async fn remove_profile_picture(&self, id: ProfileId) -> Result<ProfileDetails> {
        self.store.remove_picture(id).await?;
        self.with_auto_sync(AutoSync::edited);
        self.profile_details(id).await
    }

    /// The pictures of those of the customers that have one (the table's visible rows).
    pub async fn profile_pictures(&self, ids: &[ProfileId]) -> Result<Vec<PictureView>> {
        let found = self.store.pictures(ids).await?;
        Ok(found.into_iter().map(picture_view).collect())
    }

    pub(super) async fn details(&self, profile: Profile) -> Result<ProfileDetails> {
        let tz = self.time_zone();
        let picture = self
            .store
            .pictures(&[profile.id])
            .await?
            .pop()
            .map(picture_view);
        Ok(ProfileDetails {
            username: profile.username(),
            created: format_timestamp(profile.created_at, tz),
            last_seen: format_timestamp(profile.last_seen_at, tz),
            time_zone: tz.name().to_string(),
            picture,
            profile,
        })
    }
}
