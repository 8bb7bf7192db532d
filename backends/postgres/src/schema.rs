//! Schema migrations, recorded in `credcycle_migrations`.
//!
//! Migration `n` (1-based) is `MIGRATIONS[n - 1]`. Migrations are only ever
//! appended; a released one is never edited. Only portable SQL (BIGINT,
//! BYTEA, TEXT, a composite primary key), so the schema also runs on
//! PostgreSQL-compatible distributed SQL engines.

use postgres::Client;

use crate::error::PgError;

/// Every migration, in order.
const MIGRATIONS: &[&str] = &[
    // 1: the record table. `tbl` is `Table::as_u32`; BYTEA compares as
    // unsigned bytes (memcmp), which is the order `Store::scan` promises.
    // Version 0 is never visible: it marks a row a commit holds locked to
    // prove absence, and deletes before it commits.
    "CREATE TABLE records (
        tbl BIGINT NOT NULL,
        key BYTEA NOT NULL,
        value BYTEA NOT NULL,
        version BIGINT NOT NULL,
        PRIMARY KEY (tbl, key)
    )",
];

/// The schema version this build writes and understands.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

const CREATE_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS credcycle_migrations (
    version BIGINT PRIMARY KEY,
    applied_at TEXT NOT NULL
)";

fn check_known(v: i64) -> Result<i64, PgError> {
    if v > LATEST {
        return Err(PgError::SchemaTooNew {
            found: v,
            supported: LATEST,
        });
    }
    Ok(v)
}

/// Brings the schema to [`LATEST`] in one transaction. Concurrent openers
/// (several processes starting at once) may collide on the catalog or on
/// the migrations table's primary key; the loser's transaction rolls back
/// and it tries again, then finds nothing to do.
pub(crate) fn migrate(client: &mut Client) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    tx.batch_execute(CREATE_MIGRATIONS)?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM credcycle_migrations",
            &[],
        )?
        .get(0);
    if current >= LATEST {
        // Nothing to write; the newer-schema check runs in `current_version`.
        return tx.commit();
    }
    for (version, sql) in (1i64..).zip(MIGRATIONS).skip_while(|(v, _)| *v <= current) {
        tx.batch_execute(sql)?;
        // Diagnostic only; nothing reads it back.
        tx.execute(
            "INSERT INTO credcycle_migrations (version, applied_at) VALUES ($1, CAST(CURRENT_TIMESTAMP AS TEXT))",
            &[&version],
        )?;
    }
    tx.commit()
}

/// The recorded schema version, checked against what this build knows.
pub(crate) fn current_version(
    client: &mut Client,
) -> Result<Result<i64, PgError>, postgres::Error> {
    let v: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM credcycle_migrations",
            &[],
        )?
        .get(0);
    Ok(check_known(v))
}

/// Whether the migrations table exists yet (without creating it).
pub(crate) fn has_migrations_table(client: &mut Client) -> Result<bool, postgres::Error> {
    let row = client.query_opt(
        "SELECT 1 FROM information_schema.tables
         WHERE table_name = 'credcycle_migrations' AND table_schema = current_schema()",
        &[],
    )?;
    Ok(row.is_some())
}
