import Foundation
import HTTPTypes
import KubeCore
import Notifiers
import Testing

/// Flagger's five notifiers posting to local receivers over real HTTP: the body is the provider's
/// payload, Discord's goes to its Slack-compatible endpoint, Slack's carries the provider's token, and a
/// refused delivery is an error that names the status but never the address.
@Suite struct NotifierDeliveryTests {
    @Test func eachNotifierPostsItsPayloadToItsReceiver() async throws {
        let alert = Alert(canary: "podinfo", namespace: "test", message: "Canary analysis completed successfully, promotion finished.",
                          fields: [("Target", "Deployment/podinfo.test")], severity: .info)
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        let config = NotifierConfig(address: "\(receiver.url)hooks/abc", channel: "releases", username: "serin", token: "t0ken")
        try await SlackNotifier(config).post(alert)
        try await DiscordNotifier(config).post(alert)
        try await RocketNotifier(config).post(alert)
        try await MSTeamsNotifier(config).post(alert)
        try await GChatNotifier(config).post(alert)
        #expect(receiver.bodies == [SlackNotifier.payload(alert, config: config), DiscordNotifier.payload(alert, config: config),
                                    RocketNotifier.payload(alert, config: config), MSTeamsNotifier.payload(alert), GChatNotifier.payload(alert)])
        #expect(receiver.requests.map(\.path) == ["/hooks/abc", "/hooks/abc/slack", "/hooks/abc", "/hooks/abc", "/hooks/abc"])
        #expect(receiver.requests.map(\.authorization) == ["Bearer t0ken", nil, nil, nil, nil], "only Slack sends the provider's token")
    }

    @Test func aRefusedDeliveryIsAnErrorWithoutTheAddress() async throws {
        let receiver = try await RecordingReceiver(status: .notFound)
        defer { receiver.stop() }
        let alert = Alert(canary: "podinfo", namespace: "test", message: "m", severity: .error)
        do {
            try await SlackNotifier(NotifierConfig(address: "\(receiver.url)secret-hook-path")).post(alert)
            Issue.record("a 404 must fail the delivery")
        } catch {
            #expect("\(error)" == "sending notification bad response 404: no such hook")
        }
    }
}
