/// A value string of a shape every Kubernetes object repeats, held in fewer bytes by ``CompactJSONCodec``:
/// a UID (`3f2a…-…`, 36 characters, 16 bytes) and a time (`2026-12-07T21:49:36Z`, or with milliseconds
/// `…:36.040Z`: a varint of seconds or milliseconds since 1970).
///
/// A string takes a shape only if the shape writes it back byte for byte (lowercase hex; a valid date after
/// 1970 in the canonical form), so the codec's round trip stays exact; any other string stays a string.
enum CompactStringShape {
    case uid([UInt8])
    case seconds(UInt64)
    case milliseconds(UInt64)

    /// The latest time a shape holds (9999-12-31T23:59:59Z), so that a varint read from foreign bytes is
    /// never rendered into a wider year.
    static let latestSeconds: UInt64 = 253_402_300_799

    /// `string`'s shape, or `nil`.
    init?(_ string: String) {
        let count = string.utf8.count
        guard count == 20 || count == 24 || count == 36 else { return nil }
        var utf8 = string
        guard let shape = utf8.withUTF8({ Self.shape(of: $0) }) else { return nil }
        self = shape
    }

    private static func shape(of bytes: UnsafeBufferPointer<UInt8>) -> CompactStringShape? {
        if bytes.count == 36 { return uid(bytes).map(CompactStringShape.uid) }
        guard let seconds = seconds(bytes) else { return nil }
        if bytes.count == 20 {
            return bytes[19] == UInt8(ascii: "Z") && render(seconds: seconds, milliseconds: nil) == Array(bytes) ? .seconds(seconds) : nil
        }
        guard bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z"), let millis = number(bytes, 20, 3) else { return nil }
        let total = seconds * 1000 + millis
        return render(seconds: seconds, milliseconds: millis) == Array(bytes) ? .milliseconds(total) : nil
    }

    /// The 16 bytes of a lowercase, dashed UID.
    private static func uid(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var packed: [UInt8] = []
        packed.reserveCapacity(16)
        var high: UInt8?
        for (position, byte) in bytes.enumerated() {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = hexValue(byte) else { return nil }
            if let first = high {
                packed.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return packed
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SS` at the start of `bytes` (not yet checked to be canonical).
    private static func seconds(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.0] == $0.1.asciiValue }),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
            year >= 1970, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = RFC3339.daysFromCivil(year: Int(year), month: Int(month), day: Int(day))
        guard days >= 0 else { return nil }
        return UInt64(days) * 86400 + hour * 3600 + minute * 60 + second
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[start..<start + length] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The string a shape holds.
    var string: String? {
        switch self {
        case .uid(let packed):
            guard packed.count == 16 else { return nil }
            var text: [UInt8] = []
            text.reserveCapacity(36)
            let digits = Array("0123456789abcdef".utf8)
            for (index, byte) in packed.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0xf)])
            }
            return String(decoding: text, as: UTF8.self)
        case .seconds(let seconds):
            guard seconds <= Self.latestSeconds else { return nil }
            return String(decoding: Self.render(seconds: seconds, milliseconds: nil), as: UTF8.self)
        case .milliseconds(let total):
            guard total / 1000 <= Self.latestSeconds else { return nil }
            return String(decoding: Self.render(seconds: total / 1000, milliseconds: total % 1000), as: UTF8.self)
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, or with `.mmm` before the `Z`.
    static func render(seconds: UInt64, milliseconds: UInt64?) -> [UInt8] {
        let (year, month, day) = RFC3339.civil(fromDays: Int(seconds / 86400))
        let time = seconds % 86400
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func append(_ value: UInt64, digits: Int) {
            var divisor: UInt64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(UInt64(year), digits: 4)
        text.append(UInt8(ascii: "-"))
        append(UInt64(month), digits: 2)
        text.append(UInt8(ascii: "-"))
        append(UInt64(day), digits: 2)
        text.append(UInt8(ascii: "T"))
        append(time / 3600, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(time / 60 % 60, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(time % 60, digits: 2)
        if let milliseconds {
            text.append(UInt8(ascii: "."))
            append(milliseconds, digits: 3)
        }
        text.append(UInt8(ascii: "Z"))
        return text
    }
}
