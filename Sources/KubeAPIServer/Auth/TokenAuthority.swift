import Foundation
import KubeCore

/// Who a request comes from, as the API server's authenticators describe a user.
public struct SandboxUser: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var uid: String
    public var groups: [String]

    public var description: String { name }

    /// The administrator: the token of the sandbox's own kubeconfig, in `system:masters`.
    public static let admin = SandboxUser(name: "sandbox-admin", uid: "", groups: ["system:masters", "system:authenticated"])

    /// A ServiceAccount, named and grouped as Kubernetes names it.
    public static func serviceAccount(namespace: String, name: String, uid: String) -> SandboxUser {
        SandboxUser(
            name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }

    /// The ServiceAccount this user is, if it is one.
    var serviceAccount: (namespace: String, name: String)? {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" else { return nil }
        return (parts[2], parts[3])
    }
}

/// Issues and checks bearer tokens: the administrator's (`sandbox`, in every sandbox kubeconfig) and
/// ServiceAccount tokens, as the TokenRequest API hands them out. A ServiceAccount's token stops working when
/// the ServiceAccount is deleted (a bound token's lifetime), and never expires otherwise.
public actor TokenAuthority {
    public static let adminToken = "sandbox"
    private var serviceAccounts: [String: (namespace: String, name: String, uid: String)] = [:]

    public init() {}

    /// A new token for a ServiceAccount (which the caller checked exists).
    func issue(namespace: String, name: String, uid: String) -> String {
        let token = "sandbox-sa." + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        serviceAccounts[token] = (namespace, name, uid)
        return token
    }

    /// The user a token names, if any (the caller checks that a ServiceAccount still exists).
    func user(token: String) -> SandboxUser? {
        if token == TokenAuthority.adminToken { return .admin }
        guard let account = serviceAccounts[token] else { return nil }
        return .serviceAccount(namespace: account.namespace, name: account.name, uid: account.uid)
    }
}
