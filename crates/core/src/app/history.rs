//! A customer's History: the server's record of every change to them (its audit log, read
//! through `/v1/history` and kept here for when the server cannot be reached), merged with this
//! manager's edits still waiting to sync; and Put back, a value from it set again by a new edit.

use std::collections::HashMap;

use serde_json::Value;
use userdesk_model::sync::Op;
use userdesk_model::{
    AuditEntry, Field, HistoryChange, HistoryQuery, HistoryRow, HistoryView, ProfileDetails,
    ProfileId, ProfilePatch, ProfileStatus, PropertySort, PutBack, SortDirection,
};

use super::AppCore;
use crate::error::{CoreError, Result};
use crate::store::profiles::read_any;
use crate::time::format_timestamp;

/// How many of the latest server entries Details shows and keeps.
const SHOWN: u32 = 100;

/// A value as History shows it.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.into(),
        other => other.to_string(),
    }
}

/// A status as Details names it ("Active", "Archived").
fn shown_status(value: &Value) -> String {
    match value.as_str().and_then(ProfileStatus::parse) {
        Some(ProfileStatus::Active) => "Active".into(),
        Some(ProfileStatus::Archived) => "Archived".into(),
        None => shown(value),
    }
}

/// What a mutation did, as History names it.
fn action_of(mutation: &str, changes: &[HistoryChange]) -> String {
    match mutation {
        "profile.patch" => "Edited".into(),
        "profile.set_status" => match changes.first().map(|c| c.after.as_str()) {
            Some("Archived") => "Archived".into(),
            _ => "Activated".into(),
        },
        "profile.set_picture" => "Changed the picture".into(),
        "profile.trash" => "Moved to the Trash".into(),
        "profile.restore" => "Restored from the Trash".into(),
        "property.set" => "Set a property".into(),
        "segment.create" | "segment.add_members" => "Added to a segment".into(),
        "segment.remove_members" => "Taken out of a segment".into(),
        "segment.delete" => "Segment deleted".into(),
        other => other.to_string(),
    }
}

/// Names for the ids a change may carry: properties and segments.
struct Names {
    properties: HashMap<String, String>,
    segments: HashMap<String, String>,
}

impl Names {
    /// The field as Details names it, and Put back for it; `None` for bookkeeping fields that
    /// say nothing a manager reads (a record's own keys).
    fn change(
        &self,
        record: &str,
        key: &str,
        field: &str,
        before: &Value,
        after: &Value,
    ) -> Option<HistoryChange> {
        let (label, before, after, put_back) = match (record, field) {
            ("profile", "trashed") => (
                "TRASH".to_string(),
                if before.is_null() {
                    String::new()
                } else {
                    "In the Trash".into()
                },
                if after.is_null() {
                    String::new()
                } else {
                    "In the Trash".into()
                },
                None,
            ),
            ("profile", "status") => {
                let put_back = before
                    .as_str()
                    .and_then(ProfileStatus::parse)
                    .map(|status| PutBack::Active {
                        active: status == ProfileStatus::Active,
                    });
                (
                    "STATUS".to_string(),
                    shown_status(before),
                    shown_status(after),
                    put_back,
                )
            }
            ("profile", name) => {
                let field = Field::parse(name)?;
                let put_back = Some(PutBack::Field {
                    field,
                    value: shown(before),
                });
                (
                    field.label().to_uppercase(),
                    shown(before),
                    shown(after),
                    put_back,
                )
            }
            ("picture", "png") => ("PICTURE".to_string(), shown(before), shown(after), None),
            ("property_value", "value") => {
                let property = key.split(':').nth(1).unwrap_or_default();
                let name = self
                    .properties
                    .get(property)
                    .cloned()
                    .unwrap_or_else(|| "A property".into());
                (name, shown(before), shown(after), None)
            }
            ("segment_member", "profileId") => {
                let segment = key.split(':').next().unwrap_or_default();
                let name = self
                    .segments
                    .get(segment)
                    .cloned()
                    .unwrap_or_else(|| "a segment".into());
                let member = |v: &Value| {
                    if v.is_null() {
                        String::new()
                    } else {
                        "Member".into()
                    }
                };
                (
                    format!("Segment {name}"),
                    member(before),
                    member(after),
                    None,
                )
            }
            _ => return None,
        };
        Some(HistoryChange {
            field: label,
            before,
            after,
            put_back,
        })
    }
}

impl AppCore {
    /// The customer's History, the latest change first, from the signed-in server (or, when it
    /// cannot be reached, as last read from it, with a note), with this manager's edits still
    /// waiting to sync on top.
    pub async fn profile_history(&self, id: ProfileId) -> Result<HistoryView> {
        match self.credentials().await {
            Ok((account, token)) => {
                self.profile_history_from(&account.server_url, &token, id)
                    .await
            }
            Err(CoreError::NotSignedIn) => {
                let mut view = self.history_view(id, None).await?;
                if view.rows.iter().all(|r| r.pending) {
                    view.note = Some(
                        "Not signed in: only your changes made on this computer are shown".into(),
                    );
                }
                Ok(view)
            }
            Err(e) => Err(e),
        }
    }

    /// [`Self::profile_history`] read from `server_url` with `token`.
    pub async fn profile_history_from(
        &self,
        server_url: &str,
        token: &str,
        id: ProfileId,
    ) -> Result<HistoryView> {
        let query = HistoryQuery {
            profile_id: id,
            before: None,
            limit: Some(SHOWN),
        };
        let note = match self.sync_engine().history(server_url, token, &query).await {
            Ok(page) => {
                self.store.keep_history(id, &page.entries).await?;
                None
            }
            Err(CoreError::Offline(_)) => Some(
                "Offline: colleagues' changes as last seen; newer ones show once the server can \
                 be reached"
                    .to_string(),
            ),
            Err(e) => return Err(e),
        };
        self.history_view(id, note).await
    }

    async fn history_view(&self, id: ProfileId, note: Option<String>) -> Result<HistoryView> {
        let (pending, entries) = {
            let mut conn = self.store.pool().acquire().await?;
            if read_any(&mut conn, id).await?.is_none() {
                return Err(CoreError::ProfileNotFound(id.to_string()));
            }
            let pending = crate::store::outbox::all_pending(&mut conn).await?;
            (pending, self.store.kept_history(id).await?)
        };
        let names = Names {
            properties: self
                .store
                .properties("", PropertySort::Name, SortDirection::Asc)
                .await?
                .into_iter()
                .map(|p| (p.definition.id.to_string(), p.definition.name))
                .collect(),
            segments: self
                .segments("")
                .await?
                .into_iter()
                .map(|s| (s.id.to_string(), s.name))
                .collect(),
        };
        let me = self.account().await?.map(|a| a.manager);
        let tz = self.time_zone();
        let mut rows = Vec::new();
        // This manager's edits waiting to sync, the latest first.
        for mutation in pending.iter().rev() {
            let Ok(op) = Op::from_mutation(mutation) else {
                continue;
            };
            if let Some(row) = pending_row(&op, id) {
                rows.push(row);
            }
        }
        for entry in entries {
            if let Some(row) = server_row(&entry, &names, me.as_deref(), tz) {
                rows.push(row);
            }
        }
        Ok(HistoryView { rows, note })
    }

    /// Put back: the value from the History set again, by a new edit that syncs like any other.
    pub async fn put_back(&self, id: ProfileId, put_back: PutBack) -> Result<ProfileDetails> {
        match put_back {
            PutBack::Field { field, value } => {
                let mut patch = ProfilePatch::default();
                field.set(&mut patch, value);
                self.patch_profile(id, patch).await
            }
            PutBack::Active { active } => self.set_profile_active(id, active).await,
        }
    }
}

/// A server entry as a History row; `None` when it changed nothing a manager reads.
fn server_row(
    entry: &AuditEntry,
    names: &Names,
    me: Option<&str>,
    tz: chrono_tz::Tz,
) -> Option<HistoryRow> {
    let changes: Vec<HistoryChange> = entry
        .changes
        .iter()
        .filter_map(|c| names.change(&c.record, &c.key, &c.field, &c.before, &c.after))
        .collect();
    if changes.is_empty() {
        return None;
    }
    Some(HistoryRow {
        action: action_of(&entry.mutation, &changes),
        who: if Some(entry.manager.as_str()) == me {
            "you".into()
        } else {
            entry.manager.clone()
        },
        when: format_timestamp(entry.at, tz),
        pending: false,
        changes,
    })
}

/// This manager's edit of the customer, waiting to sync, as a History row.
fn pending_row(op: &Op, id: ProfileId) -> Option<HistoryRow> {
    let row = |action: &str, changes: Vec<HistoryChange>| HistoryRow {
        action: action.into(),
        who: "you".into(),
        when: String::new(),
        pending: true,
        changes,
    };
    match op {
        Op::ProfilePatch {
            profile_id,
            patch,
            base,
        } if *profile_id == id => {
            let changes = Field::ALL
                .into_iter()
                .filter_map(|field| {
                    let after = field.of(patch)?.to_string();
                    let before = base
                        .as_ref()
                        .and_then(|b| field.of(b))
                        .unwrap_or_default()
                        .to_string();
                    Some(HistoryChange {
                        field: field.label().to_uppercase(),
                        put_back: base.as_ref().and_then(|b| field.of(b)).map(|value| {
                            PutBack::Field {
                                field,
                                value: value.to_string(),
                            }
                        }),
                        before,
                        after,
                    })
                })
                .collect();
            Some(row("Edited", changes))
        }
        Op::ProfileSetStatus { profile_id, status } if *profile_id == id => {
            let after = shown_status(&Value::String(status.as_str().into()));
            let action = if *status == ProfileStatus::Archived {
                "Archived"
            } else {
                "Activated"
            };
            Some(row(
                action,
                vec![HistoryChange {
                    field: "STATUS".into(),
                    before: String::new(),
                    after,
                    put_back: None,
                }],
            ))
        }
        Op::ProfileTrash { profile_ids } if profile_ids.contains(&id) => Some(row(
            "Moved to the Trash",
            vec![HistoryChange {
                field: "TRASH".into(),
                before: String::new(),
                after: "In the Trash".into(),
                put_back: None,
            }],
        )),
        Op::ProfileRestore { profile_ids } if profile_ids.contains(&id) => Some(row(
            "Restored from the Trash",
            vec![HistoryChange {
                field: "TRASH".into(),
                before: "In the Trash".into(),
                after: String::new(),
                put_back: None,
            }],
        )),
        _ => None,
    }
}
