//! [`SqliteError`] and the mapping of SQLite failures onto [`StoreError`].

use credcycle::StoreError;
use rusqlite::ErrorCode;

/// Failures specific to the SQLite store. They reach callers wrapped in
/// [`StoreError::Backend`]; [`SqliteError::from_store_error`] gets them back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteError {
    /// The database was written by a newer release of this crate; opening it
    /// could misread or damage it, so it is refused untouched.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// The schema version recorded in the database.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// SQLite refused to switch the database to WAL journaling (it reported
    /// the journal mode named here).
    #[error("cannot enable WAL journaling (journal mode is {0:?})")]
    NotWal(String),
    /// A record's version cannot be incremented any further.
    #[error("record version overflow")]
    VersionOverflow,
    /// The batch contains an operation this build does not know.
    #[error("unsupported store operation")]
    UnsupportedOp,
}

impl SqliteError {
    /// The [`SqliteError`] inside `e`, if `e` wraps one.
    ///
    /// ```
    /// use credcycle_sqlite::SqliteError;
    /// let e = credcycle::StoreError::backend(SqliteError::VersionOverflow);
    /// assert!(matches!(
    ///     SqliteError::from_store_error(&e),
    ///     Some(SqliteError::VersionOverflow)
    /// ));
    /// ```
    pub fn from_store_error(e: &StoreError) -> Option<&SqliteError> {
        match e {
            StoreError::Backend(inner) => inner.downcast_ref::<SqliteError>(),
            _ => None,
        }
    }
}

impl From<SqliteError> for StoreError {
    fn from(e: SqliteError) -> Self {
        StoreError::backend(e)
    }
}

/// Maps a SQLite failure onto the store's error categories.
///
/// - `SQLITE_BUSY` / `SQLITE_LOCKED` (still there after the busy timeout:
///   another connection holds the lock) → `Unavailable { retryable: true }`.
/// - `SQLITE_CORRUPT` / `SQLITE_NOTADB`, and columns of the wrong type →
///   `Corrupt`.
/// - Anything else → `Backend`.
pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            return StoreError::Unavailable { retryable: true };
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            return StoreError::Corrupt("sqlite database is malformed");
        }
        Some(ErrorCode::NotADatabase) => {
            return StoreError::Corrupt("file is not a sqlite database");
        }
        _ => {}
    }
    match e {
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => {
            StoreError::Corrupt("sqlite column holds a value of the wrong type")
        }
        e => StoreError::backend(e),
    }
}
