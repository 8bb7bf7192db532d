// The Kotlin example of the README ("Use from Kotlin / Swift"), compiled and
// run by scripts/test-kotlin.sh. Usage: QuickstartKt <database file>
import dev.credcycle.CreateSecretOptions
import dev.credcycle.CredcycleException
import dev.credcycle.Engine
import dev.credcycle.EngineConfig
import dev.credcycle.KmsConfig
import dev.credcycle.SecretInput
import dev.credcycle.StoreConfig
import dev.credcycle.generateRootKey

fun main(args: Array<String>) {
    val rootKey = generateRootKey() // keep it safe: the store's keys are sealed under it
    Engine.open(EngineConfig(StoreConfig.Sqlite(args[0]), KmsConfig.Local(rootKey))).use { engine ->
        val secrets = engine.withActor("alice").secrets("shop")
        secrets.create("db-password", CreateSecretOptions(value = SecretInput.Bytes("hunter2".toByteArray())))
        secrets.putValue("db-password", SecretInput.Generate(32u))
        val current = secrets.getValue("db-password")
        check(current.version == 2uL && current.value.size == 32)
        current.value.fill(0) // done with the secret

        try {
            secrets.get("missing")
        } catch (e: CredcycleException.NotFound) {
            check(e.code == 1001u)
        }
        val trail = engine.audit("shop").events("secret:db-password")
        check(trail.chainValid && trail.events.first().actor == "alice")
        println("quickstart ok: ${trail.events.size} audit events")
    }
}
