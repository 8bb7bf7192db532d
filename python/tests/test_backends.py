"""PostgreSQL store and PKCS#11 key manager through the binding, on the
throwaway server and SoftHSM2 token of scripts/services.sh (skipped without
them, unless CREDCYCLE_REQUIRE_SERVICES=1 makes that a failure)."""

from __future__ import annotations

import os
from typing import Dict, Optional

import pytest

import credcycle


def service(var: str) -> Optional[str]:
    value = os.environ.get(var)
    if value:
        return value
    if os.environ.get("CREDCYCLE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{var} is not set and CREDCYCLE_REQUIRE_SERVICES=1")
    return None


def test_postgres_store_with_a_pkcs11_token() -> None:
    url, spec = service("CREDCYCLE_TEST_PG_URL"), service("CREDCYCLE_TEST_PKCS11")
    if url is None or spec is None:
        pytest.skip("run under scripts/services.sh for PostgreSQL and SoftHSM2")
    fields: Dict[str, str] = dict(p.split("=", 1) for p in spec.split(";") if "=" in p)
    run = f"py-{os.getpid()}"
    engine = credcycle.Engine.open(
        postgres_url=url,
        pkcs11_module=fields["module"],
        pkcs11_token=fields["token"],
        pkcs11_pin_env=fields["pin-env"],
        pkcs11_namespace=run,
    )
    engine.ensure_default_key()
    s = engine.secrets(run)
    s.create("db", value=b"pg+hsm")
    assert s.get_value("db").value == b"pg+hsm"
    engine.kms().create_key(f"sig-{run}", "p256")
    assert len(engine.kms().sign(f"sig-{run}", b"m")) == 64
    with pytest.raises(credcycle.StoreError):
        credcycle.Engine.open(postgres_url="postgres://nobody@127.0.0.1:1/none", root_key=bytes(32))
    with pytest.raises(ValueError):
        credcycle.Engine.open(path="x.db", postgres_url=url, root_key=bytes(32))
    with pytest.raises(ValueError):
        credcycle.Engine.memory(pkcs11_module=fields["module"], pkcs11_token=fields["token"])
