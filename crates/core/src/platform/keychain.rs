//! The sign-in token in the operating system's keychain: never in SQLite, never in logs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{CoreError, Result};

/// The keychain entries of one installation of the app.
#[derive(Clone, Debug)]
pub struct Keychain {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    /// The system's keychain, entries under this service (the app's identifier).
    System(String),
    /// Entries in this process's memory, gone with it: for tests that are not about the keychain.
    Memory(Arc<Mutex<MemoryEntries>>),
}

#[derive(Debug, Default)]
struct MemoryEntries {
    entries: HashMap<String, String>,
    /// Every call fails, as with a locked or absent Secret Service.
    unreachable: bool,
}

impl Keychain {
    /// The system keychain's entries under `service` (the app's identifier).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            backend: Backend::System(service.into()),
        }
    }

    /// A keychain in this process's memory, empty at first; its clones share its entries.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
        }
    }

    /// Makes every later call of an in-memory keychain (and its clones) fail as an unreachable
    /// system keychain does, or work again: for tests of what the app does then. The system's
    /// keychain ignores it.
    pub fn set_reachable(&self, reachable: bool) {
        if let Backend::Memory(memory) = &self.backend {
            memory.lock().unwrap_or_else(|e| e.into_inner()).unreachable = !reachable;
        }
    }

    /// The token kept for `account`, if any.
    pub async fn token(&self, account: &str) -> Result<Option<String>> {
        let service = match &self.backend {
            Backend::System(service) => service,
            Backend::Memory(entries) => return Ok(lock(entries)?.entries.get(account).cloned()),
        };
        let entry = entry(service, account)?;
        blocking(move || match entry.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read the sign-in token from", e)),
        })
        .await
    }

    /// Keeps `token` for `account`, replacing any earlier one.
    pub async fn save(&self, account: &str, token: &str) -> Result<()> {
        let service = match &self.backend {
            Backend::System(service) => service,
            Backend::Memory(entries) => {
                lock(entries)?
                    .entries
                    .insert(account.to_string(), token.to_string());
                return Ok(());
            }
        };
        let entry = entry(service, account)?;
        let token = token.to_string();
        blocking(move || {
            entry
                .set_password(&token)
                .map_err(|e| keychain_error("keep the sign-in token in", e))
        })
        .await
    }

    /// Forgets the token of `account`; nothing to forget is fine.
    pub async fn forget(&self, account: &str) -> Result<()> {
        let service = match &self.backend {
            Backend::System(service) => service,
            Backend::Memory(entries) => {
                lock(entries)?.entries.remove(account);
                return Ok(());
            }
        };
        let entry = entry(service, account)?;
        blocking(move || match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("remove the sign-in token from", e)),
        })
        .await
    }
}

fn entry(service: &str, account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(service, account).map_err(|e| keychain_error("open an entry of", e))
}

fn lock(entries: &Mutex<MemoryEntries>) -> Result<std::sync::MutexGuard<'_, MemoryEntries>> {
    let entries = entries
        .lock()
        .map_err(|_| CoreError::Keychain("the in-memory keychain was poisoned".to_string()))?;
    if entries.unreachable {
        return Err(CoreError::Keychain(
            "the system keychain could not be reached (locked, or no keychain service runs)"
                .to_string(),
        ));
    }
    Ok(entries)
}

/// Keychains answer over D-Bus or system calls that block: keep them off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::Task(e.to_string()))?
}

fn keychain_error(action: &str, error: keyring::Error) -> CoreError {
    let hint = match error {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            " (is a keyring such as GNOME Keyring or KWallet running and unlocked?)"
        }
        _ => "",
    };
    CoreError::Keychain(format!(
        "could not {action} the system keychain: {error}{hint}"
    ))
}
