import Foundation
import KubeCore
import NIOCore
import NIOWebSocket

/// One WebSocket connection to ``SignalFlowStandIn``: authentication, then each `execute` answered.
struct SignalFlowSession {
    let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    let token: String
    let standIn: VendorStandIn

    func run(_ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>) async throws {
        var authenticated = false
        for try await frame in inbound {
            var data = frame.unmaskedData
            switch frame.opcode {
            case .connectionClose:
                try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer()))
                return
            case .ping: try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
            case .text:
                let message = try JSONValue(parsing: data.readString(length: data.readableBytes) ?? "")
                standIn.record(method: "WS", path: "/v2/signalflow/connect", body: String(decoding: message.serialized(), as: UTF8.self))
                switch message["type"]?.stringValue {
                case "authenticate":
                    guard message["token"]?.stringValue == token else { return try await close(4401, "Invalid auth token") }
                    authenticated = true
                    try await send(["type": "authenticated", "orgId": "SANDBOXORG", "userId": "SANDBOXUSER"])
                case "execute" where authenticated: try await execute(message)
                default: continue
                }
            default: continue
            }
        }
    }

    private func execute(_ request: JSONValue) async throws {
        let channel = JSONValue.string(request["channel"]?.stringValue ?? "")
        let program = request["program"]?.stringValue ?? ""
        let now = JSONValue.int(Int64(Date().timeIntervalSince1970 * 1000))
        func control(_ event: String) -> JSONValue { ["type": "control-message", "channel": channel, "event": .string(event), "timestampMs": now] }
        guard program.filter({ $0 == "(" }).count == program.filter({ $0 == ")" }).count else {
            return try await send([
                "type": "error", "channel": channel, "error": 400, "errorType": "ANALYTICS_PROGRAM_SYNTAX_ERROR",
                "message": "Unbalanced parentheses in the program", "context": [:],
            ])
        }
        try await send(control("STREAM_START"))
        try await send(["type": "control-message", "channel": channel, "event": "JOB_START", "handle": "SANDBOXJOB", "timestampMs": now])
        let tsid = SignalFlowSession.tsidText(SignalFlowStandIn.tsid)
        let properties: JSONValue = [
            "sf_metric": "service.request.count", "sf_key": ["sf_metric"], "sf_resolutionMs": .int(SignalFlowStandIn.resolutionMs),
        ]
        try await send(["type": "metadata", "channel": channel, "tsId": .string(tsid), "properties": properties])
        let value = await standIn.signal(program)
        let start = request["start"]?.intValue.map(Int64.init) ?? 0
        for batch in 0..<3 {
            let timestamp = start + Int64(batch) * SignalFlowStandIn.resolutionMs
            try await outbound.write(
                WebSocketFrame(
                    fin: true, opcode: .binary, data: SignalFlowSession.data(channel: channel.stringValue ?? "", timestamp: timestamp, value: value)))
            if batch == 0 {
                try await send([
                    "type": "message", "channel": channel, "logicalTimestampMs": .int(timestamp),
                    "message": [
                        "messageCode": "JOB_RUNNING_RESOLUTION", "messageLevel": "INFO", "numInputTimeSeries": 1, "timestampMs": now,
                        "contents": ["resolutionMs": .int(SignalFlowStandIn.resolutionMs)],
                    ],
                ])
            }
        }
        try await send(control("END_OF_CHANNEL"))
    }

    /// A version 1 data message: no point for `nil`, a null point (type 0) for NaN, else a double (type 2).
    static func data(channel: String, timestamp: Int64, value: Double?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes([1, 5, 0, 0])
        buffer.writeBytes(Array(channel.utf8.prefix(16)) + Array(repeating: 0, count: max(0, 16 - channel.utf8.count)))
        buffer.writeInteger(timestamp)
        buffer.writeInteger(UInt32(value == nil ? 0 : 1))
        if let value {
            buffer.writeInteger(UInt8(value.isNaN ? 0 : 2))
            buffer.writeInteger(SignalFlowStandIn.tsid)
            buffer.writeInteger(value.isNaN ? 0 : value.bitPattern)
        }
        return buffer
    }

    /// A series id as SignalFlow's text messages write it: the 8 big-endian bytes in base64url, unpadded.
    static func tsidText(_ tsid: Int64) -> String {
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: tsid) >> (56 - 8 * UInt64($0))) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private func send(_ message: JSONValue) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: message.serialized())))
    }

    private func close(_ code: UInt16, _ reason: String) async throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(code)
        buffer.writeString(reason)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer))
    }
}
