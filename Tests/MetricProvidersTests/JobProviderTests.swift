import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import SerinTesting
import Synchronization
import Testing

/// Serin's `job` provider: the Job built from a template's query, and how a finished Job is read.
@Suite struct JobProviderTests {
    static let subject = CheckSubject(namespace: "demo", canary: "podinfo", uid: "uid-1", metric: "smoke-test")

    @Test func aJobSpecBecomesAJobOwnedByTheCanaryWithSafeDefaults() throws {
        let query = """
            template:
              spec:
                containers:
                  - name: smoke
                    image: curlimages/curl:8.10.1
                    command: [curl, -sf, "http://podinfo-canary.demo/"]
            """
        let job = try JobManifest(query: query, subject: Self.subject, interval: .seconds(60), suffix: "abc123")
        #expect(job.name == "podinfo-smoke-test-abc123")
        #expect(job.deadline == .seconds(60))
        let object = job.object
        #expect(object["apiVersion"] == "batch/v1" && object["kind"] == "Job")
        #expect(object[path: "metadata", "namespace"] == "demo")
        #expect(object[path: "metadata", "labels"] == ["serin.dev/canary": "podinfo", "serin.dev/metric": "smoke-test"])
        let owner = object[path: "metadata", "ownerReferences"]?.arrayValue?.first
        #expect(owner?["uid"] == "uid-1" && owner?["kind"] == "Canary")
        #expect(object[path: "spec", "backoffLimit"] == 0)
        #expect(object[path: "spec", "activeDeadlineSeconds"] == 60)
        #expect(object[path: "spec", "template", "spec", "restartPolicy"] == "Never")
        let container = object[path: "spec", "template", "spec", "containers"]?.arrayValue?.first
        #expect(container?["command"]?.arrayValue?.last == "http://podinfo-canary.demo/")
    }

    @Test func aWholeJobKeepsItsLabelsAnnotationsAndSettings() throws {
        let query = """
            {"apiVersion": "batch/v1", "kind": "Job",
             "metadata": {"name": "ignored", "labels": {"team": "checkout"}, "annotations": {"note": "smoke"}},
             "spec": {"backoffLimit": 2, "activeDeadlineSeconds": 20,
                      "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "t", "image": "busybox"}]}}}}
            """
        let job = try JobManifest(query: query, subject: Self.subject, interval: .seconds(60), suffix: "x1")
        #expect(job.deadline == .seconds(20))
        #expect(job.object[path: "metadata", "name"] == "podinfo-smoke-test-x1")
        #expect(job.object[path: "metadata", "labels", "team"] == "checkout")
        #expect(job.object[path: "metadata", "labels", "serin.dev/canary"] == "podinfo")
        #expect(job.object[path: "metadata", "annotations", "note"] == "smoke")
        #expect(job.object[path: "spec", "backoffLimit"] == 2)
        #expect(job.object[path: "spec", "template", "spec", "restartPolicy"] == "OnFailure")
        let longer = try JobManifest(
            query: query.replacingOccurrences(of: "\"activeDeadlineSeconds\": 20", with: "\"activeDeadlineSeconds\": 600"),
            subject: Self.subject, interval: .seconds(30), suffix: "x1")
        #expect(longer.deadline == .seconds(30), "a check waits at most its interval")
    }

    @Test func namesAreDNSLabelsAndQueriesWithoutContainersAreRefused() throws {
        let long = CheckSubject(namespace: "demo", canary: String(repeating: "a", count: 60), uid: nil, metric: "Smoke_Test")
        let job = try JobManifest(
            query: "template: {spec: {containers: [{name: t, image: busybox}]}}", subject: long, interval: .seconds(60), suffix: "abc123")
        #expect(job.name.count <= 63 && job.name.hasSuffix("-abc123") && !job.name.contains("_"))
        #expect(job.object[path: "metadata", "ownerReferences"] == nil)
        #expect(job.object[path: "metadata", "labels", "serin.dev/metric"] == "Smoke_Test")
        #expect(throws: MetricError.self) { try JobManifest(query: "image: busybox", subject: Self.subject, interval: .seconds(60), suffix: "a") }
        #expect(throws: MetricError.self) {
            try JobManifest(query: "template: [unclosed", subject: Self.subject, interval: .seconds(60), suffix: "a")
        }
    }

    @Test func aFinishedJobReadsOneOrZeroWithItsReason() {
        let complete: JSONValue = ["status": ["conditions": [["type": "Complete", "status": "True"]]]]
        let failed: JSONValue = [
            "status": [
                "conditions": [
                    ["type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"]
                ]
            ]
        ]
        let running: JSONValue = ["status": ["active": 1, "conditions": [["type": "Complete", "status": "False"]]]]
        #expect(JobProvider.outcome(of: complete, path: "demo/j") == MetricReading(value: 1))
        #expect(
            JobProvider.outcome(of: failed, path: "demo/j")
                == MetricReading(value: 0, explanation: "Job demo/j failed: DeadlineExceeded: Job was active longer than specified deadline"))
        #expect(JobProvider.outcome(of: running, path: "demo/j") == nil)
    }

    /// A check against a cluster: the Job is created, watched from its creation until it fails, and deleted; pods are
    /// never read.
    @Test func aCheckCreatesReadsAndDeletesItsJob() async throws {
        let created = Mutex<JSONValue?>(nil)
        let deleted = Mutex<[String]>([])
        let watchedFrom = Mutex<String?>(nil)
        let cluster = ClusterAccess(
            list: { resource, _, _ throws(ClusterAccess.Failure) in
                guard resource.plural == "jobs" else { throw ClusterAccess.Failure(status: 403, message: "forbidden") }
                return []
            },
            create: { _, _, object throws(ClusterAccess.Failure) in
                var stored = object
                stored[path: "metadata", "resourceVersion"] = "41"
                created.withLock { $0 = stored }
                return stored
            },
            delete: { _, _, name throws(ClusterAccess.Failure) in deleted.withLock { $0.append(name) } },
            watch: { _, _, _, version throws(ClusterAccess.Failure) in
                watchedFrom.withLock { $0 = version }
                var job = created.withLock { $0 } ?? [:]
                let running = job
                job["status"] = ["conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"]]]
                return AsyncThrowingStream { continuation in
                    continuation.yield(running)
                    continuation.yield(job)
                    continuation.finish()
                }
            })
        let provider = try JobProvider(config: MetricProviderConfig(address: "", interval: "1m", cluster: cluster, subject: Self.subject))
        let reading = try await provider.reading("template: {spec: {containers: [{name: t, image: curlimages/curl}]}}")
        let name = try #require(created.withLock { $0 }?[path: "metadata", "name"]?.stringValue)
        #expect(reading == MetricReading(value: 0, explanation: "Job demo/\(name) failed: BackoffLimitExceeded"))
        #expect(deleted.withLock { $0 } == [name])
        #expect(watchedFrom.withLock { $0 } == "41", "followed from the version it was created at")
        #expect(await provider.isOnline())
        #expect(throws: MetricError.self) { try JobProvider(config: MetricProviderConfig(address: "")) }
    }
}
