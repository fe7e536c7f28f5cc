//! Custom properties: their definitions and each customer's values.

use userdesk_model::{ProfileId, PropertyId};
use userdesk_model::{
    ProfilePropertyView, PropertyDraft, PropertySort, PropertyView, SortDirection,
};

use super::views::{profile_property_view, property_view};
use super::AppCore;
use crate::error::Result;
use crate::sync::auto::AutoSync;

impl AppCore {
    /// The Properties tab: the definitions whose name or description holds `search`, sorted.
    pub async fn properties(
        &self,
        search: &str,
        sort: PropertySort,
        direction: SortDirection,
    ) -> Result<Vec<PropertyView>> {
        let list = self.store.properties(search, sort, direction).await?;
        Ok(list.into_iter().map(property_view).collect())
    }

    /// "Create a new property": kept at once, synced later. An empty or taken name, an overlong
    /// description, or a choice property without choices is refused.
    pub async fn create_property(&self, draft: PropertyDraft) -> Result<PropertyView> {
        let created = self.store.create_property(draft).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(property_view(created))
    }

    /// Renames and describes a property, or changes its choices (its format stays).
    pub async fn update_property(
        &self,
        id: PropertyId,
        draft: PropertyDraft,
    ) -> Result<PropertyView> {
        let updated = self.store.update_property(id, draft).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(property_view(updated))
    }

    /// Deletes a property and every customer's value of it.
    pub async fn delete_property(&self, id: PropertyId) -> Result<()> {
        self.store.delete_property(id).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// The customer's custom properties, by name.
    pub async fn profile_properties(
        &self,
        profile_id: ProfileId,
    ) -> Result<Vec<ProfilePropertyView>> {
        let list = self.store.profile_properties(profile_id).await?;
        Ok(list.into_iter().map(profile_property_view).collect())
    }

    /// Sets the customer's value of a property, checked against its format (a value that does
    /// not fit is refused with the reason and nothing is saved); `None` or blanks remove it.
    pub async fn set_profile_property(
        &self,
        profile_id: ProfileId,
        property_id: PropertyId,
        value: Option<&str>,
    ) -> Result<Vec<ProfilePropertyView>> {
        let list = self
            .store
            .set_profile_property(profile_id, property_id, value)
            .await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(list.into_iter().map(profile_property_view).collect())
    }
}
