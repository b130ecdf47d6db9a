import CanaryAPI
import Foundation
import KubeCore

/// `type: feishu` and `type: lark`: a Feishu/Lark custom bot's webhook (`…/open-apis/bot/v2/hook/…`),
/// posting an interactive card: the Canary as the header in the severity's colour, the message, the
/// fields. With a signing secret (the provider secret's `signingSecret`) the body carries Feishu's
/// `timestamp` and `sign`. Feishu answers `200` with `code` ≠ 0 when it refuses a message; that is a
/// failed delivery.
public struct FeishuNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .feishu) { config in try FeishuNotifier(config) }
    public static let larkRegistration = NotifierRegistration(type: .lark) { config in try FeishuNotifier(config) }

    let post: ChatPost
    let signingSecret: String?

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config)
        self.signingSecret = config.signingSecret
    }

    /// The card posted for `alert` at `now`, signed when there is a secret. Pure.
    public static func payload(_ alert: Alert, signingSecret: String? = nil, now: Date = Date()) -> JSONValue {
        let template =
            switch alert.severity {
            case .info: "green";
            case .warn: "orange";
            case .error: "red"
            }
        var elements: [JSONValue] = [["tag": "div", "text": ["tag": "lark_md", "content": .string(alert.message)]]]
        if !alert.fields.isEmpty {
            let fields: [JSONValue] = alert.fields.map {
                ["is_short": false, "text": ["tag": "lark_md", "content": .string("**\($0.name)**\n\($0.value)")]]
            }
            elements.append(["tag": "div", "fields": .array(fields)])
        }
        let card: JSONValue = [
            "config": ["wide_screen_mode": true],
            "header": ["template": .string(template), "title": ["tag": "plain_text", "content": .string("\(alert.canary).\(alert.namespace)")]],
            "elements": .array(elements),
        ]
        guard let signingSecret else { return ["msg_type": "interactive", "card": card] }
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        return [
            "timestamp": .string("\(timestamp)"), "sign": .string(RobotSignature.feishu(timestampSeconds: timestamp, secret: signingSecret)),
            "msg_type": "interactive", "card": card,
        ]
    }

    public func post(_ alert: Alert) async throws {
        try await post.send(FeishuNotifier.payload(alert, signingSecret: signingSecret), answer: .code(member: "code", reason: "msg"))
    }
}
