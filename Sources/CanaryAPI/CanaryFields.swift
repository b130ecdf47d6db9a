import KubeCore

/// Every field of the Canary CRD and what Serin does with it. A test walks `crds/canaries.flagger.app.yaml`
/// and fails when a field is missing here; `docs/compatibility.md` shows this table.
public enum FieldSupport: Sendable, Equatable {
    /// Serin acts on it.
    case implemented
    /// Refused by the checks in `Canary.validate()` for the values Serin cannot honour yet (the field itself works).
    case checked
    /// Not implemented yet: a Canary that sets it (to anything but null, false, 0, "", [] or {}) is refused
    /// with `Valid=False` naming the field and this reason.
    case refused(String)
}

extension Canary {
    /// The fields of `spec`, by path (`[]` for the elements of a list).
    /// Fields taken as a whole, whose members have no entries of their own: passed to the router as they
    /// are (Istio's match, traffic policy, CORS and header operations) or refused as a whole.
    public static let wholeFields: Set<String> = [
        "spec.service.match", "spec.analysis.match", "spec.service.trafficPolicy", "spec.service.corsPolicy", "spec.service.headers",
        "spec.service.gatewayRefs", "spec.service.mirror", "spec.analysis.steps[].setCanaryScale", "spec.analysis.steps[].setHeaderRoute",
        "spec.analysis.steps[].setMirrorRoute", "spec.analysis.steps[].analysis",
    ]

    public static let fields: [(path: String, support: FieldSupport)] = {
        let appMesh = FieldSupport.refused("App Mesh is not supported (its service is being retired by AWS)")
        var fields: [(String, FieldSupport)] = [
            ("spec.provider", .checked), ("spec.metricsServer", .implemented),
            ("spec.targetRef", .implemented), ("spec.targetRef.apiVersion", .implemented), ("spec.targetRef.kind", .checked),
            ("spec.targetRef.name", .implemented),
            ("spec.autoscalerRef", .implemented), ("spec.autoscalerRef.apiVersion", .implemented), ("spec.autoscalerRef.kind", .checked),
            ("spec.autoscalerRef.name", .implemented),
            ("spec.autoscalerRef.primaryScalerQueries", .checked),
            ("spec.autoscalerRef.primaryScalerReplicas", .implemented), ("spec.autoscalerRef.primaryScalerReplicas.minReplicas", .checked),
            ("spec.autoscalerRef.primaryScalerReplicas.maxReplicas", .checked),
            ("spec.service", .implemented), ("spec.service.name", .implemented), ("spec.service.port", .implemented),
            ("spec.service.portName", .implemented), ("spec.service.targetPort", .implemented), ("spec.service.appProtocol", .checked),
            ("spec.service.trafficDistribution", .implemented),
            ("spec.service.portDiscovery", .implemented), ("spec.service.headless", .implemented),
            ("spec.service.timeout", .implemented), ("spec.service.backendTimeout", .checked),
            ("spec.service.gateways", .implemented), ("spec.service.gatewayRefs", .implemented), ("spec.service.hosts", .implemented),
            ("spec.service.delegation", .checked),
            ("spec.service.trafficPolicy", .implemented), ("spec.service.match", .implemented), ("spec.service.rewrite", .implemented),
            ("spec.service.rewrite.uri", .implemented), ("spec.service.rewrite.authority", .implemented), ("spec.service.rewrite.type", .implemented),
            ("spec.service.retries", .implemented), ("spec.service.retries.attempts", .implemented),
            ("spec.service.retries.perTryTimeout", .implemented), ("spec.service.retries.retryOn", .implemented),
            ("spec.service.headers", .implemented), ("spec.service.mirror", .checked),
            ("spec.service.corsPolicy", .implemented), ("spec.service.meshName", appMesh), ("spec.service.backends", appMesh),
            ("spec.service.unmanagedMetadata", .implemented), ("spec.service.unmanagedMetadata.labels", .implemented),
            ("spec.service.unmanagedMetadata.annotations", .implemented),
            ("spec.skipAnalysis", .implemented), ("spec.revertOnDeletion", .implemented), ("spec.suspend", .implemented),
            ("spec.progressDeadlineSeconds", .implemented),
            ("spec.analysis", .implemented), ("spec.analysis.interval", .implemented), ("spec.analysis.iterations", .implemented),
            ("spec.analysis.threshold", .implemented), ("spec.analysis.maxWeight", .implemented), ("spec.analysis.stepWeight", .implemented),
            ("spec.analysis.stepWeights", .implemented), ("spec.analysis.stepWeightPromotion", .implemented),
            ("spec.analysis.steps", .checked), ("spec.analysis.steps[].setWeight", .checked), ("spec.analysis.steps[].pause", .checked),
            ("spec.analysis.steps[].pause.duration", .checked), ("spec.analysis.steps[].setCanaryScale", .checked),
            ("spec.analysis.steps[].setHeaderRoute", .checked), ("spec.analysis.steps[].setMirrorRoute", .checked),
            ("spec.analysis.steps[].analysis", .checked),
            ("spec.analysis.mirror", .checked), ("spec.analysis.mirrorWeight", .checked),
            ("spec.analysis.primaryReadyThreshold", .implemented), ("spec.analysis.canaryReadyThreshold", .implemented),
            ("spec.analysis.match", .checked),
            ("spec.analysis.metrics", .implemented), ("spec.analysis.metrics[].name", .implemented),
            ("spec.analysis.metrics[].interval", .implemented), ("spec.analysis.metrics[].threshold", .implemented),
            ("spec.analysis.metrics[].thresholdRange", .implemented), ("spec.analysis.metrics[].thresholdRange.min", .implemented),
            ("spec.analysis.metrics[].thresholdRange.max", .implemented), ("spec.analysis.metrics[].query", .implemented),
            ("spec.analysis.metrics[].templateRef", .implemented), ("spec.analysis.metrics[].templateRef.name", .implemented),
            ("spec.analysis.metrics[].templateRef.namespace", .implemented), ("spec.analysis.metrics[].templateVariables", .implemented),
            ("spec.analysis.metrics[].noData", .implemented), ("spec.analysis.metrics[].minRequests", .implemented),
            ("spec.analysis.metrics[].dryRun", .implemented),
            ("spec.analysis.metrics[].compare", .checked),
            ("spec.analysis.baseline", .checked), ("spec.analysis.baseline.enabled", .implemented),
            ("spec.analysis.scoreThresholds", .implemented),
            ("spec.analysis.inconclusiveLimit", .implemented), ("spec.analysis.onFailure", .implemented),
            ("spec.analysis.bake", .checked), ("spec.analysis.bake.duration", .checked), ("spec.analysis.bake.interval", .checked),
            ("spec.analysis.bake.metrics", .implemented), ("spec.analysis.bake.keepPrevious", .checked),
            ("spec.analysis.consecutiveSuccessLimit", .checked),
            ("spec.analysis.scoreThresholds.pass", .implemented),
            ("spec.analysis.scoreThresholds.marginal", .implemented),
            ("spec.analysis.webhooks", .implemented), ("spec.analysis.webhooks[].name", .implemented),
            ("spec.analysis.webhooks[].type", .implemented),
            ("spec.analysis.webhooks[].url", .implemented), ("spec.analysis.webhooks[].timeout", .implemented),
            ("spec.analysis.webhooks[].retries", .implemented), ("spec.analysis.webhooks[].metadata", .implemented),
            ("spec.analysis.webhooks[].muteAlert", .implemented),
            ("spec.analysis.webhooks[].disableTLS", .implemented),
        ]
        fields += [
            ("spec.ingressRef", .checked), ("spec.ingressRef.apiVersion", .checked), ("spec.ingressRef.kind", .checked),
            ("spec.ingressRef.name", .implemented),
        ]
        fields += [
            ("spec.routeRef", .checked), ("spec.routeRef.apiVersion", .checked), ("spec.routeRef.kind", .checked),
            ("spec.routeRef.name", .implemented),
        ]
        fields += [
            ("spec.upstreamRef", .checked), ("spec.upstreamRef.apiVersion", .implemented), ("spec.upstreamRef.kind", .checked),
            ("spec.upstreamRef.name", .implemented), ("spec.upstreamRef.namespace", .implemented),
        ]
        for field in ["direction", "maxIncrease", "maxDecrease", "minSamples", "confidence", "weight", "critical", "resolution"] {
            fields.append(("spec.analysis.metrics[].compare.\(field)", .implemented))
        }
        for field in [".cookieName", ".domain", ".httpOnly", ".maxAge", ".partitioned", ".path", ".sameSite", ".secure"] {
            fields.append(("spec.analysis.sessionAffinity\(field)", .implemented))
        }
        fields.append(("spec.analysis.sessionAffinity", .checked))
        fields.append(("spec.analysis.sessionAffinity.primaryCookieName", .checked))
        for field in ["", "[].name", "[].severity", "[].providerRef", "[].providerRef.name", "[].providerRef.namespace"] {
            fields.append(("spec.analysis.alerts\(field)", .implemented))
        }
        for part in ["apex", "primary", "canary"] {
            for field in ["", ".labels", ".annotations"] { fields.append(("spec.service.\(part)\(field)", .implemented)) }
        }
        for field in [
            "", "[].name", "[].namespace", "[].selector", "[].selector.matchLabels", "[].selector.matchExpressions",
            "[].selector.matchExpressions[].key", "[].selector.matchExpressions[].operator", "[].selector.matchExpressions[].values",
        ] {
            fields.append(("spec.dependsOn\(field)", .checked))
        }
        // The bake's metrics are the analysis's, checked the same way.
        fields += fields.filter { $0.0.hasPrefix("spec.analysis.metrics[].") }.map {
            ("spec.analysis.bake." + $0.0.dropFirst("spec.analysis.".count), $0.1)
        }
        return fields
    }()

    /// The refused fields set in a Canary's raw `spec`, each an issue naming the field (list elements by index).
    public static func refusedFields(in spec: JSONValue) -> [ValidationIssue] { FieldSupport.refusedFields(in: spec, of: fields) }
}

extension FieldSupport {
    /// The refused fields of a table that `spec` sets, each with its reason.
    public static func refusedFields(in spec: JSONValue, of fields: [(path: String, support: FieldSupport)]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        var reported: Set<String> = []
        for (path, support) in fields {
            guard case .refused(let reason) = support else { continue }
            let parts = path.split(separator: ".").dropFirst().map(String.init)  // without "spec"
            for (field, value) in values(at: parts[...], in: spec, prefix: "spec") where isSet(value) {
                // A refused parent says it all: `sessionAffinity`, not each of its members.
                if reported.contains(where: { field.hasPrefix($0 + ".") || field.hasPrefix($0 + "[") }) { continue }
                reported.insert(field)
                issues.append(ValidationIssue(field: field, message: reason))
            }
        }
        return issues
    }

    private static func values(at parts: ArraySlice<String>, in value: JSONValue, prefix: String) -> [(String, JSONValue)] {
        guard let first = parts.first else { return [(prefix, value)] }
        let isList = first.hasSuffix("[]")
        let key = isList ? String(first.dropLast(2)) : first
        guard let member = value[key] else { return [] }
        guard isList else { return values(at: parts.dropFirst(), in: member, prefix: "\(prefix).\(key)") }
        return (member.arrayValue ?? []).enumerated().flatMap { index, element in
            values(at: parts.dropFirst(), in: element, prefix: "\(prefix).\(key)[\(index)]")
        }
    }

    private static func isSet(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): return false
        case .number(let number): return number.doubleValue != 0
        case .string(let text): return !text.isEmpty
        case .array(let elements): return !elements.isEmpty
        case .object(let members): return !members.isEmpty
        case .bool(true): return true
        }
    }
}
