//! Stores, key managers and clocks written in Python, as facade foreign
//! implementations, and the Store conformance runner for them.
//!
//! Each call attaches to the interpreter (`Python::attach`), calls the
//! Python method, and checks the returned types. An exception raised by
//! the Python code becomes a backend error that keeps its message (a
//! `CredcycleError` keeps its `.code`, so a store can raise `Conflict`).

use std::sync::Arc;

use credcycle_facade::conformance::run_store_conformance;
use credcycle_facade::{
    ForeignClock, ForeignError, ForeignKeyManager, ForeignStore, KeyInfo as PlainKeyInfo,
    ScanEntry, StoreOp as PlainOp, StoreOpKind, StoredRecord, WrappedKeyData,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::errors::from_pyerr;
use crate::types::{ConformanceResult, KeyInfo, StoreOp};

const STORE_BACKEND: u32 = 1101;
const KMS_BACKEND: u32 = 1204;

fn contract(what: &str, e: &PyErr) -> ForeignError {
    ForeignError::contract(format!("{what}: {e}"))
}

/// A Python object with `get`, `scan` and `commit` (see `credcycle.Store`).
pub struct PyStore(pub Py<PyAny>);

impl ForeignStore for PyStore {
    fn get(&self, table: u32, key: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
        Python::attach(|py| {
            let r = self
                .0
                .call_method1(py, "get", (table, PyBytes::new(py, key)))
                .map_err(|e| from_pyerr(py, &e, STORE_BACKEND))?;
            let found: Option<(Vec<u8>, u64)> = r
                .extract(py)
                .map_err(|e| contract("Store.get must return None or (bytes, int)", &e))?;
            Ok(found.map(|(value, version)| StoredRecord { value, version }))
        })
    }

    fn scan(
        &self,
        table: u32,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError> {
        Python::attach(|py| {
            let after = after.map(|a| PyBytes::new(py, a));
            let r = self
                .0
                .call_method1(py, "scan", (table, PyBytes::new(py, prefix), after, limit))
                .map_err(|e| from_pyerr(py, &e, STORE_BACKEND))?;
            let rows: Vec<(Vec<u8>, Vec<u8>, u64)> = r.extract(py).map_err(|e| {
                contract("Store.scan must return a list of (key, value, version)", &e)
            })?;
            Ok(rows
                .into_iter()
                .map(|(key, value, version)| ScanEntry {
                    key,
                    value,
                    version,
                })
                .collect())
        })
    }

    fn commit(&self, ops: &[PlainOp]) -> Result<(), ForeignError> {
        Python::attach(|py| {
            let mut objs = Vec::with_capacity(ops.len());
            for op in ops {
                let kind = match op.kind {
                    StoreOpKind::Put => "put",
                    StoreOpKind::Delete => "delete",
                    StoreOpKind::Check => "check",
                };
                let obj = Py::new(
                    py,
                    StoreOp {
                        kind: kind.to_owned(),
                        table: op.table,
                        key: PyBytes::new(py, &op.key).unbind(),
                        value: PyBytes::new(py, &op.value).unbind(),
                        expect: op.expect,
                    },
                )
                .map_err(|e| contract("StoreOp", &e))?;
                objs.push(obj);
            }
            let list = PyList::new(py, objs).map_err(|e| contract("ops", &e))?;
            self.0
                .call_method1(py, "commit", (list,))
                .map_err(|e| from_pyerr(py, &e, STORE_BACKEND))?;
            Ok(())
        })
    }
}

/// A Python object with the methods of `credcycle.KeyManager`.
pub struct PyKeyManager(pub Py<PyAny>);

impl PyKeyManager {
    fn call<'py, A>(
        &self,
        py: Python<'py>,
        name: &str,
        args: A,
    ) -> Result<Bound<'py, PyAny>, ForeignError>
    where
        A: pyo3::call::PyCallArgs<'py>,
    {
        self.0
            .bind(py)
            .call_method1(name, args)
            .map_err(|e| from_pyerr(py, &e, KMS_BACKEND))
    }
}

fn key_info(v: &Bound<'_, PyAny>, what: &str) -> Result<PlainKeyInfo, ForeignError> {
    v.extract::<KeyInfo>().map(PlainKeyInfo::from).map_err(|e| {
        contract(
            &format!("KeyManager.{what} must return a KeyInfo"),
            &PyErr::from(e),
        )
    })
}

fn bytes_of(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<u8>, ForeignError> {
    v.extract::<Vec<u8>>()
        .map_err(|e| contract(&format!("KeyManager.{what} must return bytes"), &e))
}

impl ForeignKeyManager for PyKeyManager {
    fn create_key(&self, id: &str, algorithm: &str) -> Result<PlainKeyInfo, ForeignError> {
        Python::attach(|py| key_info(&self.call(py, "create_key", (id, algorithm))?, "create_key"))
    }

    fn key_info(&self, id: &str) -> Result<Option<PlainKeyInfo>, ForeignError> {
        Python::attach(|py| {
            let r = self.call(py, "key_info", (id,))?;
            if r.is_none() {
                Ok(None)
            } else {
                key_info(&r, "key_info").map(Some)
            }
        })
    }

    fn list_keys(&self) -> Result<Vec<PlainKeyInfo>, ForeignError> {
        Python::attach(|py| {
            let r = self.call(py, "list_keys", ())?;
            let items: Vec<Bound<'_, PyAny>> = r
                .extract()
                .map_err(|e| contract("KeyManager.list_keys must return a list", &e))?;
            items.iter().map(|i| key_info(i, "list_keys")).collect()
        })
    }

    fn rotate_key(&self, id: &str) -> Result<PlainKeyInfo, ForeignError> {
        Python::attach(|py| key_info(&self.call(py, "rotate_key", (id,))?, "rotate_key"))
    }

    fn set_key_state(&self, id: &str, state: &str) -> Result<PlainKeyInfo, ForeignError> {
        Python::attach(|py| {
            key_info(
                &self.call(py, "set_key_state", (id, state))?,
                "set_key_state",
            )
        })
    }

    fn wrap(&self, id: &str, dek: &[u8], aad: &[u8]) -> Result<WrappedKeyData, ForeignError> {
        Python::attach(|py| {
            let r = self.call(
                py,
                "wrap",
                (id, PyBytes::new(py, dek), PyBytes::new(py, aad)),
            )?;
            let (key, version, ciphertext): (String, u32, Vec<u8>) = r.extract().map_err(|e| {
                contract(
                    "KeyManager.wrap must return (key_id, key_version, ciphertext)",
                    &e,
                )
            })?;
            Ok(WrappedKeyData {
                key,
                version,
                ciphertext,
            })
        })
    }

    fn unwrap(&self, w: &WrappedKeyData, aad: &[u8]) -> Result<Vec<u8>, ForeignError> {
        Python::attach(|py| {
            let args = (
                w.key.as_str(),
                w.version,
                PyBytes::new(py, &w.ciphertext),
                PyBytes::new(py, aad),
            );
            bytes_of(&self.call(py, "unwrap", args)?, "unwrap")
        })
    }

    fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError> {
        Python::attach(|py| bytes_of(&self.call(py, "sign", (id, PyBytes::new(py, msg)))?, "sign"))
    }

    fn public_key(&self, id: &str) -> Result<Vec<u8>, ForeignError> {
        Python::attach(|py| bytes_of(&self.call(py, "public_key", (id,))?, "public_key"))
    }
}

/// A Python callable returning seconds since the epoch.
pub struct PyClock(pub Py<PyAny>);

impl ForeignClock for PyClock {
    fn now(&self) -> i64 {
        Python::attach(
            |py| match self.0.call0(py).and_then(|v| v.extract::<i64>(py)) {
                Ok(t) => t,
                Err(e) => {
                    // A clock cannot fail: report the exception and use the
                    // system time.
                    e.write_unraisable(py, Some(self.0.bind(py)));
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                }
            },
        )
    }
}

/// Runs the engine's Store conformance scenarios against stores returned by
/// `factory()` (a new, empty store per call); `only` limits the run to the
/// named scenarios (operation `testing.store_conformance`). The GIL is
/// released while the scenarios run (they use up to 8 threads).
#[pyfunction]
#[pyo3(signature = (factory, *, only = None))]
pub fn store_conformance(
    py: Python<'_>,
    factory: Py<PyAny>,
    only: Option<Vec<String>>,
) -> Vec<ConformanceResult> {
    let fresh = move || -> Arc<dyn ForeignStore> {
        let store = Python::attach(|py| factory.call0(py));
        match store {
            Ok(s) => Arc::new(PyStore(s)),
            Err(e) => Arc::new(FailedFactory(Python::attach(|py| {
                from_pyerr(py, &e, STORE_BACKEND)
            }))),
        }
    };
    let results = py.detach(|| run_store_conformance(&fresh, only.as_deref()));
    results
        .into_iter()
        .map(|r| ConformanceResult {
            name: r.name,
            passed: r.passed,
            message: r.message,
        })
        .collect()
}

/// Runs the KeyManager conformance scenarios against key managers returned
/// by `factory()` (a new, empty one per call); `only` limits the run to the
/// named scenarios (operation `testing.kms_conformance`). The GIL is
/// released while the scenarios run; a factory that raises fails the
/// scenario with its message.
#[pyfunction]
#[pyo3(signature = (factory, *, only = None))]
pub fn kms_conformance(
    py: Python<'_>,
    factory: Py<PyAny>,
    only: Option<Vec<String>>,
) -> Vec<ConformanceResult> {
    let fresh = move || -> Arc<dyn ForeignKeyManager> {
        match Python::attach(|py| factory.call0(py)) {
            Ok(k) => Arc::new(PyKeyManager(k)),
            Err(e) => {
                let msg = Python::attach(|py| from_pyerr(py, &e, KMS_BACKEND).message);
                panic!("the factory raised: {msg}")
            }
        }
    };
    let results = py
        .detach(|| credcycle_facade::kms_conformance::run_kms_conformance(&fresh, only.as_deref()));
    results
        .into_iter()
        .map(|r| ConformanceResult {
            name: r.name,
            passed: r.passed,
            message: r.message,
        })
        .collect()
}

/// Stands for a factory that raised: every call fails with its error.
struct FailedFactory(ForeignError);

impl ForeignStore for FailedFactory {
    fn get(&self, _: u32, _: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
        Err(self.0.clone())
    }
    fn scan(
        &self,
        _: u32,
        _: &[u8],
        _: Option<&[u8]>,
        _: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError> {
        Err(self.0.clone())
    }
    fn commit(&self, _: &[PlainOp]) -> Result<(), ForeignError> {
        Err(self.0.clone())
    }
}
