//! Segments: named groups of customers, hand-picked or described by rules (goal completed or
//! not, a property's value, status, last seen), evaluated here on the local store so a segment
//! works offline and its members show in the All users table like any other filter.
//!
//! A customer belongs to a segment when hand-picked for it, or when the segment has rules and
//! the customer meets every one. The definitions and hand-picked members sync like notes: the
//! server's copies with the pending mutations laid over them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use userdesk_model::sync::{Op, MAX_MEMBERS_PER_MUTATION};
use userdesk_model::{
    Goal, GoalCompletion, GoalId, GoalSummary, ProfileId, ProfileStatus, PropertyDefinition,
    PropertyFormat, RuleOperator, Segment, SegmentDraft, SegmentId, SegmentRule,
};

use crate::error::{refused_definition, CoreError, Result};
use crate::store::outbox;
use crate::store::profiles;
use crate::store::properties;
use crate::store::synced::{self, Owner, RecordKind};
use crate::store::Store;
use crate::time;

/// A segment, and whether this app has a change of it the server has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalSegment {
    pub segment: Segment,
    pub pending: bool,
}

/// One rule as a condition on `profiles AS p`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Condition {
    Status(ProfileStatus),
    SeenSince(i64),
    In(Vec<ProfileId>),
    NotIn(Vec<ProfileId>),
}

/// Who belongs to a segment, as SQL can test it: the hand-picked members, or every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Membership {
    members: Vec<ProfileId>,
    /// `None` when the segment has no rules: only hand-picked members belong.
    rules: Option<Vec<Condition>>,
}

impl Membership {
    /// Exactly these customers (a goal's completers, as a filter).
    pub(crate) fn only(members: Vec<ProfileId>) -> Self {
        Self {
            members,
            rules: None,
        }
    }

    /// Appends ` AND (…)`: the profile `p` belongs to the segment.
    pub(crate) fn push_condition(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        query.push(" AND (");
        if self.members.is_empty() {
            query.push("0");
        } else {
            query
                .push("p.id IN (SELECT unhex(value) FROM json_each(")
                .push_bind(profiles::id_list(&self.members))
                .push("))");
        }
        if let Some(rules) = &self.rules {
            query.push(" OR (1");
            for rule in rules {
                match rule {
                    Condition::Status(status) => {
                        query.push(" AND p.status = ").push_bind(status.as_str());
                    }
                    Condition::SeenSince(ms) => {
                        query.push(" AND p.last_seen_at >= ").push_bind(*ms);
                    }
                    Condition::In(ids) => {
                        query
                            .push(" AND p.id IN (SELECT unhex(value) FROM json_each(")
                            .push_bind(profiles::id_list(ids))
                            .push("))");
                    }
                    Condition::NotIn(ids) => {
                        query
                            .push(" AND p.id NOT IN (SELECT unhex(value) FROM json_each(")
                            .push_bind(profiles::id_list(ids))
                            .push("))");
                    }
                }
            }
            query.push(")");
        }
        query.push(")");
    }
}

/// The workspace's segments as the manager sees them.
pub(crate) async fn segments(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<SegmentId, LocalSegment>> {
    let mut list: BTreeMap<SegmentId, LocalSegment> =
        synced::all_of::<Segment>(conn, RecordKind::Segment)
            .await?
            .into_iter()
            .map(|segment| {
                (
                    segment.id,
                    LocalSegment {
                        segment,
                        pending: false,
                    },
                )
            })
            .collect();
    for (op, _) in outbox::pending_ops_named(conn, "segment.").await? {
        match op {
            Op::SegmentCreate { segment, .. } => {
                list.insert(
                    segment.id,
                    LocalSegment {
                        segment,
                        pending: true,
                    },
                );
            }
            Op::SegmentUpdate { segment } => {
                if let Some(local) = list.get_mut(&segment.id) {
                    local.segment = segment;
                    local.pending = true;
                }
            }
            Op::SegmentDelete { segment_id } => {
                list.remove(&segment_id);
            }
            // Members added or taken out by hand: not synced yet either.
            Op::SegmentAddMembers { segment_id, .. }
            | Op::SegmentRemoveMembers { segment_id, .. } => {
                if let Some(local) = list.get_mut(&segment_id) {
                    local.pending = true;
                }
            }
            _ => {}
        }
    }
    Ok(list)
}

async fn segment(conn: &mut SqliteConnection, id: SegmentId) -> Result<LocalSegment> {
    segments(conn)
        .await?
        .remove(&id)
        .ok_or_else(|| CoreError::SegmentNotFound(id.to_string()))
}

/// The segment's hand-picked members, pending changes included.
async fn handpicked(conn: &mut SqliteConnection, id: SegmentId) -> Result<BTreeSet<ProfileId>> {
    let mut members: BTreeSet<ProfileId> =
        sqlx::query_scalar("SELECT profile_id FROM segment_members WHERE segment_id = ?")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    for (op, _) in outbox::pending_ops_named(conn, "segment.").await? {
        match op {
            Op::SegmentCreate {
                segment,
                members: added,
            } if segment.id == id => members.extend(added),
            Op::SegmentAddMembers {
                segment_id,
                profile_ids,
            } if segment_id == id => members.extend(profile_ids),
            Op::SegmentRemoveMembers {
                segment_id,
                profile_ids,
            } if segment_id == id => {
                for profile in profile_ids {
                    members.remove(&profile);
                }
            }
            _ => {}
        }
    }
    Ok(members)
}

/// Queues `op` for `members`, at most [`MAX_MEMBERS_PER_MUTATION`] to a mutation.
async fn append_members(
    conn: &mut SqliteConnection,
    members: &[ProfileId],
    at: DateTime<Utc>,
    op: impl Fn(Vec<ProfileId>) -> Op,
) -> Result<()> {
    for chunk in members.chunks(MAX_MEMBERS_PER_MUTATION) {
        outbox::append(conn, &op(chunk.to_vec()), at).await?;
    }
    Ok(())
}

/// Whether a customer's value meets a property rule; `value` has been checked against the
/// format, `wanted` too (except for `contains`).
fn value_meets(format: PropertyFormat, operator: RuleOperator, value: &str, wanted: &str) -> bool {
    let number = |s: &str| s.trim().parse::<f64>().ok();
    match operator {
        RuleOperator::Equals | RuleOperator::NotEquals => match format {
            PropertyFormat::Number => number(value).is_some() && number(value) == number(wanted),
            PropertyFormat::Text => value.to_lowercase() == wanted.to_lowercase(),
            _ => value == wanted,
        },
        RuleOperator::Contains => value.to_lowercase().contains(&wanted.to_lowercase()),
        RuleOperator::GreaterThan | RuleOperator::LessThan => {
            let order = match (format, number(value), number(wanted)) {
                (PropertyFormat::Number, Some(a), Some(b)) => a.partial_cmp(&b),
                (PropertyFormat::Number, _, _) => None,
                _ => Some(value.cmp(wanted)),
            };
            let wanted_order = if operator == RuleOperator::GreaterThan {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Less
            };
            order == Some(wanted_order)
        }
        RuleOperator::IsSet | RuleOperator::IsNotSet => true,
    }
}

/// The customers who completed the goal.
async fn completers(conn: &mut SqliteConnection, goal: GoalId) -> Result<Vec<ProfileId>> {
    let completions: BTreeSet<ProfileId> = synced::owned_by::<GoalCompletion>(
        conn,
        RecordKind::GoalCompletion,
        Owner::Goal,
        goal.to_string(),
    )
    .await?
    .into_iter()
    .map(|c| c.profile_id)
    .collect();
    Ok(completions.into_iter().collect())
}

/// Turns the segment into a condition SQL can test, rules evaluated on the local store as it
/// is now; Last seen windows count back from `now` in the manager's zone.
pub(crate) async fn membership(
    conn: &mut SqliteConnection,
    segment: &Segment,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Membership> {
    let members = handpicked(conn, segment.id).await?.into_iter().collect();
    if segment.rules.is_empty() {
        return Ok(Membership {
            members,
            rules: None,
        });
    }
    let definitions = properties::definitions(conn).await?;
    let mut rules = Vec::with_capacity(segment.rules.len());
    for rule in &segment.rules {
        match rule {
            SegmentRule::Status { status } => rules.push(Condition::Status(*status)),
            SegmentRule::LastSeen { window } => {
                if let Some(since) = time::window_start(*window, now, tz) {
                    rules.push(Condition::SeenSince(since.timestamp_millis()));
                }
            }
            SegmentRule::Goal { goal_id, completed } => {
                let ids = completers(conn, *goal_id).await?;
                rules.push(if *completed {
                    Condition::In(ids)
                } else {
                    Condition::NotIn(ids)
                });
            }
            SegmentRule::Property {
                property_id,
                operator,
                value,
            } => {
                // A deleted property's rule holds for nobody (and "is not set" for everyone).
                let format = definitions
                    .get(property_id)
                    .map(|p| p.definition.format)
                    .unwrap_or(PropertyFormat::Text);
                let values = if definitions.contains_key(property_id) {
                    properties::values_of_property(conn, *property_id).await?
                } else {
                    BTreeMap::new()
                };
                let (negated, operator) = match operator {
                    RuleOperator::NotEquals => (true, RuleOperator::Equals),
                    RuleOperator::IsNotSet => (true, RuleOperator::IsSet),
                    other => (false, *other),
                };
                let ids: Vec<ProfileId> = values
                    .iter()
                    .filter(|(_, v)| value_meets(format, operator, v, value))
                    .map(|(id, _)| *id)
                    .collect();
                rules.push(if negated {
                    Condition::NotIn(ids)
                } else {
                    Condition::In(ids)
                });
            }
        }
    }
    Ok(Membership {
        members,
        rules: Some(rules),
    })
}

/// Checks a draft as a segment under `id`: its text, that no other segment has its name, and
/// that each rule names a goal or property that exists with an operator and value that fit.
/// Returns the segment with its rule values in their canonical spelling.
async fn check_draft(
    conn: &mut SqliteConnection,
    draft: SegmentDraft,
    id: SegmentId,
) -> Result<Segment> {
    let mut segment = draft.into_segment(id);
    segment
        .validate()
        .map_err(|reason| refused_definition("segment", reason))?;
    let name = segment.name.to_lowercase();
    if let Some(other) = segments(conn)
        .await?
        .into_values()
        .find(|s| s.segment.id != id && s.segment.name.to_lowercase() == name)
    {
        return Err(CoreError::InvalidRequest(format!(
            "a segment named {:?} already exists",
            other.segment.name
        )));
    }
    let definitions = properties::definitions(conn).await?;
    let goals: BTreeSet<GoalId> = synced::all_of::<Goal>(conn, RecordKind::Goal)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    for rule in &mut segment.rules {
        match rule {
            SegmentRule::Goal { goal_id, .. } if !goals.contains(goal_id) => {
                return Err(CoreError::InvalidRequest(format!(
                    "a rule names a goal that does not exist ({goal_id})"
                )));
            }
            SegmentRule::Property {
                property_id,
                operator,
                value,
            } => {
                let definition = &definitions
                    .get(property_id)
                    .ok_or_else(|| CoreError::PropertyNotFound(property_id.to_string()))?
                    .definition;
                *value = check_rule_value(definition, *operator, value)?;
            }
            _ => {}
        }
    }
    Ok(segment)
}

/// A property rule's value in its canonical spelling, or why the operator or value does not
/// fit the property.
fn check_rule_value(
    definition: &PropertyDefinition,
    operator: RuleOperator,
    value: &str,
) -> Result<String> {
    let refuse = |what: &str| {
        Err(CoreError::InvalidRequest(format!(
            "{}: {what}",
            definition.name
        )))
    };
    match operator {
        RuleOperator::IsSet | RuleOperator::IsNotSet => Ok(String::new()),
        RuleOperator::Contains if definition.format != PropertyFormat::Text => {
            refuse("only a text property can be searched for a part of its value")
        }
        RuleOperator::Contains if value.trim().is_empty() => {
            refuse("say what the value should contain")
        }
        RuleOperator::Contains => Ok(value.to_string()),
        RuleOperator::GreaterThan | RuleOperator::LessThan
            if !matches!(
                definition.format,
                PropertyFormat::Number | PropertyFormat::Date
            ) =>
        {
            refuse("only numbers and dates compare as greater or less")
        }
        _ => properties::check_value(definition, value),
    }
}

/// How many customers the condition admits.
async fn count_members(conn: &mut SqliteConnection, membership: &Membership) -> Result<u64> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT count(*) FROM profiles AS p WHERE p.trashed_at IS NULL",
    );
    membership.push_condition(&mut query);
    let count: i64 = query.build_query_scalar().fetch_one(&mut *conn).await?;
    u64::try_from(count).map_err(|_| CoreError::Corrupt(format!("a count of {count}")))
}

impl Store {
    /// The segments whose name or description holds `search` (ignoring case), by name, each
    /// with its number of members.
    pub(crate) async fn segments(
        &self,
        search: &str,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Vec<(LocalSegment, u64)>> {
        let mut conn = self.pool.acquire().await?;
        let needle = search.trim().to_lowercase();
        let mut list: Vec<LocalSegment> = segments(&mut conn)
            .await?
            .into_values()
            .filter(|s| {
                needle.is_empty()
                    || s.segment.name.to_lowercase().contains(&needle)
                    || s.segment.description.to_lowercase().contains(&needle)
            })
            .collect();
        list.sort_by(|a, b| {
            a.segment
                .name
                .to_lowercase()
                .cmp(&b.segment.name.to_lowercase())
                .then(a.segment.id.cmp(&b.segment.id))
        });
        let mut counted = Vec::with_capacity(list.len());
        for local in list {
            let membership = membership(&mut conn, &local.segment, now, tz).await?;
            let members = count_members(&mut conn, &membership).await?;
            counted.push((local, members));
        }
        Ok(counted)
    }

    /// One segment with its number of members.
    pub(crate) async fn segment(
        &self,
        id: SegmentId,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<(LocalSegment, u64)> {
        let mut conn = self.pool.acquire().await?;
        let local = segment(&mut conn, id).await?;
        let membership = membership(&mut conn, &local.segment, now, tz).await?;
        let members = count_members(&mut conn, &membership).await?;
        Ok((local, members))
    }

    /// Who belongs to the segment, for the All users table's Segment filter.
    pub(crate) async fn segment_membership(
        &self,
        id: SegmentId,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Membership> {
        let mut conn = self.pool.acquire().await?;
        let local = segment(&mut conn, id).await?;
        membership(&mut conn, &local.segment, now, tz).await
    }

    /// Creates a segment with its hand-picked members: its `segment.create` mutation (and, for
    /// a long list of members, `segment.add_members` for the rest), in one transaction.
    pub(crate) async fn create_segment(
        &self,
        draft: SegmentDraft,
        members: &[ProfileId],
    ) -> Result<SegmentId> {
        let mut tx = self.write_transaction().await?;
        let segment = check_draft(&mut tx, draft, SegmentId::new()).await?;
        profiles::must_all_exist(&mut tx, members).await?;
        let unique: Vec<ProfileId> = members
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut chunks = unique.chunks(MAX_MEMBERS_PER_MUTATION);
        let id = segment.id;
        outbox::append(
            &mut tx,
            &Op::SegmentCreate {
                segment,
                members: chunks.next().map(<[_]>::to_vec).unwrap_or_default(),
            },
            self.now(),
        )
        .await?;
        let rest = chunks.flatten().copied().collect::<Vec<_>>();
        append_members(&mut tx, &rest, self.now(), |profile_ids| {
            Op::SegmentAddMembers {
                segment_id: id,
                profile_ids,
            }
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Makes `members` hand-picked members of the segment (those already hand-picked are left
    /// as they are): `segment.add_members` mutations of at most [`MAX_MEMBERS_PER_MUTATION`],
    /// in one transaction. Answers how many were added.
    pub(crate) async fn add_segment_members(
        &self,
        id: SegmentId,
        members: &[ProfileId],
    ) -> Result<Vec<ProfileId>> {
        let mut tx = self.write_transaction().await?;
        segment(&mut tx, id).await?;
        profiles::must_all_exist(&mut tx, members).await?;
        let already = handpicked(&mut tx, id).await?;
        let added: Vec<ProfileId> = members
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|member| !already.contains(member))
            .collect();
        append_members(&mut tx, &added, self.now(), |profile_ids| {
            Op::SegmentAddMembers {
                segment_id: id,
                profile_ids,
            }
        })
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Takes `members` out of the segment's hand-picked members, in one transaction. A customer
    /// who is not hand-picked is refused (a rule-based member leaves by the rules), and nothing
    /// changes.
    pub(crate) async fn remove_segment_members(
        &self,
        id: SegmentId,
        members: &[ProfileId],
    ) -> Result<Vec<ProfileId>> {
        let mut tx = self.write_transaction().await?;
        let local = segment(&mut tx, id).await?;
        let picked = handpicked(&mut tx, id).await?;
        let removed: Vec<ProfileId> = members
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Some(other) = removed.iter().find(|member| !picked.contains(member)) {
            return Err(CoreError::InvalidRequest(format!(
                "customer {other} was not added to \"{}\" by hand: a customer in a segment by \
                 its rules leaves it when the rules change",
                local.segment.name
            )));
        }
        append_members(&mut tx, &removed, self.now(), |profile_ids| {
            Op::SegmentRemoveMembers {
                segment_id: id,
                profile_ids,
            }
        })
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// The segment's hand-picked members as this store has them (pending changes included).
    pub(crate) async fn handpicked_members(&self, id: SegmentId) -> Result<BTreeSet<ProfileId>> {
        let mut conn = self.pool.acquire().await?;
        segment(&mut conn, id).await?;
        handpicked(&mut conn, id).await
    }

    /// Renames a segment, describes it, changes its rules; the same segment queues nothing.
    pub(crate) async fn update_segment(&self, id: SegmentId, draft: SegmentDraft) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let current = segment(&mut tx, id).await?;
        let updated = check_draft(&mut tx, draft, id).await?;
        if updated == current.segment {
            return Ok(());
        }
        outbox::append(&mut tx, &Op::SegmentUpdate { segment: updated }, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a segment; its customers stay.
    pub(crate) async fn delete_segment(&self, id: SegmentId) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        segment(&mut tx, id).await?;
        outbox::append(&mut tx, &Op::SegmentDelete { segment_id: id }, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The segments the customer belongs to, by name, each with whether the customer was
    /// added to it by hand.
    pub(crate) async fn profile_segments(
        &self,
        profile: ProfileId,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Vec<(Segment, bool)>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        let mut found = Vec::new();
        for local in segments(&mut conn).await?.into_values() {
            let membership = membership(&mut conn, &local.segment, now, tz).await?;
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = ",
            );
            query.push_bind(profile);
            membership.push_condition(&mut query);
            query.push(")");
            let member: bool = query.build_query_scalar().fetch_one(&mut *conn).await?;
            if member {
                let picked = handpicked(&mut conn, local.segment.id)
                    .await?
                    .contains(&profile);
                found.push((local.segment, picked));
            }
        }
        found.sort_by(|(a, _), (b, _)| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(found)
    }

    /// The goals the platform's bots track, by name (for a segment's goal rule).
    pub(crate) async fn goals(&self) -> Result<Vec<Goal>> {
        let mut conn = self.pool.acquire().await?;
        let mut goals = synced::all_of::<Goal>(&mut conn, RecordKind::Goal).await?;
        goals.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(goals)
    }

    /// Every goal, by name, with how many customers completed it.
    pub(crate) async fn goal_summaries(&self) -> Result<Vec<GoalSummary>> {
        let goals = self.goals().await?;
        let mut conn = self.pool.acquire().await?;
        let mut completers: HashMap<GoalId, BTreeSet<ProfileId>> = HashMap::new();
        // Customers in the Trash are out of the table a click on the goal opens.
        let trashed: std::collections::HashSet<ProfileId> =
            sqlx::query_scalar("SELECT id FROM profiles WHERE trashed_at IS NOT NULL")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        for completion in
            synced::all_of::<GoalCompletion>(&mut conn, RecordKind::GoalCompletion).await?
        {
            if trashed.contains(&completion.profile_id) {
                continue;
            }
            completers
                .entry(completion.goal_id)
                .or_default()
                .insert(completion.profile_id);
        }
        Ok(goals
            .into_iter()
            .map(|goal| GoalSummary {
                completed: completers.get(&goal.id).map_or(0, |c| c.len() as u64),
                id: goal.id,
                name: goal.name,
                bot: goal.bot,
            })
            .collect())
    }

    /// The customers who completed `goal`, as a filter's condition; refused if there is no such
    /// goal.
    pub(crate) async fn goal_completers(&self, goal: GoalId) -> Result<Membership> {
        let mut conn = self.pool.acquire().await?;
        if synced::by_id::<Goal>(&mut conn, RecordKind::Goal, goal.to_string())
            .await?
            .is_none()
        {
            return Err(CoreError::GoalNotFound(goal.to_string()));
        }
        Ok(Membership::only(completers(&mut conn, goal).await?))
    }
}
