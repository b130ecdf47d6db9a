import KubeCore

/// A `flagger.app/v1beta1` Canary: how to ship new versions of one workload.
public struct Canary: KubeObject, Equatable {
    public static let resource = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: CanarySpec
    public var status: CanaryStatus?

    public init(metadata: ObjectMeta, spec: CanarySpec, status: CanaryStatus? = nil) {
        self.apiVersion = Canary.resource.apiVersion
        self.kind = Canary.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `name.namespace`, as Flagger writes canaries in events.
    public var dottedName: String { "\(metadata.name ?? "").\(metadata.namespace ?? "")" }
}

/// `spec` of a Canary.
public struct CanarySpec: Codable, Sendable, Equatable {
    public var provider: String?
    public var metricsServer: String?
    public var targetRef: TargetReference?
    public var autoscalerRef: TargetReference?
    /// The user's Ingress the `nginx` provider makes a canary Ingress of.
    public var ingressRef: TargetReference?
    /// The user's ApisixRoute the `apisix` provider makes a canary route of.
    public var routeRef: TargetReference?
    /// The Gloo Upstream whose settings the `gloo` provider's Upstreams copy.
    public var upstreamRef: TargetReference?
    public var service: CanaryService?
    public var analysis: CanaryAnalysis?
    public var progressDeadlineSeconds: Int?
    public var skipAnalysis: Bool?
    public var revertOnDeletion: Bool?
    public var suspend: Bool?
    /// Serin: the Canaries whose release a new revision of this one waits for (``CanaryDependency``).
    public var dependsOn: [CanaryDependency]?

    public init(targetRef: TargetReference? = nil, service: CanaryService? = nil, analysis: CanaryAnalysis? = nil) {
        self.targetRef = targetRef
        self.service = service
        self.analysis = analysis
    }
}

/// A reference to the target workload or its autoscaler.
public struct TargetReference: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    /// Not part of Flagger's API (the target is always in the Canary's namespace): decoded only to refuse it.
    public var namespace: String?
    /// `autoscalerRef` only: the primary autoscaler's own replica bounds.
    public var primaryScalerReplicas: ScalerReplicas?
    /// `autoscalerRef` of a KEDA ScaledObject only: the primary's trigger queries, by trigger name.
    public var primaryScalerQueries: [String: String]?

    public init(apiVersion: String? = nil, kind: String? = nil, name: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}

/// `autoscalerRef.primaryScalerReplicas`: bounds for the primary's autoscaler instead of the target's.
public struct ScalerReplicas: Codable, Sendable, Equatable {
    public var minReplicas: Int?
    public var maxReplicas: Int?

    public init(minReplicas: Int? = nil, maxReplicas: Int? = nil) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }
}

/// Labels and annotations for a generated object (`service.apex/primary/canary`).
public struct CustomMetadata: Codable, Sendable, Equatable {
    public var labels: [String: String]?
    public var annotations: [String: String]?
}

/// `spec.service.unmanagedMetadata`: metadata keys Serin leaves to others.
public struct UnmanagedMetadata: Codable, Sendable, Equatable {
    public var labels: [String]?
    public var annotations: [String]?
}

/// `spec.service`: the generated Services and the mesh routing around them.
///
/// Istio pass-through fields (`trafficPolicy`, `match`, `rewrite`, `retries`, `headers`, `corsPolicy`) are kept
/// as JSON, exactly as written.
public struct CanaryService: Codable, Sendable, Equatable {
    public var name: String?
    public var port: Int?
    public var portName: String?
    public var targetPort: IntOrString?
    public var appProtocol: String?
    public var portDiscovery: Bool?
    public var headless: Bool?
    public var timeout: String?
    /// The gateway-to-backend timeout of each request (Gateway API providers only).
    public var backendTimeout: String?
    public var gateways: [String]?
    /// Gateway API parent references of the HTTPRoute (`gatewayapi` providers), as written.
    public var gatewayRefs: [JSONValue]?
    public var hosts: [String]?
    public var delegation: Bool?
    public var trafficPolicy: JSONValue?
    public var match: [JSONValue]?
    public var rewrite: JSONValue?
    public var retries: JSONValue?
    public var headers: JSONValue?
    public var corsPolicy: JSONValue?
    /// Gateway API request mirrors (`backendRef`, `percent` or `fraction`), the mirrors' answers dropped
    /// (Gateway API providers only).
    public var mirror: [JSONValue]?
    public var apex: CustomMetadata?
    public var primary: CustomMetadata?
    public var canary: CustomMetadata?
    /// `PreferClose`, `PreferSameZone` or `PreferSameNode`: the generated Services' `spec.trafficDistribution`.
    public var trafficDistribution: String?
    /// Label and annotation keys of the generated Services that other tools own: set from `apex`, `primary`
    /// or `canary` when Serin creates the Service, never written again.
    public var unmanagedMetadata: UnmanagedMetadata?

    public init(port: Int? = nil, targetPort: IntOrString? = nil) {
        self.port = port
        self.targetPort = targetPort
    }
}

/// `spec.analysis`: the schedule and the checks of a rollout.
public struct CanaryAnalysis: Codable, Sendable, Equatable {
    public var interval: String?
    public var threshold: Int?
    public var maxWeight: Int?
    public var stepWeight: Int?
    public var stepWeights: [Int]?
    /// Serin: the rollout as a script of steps (``CanaryStep``), instead of `stepWeight`/`stepWeights`/`iterations`.
    public var steps: [CanaryStep]?
    public var stepWeightPromotion: Int?
    public var iterations: Int?
    public var mirror: Bool?
    public var mirrorWeight: Int?
    public var primaryReadyThreshold: Int?
    public var canaryReadyThreshold: Int?
    public var match: [JSONValue]?
    public var metrics: [CanaryMetric]?
    public var webhooks: [CanaryWebhook]?
    public var alerts: [CanaryAlert]?
    public var sessionAffinity: SessionAffinity?
    /// Serin: a baseline workload for compared metrics (``CanaryBaseline``).
    public var baseline: CanaryBaseline?
    /// Serin: how a step's compared metrics are scored (``ScoreThresholds``).
    public var scoreThresholds: ScoreThresholds?
    /// Serin: inconclusive steps in a row before the Canary pauses for `kubectl serin promote`, `abort` or `retry`.
    public var inconclusiveLimit: Int?
    /// Serin: passed steps in a row before the first weight increase.
    public var consecutiveSuccessLimit: Int?
    /// Serin: what reaching `threshold` failed checks does: `rollback` (default, Flagger's) or `freeze` (hold the
    /// weights and wait for `kubectl serin promote`, `abort`, `retry` or a new revision).
    public var onFailure: String?
    /// Serin: keep analysing the new primary at full traffic after promotion (``CanaryBake``).
    public var bake: CanaryBake?

    public init(interval: String? = nil, threshold: Int? = nil, maxWeight: Int? = nil, stepWeight: Int? = nil) {
        self.interval = interval
        self.threshold = threshold
        self.maxWeight = maxWeight
        self.stepWeight = stepWeight
    }
}

/// One metric check.
public struct CanaryMetric: Codable, Sendable, Equatable {
    public var name: String
    public var interval: String?
    /// Deprecated single threshold (a minimum for `request-success-rate`, a maximum otherwise).
    public var threshold: Double?
    public var thresholdRange: ThresholdRange?
    /// Deprecated inline PromQL.
    public var query: String?
    public var templateRef: TemplateReference?
    public var templateVariables: [String: String]?
    /// Serin: what a query without values means (``NoDataPolicy``); Flagger's `fail` when unset.
    public var noData: String?
    /// Serin: the fewest requests the target must have served in `interval` for a built-in metric to be
    /// judged; fewer is "no data" (``noData``).
    public var minRequests: Int?
    /// Serin: evaluated, journaled and shown, never deciding: a team can trial a check on live releases.
    public var dryRun: Bool?
    /// Serin: judge the metric by comparing the canary with the baseline (``MetricComparison``).
    public var compare: MetricComparison?

    /// What a metric query without values means.
    public enum NoDataPolicy: String, Sendable, CaseIterable {
        /// A failed check (Flagger's behaviour).
        case fail
        /// The metric is left out of this step: the others decide.
        case skip
        /// The step waits: no advance, no failed check; the metric is asked again next interval.
        case hold
    }

    /// ``noData`` parsed; `fail` when unset, `nil` when it is not a policy.
    public var noDataPolicy: NoDataPolicy? { noData.map { NoDataPolicy(rawValue: $0) } ?? .fail }

    public init(name: String, interval: String? = nil, thresholdRange: ThresholdRange? = nil, templateRef: TemplateReference? = nil) {
        self.name = name
        self.interval = interval
        self.thresholdRange = thresholdRange
        self.templateRef = templateRef
    }
}

/// Inclusive bounds a metric value must stay within.
public struct ThresholdRange: Codable, Sendable, Equatable {
    public var min: Double?
    public var max: Double?
    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }
}

/// A reference to a MetricTemplate (or AlertProvider); the namespace defaults to the Canary's.
public struct TemplateReference: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}

/// A webhook called during the analysis.
public struct CanaryWebhook: Codable, Sendable, Equatable {
    public var name: String
    public var type: String?
    public var url: String
    public var timeout: String?
    public var retries: Int?
    public var muteAlert: Bool?
    public var disableTLS: Bool?
    public var metadata: [String: String]?

    public init(
        name: String, type: String? = nil, url: String, timeout: String? = nil, retries: Int? = nil,
        metadata: [String: String]? = nil
    ) {
        self.name = name
        self.type = type
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.metadata = metadata
    }
}

/// An alert sent through an AlertProvider.
public struct CanaryAlert: Codable, Sendable, Equatable {
    public var name: String?
    public var severity: String?
    public var providerRef: TemplateReference?
}
