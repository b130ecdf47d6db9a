@testable import CanaryController
import Foundation
import KubeCore
import Testing

/// A Canary applied together with its target may be seen before the target: for its first seconds a missing
/// target is looked at again, not called invalid (nor alerted); after that, or once the Canary has a phase, it is.
@Suite struct AwaitTargetTests {
    static func canary(created: Date, phase: String? = nil) -> DynamicObject {
        var json: JSONValue = ["metadata": ["name": "web", "namespace": "demo", "creationTimestamp": .string(KubeTime(created).description)]]
        if let phase { json[path: "status", "phase"] = .string(phase) }
        return DynamicObject(json: json)
    }

    @Test func aNewCanaryWaitsBrieflyForItsTarget() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let missing = InvalidCanary(reason: "TargetNotFound", message: "Deployment demo/web not found")
        #expect(CanaryReconciler.awaitsTarget(Self.canary(created: created), missing, now: created.addingTimeInterval(1)))
        #expect(!CanaryReconciler.awaitsTarget(Self.canary(created: created), missing, now: created.addingTimeInterval(4)), "then invalid")
        #expect(!CanaryReconciler.awaitsTarget(Self.canary(created: created, phase: "Succeeded"), missing, now: created), "a known Canary")
        let other = InvalidCanary(reason: "InvalidSpec", message: "spec.targetRef: required")
        #expect(!CanaryReconciler.awaitsTarget(Self.canary(created: created), other, now: created), "only a missing target waits")
    }
}
