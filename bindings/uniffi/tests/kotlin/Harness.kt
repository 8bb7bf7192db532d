// A minimal test harness for the Kotlin program: named checks, one line
// each, and the closing `N passed, N failed` line. A failing check makes the
// process exit non-zero.
package dev.credcycle.test

import dev.credcycle.CredcycleException

object Harness {
    var passed = 0
    var failed = 0

    fun check(name: String, body: () -> Unit) {
        try {
            body()
            passed++
            println("ok   $name")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name: $e")
            e.printStackTrace(System.out)
        }
    }

    fun finish(): Int {
        println("$passed passed, $failed failed")
        return if (failed == 0 && passed > 0) 0 else 1
    }
}

class AssertionFailed(message: String) : Exception(message)

fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionFailed(message())
}

fun <T> expectEq(expected: T, actual: T, what: String = "value") {
    if (expected != actual) throw AssertionFailed("$what: expected <$expected>, got <$actual>")
}

fun expectBytes(expected: ByteArray, actual: ByteArray, what: String = "bytes") {
    if (!expected.contentEquals(actual)) {
        throw AssertionFailed("$what: expected ${expected.size} bytes ${expected.toHex()}, got ${actual.size} bytes ${actual.toHex()}")
    }
}

/** Runs `body`, which must throw a `CredcycleException` of type `E` with `code`. */
inline fun <reified E : CredcycleException> expectError(code: UInt, body: () -> Unit): E {
    try {
        body()
    } catch (e: CredcycleException) {
        if (e !is E) throw AssertionFailed("expected ${E::class.simpleName} code $code, got $e")
        expectEq(code, errorCode(e), "error code")
        return e
    }
    throw AssertionFailed("expected ${E::class.simpleName} code $code, nothing was thrown")
}

/** The `(code, reason)` of any variant. */
fun errorParts(e: CredcycleException): Pair<UInt, String> = when (e) {
    is CredcycleException.NotFound -> e.code to e.reason
    is CredcycleException.Conflict -> e.code to e.reason
    is CredcycleException.InvalidInput -> e.code to e.reason
    is CredcycleException.Policy -> e.code to e.reason
    is CredcycleException.VerificationFailed -> e.code to e.reason
    is CredcycleException.State -> e.code to e.reason
    is CredcycleException.Store -> e.code to e.reason
    is CredcycleException.KeyManager -> e.code to e.reason
    is CredcycleException.Internal -> e.code to e.reason
    is CredcycleException.Binding -> e.code to e.reason
}

fun errorCode(e: CredcycleException): UInt = errorParts(e).first

fun errorReason(e: CredcycleException): String = errorParts(e).second

fun ByteArray.toHex(): String = joinToString("") { "%02x".format(it) }
