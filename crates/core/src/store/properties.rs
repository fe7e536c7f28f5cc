//! Custom properties: the workspace's definitions (the Properties tab) and each customer's
//! values ("Add a property" in Details). As with notes, the server's copies arrive with the pull
//! and a change made here is only an outbox mutation until the server confirms it, laid over
//! those copies when they are read.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use sqlx::SqliteConnection;
use userdesk_model::sync::Op;
use userdesk_model::{
    ProfileId, PropertyDefinition, PropertyDraft, PropertyId, PropertySort, SortDirection,
};

use crate::error::{refused_definition, CoreError, Result};
use crate::store::outbox;
use crate::store::profiles;
use crate::store::synced::{self, RecordKind};
use crate::store::Store;

/// A definition, and whether this app has a change of it the server has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalProperty {
    pub definition: PropertyDefinition,
    pub pending: bool,
}

/// One value of a customer's property, with its definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalValue {
    pub definition: PropertyDefinition,
    pub value: String,
    pub pending: bool,
}

/// The workspace's definitions as the manager sees them: the server's copies with the pending
/// `property.define` and `property.delete` laid over them.
pub(crate) async fn definitions(
    conn: &mut SqliteConnection,
) -> Result<BTreeMap<PropertyId, LocalProperty>> {
    let mut list: BTreeMap<PropertyId, LocalProperty> =
        synced::all_of::<PropertyDefinition>(conn, RecordKind::Property)
            .await?
            .into_iter()
            .map(|definition| {
                (
                    definition.id,
                    LocalProperty {
                        definition,
                        pending: false,
                    },
                )
            })
            .collect();
    for (op, _) in outbox::pending_ops_named(conn, "property.").await? {
        match op {
            Op::PropertyDefine { property } => {
                list.insert(
                    property.id,
                    LocalProperty {
                        definition: property,
                        pending: true,
                    },
                );
            }
            Op::PropertyDelete { property_id } => {
                list.remove(&property_id);
            }
            _ => {}
        }
    }
    Ok(list)
}

/// One definition as the manager sees it, or `PropertyNotFound`.
async fn definition(conn: &mut SqliteConnection, id: PropertyId) -> Result<LocalProperty> {
    definitions(conn)
        .await?
        .remove(&id)
        .ok_or_else(|| CoreError::PropertyNotFound(id.to_string()))
}

/// The values of `property` every customer has (pending ones included), by customer.
pub(crate) async fn values_of_property(
    conn: &mut SqliteConnection,
    property: PropertyId,
) -> Result<BTreeMap<ProfileId, String>> {
    let mut values: BTreeMap<ProfileId, String> =
        sqlx::query_as("SELECT profile_id, value FROM property_values WHERE property_id = ?")
            .bind(property)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    for (op, _) in outbox::pending_ops_named(conn, "property.set").await? {
        if let Op::PropertySet {
            profile_id,
            property_id,
            value,
        } = op
        {
            if property_id != property {
                continue;
            }
            match value {
                Some(value) => values.insert(profile_id, value),
                None => values.remove(&profile_id),
            };
        }
    }
    Ok(values)
}

/// The customer's values, by name, of the properties that still exist.
async fn values_of_profile(
    conn: &mut SqliteConnection,
    profile: ProfileId,
) -> Result<Vec<LocalValue>> {
    let found: Vec<(PropertyId, String)> =
        sqlx::query_as("SELECT property_id, value FROM property_values WHERE profile_id = ?")
            .bind(profile)
            .fetch_all(&mut *conn)
            .await?;
    let mut values: BTreeMap<PropertyId, (String, bool)> = found
        .into_iter()
        .map(|(property, value)| (property, (value, false)))
        .collect();
    for (op, _) in outbox::pending_ops_named(conn, "property.set").await? {
        if let Op::PropertySet {
            profile_id,
            property_id,
            value,
        } = op
        {
            if profile_id != profile {
                continue;
            }
            match value {
                Some(value) => values.insert(property_id, (value, true)),
                None => values.remove(&property_id),
            };
        }
    }
    let mut definitions = definitions(conn).await?;
    let mut list: Vec<LocalValue> = values
        .into_iter()
        .filter_map(|(id, (value, pending))| {
            definitions.remove(&id).map(|local| LocalValue {
                definition: local.definition,
                value,
                pending,
            })
        })
        .collect();
    list.sort_by(|a, b| by_name(&a.definition, &b.definition));
    Ok(list)
}

fn by_name(a: &PropertyDefinition, b: &PropertyDefinition) -> Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then(a.id.cmp(&b.id))
}

/// Checks a draft as a definition under `id`, and that no other property has its name.
fn check_draft(
    draft: PropertyDraft,
    id: PropertyId,
    existing: &BTreeMap<PropertyId, LocalProperty>,
) -> Result<PropertyDefinition> {
    let definition = draft.into_definition(id);
    definition
        .validate()
        .map_err(|reason| refused_definition("property", reason))?;
    let name = definition.name.to_lowercase();
    if let Some(other) = existing
        .values()
        .find(|p| p.definition.id != id && p.definition.name.to_lowercase() == name)
    {
        return Err(CoreError::InvalidRequest(format!(
            "a property named {:?} already exists",
            other.definition.name
        )));
    }
    Ok(definition)
}

/// Checks `raw` against the property's format: its canonical spelling, or why it does not fit.
pub(crate) fn check_value(definition: &PropertyDefinition, raw: &str) -> Result<String> {
    definition
        .format
        .normalize(raw, &definition.choices)
        .map_err(|reason| {
            CoreError::InvalidValue(format!("{}: {:?} {reason}", definition.name, shorten(raw)))
        })
}

/// The start of a long refused value, enough to recognise it in a message.
fn shorten(raw: &str) -> String {
    const SHOWN: usize = 60;
    match raw.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &raw[..at]),
        None => raw.to_string(),
    }
}

impl Store {
    /// The definitions whose name or description holds `search` (ignoring case), sorted.
    pub(crate) async fn properties(
        &self,
        search: &str,
        sort: PropertySort,
        direction: SortDirection,
    ) -> Result<Vec<LocalProperty>> {
        let mut conn = self.pool.acquire().await?;
        let needle = search.trim().to_lowercase();
        let mut list: Vec<LocalProperty> = definitions(&mut conn)
            .await?
            .into_values()
            .filter(|p| {
                needle.is_empty()
                    || p.definition.name.to_lowercase().contains(&needle)
                    || p.definition.description.to_lowercase().contains(&needle)
            })
            .collect();
        list.sort_by(|a, b| {
            let (a, b) = (&a.definition, &b.definition);
            let order = match sort {
                PropertySort::Name => by_name(a, b),
                PropertySort::Format => a
                    .format
                    .as_str()
                    .cmp(b.format.as_str())
                    .then_with(|| by_name(a, b)),
            };
            match direction {
                SortDirection::Asc => order,
                SortDirection::Desc => order.reverse(),
            }
        });
        Ok(list)
    }

    /// Creates a definition: its `property.define` mutation, in one transaction.
    pub(crate) async fn create_property(&self, draft: PropertyDraft) -> Result<LocalProperty> {
        let mut tx = self.write_transaction().await?;
        let existing = definitions(&mut tx).await?;
        let definition = check_draft(draft, PropertyId::new(), &existing)?;
        let id = definition.id;
        outbox::append(
            &mut tx,
            &Op::PropertyDefine {
                property: definition,
            },
            self.now(),
        )
        .await?;
        let created = definition_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Renames and describes a definition, or changes a choice property's choices; its format
    /// stays. The same definition queues nothing.
    pub(crate) async fn update_property(
        &self,
        id: PropertyId,
        draft: PropertyDraft,
    ) -> Result<LocalProperty> {
        let mut tx = self.write_transaction().await?;
        let existing = definitions(&mut tx).await?;
        let current = existing
            .get(&id)
            .cloned()
            .ok_or_else(|| CoreError::PropertyNotFound(id.to_string()))?;
        if draft.format != current.definition.format {
            return Err(CoreError::InvalidRequest(format!(
                "the format of {:?} stays {}: its values were checked against it; create a new \
                 property for another format",
                current.definition.name,
                current.definition.format.as_str()
            )));
        }
        let definition = check_draft(draft, id, &existing)?;
        if definition == current.definition {
            return Ok(current);
        }
        outbox::append(
            &mut tx,
            &Op::PropertyDefine {
                property: definition,
            },
            self.now(),
        )
        .await?;
        let updated = definition_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Deletes a definition, and with it every customer's value of it.
    pub(crate) async fn delete_property(&self, id: PropertyId) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        definition(&mut tx, id).await?;
        outbox::append(&mut tx, &Op::PropertyDelete { property_id: id }, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The customer's property values, by property name.
    pub(crate) async fn profile_properties(&self, profile: ProfileId) -> Result<Vec<LocalValue>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        values_of_profile(&mut conn, profile).await
    }

    /// Sets (or with `None`, or only blanks, removes) the customer's value of a property: its
    /// `property.set` mutation, in one transaction. A value that does not fit the format is
    /// refused with the reason and nothing is saved; the same value queues nothing.
    pub(crate) async fn set_profile_property(
        &self,
        profile: ProfileId,
        property: PropertyId,
        value: Option<&str>,
    ) -> Result<Vec<LocalValue>> {
        let mut tx = self.write_transaction().await?;
        profiles::must_exist(&mut tx, profile).await?;
        let local = definition(&mut tx, property).await?;
        let value = match value {
            Some(raw) if !raw.trim().is_empty() => Some(check_value(&local.definition, raw)?),
            _ => None,
        };
        let current = values_of_profile(&mut tx, profile)
            .await?
            .into_iter()
            .find(|v| v.definition.id == property)
            .map(|v| v.value);
        if current == value {
            drop(tx);
            return self.profile_properties(profile).await;
        }
        outbox::append(
            &mut tx,
            &Op::PropertySet {
                profile_id: profile,
                property_id: property,
                value,
            },
            self.now(),
        )
        .await?;
        let values = values_of_profile(&mut tx, profile).await?;
        tx.commit().await?;
        Ok(values)
    }
}

/// The definition as just written inside the transaction.
async fn definition_in(conn: &mut SqliteConnection, id: PropertyId) -> Result<LocalProperty> {
    definition(conn, id)
        .await
        .map_err(|_| CoreError::Corrupt(format!("property {id} vanished")))
}
