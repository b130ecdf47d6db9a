@testable import Analysis
import CanaryAPI
import KubeCore
@testable import MetricProviders
import Testing

/// A shared MetricTemplate is its owner's policy: a Canary's `templateVariables` fill places in the query
/// without changing its structure, and a template's credentials never go to an address a Canary chose.
@Suite struct MetricTenancyTests {
    static let alwaysFails = #"sum(up{job="{{ variables.job }}"}) * 0"#

    static func render(_ query: String, _ variables: [String: String]) throws(MetricError) -> String {
        try QueryTemplate(values: ["namespace": "demo", "interval": "1m"], variables: variables).render(query)
    }

    @Test(arguments: ["podinfo", "api-v2.prod", #"a\"b"#, #"x\\"#, "ünïcode ok", "", "re.*|other", "{{ not a placeholder }}"])
    func aValueThatStaysInsideItsStringLiteralIsSentAsItIs(value: String) throws {
        #expect(try Self.render(Self.alwaysFails, ["job": value]) == #"sum(up{job=""# + value + #""}) * 0"#)
    }

    @Test(arguments: [
        (#"x"}) or vector(100) or sum(up{job=""#, "it ends the string literal (an unescaped \")"),
        (#"x\"#, "it ends with a lone backslash"),
        ("line\nbreak", "may not hold a line break"),
    ])
    func aValueThatWouldLeaveItsStringLiteralIsRefusedByName(value: String, why: String) {
        do {
            _ = try Self.render(Self.alwaysFails, ["job": value])
            Issue.record("\(value) was sent")
        } catch {
            #expect(error.kind == .render && error.variable == "job")
            #expect(error.message.hasPrefix("templateVariables.job: the value ") && error.message.contains(why), "\(error.message)")
        }
    }

    @Test func singleQuotedAndRawLiteralsAreTrackedToo() throws {
        #expect(try Self.render("x{a='{{ variables.v }}'}", ["v": #"it"s"#]) == #"x{a='it"s'}"#)
        #expect(throws: MetricError.self) { try Self.render("x{a='{{ variables.v }}'}", ["v": "it's"]) }
        #expect(try Self.render("x{a=`{{ variables.v }}`}", ["v": #"a\"#]) == #"x{a=`a\`}"#, "no escapes in raw strings")
        #expect(throws: MetricError.self) { try Self.render("x{a=`{{ variables.v }}`}", ["v": "a`b"]) }
        // The literal's state carries past a value: a second variable after the literal closes is outside one.
        #expect(throws: MetricError.self) { try Self.render(#"x{a="{{ variables.v }}"} > {{ variables.w }}"#, ["v": "ok", "w": "1 or up"]) }
    }

    @Test(arguments: ["0.5", "99", "-1", "5m", "1h30m", "job_name", "namespace:metric:rate5m"])
    func outsideALiteralANameNumberOrDurationIsSent(value: String) throws {
        #expect(try Self.render("rate(x[{{ variables.w }}]) > {{ variables.w }}", ["w": value]) == "rate(x[\(value)]) > \(value)")
    }

    @Test(arguments: ["1 or vector(100)", "0)", "x{}", "1+1", "", "--1", "a b"])
    func outsideALiteralAnythingElseIsRefused(value: String) {
        #expect(throws: MetricError.self) { try Self.render("sum(x) > {{ variables.w }}", ["w": value]) }
    }

    static func template(address: String? = nil, secret: Bool = false, headers: [String: [String]]? = nil) throws -> MetricTemplate {
        var provider: JSONValue = ["type": "prometheus"]
        provider["address"] = address.map(JSONValue.string)
        provider["secretRef"] = secret ? ["name": "prom-auth"] : nil
        if let headers {
            var fields: JSONValue = [:]
            for (name, values) in headers { fields[name] = .array(values.map(JSONValue.string)) }
            provider["headers"] = fields
        }
        let object: JSONValue = [
            "metadata": ["name": "errors", "namespace": "platform"], "spec": ["provider": provider, "query": .string(alwaysFails)],
        ]
        return try object.decode(as: MetricTemplate.self)
    }

    static func canary(metricsServer: String?) -> Canary {
        var canary = Canary(
            metadata: ObjectMeta(name: "podinfo", namespace: "team-a"),
            spec: CanarySpec(targetRef: TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "podinfo")))
        canary.spec.metricsServer = metricsServer
        return canary
    }

    @Test func credentialsGoOnlyWhereTheTemplateOrTheOperatorSays() throws {
        let own = "http://prometheus.platform:9090", operatorServer = "http://prometheus:9090", chosen = "http://u:pw@collector.team-a:9090"
        func address(_ template: MetricTemplate, _ canary: Canary) -> Result<String, MetricAnalysis.AddressRefusal> {
            MetricAnalysis.address(of: template, canary: canary, metricsServer: operatorServer)
        }
        let addressed = try Self.template(address: own, secret: true), secret = try Self.template(secret: true), plain = try Self.template()
        let headers = try Self.template(headers: ["Authorization": ["Bearer x"]])
        #expect(address(addressed, Self.canary(metricsServer: chosen)) == .success(own))
        #expect(address(secret, Self.canary(metricsServer: nil)) == .success(operatorServer))
        #expect(address(plain, Self.canary(metricsServer: chosen)) == .success(chosen), "no credentials: the Canary's server, as before")
        for template in [secret, headers] {
            guard case .failure(let refusal) = address(template, Self.canary(metricsServer: chosen)) else {
                Issue.record("credentials sent to the Canary's metricsServer")
                continue
            }
            #expect(refusal.message.contains("no provider.address") && refusal.message.contains("spec.metricsServer"), "\(refusal.message)")
            #expect(refusal.message.contains("http://u:REDACTED@collector.team-a:9090") && !refusal.message.contains(":pw@"))
        }
    }

    @Test func anUnsafeVariableIsNamedBeforeTheRolloutStarts() throws {
        var metric = CanaryMetric(name: "errors")
        metric.templateVariables = ["job": #"x"}) or vector(100) or sum(up{job=""#]
        let template = try Self.template()
        let found = MetricAnalysis.unsafeVariable(metric, template: template, canary: Self.canary(metricsServer: nil))
        #expect(found?.key == "job" && found?.message.contains("would change the query's structure") == true, "\(String(describing: found))")
        metric.templateVariables = ["job": "podinfo"]
        #expect(MetricAnalysis.unsafeVariable(metric, template: template, canary: Self.canary(metricsServer: nil)) == nil)
        metric.templateVariables = [:]
        #expect(
            MetricAnalysis.unsafeVariable(metric, template: template, canary: Self.canary(metricsServer: nil)) == nil,
            "a missing variable fails the check at run time, as in Flagger")
    }
}
