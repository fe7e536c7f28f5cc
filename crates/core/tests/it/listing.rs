//! The All users table: every filter, every sort both ways, and keyset pages that neither skip nor
//! repeat a row, on a real SQLite file.

use std::cmp::Ordering;

use crate::common::{fixture, now, Fixture};
use userdesk_model::{
    Cursor, CursorValue, LastSeenWindow, ListRequest, Platform, Profile, ProfileFilter, ProfileId,
    ProfileStatus, ProfileType, SortColumn, SortDirection, SortOrder,
};

/// Every id the table lists for `filter` and `sort`, walking keyset pages of `limit` rows.
async fn walk(f: &Fixture, filter: &ProfileFilter, sort: SortOrder, limit: u32) -> Vec<ProfileId> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let request = ListRequest {
            filter: filter.clone(),
            sort,
            after: after.take(),
            offset: 0,
            limit,
        };
        let page = f.app.list_profiles_at(&request, now()).await.unwrap();
        assert!(page.rows.len() <= limit as usize);
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

/// SQLite's NOCASE: ASCII letters folded, everything else compared byte by byte.
fn nocase(s: &str) -> Vec<u8> {
    s.to_ascii_lowercase().into_bytes()
}

/// The order the table must show, computed independently of SQL.
fn expected_order(profiles: &[Profile], sort: SortOrder) -> Vec<ProfileId> {
    let blank_last = |a: &str, b: &str, fold: bool| -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ if fold => nocase(a).cmp(&nocase(b)),
            _ => a.as_bytes().cmp(b.as_bytes()),
        }
    };
    let mut sorted: Vec<&Profile> = profiles.iter().collect();
    sorted.sort_by(|a, b| {
        let by_column = match sort.column {
            SortColumn::Username => nocase(&a.username()).cmp(&nocase(&b.username())),
            SortColumn::Email => blank_last(&a.email, &b.email, true),
            SortColumn::Phone => blank_last(&a.phone, &b.phone, false),
            SortColumn::Location => blank_last(&a.location, &b.location, true),
            SortColumn::Created => a.created_at.cmp(&b.created_at),
            SortColumn::LastSeen => a.last_seen_at.cmp(&b.last_seen_at),
            SortColumn::Sessions => a.sessions.cmp(&b.sessions),
            SortColumn::Status => a.status.as_str().cmp(b.status.as_str()),
        };
        let order = by_column.then(a.id.cmp(&b.id));
        match sort.direction {
            SortDirection::Asc => order,
            SortDirection::Desc => order.reverse(),
        }
    });
    sorted.into_iter().map(|p| p.id).collect()
}

fn active() -> ProfileFilter {
    ProfileFilter {
        status: Some(ProfileStatus::Active),
        ..Default::default()
    }
}

fn matching(f: &Fixture, keep: impl Fn(&Profile) -> bool) -> Vec<Profile> {
    f.profiles.iter().filter(|p| keep(p)).cloned().collect()
}

#[tokio::test]
async fn every_column_sorts_both_ways_across_pages_without_skipping_or_repeating() {
    let f = fixture(1_500).await;
    let active_profiles = matching(&f, |p| p.status == ProfileStatus::Active);
    for column in SortColumn::ALL {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let sort = SortOrder { column, direction };
            let expected = expected_order(&active_profiles, sort);
            // 37 does not divide the total, so pages end in the middle of runs of equal keys.
            let listed = walk(&f, &active(), sort, 37).await;
            assert_eq!(listed.len(), expected.len(), "{sort:?}");
            assert_eq!(listed, expected, "{sort:?}");
        }
    }
}

#[tokio::test]
async fn pages_break_ties_of_equal_sort_keys_by_id() {
    let f = fixture(0).await;
    // Forty customers with the very same name, sessions and (empty) email.
    let twins: Vec<Profile> = crate::common::fixture_profiles(40)
        .into_iter()
        .map(|mut p| {
            p.first_name = "Sam".into();
            p.last_name = "Lee".into();
            p.email = String::new();
            p.sessions = 3;
            p.status = ProfileStatus::Active;
            p
        })
        .collect();
    f.app.store().insert_profiles(&twins).await.unwrap();
    let mut by_id: Vec<ProfileId> = twins.iter().map(|p| p.id).collect();
    by_id.sort();
    for column in [
        SortColumn::Username,
        SortColumn::Email,
        SortColumn::Sessions,
    ] {
        for limit in [1, 3, 7, 40, 100] {
            let asc = SortOrder {
                column,
                direction: SortDirection::Asc,
            };
            assert_eq!(
                walk(&f, &active(), asc, limit).await,
                by_id,
                "{column:?} by {limit}"
            );
            let desc = SortOrder {
                column,
                direction: SortDirection::Desc,
            };
            let mut reversed = by_id.clone();
            reversed.reverse();
            assert_eq!(
                walk(&f, &active(), desc, limit).await,
                reversed,
                "{column:?} by {limit}"
            );
        }
    }
}

#[tokio::test]
async fn a_page_at_an_offset_matches_the_keyset_walk() {
    let f = fixture(800).await;
    // Whether or not the in-memory index is ready yet (it answers jumps once it is).
    for indexed in [false, true] {
        if indexed {
            for column in SortColumn::ALL {
                f.app.prepare_sort(column).await.unwrap();
            }
        }
        for filter in [active(), archived()] {
            for column in SortColumn::ALL {
                for direction in [SortDirection::Asc, SortDirection::Desc] {
                    let sort = SortOrder { column, direction };
                    let all = walk(&f, &filter, sort, 100).await;
                    let at = all.len() / 3;
                    let request = ListRequest {
                        filter: filter.clone(),
                        sort,
                        after: None,
                        offset: at as u64,
                        limit: 50,
                    };
                    let page = f.app.list_profiles_at(&request, now()).await.unwrap();
                    let ids: Vec<ProfileId> = page.rows.iter().map(|r| r.id).collect();
                    let end = (at + 50).min(all.len());
                    assert_eq!(ids, all[at..end], "{column:?} {direction:?} {indexed}");
                    if page.next.is_none() {
                        continue;
                    }
                    // And the keyset continues from an offset page exactly where the offset
                    // would.
                    let next = ListRequest {
                        after: page.next,
                        offset: 0,
                        ..request
                    };
                    let page = f.app.list_profiles_at(&next, now()).await.unwrap();
                    let ids: Vec<ProfileId> = page.rows.iter().map(|r| r.id).collect();
                    let end = (at + 100).min(all.len());
                    assert_eq!(ids, all[at + 50..end], "{column:?} {direction:?} {indexed}");
                }
            }
        }
    }
}

fn archived() -> ProfileFilter {
    ProfileFilter {
        status: Some(ProfileStatus::Archived),
        ..Default::default()
    }
}

#[tokio::test]
async fn archived_profiles_only_appear_under_the_archived_filter() {
    let f = fixture(1_000).await;
    let sort = SortOrder::default();
    let archived_filter = ProfileFilter {
        status: Some(ProfileStatus::Archived),
        ..Default::default()
    };
    let archived = walk(&f, &archived_filter, sort, 1000).await;
    let expected = expected_order(&matching(&f, |p| p.status == ProfileStatus::Archived), sort);
    assert!(!expected.is_empty());
    assert_eq!(archived, expected);
    let listed_active = walk(&f, &active(), sort, 1000).await;
    assert!(listed_active.iter().all(|id| !archived.contains(id)));
    assert_eq!(
        f.app
            .count_profiles_at(&archived_filter, now())
            .await
            .unwrap(),
        expected.len() as u64
    );
}

/// Which demo customers a filter should keep.
type Keep = Box<dyn Fn(&Profile) -> bool>;

#[tokio::test]
async fn type_platform_and_last_seen_filters_each_narrow_the_table_and_its_count() {
    let f = fixture(1_500).await;
    let sort = SortOrder {
        column: SortColumn::Created,
        direction: SortDirection::Asc,
    };
    let day = chrono::Duration::days(1);
    let midnight = now().date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let cases: Vec<(ProfileFilter, Keep)> = vec![
        (
            ProfileFilter {
                kind: Some(ProfileType::Anonymous),
                ..active()
            },
            Box::new(|p| p.kind == ProfileType::Anonymous),
        ),
        (
            ProfileFilter {
                kind: Some(ProfileType::Registered),
                ..active()
            },
            Box::new(|p| p.kind == ProfileType::Registered),
        ),
        (
            ProfileFilter {
                platform: Some(Platform::WhatsApp),
                ..active()
            },
            Box::new(|p| p.platform == Platform::WhatsApp),
        ),
        (
            ProfileFilter {
                last_seen: LastSeenWindow::Today,
                ..active()
            },
            Box::new(move |p| p.last_seen_at >= midnight),
        ),
        (
            ProfileFilter {
                last_seen: LastSeenWindow::Last7Days,
                ..active()
            },
            Box::new(move |p| p.last_seen_at >= midnight - day * 6),
        ),
        (
            ProfileFilter {
                last_seen: LastSeenWindow::Last30Days,
                ..active()
            },
            Box::new(move |p| p.last_seen_at >= midnight - day * 29),
        ),
        (
            ProfileFilter {
                kind: Some(ProfileType::Registered),
                platform: Some(Platform::Desktop),
                last_seen: LastSeenWindow::Last30Days,
                ..active()
            },
            Box::new(move |p| {
                p.kind == ProfileType::Registered
                    && p.platform == Platform::Desktop
                    && p.last_seen_at >= midnight - day * 29
            }),
        ),
    ];
    for (filter, keep) in cases {
        let expected = expected_order(
            &matching(&f, |p| p.status == ProfileStatus::Active && keep(p)),
            sort,
        );
        assert!(
            !expected.is_empty(),
            "{filter:?} should match some demo customers"
        );
        assert!(expected.len() < 1_500);
        assert_eq!(walk(&f, &filter, sort, 64).await, expected, "{filter:?}");
        assert_eq!(
            f.app.count_profiles_at(&filter, now()).await.unwrap(),
            expected.len() as u64
        );
    }
}

#[tokio::test]
async fn the_today_window_follows_the_managers_time_zone() {
    let f = fixture(0).await;
    let mut p = crate::common::fixture_profiles(1).remove(0);
    // 23:30 on the 27th in UTC is already the 28th in Tokyo.
    p.last_seen_at = "2026-11-27T23:30:00Z".parse().unwrap();
    p.status = ProfileStatus::Active;
    f.app.store().insert_profiles(&[p]).await.unwrap();
    let today = ProfileFilter {
        last_seen: LastSeenWindow::Today,
        ..active()
    };
    assert_eq!(f.app.count_profiles_at(&today, now()).await.unwrap(), 0);
    f.app.set_time_zone("Asia/Tokyo").await.unwrap();
    assert_eq!(f.app.count_profiles_at(&today, now()).await.unwrap(), 1);
}

async fn search_ids(f: &Fixture, term: &str) -> Vec<ProfileId> {
    let filter = ProfileFilter {
        search: term.to_string(),
        status: None,
        ..Default::default()
    };
    let mut ids = walk(f, &filter, SortOrder::default(), 1000).await;
    ids.sort();
    ids
}

fn expected_ids(f: &Fixture, keep: impl Fn(&Profile) -> bool) -> Vec<ProfileId> {
    let mut ids: Vec<ProfileId> = f
        .profiles
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.id)
        .collect();
    ids.sort();
    ids
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[tokio::test]
async fn search_finds_partial_names_emails_and_phones_in_any_case() {
    let f = fixture(1_200).await;
    let full_name = |p: &Profile| format!("{} {}", p.first_name, p.last_name);
    for term in ["ann", "MÜLLER", "ia Ro", "outlook.co", "ana.", "@proton"] {
        let expected = expected_ids(&f, |p| {
            contains_folded(&full_name(p), term) || contains_folded(&p.email, term)
        });
        assert!(!expected.is_empty(), "{term}");
        assert_eq!(search_ids(&f, term).await, expected, "{term}");
        let filter = ProfileFilter {
            search: term.into(),
            status: None,
            ..Default::default()
        };
        assert_eq!(
            f.app.count_profiles_at(&filter, now()).await.unwrap(),
            expected.len() as u64
        );
    }
    // A phone as people type it, with spaces, finds the E.164 number by its digits.
    let phone = f
        .profiles
        .iter()
        .find(|p| p.phone.starts_with("+44"))
        .unwrap()
        .phone
        .clone();
    let spaced = format!("{} {} {}", &phone[3..7], &phone[7..10], &phone[10..]);
    let found = search_ids(&f, &spaced).await;
    assert!(found.contains(&f.profiles.iter().find(|p| p.phone == phone).unwrap().id));
    let digits = &phone[4..10];
    assert_eq!(
        search_ids(&f, digits).await,
        expected_ids(&f, |p| p.phone.contains(digits))
    );
}

#[tokio::test]
async fn a_one_or_two_character_search_still_matches_substrings() {
    let f = fixture(600).await;
    for term in ["li", "Z", "%", "_"] {
        let expected = expected_ids(&f, |p| {
            let name = format!("{} {}", p.first_name, p.last_name);
            // LIKE folds ASCII letters only.
            let fold = |s: &str| s.to_ascii_lowercase();
            fold(&name).contains(&fold(term))
                || fold(&p.email).contains(&fold(term))
                || p.phone.contains(term)
        });
        assert_eq!(search_ids(&f, term).await, expected, "{term}");
    }
}

#[tokio::test]
async fn a_cursor_from_another_sort_is_refused() {
    let f = fixture(10).await;
    let cursor = Cursor {
        column: SortColumn::Email,
        value: CursorValue::Text("a@example.com".into()),
        id: ProfileId::new(),
    };
    let request = ListRequest {
        filter: active(),
        sort: SortOrder {
            column: SortColumn::Sessions,
            direction: SortDirection::Asc,
        },
        after: Some(cursor),
        offset: 0,
        limit: 10,
    };
    let err = f.app.list_profiles_at(&request, now()).await.unwrap_err();
    assert!(
        matches!(err, userdesk_core::CoreError::InvalidRequest(_)),
        "{err}"
    );
    let too_big = ListRequest {
        after: None,
        limit: 100_000,
        ..request
    };
    assert!(f.app.list_profiles_at(&too_big, now()).await.is_err());
}
