import Foundation
import KubeCore

/// The Job one check of a `job` MetricTemplate runs, built from the template's rendered query: a Job's
/// `spec` (with its pod `template`), or a whole Job manifest whose `metadata.labels`/`annotations` are kept.
/// YAML or JSON. Pure.
struct JobManifest: Sendable {
    static let canaryLabel = "serin.dev/canary"
    static let metricLabel = "serin.dev/metric"

    var name: String
    var object: JSONValue
    /// How long the check waits for the Job to finish: its `activeDeadlineSeconds`, at most the metric's interval.
    var deadline: Duration

    /// - Parameters:
    ///   - suffix: what makes the name unique per check (random in production).
    init(query: String, subject: CheckSubject, interval: Duration, suffix: String) throws(MetricError) {
        let parsed: JSONValue
        do { parsed = try YAMLBridge.documents(query).first ?? .null } catch {
            throw MetricError.configuration("job: the query is not a Job spec in YAML or JSON: \(error)")
        }
        let whole = parsed["spec"] != nil && parsed["template"] == nil
        var spec = whole ? parsed["spec"] ?? [:] : parsed
        guard spec.objectValue != nil, spec[path: "template", "spec", "containers"]?.arrayValue?.isEmpty == false else {
            throw MetricError.configuration("job: the query must be a Job spec with spec.template.spec.containers (or a whole Job)")
        }
        if spec[path: "template", "spec", "restartPolicy"] == nil { spec[path: "template", "spec", "restartPolicy"] = "Never" }
        if spec["backoffLimit"] == nil { spec["backoffLimit"] = 0 }
        let intervalSeconds = max(Int64(interval.components.seconds), 1)
        let ownDeadline = spec["activeDeadlineSeconds"]?.intValue.map(Int64.init)
        if ownDeadline == nil { spec["activeDeadlineSeconds"] = .int(intervalSeconds) }
        deadline = .seconds(min(ownDeadline ?? intervalSeconds, intervalSeconds))
        name = JobManifest.name(canary: subject.canary, metric: subject.metric, suffix: suffix)
        var labels = whole ? parsed[path: "metadata", "labels"]?.objectValue ?? [:] : [:]
        labels[JobManifest.canaryLabel] = .string(JobManifest.labelValue(subject.canary))
        labels[JobManifest.metricLabel] = .string(JobManifest.labelValue(subject.metric))
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(subject.namespace), "labels": .object(labels)]
        if let annotations = parsed[path: "metadata", "annotations"], whole { metadata["annotations"] = annotations }
        if let uid = subject.uid {
            metadata["ownerReferences"] = [
                [
                    "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "name": .string(subject.canary), "uid": .string(uid),
                    "controller": false, "blockOwnerDeletion": false,
                ]
            ]
        }
        object = ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": spec]
    }

    /// `<canary>-<metric>-<suffix>`, a DNS label of at most 63 characters.
    static func name(canary: String, metric: String, suffix: String) -> String {
        let base = String(dnsLabel("\(canary)-\(metric)").prefix(62 - suffix.count))
        return "\(base.trimmingCharacters(in: CharacterSet(charactersIn: "-")))-\(suffix)"
    }

    /// Lower case letters, digits and `-`; anything else becomes `-`.
    static func dnsLabel(_ text: String) -> String {
        String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    /// A label value: at most 63 characters of letters, digits, `-`, `_` and `.`, alphanumeric at both ends.
    static func labelValue(_ text: String) -> String {
        let kept = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" }.prefix(63))
        return kept.trimmingCharacters(in: CharacterSet(charactersIn: "-_."))
    }
}
