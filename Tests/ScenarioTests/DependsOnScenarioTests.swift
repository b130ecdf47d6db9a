import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Ordered releases (`spec.dependsOn`) on the sandbox: a release applied to three services at once ships in
/// dependency order — the database, then the API that names it, then the web front selecting both — as the
/// audit log of every write shows; a cycle is refused naming its Canaries, and breaking it lets them go.
@Suite(.serialized) struct DependsOnScenarioTests {
    static func workload(_ name: String, release: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), namespace: demo, labels: {app: \(name)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name), serin.dev/release: "\(release)"}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
            spec: {containers: [{name: \(name), image: "kennethreitz/httpbin:\(release)"}]}
        """
    }

    static func canary(_ name: String, tier: String, dependsOn: String?) -> String {
        """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: \(name), namespace: demo, labels: {tier: \(tier)}}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(name)}
          service: {port: 80}
          analysis: {interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 25}
        \(dependsOn.map { "  dependsOn: \($0)" } ?? "")
        """
    }

    /// The database, the API that names it, and the web front that selects every backend.
    static func services(release: String) -> String {
        Fixtures.documents(
            Fixtures.demoNamespace,
            workload("db", release: release), canary("db", tier: "backend", dependsOn: nil),
            workload("api", release: release), canary("api", tier: "backend", dependsOn: "[{name: db}]"),
            workload("web", release: release), canary("web", tier: "front", dependsOn: "[{selector: {matchLabels: {tier: backend}}}]"))
    }

    static func phases(_ world: Scenario) async throws -> [String: String] {
        let list = try await world.json(["get", "canaries", "-n", "demo"])["items"]?.arrayValue ?? []
        return list.reduce(into: [:]) { phases, canary in
            phases[canary[path: "metadata", "name"]?.stringValue ?? ""] = canary[path: "status", "phase"]?.stringValue ?? ""
        }
    }

    /// `serin_canaries_held{reason="DependsOn"}` on the operator's `/metrics`.
    static func heldByDependencies(_ world: Scenario) async throws -> Double? {
        let prefix = #"serin_canaries_held{reason="DependsOn"} "#
        let text = try await world.operatorEndpoint("/metrics").text
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    static func all(_ world: Scenario, _ phase: String, count: Int) async throws -> Bool {
        let phases = try await phases(world)
        return phases.count == count && phases.values.allSatisfy { $0 == phase }
    }

    @Test func aReleaseAppliedToThreeServicesAtOnceShipsInDependencyOrder() async throws {
        var setup = Scenario.Setup()
        setup.auditLog = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.services(release: "1.0.0"))
            #expect(try await eventually(timeout: .seconds(60)) { try await Self.all(world, "Initialized", count: 3) })
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.services(release: "2.0.0"))
            let counted = try await eventually(timeout: .seconds(60)) { try await Self.heldByDependencies(world) ?? 0 >= 1 }
            #expect(counted, "/metrics counts the dependents held while they wait")
            let done = try await eventually(timeout: .seconds(120)) { try await Self.all(world, "Succeeded", count: 3) }
            let phases = try await Self.phases(world)
            #expect(done, "every release finishes: \(phases)")
            let heldAfter = try await Self.heldByDependencies(world)
            #expect(heldAfter == 0, "none held once all are promoted: \(String(describing: heldAfter))")

            let audit = ReleaseOrder(await world.sandbox.audit?.writes() ?? [])
            for (before, after) in [("db", "api"), ("api", "web"), ("db", "web")] {
                let (finished, started) = (audit.succeeded["demo/\(before)"] ?? .max, audit.started["demo/\(after)"] ?? -1)
                #expect(finished < started, "\(after) starts (write \(started)) after \(before) succeeded (write \(finished))")
            }
            #expect(audit.waited == ["demo/api", "demo/web"], "the dependents waited, visibly: \(audit.waited)")
            let events = try await world.events("web", namespace: "demo")
            #expect(events.contains { $0.hasPrefix("Halt web.demo advancement waiting for dependencies: demo/") }, "\(events)")
        }
    }

    @Test func aCycleIsRefusedNamingItsCanariesAndBreakingItLetsThemGo() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: Fixtures.documents(
                    Fixtures.demoNamespace, Self.workload("left", release: "1"), Self.canary("left", tier: "a", dependsOn: "[{name: right}]"),
                    Self.workload("right", release: "1"), Self.canary("right", tier: "a", dependsOn: "[{name: left}]")))
            let refused = try await eventually(timeout: .seconds(30)) { try await Self.validMessage(world, "left").contains("cycle") }
            let message = try await Self.validMessage(world, "left")
            #expect(refused && message == "spec.dependsOn: a dependency cycle: demo/left → demo/right → demo/left", "\(message)")
            #expect(try await Self.validMessage(world, "right") == "spec.dependsOn: a dependency cycle: demo/right → demo/left → demo/right")
            // The Warning is queued by the recorder and written asynchronously, maybe after the condition: wait for it.
            let warned = try await eventually(timeout: .seconds(10)) {
                try await world.events("left", namespace: "demo").contains { $0.contains("spec.dependsOn: a dependency cycle") }
            }
            let events = try await world.events("left", namespace: "demo")
            #expect(warned, "a Warning names it: \(events)")

            try await world.kubectl.succeed([
                "patch", "canary", "right", "-n", "demo", "--type=json", "-p", #"[{"op":"remove","path":"/spec/dependsOn"}]"#,
            ])
            #expect(
                try await eventually(timeout: .seconds(30)) { try await Self.all(world, "Initialized", count: 2) },
                "left is looked at again when right changes")
        }
    }

    static func validMessage(_ world: Scenario, _ name: String) async throws -> String {
        let conditions = try await world.status(name, namespace: "demo")["conditions"]?.arrayValue ?? []
        return conditions.first { $0["type"] == "Valid" && $0["status"] == "False" }?["message"]?.stringValue ?? ""
    }
}

/// What the audit log says of a release across Canaries: the write at which each first went `Progressing`, the
/// first write at which it was `Succeeded` after that, and which waited for their dependencies.
struct ReleaseOrder {
    var started: [String: Int] = [:]
    var succeeded: [String: Int] = [:]
    var waited: Set<String> = []

    init(_ writes: [AuditLog.Entry]) {
        for (index, write) in writes.enumerated() where write.plural == "canaries" {
            let key = "\(write.namespace ?? "")/\(write.name)"
            let phase = write.object[path: "status", "phase"]?.stringValue
            if phase == "Progressing", started[key] == nil { started[key] = index }
            if phase == "Succeeded", started[key] != nil, succeeded[key] == nil { succeeded[key] = index }
            let slot = (write.object[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"] == "RolloutSlot" }
            if slot?["reason"] == "DependsOn" { waited.insert(key) }
        }
    }
}
