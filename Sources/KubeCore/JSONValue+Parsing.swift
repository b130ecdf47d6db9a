import OrderedCollections
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONValue {
    /// The deepest nesting the parser accepts, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses a JSON document from UTF-8 bytes.
    ///
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public init<Bytes: Sequence<UInt8>>(parsing bytes: Bytes) throws {
        let result = try bytes.withContiguousStorageIfAvailable { buffer in
            try JSONValue.parse(buffer)
        }
        if let result {
            self = result
        } else {
            let copy = Array(bytes)
            self = try copy.withUnsafeBufferPointer { try JSONValue.parse($0) }
        }
    }

    /// Parses a JSON document from a string.
    public init(parsing text: String) throws {
        var text = text
        self = try text.withUTF8 { try JSONValue.parse($0) }
    }

    /// Parses a document nested up to `maximumDepth` levels (the API server's own limit is 10,000): for a
    /// server that must store what clients send. The parser recurses, so keep it within the stack.
    public init<Bytes: Sequence<UInt8>>(parsing bytes: Bytes, maximumDepth: Int) throws {
        let copy = Array(bytes)
        self = try copy.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            parser.maximumDepth = maximumDepth
            return try JSONValue.finish(&parser)
        }
    }

    /// Parses a document in which containers nested deeper than ``maximumDepth`` are replaced by
    /// ``pruned`` instead of failing the whole document: a list or watch event with one object too deep to
    /// hold still yields the others, and that object's shallow fields (its metadata) to name it by.
    public init<Bytes: Sequence<UInt8>>(parsingPruningTooDeep bytes: Bytes) throws {
        let copy = Array(bytes)
        self = try copy.withUnsafeBufferPointer { try JSONValue.parse($0, pruning: true) }
    }

    /// What stands in for a container nested too deep, in documents parsed with ``init(parsingPruningTooDeep:)``.
    public static let pruned = JSONValue.string("\u{0}serin:nested-too-deep")

    /// Whether this value holds ``pruned`` anywhere.
    public var containsPruned: Bool {
        switch self {
        case .string: return self == JSONValue.pruned
        case .array(let elements): return elements.contains { $0.containsPruned }
        case .object(let members): return members.values.contains { $0.containsPruned }
        case .null, .bool, .number: return false
        }
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, pruning: Bool = false) throws -> JSONValue {
        var parser = JSONParser(buffer)
        parser.pruneTooDeep = pruning
        return try finish(&parser)
    }

    static func finish(_ parser: inout JSONParser) throws -> JSONValue {
        let buffer = parser.bytes
        parser.skipWhitespace()
        let root = parser.withoutManagedFields && parser.bytes.first == UInt8(ascii: "{")
        let value = try root ? parser.parseObject(depth: 1, role: .root) : parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else {
            throw JSONParseError("unexpected data after the document", offset: parser.index)
        }
        return value
    }
}

/// A recursive-descent JSON parser over a byte buffer (RFC 8259).
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Replace containers nested too deep with ``JSONValue/pruned`` instead of failing.
    var pruneTooDeep = false
    var maximumDepth = JSONValue.maximumDepth
    /// Skip the member `managedFields` of every object that is a member `metadata`.
    var withoutManagedFields = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard let byte = current else { throw JSONParseError("unexpected end of input", offset: index) }
        if pruneTooDeep, depth + 1 > maximumDepth, byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
            try skipContainer()
            return JSONValue.pruned
        }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw JSONParseError("unexpected character '\(Character(Unicode.Scalar(byte)))'", offset: index)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0
        else { throw JSONParseError("invalid literal, expected \(literal)", offset: index) }
        index += count
    }

    /// Skips one container without recursion (brackets counted, strings and their escapes passed over).
    mutating func skipContainer() throws {
        var open = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["): open += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                open -= 1
                if open == 0 { return }
            case UInt8(ascii: "\""):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            default: break
            }
        }
        throw JSONParseError("unexpected end of input", offset: index)
    }

    private mutating func checkDepth(_ depth: Int) throws {
        if depth > maximumDepth {
            throw JSONParseError("nesting deeper than \(maximumDepth) levels", offset: index)
        }
    }

    /// - Parameter role: where the object lies in a Kubernetes document (``withoutManagedFields``).
    mutating func parseObject(depth: Int, role: ObjectRole = .other) throws -> JSONValue {
        try checkDepth(depth)
        index += 1
        var members = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw JSONParseError("expected a member name", offset: index) }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw JSONParseError("expected ':' after a member name", offset: index) }
            index += 1
            skipWhitespace()
            try parseMember(key, of: role, into: &members, depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw JSONParseError("expected ',' or '}' in an object", offset: index)
            }
        }
    }

    /// - Parameter objects: the elements are Kubernetes objects (a list's `items`).
    mutating func parseArray(depth: Int, objects: Bool = false) throws -> JSONValue {
        try checkDepth(depth)
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try objects && current == UInt8(ascii: "{") ? parseObject(depth: depth + 1, role: .object) : parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw JSONParseError("expected ',' or ']' in an array", offset: index)
            }
        }
    }
}

// MARK: - Strings

extension JSONParser {
    mutating func parseString() throws -> String {
        let start = index + 1
        var cursor = start
        var ascii = true
        // Fast path: no escapes.
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<cursor])
                index = cursor + 1
                // ASCII is valid UTF-8, and decoding it is a copy; only other text needs the (generic) validation.
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError("invalid UTF-8 in a string", offset: start)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONParseError("unescaped control character in a string", offset: cursor) }
            if byte >= 0x80 { ascii = false }
            cursor += 1
        }
        return try parseEscapedString(start: start)
    }

    private mutating func parseEscapedString(start: Int) throws -> String {
        var scratch: [UInt8] = []
        index = start
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw JSONParseError("invalid UTF-8 in a string", offset: start)
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try appendEscape(to: &scratch)
            case 0..<0x20:
                throw JSONParseError("unescaped control character in a string", offset: index)
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw JSONParseError("unterminated string", offset: start - 1)
    }

    private mutating func appendEscape(to scratch: inout [UInt8]) throws {
        guard let escaped = current else { throw JSONParseError("unterminated escape", offset: index) }
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &scratch)
        default: throw JSONParseError("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'", offset: index - 1)
        }
    }

    private mutating func appendUnicodeEscape(to scratch: inout [UInt8]) throws {
        var scalar = try readHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParseError("unpaired surrogate in a \\u escape", offset: index)
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw JSONParseError("invalid low surrogate", offset: index - 4) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw JSONParseError("unpaired surrogate in a \\u escape", offset: index - 4)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw JSONParseError("invalid \\u escape", offset: index - 4) }
        scratch.append(contentsOf: UTF8.encode(unicode)!)
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONParseError("truncated \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("invalid hex digit in a \\u escape", offset: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

// MARK: - Numbers

extension JSONParser {
    mutating func parseNumber() throws -> JSONNumber {
        let start = index
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        let integerStart = index
        try skipDigits(leadingZeroAllowed: false)
        let integerEnd = index
        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipDigits(leadingZeroAllowed: true)
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try skipDigits(leadingZeroAllowed: true)
        }
        if isInteger, let exact = integer(from: integerStart, to: integerEnd, negative: negative) {
            return exact
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError("number out of range: \(text)", offset: start)
        }
        return .double(value)
    }

    private mutating func skipDigits(leadingZeroAllowed: Bool) throws {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        guard index > start else { throw JSONParseError("expected a digit", offset: index) }
        if !leadingZeroAllowed, index - start > 1, bytes[start] == UInt8(ascii: "0") {
            throw JSONParseError("leading zero in a number", offset: start)
        }
    }

    /// The integer in `bytes[from..<to]`, or `nil` when it does not fit in 64 bits.
    private func integer(from: Int, to: Int, negative: Bool) -> JSONNumber? {
        var magnitude: UInt64 = 0
        for position in from..<to {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            return nil
        }
        if magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        return .uint(magnitude)
    }
}
