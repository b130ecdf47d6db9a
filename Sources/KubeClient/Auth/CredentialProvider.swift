import Foundation
import KubeCore

/// Supplies the `Authorization` header of every request and refreshes credentials that expire.
///
/// ## Guarantees
/// - A token file is re-read when its copy is older than ``tokenFileRefreshInterval`` (projected
///   service-account tokens rotate; kube-rs and client-go re-read them at least once a minute).
/// - An exec plugin runs again before its token's `expirationTimestamp` (``execRefreshMargin`` early) and
///   never more than once at a time.
/// - ``invalidate()`` (after a 401) forgets a refreshable credential so the next request fetches a new one.
public actor CredentialProvider {
    /// How long a token read from a file is used before the file is read again.
    public static let tokenFileRefreshInterval: TimeInterval = 60
    /// How long before expiry an exec credential is refreshed.
    public static let execRefreshMargin: TimeInterval = 10

    private let authentication: Authentication
    private let clock: OperatorClock
    private var cached: (header: String, expires: Date?)?
    private var pending: Task<(header: String, expires: Date?), any Error>?

    /// - Parameter clock: the clock expiries are read on (a test's virtual time moves them).
    public init(authentication: Authentication, clock: OperatorClock = .system) {
        self.authentication = authentication
        self.clock = clock
    }

    /// Whether the credential can be fetched again after the server rejects it.
    public nonisolated var isRefreshable: Bool {
        switch authentication {
        case .tokenFile, .exec: return true
        case .none, .bearerToken, .basic: return false
        }
    }

    /// The value of the `Authorization` header, or `nil` for anonymous requests.
    public func authorizationHeader() async throws -> String? {
        switch authentication {
        case .none: return nil
        case .bearerToken(let token): return "Bearer \(token)"
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .tokenFile, .exec: return try await refreshableHeader()
        }
    }

    /// Forgets a refreshable credential, for example after the server answered 401.
    public func invalidate() {
        cached = nil
    }

    private func refreshableHeader() async throws -> String {
        if let cached, let expires = cached.expires, clock.date < expires { return cached.header }
        if let cached, cached.expires == nil { return cached.header }
        if let pending { return try await pending.value.header }
        let task = Task { [authentication, clock] in try await CredentialProvider.fetch(authentication, clock: clock) }
        pending = task
        defer { pending = nil }
        let fetched = try await task.value
        cached = fetched
        return fetched.header
    }

    private static func fetch(
        _ authentication: Authentication, clock: OperatorClock
    ) async throws
        -> (header: String, expires: Date?)
    {
        switch authentication {
        case .tokenFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CredentialError(step: "read token file \(path)", reason: "the file cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CredentialError(step: "read token file \(path)", reason: "the file is empty") }
            return ("Bearer \(token)", clock.date.addingTimeInterval(tokenFileRefreshInterval))
        case .exec(let config, let clusterInfo):
            let credential = try await ExecCredentialPlugin(config: config, clusterInfo: clusterInfo).run()
            let expires = credential.expiration.map { $0.addingTimeInterval(-execRefreshMargin) }
            return ("Bearer \(credential.token)", expires)
        case .none, .bearerToken, .basic:
            preconditionFailure("only refreshable credentials are fetched")
        }
    }
}
