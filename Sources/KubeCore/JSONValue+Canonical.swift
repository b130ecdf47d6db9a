import OrderedCollections

extension JSONValue {
    /// The same document with every object's members sorted by name, so equal documents serialise equally.
    public var canonical: JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map(\.canonical))
        case .object(let members):
            return .object(JSONObject(uniqueKeysWithValues: members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.canonical) }))
        default: return self
        }
    }

    /// A stable 64-bit FNV-1a hash of the canonical form, as 16 hex digits.
    ///
    /// The hashed bytes are those of ``canonical`` serialised, written without building the sorted copy:
    /// targets hash their pod template at every step, and the copy was most of the cost.
    public var stableHash: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        write(to: &bytes, sortingMembers: true)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

}
