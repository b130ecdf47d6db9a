import Foundation
import KubeAPIServer
import KubeCore

/// Runs Jobs, as far as the sandbox can: each new Job gets one pod that "runs" and terminates, and the Job's
/// status and conditions as the Job controller writes them (`Complete`, or `Failed` with `BackoffLimitExceeded`).
///
/// What the pod does comes from its template's annotations, a contract tests and docs use:
/// `sandbox.serin.dev/smoke-test: <host>` sends `sandbox.serin.dev/smoke-requests` (default 20) requests to that
/// host through the cluster's routing and fails at the first 5xx (drawn from the answering workloads' behaviour)
/// or when nothing answers; `sandbox.serin.dev/exit-code` (default 0) is the exit code otherwise. The pod's
/// termination message says what happened, as a real smoke test's would.
public actor JobSimulator {
    public enum Annotation {
        public static let smokeTest = "sandbox.serin.dev/smoke-test"
        public static let smokeRequests = "sandbox.serin.dev/smoke-requests"
        public static let exitCode = "sandbox.serin.dev/exit-code"
    }

    private let store: ObjectStore
    private let resolver: ServiceResolver
    private let clock: OperatorClock
    private var started: Set<String> = []

    /// - Parameter meshes: whose routing a smoke test's requests follow (a mesh's host, else a Service's pods).
    public init(store: ObjectStore, meshes: [SimulatedMesh] = SimulatedMesh.defaults, clock: OperatorClock = .system) {
        self.store = store
        self.resolver = ServiceResolver(store: store, meshes: meshes)
        self.clock = clock
    }

    /// Follows Jobs until cancelled.
    public func run() async {
        let (events, continuation) = AsyncStream.makeStream(of: JSONValue.self)
        await store.observe { event, type, object in
            guard event == "ADDED", type.resource.plural == "jobs", type.resource.group == "batch" else { return }
            continuation.yield(object)
        }
        for await job in events { await start(job) }
    }

    private func start(_ job: JSONValue) async {
        guard let namespace = job[path: "metadata", "namespace"]?.stringValue, let name = job[path: "metadata", "name"]?.stringValue,
            let uid = job[path: "metadata", "uid"]?.stringValue, !started.contains(uid), job[path: "status", "conditions"] == nil
        else { return }
        started.insert(uid)
        let annotations = job[path: "spec", "template", "metadata", "annotations"]?.objectValue ?? [:]
        let (exitCode, message) = await outcome(annotations: annotations, namespace: namespace)
        await finish(job, namespace: namespace, name: name, uid: uid, exitCode: exitCode, message: message)
    }

    /// The pod's exit code and termination message.
    private func outcome(annotations: JSONObject, namespace: String) async -> (Int, String) {
        if let host = annotations[Annotation.smokeTest]?.stringValue {
            let requests = max(annotations[Annotation.smokeRequests]?.stringValue.flatMap(Int.init) ?? 20, 1)
            return await smokeTest(host: host, namespace: namespace, requests: requests)
        }
        let code = annotations[Annotation.exitCode]?.stringValue.flatMap(Int.init) ?? 0
        return (code, code == 0 ? "" : "exited with code \(code)")
    }

    private func smokeTest(host: String, namespace: String, requests: Int) async -> (Int, String) {
        let backends: [ServiceResolver.Backend]
        switch await resolver.resolve(host: host, port: nil, defaultNamespace: namespace) {
        case .backends(let ready): backends = ready
        case .weighted(let routing): backends = routing.destinations.filter { $0.weight > 0 }.flatMap(\.backends)
        case .forward: return (0, "")
        case .notFound(let reason): return (1, "smoke test: could not resolve \(host): \(reason)")
        }
        guard !backends.isEmpty else { return (1, "smoke test: \(host): connection refused (no ready endpoints)") }
        for attempt in 0..<requests where Double.random(in: 0..<1) < backends[attempt % backends.count].behaviour.errorRatio {
            return (1, "smoke test: GET http://\(host)/ answered 500 Internal Server Error (request \(attempt + 1) of \(requests))")
        }
        return (0, "smoke test: \(requests) requests to \(host) answered 200")
    }

    private func finish(_ job: JSONValue, namespace: String, name: String, uid: String, exitCode: Int, message: String) async {
        guard let jobs = await store.type(plural: "jobs", group: "batch"), let pods = await store.type(plural: "pods") else { return }
        let now = JSONValue.string(KubeTime(clock.date).description)
        let succeeded = exitCode == 0
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string("\(name.prefix(57))-\(UUID().uuidString.lowercased().prefix(5))"), "namespace": .string(namespace),
                "labels": [
                    "batch.kubernetes.io/job-name": .string(name), "job-name": .string(name), "batch.kubernetes.io/controller-uid": .string(uid),
                ],
                "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": .string(name), "uid": .string(uid), "controller": true]],
            ],
            "spec": job[path: "spec", "template", "spec"] ?? [:],
            "status": [
                "phase": .string(succeeded ? "Succeeded" : "Failed"),
                "containerStatuses": [
                    [
                        "name": job[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["name"] ?? "job", "ready": false,
                        "restartCount": 0,
                        "state": [
                            "terminated": [
                                "exitCode": .int(Int64(exitCode)), "reason": .string(succeeded ? "Completed" : "Error"), "message": .string(message),
                                "startedAt": now, "finishedAt": now,
                            ]
                        ],
                    ]
                ],
            ],
        ]
        // The status goes through its subresource, as the kubelet writes it (a create keeps none).
        if let stored = try? await store.create(pods, namespace: namespace, object: pod), let podName = stored[path: "metadata", "name"]?.stringValue
        {
            var running = stored
            running["status"] = pod["status"]
            _ = try? await store.update(pods, namespace: namespace, name: podName, object: running, subresource: "status")
        }
        var updated = job
        updated["status"] = JobSimulator.status(succeeded: succeeded, at: now)
        _ = try? await store.update(jobs, namespace: namespace, name: name, object: updated, subresource: "status")
    }

    /// A finished Job's status as the Job controller writes it.
    static func status(succeeded: Bool, at now: JSONValue) -> JSONValue {
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message), "lastTransitionTime": now]
        }
        if succeeded {
            let message = "Reached expected number of succeeded pods"
            return [
                "startTime": now, "completionTime": now, "succeeded": 1, "ready": 0,
                "conditions": [condition("SuccessCriteriaMet", "CompletionsReached", message), condition("Complete", "CompletionsReached", message)],
            ]
        }
        let message = "Job has reached the specified backoff limit"
        return [
            "startTime": now, "failed": 1, "ready": 0,
            "conditions": [condition("FailureTarget", "BackoffLimitExceeded", message), condition("Failed", "BackoffLimitExceeded", message)],
        ]
    }
}
