import Foundation
import KubeCore
import Notifiers
import SerinTesting
import Testing

/// Alerts from a real operator on the sandbox to local receivers: the global Slack provider (`--slack-url`,
/// `--cluster-name`), and a Canary's own `analysis.alerts` through AlertProviders (a Slack one in another
/// namespace with its address and token in a Secret, a signed DingTalk robot for errors), while a dead and a
/// slow receiver do not slow the rollout and a missing provider is a Warning on the Canary.
@Suite(.serialized) struct AlertScenarioTests {
    static func messages(_ receiver: RecordingReceiver) -> [String] {
        receiver.bodies.compactMap { $0[path: "attachments"]?[0]?["text"]?.stringValue }
    }

    @Test func aGoodAndABadRolloutPostFlaggersAlertsToSlack() async throws {
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        try await Scenario.run(Scenario.Setup(slackURL: receiver.url, clusterName: "prod-eu")) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Manifests.plain("notified", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized", name: "notified"))
            try await world.kubectl.succeed(["set", "image", "deploy/notified", "-n", "demo", "notified=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("Succeeded", name: "notified", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(10)) { Self.messages(receiver).count >= 3 })
            #expect(
                Self.messages(receiver) == [
                    "New Deployment detected, initialization completed.", "New revision detected, progressing canary analysis.",
                    "Canary analysis completed successfully, promotion finished.",
                ])
            let first = try #require(receiver.bodies.first)
            #expect(first["channel"] == "releases" && first["username"] == "flagger")
            #expect(first[path: "attachments"]?[0]?["author_name"] == "notified.demo")
            #expect(first[path: "attachments"]?[0]?["fields"]?[0] == ["title": "Cluster", "value": "prod-eu", "short": false])
            #expect(first[path: "attachments"]?[0]?["fields"]?[1]?["value"] == "Deployment/notified.demo", "the metadata fields follow")
            #expect(receiver.bodies[2][path: "attachments"]?[0]?["fields"]?.arrayValue?.count == 1, "a promotion alert has the cluster only")

            // A rollout whose check cannot pass: a rollout webhook nobody answers.
            try await world.kubectl.succeed([
                "patch", "canary", "notified", "-n", "demo", "--type=merge", "-p",
                #"{"spec":{"analysis":{"webhooks":[{"name":"smoke","url":"http://127.0.0.1:1/","timeout":"1s"}]}}}"#,
            ])
            try await world.kubectl.succeed(["set", "image", "deploy/notified", "-n", "demo", "notified=kennethreitz/httpbin:v3"])
            #expect(try await world.waitForPhase("Failed", name: "notified", timeout: .seconds(60)))
            #expect(
                try await eventually(timeout: .seconds(10)) { Self.messages(receiver).last == "Failed checks threshold reached 2" },
                "\(Self.messages(receiver))")
            #expect(receiver.bodies.last?[path: "attachments"]?[0]?["color"] == "danger")

            // Where Flagger only logs: a Canary that cannot be acted on.
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: flagger.app/v1beta1
                    kind: Canary
                    metadata: {name: ghost, namespace: demo}
                    spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}, service: {port: 9898}, analysis: {interval: 1m, threshold: 1, stepWeight: 10}}
                    """)
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    Self.messages(receiver).last == "Canary is invalid and is not acted on: Deployment demo/ghost not found"
                }, "\(Self.messages(receiver))")
            #expect(receiver.bodies.last?[path: "attachments"]?[0]?["author_name"] == "ghost.demo")
        }
    }

    static let providers = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: alerting}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: slack-hook, namespace: alerting}
        stringData: {address: "SLACK", token: xoxb-123}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: team-slack, namespace: alerting}
        spec: {type: slack, channel: deploys, username: serin, secretRef: {name: slack-hook}}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: robot, namespace: demo}
        stringData: {address: "DINGTALK", signingSecret: SECsign}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: oncall, namespace: demo}
        spec: {type: dingtalk, secretRef: {name: robot}}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: dead, namespace: demo}
        spec: {type: wecom, address: "http://127.0.0.1:1/cgi-bin/webhook/send?key=k"}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: slow, namespace: demo}
        spec: {type: webhook, address: "SLOW"}
        ---
        """

    /// The Canary's `analysis.alerts` (JSON, which YAML reads as a flow sequence).
    static let alerts =
        #"[{"name":"team","severity":"info","providerRef":{"name":"team-slack","namespace":"alerting"}},"#
        + #"{"name":"pager","severity":"error","providerRef":{"name":"oncall"}},{"name":"dead","severity":"info","providerRef":{"name":"dead"}},"#
        + #"{"name":"slow","severity":"info","providerRef":{"name":"slow"}},{"name":"typo","severity":"warn","providerRef":{"name":"nowhere"}}]"#

    @Test func aCanarysOwnProvidersGetTheirSeveritiesWhileDeadAndSlowOnesDoNotSlowTheRollout() async throws {
        let slack = try await RecordingReceiver()
        defer { slack.stop() }
        let dingtalk = try await RecordingReceiver(answer: #"{"errcode":0,"errmsg":"ok"}"#)
        defer { dingtalk.stop() }
        let slow = try await RecordingReceiver(delay: .seconds(30))
        defer { slow.stop() }
        try await Scenario.run(Scenario.Setup(clusterName: "prod-cn")) { world in
            let manifests = Self.providers.replacingOccurrences(of: "SLACK", with: "\(slack.url)services/T0")
                .replacingOccurrences(of: "DINGTALK", with: "\(dingtalk.url)robot/send?access_token=abc").replacingOccurrences(
                    of: "SLOW", with: slow.url)
            let canary = Manifests.plain("paged", interval: "1s").replacingOccurrences(
                of: "stepWeight: 10}", with: "stepWeight: 10, alerts: \(Self.alerts)}")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests + "\n" + canary)
            #expect(try await world.waitForPhase("Initialized", name: "paged"))
            try await world.kubectl.succeed(["set", "image", "deploy/paged", "-n", "demo", "paged=kennethreitz/httpbin:v2"])
            // Four alerts to a receiver that takes 30 s each would hold a blocking rollout for two minutes.
            let started = ContinuousClock.now
            #expect(try await world.waitForPhase("Succeeded", name: "paged", timeout: .seconds(40)))
            let took = ContinuousClock.now - started
            #expect(try await eventually(timeout: .seconds(10)) { AlertScenarioTests.messages(slack).count >= 3 })
            #expect(
                Self.messages(slack) == [
                    "New Deployment detected, initialization completed.", "New revision detected, progressing canary analysis.",
                    "Canary analysis completed successfully, promotion finished.",
                ], "\(took)")
            #expect(slack.bodies.first?["channel"] == "deploys" && slack.bodies.first?["username"] == "serin")
            #expect(
                slack.requests.allSatisfy { $0.path == "/services/T0" && $0.authorization == "Bearer xoxb-123" }, "the Secret's address and token")
            #expect(dingtalk.bodies.isEmpty, "an error provider gets no info alert")
            #expect(slow.bodies.count >= 1, "the slow receiver was posted to")

            func failures() async throws -> [String] {
                try await world.eventObjects("paged").filter { $0["reason"] == "AlertFailed" && $0["type"] == "Warning" }.compactMap {
                    $0["message"]?.stringValue
                }
            }
            #expect(try await eventually(timeout: .seconds(10)) { try await failures().contains { $0.contains("to AlertProvider demo/dead:") } })
            let failed = try await failures()
            #expect(!failed.contains { $0.contains("key=k") || $0.contains("127.0.0.1") }, "the address is never shown: \(failed)")
            #expect(!failed.contains { $0.contains("demo/nowhere") }, "a warn provider gets no info alert: \(failed)")

            try await world.kubectl.succeed([
                "patch", "canary", "paged", "-n", "demo", "--type=merge", "-p",
                #"{"spec":{"analysis":{"webhooks":[{"name":"smoke","url":"http://127.0.0.1:1/","timeout":"1s"}]}}}"#,
            ])
            try await world.kubectl.succeed(["set", "image", "deploy/paged", "-n", "demo", "paged=kennethreitz/httpbin:v3"])
            #expect(try await world.waitForPhase("Failed", name: "paged", timeout: .seconds(40)))
            #expect(try await eventually(timeout: .seconds(10)) { !dingtalk.bodies.isEmpty })
            #expect(dingtalk.bodies.first?[path: "markdown", "title"] == "paged.demo: Failed checks threshold reached 2")
            #expect(dingtalk.requests.first?.path == "/robot/send")
            #expect(
                NotifierDeliveryTests.dingTalkAccepts(query: dingtalk.queries.first ?? "", secret: "SECsign"),
                "signed with the Secret's signingSecret")
            #expect(try await eventually(timeout: .seconds(10)) { AlertScenarioTests.messages(slack).last == "Failed checks threshold reached 2" })
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await world.eventObjects("paged").contains {
                        ($0["message"]?.stringValue ?? "").contains("to AlertProvider demo/nowhere: failed to read AlertProvider demo/nowhere")
                    }
                }, "a missing provider is named on the Canary")
        }
    }
}
