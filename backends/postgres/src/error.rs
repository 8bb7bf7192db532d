//! [`PgError`] and the mapping of PostgreSQL failures onto [`StoreError`].

use credcycle::StoreError;
use postgres::error::SqlState;

/// Failures specific to the PostgreSQL store. They reach callers wrapped in
/// [`StoreError::Backend`]; [`PgError::from_store_error`] gets them back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The connection URL could not be used (the message names the part;
    /// it never repeats a password).
    #[error("postgres url: {0}")]
    InvalidUrl(String),
    /// The TLS settings could not be used (unreadable `sslrootcert`, no
    /// trusted roots, TLS handshake or certificate verification failure).
    #[error("postgres tls: {0}")]
    Tls(String),
    /// The database was migrated by a newer release of this crate; it is
    /// refused untouched.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// The schema version recorded in the database.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// A record's version cannot be incremented any further.
    #[error("record version overflow")]
    VersionOverflow,
    /// The batch contains an operation this build does not know.
    #[error("unsupported store operation")]
    UnsupportedOp,
    /// The server refused the request for a reason a retry will not fix
    /// (authentication, a missing database, permissions, a bug).
    #[error("postgres server at {target}: {message}")]
    Server {
        /// `host:port/database` (no credentials).
        target: String,
        /// The server's or client library's message.
        message: String,
    },
}

impl PgError {
    /// The [`PgError`] inside `e`, if `e` wraps one.
    ///
    /// ```
    /// use credcycle_postgres::PgError;
    /// let e = credcycle::StoreError::backend(PgError::VersionOverflow);
    /// assert!(matches!(PgError::from_store_error(&e), Some(PgError::VersionOverflow)));
    /// ```
    pub fn from_store_error(e: &StoreError) -> Option<&PgError> {
        match e {
            StoreError::Backend(inner) => inner.downcast_ref::<PgError>(),
            _ => None,
        }
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        StoreError::backend(e)
    }
}

/// What a failed PostgreSQL call means for the store.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A serialization failure or deadlock: the transaction was rolled back
    /// and nothing was written. Reported as `Conflict` by `commit`.
    Conflict,
    /// The server cannot be reached, went away, or is shutting down or
    /// starting: `Unavailable { retryable: true }`. The connection is
    /// dropped from the pool.
    Connection(String),
    /// Anything else: `Backend`.
    Other(String),
}

/// Full text of a client error, with its sources (the top-level text of
/// `postgres::Error` is only its kind).
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} ({}): {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            s.push_str(" — ");
            s.push_str(detail);
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s
}

/// Classifies a client error.
pub(crate) fn classify(e: &postgres::Error) -> Failure {
    if let Some(code) = e.code() {
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return Failure::Conflict;
        }
        let class = code.code().get(..2).unwrap_or("");
        // 08: connection exception; 57P01..03: admin/crash shutdown, cannot
        // connect now (starting up or shutting down); 53: insufficient
        // resources (too many connections, out of memory or disk).
        if class == "08"
            || class == "53"
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            return Failure::Connection(describe(e));
        }
        return Failure::Other(describe(e));
    }
    if e.is_closed() {
        return Failure::Connection(describe(e));
    }
    let text = describe(e);
    // Kinds without a SQLSTATE: only I/O-level ones (connect, read, write,
    // timeout) are transient; TLS, authentication and configuration
    // failures are not fixed by retrying.
    let transient = [
        "error connecting to server",
        "error communicating with the server",
        "timeout waiting for server",
    ];
    if transient.iter().any(|p| text.starts_with(p)) {
        Failure::Connection(text)
    } else {
        Failure::Other(text)
    }
}
