// Every command the window may invoke, written once. `commands.rs` makes each a Tauri command and
// the handler list, `build.rs` the permission of each and the window's capability, and the app's
// tests the TypeScript client (ui/src/bindings/commands.ts). An entry is the command's name, the
// binding of the core and the arguments (as the UI names them, in snake_case), what it answers,
// and the call into `AppCore` of the same name.
commands! {
    json {
        /// One page of the All users table.
        list_profiles(core, request: ListRequest) -> ProfilePage {
            core.list_profiles(&request).await
        }
        /// How many customers match the filter.
        count_profiles(core, filter: ProfileFilter) -> u64 {
            core.count_profiles(&filter).await
        }
        /// Everything the Details window shows of one customer.
        profile_details(core, id: ProfileId) -> ProfileDetails {
            core.profile_details(id).await
        }
        /// Changes only the fields present in `patch`; an empty string clears a field.
        patch_profile(core, id: ProfileId, patch: ProfilePatch) -> ProfileDetails {
            core.patch_profile(id, patch).await
        }
        /// The Details window's Active option: activates (`true`) or archives (`false`) at once.
        set_profile_active(core, id: ProfileId, active: bool) -> ProfileDetails {
            core.set_profile_active(id, active).await
        }
        /// What Undo would take back next, if anything.
        undo_available(core) -> Option<UndoView> {
            Ok(core.undo_available())
        }
        /// Takes back the last action by new edits restoring what it replaced; a value changed
        /// again since is kept, and the report says so.
        undo(core) -> UndoReport {
            core.undo().await
        }
        /// The customer's History, the latest change first.
        profile_history(core, id: ProfileId) -> HistoryView {
            core.profile_history(id).await
        }
        /// Put back: a value from the History set again, by a new edit.
        put_back(core, id: ProfileId, put_back: PutBack) -> ProfileDetails {
            core.put_back(id, put_back).await
        }
        /// Removes the customer's picture.
        remove_profile_picture(core, profile_id: ProfileId) -> ProfileDetails {
            core.remove_profile_picture(profile_id).await
        }
        /// The pictures of those of `ids` that have one (the table's rows in view).
        profile_pictures(core, ids: Vec<ProfileId>) -> Vec<PictureView> {
            core.profile_pictures(&ids).await
        }
        /// The customer's notes, newest first.
        notes(core, profile_id: ProfileId) -> Vec<NoteView> {
            core.notes(profile_id).await
        }
        /// Adds a note to the customer.
        add_note(core, profile_id: ProfileId, body: String) -> NoteView {
            core.add_note(profile_id, &body).await
        }
        /// Changes a note's text.
        edit_note(core, note_id: NoteId, body: String) -> NoteView {
            core.edit_note(note_id, &body).await
        }
        /// Deletes a note.
        delete_note(core, note_id: NoteId) -> () {
            core.delete_note(note_id).await
        }
        /// The customer's bot sessions whose bot's name contains `search`, by end time.
        bot_sessions(core, profile_id: ProfileId, search: String, order: SessionOrder) -> Vec<SessionView> {
            core.bot_sessions(profile_id, &search, order).await
        }
        /// A session's whole transcript.
        conversation(core, session_id: SessionId) -> Conversation {
            core.conversation(session_id).await
        }
        /// The goals the customer completed, the latest first.
        goal_completions(core, profile_id: ProfileId) -> Vec<GoalCompletionView> {
            core.goal_completions(profile_id).await
        }
        /// The customer's export and delete requests, the latest first.
        data_requests(core, profile_id: ProfileId) -> Vec<DataRequestView> {
            core.data_requests(profile_id).await
        }
        /// Queues an export or delete request (after the manager confirmed it).
        request_data(core, profile_id: ProfileId, kind: DataRequestKind) -> DataRequestView {
            core.request_data(profile_id, kind).await
        }
        /// Property definitions whose name contains `search`, sorted by name or format.
        properties(core, search: String, sort: PropertySort, direction: SortDirection) -> Vec<PropertyView> {
            core.properties(&search, sort, direction).await
        }
        /// Creates a property definition.
        create_property(core, draft: PropertyDraft) -> PropertyView {
            core.create_property(draft).await
        }
        /// Renames, describes, or changes the choices of a property; its format cannot change.
        update_property(core, id: PropertyId, draft: PropertyDraft) -> PropertyView {
            core.update_property(id, draft).await
        }
        /// Deletes the definition and every customer's value of it.
        delete_property(core, id: PropertyId) -> () {
            core.delete_property(id).await
        }
        /// The customer's property values, sorted by the property's name.
        profile_properties(core, profile_id: ProfileId) -> Vec<ProfilePropertyView> {
            core.profile_properties(profile_id).await
        }
        /// Sets (or, with `null`, removes) a customer's value; returns the customer's properties
        /// after it.
        set_profile_property(
            core,
            profile_id: ProfileId,
            property_id: PropertyId,
            value: Option<String>
        ) -> Vec<ProfilePropertyView> {
            core.set_profile_property(profile_id, property_id, value.as_deref()).await
        }
        /// Segments whose name contains `search`, sorted by name, with their member counts.
        segments(core, search: String) -> Vec<SegmentView> {
            core.segments(&search).await
        }
        /// A segment of hand-picked `members` (profile ids) plus every profile meeting its rules.
        create_segment(core, draft: SegmentDraft, members: Vec<ProfileId>) -> SegmentView {
            core.create_segment(draft, &members).await
        }
        /// Changes a segment's name, description or rules.
        update_segment(core, id: SegmentId, draft: SegmentDraft) -> SegmentView {
            core.update_segment(id, draft).await
        }
        /// Deletes a segment (its customers stay).
        delete_segment(core, id: SegmentId) -> () {
            core.delete_segment(id).await
        }
        /// "Add to segment": the selected customers become hand-picked members of the segment
        /// (a filter is resolved now).
        add_to_segment(core, id: SegmentId, selection: Selection) -> SegmentView {
            core.add_to_segment(id, &selection).await
        }
        /// "Remove from segment": the selected customers leave the segment's hand-picked members;
        /// a member by the rules is refused and nothing changes.
        remove_from_segment(core, id: SegmentId, selection: Selection) -> SegmentView {
            core.remove_from_segment(id, &selection).await
        }
        /// The segments the customer belongs to.
        profile_segments(core, profile_id: ProfileId) -> Vec<SegmentRef> {
            core.profile_segments(profile_id).await
        }
        /// The bots' goals, for the segment rules.
        goals(core) -> Vec<Goal> {
            core.goals().await
        }
        /// The Goals list: each goal with its bot and how many customers completed it.
        goal_summaries(core) -> Vec<GoalSummary> {
            core.goal_summaries().await
        }
        /// Active or Archive over the selected customers, taking effect after the delay from
        /// Settings; it can be cancelled until it fires.
        schedule_job(core, action: JobAction, selection: Selection) -> JobView {
            core.schedule_job(action, &selection).await
        }
        /// Cancels a pending job; refused with `invalid_request` once it has fired.
        cancel_job(core, id: JobId) -> () {
            core.cancel_job(id).await
        }
        /// Pending and running jobs, then the last ones done or cancelled.
        jobs(core) -> Vec<JobView> {
            core.jobs().await
        }
        /// The delay of Active and Archive, in seconds.
        job_delay(core) -> u64 {
            core.job_delay().await.map(|delay| delay.as_secs())
        }
        /// Sets the delay (0 to 604,800 seconds, a week); returns the delay now in use.
        set_job_delay(core, seconds: u64) -> u64 {
            core.set_job_delay(seconds).await.map(|delay| delay.as_secs())
        }
        /// Delete: moves the selected customers to the Trash at once; returns how many moved.
        delete_profiles(core, selection: Selection) -> u64 {
            core.delete_profiles(&selection).await
        }
        /// A page of the Trash, the latest deleted first.
        trash(core, query: TrashQuery) -> TrashPage {
            core.trash(query).await
        }
        /// Restore: the customers go back to the table as they now are; returns how many.
        restore_profiles(core, selection: TrashSelection) -> u64 {
            core.restore_profiles(&selection).await
        }
        /// Delete forever: the customers of the Trash are gone for good; returns how many.
        delete_forever(core, selection: TrashSelection) -> u64 {
            core.delete_forever(&selection).await
        }
        /// A segment whose hand-picked members are the selected customers (a filter is resolved
        /// now).
        create_segment_from(core, draft: SegmentDraft, selection: Selection) -> SegmentView {
            core.create_segment_from(draft, &selection).await
        }
        /// The manager's time zone (its IANA name).
        time_zone(core) -> String {
            Ok(core.time_zone().name().to_string())
        }
        /// Sets the manager's time zone; returns the zone now in use, as the core spells it.
        set_time_zone(core, time_zone: String) -> String {
            core.set_time_zone(&time_zone).await
        }
        /// Every time zone the manager can pick.
        time_zone_names(core) -> Vec<String> {
            let _ = core;
            Ok(userdesk_core::time_zone_names().into_iter().map(str::to_string).collect())
        }
        /// Account, online state, pending edits, last sync, first-download progress, refusals.
        sync_view(core) -> SyncView {
            core.sync_view().await
        }
        /// "Sync now" as the signed-in manager.
        sync_now(core) -> () {
            core.sync_now().await.map(|_| ())
        }
        /// Checks the token with the server, keeps it in the system keychain, starts syncing.
        sign_in(core, form: SignIn) -> Account {
            let account = core.sign_in(&form).await?;
            core.resume_sync(AutoSyncOptions::default()).await?;
            Ok(account)
        }
        /// Forgets the token; pending edits stay for the next sign-in.
        sign_out(core) -> () {
            core.sign_out().await
        }
        /// "Download again" after the server was restored from an older backup: starts again
        /// from the server as it now is, and syncs; how many confirmed edits the server lost.
        recover_sync(core) -> u64 {
            core.recover_sync().await
        }
        /// Hides a refused edit from the list.
        dismiss_rejection(core, mutation_id: u64) -> () {
            core.dismiss_rejection(mutation_id).await
        }
        /// Settings' "About Userdesk": the version and what the last update check found.
        update_view(core) -> UpdateView {
            core.update_view().await
        }
        /// "Check for updates": a newer version is downloaded and its signature checked; an older
        /// or unverified one is refused and nothing changes.
        check_for_updates(core) -> UpdateView {
            core.check_for_updates().await
        }
        /// "Restart to update": installs the downloaded update and restarts into it.
        restart_to_update(core) -> () {
            core.restart_to_update().await
        }
        /// "Open logs folder" in the system's file manager.
        open_logs_folder(core) -> () {
            core.open_logs_folder()
        }
        /// "Copy diagnostics" (version, system, store, sync; no token, no customer's data): puts
        /// them on the clipboard and answers the text copied.
        copy_diagnostics(core) -> String {
            core.copy_diagnostics().await
        }
        /// The window shows its first rows (the log keeps when: how long starts take in the
        /// field).
        first_rows_shown(core) -> () {
            core.first_rows_shown();
            Ok(())
        }
        /// The network is back: the background sync runs at once.
        back_online(core) -> () {
            core.back_online();
            Ok(())
        }
    }
    // Commands whose arguments are not JSON: their TypeScript parameters and `invoke` arguments
    // are written out.
    raw {
        /// Gives the customer the picture in `file` (the picked file's bytes, sent as the request
        /// body, the customer in its `profile-id` header): the core crops it to a centred square and
        /// keeps it as a 256×256 PNG. A file that is not a readable PNG, JPEG, GIF, WebP or BMP image,
        /// or is over 20 MB, is refused with `invalid_picture` and nothing changes.
        set_profile_picture(core, request: Request<'_>) -> ProfileDetails
            as "profileId: ProfileId, file: Uint8Array"
            => "file, { headers: { 'profile-id': profileId } }"
        {
            let (id, file) = picture_upload(&request)?;
            core.set_profile_picture(id, file).await
        }
    }
}
