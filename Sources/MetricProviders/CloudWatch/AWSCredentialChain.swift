import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP
import Synchronization

/// AWS credentials found as the AWS SDKs find them (Flagger's CloudWatch provider uses the SDK's default
/// chain): the environment's `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`); else a
/// web identity (`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`, as EKS's IRSA sets them) exchanged at STS
/// with `AssumeRoleWithWebIdentity`; else the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
/// `~/.aws/credentials`, profile `AWS_PROFILE`, default `default`).
struct AWSCredentialChain: Sendable {
    let environment: [String: String]
    let region: String
    let api: VendorAPI

    /// Web-identity credentials, kept until five minutes before they expire (one STS call per hour, not per check).
    private static let assumed = Mutex<[String: (SigV4.Credentials, expires: Date)]>([:])

    func resolve() async throws(MetricError) -> SigV4.Credentials {
        if let key = environment["AWS_ACCESS_KEY_ID"] ?? environment["AWS_ACCESS_KEY"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"] ?? environment["AWS_SECRET_KEY"], !secret.isEmpty
        {
            return SigV4.Credentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        if let role = environment["AWS_ROLE_ARN"], !role.isEmpty, let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !tokenFile.isEmpty {
            return try await webIdentity(role: role, tokenFile: tokenFile)
        }
        return try sharedFile()
    }

    /// `AssumeRoleWithWebIdentity` at STS (an unsigned call: the token is the proof).
    private func webIdentity(role: String, tokenFile: String) async throws(MetricError) -> SigV4.Credentials {
        let now = api.config.clock.date
        if let (credentials, expires) = Self.assumed.withLock({ $0[role + "\n" + tokenFile] }), expires > now.addingTimeInterval(300) {
            return credentials
        }
        let token: String
        do { token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw MetricError.configuration("cloudwatch: failed to read AWS_WEB_IDENTITY_TOKEN_FILE \(tokenFile): \(error.localizedDescription)")
        }
        let session = environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "serin-\(Int(now.timeIntervalSince1970))"
        let body = formQuery([
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", role), ("RoleSessionName", session),
            ("WebIdentityToken", token),
        ])
        let answer = try await api.send(
            .POST, stsEndpoint, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/xml")], body: Array(body.utf8))
        let xml = String(decoding: answer, as: UTF8.self)
        guard let key = Self.element("AccessKeyId", in: xml), let secret = Self.element("SecretAccessKey", in: xml) else {
            throw MetricError.query("cloudwatch: STS AssumeRoleWithWebIdentity answered without credentials")
        }
        let credentials = SigV4.Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: Self.element("SessionToken", in: xml))
        let expires = Self.element("Expiration", in: xml).flatMap { KubeTime(rfc3339: $0)?.date } ?? now.addingTimeInterval(900)
        Self.assumed.withLock { $0[role + "\n" + tokenFile] = (credentials, expires) }
        return credentials
    }

    /// STS's regional endpoint, or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` (the SDKs' endpoint overrides).
    var stsEndpoint: String {
        if let url = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"], !url.isEmpty { return url }
        return "https://sts.\(region).amazonaws.com\(region.hasPrefix("cn-") ? ".cn" : "")/"
    }

    /// The profile's keys in the shared credentials file (an INI file).
    private func sharedFile() throws(MetricError) -> SigV4.Credentials {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.aws/credentials"
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw MetricError.configuration(
                "cloudwatch: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN and "
                    + "AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), or a shared credentials file (\(path): \(error.localizedDescription))")
        }
        var section = ""
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            } else if section == profile, let equals = line.firstIndex(of: "="), !line.hasPrefix("#"), !line.hasPrefix(";") {
                values[line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: equals)...]
                    .trimmingCharacters(in: .whitespaces)
            }
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
            throw MetricError.configuration("cloudwatch: \(path) has no aws_access_key_id and aws_secret_access_key in profile [\(profile)]")
        }
        return SigV4.Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    /// The text of the first `<name>…</name>` in a flat XML answer (STS's credentials have unique names).
    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
