"""credcycle: an embeddable credential lifecycle engine.

>>> import credcycle
>>> engine = credcycle.Engine.memory()
>>> secrets = engine.secrets("shop")
>>> secrets.create("db-password", value=b"hunter2").state
'ENABLED'
>>> secrets.get_value("db-password").value
b'hunter2'
"""

from __future__ import annotations

from . import exceptions
from ._native import (
    OPERATIONS,
    AuditEvent,
    AuditTrail,
    ConformanceResult,
    KeyInfo,
    RewrapResult,
    SecretInfo,
    SecretValue,
    SecretVersion,
    StoreOp,
    __version__,
    generate_root_key,
    parse_root_key,
    store_conformance,
    version,
)
from ._native import Audit as Audit
from ._native import Engine as Engine
from ._native import Kms as Kms
from ._native import Secrets as Secrets
from .exceptions import (
    BindingError,
    Conflict,
    CredcycleError,
    InternalError,
    InvalidInput,
    InvalidState,
    KeyManagerError,
    NotFound,
    PolicyViolation,
    StoreError,
    VerificationFailed,
)
from .protocols import Clock, KeyManager, Store

__all__ = [
    "OPERATIONS",
    "Audit",
    "AuditEvent",
    "AuditTrail",
    "BindingError",
    "Clock",
    "ConformanceResult",
    "Conflict",
    "CredcycleError",
    "Engine",
    "InternalError",
    "InvalidInput",
    "InvalidState",
    "KeyInfo",
    "KeyManager",
    "KeyManagerError",
    "Kms",
    "NotFound",
    "PolicyViolation",
    "RewrapResult",
    "SecretInfo",
    "SecretValue",
    "SecretVersion",
    "Secrets",
    "Store",
    "StoreError",
    "StoreOp",
    "VerificationFailed",
    "__version__",
    "exceptions",
    "generate_root_key",
    "parse_root_key",
    "store_conformance",
    "version",
]
