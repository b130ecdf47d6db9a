import Foundation
import KubeCore
import Testing

/// UIDs and times in the compact form: fewer bytes, the same string back, byte for byte, and anything not in
/// the canonical shape left a string.
@Suite struct CompactStringShapeTests {
    static func roundTrip(_ string: String, _ codec: CompactJSONCodec = CompactJSONCodec()) -> (back: JSONValue?, bytes: Int) {
        let encoded = codec.encode(.array([.string(string)]))
        return (codec.decode(encoded), encoded.count)
    }

    /// Foundation's formatter is the reference for the calendar arithmetic: every rendered time, seconds and
    /// milliseconds, from 1970 to 2400 (leap years, century rules), comes back the same in at most 8 bytes.
    @Test func timesComeBackAsFoundationRendersThemInAFewBytes() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        let codec = CompactJSONCodec()
        var samples: [Double] = [0, 951_782_400, 951_868_799, 1_709_164_800, 4_107_542_399, 13_569_465_599]
        samples += (0..<2000).map { _ in Double(UInt64.random(in: 0...13_569_465_599, using: &generator)) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
            let plain = formatter.string(from: date)
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
            let millis = formatter.string(from: date.addingTimeInterval(Double(Int(seconds) % 1000) / 1000))
            for text in [plain, millis] {
                let (back, bytes) = Self.roundTrip(text, codec)
                #expect(back == .array([.string(text)]), "\(text) back as \(String(describing: back))")
                #expect(bytes <= 10, "\(text): \(bytes) bytes with the array's two")
            }
        }
    }

    @Test func uidsComeBackInSeventeenBytes() {
        let codec = CompactJSONCodec()
        for _ in 0..<500 {
            let uid = UUID().uuidString.lowercased()
            let (back, bytes) = Self.roundTrip(uid, codec)
            #expect(back == .array([.string(uid)]))
            #expect(bytes == 2 + 17, "\(uid): \(bytes) bytes")
        }
    }

    /// A string that is not in a shape's canonical form would not be written back the same: it stays a string.
    @Test func stringsOutsideTheCanonicalShapesStayStrings() {
        let strings = [
            "CB06D014-206F-4D50-A295-52B65AC998E8", "cb06d014-206f-4d50-a295-52b65ac998eg", "cb06d014x206f-4d50-a295-52b65ac998e8",
            "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-07T24:00:00Z", "2026-12-07T23:60:00Z", "1969-12-31T23:59:59Z",
            "2026-12-07 21:49:36Z", "2026-12-07T21:49:36z", "2026-12-07T21:49:36.04Z", "2026-12-07T21:49:36,040Z", "2026-12-07T21:4a:36Z",
            "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "+026-12-07T21:49:36Z",
        ]
        for text in strings {
            let (back, bytes) = Self.roundTrip(text)
            #expect(back == .array([.string(text)]), "\(text)")
            #expect(bytes == 2 + 2 + text.utf8.count, "\(text) is written as a string: \(bytes) bytes")
        }
        let leapDay = Self.roundTrip("2024-02-29T12:00:00Z")
        #expect(leapDay.bytes < 10 && leapDay.back == .array(["2024-02-29T12:00:00Z"]), "a leap day is a time")
    }

    @Test func shapedBytesItDidNotWriteReadAsNothing() {
        let codec = CompactJSONCodec()
        let (uid, seconds, milliseconds): (UInt8, UInt8, UInt8) = (10, 11, 12)
        #expect(codec.decode([uid] + Array(repeating: 0xab, count: 15)) == nil, "a UID cut short")
        #expect(codec.decode([seconds, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == nil, "a time past the year 9999")
        #expect(codec.decode([milliseconds, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == nil)
        #expect(codec.decode([seconds, 0x80]) == nil, "a varint cut short")
        #expect(codec.decode([uid] + Array(repeating: 0xab, count: 16)) == .string("abababab-abab-abab-abab-abababababab"))
    }
}
