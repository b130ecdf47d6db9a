extension JSONValue {
    /// Applies an RFC 7386 JSON merge patch: objects merge member by member, `null` removes a member, and
    /// anything else (arrays included) replaces.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(result)
    }

    /// The RFC 7386 merge patch that turns `self` into `target` (`nil` when they are equal).
    public func mergePatch(to target: JSONValue) -> JSONValue? {
        guard case .object(let source) = self, case .object(let goal) = target else {
            return self == target ? nil : target
        }
        var patch = JSONObject()
        for (key, value) in goal {
            if let old = source[key] {
                if let change = old.mergePatch(to: value) { patch[key] = change }
            } else {
                patch[key] = value
            }
        }
        for key in source.keys where goal[key] == nil { patch[key] = .null }
        return patch.isEmpty ? nil : .object(patch)
    }

    /// A merge patch that writes all of `self` and removes what `previous` held that `self` no longer does
    /// (members of nested objects too): applied to a document that equals `previous` in those members, or
    /// was edited in them since, it gives `self`. For a writer that owns the whole object (a status).
    public func replacing(_ previous: JSONValue?) -> JSONValue {
        guard case .object(var patch) = self, case .object(let old)? = previous else { return self }
        for (key, value) in old {
            if let current = patch[key] {
                if case .object = current, case .object = value { patch[key] = current.replacing(value) }
            } else {
                patch[key] = .null
            }
        }
        return .object(patch)
    }
}
