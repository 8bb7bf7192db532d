"""The audit domain through the binding."""

from __future__ import annotations

import pytest

import credcycle

from .conftest import T0


def test_events_and_chain(engine: credcycle.Engine) -> None:
    s = engine.with_actor("alice").secrets("shop")
    s.create("db", value=b"x")
    s.put_value("db", b"y")
    s.freeze("db")
    trail = engine.audit("shop").events("secret:db")
    assert trail.chain_valid
    assert [e.action for e in trail.events] == ["secret.create", "secret.put_value", "secret.freeze"]
    assert [e.seq for e in trail.events] == [1, 2, 3]
    first = trail.events[0]
    assert (first.actor, first.subject, first.outcome, first.time) == ("alice", "secret:db", "ok", T0)
    empty = engine.audit("shop").events("secret:none")
    assert empty.events == [] and empty.chain_valid
    with pytest.raises(credcycle.InvalidInput):
        engine.audit("shop").events("a/b")
