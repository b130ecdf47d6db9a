import Foundation
import KubeCore
import Testing
@testable import KubeSandbox

/// Each simulated workload kind is one registration: its pods wanted and its status shape.
@Suite struct SimulatedWorkloadTests {
    @Test func theRegistryNamesEachKindOnceAndFindsAnObjectsKind() {
        #expect(SimulatedWorkload.all.map(\.kind) == ["Deployment", "DaemonSet"])
        #expect(SimulatedWorkload.simulates(group: "apps", plural: "daemonsets"))
        #expect(!SimulatedWorkload.simulates(group: "apps", plural: "statefulsets"), "not simulated yet: no status would ever move")
        #expect(SimulatedWorkload.of(["kind": "DaemonSet"])?.plural == "daemonsets")
        #expect(SimulatedWorkload.of(["kind": "CronJob"]) == nil)
    }

    @Test func eachKindWantsItsPodsAndReportsThemInItsOwnStatusFields() {
        let deployment: JSONValue = ["kind": "Deployment", "metadata": ["name": "web", "generation": 3], "spec": ["replicas": 4]]
        #expect(WorkloadStatus.desiredReplicas(deployment) == 4)
        let progressing = WorkloadStatus.progressing(deployment, since: Date(timeIntervalSince1970: 0), keepReady: false)
        #expect(progressing["replicas"] == 4 && progressing["readyReplicas"] == nil && progressing["unavailableReplicas"] == 4)
        #expect(progressing[path: "conditions"]?[1]?["lastUpdateTime"] == "1970-01-01T00:00:00Z")
        let ready = WorkloadStatus.available(deployment, at: Date(timeIntervalSince1970: 60))
        #expect(ready["readyReplicas"] == 4 && ready["observedGeneration"] == 3 && ready["unavailableReplicas"] == nil)

        let elsewhere: JSONValue = ["kind": "DaemonSet", "spec": ["template": ["spec": ["nodeSelector": ["kubernetes.io/os": "windows"]]]]]
        #expect(WorkloadStatus.desiredReplicas(elsewhere) == 0, "no node matches")
        let here: JSONValue = ["kind": "DaemonSet", "spec": ["template": ["spec": ["nodeSelector": ["kubernetes.io/os": "linux"]]]]]
        #expect(WorkloadStatus.desiredReplicas(here) == 1)
        let daemonStatus = WorkloadStatus.available(here, at: Date())
        #expect(daemonStatus["numberReady"] == 1 && daemonStatus["desiredNumberScheduled"] == 1 && daemonStatus["conditions"] == nil)
    }
}
