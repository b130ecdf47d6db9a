/// Reads an object's `metadata.resourceVersion` straight from the bytes of a JSON answer, without building the
/// document: a write's answer (a whole Canary with its journal, 3–6 KB) is read for that one string.
///
/// It answers only when it is sure: the top level is an object with one `metadata` member, an object with one
/// `resourceVersion` member, a string without escapes, and no key of either has an escape. Otherwise (a
/// duplicate key, an escape, an unbalanced document) it is `nil`, and the caller parses the answer in full. It
/// checks the structure it walks, not every value it skips: it is for the API server's answers, not a
/// validator. It never traps, whatever the bytes; the `json` fuzz target checks that it agrees with the full
/// parser on every document that parses.
public enum ResourceVersionScanner {
    public static func resourceVersion<Bytes: RandomAccessCollection>(in bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        if let found = bytes.withContiguousStorageIfAvailable({ scan(UnsafeRawBufferPointer($0)) }) { return found }
        return Array(bytes).withUnsafeBytes { scan($0) }
    }

    private static let metadata = Array("metadata".utf8), resourceVersion = Array("resourceVersion".utf8)

    private static func scan(_ bytes: UnsafeRawBufferPointer) -> String? {
        var reader = Reader(bytes: bytes)
        var found: String?
        var seen = false
        let complete = reader.members { key, reader in
            guard reader.bytes[key].elementsEqual(metadata) else { return reader.skipValue() }
            guard !seen else { return false }  // a duplicate: let the parser decide
            seen = true
            var inner: Range<Int>?
            var count = 0
            let read = reader.members { key, reader in
                guard reader.bytes[key].elementsEqual(resourceVersion) else { return reader.skipValue() }
                count += 1
                inner = reader.plainString()
                return inner != nil
            }
            guard read, count == 1, let inner else { return false }
            found = String(decoding: reader.bytes[inner], as: UTF8.self)
            return true
        }
        reader.skipWhitespace()
        return complete && reader.atEnd ? found : nil
    }

    /// A cursor over the bytes; every read checks its bounds.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index >= bytes.count }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        /// An object's members: `body` reads each value (the cursor on it, the key's bytes) and says whether to go on.
        mutating func members(_ body: (Range<Int>, inout Reader) -> Bool) -> Bool {
            guard consume(0x7B) else { return false }  // {
            if consume(0x7D) { return true }  // }
            while true {
                skipWhitespace()
                // A key with an escape might spell a name it does not show: let the parser decide.
                guard let key = plainString(), consume(0x3A), body(key, &self) else { return false }  // :
                if consume(0x2C) { continue }  // ,
                return consume(0x7D)
            }
        }

        /// Where a string's raw bytes are (escapes kept as written), and whether it has an escape; the cursor
        /// after its closing quote.
        mutating func rawString() -> (bytes: Range<Int>, escaped: Bool)? {
            guard peek() == 0x22 else { return nil }
            index += 1
            let start = index
            var escaped = false
            while let byte = peek() {
                if byte == 0x22 {
                    defer { index += 1 }
                    return (start..<index, escaped)
                }
                if byte < 0x20 { return nil }
                if byte == 0x5C { escaped = true }
                index += byte == 0x5C ? 2 : 1  // a backslash and the byte it escapes
            }
            return nil
        }

        /// A string without escapes: where its bytes are.
        mutating func plainString() -> Range<Int>? {
            skipWhitespace()
            guard let raw = rawString(), !raw.escaped else { return nil }
            return raw.bytes
        }

        /// Skips one value of any kind; `false` when it is not well formed.
        mutating func skipValue() -> Bool {
            skipWhitespace()
            guard let first = peek() else { return false }
            switch first {
            case 0x22: return rawString() != nil
            case 0x7B, 0x5B: return skipNested()
            default:
                let start = index
                while let byte = peek(), byte != 0x2C, byte != 0x7D, byte != 0x5D, byte > 0x20 { index += 1 }
                return index > start
            }
        }

        /// Skips an object or an array, strings inside it included, by counting brackets.
        mutating func skipNested() -> Bool {
            var depth = 0
            while let byte = peek() {
                switch byte {
                case 0x22:
                    guard rawString() != nil else { return false }
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                default: break
                }
                index += 1
            }
            return false
        }
    }
}
