import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// A `serin.dev/request` is decided once: the status that handles it records its fingerprint, and the same
/// request seen again (its removal not yet observed) is only removed. What it says reaches Events and
/// alerts sanitized and bounded; a value too large or too deeply nested is refused with a Warning.
@Suite struct ControlRequestOnceTests {
    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)

    static func annotated(_ canary: Canary, _ value: String) -> Canary {
        var canary = canary
        canary.metadata.annotations = [ControlRequest.annotation: value]
        return canary
    }

    static func request(_ action: ControlRequest.Action, revision: String = "v2", by: String = "alice", at: String = "2026-12-01T19:00:00Z") -> String
    {
        String(decoding: ControlRequest(action: action, revision: revision, by: by, at: at).json.serialized(), as: UTF8.self)
    }

    /// Every kind of outcome, carried out or refused: (phase, weight, request, words of its one Event).
    static let outcomes: [(CanaryPhase, Int, String, String)] = [
        (.progressing, 20, request(.promote), "Promotion of httpbin.demo requested by alice"),
        (.waitingPromotion, 100, request(.abort), "Rolling back httpbin.demo: aborted by alice"),
        (.failed, 0, request(.retry), "Retrying the analysis of httpbin.demo requested by alice"),
        (.succeeded, 0, request(.abort), "Request to abort httpbin.demo requested by alice ignored: no analysis"),
        (.progressing, 20, request(.promote, revision: "v1"), "Request to promote httpbin.demo requested by alice ignored: it is for revision v1"),
        (.progressing, 20, "promote please", "Request on httpbin.demo ignored: serin.dev/request is not JSON"),
        (.progressing, 20, #"{"action":"launch","revision":"v2"}"#, "Request on httpbin.demo ignored: serin.dev/request action must be one of"),
    ]

    @Test(arguments: outcomes.indices)
    func aRequestSeenAgainAfterTheStatusThatHandledItIsOnlyRemoved(_ index: Int) {
        let (phase, weight, value, said) = Self.outcomes[index]
        let canary = Self.annotated(makeCanary(phase: phase, weight: weight, failed: phase == .failed ? 2 : 0, applied: "v2", promoted: "v1"), value)
        let routes = Routes(primary: 100 - weight, canary: weight)
        let first = CanaryStateMachine.decide(observe(canary, now: t0.addingTimeInterval(1), target: Self.v2, routes: routes))
        #expect(
            first.events.filter { $0.contains("alice") || $0.contains("ignored") }.count == 1 && first.events[0].hasPrefix(said), "\(first.events)")
        #expect(first.clearsRequest && first.status.lastHandledRequest == ControlRequest.fingerprint(of: value))

        // The watch shows the status write, the annotation still on: no Event, no action of the request.
        var seenAgain = canary
        seenAgain.status = first.status
        let again = CanaryStateMachine.decide(observe(seenAgain, now: t0.addingTimeInterval(2), target: Self.v2, routes: routes))
        #expect(again.clearsRequest, "the request is removed again")
        #expect(!again.events.contains { $0.contains("alice") || $0.contains("ignored") || $0.contains("Request") }, "\(again.events)")
        #expect(again.status.lastHandledRequest == first.status.lastHandledRequest, "the record stays")
        if first.status.phase != phase {
            #expect(again.status.phase != phase, "the request is not carried out twice: \(again.status.phase.map(\.rawValue) ?? "")")
        }
        // Without the annotation the same status decides the same step: the handled request changes nothing.
        var removed = seenAgain
        removed.metadata.annotations = nil
        var without = CanaryStateMachine.decide(observe(removed, now: t0.addingTimeInterval(2), target: Self.v2, routes: routes))
        without.clearsRequest = true
        #expect(again == without)
    }

    @Test func anotherRequestAfterAHandledOneIsDecided() {
        let handled = Self.request(.promote, at: "2026-12-01T19:00:00Z")
        var canary = Self.annotated(
            makeCanary(phase: .progressing, weight: 20, applied: "v2"), Self.request(.abort, by: "bob", at: "2026-12-01T19:00:05Z"))
        canary.status?.lastHandledRequest = ControlRequest.fingerprint(of: handled)
        let decision = CanaryStateMachine.decide(observe(canary, target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(decision.events.first == "Rolling back httpbin.demo: aborted by bob" && decision.status.phase == .failed)
        #expect(decision.status.lastHandledRequest == ControlRequest.fingerprint(of: Self.request(.abort, by: "bob", at: "2026-12-01T19:00:05Z")))
        #expect(ControlRequest.fingerprint(of: handled) == ControlRequest.fingerprint(of: handled))
        #expect(ControlRequest.fingerprint(of: handled).count == "sha256:".count + 32)
    }

    /// Words in an Event or alert must not steer a terminal or a chat: no control or format character.
    static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }
    }

    static let hostileNames: [(String, String)] = [
        ("\u{1B}[31mred\u{1B}[0m", #"\u{1B}[31mred\u{1B}[0m"#),
        ("mallory\nNormal Synced promoted by admin", #"mallory\u{A}Normal Synced promoted by admin"#),
        ("bob\u{202E}nimda", #"bob\u{202E}nimda"#),
        ("zero\u{200B}width\u{0}nul\u{7F}\u{85}", #"zero\u{200B}width\u{0}nul\u{7F}\u{85}"#),
        (String(repeating: "a", count: 1000), String(repeating: "a", count: ControlRequest.maximumFieldLength) + "…"),
        (String(repeating: "\u{7}", count: 300), String(repeating: #"\u{7}"#, count: ControlRequest.maximumFieldLength / 5) + "…"),
        ("", "someone"),
    ]

    @Test(arguments: hostileNames.indices)
    func whoAskedIsSanitizedAndBoundedInEventsAndAlerts(_ index: Int) {
        let (by, shown) = Self.hostileNames[index]
        let canary = Self.annotated(makeCanary(phase: .progressing, weight: 20, applied: "v2"), Self.request(.abort, by: by))
        guard case .request(let found) = ControlRequest.find(in: canary.metadata.annotations) else { Issue.record("not read"); return }
        #expect(found.by == shown)
        let decision = CanaryStateMachine.decide(observe(canary, target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(decision.events.first == "Rolling back httpbin.demo: aborted by \(shown)")
        let alerts = decision.events.compactMap { CanaryAlerts.alert(for: $0, canary: canary)?.message }
        #expect(alerts == ["Rolling back: aborted by \(shown)"])
        for text in decision.events + alerts {
            #expect(Self.isClean(text) && text.utf8.count < 400, "\(text.utf8.count) bytes: \(text.debugDescription)")
        }
        var paused = canary
        paused.metadata.annotations = [
            ControlRequest.pausedAnnotation: String(decoding: (["by": .string(by)] as JSONValue).serialized(), as: UTF8.self)
        ]
        #expect(ControlRequest.pausedBy(paused.metadata.annotations) == shown)
        paused.metadata.annotations = [ControlRequest.pausedAnnotation: by.isEmpty ? "" : "plain \(by)"]
        let plain = ControlRequest.pausedBy(paused.metadata.annotations) ?? ""
        #expect(Self.isClean(plain) && plain.unicodeScalars.count <= ControlRequest.maximumFieldLength + 1)
    }

    static func nested(_ depth: Int) -> String {
        #"{"action":"promote","revision":"v2","by":"alice","extra":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            + "}"
    }

    /// (annotation value, the Warning's reason): each refused with exactly one Warning, bounded.
    static let refusals: [(String, String)] = [
        (request(.promote, by: String(repeating: "x", count: 200_000)), "is 200072 bytes, over the limit of 4096 bytes"),
        (String(repeating: " ", count: 4097), "is 4097 bytes, over the limit of 4096 bytes"),
        (nested(16), "is not JSON: nesting deeper than 16 levels at byte 72"),
        (nested(600), "is not JSON: nesting deeper than 16 levels at byte 72"),
        ("\u{1B}]0;pwned\u{7}", #"is not JSON: unexpected character '\u{1B}' at byte 0"#),
        (#"{"action":"promote"}"#, "revision is missing"),
    ]

    @Test(arguments: refusals.indices)
    func anOversizedDeepOrUnreadableRequestIsRefusedWithOneWarningNamingWhy(_ index: Int) {
        let (value, why) = Self.refusals[index]
        let canary = Self.annotated(makeCanary(phase: .progressing, weight: 20, applied: "v2"), value)
        let decision = CanaryStateMachine.decide(observe(canary, target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(decision.actions == [.event(.warning, "Request on httpbin.demo ignored: serin.dev/request \(why)")], "\(decision.events)")
        #expect(decision.clearsRequest && decision.status.lastHandledRequest == ControlRequest.fingerprint(of: value))
        #expect(decision.events.allSatisfy { Self.isClean($0) && $0.utf8.count < 400 })
        var seenAgain = canary
        seenAgain.status = decision.status
        let again = CanaryStateMachine.decide(observe(seenAgain, target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(again.clearsRequest && !again.events.contains { $0.contains("ignored") })
        #expect(ControlRequest.find(in: seenAgain.metadata.annotations) != .none, "the request is still there to be removed")
    }

    @Test func aFlatRequestWithinTheLimitsIsRead() {
        let value = Self.request(.retry, by: String(repeating: "é", count: 40))
        #expect(value.utf8.count <= ControlRequest.maximumBytes)
        #expect(
            ControlRequest.find(in: [ControlRequest.annotation: value])
                == .request(ControlRequest(action: .retry, revision: "v2", by: String(repeating: "é", count: 40), at: "2026-12-01T19:00:00Z")))
        #expect(ControlRequest.sanitized("plain text, ünïcode ✓", limit: 64) == "plain text, ünïcode ✓")
    }
}
