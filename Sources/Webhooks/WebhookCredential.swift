/// A bearer token sent with the webhook calls whose URL starts with a prefix (`--webhook-token`), so that a
/// load tester started with `--token` accepts them. Never sent to other URLs.
public struct WebhookCredential: Sendable, Equatable {
    public var urlPrefix: String
    public var token: String

    public init(urlPrefix: String, token: String) {
        self.urlPrefix = urlPrefix
        self.token = token
    }
}
