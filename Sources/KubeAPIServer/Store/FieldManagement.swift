import KubeCore

/// Server-side apply's field ownership (`metadata.managedFields`), as the API server keeps it.
///
/// Pure functions of the object before and after a write. Every write through the API names a field
/// manager (the `fieldManager` parameter, or the client's `User-Agent` up to its first `/`):
///
/// - A create, update or non-apply patch (operation `Update`) gives its manager the fields it changed and
///   takes them from everyone else; fields it removed are owned by nobody.
/// - An apply (operation `Apply`) owns exactly the fields of the applied configuration. A field that another
///   manager owns and the configuration sets to a different value is a conflict (409, naming the managers and
///   fields) unless the apply is forced, which takes the field over. A field the manager applied before and
///   no longer applies is removed from the object, unless another manager still owns it.
/// - Writes to the `status` subresource are tracked apart (`subresource: status`).
///
/// Caveats: list semantics come from ``FieldSet`` (strategic merge keys for built-in kinds, atomic lists
/// in custom resources); the applied configuration is merged as a strategic merge patch (built-in kinds)
/// or a merge patch, so `null` deletes.
struct FieldManagement: Sendable {
    /// One `managedFields` entry.
    struct Entry: Sendable {
        var manager: String
        var operation: String
        var apiVersion: String
        var time: String
        var subresource: String?
        var fields: FieldSet

        init(manager: String, operation: String, apiVersion: String, time: String, subresource: String?, fields: FieldSet) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = apiVersion
            self.time = time
            self.subresource = subresource
            self.fields = fields
        }

        init(_ json: JSONValue) {
            manager = json["manager"]?.stringValue ?? ""
            operation = json["operation"]?.stringValue ?? "Update"
            apiVersion = json["apiVersion"]?.stringValue ?? ""
            time = json["time"]?.stringValue ?? ""
            subresource = json["subresource"]?.stringValue
            fields = FieldSet(fieldsV1: json["fieldsV1"] ?? [:])
        }

        var json: JSONValue {
            var entry: JSONValue = [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion), "time": .string(time),
                "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
            ]
            entry["subresource"] = subresource.map(JSONValue.string)
            return entry
        }

        func isSameOwner(_ manager: String, _ operation: String, _ subresource: String?) -> Bool {
            self.manager == manager && self.operation == operation && self.subresource == subresource
        }
    }

    /// Who writes, and how lists are tracked.
    var manager: String
    var apiVersion: String
    var time: String
    var associativeLists: Bool

    static func entries(of object: JSONValue?) -> [Entry] {
        (object?[path: "metadata", "managedFields"]?.arrayValue ?? []).map(Entry.init)
    }

    /// The `managedFields` after a non-apply write turned `old` (nil: a create) into `new`.
    func afterUpdate(old: JSONValue?, new: JSONValue, subresource: String?) -> JSONValue {
        let status = subresource == "status"
        // Only what differs: an equal subtree's fields are neither changed nor removed.
        let (before, after) =
            old.map { FieldSet.differing($0, new, associativeLists: associativeLists, status: status) }
            ?? (FieldSet(), FieldSet(of: new, associativeLists: associativeLists, status: status))
        let (changed, removed) = FieldManagement.changes(from: old, to: new, before: before, after: after)
        if changed.isEmpty && removed.isEmpty { return old?[path: "metadata", "managedFields"] ?? .array([]) }
        var entries = FieldManagement.entries(of: old).map { entry in
            var entry = entry
            entry.fields = entry.fields.subtracting(changed).subtracting(removed)
            return entry
        }
        if let index = entries.firstIndex(where: { $0.isSameOwner(manager, "Update", subresource) }) {
            entries[index].fields = entries[index].fields.union(changed)
            entries[index].time = time
        } else if !changed.isEmpty {
            entries.append(
                Entry(
                    manager: manager, operation: "Update", apiVersion: apiVersion, time: time, subresource: subresource,
                    fields: changed))
        }
        return .array(entries.filter { !$0.fields.isEmpty }.map(\.json))
    }

    /// What a write from `old` to `new` changed and removed, given fields of each (`before`, `after`).
    static func changes(from old: JSONValue?, to new: JSONValue, before: FieldSet, after: FieldSet) -> (changed: FieldSet, removed: FieldSet) {
        // A list item itself changes only by appearing; what changes inside it is its fields'.
        let changed = FieldSet(
            after.paths.filter { path in
                if FieldSet.isItem(path) { return !before.contains(path) }
                return old.map { FieldSet.value(at: path, in: $0) != FieldSet.value(at: path, in: new) } ?? true
            })
        return (changed, before.subtracting(after))
    }

    /// A conflict of an apply with fields other managers own.
    struct Conflict: Sendable {
        var manager: String
        var apiVersion: String
        var path: FieldSet.Path
    }

    /// The object after `manager` applied `configuration` to `live` (nil: it does not exist yet), merged by `merge`.
    func apply(
        _ configuration: JSONValue, to live: JSONValue?, force: Bool, merge: (JSONValue, JSONValue) -> JSONValue
    )
        -> Result<JSONValue, ConflictError>
    {
        let applied = FieldSet(of: configuration, associativeLists: associativeLists)
        var entries = FieldManagement.entries(of: live)
        var conflicts: [Conflict] = []
        for (index, entry) in entries.enumerated() where !entry.isSameOwner(manager, "Apply", nil) && entry.subresource == nil {
            let contested = entry.fields.intersection(applied).paths.filter { path in
                !FieldSet.isItem(path) && FieldSet.value(at: path, in: configuration) != live.flatMap { FieldSet.value(at: path, in: $0) }
            }
            guard !contested.isEmpty else { continue }
            if force {
                entries[index].fields = entry.fields.subtracting(FieldSet(Set(contested)))
            } else {
                conflicts += contested.sorted { $0.lexicographicallyPrecedes($1) }
                    .map { Conflict(manager: entry.manager, apiVersion: entry.apiVersion, path: $0) }
            }
        }
        if !conflicts.isEmpty { return .failure(ConflictError(conflicts: conflicts)) }
        let previousEntry = entries.first { $0.isSameOwner(manager, "Apply", nil) }
        let previous = previousEntry?.fields ?? FieldSet()
        entries.removeAll { $0.isSameOwner(manager, "Apply", nil) }
        var object = merge(live ?? [:], configuration)
        let others = entries.filter { $0.subresource == nil }
        let ownedByOthers = others.reduce(into: Set<FieldSet.Path>()) { $0.formUnion($1.fields.pathsAndAncestors) }
        let removable = Set(previous.subtracting(applied).paths.filter { !ownedByOthers.contains($0) })
        for path in removable where !(1..<max(path.count, 1)).contains(where: { removable.contains(Array(path.prefix($0))) }) {
            object = FieldSet.removing(path, from: object)  // an item goes whole, not field by field
        }
        let unchanged = previousEntry.map { $0.fields == applied } ?? false  // a repeated apply keeps its time: no write at all
        entries.append(
            Entry(
                manager: manager, operation: "Apply", apiVersion: apiVersion, time: unchanged ? previousEntry!.time : time,
                subresource: nil, fields: applied))
        object[path: "metadata", "managedFields"] = .array(entries.filter { !$0.fields.isEmpty }.map(\.json))
        return .success(object)
    }

    /// An apply that conflicts, in Kubernetes' words.
    struct ConflictError: Error, Sendable {
        var conflicts: [Conflict]

        var message: String {
            let count = conflicts.count
            var groups: [(String, [Conflict])] = []
            for conflict in conflicts {
                let owner = "\"\(conflict.manager)\" using \(conflict.apiVersion)"
                if let index = groups.firstIndex(where: { $0.0 == owner }) {
                    groups[index].1.append(conflict)
                } else {
                    groups.append((owner, [conflict]))
                }
            }
            let parts = groups.map { owner, items in
                items.count == 1
                    ? "conflict with \(owner): \(FieldSet.describe(items[0].path))"
                    : "conflicts with \(owner):\n" + items.map { "- " + FieldSet.describe($0.path) }.joined(separator: "\n")
            }
            return "Apply failed with \(count) conflict\(count == 1 ? "" : "s"): " + parts.joined(separator: "\n")
        }

        var causes: [KubeStatus.Cause] {
            conflicts.map {
                .init(
                    reason: "FieldManagerConflict", message: "conflict with \"\($0.manager)\" using \($0.apiVersion)",
                    field: FieldSet.describe($0.path))
            }
        }
    }
}
