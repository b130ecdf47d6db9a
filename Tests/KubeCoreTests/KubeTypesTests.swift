import Foundation
import KubeCore
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("30s", 30.0), ("1m30s", 90), ("1h", 3600), ("1.5h", 5400), ("300ms", 0.3), ("2h45m", 9900), ("0", 0),
        ("-1m", -60), ("1h2m3s4ms", 3723.004), ("10us", 0.00001), ("10µs", 0.00001),
    ])
    func parsesGoSyntax(text: String, seconds: Double) throws {
        #expect(abs(try GoDuration(parsing: text).seconds - seconds) < 1e-9)
    }

    @Test(arguments: [("1x", "unknown unit \"x\""), ("", "empty duration"), ("10", "missing unit"), ("m", "expected a number")])
    func rejectsWhatGoRejects(text: String, reason: String) {
        #expect {
            try GoDuration(parsing: text)
        } throws: { error in
            let description = (error as? GoDurationError)?.description ?? ""
            return description.hasPrefix("invalid duration \"\(text)\"") && description.contains(reason)
        }
    }

    @Test(arguments: [(90.0, "1m30s"), (30, "30s"), (3600, "1h0m0s"), (0.5, "500ms"), (0, "0s"), (-60, "-1m0s"), (1.5, "1.5s")])
    func printsLikeGo(seconds: Double, text: String) {
        #expect(GoDuration(.milliseconds(Int64(seconds * 1000))).description == text)
    }

    @Test func decodesFromJSONWithAClearError() throws {
        struct Spec: Decodable { var interval: GoDuration }
        #expect(try JSONValue(parsing: #"{"interval":"1m"}"#).decode(as: Spec.self).interval.seconds == 60)
        #expect(throws: DecodingError.self) { try JSONValue(parsing: #"{"interval":"1x"}"#).decode(as: Spec.self) }
    }
}

@Suite struct IntOrStringTests {
    @Test func decodesBothForms() throws {
        #expect(try JSONValue(parsing: "8080").decode(as: IntOrString.self) == .int(8080))
        #expect(try JSONValue(parsing: #""http""#).decode(as: IntOrString.self) == .string("http"))
        #expect(try JSONValue(encoding: IntOrString.string("25%")) == "25%")
    }

    @Test func scalesPercentages() {
        #expect(IntOrString.string("25%").scaled(total: 10, roundUp: true) == 3)
        #expect(IntOrString.string("25%").scaled(total: 10, roundUp: false) == 2)
        #expect(IntOrString.int(4).scaled(total: 10, roundUp: true) == 4)
        #expect(IntOrString.string("abc").scaled(total: 10, roundUp: true) == nil)
    }
}

@Suite struct KubeStatusTests {
    @Test func decodesAnInvalidStatusWithCauses() throws {
        let text = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \\"x\\" is invalid",
             "reason":"Invalid","details":{"name":"x","group":"apps","kind":"Deployment","causes":[
             {"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]},"code":422}
            """
        let status = try JSONValue(parsing: text).decode(as: KubeStatus.self)
        #expect(status.code == 422 && status.reason == "Invalid")
        #expect(status.details?.causes?.first?.field == "spec.selector")
        #expect(status.description.contains("spec.selector: Required value"))
    }
}

@Suite struct KubeTimeTests {
    @Test func parsesAndPrintsRFC3339() throws {
        let time = try #require(KubeTime(rfc3339: "2026-11-21T05:24:33Z"))
        #expect(time.description == "2026-11-21T05:24:33Z")
        let micro = try #require(KubeTime(rfc3339: "2026-11-21T05:24:33.123456Z"))
        #expect(abs(micro.date.timeIntervalSince(time.date) - 0.123456) < 1e-5)
        #expect(KubeTime(rfc3339: "yesterday") == nil)
    }
}

@Suite struct KubeResourceTests {
    @Test func buildsPathsForCoreGroupsAndCustomResources() {
        #expect(KubeResource.services.path(namespace: "demo", name: "web") == "/api/v1/namespaces/demo/services/web")
        #expect(KubeResource.deployments.path(namespace: nil) == "/apis/apps/v1/deployments")
        #expect(KubeResource.namespaces.path(namespace: "ignored", name: "demo") == "/api/v1/namespaces/demo")
        let canaries = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)
        #expect(
            canaries.path(namespace: "demo", name: "web", subresource: "status")
                == "/apis/flagger.app/v1beta1/namespaces/demo/canaries/web/status")
        #expect(canaries.apiVersion == "flagger.app/v1beta1")
    }

    @Test func dynamicObjectsReadMetadataWithoutLosingFields() throws {
        var object = DynamicObject(
            json: try JSONValue(parsing: #"{"kind":"X","metadata":{"name":"a","namespace":"b","labels":{"k":"v"}},"spec":{"unknown":[1,2.5]}}"#))
        #expect(object.name == "a" && object.namespace == "b" && object.labels == ["k": "v"])
        object.metadata.annotations = ["note": "x"]
        #expect(object.json[path: "spec", "unknown"] == [1, 2.5])
        #expect(object.json[path: "metadata", "annotations", "note"] == "x")
        #expect(object.metadata.key == "b/a")
    }
}
