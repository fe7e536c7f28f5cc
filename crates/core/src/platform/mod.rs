//! What the desktop provides: the keychain that keeps the sign-in token, the system
//! notifications, the decoding of pictures picked from disk, the log files, and the services
//! only the shell can give (folders, clipboard, updates).

pub(crate) mod desktop;
pub(crate) mod keychain;
pub(crate) mod logs;
pub(crate) mod memory;
pub(crate) mod notify;
pub(crate) mod picture;
