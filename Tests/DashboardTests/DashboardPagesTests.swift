import CanaryAPI
@testable import Dashboard
import KubeCore
import Testing

/// The pages and charts are built from the Canaries' JSON: every text escaped, charts with text alternatives
/// and shapes besides colours, the overview's rows as the script reads them.
@Suite struct DashboardPagesTests {
    static let canary: JSONValue = [
        "metadata": [
            "name": "podinfo", "namespace": "test",
            "annotations": [.init(ControlRequest.pausedAnnotation): #"{"by":"bob","at":"2026-12-06T16:00:00Z"}"#],
        ],
        "spec": [
            "targetRef": ["name": "podinfo"],
            "analysis": ["threshold": 2, "webhooks": [["name": "gate", "type": "confirm-promotion", "url": "http://x"]]],
        ],
        "status": [
            "phase": "Progressing", "canaryWeight": 20, "failedChecks": 1, "lastTransitionTime": "2026-12-06T16:00:03Z",
            "journal": [
                [
                    "time": "2026-12-06T16:00:00Z", "from": "Progressing 0%", "to": "Progressing 10%",
                    "decision": ["Advance podinfo.test canary weight 10"],
                    "metrics": [["name": "request-success-rate", "value": 99.5, "threshold": ">= 99", "passed": true]],
                ],
                [
                    "time": "2026-12-06T16:00:03Z", "from": "Progressing 10%", "to": "Progressing 20%",
                    "decision": ["Advance podinfo.test canary weight 20"],
                    "metrics": [
                        ["name": "request-success-rate", "value": 97.25, "threshold": ">= 99", "passed": false, "message": "<script>x</script>"]
                    ],
                    "webhooks": [["name": "gate", "type": "confirm-promotion", "passed": false, "message": "closed"]],
                ],
            ],
        ],
    ]

    @Test func theOverviewRowSaysWhereEachCanaryStands() {
        let row = DashboardPages.row(Self.canary)
        #expect(row["key"] == "test/podinfo" && row["phase"] == "Progressing" && row["weight"] == 20 && row["failed"] == 1 && row["threshold"] == 2)
        #expect(row["holds"] == ["paused by bob"])
        var gated = Self.canary
        gated[path: "status", "phase"] = "WaitingPromotion"
        #expect(DashboardPages.row(gated)["holds"] == ["paused by bob", "waiting for a gate"])
        var slotted = Self.canary
        slotted[path: "status", "conditions"] = [
            ["type": "RolloutSlot", "status": "True", "reason": "Held", "message": "holds a rollout slot of policy shared-libs"]
        ]
        #expect(
            DashboardPages.row(slotted)["holds"] == ["paused by bob", "holds a rollout slot of policy shared-libs"], "kubectl serin get says it too")
        let page = DashboardPages.overview([Self.canary], namespace: "test", token: "t0k")
        #expect(page.contains(#"<meta name="serin-token" content="t0k">"#) && page.contains(#"<script src="/static/dashboard.js" defer></script>"#))
        #expect(page.contains(#"<script type="application/json" id="initial">"#) && !page.contains("<script>"), "no inline script")
    }

    @Test func everyTextFromTheClusterIsEscaped() {
        var hostile = Self.canary
        hostile[path: "metadata", "name"] = "</script><img src=x onerror=alert(1)>"
        let page = DashboardPages.overview([hostile], namespace: nil, token: "t")
        #expect(!page.contains("<img src=x"), "the name is escaped in the table and the JSON block")
        let live = DashboardCanaryPage(canary: Self.canary, events: .success([]), objects: []).render()
        #expect(!live.contains("<script>x</script>") && live.contains("&lt;script&gt;x&lt;/script&gt;"))
    }

    @Test func aScriptsStepAndItsRoutesInForceAreShown() throws {
        var scripted = Self.canary
        scripted[path: "spec", "analysis", "steps"] = [
            ["setHeaderRoute": ["name": "insiders", "match": [["headerName": "x-canary", "headerValue": ["exact": "<b>"]]]]],
            ["pause": ["duration": "10m"]],
        ]
        scripted[path: "status", "currentStep"] = 1
        scripted[path: "status", "stepStarted"] = "2026-12-06T16:00:00Z"
        let now = try #require(KubeTime(rfc3339: "2026-12-06T16:03:48Z")?.date)
        let live = DashboardCanaryPage(canary: scripted, events: .success([]), objects: [], now: now).render()
        #expect(live.contains(#"<dd id="step">step 2 of 2: pause 10m, 6m12s left</dd>"#), "\(live)")
        #expect(live.contains(#"<dd id="step-routes">header insiders (x-canary = &lt;b&gt;)</dd>"#))
        #expect(!DashboardCanaryPage(canary: Self.canary, events: .success([]), objects: []).render().contains("id=\"step\""), "no script")
    }

    @Test func theCanaryPageShowsValuesVerdictsGatesAndCharts() {
        let live = DashboardCanaryPage(
            canary: Self.canary, events: .failure(DashboardReadError(message: "events is forbidden")),
            objects: [("Deployment", "podinfo-primary", "primary: 2/2 ready")]
        ).render()
        #expect(live.contains(#"<td class="metric-value" data-metric="request-success-rate">97.25</td>"#))
        #expect(live.contains(#"<dd id="phase">Progressing</dd>"#) && live.contains(#"<dd id="failed">1 of 2</dd>"#))
        #expect(live.contains("<td>confirm-promotion</td><td>failed closed</td>"), "the gate's last answer")
        #expect(live.contains("Events could not be read: events is forbidden"))
        #expect(live.contains("<td>podinfo-primary</td><td>primary: 2/2 ready</td>"))
        #expect(live.contains("<desc id=\"weights-d\">16:00:00 10%, 16:00:03 20%</desc>"), "the chart's text alternative")
        #expect(live.contains("<desc id=\"metric-0-d\">16:00:00 99.5, 16:00:03 97.25 (failed)</desc>"))
        #expect(live.contains("stroke-dasharray"), "the threshold line")
        #expect(live.contains("<path d=\"M"), "a failed check is a cross, not only a colour")
    }

    @Test func chartBoundsComeFromTheThresholdText() {
        #expect(DashboardCharts.bounds(">= 99") == [99] && DashboardCharts.bounds(">= 1 and <= 5") == [1, 5] && DashboardCharts.bounds(nil) == [])
        #expect(DashboardCharts.svg(id: "x", title: "t", points: []) == nil)
        let flat = DashboardCharts.svg(id: "x", title: "t", points: [.init(label: "a", value: 5, passed: true)]) ?? ""
        #expect(flat.contains("<circle") && !flat.contains("nan"))
    }
}
