import KubeCore

/// A set of field paths in an object, as server-side apply tracks ownership (`fieldsV1`).
///
/// A path is a list of elements written as Kubernetes writes them: `f:name` (a field), `k:{"name":"web"}`
/// (the item of an associative list with that key), `v:"x"` (the item of a set of primitives) and `i:0` (an
/// index, which the sandbox never produces). The set holds leaf fields and the list items themselves; an
/// object field is never owned as a whole.
///
/// Associative lists are those with a strategic merge key (containers by `name`, ports by `containerPort`…)
/// in built-in kinds; `finalizers` is a set; every other list, and every list of a custom resource, is atomic
/// (owned as one value), as a CRD without `x-kubernetes-list-type` is.
struct FieldSet: Sendable, Equatable {
    typealias Path = [String]

    private(set) var paths: Set<Path> = []

    init(_ paths: Set<Path> = []) { self.paths = paths }

    /// The fields an object sets, apart from those the server owns (`apiVersion`, `kind`, identity and
    /// bookkeeping in `metadata`) and, unless `status` is asked for, `status`.
    init(of object: JSONValue, associativeLists: Bool, status: Bool = false) {
        guard case .object(let members) = object else { return }
        var paths: Set<Path> = []
        for (key, value) in members {
            if ["apiVersion", "kind"].contains(key) || (key == "status") != status { continue }
            var value = value
            if key == "metadata", case .object(var metadata) = value {
                for field in FieldSet.serverMetadata { metadata.removeValue(forKey: field) }
                value = .object(metadata)
                if metadata.isEmpty { continue }
            }
            FieldSet.collect(value, at: ["f:" + key], field: key, associative: associativeLists, into: &paths)
        }
        self.paths = paths
    }

    /// The fields of `old` and of `new` (as ``init(of:associativeLists:status:)`` finds them) under what differs
    /// between the two: a write neither changes nor removes a field in a subtree the two have equal, so a
    /// write's changes can be found without listing every field of both.
    static func differing(_ old: JSONValue, _ new: JSONValue, associativeLists: Bool, status: Bool) -> (before: FieldSet, after: FieldSet) {
        let oldMembers = tracked(old, status: status), newMembers = tracked(new, status: status)
        var before: Set<Path> = [], after: Set<Path> = []
        for key in Set(oldMembers.keys).union(newMembers.keys) where oldMembers[key] != newMembers[key] {
            collectDiffering(
                oldMembers[key], newMembers[key], at: ["f:" + key], field: key, associative: associativeLists,
                before: &before, after: &after)
        }
        return (FieldSet(before), FieldSet(after))
    }

    /// The top-level members whose fields are tracked, `metadata` without what the server owns.
    private static func tracked(_ object: JSONValue, status: Bool) -> [String: JSONValue] {
        guard case .object(let members) = object else { return [:] }
        var tracked: [String: JSONValue] = [:]
        for (key, value) in members where !["apiVersion", "kind"].contains(key) && (key == "status") == status {
            guard key == "metadata", case .object(var metadata) = value else {
                tracked[key] = value
                continue
            }
            for field in serverMetadata { metadata.removeValue(forKey: field) }
            if !metadata.isEmpty { tracked[key] = .object(metadata) }
        }
        return tracked
    }

    private static func collectDiffering(
        _ old: JSONValue?, _ new: JSONValue?, at path: Path, field: String, associative: Bool,
        before: inout Set<Path>, after: inout Set<Path>
    ) {
        // Two non-empty objects: `collect` goes member by member, so equal members can be left out.
        if case .object(let oldMembers)? = old, !oldMembers.isEmpty, case .object(let newMembers)? = new, !newMembers.isEmpty {
            for (key, member) in oldMembers where newMembers[key] != member {
                collectDiffering(
                    member, newMembers[key], at: path + ["f:" + key], field: key, associative: associative,
                    before: &before, after: &after)
            }
            for (key, member) in newMembers where oldMembers[key] == nil {
                collect(member, at: path + ["f:" + key], field: key, associative: associative, into: &after)
            }
            return
        }
        if let old { collect(old, at: path, field: field, associative: associative, into: &before) }
        if let new { collect(new, at: path, field: field, associative: associative, into: &after) }
    }

    static let serverMetadata = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName",
    ]

    private static func collect(_ value: JSONValue, at path: Path, field: String, associative: Bool, into paths: inout Set<Path>) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, member) in members { collect(member, at: path + ["f:" + key], field: key, associative: associative, into: &paths) }
        case .array(let elements) where !elements.isEmpty && associative:
            if let key = StrategicMergePatch.mergeKey(field: field, elements: elements), elements.allSatisfy({ $0[key] != nil }) {
                for element in elements {
                    let item = path + ["k:" + JSONValue.object([key: element[key] ?? .null]).jsonString]
                    paths.insert(item)
                    for (name, member) in element.objectValue ?? [:] {
                        collect(member, at: item + ["f:" + name], field: name, associative: associative, into: &paths)
                    }
                }
            } else if StrategicMergePatch.mergedPrimitiveLists.contains(field) {
                for element in elements { paths.insert(path + ["v:" + element.jsonString]) }
            } else {
                paths.insert(path)
            }
        default: paths.insert(path)
        }
    }

    func contains(_ path: Path) -> Bool { paths.contains(path) }

    /// Whether `path` names an item of an associative list (`k:…`), whose own value is its fields'.
    static func isItem(_ path: Path) -> Bool { path.last?.hasPrefix("k:") ?? false }
    func union(_ other: FieldSet) -> FieldSet { FieldSet(paths.union(other.paths)) }
    func subtracting(_ other: FieldSet) -> FieldSet { FieldSet(paths.subtracting(other.paths)) }
    func intersection(_ other: FieldSet) -> FieldSet { FieldSet(paths.intersection(other.paths)) }
    var isEmpty: Bool { paths.isEmpty }

    /// Whether this set owns `path` or anything under it.
    func ownsAnything(under path: Path) -> Bool { paths.contains { $0.starts(with: path) } }

    /// Every path this set owns and every path above one: `ownsAnything(under:)` for many paths in linear time.
    var pathsAndAncestors: Set<Path> {
        var all: Set<Path> = []
        for path in paths {
            for length in stride(from: path.count, through: 1, by: -1) where all.insert(Array(path.prefix(length))).inserted == false { break }
        }
        return all
    }

    // MARK: fieldsV1

    /// The `fieldsV1` document: nested `f:`/`k:`/`v:` members, `{}` for a leaf, `".": {}` for an owned item with owned fields.
    ///
    /// Built from the sorted paths in one pass (each member is made once, never copied to be extended), so a
    /// ConfigMap of 100,000 keys costs a sort and no more.
    var fieldsV1: JSONValue {
        let sorted = paths.filter { !$0.isEmpty }.sorted(by: { $0.lexicographicallyPrecedes($1) })
        return .object(FieldSet.members(sorted[...], depth: 0))
    }

    /// The members at `depth` of the sorted `paths`, which all share their first `depth` elements.
    private static func members(_ paths: ArraySlice<Path>, depth: Int) -> JSONObject {
        var object = JSONObject()
        var start = paths.startIndex
        while start < paths.endIndex {
            let element = paths[start][depth]
            var end = start + 1
            while end < paths.endIndex, paths[end][depth] == element { end += 1 }
            // Sorted, a path comes before the longer ones it starts: the item itself, if owned, is first.
            let ownsItself = paths[start].count == depth + 1
            let deeper = paths[(ownsItself ? start + 1 : start)..<end]
            var child = deeper.isEmpty ? JSONObject() : members(deeper, depth: depth + 1)
            if ownsItself, !child.isEmpty { _ = child.updateValue(.object([:]), forKey: ".", insertingAt: 0) }
            object[element] = .object(child)
            start = end
        }
        return object
    }

    /// The set a `fieldsV1` document describes.
    init(fieldsV1: JSONValue) {
        var paths: Set<Path> = []
        FieldSet.read(fieldsV1, at: [], into: &paths)
        self.paths = paths
    }

    private static func read(_ value: JSONValue, at path: Path, into paths: inout Set<Path>) {
        guard case .object(let members) = value else { return }
        if members.isEmpty, !path.isEmpty { paths.insert(path) }
        for (key, member) in members {
            if key == "." { paths.insert(path) } else { read(member, at: path + [key], into: &paths) }
        }
    }

    // MARK: Values

    /// The value at `path` in `object`, if it is there.
    static func value(at path: some Collection<String>, in object: JSONValue) -> JSONValue? {
        guard let element = path.first else { return object }
        let rest = path.dropFirst()
        switch element.prefix(2) {
        case "f:": return object[String(element.dropFirst(2))].flatMap { value(at: rest, in: $0) }
        case "k:", "v:":
            guard let index = itemIndex(element, in: object.arrayValue ?? []) else { return nil }
            return value(at: rest, in: object.arrayValue![index])
        case "i:": return Int(element.dropFirst(2)).flatMap { object[$0] }.flatMap { value(at: rest, in: $0) }
        default: return nil
        }
    }

    /// `object` without what `path` names.
    static func removing(_ path: some Collection<String>, from object: JSONValue) -> JSONValue {
        guard let element = path.first else { return object }
        let rest = path.dropFirst()
        switch element.prefix(2) {
        case "f:":
            let key = String(element.dropFirst(2))
            guard case .object(var members) = object, let member = members[key] else { return object }
            if rest.isEmpty { members.removeValue(forKey: key) } else { members[key] = removing(rest, from: member) }
            if let left = members[key], !rest.isEmpty, left == [:] || left == .array([]) { members.removeValue(forKey: key) }  // emptied
            return .object(members)
        case "k:", "v:":
            guard case .array(var elements) = object, let index = itemIndex(element, in: elements) else { return object }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = removing(rest, from: elements[index]) }
            return .array(elements)
        default: return object
        }
    }

    private static func itemIndex(_ element: String, in elements: [JSONValue]) -> Int? {
        guard let key = try? JSONValue(parsing: Array(element.dropFirst(2).utf8)) else { return nil }
        if element.hasPrefix("v:") { return elements.firstIndex(of: key) }
        let fields = key.objectValue ?? [:]
        return elements.firstIndex { item in fields.allSatisfy { item[$0.key] == $0.value } }
    }

    /// A path as Kubernetes prints it in a conflict: `.spec.template.spec.containers[name="web"].image`.
    static func describe(_ path: Path) -> String {
        path.map { element -> String in
            switch element.prefix(2) {
            case "f:": return "." + element.dropFirst(2)
            case "k:":
                let key = (try? JSONValue(parsing: Array(element.dropFirst(2).utf8)))?.objectValue ?? [:]
                return "[" + key.map { "\($0.key)=\($0.value.jsonString)" }.joined(separator: ",") + "]"
            case "v:": return "[=\(element.dropFirst(2))]"
            default: return "[\(element.dropFirst(2))]"
            }
        }.joined()
    }
}
