//! The app's log: a file a day in the OS's log folder, the last week kept, every panic written
//! to it with where it happened (then reported as Rust does). What a manager sends when something
//! went wrong in the field, with "Copy diagnostics".

use std::path::Path;

use tracing::Subscriber;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::error::{CoreError, Result};

/// The log files' names: `userdesk.YYYY-MM-DD.log`.
pub const LOG_FILE_PREFIX: &str = "userdesk";
/// How many daily files are kept.
pub const LOG_FILES_KEPT: usize = 7;

/// What is logged unless `USERDESK_LOG` says otherwise (`debug`, `userdesk_core=trace`, …).
const DEFAULT_FILTER: &str = "info";

/// A subscriber writing to the daily files in `folder` (created if missing), and to standard
/// error as well when `also_stderr` (a developer's terminal).
pub fn file_subscriber(folder: &Path, also_stderr: bool) -> Result<impl Subscriber + Send + Sync> {
    std::fs::create_dir_all(folder)
        .map_err(|e| CoreError::Files(format!("creating {}: {e}", folder.display())))?;
    let files = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(folder)
        .map_err(|e| CoreError::Files(format!("opening the log in {}: {e}", folder.display())))?;
    let filter =
        EnvFilter::try_from_env("USERDESK_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let stderr = also_stderr.then(|| fmt::layer().with_writer(std::io::stderr));
    Ok(tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(false).with_writer(files))
        .with(stderr))
}

/// Logs to the daily files in `folder` from now on, panics included.
pub fn init_logging(folder: &Path, also_stderr: bool) -> Result<()> {
    let subscriber = file_subscriber(folder, also_stderr)?;
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| CoreError::Files(format!("the log is already set up: {e}")))?;
    log_panics();
    Ok(())
}

/// Writes every panic to the log (its message, where, on which thread) before the panic is
/// reported as it was before.
pub fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let location = info
            .location()
            .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        tracing::error!(
            target: "panic",
            thread = thread.name().unwrap_or("unnamed"),
            %location,
            "panicked: {message}"
        );
        previous(info);
    }));
}
