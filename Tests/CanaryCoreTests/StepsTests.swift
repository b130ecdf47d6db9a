import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

/// `analysis.steps` (Serin's) on the pure state machine, time injected: a 5-minute pause takes no real time.
@Suite struct StepsTests {
    static let script = [
        CanaryStep(setWeight: 10), CanaryStep(pause: .init(duration: "5m")), CanaryStep(setWeight: 50), CanaryStep(pause: .init()),
        CanaryStep(setWeight: 80),
    ]

    static func canary(_ steps: [CanaryStep] = script) -> Canary {
        var canary = makeCanary(phase: .progressing, weight: 0)
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.maxWeight = nil
        canary.spec.analysis?.steps = steps
        return canary
    }

    /// Decides once at `now` with the checks passed, and carries the status over, as the operator would.
    static func step(_ canary: inout Canary, at now: Date, routes: Routes? = nil) -> Decision {
        let live = routes ?? Routes(primary: 100 - (canary.status?.canaryWeight ?? 0), canary: canary.status?.canaryWeight ?? 0)
        let decision = CanaryStateMachine.decide(observe(canary, now: now, routes: live, checks: CheckResults(failures: [])))
        canary.status = decision.status
        return decision
    }

    @Test func aScriptSetsWeightsPausesForItsDurationAndHoldsUntilReleased() {
        var canary = Self.canary()
        var now = t0.addingTimeInterval(31)
        let start = Self.step(&canary, at: now)
        #expect(start.events.contains("Starting canary analysis for httpbin.demo") && start.events.contains("Advance httpbin.demo canary weight 10"))
        #expect(
            canary.status?.currentStep == 0 && canary.status?.canaryWeight == 10
                && start.actions.contains(.setRoutes(Routes(primary: 90, canary: 10))))

        now += 31
        let pause = Self.step(&canary, at: now)
        #expect(pause.events == ["Pause httpbin.demo at canary weight 10 for 5m: step 2 of 5"])
        #expect(canary.status?.currentStep == 1 && canary.status?.stepStarted == KubeTime(now).description)
        let started = now
        for _ in 0..<8 {  // the checks go on every interval while the pause lasts
            now += 31
            let held = Self.step(&canary, at: now)
            #expect(held.events.isEmpty && canary.status?.currentStep == 1 && canary.status?.canaryWeight == 10)
        }
        #expect(CanaryStateMachine.pauseLeft(.seconds(300), status: canary.status ?? CanaryStatus(), now: now) == .seconds(300 - 8 * 31))
        now = started.addingTimeInterval(301)
        let fifty = Self.step(&canary, at: now)
        #expect(fifty.events == ["Advance httpbin.demo canary weight 50"] && canary.status?.currentStep == 2)

        now += 31
        let manual = Self.step(&canary, at: now)
        #expect(manual.events == ["Pause httpbin.demo at canary weight 50 until promoted (kubectl serin promote httpbin -n demo): step 4 of 5"])
        for _ in 0..<20 {
            now += 31
            #expect(Self.step(&canary, at: now).events.isEmpty && canary.status?.currentStep == 3, "held until released")
        }
        let request = ControlRequest(action: .promote, revision: "v1", by: "alice", at: "2026-12-01T19:00:00Z")
        canary.metadata.annotations = [ControlRequest.annotation: String(decoding: request.json.serialized(), as: UTF8.self)]
        now += 1
        let released = Self.step(&canary, at: now)
        #expect(released.events == ["Pause of httpbin.demo released by alice: step 4 of 5", "Advance httpbin.demo canary weight 80"])
        #expect(canary.status?.currentStep == 4 && canary.status?.phase == .progressing)
        canary.metadata.annotations = nil

        now += 31
        let promotion = Self.step(&canary, at: now)
        #expect(canary.status?.phase == .promoting && promotion.actions.contains(.promote), "after the last step, the promotion")
    }

    @Test func failedChecksDuringAPauseStillRollBack() {
        var canary = Self.canary([CanaryStep(setWeight: 20), CanaryStep(pause: .init(duration: "1h"))])
        var now = t0.addingTimeInterval(31)
        _ = Self.step(&canary, at: now)
        now += 31
        _ = Self.step(&canary, at: now)
        #expect(canary.status?.currentStep == 1)
        for _ in 0..<2 {
            now += 31
            let routes = Routes(primary: 80, canary: 20)
            let decision = CanaryStateMachine.decide(observe(canary, now: now, routes: routes, checks: CheckResults(failures: ["Halt: bad"])))
            canary.status = decision.status
        }
        #expect(canary.status?.phase == .failed, "the threshold holds during a pause")
    }

    @Test func aNewRevisionStartsTheScriptAgain() {
        var canary = Self.canary()
        _ = Self.step(&canary, at: t0.addingTimeInterval(31))
        let restarted = CanaryStateMachine.decide(
            observe(canary, now: t0.addingTimeInterval(62), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)))
        #expect(restarted.status.currentStep == nil && restarted.status.stepStarted == nil && restarted.status.canaryWeight == 0)
    }

    @Test func aScriptIsValidatedStepByStep() {
        #expect(Self.canary().validate().isEmpty, "\(Self.canary().validate())")
        var both = Self.canary()
        both.spec.analysis?.stepWeight = 10
        #expect(both.validate().contains { $0.field == "spec.analysis.steps" && $0.message == "use either steps or stepWeight, not both" })
        let bad = Self.canary([
            CanaryStep(setWeight: 150), CanaryStep(setWeight: 10, pause: .init()), CanaryStep(pause: .init(duration: "soon")),
        ])
        let fields = bad.validate().map(\.field)
        #expect(fields.contains("spec.analysis.steps[0].setWeight") && fields.contains("spec.analysis.steps[1]"), "\(fields)")
        #expect(fields.contains("spec.analysis.steps[2].pause.duration"), "\(fields)")
    }

    @Test func aStepsOwnChecksJoinTheAnalysisOnlyWhileItIsUnderWay() throws {
        var latency = CanaryMetric(name: "soak-latency", thresholdRange: ThresholdRange(max: 300))
        latency.query = "vector(1)"
        let soak = StepAnalysis(
            metrics: [latency],
            webhooks: [CanaryWebhook(name: "load-test", url: "http://loadtester.test/")])
        var canary = Self.canary([CanaryStep(setWeight: 20), CanaryStep(pause: .init(duration: "5m"), analysis: soak)])
        #expect(canary.withStepChecks().spec.analysis?.metrics?.count == 1, "before the script: the analysis's alone")
        canary.status?.currentStep = 0
        #expect(canary.withStepChecks() == canary, "a step without checks of its own")
        canary.status?.currentStep = 1
        let during = canary.withStepChecks()
        #expect(during.spec.analysis?.metrics?.map(\.name) == ["request-success-rate", "soak-latency"])
        #expect(during.webhooks(of: .rollout).map(\.name) == ["load-test"])
        #expect(canary.withEveryStepsChecks().spec.analysis?.metrics?.count == 2)
        #expect(canary.validate().isEmpty, "\(canary.validate())")

        let decoded = try JSONValue(parsing: #"{"metrics": [], "templates": [{"templateName": "x"}]}"#).decode(as: StepAnalysis.self)
        #expect(decoded.unknownFields == ["templates"])
        var strange = Self.canary([CanaryStep(setWeight: 20, analysis: decoded)])
        strange.spec.analysis?.steps?[0].analysis?.webhooks = [CanaryWebhook(name: "gate", type: "confirm-promotion", url: "http://gate.test/")]
        let fields = strange.validate().map(\.field)
        #expect(
            fields.contains("spec.analysis.steps[0].analysis.templates") && fields.contains("spec.analysis.steps[0].analysis.webhooks[0].type"),
            "\(fields)")
    }

    @Test func aCanaryIsSizedApartFromItsTrafficAndThenWithIt() {
        let steps = [
            CanaryStep(setCanaryScale: CanaryScale(replicas: 1)), CanaryStep(setWeight: 20),
            CanaryStep(setCanaryScale: CanaryScale(matchTrafficWeight: true)), CanaryStep(setWeight: 60),
            CanaryStep(setCanaryScale: CanaryScale(weight: 100)),
        ]
        var canary = Self.canary(steps)
        var now = t0.addingTimeInterval(31)
        func step() -> Decision {
            let live = Routes(primary: 100 - (canary.status?.canaryWeight ?? 0), canary: canary.status?.canaryWeight ?? 0)
            let primary = WorkloadState(templateHash: "v1", readiness: .ready, replicas: 4)
            let decision = CanaryStateMachine.decide(observe(canary, now: now, routes: live, primary: primary, checks: CheckResults(failures: [])))
            canary.status = decision.status
            now += 31
            return decision
        }
        let prewarm = step()
        #expect(prewarm.actions.contains(.scaleTarget(1)) && canary.status?.canaryWeight == 0, "pre-warmed at 0% traffic")
        let unmeasured = CanaryStateMachine.decide(
            observe(canary, now: now, routes: .allPrimary, primary: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 4)))
        #expect(unmeasured.pending == nil, "no metrics at weight 0: the canary has no traffic to measure")
        #expect(prewarm.events.contains("Scale httpbin.demo canary to 1 replicas (replicas 1): step 1 of 5"))
        #expect(!step().actions.contains { if case .scaleTarget = $0 { true } else { false } }, "a weight alone keeps the size")
        #expect(step().actions.contains(.scaleTarget(1)), "matching 20% of 4 replicas: 1")
        #expect(step().actions.contains(.scaleTarget(3)), "matching 60% of 4 replicas: 3 (rounded up)")
        #expect(step().actions.contains(.scaleTarget(4)), "100% of the primary's replicas")
        #expect(step().status.phase == .promoting)

        var hostile = Self.canary([CanaryStep(setCanaryScale: CanaryScale(replicas: 2, weight: 50))])
        hostile.spec.autoscalerRef = TargetReference(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "httpbin")
        let fields = hostile.validate().map(\.field)
        #expect(fields.filter { $0 == "spec.analysis.steps[0].setCanaryScale" }.count == 2, "two fields set, and an autoscaler: \(fields)")
        #expect(CanaryScale(weight: 50).replicas(primary: Int.max, trafficWeight: 0) == (Int(Int32.max) * 50 + 99) / 100, "no overflow")
    }
}
