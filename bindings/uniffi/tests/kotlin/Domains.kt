// The domains beyond secrets, driven from Kotlin on each backend: webhook
// targets and client-side verification, the engine's JOSE keys and JWT
// verification, API tokens, machine identities, identities with sessions,
// and MFA with TOTP codes computed by the client helper.
package dev.credcycle.test

import dev.credcycle.*
import dev.credcycle.test.Harness.check

const val HOOK = "https://hooks.example.com/in"

/** Runs `body`, which must throw a `CredcycleException` with `code` (any variant). */
fun expectCode(code: UInt, body: () -> Unit): CredcycleException {
    try {
        body()
    } catch (e: CredcycleException) {
        expectEq(code, errorCode(e), "error code of $e")
        return e
    }
    throw AssertionFailed("expected code $code, nothing was thrown")
}

fun ecPair(): java.security.KeyPair =
    java.security.KeyPairGenerator.getInstance("EC").apply { initialize(java.security.spec.ECGenParameterSpec("secp256r1")) }.generateKeyPair()

fun pem(label: String, der: ByteArray): String =
    "-----BEGIN $label-----\n" + java.util.Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(der) + "\n-----END $label-----\n"

fun clientHelpers() {
    check("client: HOTP matches RFC 4226 appendix D; TOTP URI round trip") {
        val h = Totp(bytes("12345678901234567890"), "SHA1", 6u, 30u)
        val want = listOf("755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489")
        expectEq(want, (0uL until 10uL).map { h.hotp(it) }, "HOTP codes")
        val t = Totp(bytes("12345678901234567890"), digits = 8u)
        expectEq("94287082", t.codeAt(59L), "RFC 6238 T=59")
        expectEq(1L, t.verify("94287082", 59L, 1u), "matching step (59 / 30)")
        expectEq(null, t.verify("00000000", 59L, 1u), "wrong code")
        val uri = t.provisioningUri("shop", "alice@example.com")
        val back = Totp.fromUri(uri)
        expectEq(listOf("SHA1", "8", "30"), listOf(back.algorithm(), back.digits().toString(), back.period().toString()), "parameters")
        expectEq("shop", back.issuer(), "issuer")
        expectEq(t.codeAt(T0), back.codeAt(T0), "same codes")
        expectError<CredcycleException.InvalidInput>(1004u) { Totp(bytes("short"), "SHA1", 6u, 30u) }
        expectError<CredcycleException.InvalidInput>(1004u) { Totp(bytes("12345678901234567890"), "MD5", 6u, 30u) }
    }
    check("client: webhook signatures (Zitadel and Standard) verify, refuse tampering and replays") {
        val keys = listOf("whsec_" + java.util.Base64.getEncoder().encodeToString(ByteArray(32) { it.toByte() }))
        val body = bytes("""{"order":42}""")
        val header = signWebhookZitadel(keys, T0, body)
        expectEq(T0, verifyWebhookZitadel(header, body, keys, now = T0).timestamp, "timestamp")
        expectError<CredcycleException.VerificationFailed>(1006u) { verifyWebhookZitadel(header, bytes("{}"), keys, now = T0) }
        expectCode(1701u) { verifyWebhookZitadel(header, body, keys, now = T0 + 301) }
        val sig = signWebhookStandard(keys, "msg_1", T0, body)
        val headers = listOf(Header("webhook-id", "msg_1"), Header("webhook-timestamp", T0.toString()), Header("webhook-signature", sig))
        val guard = ReplayGuard.memory()
        expectEq("msg_1", verifyWebhookStandard(headers, body, keys, now = T0, guard = guard).messageId, "message id")
        expectCode(1702u) { verifyWebhookStandard(headers, body, keys, now = T0, guard = guard) }
        expectError<CredcycleException.InvalidInput>(1004u) { signWebhookZitadel(emptyList(), T0, body) }
    }
    check("client: resolve_client_ip walks X-Forwarded-For past trusted proxies") {
        expectEq("203.0.113.7", resolveClientIp("10.0.0.1", listOf("203.0.113.7", "10.0.0.2"), listOf("10.0.0.0/8")), "client")
        expectEq("10.0.0.1", resolveClientIp("10.0.0.1", listOf("203.0.113.7"), emptyList()), "untrusted peer")
        expectError<CredcycleException.InvalidInput>(1004u) { resolveClientIp("nope", emptyList(), emptyList()) }
    }
}

fun moreDomains(backend: Backend) {
    val p = "[${backend.name}]"
    val clock = ManualClock(T0)
    val engine = backend.open(clock)
    expectEq(T0, engine.now(), "engine clock")

    check("$p targets: sign, verify on the receiver side, rotate with grace") {
        val targets = engine.targets("shop")
        val c = targets.create("orders", HOOK)
        expect(c.signingKey.startsWith("whsec_")) { "signing key form" }
        expectEq(listOf("REST_WEBHOOK", "JSON", "ZITADEL"), listOf(c.target.targetType, c.target.payloadType, c.target.scheme), "defaults")
        expectEq(c.target, targets.get(c.target.id), "get")
        expect(targets.list().any { it.id == c.target.id }) { "list" }
        val body = bytes("""{"order":42}""")
        val req = targets.sign(c.target.id, body)
        expectBytes(body, req.body, "json body")
        val header = req.headers.first { it.name.equals("ZITADEL-Signature", ignoreCase = true) }.value
        verifyWebhookZitadel(header, body, listOf(c.signingKey), now = T0, guard = engine.webhookReplayGuard("receiver"))
        expectCode(1702u) { verifyWebhookZitadel(header, body, listOf(c.signingKey), now = T0, guard = engine.webhookReplayGuard("receiver")) }
        val rotated = targets.update(c.target.id, UpdateTargetOptions(expirationSigningKeySecs = 3600uL))
        val newKey = rotated.signingKey ?: throw AssertionFailed("no new key")
        val later = targets.signAt(c.target.id, body, T0 + 10)
        val h2 = later.headers.first { it.name.equals("ZITADEL-Signature", ignoreCase = true) }.value
        verifyWebhookZitadel(h2, body, listOf(newKey), now = T0 + 10)
        expectError<CredcycleException.InvalidInput>(1004u) { targets.create("bad", "not a url") }
        targets.delete(c.target.id)
        expectError<CredcycleException.NotFound>(1001u) { targets.get(c.target.id) }
    }
    check("$p jose + targets: JWT payloads verify against the engine JWKS") {
        val jose = engine.jose()
        val k1 = jose.currentKey()
        val targets = engine.targets("shop")
        val c = targets.create("jwt", HOOK, CreateTargetOptions(payloadType = "JWT"))
        val req = targets.sign(c.target.id, bytes("""{"event":"paid"}"""))
        val jwks = jose.jwks()
        val receiver = JwtValidation(audience = HOOK, issuer = "credcycle")
        val v = verifyJwt(req.body, jwks, receiver, T0)
        expectEq(k1.kid, v.kid, "kid")
        expect(v.claimsJson.contains("\"paid\"")) { v.claimsJson }
        expectError<CredcycleException.VerificationFailed>(1006u) { verifyJwt(req.body, jwks, JwtValidation(audience = "https://other"), T0) }
        val k2 = jose.rotateSigningKey()
        expect(k2.kid != k1.kid) { "rotation keeps the kid" }
        val jwt = jose.signJwt("""{"sub":"svc","exp":${T0 + 60}}""")
        val own = verifyJwt(bytes(jwt), jose.jwks(), JwtValidation(), T0)
        expect(own.claimsJson.contains("svc")) { "own JWT" }
        expectEq(k2.kid, own.kid, "signed with the new key")
        expectError<CredcycleException.VerificationFailed>(1006u) { verifyJwt(bytes(jwt), jose.jwks(), JwtValidation(), T0 + 3600) }
        val jws = jose.signJws("""{"typ":"demo"}""", bytes("payload"))
        expectEq(3, jws.split('.').size, "compact JWS")
        expectError<CredcycleException.InvalidInput>(1004u) { jose.signJwt("[1]") }
    }
    check("$p targets: JWE payloads decrypt on the receiver (PEM key from the JVM); encryption key management") {
        val targets = engine.targets("shop")
        val jwks = engine.jose().jwks()
        val receiver = JwtValidation(audience = HOOK, issuer = "credcycle")
        val pair = ecPair()
        val c = targets.create("jwe", HOOK, CreateTargetOptions(payloadType = "JWE", encryptionKeyPem = pem("PUBLIC KEY", pair.public.encoded)))
        val fp = c.target.encryptionKeys.single().fingerprint
        val req = targets.sign(c.target.id, bytes("""{"secret":"s3"}"""))
        expectEq(5, String(req.body).split('.').size, "compact JWE")
        val v = decryptJwe(req.body, pem("PRIVATE KEY", pair.private.encoded), jwks, receiver, now = T0)
        expect(v.claimsJson.contains("\"secret\":\"s3\"")) { v.claimsJson }
        expectError<CredcycleException.VerificationFailed>(1006u) {
            decryptJwe(req.body, pem("PRIVATE KEY", ecPair().private.encoded), jwks, receiver, now = T0)
        }
        val second = targets.addEncryptionKey(c.target.id, pem("PUBLIC KEY", ecPair().public.encoded), T0 + DAY)
        expect(!second.active) { "a new key is not active" }
        expectEq(2, targets.listEncryptionKeys(c.target.id).size, "two keys")
        targets.activateEncryptionKey(c.target.id, second.fingerprint)
        targets.removeEncryptionKey(c.target.id, fp)
        val left = targets.listEncryptionKeys(c.target.id)
        expectEq(listOf(second.fingerprint to true), left.map { it.fingerprint to it.active }, "left")
        expectError<CredcycleException.InvalidInput>(1004u) { targets.addEncryptionKey(c.target.id, "not a pem") }
    }
    check("$p tokens: authenticate, refresh, reuse detection, revoke") {
        val tok = engine.tokens("shop")
        val c = tok.create("ci", "PROXY", CreateTokenOptions(owner = EntityRef("alice", "u1")))
        expectEq(listOf("ACTIVE", "ALWAYS"), listOf(c.token.state, c.token.tokenRotation), "state, rotation")
        expectEq(c.token.id, tok.authenticate(c.value).token.id, "authenticates")
        expectError<CredcycleException.VerificationFailed>(1006u) { tok.authenticate("ccat_nope") }
        val refresh = c.refreshToken ?: throw AssertionFailed("no refresh token")
        val r = tok.refresh(refresh)
        tok.authenticate(r.value)
        expectCode(1401u) { tok.refresh(refresh) } // reuse of an exchanged refresh token
        expectCode(1007u) { tok.authenticate(r.value) } // the family is revoked
        val ext = tok.create("ext", "EXTENSION")
        expectEq("ci2", tok.update(ext.token.id, "ci2").name, "rename")
        expectEq("REVOKED", tok.revoke(ext.token.id).state, "revoked")
        expectError<CredcycleException.InvalidInput>(1004u) { tok.create("x", "BOGUS") }
        expect(tok.list().size >= 2) { "list" }
        expectEq("ci2", tok.get(ext.token.id).name, "get")
    }
    check("$p machine_auth: universal auth login, trusted IPs, use limits, renew, revoke") {
        val m = engine.machineAuth("shop")
        val id = m.createIdentity("builder")
        val ua = m.attachUniversalAuth(id.id, UniversalAuthSettings(clientSecretTrustedIps = listOf("10.0.0.0/8"), accessTokenTtl = 600u, accessTokenMaxTtl = 1200u))
        expectEq(ua, m.universalAuth(id.id), "settings")
        expectEq(ua, m.identity(id.id).universalAuth, "on the identity")
        expectEq(2u, m.updateUniversalAuth(id.id, UniversalAuthSettings(accessTokenNumUsesLimit = 2u)).accessTokenNumUsesLimit, "update")
        val cs = m.createClientSecret(id.id, "ci")
        expectEq(ua.clientId, cs.clientId, "client id")
        expectError<CredcycleException.Policy>(1005u) { m.login(cs.clientId, cs.secret, "192.168.1.1") }
        expectError<CredcycleException.InvalidInput>(1004u) { m.login(cs.clientId, cs.secret, "not-an-ip") }
        val g = m.login(cs.clientId, cs.secret, "10.1.2.3")
        expectEq("Bearer", g.tokenType, "token type")
        expectEq(600uL, g.expiresIn, "expires in")
        expectEq(1u, m.authenticate(g.accessToken, "10.1.2.3").numUses, "use 1")
        clock.advance(300)
        m.renew(g.accessToken)
        m.authenticate(g.accessToken, "10.1.2.3")
        expectCode(1007u) { m.authenticate(g.accessToken, "10.1.2.3") } // use limit reached
        val g2 = m.login(cs.clientId, cs.secret, "10.1.2.3")
        m.revoke(g2.accessToken)
        expectCode(1007u) { m.authenticate(g2.accessToken, "10.1.2.3") }
        expectEq("REVOKED", m.revokeClientSecret(id.id, cs.info.id).state, "secret revoked")
        expectEq(1, m.listClientSecrets(id.id).size, "listed")
        expect(m.listIdentities().any { it.id == id.id }) { "identities" }
        val cs2 = m.createClientSecret(id.id, "after revoke")
        val g3 = m.login(cs2.clientId, cs2.secret, "10.1.2.3")
        m.deleteIdentity(id.id)
        expectError<CredcycleException.VerificationFailed>(1006u) { m.authenticate(g3.accessToken, "10.1.2.3") }
        expectError<CredcycleException.NotFound>(1001u) { m.deleteIdentity(id.id) }
        expect(m.listIdentities().none { it.id == id.id }) { "deleted" }
    }
    check("$p identities + mfa: password login, sessions, TOTP enrollment and second factor") {
        val ids = engine.identities("shop")
        val mfa = engine.mfa("shop")
        val alice = ids.create("alice", """{"team":"ops"}""")
        expectEq(alice.id, ids.findByName("alice").id, "by name")
        expectError<CredcycleException.InvalidInput>(1004u) { ids.create("bob", "[1]") }
        val auth = ids.setPassword(alice.id, "alice", "correct horse battery")
        expectEq("updb", auth.method, "method")
        fun login(pw: String) = ids.authenticate(AuthInput.Password("alice", pw), envInfoJson = """{"os":"linux"}""")
        expectError<CredcycleException.VerificationFailed>(1006u) { login("wrong password!") }
        val s = login("correct horse battery")
        expect(s.token.startsWith("ccas_")) { "session token form" }
        expect(!s.session.mfaRequired) { "no MFA yet" }
        ids.validateSession(s.token, "orders.read")
        expectEq(alice.id, ids.currentIdentity(s.token).id, "me")
        val me = Subject.Session(s.token)
        expectEq(1, ids.authenticators(me).size, "authenticators")
        expectEq(auth.id, ids.authenticator(me, auth.id).id, "authenticator")
        expectEq(1, ids.sessions(me).size, "sessions")

        val en = mfa.enroll(me)
        expect(en.qrPng.size > 8 && en.qrPng[1] == 'P'.code.toByte()) { "PNG" }
        val totp = Totp.fromUri(en.provisioningUri)
        expectError<CredcycleException.VerificationFailed>(1006u) { mfa.verify(me, "000000".takeIf { it != totp.codeAt(T0) } ?: "111111") }
        mfa.verify(me, totp.codeAt(clock.now()))
        val st = mfa.status(me)
        expect(st.enrolled && st.verified) { "status" }
        expectEq(10u, st.recoveryCodesRemaining, "recovery codes")
        clock.advance(60)
        val s2 = login("correct horse battery")
        expect(s2.session.mfaRequired && !s2.session.mfaComplete) { "MFA owed" }
        expectCode(1502u) { ids.validateSession(s2.token, "orders.read") }
        expect(mfa.authenticateMfa(s2.token, totp.codeAt(clock.now())).mfaComplete) { "second factor" }
        ids.validateSession(s2.token, "orders.read")
        clock.advance(60)
        val s3 = login("correct horse battery")
        mfa.authenticateMfa(s3.token, en.recoveryCodes[0])
        val s4 = login("correct horse battery")
        expectCode(1006u) { mfa.authenticateMfa(s4.token, en.recoveryCodes[0]) } // used once
        ids.logout(s4.token)
        expectCode(1006u) { ids.currentSession(s4.token) }
        val admin = Subject.Identity(alice.id)
        clock.advance(60)
        expectEq(10, mfa.regenerateRecoveryCodes(admin, totp.codeAt(clock.now())).size, "new codes")
        mfa.remove(alice.id)
        expect(!mfa.status(admin).enrolled) { "removed" }
        ids.markPasswordCompromised(auth.id)
        expect(ids.authenticators(admin).single().passwordChangeRequired) { "change required" }
        ids.deleteAuthenticator(auth.id)
        expectEq(0, ids.authenticators(admin).size, "deleted")
        expectEq(0u, ids.purgeExpiredSessions(), "nothing expired yet")
        ids.delete(alice.id)
        expectError<CredcycleException.NotFound>(1001u) { ids.get(alice.id) }
    }
    check("$p identities: authenticator changes, certificates, external JWT signers; MFA disable and recovery codes") {
        val ids = engine.identities("shop")
        val mfa = engine.mfa("shop")
        val carol = ids.create("carol")
        val admin = Subject.Identity(carol.id)
        val auth = ids.setPassword(carol.id, "carol", "correct horse battery")
        fun login(user: String, pw: String) = ids.authenticate(AuthInput.Password(user, pw))
        val patched = ids.patchAuthenticator(admin, auth.id, "correct horse battery", password = "another long passphrase", tagsJson = "null")
        expectEq("{}", patched.tagsJson, "tags cleared")
        expectError<CredcycleException.VerificationFailed>(1006u) { login("carol", "correct horse battery") }
        expectError<CredcycleException.VerificationFailed>(1006u) {
            ids.patchAuthenticator(admin, auth.id, "wrong current password", password = "x long passphrase")
        }
        val upd = ids.updateAuthenticator(admin, auth.id, "carol2", "third long passphrase", "another long passphrase", """{"k":"v"}""")
        expectEq("carol2", upd.username, "username")
        login("carol2", "third long passphrase")
        val cert = ids.addCertAuthenticator(carol.id, "a".repeat(64))
        expectEq("cert", cert.method, "cert method")
        ids.deleteAuthenticator(cert.id)

        val jose = engine.jose()
        val signer = ids.createExtJwtSigner("idp", "https://idp.example", "shop", jose.jwks(), false, claimMatch = "name")
        expectEq("name", signer.claimMatch, "claim match")
        expectEq(1, ids.extJwtSigners().size, "signers")
        val jwt = jose.signJwt("""{"iss":"https://idp.example","aud":"shop","sub":"carol","exp":${clock.now() + 600}}""")
        expectEq(carol.id, ids.authenticate(AuthInput.ExtJwt(jwt)).session.identityId, "ext-jwt login")
        val forged = jose.signJwt("""{"iss":"https://other.example","aud":"shop","sub":"carol","exp":${clock.now() + 600}}""")
        expectCode(1006u) { ids.authenticate(AuthInput.ExtJwt(forged)) }
        ids.deleteExtJwtSigner(signer.id)
        expectEq(0, ids.extJwtSigners().size, "signer deleted")

        val en = mfa.enroll(admin)
        val totp = Totp.fromUri(en.provisioningUri)
        val svg = mfa.qrCode(admin, "svg")
        expect(String(svg).contains("<svg")) { "svg" }
        expectError<CredcycleException.InvalidInput>(1004u) { mfa.qrCode(admin, "gif") }
        clock.advance(30)
        mfa.verify(admin, totp.codeAt(clock.now()))
        // The QR code exists only while the enrollment is unverified.
        expectError<CredcycleException.NotFound>(1001u) { mfa.qrCode(admin, "svg") }
        clock.advance(30)
        val view = mfa.viewRecoveryCodes(admin, totp.codeAt(clock.now()))
        expectEq(10u, view.remaining, "remaining")
        expectEq(null, view.codes, "codes are not viewable by default")
        clock.advance(30)
        mfa.disable(admin, totp.codeAt(clock.now()))
        expect(!mfa.status(admin).enrolled) { "disabled" }
    }
}
