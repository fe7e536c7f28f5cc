//! The sign-in token in the operating system's keychain: never in SQLite, never in logs.

use crate::error::{CoreError, Result};

/// The keychain entries of one installation of the app.
#[derive(Clone, Debug)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    /// Entries under `service` (the app's identifier).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The token kept for `account`, if any.
    pub async fn token(&self, account: &str) -> Result<Option<String>> {
        let entry = self.entry(account)?;
        blocking(move || match entry.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read the sign-in token from", e)),
        })
        .await
    }

    /// Keeps `token` for `account`, replacing any earlier one.
    pub async fn save(&self, account: &str, token: &str) -> Result<()> {
        let entry = self.entry(account)?;
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
        let entry = self.entry(account)?;
        blocking(move || match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("remove the sign-in token from", e)),
        })
        .await
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account)
            .map_err(|e| keychain_error("open an entry of", e))
    }
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
