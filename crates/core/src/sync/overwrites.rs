//! Telling the manager whose edit lost: when the server confirms an edit of ours whose field it
//! now holds with another value, a colleague's edit, later in the server's order, replaced it.
//! The edit is listed beside the refused ones, with both values, until it is dismissed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use sqlx::SqliteConnection;
use userdesk_model::sync::{Mutation, Op, Overwrite};
use userdesk_model::{Field, FieldError, Profile, ProfileId, ProfilePatch};

use crate::error::{CoreError, Result};
use crate::store::profiles::{self, apply_patch};
use crate::store::server_copies;

/// The edits of profile fields among `confirmed` (mutations the last pull page confirms).
pub(crate) fn profile_edits(confirmed: &[Mutation]) -> Result<Vec<(u64, ProfileId, ProfilePatch)>> {
    let mut edits = Vec::new();
    for mutation in confirmed {
        let op = Op::from_mutation(mutation)
            .map_err(|e| CoreError::Corrupt(format!("mutation {}: {e}", mutation.id)))?;
        if let Op::ProfilePatch {
            profile_id, patch, ..
        } = op
        {
            edits.push((mutation.id, profile_id, patch));
        }
    }
    Ok(edits)
}

fn fields_of(patch: &ProfilePatch) -> Vec<(Field, &str)> {
    [
        (Field::Email, &patch.email),
        (Field::FirstName, &patch.first_name),
        (Field::LastName, &patch.last_name),
        (Field::Phone, &patch.phone),
        (Field::Location, &patch.location),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.as_deref().map(|v| (field, v)))
    .collect()
}

fn single(field: Field, value: &str) -> ProfilePatch {
    let value = Some(value.to_string());
    let mut patch = ProfilePatch::default();
    match field {
        Field::Email => patch.email = value,
        Field::FirstName => patch.first_name = value,
        Field::LastName => patch.last_name = value,
        Field::Phone => patch.phone = value,
        Field::Location => patch.location = value,
    }
    patch
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "(empty)".to_string()
    } else {
        format!("“{value}”")
    }
}

/// Records, inside the page's transaction, each confirmed edit whose field the server's copy
/// holds with another value; fields the manager edits again (still pending) and refused edits
/// are left out: the first will be pushed, the second is already listed.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    confirmed: &[(u64, ProfileId, ProfilePatch)],
    pending: &HashMap<ProfileId, Vec<&Op>>,
) -> Result<()> {
    if confirmed.is_empty() {
        return Ok(());
    }
    // The last confirmed value of each field of each profile, with its mutation.
    let mut last: BTreeMap<(ProfileId, u8), (u64, Field, &str)> = BTreeMap::new();
    for (id, profile, patch) in confirmed {
        for (field, value) in fields_of(patch) {
            last.insert((*profile, field as u8), (*id, field, value));
        }
    }
    let refused: HashSet<i64> = sqlx::query_scalar("SELECT mutation_id FROM rejections")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let mut lost: BTreeMap<u64, (Profile, Vec<FieldError>)> = BTreeMap::new();
    let mut copies: HashMap<ProfileId, Option<Profile>> = HashMap::new();
    for ((profile_id, _), (mutation, field, mine)) in last {
        if refused.contains(&i64::try_from(mutation).unwrap_or(i64::MAX)) {
            continue;
        }
        let edited_again = pending.get(&profile_id).is_some_and(|ops| {
            ops.iter().any(|op| match op {
                Op::ProfilePatch { patch, .. } => fields_of(patch).iter().any(|(f, _)| *f == field),
                Op::ProfileDelete { .. } => true,
                _ => false,
            })
        });
        if edited_again {
            continue;
        }
        let server = match copies.get(&profile_id) {
            Some(copy) => copy.clone(),
            None => {
                let copy = server_copies::get(conn, profile_id).await?;
                copies.insert(profile_id, copy.clone());
                copy
            }
        };
        // No server copy: the customer is gone, or no newer record came since the edit.
        let Some(server) = server else { continue };
        let ours = apply_patch(&server, &single(field, mine));
        let theirs = field.in_profile(&server);
        if field.in_profile(&ours) == theirs {
            continue;
        }
        let reason = format!(
            "your {} was replaced by a later edit: {}",
            shown(field.in_profile(&ours)),
            shown(theirs)
        );
        lost.entry(mutation)
            .or_insert_with(|| (server.clone(), Vec::new()))
            .1
            .push(FieldError { field, reason });
    }
    for (mutation, (server, fields)) in lost {
        let message = message("Another manager", &server.username(), &fields);
        let fields_json = fields_json(&fields)?;
        sqlx::query(
            "INSERT OR IGNORE INTO rejections (mutation_id, name, code, message, fields, \
             rejected_at, profile_id) VALUES (?, 'profile.patch', 'overwritten', ?, ?, ?, ?)",
        )
        .bind(i64::try_from(mutation).unwrap_or(i64::MAX))
        .bind(message)
        .bind(fields_json)
        .bind(Utc::now().timestamp_millis())
        .bind(server.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn message(who: &str, customer: &str, fields: &[FieldError]) -> String {
    let what = fields
        .iter()
        .map(|f| format!("{} ({})", f.field.label(), f.reason))
        .collect::<Vec<_>>()
        .join("; ");
    format!("{who} changed {customer} after you: {what}")
}

fn fields_json(fields: &[FieldError]) -> Result<String> {
    serde_json::to_string(fields)
        .map_err(|e| CoreError::Corrupt(format!("a replaced edit could not be kept: {e}")))
}

/// Lists the server's notice that a colleague replaced one of this client's edits unseen,
/// beside the refused edits; a field already listed for that edit (found by the page that
/// confirmed it, or by an earlier copy of the notice) is not listed twice, and an edit the
/// server refused stays listed as refused.
pub(crate) async fn record_notice(conn: &mut SqliteConnection, notice: &Overwrite) -> Result<()> {
    let mutation = i64::try_from(notice.mutation_id).unwrap_or(i64::MAX);
    let customer = match profiles::read_any(conn, notice.profile_id).await? {
        Some(profile) => profile.username(),
        None => "a customer".to_string(),
    };
    let error = FieldError {
        field: notice.field,
        reason: format!(
            "your {} was replaced by {}'s edit: {}",
            shown(&notice.replaced),
            notice.by,
            shown(&notice.value)
        ),
    };
    let listed: Option<(String, String)> =
        sqlx::query_as("SELECT code, fields FROM rejections WHERE mutation_id = ?")
            .bind(mutation)
            .fetch_optional(&mut *conn)
            .await?;
    match listed {
        None => {
            let fields = [error];
            sqlx::query(
                "INSERT INTO rejections (mutation_id, name, code, message, fields, rejected_at, \
                 profile_id) VALUES (?, 'profile.patch', 'overwritten', ?, ?, ?, ?)",
            )
            .bind(mutation)
            .bind(message(&notice.by, &customer, &fields))
            .bind(fields_json(&fields)?)
            .bind(notice.at.timestamp_millis())
            .bind(notice.profile_id)
            .execute(&mut *conn)
            .await?;
        }
        Some((code, fields)) if code == "overwritten" => {
            let mut fields: Vec<FieldError> = serde_json::from_str(&fields)
                .map_err(|e| CoreError::Corrupt(format!("rejection fields: {e}")))?;
            if fields.iter().any(|f| f.field == notice.field) {
                return Ok(());
            }
            fields.push(error);
            sqlx::query("UPDATE rejections SET message = ?, fields = ? WHERE mutation_id = ?")
                .bind(message(&notice.by, &customer, &fields))
                .bind(fields_json(&fields)?)
                .bind(mutation)
                .execute(&mut *conn)
                .await?;
        }
        Some(_) => {}
    }
    Ok(())
}
