import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

/// The Graphite provider's request and answers (the real graphite-web answers in `GraphiteScenarioTests`).
@Suite struct GraphiteProviderTests {
    @Test func theRenderCallCarriesTheQuerysParametersSortedWithFormatJSONAndBasicAuth() async throws {
        let seen = Mutex<(path: String, query: String, authorization: String)>(("", "", ""))
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            seen.withLock { $0 = (request.uri.path, request.uri.query ?? "", request.headers[.authorization] ?? "") }
            let body = #"[{"target":"a","datapoints":[[10,1621348400],[75,1621348410],[25,1621348420],[100,1621348430],[null,1621348440]]}]"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        try await StubServer.serve(responder) { port in
            let config = MetricProviderConfig(
                address: "http://127.0.0.1:\(port)/graphite/", secret: ["username": "u", "password": "p@ss"],
                http: OutboundHTTP(proxies: ProxySettings()))
            let provider = try GraphiteProvider(config: config)
            #expect(try await provider.query("target=sumSeries(\n  app.http.*.count\n)&from=-2min") == 100)
        }
        let request = seen.withLock { $0 }
        #expect(request.path == "/graphite/render")
        #expect(request.query == "format=json&from=-2min&target=sumSeries%28%20app.http.%2A.count%20%29")
        #expect(request.authorization == "Basic " + Data("u:p@ss".utf8).base64EncodedString())
    }

    @Test func valuesAreTheLastNonNullPointOfAnyTarget() throws {
        let api = VendorAPI(provider: .graphite, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        func value(_ json: String) throws(MetricError) -> Double { try GraphiteProvider.value(from: Array(json.utf8), api: api) }
        #expect(try value(#"[{"target":"a","datapoints":[[1,1]]},{"target":"b","datapoints":[["2.5",2],[null,3]]}]"#) == 2.5)
        #expect(throws: MetricError.noValues) { try value("[]") }
        #expect(throws: MetricError.noValues) { try value(#"[{"target":"a","datapoints":[[null,1]]}]"#) }
        #expect(throws: MetricError.self) { try value("[") }
    }

    /// graphite-web writes infinity as `1e9999`, a number no JSON decoder reads as a Double (`RealGraphiteTests`
    /// gets this answer from a real graphite-web).
    @Test func anInfinityAsGraphiteWebWritesItIsNotFiniteAndAnEarlierOneDoesNotSpoilTheAnswer() throws {
        let api = VendorAPI(provider: .graphite, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        func value(_ json: String) throws(MetricError) -> Double { try GraphiteProvider.value(from: Array(json.utf8), api: api) }
        let real = #"""
            [{"target": "scale(scale(x.inf,1e+308),10)", "tags": {"name": "x.inf", "scale": "10.0"}, "datapoints": [[1e9999, 1796541610], [1e9999, 1796541611], [null, 1796541613]]}]
            """#
        #expect(throws: MetricError.notFinite("inf")) { try value(real) }
        #expect(throws: MetricError.notFinite("-inf")) { try value(#"[{"target": "a", "datapoints": [[1, 1], [-1e9999, 2]]}]"#) }
        #expect(try value(#"[{"target": "a", "datapoints": [[1e9999, 1], [-1e9999, 2], [3.5, 3], [null, 4]]}]"#) == 3.5)
        // Only numbers change: a string holding the same text (and escaped quotes) stays as it was.
        let named = #"[{"target": "x \"1e9999\" 1e9999", "datapoints": [[-2.5e3, 1], [1e308, 2]]}]"#
        #expect(GraphiteProvider.quotingOverflows(Array(named.utf8)) == Array(named.utf8))
        #expect(try value(named) == 1e308)
    }

    @Test func aBadAddressAndAnIncompleteSecretAreRefused() {
        #expect(throws: MetricError.configuration("graphite address ::: is not a valid URL")) {
            try GraphiteProvider(config: MetricProviderConfig(address: ":::"))
        }
        #expect(throws: MetricError.configuration("graphite credentials does not contain password")) {
            try GraphiteProvider(config: MetricProviderConfig(address: "http://graphite", secret: ["username": "u"]))
        }
    }
}
