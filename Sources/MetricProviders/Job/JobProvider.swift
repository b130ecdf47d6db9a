import CanaryAPI
import Foundation
import KubeCore

/// Serin's `job` provider: each check runs the Kubernetes Job its template's query describes (``JobManifest``)
/// in the Canary's namespace, owned by the Canary, and reads 1 when the Job completes, 0 when it fails or
/// does not finish within its deadline (its `activeDeadlineSeconds`, at most the metric's interval). The Job is
/// deleted with its pods afterwards; a failure's reason (the Job's `Failed` condition) is the reading's
/// explanation, shown with the failed check and in the journal. So `thresholdRange: {min: 1}` means "the smoke
/// test passed". The operator never reads pods: their environment may hold credentials.
public struct JobProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .job, address: .unused, queryIsDocument: true) {
        config throws(MetricError) in try JobProvider(config: config)
    }

    static let jobs = KubeResource(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true)
    /// How long past its deadline a Job may take to be marked failed by the cluster.
    static let grace: Duration = .seconds(10)

    let config: MetricProviderConfig
    let cluster: ClusterAccess
    let subject: CheckSubject

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let cluster = config.cluster, let subject = config.subject else {
            throw MetricError.configuration("could not initialize JobProvider: no cluster access")
        }
        self.config = config
        self.cluster = cluster
        self.subject = subject
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        try await reading(query).value
    }

    public func reading(_ query: String) async throws(MetricError) -> MetricReading {
        let suffix = String(UUID().uuidString.lowercased().prefix(6))
        let job = try JobManifest(query: query, subject: subject, interval: try config.parsedInterval(), suffix: suffix)
        let path = "\(subject.namespace)/\(job.name)"
        let created: JSONValue
        do { created = try await cluster.create(Self.jobs, subject.namespace, job.object) } catch {
            throw MetricError.query("job: could not create Job \(path): \(error.message)")
        }
        let outcome = await waitForCompletion(job, createdAt: created[path: "metadata", "resourceVersion"]?.stringValue)
        do { try await cluster.delete(Self.jobs, subject.namespace, job.name) } catch {
            // Left behind, named, when it passed; a failed check already says what went wrong.
            if case .success(let reading) = outcome, reading.value == 1 {
                throw MetricError.query("job: could not delete Job \(path): \(error.message)")
            }
        }
        return try outcome.get()
    }

    /// Jobs can be read in the Canary's namespace.
    public func isOnline() async -> Bool {
        do {
            _ = try await cluster.list(Self.jobs, subject.namespace, "\(JobManifest.canaryLabel)=\(JobManifest.labelValue(subject.canary))")
            return true
        } catch { return false }
    }

    /// Follows the Job until it completes or fails, or its deadline passes on the operator's clock.
    private func waitForCompletion(_ job: JobManifest, createdAt version: String?) async -> Result<MetricReading, MetricError> {
        let path = "\(subject.namespace)/\(job.name)"
        do {
            switch try await cluster.wait(
                for: Self.jobs, namespace: subject.namespace, name: job.name, after: version, clock: config.clock, timeout: job.deadline + Self.grace,
                outcome: { JobProvider.outcome(of: $0, path: path) })
            {
            case .finished(let reading): return .success(reading)
            case .deadline: return .success(MetricReading(value: 0, explanation: "Job \(path) did not finish within \(GoDuration(job.deadline))"))
            case .ended: return .success(MetricReading(value: 0, explanation: "Job \(path) was deleted before it finished"))
            }
        } catch {
            return .failure(MetricError.query("job: could not watch Job \(path): \(error.message)"))
        }
    }

    /// 1 for a Job whose `Complete` condition is true, 0 with its reason for a `Failed` one, `nil` while it runs. Pure.
    static func outcome(of job: JSONValue, path: String) -> MetricReading? {
        let conditions = job[path: "status", "conditions"]?.arrayValue ?? []
        func holds(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if holds("Complete") != nil { return MetricReading(value: 1) }
        guard let failed = holds("Failed") else { return nil }
        let reason = [failed["reason"]?.stringValue, failed["message"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
        return MetricReading(value: 0, explanation: (["Job \(path) failed"] + reason).joined(separator: ": "))
    }
}
