//! The commands the UI invokes, made from the one list in `command_list.rs`: each a call into
//! `AppCore` of the same name, its error a `{code, message, fields}`. The same list gives the
//! handler list, the permissions (`build.rs`) and the TypeScript client (`typescript_client`).

use std::sync::Arc;

use tauri::ipc::{InvokeBody, Request};
use tauri::State;
use userdesk_core::{AppCore, AutoSyncOptions, CoreError};
use userdesk_model::{
    Account, ApiError, Conversation, DataRequestKind, DataRequestView, Goal, GoalCompletionView,
    GoalSummary, HistoryView, JobAction, JobView, ListRequest, NoteView, PictureView,
    ProfileDetails, ProfileFilter, ProfilePage, ProfilePatch, ProfilePropertyView, PropertyDraft,
    PropertySort, PropertyView, PutBack, SegmentDraft, SegmentRef, SegmentView, Selection,
    SessionOrder, SessionView, SignIn, SortDirection, SyncView, TrashPage, TrashQuery,
    TrashSelection, UndoReport, UndoView, UpdateView,
};
use userdesk_model::{JobId, NoteId, ProfileId, PropertyId, SegmentId, SessionId};

/// A command as the TypeScript client is made from it.
#[cfg(test)]
pub struct CommandSpec {
    pub name: &'static str,
    pub docs: &'static [&'static str],
    /// Each argument's name (snake_case, as the command takes it) and Rust type, as written.
    pub args: &'static [(&'static str, &'static str)],
    /// The Rust type of the answer, as written.
    pub answer: &'static str,
    /// A command whose arguments do not travel as JSON: its TypeScript parameters and the
    /// arguments of its `invoke` call, written out.
    pub raw: Option<(&'static str, &'static str)>,
}

macro_rules! commands {
    (
        json {$(
            $(#[doc = $doc:literal])*
            $name:ident ( $core:ident $(, $arg:ident : $ty:ty)* $(,)? ) -> $answer:ty $body:block
        )*}
        raw {$(
            $(#[doc = $rdoc:literal])*
            $rname:ident ( $rcore:ident $(, $rarg:ident : $rty:ty)* $(,)? ) -> $ranswer:ty
                as $params:literal => $invoke:literal $rbody:block
        )*}
    ) => {
        $(command!($(#[doc = $doc])* $name($core $(, $arg: $ty)*) -> $answer $body);)*
        $(command!($(#[doc = $rdoc])* $rname($rcore $(, $rarg: $rty)*) -> $ranswer $rbody);)*

        /// The handler of every command, for `tauri::Builder::invoke_handler`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* $($rname,)*]
        }

        /// Calls the JSON command `name` with `args` as the window passes them (camelCase keys),
        /// straight on `core`, answering what the window would get: the recorded UI scenario
        /// calls the commands through this, so it runs the very bodies the window does.
        #[cfg(test)]
        pub async fn dispatch(
            core: &Arc<AppCore>,
            name: &str,
            args: &serde_json::Value,
        ) -> Result<serde_json::Value, ApiError> {
            match name {
                $(stringify!($name) => {
                    let $core = core;
                    $(let $arg: $ty = argument(args, stringify!($arg));)*
                    let result: userdesk_core::Result<$answer> = async { $body }.await;
                    Ok(serde_json::json!(result?))
                })*
                other => panic!("no JSON command {other}"),
            }
        }

        /// Every command, for the TypeScript client.
        #[cfg(test)]
        pub fn specs() -> Vec<CommandSpec> {
            vec![
                $(CommandSpec {
                    name: stringify!($name),
                    docs: &[$($doc),*],
                    args: &[$((stringify!($arg), stringify!($ty))),*],
                    answer: stringify!($answer),
                    raw: None,
                },)*
                $(CommandSpec {
                    name: stringify!($rname),
                    docs: &[$($rdoc),*],
                    args: &[],
                    answer: stringify!($ranswer),
                    raw: Some(($params, $invoke)),
                },)*
            ]
        }
    };
}

/// One command: a Tauri command calling `$body`, its error crossing as `{code, message, fields}`.
macro_rules! command {
    ($(#[doc = $doc:literal])* $name:ident ($core:ident $(, $arg:ident : $ty:ty)*) -> $answer:ty $body:block) => {
        $(#[doc = $doc])*
        #[tauri::command]
        pub async fn $name(
            $core: State<'_, Arc<AppCore>>,
            $($arg: $ty),*
        ) -> Result<$answer, ApiError> {
            let result: userdesk_core::Result<$answer> = async { $body }.await;
            Ok(result?)
        }
    };
}

include!("command_list.rs");

/// The TypeScript name of a snake_case Rust name: `list_profiles` is `listProfiles`.
#[cfg(test)]
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The argument the window names `name` in camelCase (Tauri's spelling of a snake_case
/// parameter), read from `args`.
#[cfg(test)]
fn argument<T: serde::de::DeserializeOwned>(args: &serde_json::Value, name: &str) -> T {
    let camel = camel(name);
    let value = args.get(&camel).cloned().unwrap_or(serde_json::Value::Null);
    match serde_json::from_value(value) {
        Ok(value) => value,
        Err(e) => panic!("the argument {camel} does not read: {e}"),
    }
}

/// The picked file's bytes travel as the request's raw body (no JSON for up to 20 MB), the
/// customer's id in its `profile-id` header.
fn picture_upload(request: &Request<'_>) -> userdesk_core::Result<(ProfileId, Vec<u8>)> {
    let named = request
        .headers()
        .get("profile-id")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| CoreError::InvalidRequest("the request names no customer".to_string()))?;
    let id = named
        .parse()
        .map_err(|_| CoreError::InvalidRequest(format!("{named:?} is not a customer's id")))?;
    let InvokeBody::Raw(file) = request.body() else {
        return Err(CoreError::InvalidRequest(
            "the picture must be sent as the file's bytes".to_string(),
        ));
    };
    Ok((id, file.clone()))
}
