//! The server's integration tests, one binary: the real server on 127.0.0.1:0, its command line,
//! its mailer against an SMTP sink, and one test story run on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod cli;
mod limits;
mod mailer;
mod seed;

// The API's test story, the same steps on each storage.
story_tests!(
    each_mutation_kind_is_applied_and_pulled,
    a_delete_beats_a_later_edit,
    an_edit_replacing_one_it_never_saw_leaves_a_notice_for_its_writer,
    a_sync_from_nothing_is_told_how_much_is_coming,
    a_repeated_push_is_applied_once,
    a_gap_in_mutation_ids_is_refused,
    rejections_name_the_refused_fields_and_the_next_mutation_applies,
    malformed_requests_and_unknown_mutations_are_answered_cleanly,
    requests_without_a_valid_token_are_refused,
    a_token_of_one_workspace_can_neither_read_nor_write_another,
    a_token_beyond_its_rate_is_slowed_down,
    an_oversized_body_is_refused,
    every_hostile_string_is_kept_as_data_or_refused_clearly,
    two_clients_pushing_concurrently_are_pulled_exactly_once,
    pages_of_any_size_deliver_every_change_once,
    a_cookie_older_than_the_pruned_tombstones_gets_a_reset,
    the_health_endpoint_answers,
    a_token_tells_whom_it_signs_in,
    a_data_request_is_mailed_retried_and_its_state_pulled,
    a_pull_page_of_big_records_stays_within_its_byte_budget,
    revoked_or_expired_tokens_and_disabled_managers_are_refused_at_once,
    a_client_id_belongs_to_the_manager_who_first_pushed_under_it,
    a_backup_is_written_on_sqlite_and_left_to_pg_dump_on_postgresql,
    only_memberships_that_change_are_logged,
    data_a_database_cannot_keep_refuses_its_mutation_not_the_push,
    two_servers_on_one_database_mail_each_request_once,
    old_history_is_pruned_and_old_cookies_start_over,
    sessions_takeover_and_device_follow_from_the_bot_sessions,
    every_mutation_applied_or_refused_is_in_the_audit_log,
    deleted_customers_wait_in_the_trash_until_restored_or_purged,
    a_customers_history_lists_every_change_of_them_latest_first,
    history_covers_audit_entries_written_before_its_index,
);
