//! `AppCore`: the one facade the desktop shell (and later the command line) calls.

pub(crate) mod account;
mod jobs;

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use userdesk_model::sync::Rejection;
use userdesk_model::{
    Conversation, DataRequestKind, DataRequestView, Goal, GoalCompletionView, ListRequest, NoteId,
    NoteView, PictureView, Profile, ProfileDetails, ProfileFilter, ProfileId, ProfilePage,
    ProfilePatch, ProfilePropertyView, ProfileStatus, PropertyDraft, PropertyId, PropertySort,
    PropertyView, SegmentDraft, SegmentId, SegmentRef, SegmentView, SessionId, SessionOrder,
    SessionView, SortDirection,
};

use crate::app::account::KEYCHAIN_SERVICE;
use crate::error::{CoreError, Result};
use crate::index::{IndexFilter, ProfileIndex, SharedIndex};
use crate::platform::keychain::Keychain;
use crate::store::listing::{self, ResolvedFilter};
use crate::store::search::{self, Needles};
use crate::store::settings::keys;
use crate::store::Store;
use crate::sync::auto::{AutoSync, AutoSyncOptions};
use crate::sync::{SyncEngine, SyncOptions, SyncReport, SyncStatus};
use crate::time::{self, format_timestamp};

/// How to open the app's store.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Demo profiles to add the first time the store is opened (0 for none).
    pub demo_profiles: usize,
    /// Answer searches from SQLite alone, without the in-memory search index: less memory and
    /// no index to build, for a short-lived process; searches with many matches are slower.
    pub sqlite_search_only: bool,
    /// Where the sign-in token is kept: the system keychain under the app's identifier when
    /// `None`.
    pub keychain: Option<Keychain>,
}

/// The client library as the app sees it: profiles, settings, and the manager's time zone.
#[derive(Debug)]
pub struct AppCore {
    store: Store,
    time_zone: RwLock<Tz>,
    /// Answers searches once built and up to date; until then (or when off) SQLite does.
    index: Option<Arc<SharedIndex>>,
    sync: SyncEngine,
    /// The background sync, once signed in.
    auto_sync: Mutex<Option<AutoSync>>,
    keychain: Keychain,
    /// Wakes the job runner when a job is scheduled or cancelled.
    pub(crate) jobs_wake: Arc<tokio::sync::Notify>,
    /// The job runner, once started.
    pub(crate) job_runner: Mutex<Option<tokio::task::JoinHandle<()>>>,
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
        let core = Self {
            store,
            time_zone: RwLock::new(time_zone),
            index: (!options.sqlite_search_only).then(Arc::default),
            sync: SyncEngine::new()?,
            auto_sync: Mutex::new(None),
            jobs_wake: Arc::default(),
            job_runner: Mutex::new(None),
            keychain: options
                .keychain
                .unwrap_or_else(|| Keychain::new(KEYCHAIN_SERVICE)),
        };
        core.refresh_search_index_in_background();
        Ok(core)
    }

    /// Brings the in-memory search index up to date with every saved change (building it the
    /// first time); searches use it from then on. The app does this in the background by itself.
    pub async fn refresh_search_index(&self) -> Result<()> {
        match &self.index {
            Some(index) => index.refresh(self.store.pool()).await,
            None => Ok(()),
        }
    }

    /// The memory the search index holds, in bytes (0 while it is not built).
    pub async fn search_index_bytes(&self) -> usize {
        match &self.index {
            Some(shared) => shared.index.read().await.heap_bytes(),
            None => 0,
        }
    }

    /// Builds the search index again from every profile, replacing the current one when done
    /// (searches read SQLite meanwhile); for a store repaired by hand, and for measuring.
    pub async fn rebuild_search_index(&self) -> Result<()> {
        let Some(shared) = &self.index else {
            return Ok(());
        };
        shared.rebuild(self.store.pool()).await
    }

    pub(crate) fn sync_engine(&self) -> &SyncEngine {
        &self.sync
    }

    pub(crate) fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    pub(crate) fn refresh_search_index_in_background(&self) {
        let Some(index) = self.index.as_ref().filter(|index| !index.is_refreshing()) else {
            return;
        };
        let (index, pool) = (Arc::clone(index), self.store.pool().clone());
        tokio::spawn(async move {
            if let Err(error) = index.refresh(&pool).await {
                tracing::warn!(%error, "the search index could not catch up; searches read SQLite");
            }
        });
    }

    /// Runs `query` on the search index if it reflects every saved change; `None` otherwise
    /// (and the index is told to catch up).
    async fn with_current_index<T: Send + 'static>(
        &self,
        query: impl FnOnce(&ProfileIndex) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        let Some(shared) = &self.index else {
            return Ok(None);
        };
        let latest = self.store.latest_profile_change().await?;
        // A refresher holding the index answers nothing here: SQLite does meanwhile.
        let Ok(index) = Arc::clone(&shared.index).try_read_owned() else {
            return Ok(None);
        };
        if !index.is_current(latest) {
            drop(index);
            self.refresh_search_index_in_background();
            return Ok(None);
        }
        tokio::task::spawn_blocking(move || query(&index))
            .await
            .map_err(|e| CoreError::Task(e.to_string()))
    }

    /// A search's page (or, without `needles`, a filtered page) from the index, or `None` when
    /// SQLite must answer.
    async fn indexed_page(
        &self,
        request: &ListRequest,
        filter: &ResolvedFilter,
        needles: Option<Needles>,
    ) -> Result<Option<Vec<i64>>> {
        let after = match &request.after {
            None => None,
            Some(cursor) => {
                listing::check_cursor(request.sort, cursor)?;
                match self.store.cursor_seq(cursor).await? {
                    Some(seq) => Some(seq),
                    None => return Ok(None),
                }
            }
        };
        let offset = usize::try_from(request.offset)
            .map_err(|_| CoreError::InvalidRequest("the offset is too large".to_string()))?;
        let (sort, limit, filter) = (request.sort, request.limit as usize, index_filter(filter));
        self.with_current_index(move |index| {
            let after = match after {
                Some(seq) => Some(index.slot_of(seq)?),
                None => None,
            };
            Some(match &needles {
                Some(needles) => index.search_page(needles, &filter, sort, after, offset, limit),
                None => index.filtered_page(&filter, sort, after, offset, limit),
            })
        })
        .await
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
        let filter = self.resolve(&request.filter, now).await?;
        listing::check_limit(request.limit)?;
        // The index knows nothing of segments or jobs: SQLite answers their customers.
        let needles = search::needles(&request.filter.search)
            .filter(|_| filter.segment.is_none() && filter.job.is_none());
        let seqs = match needles {
            Some(needles) => self.indexed_page(request, &filter, Some(needles)).await?,
            // A jump deep into the table: SQLite's OFFSET reads every row it skips (its sort
            // indexes do not hold the status), the index only tests each one's flags.
            None if request.offset > 0
                && request.filter.search.trim().is_empty()
                && filter.segment.is_none()
                && filter.job.is_none() =>
            {
                self.indexed_page(request, &filter, None).await?
            }
            None => None,
        };
        let format = |at| format_timestamp(at, tz);
        let mut page = match seqs {
            Some(seqs) => self.store.page_of(&seqs, request, format).await?,
            None => self.store.list_profiles(request, &filter, format).await?,
        };
        self.mark_pending_jobs(&mut page.rows).await?;
        Ok(page)
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
        let resolved = self.resolve(filter, now).await?;
        let needles = search::needles(&filter.search)
            .filter(|_| resolved.segment.is_none() && resolved.job.is_none());
        if let Some(needles) = needles {
            let index_filter = index_filter(&resolved);
            let counted = self
                .with_current_index(move |index| {
                    Some(index.matches(&needles, &index_filter).count())
                })
                .await?;
            if let Some(count) = counted {
                return Ok(count);
            }
        }
        self.store.count_profiles(&resolved).await
    }

    /// Everything the Details window shows of one profile.
    pub async fn profile_details(&self, id: &str) -> Result<ProfileDetails> {
        let profile = self.store.get_profile(parse_id(id)?).await?;
        self.details(profile).await
    }

    /// Validates and saves a change to the user-details fields; invalid input changes nothing.
    pub async fn patch_profile(&self, id: &str, patch: ProfilePatch) -> Result<ProfileDetails> {
        let id = parse_id(id)?;
        let valid = patch.validate()?;
        let profile = self.store.patch_profile(id, &valid).await?;
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        self.details(profile).await
    }

    /// The Details window's Active option: activates the profile (`true`) or archives it
    /// (`false`) at once; an archived profile shows only under the Archived status filter.
    pub async fn set_profile_active(&self, id: &str, active: bool) -> Result<ProfileDetails> {
        let id = parse_id(id)?;
        let status = if active {
            ProfileStatus::Active
        } else {
            ProfileStatus::Archived
        };
        let profile = self.store.set_profile_status(id, status).await?;
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        self.details(profile).await
    }

    /// "Click the circle next to the name": the picked file becomes the customer's picture,
    /// cropped to a centred square and scaled to 256×256. A file that is not an image, is
    /// damaged, or is over 20 MB is refused with the reason and nothing changes.
    pub async fn set_profile_picture(&self, id: &str, file: Vec<u8>) -> Result<ProfileDetails> {
        let id = parse_id(id)?;
        self.store.set_picture(id, file).await?;
        self.with_auto_sync(AutoSync::edited);
        self.profile_details(&id.to_string()).await
    }

    /// Removes the customer's picture.
    pub async fn remove_profile_picture(&self, id: &str) -> Result<ProfileDetails> {
        let id = parse_id(id)?;
        self.store.remove_picture(id).await?;
        self.with_auto_sync(AutoSync::edited);
        self.profile_details(&id.to_string()).await
    }

    /// The pictures of those of the customers that have one (the table's visible rows).
    pub async fn profile_pictures(&self, ids: &[String]) -> Result<Vec<PictureView>> {
        let ids = ids
            .iter()
            .map(|id| parse_id(id))
            .collect::<Result<Vec<_>>>()?;
        let found = self.store.pictures(&ids).await?;
        Ok(found.into_iter().map(picture_view).collect())
    }

    /// The customer's notes, newest first, times in the manager's zone; notes written here and
    /// not yet on the server are marked pending.
    pub async fn notes(&self, profile_id: &str) -> Result<Vec<NoteView>> {
        let id = parse_id(profile_id)?;
        let me = self.note_author().await?;
        let notes = self.store.notes(id, &me).await?;
        Ok(notes.into_iter().map(|n| self.note_view(n)).collect())
    }

    /// "Add a note": kept at once, synced later. Empty or oversized text is refused.
    pub async fn add_note(&self, profile_id: &str, body: &str) -> Result<NoteView> {
        let id = parse_id(profile_id)?;
        let me = self.note_author().await?;
        let note = self.store.add_note(id, body, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.note_view(note))
    }

    /// Replaces a note's text.
    pub async fn edit_note(&self, note_id: &str, body: &str) -> Result<NoteView> {
        let id = parse_note_id(note_id)?;
        let me = self.note_author().await?;
        let note = self.store.edit_note(id, body, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.note_view(note))
    }

    /// Deletes a note.
    pub async fn delete_note(&self, note_id: &str) -> Result<()> {
        let id = parse_note_id(note_id)?;
        let me = self.note_author().await?;
        self.store.delete_note(id, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// The customer's bot sessions whose bot's name contains `search` (any case), by end time
    /// either way; times in the manager's zone.
    pub async fn bot_sessions(
        &self,
        profile_id: &str,
        search: &str,
        order: SessionOrder,
    ) -> Result<Vec<SessionView>> {
        let id = parse_id(profile_id)?;
        self.store
            .bot_sessions(id, search, order, self.time_zone())
            .await
    }

    /// A bot session's whole conversation, with its bot and platform.
    pub async fn conversation(&self, session_id: &str) -> Result<Conversation> {
        let id: SessionId = session_id.parse().map_err(|_| {
            CoreError::InvalidRequest(format!("{session_id:?} is not a session id"))
        })?;
        self.store.conversation(id, self.time_zone()).await
    }

    /// The goals the customer completed, the latest first.
    pub async fn goal_completions(&self, profile_id: &str) -> Result<Vec<GoalCompletionView>> {
        let id = parse_id(profile_id)?;
        self.store.goal_completions(id, self.time_zone()).await
    }

    /// The customer's export and delete requests, the latest first, with the state of each
    /// one's email.
    pub async fn data_requests(&self, profile_id: &str) -> Result<Vec<DataRequestView>> {
        let id = parse_id(profile_id)?;
        let me = self.note_author().await?;
        let list = self.store.data_requests(id, &me).await?;
        Ok(list.into_iter().map(|r| self.request_view(r)).collect())
    }

    /// "Request to Export User" or "Request to Delete User", once the manager has confirmed it:
    /// queued at once, mailed by the server once synced.
    pub async fn request_data(
        &self,
        profile_id: &str,
        kind: DataRequestKind,
    ) -> Result<DataRequestView> {
        let id = parse_id(profile_id)?;
        let me = self.note_author().await?;
        let queued = self.store.request_data(id, kind, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.request_view(queued))
    }

    fn request_view(&self, local: crate::store::requests::LocalRequest) -> DataRequestView {
        let tz = self.time_zone();
        let r = local.request;
        DataRequestView {
            id: r.id,
            kind: r.kind,
            state: r.state,
            reason: r.reason,
            requested_by: r.requested_by,
            requested: format_timestamp(r.requested_at, tz),
            sent: r.sent_at.map(|at| format_timestamp(at, tz)),
            pending: local.pending,
        }
    }

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
    pub async fn update_property(&self, id: &str, draft: PropertyDraft) -> Result<PropertyView> {
        let updated = self
            .store
            .update_property(parse_property_id(id)?, draft)
            .await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(property_view(updated))
    }

    /// Deletes a property and every customer's value of it.
    pub async fn delete_property(&self, id: &str) -> Result<()> {
        self.store.delete_property(parse_property_id(id)?).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// The customer's custom properties, by name.
    pub async fn profile_properties(&self, profile_id: &str) -> Result<Vec<ProfilePropertyView>> {
        let list = self.store.profile_properties(parse_id(profile_id)?).await?;
        Ok(list.into_iter().map(profile_property_view).collect())
    }

    /// Sets the customer's value of a property, checked against its format (a value that does
    /// not fit is refused with the reason and nothing is saved); `None` or blanks remove it.
    pub async fn set_profile_property(
        &self,
        profile_id: &str,
        property_id: &str,
        value: Option<&str>,
    ) -> Result<Vec<ProfilePropertyView>> {
        let list = self
            .store
            .set_profile_property(
                parse_id(profile_id)?,
                parse_property_id(property_id)?,
                value,
            )
            .await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(list.into_iter().map(profile_property_view).collect())
    }

    /// The Segments tab: the segments whose name or description holds `search`, by name, each
    /// with its number of members.
    pub async fn segments(&self, search: &str) -> Result<Vec<SegmentView>> {
        self.segments_at(search, Utc::now()).await
    }

    /// As [`Self::segments`], with Last seen rules counted back from `now`.
    pub async fn segments_at(&self, search: &str, now: DateTime<Utc>) -> Result<Vec<SegmentView>> {
        let list = self.store.segments(search, now, self.time_zone()).await?;
        Ok(list
            .into_iter()
            .map(|(local, members)| segment_view(local, members))
            .collect())
    }

    /// Creates a segment from a name, a description, rules and hand-picked members.
    pub async fn create_segment(
        &self,
        draft: SegmentDraft,
        members: &[String],
    ) -> Result<SegmentView> {
        let members = members
            .iter()
            .map(|id| parse_id(id))
            .collect::<Result<Vec<_>>>()?;
        let id = self.store.create_segment(draft, &members).await?;
        self.with_auto_sync(AutoSync::edited);
        self.segment_view_of(id).await
    }

    /// Renames a segment, describes it or changes its rules.
    pub async fn update_segment(&self, id: &str, draft: SegmentDraft) -> Result<SegmentView> {
        let id = parse_segment_id(id)?;
        self.store.update_segment(id, draft).await?;
        self.with_auto_sync(AutoSync::edited);
        self.segment_view_of(id).await
    }

    /// Deletes a segment; its customers stay.
    pub async fn delete_segment(&self, id: &str) -> Result<()> {
        self.store.delete_segment(parse_segment_id(id)?).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// The segments the customer belongs to, by name.
    pub async fn profile_segments(&self, profile_id: &str) -> Result<Vec<SegmentRef>> {
        let list = self
            .store
            .profile_segments(parse_id(profile_id)?, Utc::now(), self.time_zone())
            .await?;
        Ok(list
            .into_iter()
            .map(|s| SegmentRef {
                id: s.id,
                name: s.name,
            })
            .collect())
    }

    /// The goals the platform's bots track, by name.
    pub async fn goals(&self) -> Result<Vec<Goal>> {
        self.store.goals().await
    }

    async fn segment_view_of(&self, id: SegmentId) -> Result<SegmentView> {
        let (local, members) = self.store.segment(id, Utc::now(), self.time_zone()).await?;
        Ok(segment_view(local, members))
    }

    /// Who notes written here are by: the signed-in manager, until the server stamps its own.
    async fn note_author(&self) -> Result<String> {
        Ok(self
            .account()
            .await?
            .map(|account| account.manager)
            .unwrap_or_else(|| "You".to_string()))
    }

    fn note_view(&self, local: crate::store::notes::LocalNote) -> NoteView {
        let tz = self.time_zone();
        let note = local.note;
        NoteView {
            id: note.id,
            author: note.author,
            body: note.body,
            created: format_timestamp(note.created_at, tz),
            edited: (note.updated_at != note.created_at)
                .then(|| format_timestamp(note.updated_at, tz)),
            pending: local.pending,
        }
    }

    /// "Sync now": pushes the pending edits and pulls the workspace's changes; one sync runs at
    /// a time, a second call waits for the first.
    pub async fn sync_now(&self, server_url: &str, token: &str) -> Result<SyncReport> {
        self.sync_with(server_url, token, SyncOptions::default())
            .await
    }

    /// As [`Self::sync_now`], with the page and batch sizes given.
    pub async fn sync_with(
        &self,
        server_url: &str,
        token: &str,
        options: SyncOptions,
    ) -> Result<SyncReport> {
        let result = self
            .sync
            .sync_once(&self.store, server_url, token, options)
            .await;
        // Pages applied before a failure are committed: the index follows them either way.
        self.refresh_search_index_in_background();
        result
    }

    /// Syncs in the background from now on: after edits, on a timer, and with retries; replaces
    /// any background sync already running. The token lives only in memory here.
    pub fn start_auto_sync(
        self: &Arc<Self>,
        server_url: String,
        token: String,
        options: AutoSyncOptions,
    ) {
        let core = Arc::downgrade(self);
        let auto = AutoSync::start(options, move || {
            let (core, server_url, token) = (core.clone(), server_url.clone(), token.clone());
            async move {
                match core.upgrade() {
                    Some(core) => core.sync_now(&server_url, &token).await,
                    // The app is closing: nothing left to sync.
                    None => Ok(SyncReport::default()),
                }
            }
        });
        auto.now();
        *self.auto_sync.lock().unwrap_or_else(|e| e.into_inner()) = Some(auto);
    }

    /// Stops the background sync (sign-out, sync turned off).
    pub fn stop_auto_sync(&self) {
        self.auto_sync
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Asks the background sync to run at once (back online); nothing when it is not running.
    pub fn sync_soon(&self) {
        self.with_auto_sync(AutoSync::now);
    }

    pub(crate) fn with_auto_sync(&self, wake: impl FnOnce(&AutoSync)) {
        // A poisoned lock still holds a valid handle: waking it is harmless.
        if let Some(auto) = self
            .auto_sync
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            wake(auto);
        }
    }

    /// Pending edits, last sync time and last error.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        self.store.sync_status().await
    }

    /// The edits the server refused, with its reasons, until the manager dismisses them.
    pub async fn rejections(&self) -> Result<Vec<Rejection>> {
        self.store.rejections().await
    }

    /// Hides a refused edit from the list.
    pub async fn dismiss_rejection(&self, mutation_id: u64) -> Result<()> {
        self.store.dismiss_rejection(mutation_id).await
    }

    async fn details(&self, profile: Profile) -> Result<ProfileDetails> {
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

    pub(crate) async fn resolve(
        &self,
        filter: &ProfileFilter,
        now: DateTime<Utc>,
    ) -> Result<ResolvedFilter> {
        let tz = self.time_zone();
        let since = time::window_start(filter.last_seen, now, tz);
        let mut resolved = ResolvedFilter::new(filter, since);
        if let Some(segment) = filter.segment {
            resolved.segment = Some(self.store.segment_membership(segment, now, tz).await?);
        }
        Ok(resolved)
    }
}

fn index_filter(filter: &ResolvedFilter) -> IndexFilter {
    IndexFilter::new(
        filter.status,
        filter.kind,
        filter.platform,
        filter.last_seen_since.map(|since| since.timestamp_millis()),
    )
}

fn parse_id(id: &str) -> Result<ProfileId> {
    id.parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a profile id")))
}

fn parse_property_id(id: &str) -> Result<PropertyId> {
    id.parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a property id")))
}

fn parse_segment_id(id: &str) -> Result<SegmentId> {
    id.parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a segment id")))
}

fn picture_view((picture, pending): (userdesk_model::Picture, bool)) -> PictureView {
    PictureView {
        profile_id: picture.profile_id,
        data_url: picture.data_url(),
        pending,
    }
}

fn property_view(local: crate::store::properties::LocalProperty) -> PropertyView {
    let d = local.definition;
    PropertyView {
        id: d.id,
        name: d.name,
        description: d.description,
        format: d.format,
        choices: d.choices,
        pending: local.pending,
    }
}

fn profile_property_view(local: crate::store::properties::LocalValue) -> ProfilePropertyView {
    let d = local.definition;
    ProfilePropertyView {
        property_id: d.id,
        name: d.name,
        format: d.format,
        choices: d.choices,
        value: local.value,
        pending: local.pending,
    }
}

fn segment_view(local: crate::store::segments::LocalSegment, members: u64) -> SegmentView {
    let s = local.segment;
    SegmentView {
        id: s.id,
        name: s.name,
        description: s.description,
        rules: s.rules,
        members,
        pending: local.pending,
    }
}

fn parse_note_id(id: &str) -> Result<NoteId> {
    id.parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a note id")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::CatchUp;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{
        LastSeenWindow, Platform, ProfileStatus, ProfileType, SortColumn, SortDirection, SortOrder,
    };

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    async fn demo_app(seed: u64, count: usize) -> (AppCore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let app = AppCore::open(&dir.path().join("s.sqlite3"), OpenOptions::default())
            .await
            .unwrap();
        app.set_time_zone("UTC").await.unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(seed, now()).take(count).collect();
        app.store().insert_profiles(&profiles).await.unwrap();
        (app, dir)
    }

    async fn sql(app: &AppCore, statement: &str) {
        sqlx::query(statement)
            .execute(app.store().pool())
            .await
            .unwrap();
    }

    /// One page from the index, which must be current.
    async fn index_page(app: &AppCore, request: &ListRequest) -> ProfilePage {
        let latest = app.store.latest_profile_change().await.unwrap();
        let filter = app.resolve(&request.filter, now()).await.unwrap();
        let needles = search::needles(&request.filter.search).unwrap();
        let after = match &request.after {
            Some(cursor) => Some(app.store.cursor_seq(cursor).await.unwrap().unwrap()),
            None => None,
        };
        let seqs = {
            let index = app.index.as_ref().unwrap().index.read().await;
            assert!(index.is_current(latest), "the index is behind");
            let after = after.map(|seq| index.slot_of(seq).unwrap());
            index.search_page(
                &needles,
                &index_filter(&filter),
                request.sort,
                after,
                request.offset as usize,
                request.limit as usize,
            )
        };
        app.store
            .page_of(&seqs, request, |t| t.to_string())
            .await
            .unwrap()
    }

    /// Every page of `filter` in every sort, walked by keyset and jumped to by offset, and the
    /// count: the index and SQLite must agree row for row.
    async fn index_agrees_with_sqlite(app: &AppCore, filter: &ProfileFilter) -> u64 {
        let resolved = app.resolve(filter, now()).await.unwrap();
        let counted = app.store.count_profiles(&resolved).await.unwrap();
        let index_count = {
            let index = app.index.as_ref().unwrap().index.read().await;
            let needles = search::needles(&filter.search).unwrap();
            index.matches(&needles, &index_filter(&resolved)).count()
        };
        assert_eq!(index_count, counted, "count of {filter:?}");
        for column in SortColumn::ALL {
            for direction in [SortDirection::Asc, SortDirection::Desc] {
                let sort = SortOrder { column, direction };
                let mut after = None;
                loop {
                    let request = ListRequest {
                        filter: filter.clone(),
                        sort,
                        after: after.take(),
                        offset: 0,
                        limit: 97,
                    };
                    let from_sql = app
                        .store
                        .list_profiles(&request, &resolved, |t| t.to_string())
                        .await
                        .unwrap();
                    let from_index = index_page(app, &request).await;
                    assert_eq!(from_index, from_sql, "{filter:?} {sort:?}");
                    match from_sql.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                for offset in [1, counted / 2, counted.saturating_sub(3)] {
                    let request = ListRequest {
                        filter: filter.clone(),
                        sort,
                        after: None,
                        offset,
                        limit: 5,
                    };
                    let from_sql = app
                        .store
                        .list_profiles(&request, &resolved, |t| t.to_string())
                        .await
                        .unwrap();
                    assert_eq!(
                        index_page(app, &request).await,
                        from_sql,
                        "{filter:?} {sort:?} +{offset}"
                    );
                }
            }
        }
        counted
    }

    const SEARCHES: [&str; 10] = [
        "son",
        "gmail.com",
        "+491",
        "ia ",
        "ANA",
        "Sofía",
        "7946",
        "4420 79",
        "e",
        "an",
    ];

    async fn index_agrees_on(app: &AppCore, searches: &[&str]) {
        let filters = [
            ProfileFilter::default(),
            ProfileFilter {
                status: Some(ProfileStatus::Active),
                ..Default::default()
            },
            ProfileFilter {
                status: Some(ProfileStatus::Archived),
                kind: Some(ProfileType::Registered),
                ..Default::default()
            },
            ProfileFilter {
                platform: Some(Platform::WhatsApp),
                last_seen: LastSeenWindow::Last30Days,
                ..Default::default()
            },
        ];
        let mut found = 0;
        for search in searches {
            for filter in &filters {
                let filter = ProfileFilter {
                    search: search.to_string(),
                    ..filter.clone()
                };
                found += index_agrees_with_sqlite(app, &filter).await;
            }
        }
        assert!(
            found > 1_000,
            "the searches found too little to compare: {found}"
        );
    }

    #[tokio::test]
    async fn the_search_index_finds_filters_sorts_and_counts_exactly_as_sqlite() {
        let (app, _dir) = demo_app(7, 1_500).await;
        // Empty values to sort last, archived and anonymous profiles to filter.
        sql(&app, "UPDATE profiles SET location = '' WHERE seq % 11 = 0").await;
        sql(
            &app,
            "UPDATE profiles SET status = 'archived' WHERE seq % 4 = 0",
        )
        .await;
        sql(
            &app,
            "UPDATE profiles SET first_name = 'ana', last_name = 'Sofía' WHERE seq % 97 = 0",
        )
        .await;
        app.refresh_search_index().await.unwrap();
        index_agrees_on(&app, &SEARCHES).await;
    }

    #[tokio::test]
    async fn the_search_index_catches_up_with_edits_deletes_and_new_profiles() {
        let (app, _dir) = demo_app(8, 1_200).await;
        app.refresh_search_index().await.unwrap();
        let pool = app.store().pool().clone();

        // A few changes are applied one by one where they now belong.
        let first: Vec<Profile> = {
            let page = app
                .list_profiles_at(
                    &ListRequest {
                        filter: ProfileFilter::default(),
                        sort: SortOrder::default(),
                        after: None,
                        offset: 0,
                        limit: 20,
                    },
                    now(),
                )
                .await
                .unwrap();
            let mut profiles = Vec::new();
            for row in page.rows {
                profiles.push(app.store.get_profile(row.id).await.unwrap());
            }
            profiles
        };
        for (i, profile) in first.iter().enumerate() {
            let patch = ProfilePatch {
                first_name: Some(format!("Zoë{i}")),
                last_name: Some("Anderson".to_string()),
                phone: Some(format!("+44 20 7946 {:04}", 100 + i)),
                location: (i % 3 == 0).then(String::new),
                ..Default::default()
            };
            app.patch_profile(&profile.id.to_string(), patch)
                .await
                .unwrap();
        }
        sql(
            &app,
            "UPDATE profiles SET status = 'archived', last_seen_at = 0 WHERE seq % 50 = 1",
        )
        .await;
        sql(&app, "DELETE FROM profiles WHERE seq % 60 = 2").await;
        let newcomers: Vec<Profile> = DemoProfiles::new(9, now()).take(30).collect();
        app.store().insert_profiles(&newcomers).await.unwrap();
        // Whatever a background refresh already did, what is left is applied in place.
        let step = app
            .index
            .as_ref()
            .unwrap()
            .index
            .write()
            .await
            .catch_up(&pool)
            .await
            .unwrap();
        assert!(
            matches!(step, CatchUp::Applied(_) | CatchUp::Current),
            "{step:?}"
        );
        index_agrees_on(&app, &["zoë", "ANA", "7946", "e"]).await;
        let zoe = ProfileFilter {
            search: "zoë1".to_string(),
            ..Default::default()
        };
        // Zoë1 and Zoë10..Zoë19.
        assert_eq!(app.count_profiles_at(&zoe, now()).await.unwrap(), 11);

        // Many changes at once: the index is built again.
        let crowd: Vec<Profile> = DemoProfiles::new(10, now()).take(400).collect();
        app.store().insert_profiles(&crowd).await.unwrap();
        let step = app
            .index
            .as_ref()
            .unwrap()
            .index
            .write()
            .await
            .catch_up(&pool)
            .await
            .unwrap();
        assert_eq!(step, CatchUp::Rebuild);
        app.refresh_search_index().await.unwrap();
        index_agrees_on(&app, &["son", "+491", "an"]).await;
        // Caught up, the log is pruned.
        let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM profile_changes")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(logged, 0);
    }

    #[tokio::test]
    async fn changes_pruned_by_another_process_make_the_index_rebuild() {
        let (app, _dir) = demo_app(11, 300).await;
        app.refresh_search_index().await.unwrap();
        sql(
            &app,
            "UPDATE profiles SET first_name = 'Quintus' WHERE seq = 5",
        )
        .await;
        sql(
            &app,
            "UPDATE profiles SET first_name = 'Quintus' WHERE seq = 6",
        )
        .await;
        // Another Userdesk process caught up and pruned the first change.
        sql(
            &app,
            "DELETE FROM profile_changes WHERE id = (SELECT min(id) FROM profile_changes)",
        )
        .await;
        let pool = app.store().pool().clone();
        let step = app
            .index
            .as_ref()
            .unwrap()
            .index
            .write()
            .await
            .catch_up(&pool)
            .await
            .unwrap();
        assert_eq!(step, CatchUp::Rebuild);
        app.refresh_search_index().await.unwrap();
        let quintus = ProfileFilter {
            search: "quintus".to_string(),
            ..Default::default()
        };
        assert_eq!(index_agrees_with_sqlite(&app, &quintus).await, 2);
    }
}
