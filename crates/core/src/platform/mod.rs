//! What the desktop provides: the keychain that keeps the sign-in token, the system
//! notifications, and the decoding of pictures picked from disk.

pub(crate) mod keychain;
pub(crate) mod notify;
pub(crate) mod picture;
