// Store, KeyManager and Clock written in Kotlin, plugged into the engine
// through the uniffi foreign traits.
package dev.credcycle.test

import dev.credcycle.Clock
import dev.credcycle.CredcycleException
import dev.credcycle.KeyInfo
import dev.credcycle.KeyManager
import dev.credcycle.ScanEntry
import dev.credcycle.Store
import dev.credcycle.StoreFactory
import dev.credcycle.StoreOp
import dev.credcycle.StoreOpKind
import dev.credcycle.StoredRecord
import dev.credcycle.WrappedKeyData
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import java.util.TreeMap
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * An in-memory Store. Keys are held as ISO-8859-1 strings: each byte maps to
 * one char of the same value, so String order is unsigned byte order.
 */
class KotlinMemoryStore : Store {
    private class Row(val value: ByteArray, val version: ULong)

    private val lock = Any()
    private val tables = HashMap<UInt, TreeMap<String, Row>>()
    val commits = AtomicInteger()

    /** When set, every call throws this (a failing backend). */
    @Volatile var failWith: Throwable? = null

    private fun k(bytes: ByteArray) = String(bytes, Charsets.ISO_8859_1)

    private fun table(t: UInt) = tables.getOrPut(t) { TreeMap() }

    private fun failIfAsked() {
        failWith?.let { throw it }
    }

    override fun get(table: UInt, key: ByteArray): StoredRecord? = synchronized(lock) {
        failIfAsked()
        table(table)[k(key)]?.let { StoredRecord(it.value.copyOf(), it.version) }
    }

    override fun scan(table: UInt, prefix: ByteArray, after: ByteArray?, limit: UInt): List<ScanEntry> =
        synchronized(lock) {
            failIfAsked()
            val p = k(prefix)
            val a = after?.let { k(it) }
            val t = table(table)
            val rows = if (a != null && a >= p) t.tailMap(a, false) else t.tailMap(p, true)
            rows.entries.asSequence()
                .takeWhile { it.key.startsWith(p) }
                .take(minOf(limit, Int.MAX_VALUE.toUInt()).toInt())
                .map { ScanEntry(it.key.toByteArray(Charsets.ISO_8859_1), it.value.value.copyOf(), it.value.version) }
                .toList()
        }

    override fun commit(ops: List<StoreOp>) = synchronized(lock) {
        failIfAsked()
        val seen = HashSet<Pair<UInt, String>>()
        for (op in ops) {
            if (!seen.add(op.table to k(op.key))) throw CredcycleException.Conflict(1002u, "batch names a key twice")
            val current = table(op.table)[k(op.key)]?.version ?: 0uL
            if (current != op.expect) throw CredcycleException.Conflict(1002u, "version conflict")
        }
        for (op in ops) {
            val t = table(op.table)
            when (op.kind) {
                StoreOpKind.PUT -> t[k(op.key)] = Row(op.value.copyOf(), op.expect + 1uL)
                StoreOpKind.DELETE -> t.remove(k(op.key))
                StoreOpKind.CHECK -> {}
            }
        }
        commits.incrementAndGet()
        Unit
    }

    /** Every row, for "nothing changed" checks. */
    fun snapshot(): Map<Pair<UInt, String>, ULong> = synchronized(lock) {
        tables.flatMap { (t, rows) -> rows.map { (key, row) -> (t to key) to row.version } }.toMap()
    }
}

object KotlinStoreFactory : StoreFactory {
    override fun fresh(): Store = KotlinMemoryStore()
}

/** A store that accepts every commit and writes nothing: conformance must catch it. */
class ForgetfulStore : Store {
    private val inner = KotlinMemoryStore()
    override fun get(table: UInt, key: ByteArray) = inner.get(table, key)
    override fun scan(table: UInt, prefix: ByteArray, after: ByteArray?, limit: UInt) = inner.scan(table, prefix, after, limit)
    override fun commit(ops: List<StoreOp>) {}
}

/** A clock the tests move by hand. */
class ManualClock(start: Long) : Clock {
    private val now = AtomicLong(start)
    override fun now(): Long = now.get()
    fun advance(seconds: Long) {
        now.addAndGet(seconds)
    }
}

/**
 * A KeyManager over the JVM's own crypto (what an Android app would back
 * with its keystore): AES-256-GCM wrap keys and P-256 signing keys, with
 * versions and states.
 */
class JcaKeyManager : KeyManager {
    private class Key(val algorithm: String, var state: String) {
        val aes = ArrayList<SecretKey>()
        val ec = ArrayList<KeyPair>()
        val ed = ArrayList<KeyPair>()
        val purpose get() = if (algorithm == "aes256gcm") "wrap" else "sign"
        val versions get() = when (algorithm) {
            "aes256gcm" -> aes.size
            "ed25519" -> ed.size
            else -> ec.size
        }
    }

    private val lock = Any()
    private val keys = TreeMap<String, Key>()
    private val random = SecureRandom()
    val calls = AtomicInteger()

    private fun info(id: String, k: Key) =
        KeyInfo(id, k.purpose, k.algorithm, k.versions.toUInt(), k.versions.toUInt(), k.state)

    private fun addVersion(k: Key) {
        if (k.algorithm == "aes256gcm") {
            k.aes += KeyGenerator.getInstance("AES").apply { init(256, random) }.generateKey()
        } else if (k.algorithm == "ed25519") {
            k.ed += KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
        } else {
            k.ec += KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1"), random) }.generateKeyPair()
        }
    }

    private fun find(id: String) = keys[id] ?: throw CredcycleException.NotFound(1201u, "key not found")

    private fun usable(k: Key, purpose: String) {
        if (k.state != "ENABLED") throw CredcycleException.KeyManager(1202u, k.state)
        if (k.purpose != purpose) throw CredcycleException.KeyManager(1203u, k.purpose)
    }

    override fun createKey(id: String, algorithm: String): KeyInfo = synchronized(lock) {
        calls.incrementAndGet()
        if (algorithm !in listOf("aes256gcm", "p256", "ed25519")) throw CredcycleException.InvalidInput(1004u, "algorithm: unsupported here")
        if (keys.containsKey(id)) throw CredcycleException.Conflict(1206u, "key exists")
        val k = Key(algorithm, "ENABLED")
        addVersion(k)
        keys[id] = k
        info(id, k)
    }

    override fun keyInfo(id: String): KeyInfo? = synchronized(lock) { keys[id]?.let { info(id, it) } }

    override fun listKeys(): List<KeyInfo> = synchronized(lock) { keys.map { (id, k) -> info(id, k) } }

    override fun rotateKey(id: String): KeyInfo = synchronized(lock) {
        val k = find(id)
        if (k.state != "ENABLED") throw CredcycleException.KeyManager(1202u, k.state)
        addVersion(k)
        info(id, k)
    }

    override fun setKeyState(id: String, state: String): KeyInfo = synchronized(lock) {
        val k = find(id)
        k.state = state
        info(id, k)
    }

    override fun wrap(id: String, dek: ByteArray, aad: ByteArray): WrappedKeyData = synchronized(lock) {
        calls.incrementAndGet()
        val k = find(id)
        usable(k, "wrap")
        val iv = ByteArray(12).also { random.nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, k.aes.last(), GCMParameterSpec(128, iv))
        c.updateAAD(aad)
        WrappedKeyData(id, k.aes.size.toUInt(), iv + c.doFinal(dek))
    }

    override fun unwrap(wrapped: WrappedKeyData, aad: ByteArray): ByteArray = synchronized(lock) {
        calls.incrementAndGet()
        val k = find(wrapped.key)
        if (k.state == "PENDING_DELETION") throw CredcycleException.KeyManager(1202u, k.state)
        val key = k.aes.getOrNull(wrapped.version.toInt() - 1)
            ?: throw CredcycleException.VerificationFailed(1006u, "unwrap failed")
        if (wrapped.ciphertext.size < 12 + 16) throw CredcycleException.VerificationFailed(1006u, "unwrap failed")
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.ciphertext.copyOfRange(0, 12)))
        c.updateAAD(aad)
        try {
            c.doFinal(wrapped.ciphertext, 12, wrapped.ciphertext.size - 12)
        } catch (e: AEADBadTagException) {
            throw CredcycleException.VerificationFailed(1006u, "unwrap failed")
        }
    }

    override fun sign(id: String, msg: ByteArray): ByteArray = synchronized(lock) {
        val k = find(id)
        usable(k, "sign")
        if (k.algorithm == "ed25519") {
            return@synchronized Signature.getInstance("Ed25519").run {
                initSign(k.ed.last().private)
                update(msg)
                sign()
            }
        }
        Signature.getInstance("SHA256withECDSAinP1363Format").run {
            initSign(k.ec.last().private)
            update(msg)
            sign()
        }
    }

    override fun publicKey(id: String): ByteArray = synchronized(lock) {
        val k = find(id)
        if (k.purpose != "sign") throw CredcycleException.KeyManager(1203u, k.purpose)
        if (k.state == "PENDING_DELETION") throw CredcycleException.State(1202u, k.state)
        (if (k.algorithm == "ed25519") k.ed.last() else k.ec.last()).public.encoded
    }
}
