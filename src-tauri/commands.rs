//! The commands the UI invokes: each one a call into `AppCore`, its error a `{code, message}`.

use std::sync::Arc;

use tauri::ipc::{InvokeBody, Request};
use tauri::State;
use userdesk_core::{time_zone_names, AppCore, AutoSyncOptions, SyncReport};
use userdesk_model::{
    Account, ApiError, Conversation, DataRequestKind, DataRequestView, ErrorCode, Goal,
    GoalCompletionView, JobAction, JobView, ListRequest, NoteView, PictureView, ProfileDetails,
    ProfileFilter, ProfilePage, ProfilePatch, ProfilePropertyView, PropertyDraft, PropertySort,
    PropertyView, SegmentDraft, SegmentRef, SegmentView, Selection, SessionOrder, SessionView,
    SignIn, SortDirection, SyncView,
};

type CommandResult<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn list_profiles(
    core: State<'_, Arc<AppCore>>,
    request: ListRequest,
) -> CommandResult<ProfilePage> {
    Ok(core.list_profiles(&request).await?)
}

#[tauri::command]
pub async fn count_profiles(
    core: State<'_, Arc<AppCore>>,
    filter: ProfileFilter,
) -> CommandResult<u64> {
    Ok(core.count_profiles(&filter).await?)
}

#[tauri::command]
pub async fn get_profile(
    core: State<'_, Arc<AppCore>>,
    id: String,
) -> CommandResult<ProfileDetails> {
    Ok(core.profile_details(&id).await?)
}

#[tauri::command]
pub async fn patch_profile(
    core: State<'_, Arc<AppCore>>,
    id: String,
    patch: ProfilePatch,
) -> CommandResult<ProfileDetails> {
    Ok(core.patch_profile(&id, patch).await?)
}

#[tauri::command]
pub async fn set_profile_active(
    core: State<'_, Arc<AppCore>>,
    id: String,
    active: bool,
) -> CommandResult<ProfileDetails> {
    Ok(core.set_profile_active(&id, active).await?)
}

/// The picked file's bytes travel as the request's raw body (no JSON for up to 20 MB), the
/// customer's id in its `profile-id` header.
#[tauri::command]
pub async fn set_profile_picture(
    core: State<'_, Arc<AppCore>>,
    request: Request<'_>,
) -> CommandResult<ProfileDetails> {
    let id = request
        .headers()
        .get("profile-id")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest, "the request names no customer"))?
        .to_string();
    let InvokeBody::Raw(file) = request.body() else {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "the picture must be sent as the file's bytes",
        ));
    };
    Ok(core.set_profile_picture(&id, file.clone()).await?)
}

#[tauri::command]
pub async fn remove_profile_picture(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<ProfileDetails> {
    Ok(core.remove_profile_picture(&profile_id).await?)
}

#[tauri::command]
pub async fn profile_pictures(
    core: State<'_, Arc<AppCore>>,
    ids: Vec<String>,
) -> CommandResult<Vec<PictureView>> {
    Ok(core.profile_pictures(&ids).await?)
}

#[tauri::command]
pub async fn list_notes(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<Vec<NoteView>> {
    Ok(core.notes(&profile_id).await?)
}

#[tauri::command]
pub async fn add_note(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
    body: String,
) -> CommandResult<NoteView> {
    Ok(core.add_note(&profile_id, &body).await?)
}

#[tauri::command]
pub async fn edit_note(
    core: State<'_, Arc<AppCore>>,
    note_id: String,
    body: String,
) -> CommandResult<NoteView> {
    Ok(core.edit_note(&note_id, &body).await?)
}

#[tauri::command]
pub async fn delete_note(core: State<'_, Arc<AppCore>>, note_id: String) -> CommandResult<()> {
    Ok(core.delete_note(&note_id).await?)
}

#[tauri::command]
pub async fn bot_sessions(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
    search: String,
    order: SessionOrder,
) -> CommandResult<Vec<SessionView>> {
    Ok(core.bot_sessions(&profile_id, &search, order).await?)
}

#[tauri::command]
pub async fn conversation(
    core: State<'_, Arc<AppCore>>,
    session_id: String,
) -> CommandResult<Conversation> {
    Ok(core.conversation(&session_id).await?)
}

#[tauri::command]
pub async fn goal_completions(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<Vec<GoalCompletionView>> {
    Ok(core.goal_completions(&profile_id).await?)
}

#[tauri::command]
pub async fn data_requests(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<Vec<DataRequestView>> {
    Ok(core.data_requests(&profile_id).await?)
}

#[tauri::command]
pub async fn request_data(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
    kind: DataRequestKind,
) -> CommandResult<DataRequestView> {
    Ok(core.request_data(&profile_id, kind).await?)
}

#[tauri::command]
pub async fn list_properties(
    core: State<'_, Arc<AppCore>>,
    search: String,
    sort: PropertySort,
    direction: SortDirection,
) -> CommandResult<Vec<PropertyView>> {
    Ok(core.properties(&search, sort, direction).await?)
}

#[tauri::command]
pub async fn create_property(
    core: State<'_, Arc<AppCore>>,
    draft: PropertyDraft,
) -> CommandResult<PropertyView> {
    Ok(core.create_property(draft).await?)
}

#[tauri::command]
pub async fn update_property(
    core: State<'_, Arc<AppCore>>,
    id: String,
    draft: PropertyDraft,
) -> CommandResult<PropertyView> {
    Ok(core.update_property(&id, draft).await?)
}

#[tauri::command]
pub async fn delete_property(core: State<'_, Arc<AppCore>>, id: String) -> CommandResult<()> {
    Ok(core.delete_property(&id).await?)
}

#[tauri::command]
pub async fn profile_properties(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<Vec<ProfilePropertyView>> {
    Ok(core.profile_properties(&profile_id).await?)
}

#[tauri::command]
pub async fn set_profile_property(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
    property_id: String,
    value: Option<String>,
) -> CommandResult<Vec<ProfilePropertyView>> {
    Ok(core
        .set_profile_property(&profile_id, &property_id, value.as_deref())
        .await?)
}

#[tauri::command]
pub async fn list_segments(
    core: State<'_, Arc<AppCore>>,
    search: String,
) -> CommandResult<Vec<SegmentView>> {
    Ok(core.segments(&search).await?)
}

#[tauri::command]
pub async fn create_segment(
    core: State<'_, Arc<AppCore>>,
    draft: SegmentDraft,
    members: Vec<String>,
) -> CommandResult<SegmentView> {
    Ok(core.create_segment(draft, &members).await?)
}

#[tauri::command]
pub async fn update_segment(
    core: State<'_, Arc<AppCore>>,
    id: String,
    draft: SegmentDraft,
) -> CommandResult<SegmentView> {
    Ok(core.update_segment(&id, draft).await?)
}

#[tauri::command]
pub async fn delete_segment(core: State<'_, Arc<AppCore>>, id: String) -> CommandResult<()> {
    Ok(core.delete_segment(&id).await?)
}

#[tauri::command]
pub async fn profile_segments(
    core: State<'_, Arc<AppCore>>,
    profile_id: String,
) -> CommandResult<Vec<SegmentRef>> {
    Ok(core.profile_segments(&profile_id).await?)
}

#[tauri::command]
pub async fn list_goals(core: State<'_, Arc<AppCore>>) -> CommandResult<Vec<Goal>> {
    Ok(core.goals().await?)
}

#[tauri::command]
pub async fn schedule_job(
    core: State<'_, Arc<AppCore>>,
    action: JobAction,
    selection: Selection,
) -> CommandResult<JobView> {
    Ok(core.schedule_job(action, &selection).await?)
}

#[tauri::command]
pub async fn cancel_job(core: State<'_, Arc<AppCore>>, id: String) -> CommandResult<()> {
    Ok(core.cancel_job(&id).await?)
}

#[tauri::command]
pub async fn list_jobs(core: State<'_, Arc<AppCore>>) -> CommandResult<Vec<JobView>> {
    Ok(core.jobs().await?)
}

#[tauri::command]
pub async fn get_job_delay(core: State<'_, Arc<AppCore>>) -> CommandResult<u64> {
    Ok(core.job_delay().await?.as_secs())
}

#[tauri::command]
pub async fn set_job_delay(core: State<'_, Arc<AppCore>>, seconds: u64) -> CommandResult<u64> {
    Ok(core.set_job_delay(seconds).await?.as_secs())
}

#[tauri::command]
pub async fn delete_profiles(
    core: State<'_, Arc<AppCore>>,
    selection: Selection,
) -> CommandResult<u64> {
    Ok(core.delete_profiles(&selection).await?)
}

#[tauri::command]
pub async fn create_segment_from(
    core: State<'_, Arc<AppCore>>,
    draft: SegmentDraft,
    selection: Selection,
) -> CommandResult<SegmentView> {
    Ok(core.create_segment_from(draft, &selection).await?)
}

#[tauri::command]
pub fn get_time_zone(core: State<'_, Arc<AppCore>>) -> String {
    core.time_zone().name().to_string()
}

#[tauri::command]
pub async fn set_time_zone(
    core: State<'_, Arc<AppCore>>,
    time_zone: String,
) -> CommandResult<String> {
    Ok(core.set_time_zone(&time_zone).await?)
}

#[tauri::command]
pub fn list_time_zones() -> Vec<&'static str> {
    time_zone_names()
}

#[tauri::command]
pub async fn sync_view(core: State<'_, Arc<AppCore>>) -> CommandResult<SyncView> {
    Ok(core.sync_view().await?)
}

#[tauri::command]
pub async fn sync_now(core: State<'_, Arc<AppCore>>) -> CommandResult<SyncReport> {
    Ok(core.sync_signed_in().await?)
}

#[tauri::command]
pub async fn sign_in(core: State<'_, Arc<AppCore>>, form: SignIn) -> CommandResult<Account> {
    let account = core.sign_in(&form).await?;
    core.resume_sync(AutoSyncOptions::default()).await?;
    Ok(account)
}

#[tauri::command]
pub async fn sign_out(core: State<'_, Arc<AppCore>>) -> CommandResult<()> {
    Ok(core.sign_out().await?)
}

#[tauri::command]
pub async fn dismiss_rejection(
    core: State<'_, Arc<AppCore>>,
    mutation_id: u64,
) -> CommandResult<()> {
    Ok(core.dismiss_rejection(mutation_id).await?)
}

/// The webview saw the network come back: sync at once rather than at the next retry.
#[tauri::command]
pub fn back_online(core: State<'_, Arc<AppCore>>) {
    core.sync_soon();
}
