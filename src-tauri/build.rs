fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_profiles",
        "count_profiles",
        "get_profile",
        "patch_profile",
        "set_profile_active",
        "set_profile_picture",
        "remove_profile_picture",
        "profile_pictures",
        "list_notes",
        "add_note",
        "edit_note",
        "delete_note",
        "bot_sessions",
        "conversation",
        "goal_completions",
        "data_requests",
        "request_data",
        "list_properties",
        "create_property",
        "update_property",
        "delete_property",
        "profile_properties",
        "set_profile_property",
        "list_segments",
        "create_segment",
        "update_segment",
        "delete_segment",
        "profile_segments",
        "list_goals",
        "schedule_job",
        "cancel_job",
        "list_jobs",
        "get_job_delay",
        "set_job_delay",
        "delete_profiles",
        "create_segment_from",
        "get_time_zone",
        "set_time_zone",
        "list_time_zones",
        "sync_view",
        "sync_now",
        "sign_in",
        "sign_out",
        "dismiss_rejection",
        "back_online",
    ]);
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
