/// Kubernetes strategic merge patch for built-in kinds, as `kubectl apply`, `set image`, `label` and
/// `patch` send it.
///
/// Lists of objects with a merge key merge element by element (containers, env, ports, volumes, volume
/// mounts, conditions, owner references…); other lists replace. Supported directives: `$patch: replace |
/// delete | merge`, `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` (the
/// order is applied to the merged list). Patch metadata comes from the field name rather than the OpenAPI
/// schema — an approximation that covers the built-in kinds the sandbox serves.
public enum StrategicMergePatch {
    /// The merge key of a list, by field name; `containerPort` for container ports, `port` for service ports.
    public static func mergeKey(field: String, elements: [JSONValue]) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets": return "name"
        case "volumeMounts", "volumeDevices": return "mountPath"
        case "conditions": return "type"
        case "ownerReferences": return "uid"
        case "hostAliases": return "ip"
        case "ports":
            return elements.contains(where: { $0["containerPort"] != nil }) ? "containerPort" : "port"
        default: return nil
        }
    }

    /// Primitive lists that merge (union) instead of replacing.
    public static let mergedPrimitiveLists: Set<String> = ["finalizers"]

    public static func apply(_ patch: JSONValue, to original: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        if patchMembers["$patch"]?.stringValue == "replace" {
            var replacement = patchMembers
            replacement.removeValue(forKey: "$patch")
            return .object(replacement)
        }
        var result = original.objectValue ?? [:]
        var order: [String: [JSONValue]] = [:]
        for (key, value) in patchMembers {
            if key == "$patch" || key == "$retainKeys" { continue }
            if key.hasPrefix("$setElementOrder/") {
                order[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let list = result[field]?.arrayValue { result[field] = .array(list.filter { !removed.contains($0) }) }
                continue
            }
            if value.isNull {
                result.removeValue(forKey: key)
            } else if case .array(let elements) = value {
                result[key] = mergeList(field: key, original: result[key]?.arrayValue ?? [], patch: elements)
            } else if value.objectValue != nil, value["$patch"]?.stringValue == "delete" {
                result.removeValue(forKey: key)
            } else if value.objectValue != nil, result[key]?.objectValue != nil {
                result[key] = apply(value, to: result[key]!)
            } else {
                result[key] = apply(value, to: .null)
            }
        }
        if let retain = patchMembers["$retainKeys"]?.arrayValue?.compactMap(\.stringValue) {
            result = result.filter { retain.contains($0.key) }
        }
        for (field, wanted) in order { if let list = result[field]?.arrayValue { result[field] = reorder(list, field: field, by: wanted) } }
        return .object(result)
    }

    private static func mergeList(field: String, original: [JSONValue], patch: [JSONValue]) -> JSONValue {
        if mergedPrimitiveLists.contains(field) {
            return .array(original + patch.filter { !original.contains($0) })
        }
        guard let key = mergeKey(field: field, elements: original + patch) else {
            return .array(patch.map { apply($0, to: .null) })
        }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        var merged = original
        for element in patch {
            let id = element[key]
            let index = merged.firstIndex { $0[key] == id && id != nil }
            if element["$patch"]?.stringValue == "delete" {
                if let index { merged.remove(at: index) }
            } else if let index {
                merged[index] = apply(element, to: merged[index])
            } else {
                merged.append(apply(element, to: .null))
            }
        }
        return .array(merged)
    }

    private static func reorder(_ list: [JSONValue], field: String, by wanted: [JSONValue]) -> JSONValue {
        guard let key = mergeKey(field: field, elements: list) else { return .array(list) }
        let ids = wanted.compactMap { $0[key] }
        let ordered = ids.compactMap { id in list.first { $0[key] == id } }
        let rest = list.filter { element in !ids.contains { $0 == element[key] } }
        return .array(ordered + rest)
    }
}
