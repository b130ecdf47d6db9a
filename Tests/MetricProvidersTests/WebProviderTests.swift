import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// Serin's `web` provider: the request its query describes, the Secret's keys as headers, the JSONPath.
@Suite struct WebProviderTests {
    static func config(_ port: Int, secret: [String: String]?) -> MetricProviderConfig {
        MetricProviderConfig(address: "http://127.0.0.1:\(port)/slo", secret: secret, http: OutboundHTTP(proxies: ProxySettings()))
    }

    @Test func aGetAndAPostReachTheEndpointWithTheSecretsHeadersAndTheJSONPathReadsTheNumber() async throws {
        let standIn = JSONEndpointStandIn(token: "w3b") { asked in asked.contains("podinfo.demo") ? 99.25 : nil }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try WebProvider(config: Self.config(port, secret: ["Authorization": "Bearer w3b"]))
            #expect(try await provider.query(#"{"path": "/api?service=podinfo.demo", "jsonPath": "$.data.value"}"#) == 99.25)
            let post = #"{"path": "/query", "method": "POST", "body": "{\"service\": \"podinfo.demo\"}", "jsonPath": "$['data']['value']"}"#
            #expect(try await provider.query(post) == 99.25)
            await #expect(throws: MetricError.noValues) { try await provider.query(#"{"path": "/api?service=other", "jsonPath": "$.data.value"}"#) }
            let refused = try WebProvider(config: Self.config(port, secret: ["Authorization": "Bearer wrong-token"]))
            let error = await #expect(throws: MetricError.self) { try await refused.query(#"{"jsonPath": "$.data.value"}"#) }
            #expect(error?.message == #"web: 401 Unauthorized: {"error":"unauthorized"}"#)
        }
        let requests = standIn.state.requests
        #expect(requests.first?.method == "GET" && requests.first?.path == "/slo/api" && requests.first?.parameters["service"] == "podinfo.demo")
        #expect(requests[1].method == "POST" && requests[1].path == "/slo/query" && requests[1].body == #"{"service": "podinfo.demo"}"#)
        #expect(requests[1].headers["content-type"] == "application/json")
    }

    @Test func theJSONPathSubsetReadsNumbersStringsAndBooleans() throws {
        let document = try JSONValue(parsing: #"{"a": {"list": [1, "2.5", true, null, {"x": 1}], "b-c": 7}}"#)
        func value(_ path: String) throws(MetricError) -> Double { try JSONPath(parsing: path).number(in: document) }
        #expect(try value("$.a.list[0]") == 1)
        #expect(try value("$.a.list[1]") == 2.5)
        #expect(try value("$.a.list[2]") == 1)
        #expect(try value(#"$.a["b-c"]"#) == 7)
        #expect(try value("$.a.list[-4]") == 2.5)
        #expect(throws: MetricError.noValues) { try value("$.a.list[3]") }
        #expect(throws: MetricError.noValues) { try value("$.a.missing") }
        #expect(throws: MetricError.noValues) { try value("$.a.list[9]") }
        #expect(throws: MetricError.self) { try value("$.a.list[4]") }
        #expect(throws: MetricError.self) { try value("a.list") }
        #expect(throws: MetricError.self) { try value("$.a[x]") }
    }

    @Test func aQueryThatIsNotTheRequestJSONOrAnAddressThatIsNotHTTPIsRefused() {
        #expect(throws: MetricError.self) { try WebProvider.request(from: "$.data.value") }
        #expect(throws: MetricError.self) { try WebProvider.request(from: #"{"jsonPath": "$.x", "method": "DELETE"}"#) }
        #expect(throws: MetricError.configuration("web address ftp://x is not an http(s) URL")) {
            try WebProvider(config: MetricProviderConfig(address: "ftp://x"))
        }
    }
}
