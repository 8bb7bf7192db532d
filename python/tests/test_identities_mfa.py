"""Identities, password and certificate authenticators, external JWT
signers, API sessions and TOTP second factors through the binding."""

from __future__ import annotations

import pyotp
import pytest

import credcycle

from .conftest import T0


def test_identities_sessions_and_mfa() -> None:
    now = [T0]
    e = credcycle.Engine.memory(clock=lambda: now[0])
    ids, mfa = e.identities("shop"), e.mfa("shop")
    alice = ids.create("alice", tags={"team": "ops", "admin": True})
    assert alice.tags == {"team": "ops", "admin": True}
    assert ids.find_by_name("alice") == alice
    with pytest.raises(credcycle.InvalidInput):
        ids.create("bob", tags={"n": 1})  # type: ignore[dict-item]
    auth = ids.set_password(alice.id, "alice", "correct horse battery")
    assert auth.method == "updb"

    def login(pw: str) -> credcycle.NewSession:
        return ids.authenticate(username="alice", password=pw, env_info={"os": "linux"})

    with pytest.raises(credcycle.VerificationFailed):
        login("wrong password!")
    s = login("correct horse battery")
    assert s.token.startswith("ccas_") and s.token not in repr(s)
    assert s.session.env_info == {"os": "linux"}
    ids.validate_session(s.token, "orders.read")
    assert ids.current_identity(s.token).id == alice.id
    assert [a.id for a in ids.authenticators(session=s.token)] == [auth.id]
    assert ids.authenticator(auth.id, identity=alice.id).id == auth.id
    assert len(ids.sessions(session=s.token)) == 1
    with pytest.raises(ValueError):
        ids.sessions()

    enrollment = mfa.enroll(session=s.token)
    assert enrollment.qr_png.startswith(b"\x89PNG")
    assert "otpauth" not in repr(enrollment)
    assert mfa.qr_code(session=s.token, format="svg").lstrip().startswith(b"<")
    app = pyotp.parse_uri(enrollment.provisioning_uri)
    assert isinstance(app, pyotp.TOTP)
    with pytest.raises(credcycle.VerificationFailed):
        mfa.verify("000000" if app.at(T0) != "000000" else "111111", session=s.token)
    mfa.verify(app.at(T0), session=s.token)
    st = mfa.status(identity=alice.id)
    assert (st.enrolled, st.verified, st.recovery_codes_remaining) == (True, True, 10)

    now[0] = T0 + 60
    s2 = login("correct horse battery")
    assert s2.session.mfa_required and not s2.session.mfa_complete
    with pytest.raises(credcycle.InvalidState) as owed:
        ids.validate_session(s2.token, "orders.read")
    assert owed.value.code == 1502
    assert mfa.authenticate_mfa(s2.token, app.at(now[0])).mfa_complete
    now[0] = T0 + 120
    s3 = login("correct horse battery")
    mfa.authenticate_mfa(s3.token, enrollment.recovery_codes[0])
    s4 = login("correct horse battery")
    with pytest.raises(credcycle.VerificationFailed):
        mfa.authenticate_mfa(s4.token, enrollment.recovery_codes[0])

    now[0] = T0 + 180
    assert len(mfa.regenerate_recovery_codes(app.at(now[0]), identity=alice.id)) == 10
    now[0] = T0 + 210
    assert mfa.view_recovery_codes(app.at(now[0]), identity=alice.id).remaining == 10

    changed = ids.patch_authenticator(auth.id, current_password="correct horse battery",
                                      password="another long passphrase", clear_tags=True,
                                      identity=alice.id)
    assert changed.tags == {}
    upd = ids.update_authenticator(auth.id, username="alice2", password="third long passphrase",
                                   current_password="another long passphrase",
                                   tags={"k": "v"}, identity=alice.id)
    assert (upd.username, upd.tags) == ("alice2", {"k": "v"})
    assert ids.mark_password_compromised(auth.id).password_change_required

    now[0] = T0 + 240
    mfa.disable(app.at(now[0]), identity=alice.id)
    assert not mfa.status(identity=alice.id).enrolled
    mfa.enroll(identity=alice.id)
    mfa.remove(alice.id)

    cert = ids.add_cert_authenticator(alice.id, "a" * 64)
    ids.delete_authenticator(cert.id)
    signer = ids.create_ext_jwt_signer("idp", issuer="https://idp.example", audience="shop",
                                       jwks=e.jose().jwks(), claim_match="name")
    assert [x.id for x in ids.ext_jwt_signers()] == [signer.id]
    jwt = e.jose().sign_jwt({"iss": "https://idp.example", "aud": "shop", "sub": "alice",
                             "exp": now[0] + 600})
    assert ids.authenticate(ext_jwt=jwt).session.identity_id == alice.id
    ids.delete_ext_jwt_signer(signer.id)

    ids.logout(s.token)
    with pytest.raises(credcycle.VerificationFailed):
        ids.current_session(s.token)
    now[0] = T0 + 10 * 86_400
    assert ids.purge_expired_sessions() >= 1
    ids.delete(alice.id)
    with pytest.raises(credcycle.NotFound):
        ids.get(alice.id)
    assert ids.list() == []


def test_policy_reaches_mfa_and_is_validated() -> None:
    e = credcycle.Engine.memory(policy={"totp_digits": 8, "mfa_issuer": "Shop"})
    a = e.identities("t").create("a")
    uri = e.mfa("t").enroll(identity=a.id).provisioning_uri
    k = credcycle.Totp.from_uri(uri)
    assert (k.digits, k.issuer) == (8, "Shop")
    with pytest.raises(credcycle.InvalidInput) as err:
        credcycle.Engine.memory(policy={"totp_digits": 9})
    assert "totp_digits" in err.value.message
    with pytest.raises(ValueError):
        credcycle.Engine.memory(policy={"no_such_knob": 1})
