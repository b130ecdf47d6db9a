import CanaryAPI
import CanaryCore
import KubeCore
import KubeRuntime

extension NginxRouter {
    static func annotation(_ suffix: String, _ prefix: String = defaultPrefix) -> String { "\(prefix)/\(suffix)" }

    /// Whether the user's Ingress sends anything to the apex Service `<svc>` (a path or its default backend).
    static func sendsToApex(_ ingress: JSONValue, canary: Canary) -> Bool {
        if ingress[path: "spec", "defaultBackend", "service", "name"]?.stringValue == canary.serviceName { return true }
        return (ingress[path: "spec", "rules"]?.arrayValue ?? []).contains { rule in
            (rule[path: "http", "paths"]?.arrayValue ?? []).contains { $0[path: "backend", "service", "name"]?.stringValue == canary.serviceName }
        }
    }

    /// The canary Ingress Serin wants: the user's spec with `<svc>` as `<svc>-canary`, the user's labels and
    /// annotations (but kubectl's last-applied, Flux's and any `canary*` of the user's), and the live split
    /// (`canary: "true"`, `canary-weight: "0"` when there is none yet). Pure.
    static func desiredCanaryIngress(_ canary: Canary, user: JSONValue, live: JSONValue?, prefix: String = defaultPrefix) -> JSONValue {
        var ingress = live ?? ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress"]
        var spec = user["spec"] ?? [:]
        if spec[path: "defaultBackend", "service", "name"]?.stringValue == canary.serviceName {
            spec[path: "defaultBackend", "service", "name"] = .string("\(canary.serviceName)-canary")
        }
        if var rules = spec["rules"]?.arrayValue {
            for index in rules.indices {
                guard var paths = rules[index][path: "http", "paths"]?.arrayValue else { continue }
                for item in paths.indices where paths[item][path: "backend", "service", "name"]?.stringValue == canary.serviceName {
                    paths[item][path: "backend", "service", "name"] = .string("\(canary.serviceName)-canary")
                }
                rules[index][path: "http", "paths"] = .array(paths)
            }
            spec["rules"] = .array(rules)
        }
        ingress["spec"] = spec
        let labels = (user[path: "metadata", "labels"]?.objectValue ?? [:]).filter { !$0.key.contains("toolkit.fluxcd.io") }
        ingress[path: "metadata", "labels"] = labels.isEmpty ? nil : .object(labels)
        var annotations = (user[path: "metadata", "annotations"]?.objectValue ?? [:]).filter { key, _ in
            !isSplitAnnotation(key, prefix) && !key.contains("toolkit.fluxcd.io") && key != CacheTransform.lastAppliedAnnotation
                && key != OwnedObjectApplier.defaultOriginalAnnotation
        }
        let liveAnnotations = live?[path: "metadata", "annotations"]?.objectValue ?? [:]
        for (key, value) in liveAnnotations where isSplitAnnotation(key, prefix) || key == OwnedObjectApplier.defaultOriginalAnnotation {
            annotations[key] = value
        }
        if annotations[annotation("canary", prefix)] == nil || Int(annotations[annotation("canary-weight", prefix)]?.stringValue ?? "") == nil {
            annotations[annotation("canary", prefix)] = "true"
            annotations[annotation("canary-weight", prefix)] = "0"
        }
        ingress[path: "metadata", "annotations"] = .object(annotations)
        return ingress
    }

    /// Whether `key` is one of ingress-nginx's canary annotations.
    static func isSplitAnnotation(_ key: String, _ prefix: String = defaultPrefix) -> Bool {
        key == annotation("canary", prefix) || key.hasPrefix(annotation("canary-", prefix))
    }

    /// The split the canary Ingress makes: for A/B testing all matching requests on the canary while a
    /// `canary-by-header` or `canary-by-cookie` is set; else `canary-weight` (no split unless `canary: "true"`).
    static func weights(in ingress: JSONValue, canary: Canary, prefix: String = defaultPrefix) -> Routes? {
        let annotations = ingress[path: "metadata", "annotations"]?.objectValue ?? [:]
        if canary.strategy == .abTesting,
            annotations[annotation("canary-by-header", prefix)] != nil || annotations[annotation("canary-by-cookie", prefix)] != nil
        {
            return Routes(primary: 0, canary: 100)
        }
        guard let text = annotations[annotation("canary-weight", prefix)]?.stringValue, let weight = Int(text), (0...100).contains(weight) else {
            return nil
        }
        let enabled = annotations[annotation("canary", prefix)]?.stringValue == "true"
        return enabled ? Routes(primary: 100 - weight, canary: weight) : .allPrimary
    }

    /// The `canary-*` annotations for `routes` (a `null` removes one), as Flagger sets them: for A/B testing the
    /// header and cookie of `analysis.match` while the canary gets traffic, else the weight.
    static func splitAnnotations(_ canary: Canary, _ routes: Routes, prefix: String = defaultPrefix) -> JSONObject {
        func annotation(_ suffix: String) -> String { NginxRouter.annotation(suffix, prefix) }
        var annotations: JSONObject = [annotation("canary"): "true"]
        let matching = ["canary-by-header", "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie"]
        for key in matching { annotations[annotation(key)] = .null }
        guard canary.strategy == .abTesting else {
            annotations[annotation("canary-weight")] = .string(String(routes.canary))
            return annotations
        }
        annotations[annotation("canary-weight")] = "0"
        guard routes.canary > 0 else { return annotations }
        for block in canary.spec.analysis?.match ?? [] {
            for (name, condition) in block["headers"]?.objectValue ?? [:] {
                if name.lowercased() == "cookie" {
                    annotations[annotation("canary-by-cookie")] = condition["exact"] ?? .null
                } else {
                    annotations[annotation("canary-by-header")] = .string(name)
                    annotations[annotation("canary-by-header-value")] = condition["exact"] ?? .null
                    annotations[annotation("canary-by-header-pattern")] = condition["regex"] ?? .null
                }
            }
        }
        return annotations
    }
}
