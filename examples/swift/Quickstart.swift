// The Swift equivalent of examples/kotlin/Quickstart.kt, against the sources
// uniffi-bindgen generates (module `Credcycle`). Not compiled on the project's
// machines (no Swift toolchain installs there); the generated C header is
// syntax-checked by scripts/test-kotlin.sh.
import Credcycle

let rootKey = try generateRootKey() // keep it safe: the store's keys are sealed under it
let engine = try Engine.open(config: EngineConfig(store: .sqlite(path: "demo.db"), kms: .local(rootKey: rootKey)))
let secrets = try engine.withActor(actor: "alice").secrets(tenant: "shop")
_ = try secrets.create(name: "db-password", options: CreateSecretOptions(value: .bytes(value: Data("hunter2".utf8))))
_ = try secrets.putValue(name: "db-password", value: .generate(length: 32))
let current = try secrets.getValue(name: "db-password")
precondition(current.version == 2 && current.value.count == 32)

do {
    _ = try secrets.get(name: "missing")
} catch CredcycleError.NotFound(let code, _) {
    precondition(code == 1001)
}
let trail = try engine.audit(tenant: "shop").events(subject: "secret:db-password")
precondition(trail.chainValid && trail.events.first?.actor == "alice")
print("quickstart ok: \(trail.events.count) audit events")
