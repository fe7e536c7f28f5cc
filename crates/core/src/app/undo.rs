//! Undo (Ctrl/Cmd+Z): the manager's last actions in this window (edits of the user-details
//! fields, the Active option, hand-picked segment members, Active and Archive jobs still
//! waiting, customers moved to the Trash, segments created or changed), taken back one at a
//! time. An
//! undo is a new edit that puts back the values the action replaced, so it syncs like any edit,
//! before or after the action itself synced, and never rewrites history. A value that changed
//! again since the action (a colleague's edit pulled meanwhile, or the manager's own later one)
//! is left as it is, and the report says so.

use userdesk_model::{
    thousands, Field, JobAction, JobId, JobState, JobView, Profile, ProfileId, ProfilePatch,
    ProfileStatus, SegmentDraft, SegmentId, SegmentView, UndoKept, UndoReport, UndoView,
};

use super::AppCore;
use crate::error::{CoreError, Result};
use crate::sync::auto::AutoSync;

/// How many actions Undo remembers.
const REMEMBERED: usize = 100;

/// One change an action made, and what it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UndoStep {
    /// User-details fields: each field the action set, before and after.
    Fields {
        profile: ProfileId,
        changed: Vec<(Field, String, String)>,
    },
    /// The Active option.
    Status {
        profile: ProfileId,
        before: ProfileStatus,
        after: ProfileStatus,
    },
    /// An Active or Archive job scheduled: undone by cancelling it while it waits.
    Job { id: JobId },
    /// A segment created: undone by deleting it (its customers stay).
    SegmentCreated { segment: SegmentId },
    /// A segment's name, description or rules changed: what they were, and became.
    SegmentChanged {
        segment: SegmentId,
        before: SegmentDraft,
        after: SegmentDraft,
    },
    /// Customers moved to the Trash: undone by restoring those still there.
    Trashed { profiles: Vec<ProfileId> },
    /// Hand-picked members added to a segment, or taken out of it.
    Members {
        segment: SegmentId,
        name: String,
        added: Vec<ProfileId>,
        removed: Vec<ProfileId>,
    },
}

/// An action Undo can take back: its name and its changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UndoAction {
    pub label: String,
    pub steps: Vec<UndoStep>,
}

/// The actions Undo can take back, the latest last.
#[derive(Debug, Default)]
pub(crate) struct UndoStack(std::sync::Mutex<Vec<UndoAction>>);

impl UndoStack {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<UndoAction>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers an action (the oldest is forgotten past [`REMEMBERED`]).
    pub(crate) fn push(&self, action: UndoAction) {
        if action.steps.is_empty() {
            return;
        }
        let mut actions = self.lock();
        actions.push(action);
        let over = actions.len().saturating_sub(REMEMBERED);
        actions.drain(..over);
    }

    fn pop(&self) -> Option<UndoAction> {
        self.lock().pop()
    }

    fn peek(&self) -> Option<UndoView> {
        self.lock().last().map(|a| UndoView {
            label: a.label.clone(),
        })
    }
}

/// "EMAIL of Ada Lovelace", "EMAIL and PHONE of Ada Lovelace".
fn fields_label(fields: &[Field], profile: &Profile) -> String {
    let names: Vec<String> = fields.iter().map(|f| f.label().to_uppercase()).collect();
    let names = match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!("{names} of {}", profile.username())
}

impl AppCore {
    /// Remembers, for Undo, the fields `patch` set on `before` and the values they now have.
    pub(super) fn remember_fields(&self, before: &Profile, after: &Profile, patch: &ProfilePatch) {
        let changed: Vec<(Field, String, String)> = Field::ALL
            .into_iter()
            .filter(|f| f.of(patch).is_some())
            .map(|f| {
                (
                    f,
                    f.in_profile(before).to_string(),
                    f.in_profile(after).to_string(),
                )
            })
            .filter(|(_, was, is)| was != is)
            .collect();
        if changed.is_empty() {
            return;
        }
        let fields: Vec<Field> = changed.iter().map(|(f, _, _)| *f).collect();
        self.undo.push(UndoAction {
            label: format!("Changed {}", fields_label(&fields, before)),
            steps: vec![UndoStep::Fields {
                profile: before.id,
                changed,
            }],
        });
    }

    /// Remembers, for Undo, a change of the Active option.
    pub(super) fn remember_status(&self, before: &Profile, after: ProfileStatus) {
        if before.status == after {
            return;
        }
        let what = match after {
            ProfileStatus::Active => "Activated",
            ProfileStatus::Archived => "Archived",
        };
        self.undo.push(UndoAction {
            label: format!("{what} {}", before.username()),
            steps: vec![UndoStep::Status {
                profile: before.id,
                before: before.status,
                after,
            }],
        });
    }

    /// Remembers, for Undo, hand-picked members added to or taken out of a segment.
    pub(super) fn remember_members(
        &self,
        segment: &SegmentView,
        added: Vec<ProfileId>,
        removed: Vec<ProfileId>,
    ) {
        let label = match (added.len(), removed.len()) {
            (0, 0) => return,
            (n, 0) => format!("Added {} to {}", customers(n), segment.name),
            (_, n) => format!("Took {} out of {}", customers(n), segment.name),
        };
        self.undo.push(UndoAction {
            label,
            steps: vec![UndoStep::Members {
                segment: segment.id,
                name: segment.name.clone(),
                added,
                removed,
            }],
        });
    }

    /// Remembers, for Undo, a segment just created.
    pub(super) fn remember_segment_created(&self, segment: &SegmentView) {
        self.undo.push(UndoAction {
            label: format!("Created segment {}", segment.name),
            steps: vec![UndoStep::SegmentCreated {
                segment: segment.id,
            }],
        });
    }

    /// Remembers, for Undo, a change of a segment's name, description or rules.
    pub(super) fn remember_segment_changed(&self, before: &SegmentView, after: &SegmentView) {
        let segment = after.id;
        let (before, after) = (draft_of(before), draft_of(after));
        if before == after {
            return;
        }
        self.undo.push(UndoAction {
            label: format!("Changed segment {}", after.name),
            steps: vec![UndoStep::SegmentChanged {
                segment,
                before,
                after,
            }],
        });
    }

    /// Remembers, for Undo, a bulk job just scheduled.
    pub(super) fn remember_job(&self, job: &JobView) {
        let what = match job.action {
            JobAction::Activate => "Scheduled Active for",
            JobAction::Archive => "Scheduled Archive for",
        };
        self.undo.push(UndoAction {
            label: format!("{what} {}", customers(job.total as usize)),
            steps: vec![UndoStep::Job { id: job.id }],
        });
    }

    /// The customer as the table has them; `None`, and noted in `kept`, once they are in the
    /// Trash or deleted.
    async fn in_table(
        &self,
        id: ProfileId,
        label: &str,
        kept: &mut Vec<UndoKept>,
    ) -> Result<Option<Profile>> {
        match self.store.get_profile(id).await {
            Ok(profile) => Ok(Some(profile)),
            Err(CoreError::ProfileNotFound(_)) => {
                kept.push(left(label, "the customer is in the Trash, or deleted"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `ids` split into those in the table and those not (in the Trash, or deleted).
    async fn split_in_table(
        &self,
        ids: Vec<ProfileId>,
    ) -> Result<(Vec<ProfileId>, Vec<ProfileId>)> {
        let mut here = Vec::with_capacity(ids.len());
        let mut gone = Vec::new();
        for id in ids {
            match self.store.get_profile(id).await {
                Ok(_) => here.push(id),
                Err(CoreError::ProfileNotFound(_)) => gone.push(id),
                Err(e) => return Err(e),
            }
        }
        Ok((here, gone))
    }

    /// What Undo would take back next, if anything.
    pub fn undo_available(&self) -> Option<UndoView> {
        self.undo.peek()
    }

    /// Takes back the last action: each value it set that still has that value gets the one it
    /// replaced, by a new edit; a value changed again since is kept, and the report names it.
    pub async fn undo(&self) -> Result<UndoReport> {
        let action = self
            .undo
            .pop()
            .ok_or_else(|| CoreError::InvalidRequest("there is nothing to undo".into()))?;
        let mut restored = 0;
        let mut kept = Vec::new();
        for step in &action.steps {
            match step {
                UndoStep::Fields { profile, changed } => {
                    let Some(now) = self.in_table(*profile, &action.label, &mut kept).await? else {
                        continue;
                    };
                    let mut patch = ProfilePatch::default();
                    for (field, before, after) in changed {
                        let current = field.in_profile(&now);
                        if current == after {
                            field.set(&mut patch, before.clone());
                            restored += 1;
                        } else {
                            kept.push(UndoKept {
                                what: fields_label(&[*field], &now),
                                value: current.to_string(),
                                reason: None,
                            });
                        }
                    }
                    if patch != ProfilePatch::default() {
                        let valid = patch.validate()?;
                        self.store.patch_profile(*profile, &valid).await?;
                    }
                }
                UndoStep::Status {
                    profile,
                    before,
                    after,
                } => {
                    let Some(now) = self.in_table(*profile, &action.label, &mut kept).await? else {
                        continue;
                    };
                    if now.status == *after {
                        self.store.set_profile_status(*profile, *before).await?;
                        restored += 1;
                    } else {
                        kept.push(UndoKept {
                            what: format!("STATUS of {}", now.username()),
                            value: match now.status {
                                ProfileStatus::Active => "Active",
                                ProfileStatus::Archived => "Archived",
                            }
                            .to_string(),
                            reason: None,
                        });
                    }
                }
                UndoStep::Job { id } => {
                    // Cancelled while it waits; once it has fired, the customers it changed
                    // are set back, those changed again since left as they are.
                    let state = self.job_view(*id).await?.state;
                    match state {
                        JobState::Pending => {
                            self.cancel_job(*id).await?;
                            restored += 1;
                        }
                        JobState::Done => {
                            let job = {
                                let mut conn = self.store.pool().acquire().await?;
                                crate::jobs::read(&mut conn, *id).await?
                            };
                            let back = self.store.reverse_job(&job).await?;
                            restored += u32::try_from(back).unwrap_or(u32::MAX);
                            if back == 0 {
                                let listed = self.store.job_customers_kept(*id).await?;
                                kept.push(left(
                                    &action.label,
                                    if listed {
                                        "its customers changed again since"
                                    } else {
                                        "too many jobs ago to set back"
                                    },
                                ));
                            }
                        }
                        JobState::Running => kept.push(left(
                            &action.label,
                            "taking effect now: undo once it is done",
                        )),
                        JobState::Cancelled => {
                            kept.push(left(&action.label, "cancelled already"));
                        }
                    }
                }
                UndoStep::SegmentCreated { segment } => {
                    match self.segment_view_of(*segment).await {
                        Ok(_) if !self.may_delete().await? => {
                            kept.push(left(&action.label, "only an admin may delete a segment"))
                        }
                        Ok(_) => {
                            self.store.delete_segment(*segment).await?;
                            restored += 1;
                        }
                        Err(CoreError::SegmentNotFound(_)) => {
                            kept.push(left(&action.label, "deleted already"));
                        }
                        Err(e) => return Err(e),
                    }
                }
                UndoStep::SegmentChanged {
                    segment,
                    before,
                    after,
                } => {
                    let now = draft_of(&self.segment_view_of(*segment).await?);
                    if now == *after {
                        self.store.update_segment(*segment, before.clone()).await?;
                        restored += 1;
                    } else {
                        kept.push(left(
                            &format!("segment {}", now.name),
                            "changed again since",
                        ));
                    }
                }
                UndoStep::Trashed { profiles } => {
                    let back = self.store.restore_profiles(profiles).await?;
                    restored += u32::try_from(back.len()).unwrap_or(u32::MAX);
                    let gone = profiles.len() - back.len();
                    if gone > 0 {
                        kept.push(left(&customers(gone), "no longer in the Trash"));
                    }
                }
                UndoStep::Members {
                    segment,
                    name,
                    added,
                    removed,
                } => {
                    let now = self.store.handpicked_members(*segment).await?;
                    // Added ones still there go; taken-out ones still out come back. Any other
                    // was changed again since, and stays as it is.
                    let (still_in, changed_in): (Vec<ProfileId>, Vec<ProfileId>) =
                        added.iter().partition(|id| now.contains(id));
                    let (still_out, changed_out): (Vec<ProfileId>, Vec<ProfileId>) =
                        removed.iter().partition(|id| !now.contains(id));
                    // Customers deleted since (in the Trash) are left as they are.
                    let (still_in, gone_in) = self.split_in_table(still_in).await?;
                    let (still_out, gone_out) = self.split_in_table(still_out).await?;
                    let gone = [gone_in, gone_out].concat();
                    if !still_in.is_empty() {
                        self.store
                            .remove_segment_members(*segment, &still_in)
                            .await?;
                    }
                    if !gone.is_empty() {
                        kept.push(left(
                            &format!("{} of {name}", customers(gone.len())),
                            "in the Trash, or deleted",
                        ));
                    }
                    if !still_out.is_empty() {
                        self.store.add_segment_members(*segment, &still_out).await?;
                    }
                    restored += u32::try_from(still_in.len() + still_out.len()).unwrap_or(u32::MAX);
                    let changed = changed_in.len() + changed_out.len();
                    if changed > 0 {
                        kept.push(left(
                            &format!("{} of {name}", customers(changed)),
                            if changed_in.is_empty() {
                                "added again since"
                            } else {
                                "taken out since"
                            },
                        ));
                    }
                }
            }
        }
        if restored > 0 {
            self.refresh_search_index_in_background();
            self.with_auto_sync(AutoSync::edited);
        }
        Ok(UndoReport {
            label: action.label,
            restored,
            kept,
            next: self.undo.peek(),
        })
    }
}

/// Something Undo left as it is, and why.
fn left(what: &str, reason: &str) -> UndoKept {
    UndoKept {
        what: what.to_string(),
        value: String::new(),
        reason: Some(reason.to_string()),
    }
}

/// A segment's name, description and rules, as an edit sets them.
fn draft_of(segment: &SegmentView) -> SegmentDraft {
    SegmentDraft {
        name: segment.name.clone(),
        description: segment.description.clone(),
        rules: segment.rules.clone(),
    }
}

/// "1 customer", "1,204 customers".
pub(super) fn customers(n: usize) -> String {
    let count = thousands(n as u64);
    if n == 1 {
        format!("{count} customer")
    } else {
        format!("{count} customers")
    }
}
