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
    AccessTokenGrant,
    AccessTokenInfo,
    ApiToken,
    Authenticator,
    ClientSecretInfo,
    CreatedClientSecret,
    CreatedTarget,
    CreatedToken,
    EncryptionKeyInfo,
    EntityRef,
    ExtJwtSigner,
    Identity,
    MachineIdentity,
    MfaEnrollment,
    MfaStatus,
    NewSession,
    RecoveryCodes,
    Refreshed,
    Session,
    SignedRequest,
    SigningKeyInfo,
    TargetInfo,
    TargetUpdate,
    TokenSigningKey,
    TokenUse,
    UniversalAuth,
    VerifiedJwt,
    VerifiedWebhook,
    decrypt_jwe,
    resolve_client_ip,
    sign_webhook_standard,
    sign_webhook_zitadel,
    verify_jwt,
    verify_webhook_standard,
    verify_webhook_zitadel,
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
    kms_conformance,
    store_conformance,
    version,
)
from ._native import Audit as Audit
from ._native import Identities as Identities
from ._native import Jose as Jose
from ._native import MachineAuth as MachineAuth
from ._native import Mfa as Mfa
from ._native import ReplayGuard as ReplayGuard
from ._native import Targets as Targets
from ._native import Tokens as Tokens
from ._native import Totp as Totp
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
    "Targets",
    "Jose",
    "Tokens",
    "MachineAuth",
    "Identities",
    "Mfa",
    "Totp",
    "ReplayGuard",
    "SigningKeyInfo",
    "EncryptionKeyInfo",
    "TargetInfo",
    "CreatedTarget",
    "TargetUpdate",
    "SignedRequest",
    "TokenSigningKey",
    "VerifiedJwt",
    "VerifiedWebhook",
    "EntityRef",
    "ApiToken",
    "CreatedToken",
    "TokenUse",
    "Refreshed",
    "UniversalAuth",
    "MachineIdentity",
    "ClientSecretInfo",
    "CreatedClientSecret",
    "AccessTokenInfo",
    "AccessTokenGrant",
    "Identity",
    "Authenticator",
    "ExtJwtSigner",
    "Session",
    "NewSession",
    "MfaEnrollment",
    "MfaStatus",
    "RecoveryCodes",
    "verify_webhook_zitadel",
    "verify_webhook_standard",
    "sign_webhook_zitadel",
    "sign_webhook_standard",
    "verify_jwt",
    "decrypt_jwe",
    "resolve_client_ip",
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
    "kms_conformance",
    "version",
]
