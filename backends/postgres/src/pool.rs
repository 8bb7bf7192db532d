//! A small connection pool: idle connections in a `Mutex<Vec<_>>`, a cap on
//! open connections, and no reuse of a connection that failed.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls, Statement};

use crate::url::Target;

/// The statements every connection prepares once.
pub(crate) struct Statements {
    pub(crate) get: Statement,
    pub(crate) scan_ge_lt: Statement,
    pub(crate) scan_gt_lt: Statement,
    pub(crate) scan_ge: Statement,
    pub(crate) scan_gt: Statement,
    pub(crate) insert: Statement,
    pub(crate) update: Statement,
    pub(crate) delete: Statement,
    pub(crate) lock_version: Statement,
    pub(crate) hold_absent: Statement,
    pub(crate) release_absent: Statement,
}

const GET: &str = "SELECT value, version FROM records WHERE tbl = $1 AND key = $2";
// One statement per bound shape, so that each is a range search of the
// primary key (tbl, key): `$2` is the lower bound (inclusive: the prefix;
// exclusive: `after`), `$3` the exclusive upper bound (the prefix's
// successor) when there is one.
const SCAN_GE_LT: &str = "SELECT key, value, version FROM records
     WHERE tbl = $1 AND key >= $2 AND key < $3 ORDER BY key LIMIT $4";
const SCAN_GT_LT: &str = "SELECT key, value, version FROM records
     WHERE tbl = $1 AND key > $2 AND key < $3 ORDER BY key LIMIT $4";
const SCAN_GE: &str = "SELECT key, value, version FROM records
     WHERE tbl = $1 AND key >= $2 ORDER BY key LIMIT $3";
const SCAN_GT: &str = "SELECT key, value, version FROM records
     WHERE tbl = $1 AND key > $2 ORDER BY key LIMIT $3";
/// Put expecting absence: inserts version 1 unless the key exists (then no
/// row is affected). Waits for a concurrent inserter of the same key.
const INSERT: &str = "INSERT INTO records (tbl, key, value, version) VALUES ($1, $2, $3, 1)
     ON CONFLICT (tbl, key) DO NOTHING";
/// Put expecting version `$5`: affects one row only if that is the version.
const UPDATE: &str = "UPDATE records SET value = $3, version = $4
     WHERE tbl = $1 AND key = $2 AND version = $5";
/// Delete expecting version `$3`.
const DELETE: &str = "DELETE FROM records WHERE tbl = $1 AND key = $2 AND version = $3";
/// Check expecting a version: reads it and holds the row locked until the
/// transaction ends, so it cannot change before the batch commits.
const LOCK_VERSION: &str = "SELECT version FROM records WHERE tbl = $1 AND key = $2 FOR UPDATE";
/// Check (or Delete) expecting absence: inserts an invisible version-0 row,
/// which succeeds only if the key is absent and holds it locked (a
/// concurrent creator of the key waits) until the transaction ends.
const HOLD_ABSENT: &str = "INSERT INTO records (tbl, key, value, version) VALUES ($1, $2, $3, 0)
     ON CONFLICT (tbl, key) DO NOTHING";
/// Removes the version-0 rows before the transaction commits.
const RELEASE_ABSENT: &str = "DELETE FROM records WHERE tbl = $1 AND key = $2 AND version = 0";

/// A connection and its prepared statements.
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) stmts: Statements,
}

impl Conn {
    fn prepare(mut client: Client) -> Result<Conn, postgres::Error> {
        let stmts = Statements {
            get: client.prepare(GET)?,
            scan_ge_lt: client.prepare(SCAN_GE_LT)?,
            scan_gt_lt: client.prepare(SCAN_GT_LT)?,
            scan_ge: client.prepare(SCAN_GE)?,
            scan_gt: client.prepare(SCAN_GT)?,
            insert: client.prepare(INSERT)?,
            update: client.prepare(UPDATE)?,
            delete: client.prepare(DELETE)?,
            lock_version: client.prepare(LOCK_VERSION)?,
            hold_absent: client.prepare(HOLD_ABSENT)?,
            release_absent: client.prepare(RELEASE_ABSENT)?,
        };
        Ok(Conn { client, stmts })
    }
}

/// Why no connection could be had.
#[derive(Debug)]
pub(crate) enum PoolError {
    /// Connecting (or preparing the statements) failed.
    Connect(postgres::Error),
    /// Every allowed connection stayed busy for the whole wait.
    Exhausted,
}

struct State {
    idle: Vec<Conn>,
    /// Connections handed out or idle.
    open: usize,
}

/// The pool of one store.
pub(crate) struct Pool {
    target: Target,
    max: usize,
    wait: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

impl Pool {
    pub(crate) fn new(target: Target, max: usize, wait: Duration) -> Pool {
        Pool {
            target,
            max: max.max(1),
            wait,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        }
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a list and a counter, consistent after any panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a new connection, outside the pool's accounting.
    pub(crate) fn connect_raw(&self) -> Result<Client, postgres::Error> {
        match &self.target.tls {
            Some(tls) => self.target.config.connect(tls.clone()),
            None => self.target.config.connect(NoTls),
        }
    }

    /// Drops every idle connection (after a connection failure the others
    /// are likely dead too, e.g. after a server restart).
    pub(crate) fn clear_idle(&self) {
        let mut state = self.lock();
        let stale = std::mem::take(&mut state.idle);
        state.open -= stale.len();
        drop(state);
        self.freed.notify_all();
        drop(stale);
    }

    /// Idle connections now (for tests).
    pub(crate) fn idle_count(&self) -> usize {
        self.lock().idle.len()
    }

    /// An idle connection, or a new one if fewer than the maximum are open;
    /// otherwise waits up to the pool's wait time for one to be returned.
    pub(crate) fn get(&self) -> Result<Pooled<'_>, PoolError> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                if conn.client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                    reused: true,
                    broken: false,
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.connect_raw().and_then(Conn::prepare) {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                        reused: false,
                        broken: false,
                    }),
                    Err(e) => {
                        self.release_slot();
                        Err(PoolError::Connect(e))
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(PoolError::Exhausted);
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn release_slot(&self) {
        let mut state = self.lock();
        state.open -= 1;
        drop(state);
        self.freed.notify_one();
    }
}

/// A connection taken from the pool; returned on drop unless marked broken.
pub(crate) struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
    /// Whether it was idle in the pool before (and so may have gone stale).
    reused: bool,
    broken: bool,
}

impl Pooled<'_> {
    /// The connection.
    pub(crate) fn conn(&mut self) -> Option<&mut Conn> {
        self.conn.as_mut()
    }

    /// Whether the connection had been idle in the pool.
    pub(crate) fn reused(&self) -> bool {
        self.reused
    }

    /// Marks the connection as failed: it is closed instead of returned.
    pub(crate) fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if self.broken || conn.client.is_closed() {
            drop(conn);
            self.pool.release_slot();
            return;
        }
        let mut state = self.pool.lock();
        state.idle.push(conn);
        drop(state);
        self.pool.freed.notify_one();
    }
}
