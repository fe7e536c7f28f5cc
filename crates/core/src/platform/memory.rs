//! Giving memory the app has freed back to the operating system.
//!
//! Building the search index of a large store allocates far more, for a few seconds, than the
//! index it leaves (the sort keys of every column, the batches read). glibc's allocator keeps
//! such freed memory for reuse, so the app would go on holding it, resident, until it exits.

/// Returns the allocator's free memory to the system (glibc's `malloc_trim`); elsewhere the
/// allocator returns large blocks itself and this does nothing.
pub(crate) fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks;
        // it takes no pointer and leaves every live allocation where it is.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// Holds the allocator to two arenas (glibc makes up to eight per core, one per busy thread).
/// The app allocates from many threads (the runtime's, the web view's) but rarely at once, and
/// each extra arena keeps its own freed pages: on the million-customer store two arenas hold
/// about 20 MB less than the default. Call it first thing in `main`, before any thread starts.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter; called before other threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
