import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Google Cloud Monitoring's MQL query (`projects.timeSeries.query`), as Flagger's `stackdriver` provider
/// runs it: the Secret's `project`, and its optional `serviceAccountKey` (else Workload Identity through the
/// metadata server); the value is the first value of the first point (the newest) of the first series.
/// Serin calls the REST form of the API (`POST /v3/projects/<project>/timeSeries:query`); Flagger's Go
/// client calls the same method over gRPC.
public struct StackdriverProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .stackdriver, address: .vendorDefault("https://monitoring.googleapis.com")) {
        config throws(MetricError) in try StackdriverProvider(config: config)
    }

    let config: MetricProviderConfig
    let project: String
    let account: GoogleServiceAccount?

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let project = config.secret?["project"], !project.isEmpty else {
            throw MetricError.configuration("stackdriver credentials does not contain a project id")
        }
        guard project.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" || $0 == ".") }) else {
            throw MetricError.configuration("stackdriver: project \(project) is not a Google Cloud project id")
        }
        self.config = config
        self.project = project
        account = try config.secret?["serviceAccountKey"].flatMap { $0.isEmpty ? nil : $0 }.map { json throws(MetricError) in
            try GoogleServiceAccount(json: json)
        }
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let api = config.api(.stackdriver)
        let answer = try api.decode(Answer.self, from: try await send(query, api: api, accepting: { $0 == 200 }))
        guard let point = answer.timeSeriesData?.first?.pointData?.first, let typed = point.values?.first else { throw MetricError.noValues }
        guard let value = typed.doubleValue ?? typed.int64Value.flatMap(Double.init) ?? typed.boolValue.map({ $0 ? 1 : 0 }) else {
            throw MetricError.query("stackdriver: the point is not a number (a distribution or a string)")
        }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
    }

    /// An empty query is refused as invalid (400) once the call is authorised (Flagger's check).
    public func isOnline() async -> Bool {
        do {
            _ = try await send("", api: config.api(.stackdriver), accepting: { $0 == 200 || $0 == 400 })
            return true
        } catch { return false }
    }

    private func send(_ query: String, api: VendorAPI, accepting: @escaping (Int) -> Bool) async throws(MetricError) -> [UInt8] {
        let token = try await GoogleAccessToken(account: account, api: api).token()
        let body = JSONValue.object(["query": .string(query)]).serialized()
        return try await api.send(
            .POST, "\(config.baseAddress)/v3/projects/\(project)/timeSeries:query",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            accepting: accepting)
    }

    /// What Serin reads of a `QueryTimeSeriesResponse` (int64 values are JSON strings).
    struct Answer: Decodable {
        struct Series: Decodable { var pointData: [Point]? }
        struct Point: Decodable { var values: [TypedValue]? }
        struct TypedValue: Decodable {
            var doubleValue: Double?
            var int64Value: String?
            var boolValue: Bool?
        }
        var timeSeriesData: [Series]?
    }
}
