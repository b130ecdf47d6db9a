import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import PrometheusAPI

/// The fuzz targets: every parser and decoder that reads what users and servers send.
///
/// Each takes arbitrary bytes and returns the properties it found broken (empty: fine). A target must never
/// trap, whatever the input: that is what libFuzzer looks for (`scripts/fuzz.sh`), and what the corpus
/// replay in the test suite checks on every input ever committed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case json, goDuration = "go-duration", labelSelector = "label-selector", canary, templates, patches, prometheus

    /// Runs the target on one input.
    public func run(_ bytes: [UInt8]) -> [String] {
        switch self {
        case .json: return FuzzTarget.json(bytes)
        case .goDuration: return FuzzTarget.goDuration(String(decoding: bytes, as: UTF8.self))
        case .labelSelector: return FuzzTarget.labelSelector(String(decoding: bytes, as: UTF8.self))
        case .canary: return FuzzTarget.canary(bytes)
        case .templates: return FuzzTarget.templates(bytes)
        case .patches: return FuzzTarget.patches(bytes)
        case .prometheus: return FuzzTarget.prometheus(bytes)
        }
    }

    /// Parsing, pruned parsing, and a serialise → parse round trip that must give the same document; the
    /// resourceVersion scanner agrees with the parser whenever it answers; the caches' compact form reads back
    /// the same document, and the same bytes cut short read as nothing, without a trap.
    static func json(_ bytes: [UInt8]) -> [String] {
        _ = try? JSONValue(parsingPruningTooDeep: bytes)
        let scanned = ResourceVersionScanner.resourceVersion(in: bytes)
        guard let value = try? JSONValue(parsing: bytes) else { return [] }
        var broken: [String] = []
        if let scanned, scanned != value[path: "metadata", "resourceVersion"]?.stringValue {
            broken.append("the scanner read resourceVersion \(scanned), the parser \(value[path: "metadata", "resourceVersion"] ?? .null)")
        }
        let compact = CompactJSONCodec()
        let encoded = compact.encode(value)
        if compact.decode(encoded) != value { broken.append("a document changed in the compact form") }
        if encoded.count > 1, compact.decode(Array(encoded.dropLast())) != nil { broken.append("compact bytes cut short decoded") }
        _ = compact.decode(bytes)
        guard let again = try? JSONValue(parsing: value.serialized()) else { return broken + ["a parsed document does not parse after serialising"] }
        return again == value ? broken : broken + ["a document changed in a serialise → parse round trip"]
    }

    /// A parsed duration prints as Go does and parses back to itself.
    static func goDuration(_ text: String) -> [String] {
        guard let duration = try? GoDuration(parsing: text) else { return [] }
        guard let again = try? GoDuration(parsing: duration.description) else { return ["\(duration) does not parse back"] }
        return again == duration ? [] : ["\(text) → \(duration) → \(again)"]
    }

    static func labelSelector(_ text: String) -> [String] {
        guard let query = try? LabelSelectorQuery(text) else { return [] }
        _ = query.matches(["app": "podinfo", "tier": "web"])
        return (try? LabelSelectorQuery(query.description)) == query ? [] : ["\(text) does not survive its own description"]
    }

    /// Decode, validate, and for a valid Canary decide in every phase with every kind of workload: no trap.
    static func canary(_ bytes: [UInt8]) -> [String] {
        guard let json = try? JSONValue(parsing: bytes), var canary = try? json.decode(as: Canary.self) else { return [] }
        guard canary.validate().isEmpty, Canary.refusedFields(in: json["spec"] ?? [:]).isEmpty else { return [] }
        let statusJSON = json["status"] ?? [:]
        for phase in CanaryPhase.allCases {
            var status = (try? statusJSON.decode(as: CanaryStatus.self)) ?? CanaryStatus()
            status.phase = phase
            canary.status = status
            for readiness in [Readiness.ready, .waiting("w"), .failed("f")] {
                let workload = WorkloadState(templateHash: "v2", readiness: readiness, replicas: 1)
                var observation = Observation(
                    now: Date(timeIntervalSince1970: 1e9), canary: canary, target: workload,
                    primary: WorkloadState(templateHash: "v1", readiness: readiness, replicas: 1), routes: .allPrimary)
                observation.checks = CheckResults(failures: readiness == .ready ? [] : ["Halt"])
                let decision = CanaryStateMachine.decide(observation)
                if let weight = decision.status.canaryWeight, !(0...100).contains(weight) { return ["weight \(weight) decided"] }
            }
        }
        return []
    }

    static func templates(_ bytes: [UInt8]) -> [String] {
        guard let json = try? JSONValue(parsing: bytes) else { return [] }
        _ = try? json.decode(as: MetricTemplate.self)
        if let provider = try? json.decode(as: AlertProvider.self) {
            _ = try? provider.settings()
            _ = AlertProvider.refusedFields(in: provider.spec)
        }
        return []
    }

    /// A document and a patch (the input's two halves, each JSON): merge, JSON and strategic merge patches.
    static func patches(_ bytes: [UInt8]) -> [String] {
        let middle = bytes.firstIndex(of: 0) ?? bytes.count / 2
        guard let document = try? JSONValue(parsing: bytes[..<middle]),
            let patch = try? JSONValue(parsing: bytes[min(middle + 1, bytes.count)...])
        else { return [] }
        let merged = document.applyingMergePatch(patch)
        if let diff = document.mergePatch(to: merged), document.applyingMergePatch(diff) != merged {
            return ["a computed merge patch does not reproduce its target"]
        }
        _ = try? JSONPatchApplier.apply(patch, to: document)
        _ = StrategicMergePatch.apply(patch, to: document)
        return []
    }

    /// A Prometheus answer gives a finite number or an error, never a value a threshold cannot judge.
    static func prometheus(_ bytes: [UInt8]) -> [String] {
        guard let value = try? PrometheusAnswer.value(from: bytes) else { return [] }
        return value.isFinite ? [] : ["\(value) was returned as a metric value"]
    }
}
