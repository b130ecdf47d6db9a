// Generated: the concrete overloads the decoding container protocols require, each forwarding to the
// generic, checked decode.

extension KeyedContainer {
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(Bool.self, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(String.self, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(Double.self, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(Float.self, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(Int.self, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(Int8.self, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(Int16.self, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(Int32.self, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(Int64.self, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(UInt.self, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(UInt8.self, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(UInt16.self, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(UInt32.self, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(UInt64.self, forKey: key) }
}

// The protocol's own `decodeIfPresent` for these types looks the key up three times (contains, decodeNil,
// decode); these look it up once.
extension KeyedContainer {
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresentValue(Bool.self, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresentValue(String.self, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresentValue(Double.self, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresentValue(Float.self, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresentValue(Int.self, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresentValue(Int8.self, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresentValue(Int16.self, forKey: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresentValue(Int32.self, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresentValue(Int64.self, forKey: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresentValue(UInt.self, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresentValue(UInt8.self, forKey: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresentValue(UInt16.self, forKey: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresentValue(UInt32.self, forKey: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresentValue(UInt64.self, forKey: key) }
}

extension UnkeyedContainer {
    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(Bool.self) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeValue(String.self) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeValue(Double.self) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeValue(Float.self) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeValue(Int.self) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(Int8.self) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(Int16.self) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(Int32.self) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(Int64.self) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(UInt.self) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(UInt8.self) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(UInt16.self) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(UInt32.self) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(UInt64.self) }
}

extension SingleContainer {
    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.decode(Bool.self, from: value, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.decode(String.self, from: value, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueDecoder.decode(Double.self, from: value, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONValueDecoder.decode(Float.self, from: value, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.decode(Int.self, from: value, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueDecoder.decode(Int8.self, from: value, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueDecoder.decode(Int16.self, from: value, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueDecoder.decode(Int32.self, from: value, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.decode(Int64.self, from: value, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueDecoder.decode(UInt.self, from: value, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueDecoder.decode(UInt8.self, from: value, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueDecoder.decode(UInt16.self, from: value, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueDecoder.decode(UInt32.self, from: value, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueDecoder.decode(UInt64.self, from: value, path: codingPath) }
}
