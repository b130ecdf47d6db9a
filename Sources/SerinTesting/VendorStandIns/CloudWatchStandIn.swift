import Foundation
import HTTPTypes
import Hummingbird

/// Amazon CloudWatch's `GetMetricData` in the JSON protocol, and STS's `AssumeRoleWithWebIdentity`, as AWS
/// documents them (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
/// docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html):
///
/// - `POST /` with `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
///   GraniteServiceVersion20100801.GetMetricData` and a SigV4 `Authorization` (credential scope
///   `<key>/<day>/<region>/monitoring/aws4_request`); 200 is `{"MetricDataResults": [{"Id", "Label",
///   "Timestamps", "Values", "StatusCode"}], "Messages": []}`, newest point first; an empty
///   `MetricDataQueries` is a 400 `ValidationError`.
/// - Errors are `{"__type": "…", "message": "…"}`: 400 `UnrecognizedClientException` for an unknown key.
/// - STS: a form `POST` answering XML `<AssumeRoleWithWebIdentityResponse>` with `<Credentials>`, and
///   `<ErrorResponse>` with `InvalidIdentityToken` for a wrong token.
public struct CloudWatchStandIn: Sendable {
    public let state: VendorStandIn
    /// The access key CloudWatch accepts.
    public let accessKeyID: String
    /// The web identity token STS exchanges, and the keys it gives for it.
    public let webIdentityToken: String
    public let assumedKeyID: String

    public init(accessKeyID: String, webIdentityToken: String = "", assumedKeyID: String = "ASIASTANDIN", signal: @escaping VendorStandIn.Signal) {
        (self.accessKeyID, self.webIdentityToken, self.assumedKeyID) = (accessKeyID, webIdentityToken, assumedKeyID)
        state = VendorStandIn(signal: signal)
    }

    static func error(_ type: String, _ message: String) -> Response {
        VendorStandIn.answer(.badRequest, json: ["__type": type, "message": message])
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, _) = await state.receive(request)
            if received.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true { return sts(received) }
            guard received.headers["x-amz-target"] == "GraniteServiceVersion20100801.GetMetricData" else {
                return Self.error("UnknownOperationException", "")
            }
            let authorization = received.headers["authorization"] ?? ""
            let keys = [accessKeyID, assumedKeyID].filter { !$0.isEmpty }
            guard authorization.hasPrefix("AWS4-HMAC-SHA256 Credential="),
                keys.contains(where: { authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\($0)/") }),
                authorization.contains("/monitoring/aws4_request")
            else {
                return Self.error("UnrecognizedClientException", "The security token included in the request is invalid.")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(received.body.utf8))) as? [String: Any]
            guard let queries = body?["MetricDataQueries"] as? [[String: Any]], !queries.isEmpty else {
                return Self.error("ValidationError", "The parameter MetricDataQueries must contain at least one query.")
            }
            guard let returned = queries.first(where: { ($0["ReturnData"] as? Bool) ?? true }), let id = returned["Id"] as? String else {
                return VendorStandIn.answer(.ok, json: ["MetricDataResults": [Any](), "Messages": [Any]()])
            }
            let value = await state.signal(received.body)
            let end = (body?["EndTime"] as? Double) ?? 0
            let result: [String: Any] = [
                "Id": id, "Label": returned["Label"] ?? id, "StatusCode": "Complete",
                "Timestamps": value == nil ? [Double]() : [end - 60, end - 120], "Values": value.map { [$0, $0] } ?? [Double](),
            ]
            return VendorStandIn.answer(.ok, json: ["MetricDataResults": [result], "Messages": [Any]()])
        }
    }

    private func sts(_ request: VendorStandIn.Request) -> Response {
        var form = URLComponents()
        form.percentEncodedQuery = request.body
        let fields = Dictionary((form.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        guard fields["Action"] == "AssumeRoleWithWebIdentity", fields["WebIdentityToken"] == webIdentityToken, !webIdentityToken.isEmpty else {
            let xml = """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
                <Code>InvalidIdentityToken</Code><Message>Couldn't retrieve verification key from your identity provider</Message>\
                </Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>
                """
            return VendorStandIn.answer(.badRequest, text: xml, contentType: "text/xml")
        }
        let xml = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:serin-system:serin</SubjectFromWebIdentityToken>
                <AssumedRoleUser><Arn>\(fields["RoleArn"] ?? "")/\(fields["RoleSessionName"] ?? "")</Arn><AssumedRoleId>AROA:serin</AssumedRoleId></AssumedRoleUser>
                <Credentials>
                  <SessionToken>standin-session-token</SessionToken>
                  <SecretAccessKey>standin-secret</SecretAccessKey>
                  <Expiration>2099-01-01T00:00:00Z</Expiration>
                  <AccessKeyId>\(assumedKeyID)</AccessKeyId>
                </Credentials>
                <Audience>sts.amazonaws.com</Audience>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>
            """
        return VendorStandIn.answer(.ok, text: xml, contentType: "text/xml")
    }
}
