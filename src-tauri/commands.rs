//! The commands the UI invokes: each one a call into `AppCore`, its error a `{code, message}`.

use tauri::State;
use userdesk_core::{time_zone_names, AppCore};
use userdesk_model::{
    ApiError, ListRequest, ProfileDetails, ProfileFilter, ProfilePage, ProfilePatch,
};

type CommandResult<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn list_profiles(
    core: State<'_, AppCore>,
    request: ListRequest,
) -> CommandResult<ProfilePage> {
    Ok(core.list_profiles(&request).await?)
}

#[tauri::command]
pub async fn count_profiles(core: State<'_, AppCore>, filter: ProfileFilter) -> CommandResult<u64> {
    Ok(core.count_profiles(&filter).await?)
}

#[tauri::command]
pub async fn get_profile(core: State<'_, AppCore>, id: String) -> CommandResult<ProfileDetails> {
    Ok(core.profile_details(&id).await?)
}

#[tauri::command]
pub async fn patch_profile(
    core: State<'_, AppCore>,
    id: String,
    patch: ProfilePatch,
) -> CommandResult<ProfileDetails> {
    Ok(core.patch_profile(&id, patch).await?)
}

#[tauri::command]
pub fn get_time_zone(core: State<'_, AppCore>) -> String {
    core.time_zone().name().to_string()
}

#[tauri::command]
pub async fn set_time_zone(core: State<'_, AppCore>, time_zone: String) -> CommandResult<String> {
    Ok(core.set_time_zone(&time_zone).await?)
}

#[tauri::command]
pub fn list_time_zones() -> Vec<&'static str> {
    time_zone_names()
}
