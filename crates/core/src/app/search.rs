//! The All users table's pages and counts: from the in-memory search index when it is current,
//! from SQLite otherwise, which the tests below check give the same rows.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use userdesk_model::{ListRequest, ProfileFilter, ProfilePage, SortColumn};

use super::AppCore;
use crate::error::{CoreError, Result};
use crate::index::{IndexFilter, ProfileIndex, SharedIndex};
use crate::store::listing::{self, ResolvedFilter};
use crate::store::search::{self as needles_of, Needles};
use crate::time::format_timestamp;

impl AppCore {
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

    /// Brings the search index up to date and reads `column`'s sort order into it, so that
    /// searches and jumps in that sort are answered from memory (the table does this by itself,
    /// in the background, the first time it sorts by a column).
    pub async fn prepare_sort(&self, column: SortColumn) -> Result<()> {
        let Some(shared) = &self.index else {
            return Ok(());
        };
        shared.refresh(self.store.pool()).await?;
        shared.read_order(self.store.pool(), column).await
    }

    fn read_sort_order_in_background(&self, column: SortColumn) {
        self.index_work_in_background(
            "a sort order could not be read",
            move |index, pool| async move { index.read_order(&pool, column).await },
        );
    }

    pub(crate) fn refresh_search_index_in_background(&self) {
        self.index_work_in_background(
            "the search index could not catch up",
            |index, pool| async move { index.refresh(&pool).await },
        );
    }

    /// Runs `work` on the index in the background unless a refresh holds it already (the next
    /// request asks again); searches read SQLite meanwhile, and if it fails.
    fn index_work_in_background<F, Fut>(&self, failure: &'static str, work: F)
    where
        F: FnOnce(Arc<SharedIndex>, sqlx::SqlitePool) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<()>> + Send + 'static,
    {
        let Some(index) = self.index.as_ref().filter(|index| !index.is_refreshing()) else {
            return;
        };
        let (index, pool) = (Arc::clone(index), self.store.pool().clone());
        tokio::spawn(async move {
            if let Err(error) = work(index, pool).await {
                tracing::warn!(%error, "{failure}; searches read SQLite");
            }
        });
    }

    /// Runs `query` on the search index if it reflects every saved change; `None` otherwise
    /// (and the index is told to catch up).
    pub(super) async fn with_current_index<T: Send + 'static>(
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
    pub(super) async fn indexed_page(
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
        if let Some(shared) = &self.index {
            let missing = match shared.index.try_read() {
                Ok(index) => index.through().is_some() && !index.has_order(sort.column),
                Err(_) => false,
            };
            if missing {
                // The first search or jump in this sort: SQLite answers while its order is read.
                self.read_sort_order_in_background(sort.column);
                return Ok(None);
            }
        }
        self.with_current_index(move |index| {
            let after = match after {
                Some(seq) => Some(index.slot_of(seq)?),
                None => None,
            };
            match &needles {
                Some(needles) => index.search_page(needles, &filter, sort, after, offset, limit),
                None => index.filtered_page(&filter, sort, after, offset, limit),
            }
        })
        .await
    }

    /// One page of the All users table, times in the manager's zone.
    pub async fn list_profiles(&self, request: &ListRequest) -> Result<ProfilePage> {
        self.list_profiles_at(request, self.store.now()).await
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
        // The index knows nothing of segments, jobs or goals: SQLite answers their customers.
        let needles =
            needles_of::needles(&request.filter.search).filter(|_| filter.open_to_every_customer());
        let seqs = match needles {
            Some(needles) => self.indexed_page(request, &filter, Some(needles)).await?,
            // A jump deep into the table: SQLite's OFFSET reads every row it skips (its sort
            // indexes do not hold the status), the index only tests each one's flags.
            None if request.offset > 0
                && request.filter.search.trim().is_empty()
                && filter.open_to_every_customer() =>
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
        self.count_profiles_at(filter, self.store.now()).await
    }

    /// As [`Self::count_profiles`], with Last seen windows counted back from `now`.
    pub async fn count_profiles_at(
        &self,
        filter: &ProfileFilter,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let resolved = self.resolve(filter, now).await?;
        let needles =
            needles_of::needles(&filter.search).filter(|_| resolved.open_to_every_customer());
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
}

fn index_filter(filter: &ResolvedFilter) -> IndexFilter {
    IndexFilter::new(
        filter.status,
        filter.kind,
        filter.platform,
        filter.last_seen_since.map(|since| since.timestamp_millis()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::OpenOptions;
    use crate::index::CatchUp;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{
        LastSeenWindow, Platform, Profile, ProfilePatch, ProfileStatus, ProfileType, SortColumn,
        SortDirection, SortOrder,
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
        let needles = needles_of::needles(&request.filter.search).unwrap();
        let after = match &request.after {
            Some(cursor) => Some(app.store.cursor_seq(cursor).await.unwrap().unwrap()),
            None => None,
        };
        app.prepare_sort(request.sort.column).await.unwrap();
        let seqs = {
            let index = app.index.as_ref().unwrap().index.read().await;
            assert!(index.is_current(latest), "the index is behind");
            let after = after.map(|seq| index.slot_of(seq).unwrap());
            index
                .search_page(
                    &needles,
                    &index_filter(&filter),
                    request.sort,
                    after,
                    request.offset as usize,
                    request.limit as usize,
                )
                .expect("the sort's order was read")
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
            let needles = needles_of::needles(&filter.search).unwrap();
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
        // Every sort's order is read now, so each change below is put in its place by catching up.
        for column in SortColumn::ALL {
            app.prepare_sort(column).await.unwrap();
        }
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
            app.patch_profile(profile.id, patch).await.unwrap();
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
    async fn the_search_index_leaves_customers_in_the_trash_out() {
        let (app, _dir) = demo_app(13, 900).await;
        for column in SortColumn::ALL {
            app.prepare_sort(column).await.unwrap();
        }
        let pool = app.store().pool().clone();
        let everyone = ProfileFilter {
            status: None,
            ..Default::default()
        };
        let catch_up = || async {
            app.index
                .as_ref()
                .unwrap()
                .index
                .write()
                .await
                .catch_up(&pool)
                .await
                .unwrap()
        };
        // A few deleted by the manager: caught up one by one.
        let picked: Vec<userdesk_model::ProfileId> =
            sqlx::query_scalar("SELECT id FROM profiles WHERE seq % 40 = 3")
                .fetch_all(&pool)
                .await
                .unwrap();
        let moved = app
            .delete_profiles(&userdesk_model::Selection::Ids {
                ids: picked.clone(),
            })
            .await
            .unwrap();
        assert_eq!(moved as usize, picked.len());
        assert!(matches!(
            catch_up().await,
            CatchUp::Applied(_) | CatchUp::Current
        ));
        index_agrees_on(&app, &["an", "e", "+4"]).await;
        let left = 900 - picked.len() as u64;
        assert_eq!(app.count_profiles_at(&everyone, now()).await.unwrap(), left);

        // The index built while customers are in the Trash leaves them out, in every order.
        app.rebuild_search_index().await.unwrap();
        for column in SortColumn::ALL {
            app.prepare_sort(column).await.unwrap();
        }
        index_agrees_on(&app, &["an", "e", "+4"]).await;
        let mut after = None;
        let mut listed = 0u64;
        loop {
            let page = app
                .list_profiles_at(
                    &ListRequest {
                        filter: everyone.clone(),
                        sort: SortOrder::default(),
                        after,
                        offset: 0,
                        limit: 200,
                    },
                    now(),
                )
                .await
                .unwrap();
            assert!(page.rows.iter().all(|r| !picked.contains(&r.id)));
            listed += page.rows.len() as u64;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(listed, left);

        // Restored, they come back where they belong.
        app.restore_profiles(&userdesk_model::TrashSelection::All)
            .await
            .unwrap();
        catch_up().await;
        app.refresh_search_index().await.unwrap();
        index_agrees_on(&app, &["an", "e", "+4"]).await;
        assert_eq!(app.count_profiles_at(&everyone, now()).await.unwrap(), 900);
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

    #[tokio::test]
    async fn a_sort_order_is_read_the_first_time_the_table_sorts_by_it() {
        let (app, _dir) = demo_app(12, 900).await;
        app.refresh_search_index().await.unwrap();
        let shared = app.index.as_ref().unwrap();
        let orders = |index: &ProfileIndex| index.ordered_columns();
        // The index holds the first sort of the table only: the others cost memory for every
        // customer, so they wait until the manager sorts by them.
        assert_eq!(
            orders(&*shared.index.read().await),
            vec![SortColumn::default()]
        );
        let bytes_before = app.search_index_bytes().await;
        let by_email = ListRequest {
            filter: ProfileFilter {
                search: "an".to_string(),
                ..Default::default()
            },
            sort: SortOrder {
                column: SortColumn::Email,
                direction: SortDirection::Desc,
            },
            after: None,
            offset: 0,
            limit: 50,
        };
        // SQLite answers the first search in that sort, and the order is read meanwhile.
        let answered = app.list_profiles_at(&by_email, now()).await.unwrap();
        let mut waited = 0;
        while !shared.index.read().await.has_order(SortColumn::Email) {
            assert!(waited < 500, "the order of Email was never read");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        assert_eq!(
            orders(&*shared.index.read().await),
            vec![SortColumn::default(), SortColumn::Email]
        );
        assert_eq!(
            app.search_index_bytes().await - bytes_before,
            900 * std::mem::size_of::<u32>()
        );
        // From then on the index answers, with the same rows.
        let ids = |page: &ProfilePage| page.rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&index_page(&app, &by_email).await), ids(&answered));
        assert!(!answered.rows.is_empty());
        // A rebuild keeps the orders the manager has used.
        app.rebuild_search_index().await.unwrap();
        assert_eq!(
            orders(&*shared.index.read().await),
            vec![SortColumn::default(), SortColumn::Email]
        );
    }
}
