import KubeCore

/// How an ``ObjectCache`` may hold its objects encoded instead of decoded: a decoded `JSONValue` tree takes
/// about seven times its JSON, so a cache read by key (not listed on every change) can hold JSON bytes and
/// decode on each read.
public struct CacheEncoding<Object: KubeObject>: Sendable {
    let encode: @Sendable (Object) -> [UInt8]
    /// `nil` if the bytes cannot be read back (they were written by `encode`, so only a bug could do it).
    let decode: @Sendable ([UInt8]) -> Object?

    public init(encode: @escaping @Sendable (Object) -> [UInt8], decode: @escaping @Sendable ([UInt8]) -> Object?) {
        self.encode = encode
        self.decode = decode
    }
}

extension CacheEncoding where Object == DynamicObject {
    /// Compact JSON: about a seventh of the decoded object's memory, for a few microseconds per read.
    ///
    /// The bytes are kept in a buffer of their exact size: `serialized()` grows its buffer by doubling, which
    /// would leave a quarter of a long-lived cache's bytes unused on average.
    public static var json: CacheEncoding {
        CacheEncoding(
            encode: { exactlySized($0.json.serialized()) },
            decode: { bytes in
                do { return DynamicObject(json: try JSONValue(parsing: bytes)) } catch { return nil }
            })
    }
}

/// A copy of `bytes` in a buffer of their size.
func exactlySized(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.capacity > bytes.count else { return bytes }
    return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
        count = buffer.initialize(fromContentsOf: bytes)
    }
}

/// An object as a cache holds it.
enum CachedObject<Object: KubeObject>: Sendable {
    case decoded(Object)
    /// The bytes, a stamp unique within the cache to this stored version, and the object's generation.
    case encoded([UInt8], stamp: UInt64, generation: Int64?)

    /// `object` as `bytes` (its encoding), or decoded without them.
    init(_ object: Object, bytes: [UInt8]?, stamp: inout UInt64) {
        guard let bytes else {
            self = .decoded(object)
            return
        }
        stamp &+= 1
        self = .encoded(bytes, stamp: stamp, generation: object.generation)
    }

    func object(_ encoding: CacheEncoding<Object>?) -> Object? {
        switch self {
        case .decoded(let object): return object
        case .encoded(let bytes, _, _): return encoding?.decode(bytes)
        }
    }

    /// The encoded bytes held, or 0 for a decoded object.
    var byteCount: Int {
        guard case .encoded(let bytes, _, _) = self else { return 0 }
        return bytes.count
    }

    /// `metadata.generation`, without decoding.
    var generation: Int64? {
        switch self {
        case .decoded(let object): return object.generation
        case .encoded(_, _, let generation): return generation
        }
    }
}

extension CacheEncoding where Object == DynamicObject {
    /// The compact binary form (``CompactJSONCodec``), with a table of its own: about half the bytes of
    /// compact JSON, and faster to read back.
    public static func compact() -> CacheEncoding {
        let codec = CompactJSONCodec()
        return CacheEncoding(encode: { codec.encode($0.json) }, decode: { codec.decode($0).map(DynamicObject.init(json:)) })
    }
}
