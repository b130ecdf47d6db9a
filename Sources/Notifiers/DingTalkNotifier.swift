import CanaryAPI
import Foundation
import KubeCore

/// `type: dingtalk`: a DingTalk (钉钉) custom robot's webhook (`https://oapi.dingtalk.com/robot/send?access_token=…`),
/// posting a `markdown` message. With a signing secret (the provider secret's `signingSecret`) each post
/// carries DingTalk's `timestamp` and `sign`. DingTalk answers `200` with `errcode` ≠ 0 when it refuses a
/// message (a bad signature, a keyword missing); that is a failed delivery.
public struct DingTalkNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .dingtalk) { config in try DingTalkNotifier(config) }

    let post: ChatPost
    let signingSecret: String?

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config)
        self.signingSecret = config.signingSecret
    }

    /// The message posted for `alert` (DingTalk's markdown breaks lines on blank lines). Pure.
    public static func payload(_ alert: Alert) -> JSONValue {
        let colour =
            switch alert.severity {
            case .info: "#2EB886";
            case .warn: "#E8A33D";
            case .error: "#FF0000"
            }
        var lines = ["#### <font color=\(colour)>\(alert.canary).\(alert.namespace)</font>", alert.message]
        lines += alert.fields.map { "> **\($0.name)**: \($0.value)" }
        return [
            "msgtype": "markdown",
            "markdown": ["title": .string("\(alert.canary).\(alert.namespace): \(alert.message)"), "text": .string(lines.joined(separator: "\n\n"))],
        ]
    }

    /// The query parameters of a signed post at `now`; none without a signing secret. Pure.
    public static func signature(secret: String?, now: Date) -> [URLQueryItem] {
        guard let secret else { return [] }
        let timestamp = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return [
            URLQueryItem(name: "timestamp", value: "\(timestamp)"),
            URLQueryItem(name: "sign", value: RobotSignature.dingTalk(timestampMilliseconds: timestamp, secret: secret)),
        ]
    }

    public func post(_ alert: Alert) async throws {
        try await post.send(
            DingTalkNotifier.payload(alert), query: DingTalkNotifier.signature(secret: signingSecret, now: Date()),
            answer: .code(member: "errcode", reason: "errmsg"))
    }
}
