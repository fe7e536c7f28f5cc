use userdesk_model::{ApiError, ErrorCode, ValidationErrors};

/// Everything that can go wrong in the client library.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Validation(#[from] ValidationErrors),
    #[error("no profile with id {0}")]
    ProfileNotFound(String),
    #[error("no note with id {0}")]
    NoteNotFound(String),
    #[error("no bot session with id {0}")]
    SessionNotFound(String),
    #[error("no property with id {0}")]
    PropertyNotFound(String),
    #[error("no segment with id {0}")]
    SegmentNotFound(String),
    #[error("no goal with id {0}")]
    GoalNotFound(String),
    #[error("no job with id {0}")]
    JobNotFound(String),
    /// An action the signed-in manager's role does not allow (the server would refuse it).
    #[error("{0}")]
    Forbidden(String),
    /// Restore or Delete forever named customers the Trash no longer holds.
    #[error(
        "{} no longer in the Trash: deleted forever (by Delete forever, or {} days after the \
         delete), or restored already; nothing was changed",
        if *.count == 1 { "This customer is".to_string() } else { format!("These {} customers are", .count) },
        userdesk_model::TRASH_DAYS
    )]
    NotInTrash { count: usize },
    /// A value that does not fit its property's format; nothing was saved.
    #[error("{0}")]
    InvalidValue(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin")]
    InvalidTimeZone(String),
    #[error("the local database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the store's files could not be set up: {0}")]
    Files(String),
    #[error("the local database could not be upgraded: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the local database holds a value this version cannot read: {0}")]
    Corrupt(String),
    #[error("a background task of the local store failed: {0}")]
    Task(String),
    #[error("the server could not be reached: {0}")]
    Offline(String),
    #[error("the server refused: {0}")]
    Server(ApiError),
    #[error(
        "the server no longer holds changes it had confirmed (up to mutation {confirmed}); it may \
         have been restored from an older backup. Sync is stopped so that no edit is lost or \
         applied twice: ask the platform's administrator"
    )]
    ServerRolledBack { confirmed: u64 },
    #[error("the server answered something this version cannot read: {0}")]
    Protocol(String),
    #[error("{0}")]
    Keychain(String),
    #[error("not signed in: sign in to the platform's server in Settings")]
    NotSignedIn,
    #[error(
        "{manager} made {count} edit(s) on this computer that have not reached the server: sign \
         in as {manager} to send them, or drop them to sign in as {signing_in}"
    )]
    PendingOfAnotherManager {
        manager: String,
        signing_in: String,
        count: u64,
    },
    #[error("{0}")]
    Picture(#[from] crate::platform::picture::PictureError),
    /// The desktop could not open a folder, copy to the clipboard or install an update.
    #[error("{0}")]
    Desktop(String),
}

/// A refused definition of a property or segment (`subject`): a reason about one of its parts
/// ("name must not be empty") is said of the subject, a whole sentence is kept as it is.
pub(crate) fn refused_definition(subject: &str, reason: String) -> CoreError {
    let about_a_part = ["name ", "description ", "choice ", "rule value "]
        .iter()
        .any(|part| reason.starts_with(part));
    CoreError::InvalidRequest(if about_a_part {
        format!("the {subject}'s {reason}")
    } else {
        reason
    })
}

/// The library's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    /// The error as it crosses the IPC boundary.
    pub fn to_api_error(&self) -> ApiError {
        let code = match self {
            CoreError::Validation(errors) => return ApiError::from(errors.clone()),
            CoreError::Server(api) => return api.clone(),
            CoreError::Offline(_) => ErrorCode::Offline,
            CoreError::ServerRolledBack { .. } => ErrorCode::ServerRolledBack,
            CoreError::Protocol(_) => ErrorCode::Internal,
            CoreError::Keychain(_) => ErrorCode::Keychain,
            CoreError::NotSignedIn => ErrorCode::Unauthorized,
            CoreError::PendingOfAnotherManager { .. } => ErrorCode::PendingOfAnotherManager,
            CoreError::Picture(_) => ErrorCode::InvalidPicture,
            CoreError::Desktop(reason) => {
                return ApiError::new(ErrorCode::Desktop, sentence(reason))
            }
            CoreError::Forbidden(reason) => {
                return ApiError::new(ErrorCode::Forbidden, sentence(reason))
            }
            CoreError::ProfileNotFound(_)
            | CoreError::NoteNotFound(_)
            | CoreError::SessionNotFound(_)
            | CoreError::PropertyNotFound(_)
            | CoreError::SegmentNotFound(_)
            | CoreError::GoalNotFound(_)
            | CoreError::JobNotFound(_)
            | CoreError::NotInTrash { .. } => ErrorCode::NotFound,
            CoreError::InvalidValue(_) => ErrorCode::Validation,
            // The reason alone, as a sentence: the code already says it is a refusal.
            CoreError::InvalidRequest(reason) => {
                return ApiError::new(ErrorCode::InvalidRequest, sentence(reason))
            }
            CoreError::InvalidTimeZone(_) => ErrorCode::InvalidTimeZone,
            CoreError::Database(_)
            | CoreError::Files(_)
            | CoreError::Migration(_)
            | CoreError::Corrupt(_)
            | CoreError::Task(_) => ErrorCode::Storage,
        };
        ApiError::new(code, self.to_string())
    }
}

/// `text` with its first letter in upper case.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        error.to_api_error()
    }
}
