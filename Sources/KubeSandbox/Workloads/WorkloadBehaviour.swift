import Foundation
import KubeCore

/// How a workload answers requests, from its pod template's annotations:
/// `sandbox.serin.dev/error-ratio` (share of 5xx), `sandbox.serin.dev/latency-ms` (typical latency),
/// `sandbox.serin.dev/latency-p99-ms` (P99; three times the typical latency when absent) and
/// `sandbox.serin.dev/rps` (synthetic requests per second for the service in front of it), and
/// `sandbox.serin.dev/error-ratio-as-primary` (the share of 5xx once the template runs in a `-primary`
/// Deployment: a fault that shows only after the promotion, at full traffic).
/// The same keys in the data of a ConfigMap or Secret the pod template mounts or reads with `envFrom` win
/// over the annotations, as an application reads its configuration: so a bad config makes a bad release.
/// These names are a contract: tests and the demo use them.
public struct WorkloadBehaviour: Sendable, Equatable {
    public enum Annotation {
        public static let errorRatio = "sandbox.serin.dev/error-ratio"
        public static let latency = "sandbox.serin.dev/latency-ms"
        public static let latencyP99 = "sandbox.serin.dev/latency-p99-ms"
        public static let rps = "sandbox.serin.dev/rps"
        public static let errorRatioAsPrimary = "sandbox.serin.dev/error-ratio-as-primary"
    }

    public var errorRatio: Double = 0
    public var latencyMilliseconds: Double = 10
    public var p99Milliseconds: Double = 30
    public var requestsPerSecond: Double?

    public init() {}

    /// Reads the behaviour of a Deployment (or DaemonSet) from its pod template, and from `configuration`
    /// (the data of the configs it uses).
    public init(workload: JSONValue, configuration: [String: String] = [:]) {
        let own = DynamicObject(json: ["metadata": workload[path: "spec", "template", "metadata"] ?? [:]]).metadata.annotations ?? [:]
        let annotations = own.merging(configuration) { _, configured in configured }
        if let ratio = annotations[Annotation.errorRatio].flatMap(Double.init) { errorRatio = min(max(ratio, 0), 1) }
        if workload[path: "metadata", "name"]?.stringValue?.hasSuffix("-primary") == true,
            let ratio = annotations[Annotation.errorRatioAsPrimary].flatMap(Double.init)
        {
            errorRatio = min(max(ratio, 0), 1)
        }
        if let latency = annotations[Annotation.latency].flatMap(Double.init), latency > 0 { latencyMilliseconds = latency }
        p99Milliseconds = annotations[Annotation.latencyP99].flatMap(Double.init) ?? latencyMilliseconds * 3
        requestsPerSecond = annotations[Annotation.rps].flatMap(Double.init)
    }

    /// A latency drawn from a log-normal distribution with median ``latencyMilliseconds`` and 99th
    /// percentile ``p99Milliseconds``.
    public func sampleLatency(using generator: inout some RandomNumberGenerator) -> Double {
        let sigma = max(log(max(p99Milliseconds, latencyMilliseconds) / latencyMilliseconds), 0) / 2.326
        // Box–Muller transform for a standard normal sample.
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        let normal = sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
        return latencyMilliseconds * exp(sigma * normal)
    }

    /// The ConfigMaps and Secrets whose data a pod spec takes as its configuration: mounted volumes
    /// (projected ones too) and `envFrom`, by kind (`configmaps` or `secrets`) and name.
    static func configurationSources(of podSpec: JSONValue) -> [(plural: String, name: String)] {
        var sources: [(String, String)] = []
        for volume in podSpec["volumes"]?.arrayValue ?? [] {
            if let name = volume[path: "configMap", "name"]?.stringValue { sources.append(("configmaps", name)) }
            if let name = volume[path: "secret", "secretName"]?.stringValue { sources.append(("secrets", name)) }
            for source in volume[path: "projected", "sources"]?.arrayValue ?? [] {
                if let name = source[path: "configMap", "name"]?.stringValue { sources.append(("configmaps", name)) }
                if let name = source[path: "secret", "name"]?.stringValue { sources.append(("secrets", name)) }
            }
        }
        for container in podSpec["containers"]?.arrayValue ?? [] {
            for source in container["envFrom"]?.arrayValue ?? [] {
                if let name = source[path: "configMapRef", "name"]?.stringValue { sources.append(("configmaps", name)) }
                if let name = source[path: "secretRef", "name"]?.stringValue { sources.append(("secrets", name)) }
            }
        }
        return sources
    }
}
