import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// SigV4 against AWS's published test suite, and the CloudWatch provider's request, credentials and answers.
@Suite struct CloudWatchProviderTests {
    static let example = SigV4(
        credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1",
        service: "service")
    static let exampleDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let host = [("Host", "example.amazonaws.com")]

    static func signature(_ headers: [(String, String)]) -> String {
        headers.first { $0.0 == "Authorization" }?.1 ?? ""
    }

    /// The signing test suite's vectors (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html).
    @Test func sigV4MatchesAWSsTestSuite() {
        let scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        let vanilla = Self.example.sign(method: "GET", path: "/", headers: Self.host, body: [], date: Self.exampleDate)
        #expect(
            Self.signature(vanilla)
                == scope + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(vanilla.first { $0.0 == "X-Amz-Date" }?.1 == "20150830T123600Z")
        let ordered = Self.example.sign(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: Self.host, body: [], date: Self.exampleDate)
        #expect(Self.signature(ordered).hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
        let form = Self.example.sign(
            method: "POST", path: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")] + Self.host,
            body: Array("Param1=value1".utf8), date: Self.exampleDate)
        #expect(
            Self.signature(form)
                == scope + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
        var session = Self.example
        session.credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let token = session.sign(method: "GET", path: "/", headers: Self.host, body: [], date: Self.exampleDate)
        #expect(
            Self.signature(token)
                == scope + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                + "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
    }

    static let time = VirtualTime()

    static func config(_ port: Int, region: String? = "eu-west-1", environment: [String: String]) -> MetricProviderConfig {
        MetricProviderConfig(
            address: "", http: OutboundHTTP(proxies: ProxySettings()), region: region, clock: .virtual(time),
            environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)/"].merging(environment) { $1 })
    }

    /// Flagger's documented template (metrics.md), rendered, with lowercase keys Go's decoder would also accept.
    static let flaggerQuery = """
        [
            {"Id": "e1", "Expression": "m1 / m2", "Label": "ErrorRate"},
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "MyKubernetesCluster", "MetricName": "ErrorCount",
                "Dimensions": [{"Name": "appName", "Value": "podinfo.test"}]}, "Period": 60, "Stat": "Sum", "Unit": "Count"},
             "ReturnData": false},
            {"id": "m2", "metricStat": {"metric": {"namespace": "MyKubernetesCluster", "metricName": "RequestCount",
                "dimensions": [{"name": "appName", "value": "podinfo.test"}]}, "period": 60, "stat": "Sum", "unit": "Count"},
             "returnData": false, "flaggerIgnores": 1}
        ]
        """

    @Test func getMetricDataIsSignedWithTheEnvironmentsKeysOverTenIntervals() async throws {
        let standIn = CloudWatchStandIn(accessKeyID: "AKIAENV") { _ in 0.25 }
        try await StubServer.serve(standIn.responder) { port in
            let environment = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]
            let provider = try CloudWatchProvider(config: Self.config(port, environment: environment))
            #expect(try await provider.query(Self.flaggerQuery) == 0.25)
            #expect(await provider.isOnline(), "an empty GetMetricData is a 400 from AWS itself")
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.method == "POST" && request.path == "/" && request.headers["content-type"] == "application/x-amz-json-1.0")
        #expect(
            request.headers["authorization"]?.contains(
                "Credential=AKIAENV/\(SigV4.timestamp(Self.time.date).prefix(8))/eu-west-1/monitoring/aws4_request") == true)
        let body = try JSONValue(parsing: request.body)
        let now = Int64(Self.time.date.timeIntervalSince1970)
        #expect(body["StartTime"]?.intValue == Int(now - 600) && body["EndTime"]?.intValue == Int(now) && body["MaxDatapoints"] == 20)
        let third: JSONValue? = body["MetricDataQueries"]?[2]
        #expect(
            third == [
                "Id": "m2",
                "MetricStat": [
                    "Metric": [
                        "Namespace": "MyKubernetesCluster", "MetricName": "RequestCount",
                        "Dimensions": [["Name": "appName", "Value": "podinfo.test"]],
                    ], "Period": 60, "Stat": "Sum", "Unit": "Count",
                ],
                "ReturnData": false,
            ])
    }

    @Test func aWebIdentityIsExchangedAtSTSOnceAndItsSessionSigns() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("serin-irsa-\(UUID().uuidString)").path
        try "eyJ.projected.token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let standIn = CloudWatchStandIn(accessKeyID: "", webIdentityToken: "eyJ.projected.token", assumedKeyID: "ASIA\(UUID().uuidString.prefix(8))")
        { _ in 3 }
        try await StubServer.serve(standIn.responder) { port in
            let environment = ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/serin-\(port)", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile]
            let provider = try CloudWatchProvider(config: Self.config(port, environment: environment))
            #expect(try await provider.query(#"[{"Id": "q", "Expression": "SUM(x)"}]"#) == 3)
            #expect(try await provider.query(#"[{"Id": "q", "Expression": "SUM(x)"}]"#) == 3)
        }
        let requests = standIn.state.requests
        #expect(
            requests.filter { $0.headers["content-type"] == "application/x-www-form-urlencoded" }.count == 1, "credentials kept until they expire")
        #expect(
            requests.first?.body.contains("WebIdentityToken=eyJ.projected.token&") == true
                || requests.first?.body.hasSuffix("WebIdentityToken=eyJ.projected.token") == true)
        #expect(requests.last?.headers["x-amz-security-token"] == "standin-session-token")
        #expect(requests.last?.headers["authorization"]?.contains("Credential=\(standIn.assumedKeyID)/") == true)
    }

    @Test func theSharedCredentialsFilesProfileIsRead() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("serin-aws-\(UUID().uuidString)").path
        try
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[canary]\naws_access_key_id=AKIAPROFILE\naws_secret_access_key=p\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let standIn = CloudWatchStandIn(accessKeyID: "AKIAPROFILE") { _ in 1 }
        try await StubServer.serve(standIn.responder) { port throws in
            let environment = ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "canary"]
            let provider = try CloudWatchProvider(config: Self.config(port, environment: environment))
            #expect(try await provider.query(#"[{"Id":"q","Expression":"1"}]"#) == 1)
            let missing = ["AWS_SHARED_CREDENTIALS_FILE": file + ".missing"]
            let error = await #expect(throws: MetricError.self) {
                try await CloudWatchProvider(config: Self.config(port, environment: missing)).query(#"[{"Id":"q","Expression":"1"}]"#)
            }
            #expect(error?.message.hasPrefix("cloudwatch: no AWS credentials") == true, "\(String(describing: error))")
        }
    }

    @Test func refusalsNameTheRegionTheQueryAndTheKey() async throws {
        #expect(throws: MetricError.configuration("region not specified")) { try CloudWatchProvider(config: MetricProviderConfig(address: "")) }
        let standIn = CloudWatchStandIn(accessKeyID: "AKIAOTHER") { _ in nil }
        try await StubServer.serve(standIn.responder) { port in
            let environment = ["AWS_ACCESS_KEY_ID": "AKIAWRONG", "AWS_SECRET_ACCESS_KEY": "wrong-secret-value"]
            let provider = try CloudWatchProvider(config: Self.config(port, environment: environment))
            await #expect(throws: MetricError.self) { try await provider.query(#"{"Id": "not an array"}"#) }
            let error = await #expect(throws: MetricError.self) { try await provider.query(#"[{"Id":"q","Expression":"1"}]"#) }
            #expect(
                error?.message.hasPrefix("cloudwatch: 400 Bad Request: {\"__type\":\"UnrecognizedClientException\"") == true,
                "\(String(describing: error))")
            #expect(error?.message.contains("wrong-secret-value") == false)
        }
    }
}
