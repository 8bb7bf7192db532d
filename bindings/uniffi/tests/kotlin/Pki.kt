// The PKI and enrollment domains driven from Kotlin: the tenant CA, an ott
// enrollment with a key and CSR made by the binding, certificate
// authentication, extension, the challenge, and the codes 1601 and 1650.
package dev.credcycle.test

import dev.credcycle.*
import dev.credcycle.test.Harness.check

const val NONCE = "3c1d7a52-8b0e-4f43-9a61-5d2e8c4b7f90"

fun pkiEnrollment(backend: Backend) {
    val p = "[${backend.name}]"
    val clock = ManualClock(T0)
    val engine = backend.open(clock)
    val pki = engine.pki("acme")
    check("$p pki: create, bundle, issue, verify; a foreign chain is code 1601") {
        expectError<CredcycleException.NotFound>(1001u) { pki.ca() }
        val ca = pki.createCa("acme root", "acme.example", CreateCaOptions(algorithm = "p384"))
        expectEq("EC P-384", ca.keyType, "key type")
        expect(ca.certificate.isCa && !ca.imported) { "a self-signed CA" }
        expectEq(ca.chainPem, pki.bundlePem(), "bundle")
        expect(pki.bundlePkcs7Base64().isNotEmpty()) { "pkcs7" }
        expectError<CredcycleException.Conflict>(1003u) { pki.createCa("again", "acme.example", CreateCaOptions()) }
        val key = generateKeyAndCsr("ed25519", "device-1", emptyList(), emptyList())
        expect(key.keyPkcs8Pem.startsWith("-----BEGIN PRIVATE KEY-----")) { "pkcs8" }
        val cert = pki.issue(key.csrPem, IssueProfile("client", "id-1", emptyList(), emptyList(), false))
        expectEq("spiffe://acme.example/identity/id-1", cert.spiffeId, "spiffe id")
        expectEq(cert.fingerprint, pki.verifyClientChain(cert.chainPem).leaf.fingerprint, "verified leaf")
        expectError<CredcycleException.InvalidInput>(1004u) {
            pki.issue(key.csrPem, IssueProfile("server", "id-1", emptyList(), emptyList(), false))
        }
        expectError<CredcycleException.InvalidInput>(1004u) { generateKeyAndCsr("rsa", "x", emptyList(), emptyList()) }
        val other = engine.pki("other")
        other.createCa("other root", "other.example", CreateCaOptions())
        val foreign = other.issue(key.csrPem, IssueProfile("client", "id-1", emptyList(), emptyList(), false))
        expectError<CredcycleException.VerificationFailed>(1601u) { pki.verifyClientChain(foreign.chainPem) }
    }
    check("$p enrollment: ott with a binding CSR, reuse is 1650, authenticate, extend") {
        val ids = engine.identities("acme")
        val en = engine.enrollment("acme")
        val alice = ids.create("alice", null)
        val n = en.create(alice.id, EnrollmentSpec("ott", dnsNames = emptyList(), ipAddresses = emptyList()))
        expectEq("PENDING", n.enrollment.state, "state")
        val key = generateKeyAndCsr("p256", "alice-laptop", emptyList(), emptyList())
        val cert = en.enrollOtt(n.jwt, key.csrPem)
        expectEq(alice.id, cert.identityId, "identity")
        expectError<CredcycleException.State>(1650u) { en.enrollOtt(n.jwt, key.csrPem) }
        expectEq("USED", en.get(alice.id, "ott").state, "used")
        val who = en.authorizeChain(cert.chainPem)
        expectEq(cert.authenticatorId, who.authenticatorId, "authenticator")
        expectEq(who, en.certOwner(cert.certificatePem), "owner")
        expect(en.requestKeyRoll(cert.authenticatorId).requestKeyRoll) { "key roll requested" }
        clock.advance(3600)
        val me = Subject.Identity(alice.id)
        val key2 = generateKeyAndCsr("p256", "alice-laptop", emptyList(), emptyList())
        val ext = en.extend(me, cert.authenticatorId, cert.certificatePem, key2.csrPem)
        expectEq(ext.fingerprint, en.certStatus(me, cert.authenticatorId).pendingFingerprint, "pending")
        val done = en.extendVerify(me, cert.authenticatorId, ext.certificatePem)
        expectEq(true, done.lastExtendKeyChanged, "key changed")
        expect(!done.requestKeyRoll) { "key roll request cleared by a new key" }
        expectError<CredcycleException.VerificationFailed>(1006u) { en.authorizeChain(cert.chainPem) }
        en.delete(alice.id, "ott")
        expectError<CredcycleException.NotFound>(1001u) { en.get(alice.id, "ott") }
    }
    check("$p enrollment: the challenge verifies on the client; a forged CA pool does not") {
        val en = engine.enrollment("acme")
        val jwks = en.jwks()
        val ch = en.challenge(en.currentKid(), NONCE)
        verifyChallenge(jwks, NONCE, ch)
        expectError<CredcycleException.VerificationFailed>(1006u) { verifyChallenge(jwks, NONCE, ch.copy(caPool = "")) }
        val old = ch.kid
        expect(en.rotateSigningKey() != old) { "new kid" }
        expectError<CredcycleException.State>(1007u) { en.challenge(old, NONCE) }
    }
    check("$p enrollment: updb and router, reissue, session certs, external CA with ottca and auto-enrollment, import") {
        val ids = engine.identities("acme")
        val en = engine.enrollment("acme")
        val none = emptyList<String>()
        val bob = ids.create("bob", null)
        val first = en.create(bob.id, EnrollmentSpec("updb", username = "bobby", dnsNames = none, ipAddresses = none))
        val again = en.reissue(bob.id, "updb")
        expect(first.jwt != again.jwt) { "new token" }
        expectError<CredcycleException.VerificationFailed>(1006u) { en.enrollUpdb(first.jwt, "bobby", "correct horse battery") }
        expectEq("updb", en.enrollUpdb(again.jwt, "bobby", "correct horse battery").method, "updb")
        expectEq(1, en.list(bob.id).size, "one enrollment")

        val router = ids.create("router-1", null)
        val rn = en.create(router.id, EnrollmentSpec("router", dnsNames = listOf("r1.acme.example"), ipAddresses = listOf("192.0.2.1")))
        fun csr(cn: String) = generateKeyAndCsr("p256", cn, none, none).csrPem
        val server = csr("router-1")
        val rc = en.enrollRouter(rn.jwt, csr("router-1"), server)
        expect(rc.serverChainPem.startsWith(rc.serverCertificatePem)) { "server chain" }
        expect(en.requestExtend(rc.client.authenticatorId).requestExtend) { "requested" }
        val rc2 = en.extendRouter(Subject.Identity(router.id), rc.client.authenticatorId, rc.client.certificatePem, csr("router-1"), server)
        expect(rc2.client.fingerprint != rc.client.fingerprint) { "new client cert" }

        val s = ids.authenticate(AuthInput.Password("bobby", "correct horse battery"))
        val sc = en.createSessionCert(s.token, csr("bob-session"))
        expectEq(listOf(sc), en.listSessionCerts(s.token), "session certs")
        expectEq(sc, en.getSessionCert(s.token, sc.id), "session cert")
        expectEq(sc.sessionId, en.authorizeChain(sc.chainPem).sessionId, "session principal")
        en.deleteSessionCert(s.token, sc.id)
        expectError<CredcycleException.NotFound>(1001u) { en.getSessionCert(s.token, sc.id) }

        val partner = engine.pki("partner")
        partner.createCa("partner root", "partner.example", CreateCaOptions())
        val pca = partner.ca()
        val xca = en.registerCa(pca.certificate.pem, ExternalCaOptions("partner", true, true, true))
        expectEq(listOf(xca), en.listCas(), "external CAs")
        val proof = partner.issue(csr("proof"), IssueProfile("client", xca.verificationToken!!, none, none, false))
        expect(en.verifyCa(xca.id, proof.pem).verified) { "verified" }
        val device = partner.issue(csr("d"), IssueProfile("client", "device-7", none, none, false))
        val auto = en.enrollCaAuto(device.chainPem)
        expectEq("partner-device-7", ids.get(auto.identityId).name, "auto-enrolled name")
        expectError<CredcycleException.Conflict>(1003u) { en.enrollCaAuto(device.chainPem) }
        val carol = ids.create("carol", null)
        val on = en.create(carol.id, EnrollmentSpec("ottca", caId = xca.id, dnsNames = none, ipAddresses = none))
        val leaf = partner.issue(csr("c"), IssueProfile("client", "carol-laptop", none, none, false))
        expectEq(carol.id, en.enrollOttca(on.jwt, leaf.chainPem).identityId, "ottca")
        en.deleteCa(xca.id)
        expectError<CredcycleException.NotFound>(1001u) { en.getCa(xca.id) }

        val imported = engine.pki("third").importCa(pca.chainPem, pca.keyId, "third.example")
        expect(imported.imported) { "imported" }
    }
    check("$p certificates: verify_certificate (internal, external once verified, purpose, time), verify_chain, renew") {
        val none = emptyList<String>()
        fun csr(cn: String) = generateKeyAndCsr("p256", cn, none, none).csrPem
        val pki = engine.pki("verify")
        val ca = pki.createCa("verify root", "verify.example", CreateCaOptions())
        val en = engine.enrollment("verify")
        val now = engine.now()
        val cert = pki.issue(csr("device"), IssueProfile("client", "id-1", none, none, false))
        val v = en.verifyCertificate(cert.chainPem)
        expectEq("internal", v.anchor, "anchor")
        expectEq(1u, v.depth, "depth")
        expectEq(listOf(cert.fingerprint, ca.certificate.fingerprint), v.pathFingerprints, "path")
        expectEq("id-1", v.commonName, "common name")
        val rej = expectError<CredcycleException.VerificationFailed>(1601u) {
            en.verifyCertificate(cert.pem, purpose = "server")
        }
        expect(errorParts(rej).second.contains("serverAuth")) { "reason names the purpose" }
        expectError<CredcycleException.VerificationFailed>(1601u) { en.verifyCertificate(cert.pem, at = cert.notAfter + 1) }
        expectError<CredcycleException.InvalidInput>(1004u) { en.verifyCertificate(cert.pem, purpose = "email") }
        val partner = engine.pki("vpartner")
        val pca = partner.createCa("partner root", "vpartner.example", CreateCaOptions())
        val device = partner.issue(csr("d"), IssueProfile("client", "device-7", none, none, false))
        expectError<CredcycleException.VerificationFailed>(1601u) { en.verifyCertificate(device.pem) }
        val xca = en.registerCa(pca.certificate.pem, ExternalCaOptions("partner", false, false, false))
        expectError<CredcycleException.VerificationFailed>(1601u) { en.verifyCertificate(device.pem) }
        en.verifyCa(xca.id, partner.issue(csr("p"), IssueProfile("client", xca.verificationToken!!, none, none, false)).pem)
        val x = en.verifyCertificate(device.pem)
        expectEq("external", x.anchor, "external anchor")
        expectEq(xca.id, x.caId, "external CA id")

        val vc = verifyChain(ca.chainPem, cert.pem, at = now)
        expectEq(cert.fingerprint, vc.leaf.fingerprint, "verify_chain leaf")
        expectError<CredcycleException.VerificationFailed>(1601u) { verifyChain(pca.chainPem, cert.pem) }
        expectError<CredcycleException.InvalidInput>(1004u) { verifyChain("junk", cert.pem) }

        clock.advance(60)
        val renewed = pki.renew(cert.chainPem, null, IssueProfile("client", "id-1", none, none, false))
        expect(renewed.serialHex != cert.serialHex) { "new serial" }
        expect(renewed.notBefore > cert.notBefore && renewed.notAfter > cert.notAfter) { "fresh validity" }
        pki.renew(cert.pem, csr("device"), IssueProfile("client", "id-1", none, none, false))
        expectError<CredcycleException.InvalidInput>(1004u) {
            pki.renew(device.pem, null, IssueProfile("client", "id-1", none, none, false))
        }
    }
    check("$p enrollment JWTs: parse and verify on the client") {
        val ids = engine.identities("verify")
        val en = engine.enrollment("verify")
        val dave = ids.create("dave", null)
        val n = en.create(dave.id, EnrollmentSpec("ott", dnsNames = emptyList(), ipAddresses = emptyList()))
        val c = parseEnrollmentJwt(n.jwt)
        expectEq("ott", c.method, "method")
        expectEq(dave.id, c.sub, "sub")
        expectEq(en.currentKid(), c.kid, "kid")
        expect(c.jti.startsWith("ccen_")) { "one-time token" }
        expectEq(c, verifyEnrollmentJwt(n.jwt, en.jwks(), "credcycle", engine.now()), "verified claims")
        expectError<CredcycleException.VerificationFailed>(1006u) { verifyEnrollmentJwt(n.jwt, en.jwks(), "other") }
        expectError<CredcycleException.State>(1007u) { verifyEnrollmentJwt(n.jwt, en.jwks(), "credcycle", c.exp) }
        expectError<CredcycleException.InvalidInput>(1004u) { parseEnrollmentJwt("not.a.jwt") }
    }
}
