import Foundation
import KubeCore

/// A message of Splunk Observability's SignalFlow stream (`/v2/signalflow/connect`), as its clients read it:
/// JSON text messages, and binary data messages (version 1: a 20-byte header — version, type 5, flags,
/// reserved, the channel in 16 bytes — then the logical timestamp in ms, a count, and per point a value type,
/// the 8-byte series id and the 8-byte value, all big-endian). Pure.
enum SignalFlowMessage: Sendable, Equatable {
    /// One series' value at the batch's timestamp; `nil` is SignalFlow's "no value" (type 0).
    struct Point: Sendable, Equatable {
        var tsid: Int64
        var value: Double?
    }

    case authenticated
    case data(timestamp: Int64, points: [Point])
    /// A `control-message` (`STREAM_START`, `JOB_START`, `END_OF_CHANNEL`, `CHANNEL_ABORT`…), with an abort's reason.
    case control(event: String, abortReason: String?)
    /// An `error` message: a program SignalFlow refused.
    case error(code: Int64?, type: String?, message: String?)
    /// Metadata, information, events: nothing the value depends on.
    case other

    static let headerSize = 20
    static let pointSize = 17

    /// Decodes a binary frame. Throws for a frame shorter than it says, or compressed (Serin never asks for it).
    static func decode(binary bytes: [UInt8]) throws(MetricError) -> SignalFlowMessage {
        guard bytes.count >= headerSize else { throw malformed("a binary message of \(bytes.count) bytes has no header") }
        let (type, flags) = (bytes[1], bytes[2])
        guard flags & 0x01 == 0 else { throw malformed("a compressed message arrived, though none was asked for") }
        let body = Array(bytes[headerSize...])
        if flags & 0x02 != 0 { return try decode(text: String(decoding: body, as: UTF8.self)) }
        guard type == 5 else { return .other }
        guard body.count >= 12 else { throw malformed("a data message of \(body.count) bytes has no timestamp and count") }
        let timestamp = Int64(bitPattern: integer(body, at: 0))
        let count = Int(integer(body, at: 8, width: 4))
        guard body.count >= 12 + count * pointSize else {
            throw malformed("a data message says \(count) points but holds \((body.count - 12) / pointSize)")
        }
        let points = (0..<count).map { index -> Point in
            let offset = 12 + index * pointSize
            let tsid = Int64(bitPattern: integer(body, at: offset + 1))
            let raw = integer(body, at: offset + 9)
            switch body[offset] {
            case 1, 3: return Point(tsid: tsid, value: Double(Int64(bitPattern: raw)))
            case 2: return Point(tsid: tsid, value: Double(bitPattern: raw))
            default: return Point(tsid: tsid, value: nil)
            }
        }
        return .data(timestamp: timestamp, points: points)
    }

    /// Decodes a JSON text message.
    static func decode(text: String) throws(MetricError) -> SignalFlowMessage {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw malformed("a text message is not JSON: \(error)") }
        switch json["type"]?.stringValue {
        case "authenticated": return .authenticated
        case "control-message":
            let reason = json[path: "abortInfo", "sf_job_abortReason"]?.stringValue ?? json[path: "abortInfo", "sf_job_abortState"]?.stringValue
            return .control(event: json["event"]?.stringValue ?? "", abortReason: reason)
        case "error":
            return .error(code: json["error"]?.intValue.map(Int64.init), type: json["errorType"]?.stringValue, message: json["message"]?.stringValue)
        default: return .other
        }
    }

    /// The big-endian unsigned integer of `width` bytes at `offset`.
    private static func integer(_ bytes: [UInt8], at offset: Int, width: Int = 8) -> UInt64 {
        bytes[offset..<offset + width].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func malformed(_ message: String) -> MetricError { MetricError.query("splunk: \(message)") }
}
