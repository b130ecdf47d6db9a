import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// Ordered releases (`spec.dependsOn`): release tags compared as versions, what a new revision waits for, the
/// cycles found, and the wait in the state machine.
@Suite struct CanaryDependenciesTests {
    @Test func aReleaseIsSatisfiedByItselfOrANewerVersion() {
        #expect(ReleaseTag.satisfies("1.4.0", wanted: "1.4.0"))
        #expect(ReleaseTag.satisfies("1.10.0", wanted: "1.9.3"), "numbers, not strings")
        #expect(ReleaseTag.satisfies("v2", wanted: "1.9.3"))
        #expect(ReleaseTag.satisfies("2.0.0", wanted: "2.0.0-rc.1"), "a release ranks above its pre-release")
        #expect(ReleaseTag.satisfies("2026.12.06", wanted: "2026.11.30"))
        #expect(!ReleaseTag.satisfies("1.3.9", wanted: "1.4.0"))
        #expect(!ReleaseTag.satisfies("2.0.0-rc.1", wanted: "2.0.0"))
        #expect(!ReleaseTag.satisfies("blue", wanted: "green"), "tags that are not versions match only themselves")
        #expect(!ReleaseTag.satisfies("main-abc123", wanted: "1.0.0"))
        #expect(ReleaseTag.satisfies("blue", wanted: "blue"))
    }

    @Test func aWorkloadsReleaseIsItsLabelOrAnnotationThenItsVersionLabel() throws {
        let labelled = try JSONValue(
            parsing: #"{"spec":{"template":{"metadata":{"labels":{"serin.dev/release":"2.0.0","app.kubernetes.io/version":"9"}}}}}"#)
        let annotated = try JSONValue(parsing: #"{"spec":{"template":{"metadata":{"annotations":{"serin.dev/release":"3.1"}}}}}"#)
        let versioned = try JSONValue(parsing: #"{"spec":{"template":{"metadata":{"labels":{"app.kubernetes.io/version":"1.2"}}}}}"#)
        #expect(ReleaseTag.of(workload: labelled) == "2.0.0")
        #expect(ReleaseTag.of(workload: annotated) == "3.1")
        #expect(ReleaseTag.of(workload: versioned) == "1.2")
        #expect(ReleaseTag.of(workload: try JSONValue(parsing: #"{"spec":{}}"#)) == nil)
    }

    @Test func aDependencyIsMetOncePromotedAndSettled() {
        let promoted = DependencyState(key: "data/db", phase: .succeeded, promotedRelease: "2.0.0")
        #expect(CanaryDependencies.unmet([promoted], release: "2.0.0").isEmpty)
        #expect(CanaryDependencies.unmet([promoted], release: "1.9.0").isEmpty, "a newer release does")
        #expect(CanaryDependencies.unmet([promoted], release: "2.1.0") == ["data/db runs release 2.0.0, not 2.1.0 or newer (Succeeded)"])
        var rolling = promoted
        rolling.phase = .progressing
        #expect(CanaryDependencies.unmet([rolling], release: "2.0.0") == ["data/db is rolling out (Progressing)"])
        var failed = DependencyState(key: "data/db", phase: .failed, promotedRelease: "1.0.0", pending: true)
        #expect(CanaryDependencies.unmet([failed], release: "2.0.0") == ["data/db runs release 1.0.0, not 2.0.0 or newer (Failed)"])
        failed.promotedRelease = nil
        #expect(CanaryDependencies.unmet([failed], release: "2.0.0") == ["data/db has a revision to promote (Failed)"], "without tags")
        #expect(CanaryDependencies.unmet([DependencyState(key: "data/db", phase: .succeeded)], release: nil).isEmpty)
        #expect(
            CanaryDependencies.unmet(
                [DependencyState(key: "a/x", standing: .missing), DependencyState(key: "a/y", standing: .unreadable("bad"))], release: nil)
                == ["a/x not found", "a/y cannot be read (bad)"])
    }

    @Test func cyclesThroughTheCanaryAreFound() {
        let graph = ["a/web": ["a/api"], "a/api": ["a/db", "a/cache"], "a/db": [], "a/cache": ["a/web"], "a/lone": ["a/api"]]
        let edges: (String) -> [String] = { graph[$0] ?? [] }
        #expect(CanaryDependencies.cycle(from: "a/web", edges: edges) == ["a/web", "a/api", "a/cache", "a/web"])
        #expect(CanaryDependencies.cycle(from: "a/lone", edges: edges) == nil, "a cycle it only leads into is not its own")
        #expect(CanaryDependencies.cycle(from: "a/db", edges: edges) == nil)
    }

    @Test func aNewRevisionWaitsForItsDependenciesThenStarts() {
        var observation = observe(
            makeCanary(phase: .succeeded, applied: "v1"), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0))
        observation.dependencies = ["demo/db runs release 1.0.0, not 2.0.0 or newer (Progressing)"]
        let waiting = CanaryStateMachine.decide(observation)
        #expect(waiting.status.phase == .waiting && !waiting.actions.contains(.scaleTargetUp))
        #expect(waiting.status.condition("RolloutSlot")?.reason == "DependsOn")
        #expect(
            waiting.events == ["Halt httpbin.demo advancement waiting for dependencies: demo/db runs release 1.0.0, not 2.0.0 or newer (Progressing)"]
        )
        observation.canary.status = waiting.status
        observation.now = observation.now.addingTimeInterval(1)
        observation.dependencies = ["demo/db is rolling out (Promoting)"]
        let still = CanaryStateMachine.decide(observation)
        #expect(still.status.phase == .waiting && still.events.isEmpty, "the Event is said once: \(still.events)")
        #expect(still.status.condition("RolloutSlot")?.message == "waiting for dependencies: demo/db is rolling out (Promoting)")
        observation.canary.status = still.status
        observation.dependencies = []
        let started = CanaryStateMachine.decide(observation)
        #expect(started.status.phase == .progressing && started.actions.contains(.scaleTargetUp), "at once, not an interval later")
        #expect(started.status.condition("RolloutSlot") == nil, "the wait's condition goes with it")
    }

    @Test func eachEntryNamesOrSelectsAndStaysHomeWhenAsked() throws {
        var canary = try CrossNamespaceRefsTests.canary()
        canary.spec.analysis?.metrics = nil
        canary.spec.analysis?.alerts = nil
        canary.spec.analysis?.webhooks = nil
        canary.spec.dependsOn = [
            CanaryDependency(), CanaryDependency(name: "db", selector: LabelSelector(matchLabels: ["a": "b"])),
            CanaryDependency(name: "podinfo"), CanaryDependency(name: "db", namespace: "data"),
            CanaryDependency(selector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in, values: [])])),
        ]
        var context = ValidationContext()
        context.crossNamespaceRefs = false
        let issues = canary.validate(context).map(\.description)
        #expect(issues.contains { $0.hasPrefix("spec.dependsOn[0]: name a Canary (name) or select some (selector)") }, "\(issues)")
        #expect(issues.contains { $0.hasPrefix("spec.dependsOn[1]: name and selector are exclusive") })
        #expect(issues.contains { $0.hasPrefix("spec.dependsOn[2].name: a Canary cannot depend on itself") })
        #expect(issues.contains { $0.hasPrefix("spec.dependsOn[3].namespace: can't depend on Canaries in data") })
        #expect(issues.contains { $0.hasPrefix("spec.dependsOn[4].selector: ") })
        canary.spec.dependsOn = [CanaryDependency(name: "db", namespace: "data")]
        #expect(canary.validate().isEmpty, "another namespace is fine without --no-cross-namespace-refs")
    }
}
