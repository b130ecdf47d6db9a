import Foundation
import KubeCore

/// One problem with a Canary's spec, naming the field.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The limits validation holds values to, so that no value from an object can overflow what Serin computes.
public enum ValidationLimits {
    /// The longest analysis interval: a step is looked at again at least once a day.
    public static let maximumInterval: Duration = .seconds(24 * 3600)
    /// The longest session-affinity cookie lifetime: ten years.
    public static let maximumCookieAge = 10 * 365 * 24 * 3600
    /// The longest webhook timeout.
    public static let maximumWebhookTimeout: Duration = .seconds(3600)
    /// The most retries of one webhook call.
    public static let maximumWebhookRetries = 100
    /// The longest progress deadline: a year.
    public static let maximumProgressDeadlineSeconds = 365 * 24 * 3600
    /// The longest bake: a week.
    public static let maximumBake: Duration = .seconds(7 * 24 * 3600)
    /// A Service name is a DNS-1035 label: at most 63 characters.
    public static let maximumServiceName = 63
}

/// Collects validation issues; each names its field. Routers' checks (``RouterRules``) add theirs with it.
public struct ValidationIssues: Sendable {
    public var all: [ValidationIssue] = []

    public init() {}

    public mutating func add(_ field: String, _ message: String) { all.append(ValidationIssue(field: field, message: message)) }

    /// `value`, when set, must be within `range`.
    public mutating func range(_ value: Int?, _ range: ClosedRange<Int>, _ field: String) {
        guard let value, !range.contains(value) else { return }
        add(field, "\(value) is out of range (\(range.lowerBound)-\(range.upperBound))")
    }

    /// `text`, when set, must be a Go duration greater than zero and at most `maximum`.
    public mutating func duration(_ text: String?, maximum: Duration, _ field: String) {
        guard let text else { return }
        do {
            let parsed = try GoDuration(parsing: text)
            if parsed.duration <= .zero { add(field, "must be longer than 0s") }
            if parsed.duration > maximum { add(field, "\(text) is longer than the maximum \(GoDuration(maximum))") }
        } catch {
            add(field, error.description)
        }
    }

    /// `text` as a duration; `nil` when absent or not one (which ``duration(_:maximum:_:)`` reports).
    public static func parsedDuration(_ text: String?) -> GoDuration? {
        guard let text, case .success(let parsed) = Result(catching: { try GoDuration(parsing: text) }) else { return nil }
        return parsed
    }

    /// `text` must be an absolute http(s) URL with a host and a port in range.
    public mutating func url(_ text: String, _ field: String) {
        guard !text.isEmpty else { return add(field, "required") }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty
        else { return add(field, "\"\(text)\" is not an http(s) URL with a host") }
        if let port = url.port, !(1...65535).contains(port) { add(field, "port \(port) is out of range (1-65535)") }
    }

    /// A name Serin derives object names from: a DNS-1035 label once `suffix` is added.
    public mutating func derivedName(_ name: String, suffix: String, _ field: String) {
        let longest = ValidationLimits.maximumServiceName - suffix.count
        if name.count > longest {
            add(field, "\"\(name.prefix(20))…\" is \(name.count) characters; at most \(longest) so that \"<name>\(suffix)\" fits in 63")
        } else if !name.isEmpty, name.range(of: "^[a-z]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) == nil {
            add(field, "\"\(name)\" must be a DNS label: lower-case letters, digits and '-', starting with a letter")
        }
    }
}

extension Canary {
    /// Every problem with the spec; empty when the Canary can be reconciled by an operator with `context`.
    public func validate(_ context: ValidationContext = ValidationContext()) -> [ValidationIssue] {
        var issues = ValidationIssues()
        validateTarget(into: &issues, context: context)
        validateProvider(into: &issues, context: context)
        if let server = spec.metricsServer { issues.url(server, "spec.metricsServer") }
        // A Knative Service is its own route: Flagger reads nothing of `spec.service` for it.
        // Nor for a StatefulSet: Serin leaves its Services as they are (refused below if set).
        if targetKind != .knativeService && targetKind != .statefulSet { validateService(into: &issues) }
        validateKnativeTarget(into: &issues, context: context)
        validateStatefulSetTarget(into: &issues)
        validateSteps(into: &issues, context: context)
        issues.range(spec.progressDeadlineSeconds, 1...ValidationLimits.maximumProgressDeadlineSeconds, "spec.progressDeadlineSeconds")
        if let analysis = spec.analysis { validate(analysis, into: &issues) }
        validateBaseline(into: &issues, context: context)
        validateBake(into: &issues, context: context)
        validateNamespaceReferences(into: &issues, context: context)
        validateDependsOn(into: &issues, context: context)
        validateServiceTarget(into: &issues, context: context)
        unsupportedValues(into: &issues)
        return issues.all
    }

    private func validateTarget(into issues: inout ValidationIssues, context: ValidationContext) {
        if (spec.targetRef?.name ?? "").isEmpty { issues.add("spec.targetRef", "required: name the Deployment to ship") }
        if let kind = targetKind {
            if !context.targets.contains(kind) {
                issues.add(
                    "spec.targetRef.kind",
                    "\"\(kind)\" is not supported yet (supported: \(context.targets.map(\.description).sorted().joined(separator: ", ")))")
            }
        } else {
            let known = TargetKind.allCases.filter { $0 != .knativeService }.map(\.rawValue).joined(separator: ", ")
            issues.add("spec.targetRef.kind", "\"\(spec.targetRef?.kind ?? "")\" is not a known kind (known: \(known))")
        }
        if let namespace = spec.targetRef?.namespace, namespace != self.namespace {
            issues.add("spec.targetRef.namespace", "not supported: the target must be in the Canary's namespace \"\(self.namespace)\"")
        }
        if (spec.service?.name ?? "").isEmpty {
            // The Services are named after the target: it must be a DNS label with room for "-primary".
            issues.derivedName(targetName, suffix: "-primary", "spec.targetRef.name")
        } else if targetName.count > 253 - "-primary".count {
            issues.add("spec.targetRef.name", "is \(targetName.count) characters; at most 245 so that \"<name>-primary\" fits in 253")
        }
        if let autoscaler = spec.autoscalerRef {
            if (autoscaler.name ?? "").isEmpty { issues.add("spec.autoscalerRef.name", "required") }
            if let kind = autoscaler.kind, !["HorizontalPodAutoscaler", "ScaledObject"].contains(kind) {
                issues.add("spec.autoscalerRef.kind", "\"\(kind)\" is not supported (supported: HorizontalPodAutoscaler, ScaledObject)")
            }
            if !(autoscaler.primaryScalerQueries ?? [:]).isEmpty, autoscaler.kind != "ScaledObject" {
                issues.add("spec.autoscalerRef.primaryScalerQueries", "applies to a KEDA ScaledObject only")
            }
            if let replicas = autoscaler.primaryScalerReplicas {
                issues.range(replicas.minReplicas, 1...Int(Int32.max), "spec.autoscalerRef.primaryScalerReplicas.minReplicas")
                issues.range(replicas.maxReplicas, 1...Int(Int32.max), "spec.autoscalerRef.primaryScalerReplicas.maxReplicas")
                if let low = replicas.minReplicas, let high = replicas.maxReplicas, low > high {
                    issues.add("spec.autoscalerRef.primaryScalerReplicas", "minReplicas \(low) is above maxReplicas \(high)")
                }
            }
        }
    }

    private func validateProvider(into issues: inout ValidationIssues, context: ValidationContext) {
        guard let provider = meshProvider(default: context.meshProvider) else {
            do { _ = try MeshProvider(parsing: spec.provider ?? "") } catch { issues.add("spec.provider", error.description) }
            return
        }
        func names(_ providers: Set<MeshProvider>) -> String { providers.map(\.rawValue).sorted().joined(separator: ", ") }
        if !context.implementedRouters.contains(provider) {
            issues.add("spec.provider", "\"\(provider)\" is not supported yet (supported: \(names(context.implementedRouters)))")
        } else if !context.routers.contains(provider) {
            issues.add(
                "spec.provider",
                "\"\(provider)\" is not enabled on this operator (--mesh-provider \(context.meshProvider) enables: \(names(context.routers)))")
        } else if targetKind != .statefulSet {
            // A StatefulSet is not routed: its provider only says whose telemetry the built-in metrics read.
            context.routerRules[provider]?.check(self, &issues)
        }
        refuseOtherProvidersFields(into: &issues, provider: provider, context: context)
    }

    private func validateService(into issues: inout ValidationIssues) {
        guard let service = spec.service else { return issues.add("spec.service.port", "required") }
        if service.port == nil { issues.add("spec.service.port", "required") }
        issues.range(service.port, 1...65535, "spec.service.port")
        if case .int(let port) = service.targetPort { issues.range(port, 1...65535, "spec.service.targetPort") }
        if case .string(let name) = service.targetPort, name.isEmpty { issues.add("spec.service.targetPort", "must not be empty") }
        if let name = service.name, !name.isEmpty { issues.derivedName(name, suffix: "-primary", "spec.service.name") }
        issues.duration(service.timeout, maximum: ValidationLimits.maximumWebhookTimeout, "spec.service.timeout")
        if service.delegation == true, !(service.hosts ?? []).isEmpty || !(service.gateways ?? []).isEmpty {
            issues.add("spec.service.delegation", "a delegate VirtualService cannot have hosts or gateways: set them on the root VirtualService")
        }
    }
}
