extension JSONValue {
    /// Parses a document and leaves `managedFields` out of every object named `metadata`, skipping its bytes
    /// without building it (nor checking more than its brackets and strings): for a reader that drops the API
    /// server's field bookkeeping anyway, the largest part of many objects. With `pruningTooDeep`, as
    /// ``init(parsingPruningTooDeep:)``.
    public init<Bytes: Sequence<UInt8>>(parsingWithoutManagedFields bytes: Bytes, pruningTooDeep: Bool = false) throws {
        let parse = { (buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue in
            var parser = JSONParser(buffer)
            parser.pruneTooDeep = pruningTooDeep
            parser.withoutManagedFields = true
            return try JSONValue.finish(&parser)
        }
        if let result = try bytes.withContiguousStorageIfAvailable(parse) {
            self = result
        } else {
            self = try Array(bytes).withUnsafeBufferPointer(parse)
        }
    }
}

extension JSONParser {
    /// Where an object lies in a Kubernetes document: the document (an object, a list or a watch event), an
    /// object in it, an object's `metadata`, or anywhere else.
    enum ObjectRole { case root, object, metadata, other }

    /// Parses the value of `key`, a member of an object in `role`, into `members`; skips an object's
    /// `metadata.managedFields` when ``withoutManagedFields``.
    mutating func parseMember(_ key: String, of role: ObjectRole, into members: inout JSONObject, depth: Int) throws {
        guard withoutManagedFields, role != .other, current == UInt8(ascii: "{") || current == UInt8(ascii: "[") else {
            members[key] = try parseValue(depth: depth)
            return
        }
        let isObject = current == UInt8(ascii: "{")
        switch (role, key) {
        case (.metadata, "managedFields"): try skipContainer()
        case (.root, "object") where isObject: members[key] = try parseObject(depth: depth + 1, role: .object)
        case (.root, "items") where !isObject: members[key] = try parseArray(depth: depth + 1, objects: true)
        case (.root, "metadata") where isObject, (.object, "metadata") where isObject:
            members[key] = try parseObject(depth: depth + 1, role: .metadata)
        default: members[key] = try parseValue(depth: depth)
        }
    }
}
