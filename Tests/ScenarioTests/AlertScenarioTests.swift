import Foundation
import KubeCore
import Notifiers
import SerinTesting
import Testing

/// The operator's global Slack provider (`--slack-url`, `--cluster-name`): a good rollout and a bad one post
/// Flagger's alerts, in order, to a local receiver.
@Suite(.serialized) struct AlertScenarioTests {
    static func messages(_ receiver: RecordingReceiver) -> [String] {
        receiver.bodies.compactMap { $0[path: "attachments"]?[0]?["text"]?.stringValue }
    }

    @Test func aGoodAndABadRolloutPostFlaggersAlertsToSlack() async throws {
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        try await Scenario.run(Scenario.Setup(slackURL: receiver.url, clusterName: "prod-eu")) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                + Manifests.plain("notified", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized", name: "notified"))
            try await world.kubectl.succeed(["set", "image", "deploy/notified", "-n", "demo", "notified=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("Succeeded", name: "notified", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(10)) { Self.messages(receiver).count >= 3 })
            #expect(Self.messages(receiver) == ["New Deployment detected, initialization completed.", "New revision detected, progressing canary analysis.",
                                                "Canary analysis completed successfully, promotion finished."])
            let first = try #require(receiver.bodies.first)
            #expect(first["channel"] == "releases" && first["username"] == "flagger")
            #expect(first[path: "attachments"]?[0]?["author_name"] == "notified.demo")
            #expect(first[path: "attachments"]?[0]?["fields"]?[0] == ["title": "Cluster", "value": "prod-eu", "short": false])
            #expect(first[path: "attachments"]?[0]?["fields"]?[1]?["value"] == "Deployment/notified.demo", "the metadata fields follow")
            #expect(receiver.bodies[2][path: "attachments"]?[0]?["fields"]?.arrayValue?.count == 1, "a promotion alert has the cluster only")

            // A rollout whose check cannot pass: a rollout webhook nobody answers.
            try await world.kubectl.succeed(["patch", "canary", "notified", "-n", "demo", "--type=merge", "-p",
                                             #"{"spec":{"analysis":{"webhooks":[{"name":"smoke","url":"http://127.0.0.1:1/","timeout":"1s"}]}}}"#])
            try await world.kubectl.succeed(["set", "image", "deploy/notified", "-n", "demo", "notified=kennethreitz/httpbin:v3"])
            #expect(try await world.waitForPhase("Failed", name: "notified", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(10)) { Self.messages(receiver).last == "Failed checks threshold reached 2" },
                    "\(Self.messages(receiver))")
            #expect(receiver.bodies.last?[path: "attachments"]?[0]?["color"] == "danger")
        }
    }
}
