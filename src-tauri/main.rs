// No console window beside the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    userdesk_core::limit_allocator_arenas();
    userdesk_app::run()
}
