/// Protobuf's wire format: varints, fixed 32- and 64-bit values and length-delimited bytes.
enum ProtobufWire {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// One field as read: its number and its raw value.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    /// Why a body is not protobuf.
    struct MalformedError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "malformed protobuf: \(reason)" }
    }

    /// Reads the fields of one message, in order. Never traps: a truncated or malformed body is a ``MalformedError``.
    struct Reader {
        private var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        var isAtEnd: Bool { bytes.isEmpty }

        mutating func next() throws(MalformedError) -> (number: Int, value: Value)? {
            guard !bytes.isEmpty else { return nil }
            let key = try varint()
            let number = Int(truncatingIfNeeded: key >> 3)
            guard number > 0, let wire = WireType(rawValue: Int(key & 7)) else {
                throw MalformedError(reason: "field key \(key) has an unknown wire type or number")
            }
            switch wire {
            case .varint: return (number, .varint(try varint()))
            case .fixed64: return (number, .fixed64(try fixed(8)))
            case .fixed32: return (number, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
            case .lengthDelimited:
                let length = try varint()
                guard length <= UInt64(bytes.count) else { throw MalformedError(reason: "field \(number) runs past the end") }
                let end = bytes.startIndex + Int(length)
                defer { bytes = bytes[end...] }
                return (number, .bytes(bytes[bytes.startIndex..<end]))
            }
        }

        mutating func varint() throws(MalformedError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = bytes.first {
                bytes = bytes.dropFirst()
                guard shift < 64 else { throw MalformedError(reason: "a varint is longer than 10 bytes") }
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw MalformedError(reason: "a varint runs past the end")
        }

        mutating func fixed(_ count: Int) throws(MalformedError) -> UInt64 {
            guard bytes.count >= count else { throw MalformedError(reason: "a fixed-width value runs past the end") }
            var result: UInt64 = 0
            for (offset, byte) in bytes.prefix(count).enumerated() { result |= UInt64(byte) << (8 * UInt64(offset)) }
            bytes = bytes.dropFirst(count)
            return result
        }
    }

    /// Appends fields to a message.
    struct Writer {
        private(set) var bytes: [UInt8] = []

        mutating func varint(_ number: Int, _ value: UInt64) {
            key(number, .varint)
            raw(varint: value)
        }

        mutating func fixed64(_ number: Int, _ value: UInt64) {
            key(number, .fixed64)
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }

        mutating func fixed32(_ number: Int, _ value: UInt32) {
            key(number, .fixed32)
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }

        mutating func bytes(_ number: Int, _ value: some Collection<UInt8>) {
            key(number, .lengthDelimited)
            raw(varint: UInt64(value.count))
            bytes.append(contentsOf: value)
        }

        private mutating func key(_ number: Int, _ wire: WireType) { raw(varint: UInt64(number) << 3 | UInt64(wire.rawValue)) }

        private mutating func raw(varint value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }
    }
}
