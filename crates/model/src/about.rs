//! What Settings shows about the app itself: its version and its updates.

use serde::{Deserialize, Serialize};

/// Where an update of this copy of Userdesk stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum UpdateStatus {
    /// No check yet since the app started (and none due).
    #[default]
    NotChecked,
    /// The update server offers nothing newer.
    UpToDate,
    /// A newer version was downloaded and its signature checked: "Restart to update" installs it.
    Ready,
    /// The update server offered something this copy will not install: an older version, or one
    /// whose signature does not match. Nothing changed.
    Refused,
    /// The update server could not be reached or answered nothing usable; the next check tries
    /// again.
    Failed,
    /// Installed by the system's package manager (a `.deb` or `.rpm`): updates come through it.
    PackageManager,
    /// Built from source: a new build is the update.
    FromSource,
}

/// Settings' "About Userdesk": the version and what the last update check found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct UpdateView {
    /// This copy's version.
    pub version: String,
    pub status: UpdateStatus,
    /// The sentence Settings shows about it.
    pub message: String,
    /// The version the update server offered, if it offered one.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<String>,
    /// Whether "Check for updates" can do anything here (not for a package manager's copy).
    pub can_check: bool,
    /// When updates were last checked, in the manager's time zone.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
}
