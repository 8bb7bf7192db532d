// The Kotlin test program of the credcycle bindings: every domain of the
// facade on SQLite and on a Kotlin-implemented Store, the store conformance
// scenarios driven from Kotlin, Kotlin KeyManager and Clock, and the parity
// of the generated bindings with the facade's list of operations.
package dev.credcycle.test

import dev.credcycle.*
import dev.credcycle.test.Harness.check
import java.nio.file.Files
import java.security.KeyFactory
import java.security.Signature
import java.security.spec.X509EncodedKeySpec
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

const val DAY = 86_400L
const val T0 = 1_800_000_000L

/** One way of opening engines for the domain suite. */
class Backend(val name: String, val open: (clock: Clock) -> Engine)

fun lowerCamel(snake: String): String =
    snake.split('_').mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar { it.uppercase() } }.joinToString("")

fun bytes(s: String) = s.toByteArray(Charsets.UTF_8)

fun verifyP256(spki: ByteArray, msg: ByteArray, sig: ByteArray): Boolean {
    val pub = KeyFactory.getInstance("EC").generatePublic(X509EncodedKeySpec(spki))
    return Signature.getInstance("SHA256withECDSAinP1363Format").run {
        initVerify(pub)
        update(msg)
        verify(sig)
    }
}

fun parity() {
    check("parity: every facade operation has a uniffi counterpart") {
        val listed = bindingOperations().map { it.operation }.toSet()
        val pending = pendingOperations().toSet()
        val missing = facadeOperations().filter { it !in listed && it !in pending }
        expect(missing.isEmpty()) { "facade operations without a counterpart: $missing" }
        expectEq(facadeOperations().size, bindingOperations().size + pending.size, "counterpart count")
        if (pending.isNotEmpty()) println("     pending (not yet in the bindings): ${pending.size}")
    }
    check("parity: every counterpart exists in the generated Kotlin") {
        val absent = bindingOperations().filter { op ->
            val name = lowerCamel(op.name)
            // A constructor named `new` is the Kotlin class's own constructor.
            if (op.name == "new") return@filter Class.forName("dev.credcycle.${op.owner}").constructors.none { it.parameterCount > 0 }
            val classes = if (op.owner.isEmpty()) {
                listOf(Class.forName("dev.credcycle.Credcycle_uniffiKt"))
            } else {
                listOf(Class.forName("dev.credcycle.${op.owner}"), Class.forName("dev.credcycle.${op.owner}\$Companion"))
            }
            // Kotlin mangles the JVM name of a function taking unsigned
            // (inline class) arguments: `listPage-<hash>`.
            classes.none { c -> c.methods.any { it.name == name || it.name.startsWith("$name-") } }
        }
        expect(absent.isEmpty()) { "not in the generated bindings: ${absent.map { it.operation }}" }
    }
}

fun client() {
    check("client: version is MAJOR.MINOR.PATCH") {
        expect(Regex("""\d+\.\d+\.\d+""").matches(version())) { version() }
    }
    check("client: root keys generate and parse (hex and base64)") {
        val key = generateRootKey()
        expectEq(32, key.size, "root key size")
        expect(!key.contentEquals(generateRootKey())) { "two root keys are equal" }
        expectBytes(key, parseRootKey(key.toHex() + "\n"), "hex")
        expectBytes(key, parseRootKey(java.util.Base64.getEncoder().encodeToString(key)), "base64")
        val e = expectError<CredcycleException.InvalidInput>(1004u) { parseRootKey("nope-not-a-key") }
        expect(!errorReason(e).contains("nope")) { "reason repeats the input: ${errorReason(e)}" }
        expect(errorReason(e).contains("root_key")) { "reason does not name the field: ${errorReason(e)}" }
    }
    check("client: opening with a short root key is InvalidInput") {
        expectError<CredcycleException.InvalidInput>(1004u) {
            Engine.open(EngineConfig(StoreConfig.Memory, KmsConfig.Local(ByteArray(31))))
        }
    }
}

/** Every domain of the facade, on engines opened by `backend`. */
fun domains(backend: Backend) {
    val p = "[${backend.name}]"
    val clock = ManualClock(T0)
    val engine = backend.open(clock).withActor("kotlin-test")
    expectEq("kotlin-test", engine.actor(), "actor")
    engine.ensureDefaultKey()
    val secrets = engine.secrets("shop")

    check("$p secrets: create, read, metadata") {
        val info = secrets.create("db-password", CreateSecretOptions(value = SecretInput.Bytes(bytes("hunter2")), description = "the db"))
        expectEq("ENABLED", info.state, "state")
        expectEq("db-password", info.name, "name")
        expectEq("the db", info.description, "description")
        expectEq(listOf("CURRENT"), info.versions.single().labels, "labels")
        expectEq(T0, info.createTime, "create time from the clock")
        val v = secrets.getValue("db-password")
        expectEq(1uL, v.version, "version")
        expectBytes(bytes("hunter2"), v.value)
        expectEq("shop", secrets.tenant(), "tenant")
    }
    check("$p secrets: errors carry code and reason") {
        val nf = expectError<CredcycleException.NotFound>(1001u) { secrets.get("missing") }
        expect(errorReason(nf).isNotEmpty()) { "empty reason" }
        expectError<CredcycleException.Conflict>(1003u) { secrets.create("db-password") }
        val bad = expectError<CredcycleException.InvalidInput>(1004u) { secrets.create("bad name/with slash") }
        expect(errorReason(bad).contains("name")) { "reason does not name the field: ${errorReason(bad)}" }
        expectError<CredcycleException.InvalidInput>(1004u) { engine.secrets("") }
    }
    check("$p secrets: put_value, idempotency, versions by label") {
        secrets.create("api-key", CreateSecretOptions(value = SecretInput.Bytes(bytes("one"))))
        expectEq(2uL, secrets.putValue("api-key", SecretInput.Bytes(bytes("two")), idempotencyToken = "tok-1"), "v2")
        expectEq(2uL, secrets.putValue("api-key", SecretInput.Bytes(bytes("two")), idempotencyToken = "tok-1"), "same token, same version")
        expectError<CredcycleException.Conflict>(1302u) {
            secrets.putValue("api-key", SecretInput.Bytes(bytes("other")), idempotencyToken = "tok-1")
        }
        expectBytes(bytes("one"), secrets.getValue("api-key", "PREVIOUS").value, "PREVIOUS")
        expectBytes(bytes("one"), secrets.getValue("api-key", "v1").value, "v1")
        expectBytes(bytes("two"), secrets.getValue("api-key", "CURRENT").value, "CURRENT")
        expectError<CredcycleException.InvalidInput>(1004u) { secrets.getValue("api-key", "LATEST") }
        val generated = secrets.putValue("api-key", SecretInput.Generate(48u))
        expectEq(48, secrets.getValue("api-key", generated.toString()).value.size, "generated length")
    }
    check("$p secrets: rotation begin/finish/cancel") {
        secrets.create("rot", CreateSecretOptions(value = SecretInput.Bytes(bytes("a"))))
        val pending = secrets.beginRotation("rot", SecretInput.Bytes(bytes("b")))
        expectError<CredcycleException.Conflict>(1301u) { secrets.beginRotation("rot", SecretInput.Bytes(bytes("c"))) }
        expectBytes(bytes("b"), secrets.getValue("rot", "PENDING").value, "PENDING")
        expectBytes(bytes("a"), secrets.getValue("rot").value, "still CURRENT")
        val done = secrets.finishRotation("rot")
        expectEq(listOf("CURRENT"), done.versions.first { it.number == pending }.labels, "promoted")
        expectBytes(bytes("b"), secrets.getValue("rot").value, "new CURRENT")
        secrets.beginRotation("rot", SecretInput.Bytes(bytes("c")))
        val cancelled = secrets.cancelRotation("rot")
        expect(cancelled.versions.none { "PENDING" in it.labels }) { "pending left after cancel" }
        expectError<CredcycleException.NotFound>(1001u) { secrets.finishRotation("rot") }
    }
    check("$p secrets: state rules both ways") {
        secrets.create("st", CreateSecretOptions(value = SecretInput.Bytes(bytes("x"))))
        expectEq("DISABLED", secrets.disable("st").state, "disable")
        expectError<CredcycleException.State>(1007u) { secrets.getValue("st") }
        expectError<CredcycleException.State>(1007u) { secrets.disable("st") }
        expectEq("ENABLED", secrets.enable("st").state, "enable")
        expectError<CredcycleException.State>(1007u) { secrets.enable("st") }
        expectEq("FROZEN", secrets.freeze("st").state, "freeze")
        expectError<CredcycleException.State>(1007u) { secrets.putValue("st", SecretInput.Bytes(bytes("y"))) }
        expectEq("ENABLED", secrets.unfreeze("st").state, "unfreeze")
        expectError<CredcycleException.InvalidInput>(1004u) { secrets.scheduleDelete("st", 3u) }
        val pd = secrets.scheduleDelete("st", 7u)
        expectEq("PENDING_DELETE", pd.state, "schedule_delete")
        expectEq(T0 + 7 * DAY, pd.scheduledDeleteTime, "delete time")
        expectEq("ENABLED", secrets.restore("st").state, "restore")
    }
    check("$p secrets: purge_due follows the clock") {
        secrets.create("gone", CreateSecretOptions(value = SecretInput.Bytes(bytes("z"))))
        secrets.scheduleDelete("gone", 7u)
        expectEq(emptyList<String>(), secrets.purgeDue(), "nothing due yet")
        clock.advance(7 * DAY + 1)
        expectEq(listOf("gone"), secrets.purgeDue(), "purged")
        expectError<CredcycleException.NotFound>(1001u) { secrets.get("gone") }
    }
    check("$p secrets: update, list, list_page") {
        expectError<CredcycleException.InvalidInput>(1004u) { secrets.update("api-key") }
        expectEq("new text", secrets.update("api-key", description = "new text").description, "description")
        val names = secrets.list().map { it.name }
        expectEq(names.sorted(), names, "list order")
        expect(names.containsAll(listOf("api-key", "db-password", "rot", "st"))) { "$names" }
        val first = secrets.listPage(2u)
        expectEq(names.take(2), first.map { it.name }, "first page")
        val rest = secrets.listPage(100u, after = first.last().name)
        expectEq(names.drop(2), rest.map { it.name }, "second page")
    }
    check("$p kms: keys, rotation and rewrap") {
        val kms = engine.kms()
        val wrap = kms.createKey("wrap-2", "aes256gcm")
        expectEq("wrap", wrap.purpose, "purpose")
        expectError<CredcycleException.Conflict>(1206u) { kms.createKey("wrap-2", "aes256gcm") }
        expectError<CredcycleException.InvalidInput>(1004u) { kms.createKey("x", "rsa") }
        secrets.update("api-key", kmsKeyId = "wrap-2")
        val rewrapped = secrets.rewrap("api-key")
        expect(rewrapped.rewrapped >= 3u) { "rewrap: $rewrapped" }
        expectEq(2u, kms.rotateKey("wrap-2").primaryVersion, "rotated")
        expectEq(0u, secrets.rewrap("api-key").unchanged, "all re-wrapped under v2")
        expectBytes(bytes("one"), secrets.getValue("api-key", "v1").value, "readable after rewrap")
        expectEq(null, kms.keyInfo("nope"), "absent key")
        expect(kms.listKeys().map { it.id }.containsAll(listOf("default", "wrap-2"))) { "${kms.listKeys()}" }
    }
    check("$p kms: signing keys, states both ways") {
        val kms = engine.kms()
        kms.createKey("sig", "p256")
        val msg = bytes("to be signed")
        val sig = kms.sign("sig", msg)
        expectEq(64, sig.size, "signature size")
        expect(verifyP256(kms.publicKey("sig"), msg, sig)) { "signature does not verify" }
        expect(!verifyP256(kms.publicKey("sig"), bytes("other"), sig)) { "signature verifies another message" }
        expectError<CredcycleException.InvalidInput>(1203u) { kms.sign("default", msg) }
        expectEq("DISABLED", kms.disableKey("sig").state, "disable")
        expectError<CredcycleException.State>(1202u) { kms.sign("sig", msg) }
        expectEq("ENABLED", kms.enableKey("sig").state, "enable")
        expectEq("PENDING_DELETION", kms.scheduleKeyDeletion("sig").state, "schedule deletion")
        expectError<CredcycleException.State>(1202u) { kms.sign("sig", msg) }
        kms.enableKey("sig")
        kms.sign("sig", msg)
        expectError<CredcycleException.NotFound>(1201u) { kms.sign("absent", msg) }
    }
    check("$p audit: chain verifies and records the actor") {
        val trail = engine.audit("shop").events("secret:db-password")
        expect(trail.chainValid) { "chain invalid" }
        expectEq("secret.create", trail.events.first().action, "first action")
        expectEq("kotlin-test", trail.events.first().actor, "actor")
        expectEq((1uL..trail.events.size.toULong()).toList(), trail.events.map { it.seq }, "seq")
        expectError<CredcycleException.InvalidInput>(1004u) { engine.audit("shop").events("") }
    }
}

fun sqliteBackend(dir: java.nio.file.Path, rootKey: ByteArray) = Backend("sqlite") { clock ->
    Engine.open(EngineConfig(StoreConfig.Sqlite(dir.resolve("domains.db").toString()), KmsConfig.Local(rootKey), clock))
}

fun sqliteDurability(dir: java.nio.file.Path) {
    check("[sqlite] reopen keeps values; a wrong root key is refused") {
        val path = dir.resolve("durable.db").toString()
        val key = generateRootKey()
        Engine.open(EngineConfig(StoreConfig.Sqlite(path), KmsConfig.Local(key))).use { e ->
            e.secrets("t").create("s", CreateSecretOptions(value = SecretInput.Bytes(bytes("kept"))))
        }
        Engine.open(EngineConfig(StoreConfig.Sqlite(path), KmsConfig.Local(key.copyOf()))).use { e ->
            expectBytes(bytes("kept"), e.secrets("t").getValue("s").value)
        }
        expectError<CredcycleException.VerificationFailed>(1207u) {
            Engine.open(EngineConfig(StoreConfig.Sqlite(path), KmsConfig.Local(generateRootKey()))).use { e ->
                e.secrets("t").getValue("s")
            }
        }
    }
}

fun conformance() {
    val names = storeConformanceNames()
    check("conformance: the scenario list is not empty") { expect(names.size >= 10) { "$names" } }
    for (r in storeConformance(KotlinStoreFactory)) {
        check("conformance [kotlin store]: ${r.name}") { expect(r.passed) { r.message } }
    }
    check("conformance: a store that forgets commits fails") {
        println("     (the scenario panic printed next is the expected failure of that store)")
        val results = storeConformance(object : StoreFactory {
            override fun fresh(): Store = ForgetfulStore()
        }, only = listOf("put_absent_creates_version_1", "get_absent_is_none"))
        expectEq(2, results.size, "filtered")
        expect(results.any { !it.passed && it.message.isNotEmpty() }) { "$results" }
        expect(results.any { it.passed }) { "$results" }
    }
}

fun kmsConformance() {
    expect(kmsConformanceNames().size >= 5) { "${kmsConformanceNames()}" }
    for (r in kmsConformance(object : KeyManagerFactory {
        override fun fresh(): KeyManager = JcaKeyManager()
    })) {
        check("kms conformance [kotlin JCA key manager]: ${r.name}") { expect(r.passed) { r.message } }
    }
    check("kms conformance: a key manager that ignores states fails") {
        val results = kmsConformance(object : KeyManagerFactory {
            override fun fresh(): KeyManager = object : KeyManager by JcaKeyManager() {
                override fun setKeyState(id: String, state: String): KeyInfo = keyInfo(id) ?: throw CredcycleException.NotFound(1201u, "key not found")
            }
        }, only = listOf("states_refuse_and_allow"))
        expectEq(1, results.size, "filtered")
        expect(!results.single().passed && results.single().message.isNotEmpty()) { "$results" }
    }
}

fun foreignFailures() {
    check("[kotlin store] an exception thrown by the store is a Store backend error; nothing half-written") {
        val store = KotlinMemoryStore()
        val engine = Engine.open(EngineConfig(StoreConfig.Foreign(store), KmsConfig.Local(generateRootKey())))
        val s = engine.secrets("t")
        s.create("a", CreateSecretOptions(value = SecretInput.Bytes(bytes("v"))))
        val before = store.snapshot()
        store.failWith = IllegalStateException("disk on fire")
        val e = expectError<CredcycleException.Store>(1101u) { s.putValue("a", SecretInput.Bytes(bytes("w"))) }
        expect(errorReason(e).contains("disk on fire")) { errorReason(e) }
        store.failWith = CredcycleException.Store(1102u, "offline")
        expectError<CredcycleException.Store>(1102u) { s.get("a") }
        store.failWith = null
        expectEq(before, store.snapshot(), "store unchanged")
        expectBytes(bytes("v"), s.getValue("a").value)
    }
    check("[kotlin store] threads racing put_value: every write lands once") {
        val store = KotlinMemoryStore()
        val engine = Engine.open(
            EngineConfig(StoreConfig.Foreign(store), KmsConfig.Local(generateRootKey()), policy = PolicyConfig(conflictRetries = 100u)),
        )
        engine.secrets("t").create("race", CreateSecretOptions(value = SecretInput.Bytes(bytes("0"))))
        val pool = Executors.newFixedThreadPool(4)
        val futures = (1..4).map { w ->
            pool.submit<List<ULong>> { (1..5).map { i -> engine.secrets("t").putValue("race", SecretInput.Bytes(bytes("$w-$i"))) } }
        }
        val versions = futures.flatMap { it.get(60, TimeUnit.SECONDS) }
        pool.shutdown()
        expectEq((2uL..21uL).toList(), versions.sorted(), "versions")
        expectEq(21uL, engine.secrets("t").get("race").versions.maxOf { it.number }, "last version")
    }
    check("[kotlin key manager] engine over a JCA KeyManager: wrap, unwrap, sign, errors") {
        val km = JcaKeyManager()
        val engine = Engine.open(EngineConfig(StoreConfig.Memory, KmsConfig.Foreign(km)))
        expectEq("default", engine.ensureDefaultKey(), "default key")
        val s = engine.secrets("t")
        s.create("k", CreateSecretOptions(value = SecretInput.Bytes(bytes("through kotlin"))))
        expectBytes(bytes("through kotlin"), s.getValue("k").value)
        expect(km.calls.get() >= 3) { "the Kotlin key manager was not used: ${km.calls.get()}" }
        val kms = engine.kms()
        kms.createKey("sig", "p256")
        val sig = kms.sign("sig", bytes("m"))
        expect(verifyP256(kms.publicKey("sig"), bytes("m"), sig)) { "signature" }
        expectError<CredcycleException.NotFound>(1201u) { kms.sign("nope", bytes("m")) }
        expectError<CredcycleException.Conflict>(1206u) { kms.createKey("sig", "p256") }
        kms.disableKey("default")
        expectError<CredcycleException.State>(1202u) { s.putValue("k", SecretInput.Bytes(bytes("x"))) }
        kms.enableKey("default")
        // A signing key cannot wrap: the engine refuses it as the secret's key.
        expectError<CredcycleException.InvalidInput>(1004u) { s.update("k", kmsKeyId = "sig") }
    }
    check("[kotlin key manager] a RuntimeException is a KeyManager backend error") {
        val engine = Engine.open(EngineConfig(StoreConfig.Memory, KmsConfig.Foreign(object : KeyManager by JcaKeyManager() {
            override fun listKeys(): List<KeyInfo> = throw UnsupportedOperationException("hsm unplugged")
        })))
        val e = expectError<CredcycleException.KeyManager>(1204u) { engine.kms().listKeys() }
        expect(errorReason(e).contains("hsm unplugged")) { errorReason(e) }
    }
}

fun main() {
    val dir = Files.createTempDirectory("credcycle-kotlin")
    parity()
    client()
    clientHelpers()
    val rootKey = generateRootKey()
    val backends = listOf(
        Backend("memory") { clock -> Engine.open(EngineConfig(StoreConfig.Memory, KmsConfig.Local(rootKey), clock)) },
        sqliteBackend(dir, rootKey),
        Backend("kotlin store") { clock ->
            Engine.open(EngineConfig(StoreConfig.Foreign(KotlinMemoryStore()), KmsConfig.Local(rootKey), clock))
        },
    )
    for (b in backends) {
        try {
            domains(b)
            moreDomains(b)
            pkiEnrollment(b)
        } catch (e: Throwable) {
            check("[${b.name}] setup") { throw e }
        }
    }
    sqliteDurability(dir)
    conformance()
    kmsConformance()
    foreignFailures()
    dir.toFile().deleteRecursively()
    exitProcess(Harness.finish())
}
