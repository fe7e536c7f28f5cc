//! `AppCore`: the one facade the desktop shell (and later the command line) calls.

use std::path::Path;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use userdesk_model::{
    ListRequest, Profile, ProfileDetails, ProfileFilter, ProfileId, ProfilePage, ProfilePatch,
};

use crate::error::{CoreError, Result};
use crate::listing::ResolvedFilter;
use crate::settings::keys;
use crate::store::Store;
use crate::time::{self, format_timestamp};

/// How to open the app's store.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Demo profiles to add the first time the store is opened (0 for none).
    pub demo_profiles: usize,
}

/// The client library as the app sees it: profiles, settings, and the manager's time zone.
#[derive(Debug)]
pub struct AppCore {
    store: Store,
    time_zone: RwLock<Tz>,
}

impl AppCore {
    /// Opens the store at `path`, adding demo data on its very first opening if asked.
    pub async fn open(path: &Path, options: OpenOptions) -> Result<Self> {
        let store = Store::open(path).await?;
        if options.demo_profiles > 0 && store.setting(keys::DEMO_SEEDED).await?.is_none() {
            if store.profile_total().await? == 0 {
                store
                    .seed_demo_profiles(0x05E4_DE5C, Utc::now(), options.demo_profiles)
                    .await?;
            }
            store.set_setting(keys::DEMO_SEEDED, "1").await?;
        }
        let time_zone = match store.setting(keys::TIME_ZONE).await? {
            Some(name) => time::parse_time_zone(&name)?,
            None => time::system_time_zone(),
        };
        Ok(Self {
            store,
            time_zone: RwLock::new(time_zone),
        })
    }

    /// The store underneath, for tests and tools.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The manager's time zone.
    pub fn time_zone(&self) -> Tz {
        // A poisoned lock still holds a valid zone: a panic cannot leave a half-written `Tz`.
        *self.time_zone.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the manager's time zone by IANA name and keeps it.
    pub async fn set_time_zone(&self, name: &str) -> Result<String> {
        let tz = time::parse_time_zone(name.trim())?;
        self.store.set_setting(keys::TIME_ZONE, tz.name()).await?;
        *self.time_zone.write().unwrap_or_else(|e| e.into_inner()) = tz;
        Ok(tz.name().to_string())
    }

    /// One page of the All users table, times in the manager's zone.
    pub async fn list_profiles(&self, request: &ListRequest) -> Result<ProfilePage> {
        self.list_profiles_at(request, Utc::now()).await
    }

    /// As [`Self::list_profiles`], with Last seen windows counted back from `now`.
    pub async fn list_profiles_at(
        &self,
        request: &ListRequest,
        now: DateTime<Utc>,
    ) -> Result<ProfilePage> {
        let tz = self.time_zone();
        let filter = self.resolve(&request.filter, now);
        self.store
            .list_profiles(request, &filter, |at| format_timestamp(at, tz))
            .await
    }

    /// How many profiles match `filter`.
    pub async fn count_profiles(&self, filter: &ProfileFilter) -> Result<u64> {
        self.count_profiles_at(filter, Utc::now()).await
    }

    /// As [`Self::count_profiles`], with Last seen windows counted back from `now`.
    pub async fn count_profiles_at(
        &self,
        filter: &ProfileFilter,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        self.store.count_profiles(&self.resolve(filter, now)).await
    }

    /// Everything the Details window shows of one profile.
    pub async fn profile_details(&self, id: &str) -> Result<ProfileDetails> {
        let profile = self.store.get_profile(parse_id(id)?).await?;
        Ok(self.details(profile))
    }

    /// Validates and saves a change to the user-details fields; invalid input changes nothing.
    pub async fn patch_profile(&self, id: &str, patch: ProfilePatch) -> Result<ProfileDetails> {
        let id = parse_id(id)?;
        let valid = patch.validate()?;
        let profile = self.store.patch_profile(id, &valid).await?;
        Ok(self.details(profile))
    }

    fn details(&self, profile: Profile) -> ProfileDetails {
        let tz = self.time_zone();
        ProfileDetails {
            username: profile.username(),
            created: format_timestamp(profile.created_at, tz),
            last_seen: format_timestamp(profile.last_seen_at, tz),
            time_zone: tz.name().to_string(),
            profile,
        }
    }

    fn resolve(&self, filter: &ProfileFilter, now: DateTime<Utc>) -> ResolvedFilter {
        let since = time::window_start(filter.last_seen, now, self.time_zone());
        ResolvedFilter::new(filter, since)
    }
}

fn parse_id(id: &str) -> Result<ProfileId> {
    id.parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a profile id")))
}
