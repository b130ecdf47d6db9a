import CanaryAPI
import KubeCore

/// `type: wecom`: a WeCom (企业微信) group robot's webhook (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`),
/// posting a `markdown` message: the Canary in the severity's colour, the message, the fields as a quote.
/// WeCom answers `200` with `errcode` ≠ 0 when it refuses a message; that is a failed delivery.
public struct WeComNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .wecom) { config in try WeComNotifier(config) }
    /// WeCom refuses markdown content over 4,096 bytes.
    static let contentLimit = 4_096

    let post: ChatPost

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config)
    }

    /// The message posted for `alert`. Pure.
    public static func payload(_ alert: Alert) -> JSONValue {
        let colour =
            switch alert.severity {
            case .info: "info";
            case .warn: "comment";
            case .error: "warning"
            }
        var lines = ["<font color=\"\(colour)\">**\(alert.canary).\(alert.namespace)**</font>", alert.message]
        lines += alert.fields.map { "> \($0.name): <font color=\"comment\">\($0.value)</font>" }
        return ["msgtype": "markdown", "markdown": ["content": .string(ChatText.truncated(lines.joined(separator: "\n"), bytes: contentLimit))]]
    }

    public func post(_ alert: Alert) async throws {
        try await post.send(WeComNotifier.payload(alert), answer: .code(member: "errcode", reason: "errmsg"))
    }
}
