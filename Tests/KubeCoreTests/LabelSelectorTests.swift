import KubeCore
import Testing

@Suite struct LabelSelectorTests {
    let selector = LabelSelector(
        matchLabels: ["app": "web"],
        matchExpressions: [
            .init(key: "tier", operator: .in, values: ["front", "edge"]),
            .init(key: "env", operator: .notIn, values: ["prod"]),
            .init(key: "team", operator: .exists),
            .init(key: "legacy", operator: .doesNotExist),
        ])

    @Test func evaluatesEveryOperator() {
        let good = ["app": "web", "tier": "edge", "env": "dev", "team": "a"]
        #expect(selector.matches(good))
        #expect(!selector.matches(good.merging(["app": "api"]) { $1 }))
        #expect(!selector.matches(good.merging(["tier": "back"]) { $1 }))
        #expect(!selector.matches(good.merging(["env": "prod"]) { $1 }))
        #expect(!selector.matches(good.filter { $0.key != "team" }))
        #expect(!selector.matches(good.merging(["legacy": "x"]) { $1 }))
        #expect(selector.matches(good.filter { $0.key != "env" }), "NotIn matches a missing key")
        #expect(LabelSelector().matches([:]), "an empty selector matches everything")
    }

    @Test func rendersTheQueryStringForm() {
        #expect(selector.queryString == "app=web,tier in (edge,front),env notin (prod),team,!legacy")
    }

    @Test func queryStringFormAgreesWithTheStructuredForm() throws {
        let query = try LabelSelectorQuery(selector.queryString)
        let cases: [[String: String]] = [
            ["app": "web", "tier": "edge", "team": "a"], ["app": "web", "tier": "edge", "team": "a", "legacy": "1"],
            ["app": "web", "tier": "mid", "team": "a"], ["app": "web", "tier": "front", "team": "a", "env": "prod"], [:],
        ]
        for labels in cases { #expect(query.matches(labels) == selector.matches(labels), "\(labels)") }
    }

    @Test func parsesEqualityAndInequality() throws {
        let query = try LabelSelectorQuery("a=1, b==2,c!=3")
        #expect(query.requirements == [.equals("a", "1"), .equals("b", "2"), .notEquals("c", "3")])
        #expect(query.matches(["a": "1", "b": "2"]))
        #expect(!query.matches(["a": "1", "b": "2", "c": "3"]))
        #expect(try LabelSelectorQuery("").matches(["x": "y"]))
    }

    @Test func invalidQueriesNameTheTerm() {
        #expect(throws: LabelSelectorError.self) { try LabelSelectorQuery("tier in front") }
        #expect(throws: LabelSelectorError.self) { try LabelSelectorQuery("a b=c") }
        #expect(throws: LabelSelectorError.self) { try LabelSelectorQuery("x in ()") }
    }

    @Test func validationRequiresValuesWhereTheOperatorNeedsThem() {
        #expect(throws: LabelSelectorError("matchExpressions[0].values: must be non-empty for operator In")) {
            try LabelSelector(matchExpressions: [.init(key: "a", operator: .in, values: [])]).validate()
        }
        #expect(throws: LabelSelectorError("matchExpressions[0].values: must be empty for operator Exists")) {
            try LabelSelector(matchExpressions: [.init(key: "a", operator: .exists, values: ["x"])]).validate()
        }
        #expect(throws: Never.self) { try selector.validate() }
    }
}
