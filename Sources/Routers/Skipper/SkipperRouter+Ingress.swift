import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime

extension SkipperRouter {
    static let weightsAnnotation = "zalando.org/backend-weights"
    static let predicateAnnotation = "zalando.org/skipper-predicate"
    /// The leading predicate while the canary takes traffic: the copy outranks the user's route.
    static let enabled = "Weight(100)"
    /// The leading predicate while it takes none: the copy never matches.
    static let disabled = "False()"

    /// Whether one of the user's Ingress paths goes to the apex Service `<svc>`.
    static func sendsToApex(_ ingress: JSONValue, canary: Canary) -> Bool {
        (ingress[path: "spec", "rules"]?.arrayValue ?? []).contains { rule in
            (rule[path: "http", "paths"]?.arrayValue ?? []).contains { $0[path: "backend", "service", "name"]?.stringValue == canary.serviceName }
        }
    }

    /// The canary Ingress Serin wants: the user's spec with each path to `<svc>` going to `<svc>-primary` and,
    /// as a copy at the end of the rule's paths (where Flagger appends it), to `<svc>-canary`; the user's labels and annotations (but
    /// kubectl's last-applied and Flux's); the live split, or 100/0 with the copy disabled when there is
    /// none yet. Pure.
    static func desiredCanaryIngress(_ canary: Canary, user: JSONValue, live: JSONValue?) -> JSONValue {
        var ingress = live ?? ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress"]
        var spec = user["spec"] ?? [:]
        if var rules = spec["rules"]?.arrayValue {
            for index in rules.indices {
                guard var paths = rules[index][path: "http", "paths"]?.arrayValue else { continue }
                var copies: [JSONValue] = []
                for item in paths.indices where paths[item][path: "backend", "service", "name"]?.stringValue == canary.serviceName {
                    paths[item][path: "backend", "service", "name"] = .string("\(canary.serviceName)-primary")
                    var copy = paths[item]
                    copy[path: "backend", "service", "name"] = .string("\(canary.serviceName)-canary")
                    copies.append(copy)
                }
                rules[index][path: "http", "paths"] = .array(paths + copies)
            }
            spec["rules"] = .array(rules)
        }
        ingress["spec"] = spec
        let labels = (user[path: "metadata", "labels"]?.objectValue ?? [:]).filter { !$0.key.contains("toolkit.fluxcd.io") }
        ingress[path: "metadata", "labels"] = labels.isEmpty ? nil : .object(labels)
        var annotations = (user[path: "metadata", "annotations"]?.objectValue ?? [:]).filter { key, _ in
            key != weightsAnnotation && !key.contains("toolkit.fluxcd.io") && key != CacheTransform.lastAppliedAnnotation
                && key != OwnedObjectApplier.defaultOriginalAnnotation
        }
        let liveAnnotations = live?[path: "metadata", "annotations"]?.objectValue ?? [:]
        if let original = liveAnnotations[OwnedObjectApplier.defaultOriginalAnnotation] {
            annotations[OwnedObjectApplier.defaultOriginalAnnotation] = original
        }
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        let leading = leadingPredicate(liveAnnotations[predicateAnnotation]?.stringValue) ?? disabled
        annotations[weightsAnnotation] = .string(weightsText(canary, routes))
        annotations[predicateAnnotation] = .string(insertPredicate(annotations[predicateAnnotation]?.stringValue, leading))
        ingress[path: "metadata", "annotations"] = .object(annotations)
        return ingress
    }

    /// The split of `zalando.org/backend-weights` (`nil` when it does not name both Services with whole weights).
    static func weights(in ingress: JSONValue, canary: Canary) -> Routes? {
        guard let text = ingress[path: "metadata", "annotations", weightsAnnotation]?.stringValue else { return nil }
        let weights: JSONValue
        do { weights = try JSONValue(parsing: Array(text.utf8)) } catch { return nil }  // broken: no split yet, the next reconcile writes one
        guard let primary = weights["\(canary.serviceName)-primary"]?.intValue, let canaryWeight = weights["\(canary.serviceName)-canary"]?.intValue,
            (0...100).contains(primary), (0...100).contains(canaryWeight)
        else { return nil }
        return Routes(primary: primary, canary: canaryWeight)
    }

    /// The annotations of a split: the weights, and the predicate led by `Weight(100)` or, with no canary
    /// traffic, `False()`, as Flagger writes them.
    static func splitAnnotations(_ canary: Canary, _ routes: Routes, predicate: String?) -> JSONObject {
        [
            weightsAnnotation: .string(weightsText(canary, routes)),
            predicateAnnotation: .string(insertPredicate(predicate, routes.canary == 0 ? disabled : enabled)),
        ]
    }

    /// `{"<svc>-canary":W,"<svc>-primary":W}`, keys sorted as Go's encoder writes a map.
    static func weightsText(_ canary: Canary, _ routes: Routes) -> String {
        #"{"\#(canary.serviceName)-canary":\#(routes.canary),"\#(canary.serviceName)-primary":\#(routes.primary)}"#
    }

    /// `insert` first, then the other predicates of `raw` (split on `&&`), without Serin's own.
    static func insertPredicate(_ raw: String?, _ insert: String) -> String {
        let others = (raw ?? "").components(separatedBy: "&&").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty && $0 != enabled && $0 != disabled
        }
        return ([insert] + others).joined(separator: " && ")
    }

    /// Serin's leading predicate of a live predicate, if it has one.
    static func leadingPredicate(_ raw: String?) -> String? {
        let first = raw?.components(separatedBy: "&&").first?.trimmingCharacters(in: .whitespaces)
        return first == enabled || first == disabled ? first : nil
    }
}
