//! The UUIDv7 newtype shared by every entity id, so a note id cannot be passed as a profile id.

/// Declares a UUIDv7 id newtype with serde, sqlx and TypeScript support; `$typescript` is its
/// TypeScript type, a string branded with the id's name.
#[macro_export]
#[doc(hidden)]
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident = $typescript:tt) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        // A branded string in TypeScript: one id cannot be passed where another is expected.
        #[cfg_attr(feature = "ts", ts(type = $typescript))]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new id, ordered by creation time.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> &uuid::Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}
