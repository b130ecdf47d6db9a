import CanaryAPI
import KubeCore

/// `type: gchat`: a Google Chat card headed "Flagger" (the name Flagger users' rooms know) with the message
/// and each field as text paragraphs; no token.
public struct GChatNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .gchat) { config in try GChatNotifier(config) }

    let post: ChatPost

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config)
    }

    /// The card Flagger's Google Chat notifier posts. Pure.
    public static func payload(_ alert: Alert) -> JSONValue {
        func paragraph(_ text: String) -> JSONValue { ["widgets": [["textParagraph": ["text": .string(text)]]]] }
        let sections =
            [paragraph("<font color=#848484><strong>\(alert.message)</strong></font>")]
            + alert.fields.map { paragraph("\($0.name)<br><font color=#848484><strong>\($0.value)</strong></font>") }
        return [
            "cards": [
                [
                    "header": [
                        "title": "Flagger", "subtitle": .string("\(alert.canary).\(alert.namespace)"), "imageUrl": "https://flagger.app/favicon.png",
                    ],
                    "sections": .array(sections),
                ]
            ]
        ]
    }

    public func post(_ alert: Alert) async throws { try await post.send(GChatNotifier.payload(alert)) }
}
