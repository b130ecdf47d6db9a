import Foundation
import KubeCore
import KubeSandbox
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

/// Session affinity end to end: the operator's sticky routes, and clients that keep the cookies the
/// sandbox's mesh sets on their answers, as browsers do.
@Suite(.serialized) struct SessionAffinityScenarioTests {
    static let analysis = """
        {interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 10,
         sessionAffinity: {cookieName: flagger-cookie, primaryCookieName: flagger-primary, maxAge: 600},
         webhooks: [{name: approval, type: confirm-promotion, url: http://flagger-loadtester.test/gate/check}]}
        """

    static func visit(_ world: Scenario, cookie: String? = nil) async throws -> (workload: String, setCookie: String?) {
        try await world.visit("http://sticky.demo:9898/", cookie: cookie)
    }

    @Test func aUserWhoReachedTheCanaryStaysOnItAndTheCookieExpiresAfterPromotion() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            let manifests = StrategyScenarioTests.manifests("sticky", analysis: Self.analysis)
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n" + manifests)
            #expect(try await world.waitForPhase("Initialized", name: "sticky"))
            try await world.kubectl.succeed(["set", "image", "deploy/sticky", "-n", "demo", "sticky=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("WaitingPromotion", name: "sticky", timeout: .seconds(60)), "held at 50% by the closed gate")
            let status = try await world.status("sticky")
            let canaryCookie = try #require(status["sessionAffinityCookie"]?.stringValue)
            let primaryCookie = try #require(status["primarySessionAffinityCookie"]?.stringValue)

            var answers: [(workload: String, setCookie: String?)] = []
            for _ in 0..<40 { answers.append(try await Self.visit(world)) }
            let fromCanary = answers.filter { $0.workload == "sticky" }, fromPrimary = answers.filter { $0.workload == "sticky-primary" }
            #expect(!fromCanary.isEmpty && !fromPrimary.isEmpty, "a 50/50 split answers from both: \(answers.map(\.workload))")
            #expect(fromCanary.allSatisfy { $0.setCookie == "\(canaryCookie); Max-Age=600" }, "\(fromCanary.map(\.setCookie))")
            #expect(fromPrimary.allSatisfy { $0.setCookie == "\(primaryCookie); Max-Age=1" }, "the primary cookie lives one interval")

            for _ in 0..<20 {
                #expect(try await Self.visit(world, cookie: "session=1; \(canaryCookie)").workload == "sticky", "pinned to the canary")
                #expect(try await Self.visit(world, cookie: primaryCookie).workload == "sticky-primary", "pinned to the primary")
            }

            #expect(try await world.loadTester("/gate/open", name: "sticky") == 202)
            #expect(try await world.waitForPhase("Succeeded", name: "sticky", timeout: .seconds(60)))
            let after = try await world.status("sticky")
            #expect(after["previousSessionAffinityCookie"]?.stringValue == canaryCookie && after["sessionAffinityCookie"] == nil)
            let expired = try await Self.visit(world, cookie: canaryCookie)
            #expect(expired.workload == "sticky-primary" && expired.setCookie == "\(canaryCookie); Max-Age=-1", "\(expired)")
            let image = try await world.kubectl.succeed([
                "get", "deploy", "sticky-primary", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}",
            ])
            #expect(image == "kennethreitz/httpbin:v2")
        }
    }
}
