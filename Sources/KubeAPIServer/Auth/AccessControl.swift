import Foundation
import KubeCore

/// Authentication and authorization for the sandbox's API server, when ``Sandbox/Options/authorization`` is on.
///
/// A request must carry `Authorization: Bearer <token>`: the administrator's token (the sandbox kubeconfig's) or
/// a ServiceAccount token the sandbox issued (``issueToken(serviceAccount:namespace:)``, or `kubectl create
/// token`). Anything else is `401 Unauthorized`, except `/healthz`, `/readyz`, `/livez` and `/version`, which
/// anyone may read. Resource requests are then decided by RBAC (``RBACAuthorizer``) from the Roles,
/// ClusterRoles and bindings in the store; a refusal is `403 Forbidden` with Kubernetes' message, and is kept in
/// ``denials`` so that a test can check nothing was refused. The RBAC objects are read again only after one of
/// them changed, and before any refusal; like an API server's RBAC informer, a revoked grant may still allow a
/// request for the moment the change takes to arrive.
public actor AccessControl {
    /// One refused request.
    public struct Denial: Sendable, CustomStringConvertible {
        public var user: String
        public var message: String
        public var description: String { message }
    }

    /// One kind of request allowed: a verb on a resource (`resource/subresource`) of an API group.
    public struct Grant: Sendable, Hashable, CustomStringConvertible {
        public var verb: String
        public var group: String
        public var resource: String
        public var description: String { "\(verb) \(group.isEmpty ? resource : "\(resource).\(group)")" }
    }

    let store: ObjectStore
    let tokens = TokenAuthority()
    public private(set) var denials: [Denial] = []
    /// The kinds of request each user (by name) was allowed: what a test compares a Role's grants with, to
    /// find the grants nothing used.
    public private(set) var allowed: [String: Set<Grant>] = [:]

    /// The authorizer over the RBAC objects as last read; dropped when one of them changes.
    private var cached: RBACAuthorizer?

    public init(store: ObjectStore) { self.store = store }

    /// Starts dropping the cached authorizer whenever a Role, ClusterRole or binding changes.
    public func watchRBAC() async {
        await store.observe { [weak self] _, type, _ in
            guard type.resource.group == "rbac.authorization.k8s.io", let self else { return }
            Task { await self.forget() }
        }
    }

    private func forget() { cached = nil }

    /// A token for an existing ServiceAccount, as the TokenRequest API issues one.
    public func issueToken(serviceAccount name: String, namespace: String) async throws -> String {
        guard let type = await store.registryLookup(group: "", version: "v1", plural: "serviceaccounts") else {
            throw SandboxError(step: "issue a token for \(namespace)/\(name)", reason: "the sandbox serves no serviceaccounts")
        }
        let account = try await store.get(type, namespace: namespace, name: name)
        return await tokens.issue(namespace: namespace, name: name, uid: account[path: "metadata", "uid"]?.stringValue ?? "")
    }

    /// The user an `Authorization` header names, or `nil` (no header, an unknown token, a deleted ServiceAccount).
    func authenticate(_ header: String?) async -> SandboxUser? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        guard let user = await tokens.user(token: String(header.dropFirst("Bearer ".count))) else { return nil }
        if let account = user.serviceAccount {
            guard let type = await store.registryLookup(group: "", version: "v1", plural: "serviceaccounts"),
                let current = try? await store.get(type, namespace: account.namespace, name: account.name),
                current[path: "metadata", "uid"]?.stringValue == user.uid
            else { return nil }
        }
        return user
    }

    /// Whether `user` may do what `attributes` describe; a refusal is recorded.
    func authorize(_ user: SandboxUser, _ attributes: RBACAuthorizer.Attributes) async -> Bool {
        let grant = Grant(
            verb: attributes.verb, group: attributes.group,
            resource: attributes.subresource.map { "\(attributes.resource)/\($0)" } ?? attributes.resource)
        if await authorizer().allows(user, attributes) {
            allowed[user.name, default: []].insert(grant)
            return true
        }
        cached = nil  // a refusal is decided on what is stored now, never on a copy a just-written binding has not reached
        if await authorizer().allows(user, attributes) {
            allowed[user.name, default: []].insert(grant)
            return true
        }
        denials.append(Denial(user: user.name, message: AccessControl.forbiddenMessage(user, attributes)))
        return false
    }

    /// The authorizer over the RBAC objects stored now (read again only after one of them changed).
    func authorizer() async -> RBACAuthorizer {
        if let cached { return cached }
        var snapshot = RBACAuthorizer.Snapshot()
        func items(_ plural: String) async -> [JSONValue] {
            guard let type = await store.registryLookup(group: "rbac.authorization.k8s.io", version: "v1", plural: plural) else { return [] }
            return (try? await store.list(type, namespace: nil).items) ?? []
        }
        for role in await items("clusterroles") { snapshot.clusterRoles[role[path: "metadata", "name"]?.stringValue ?? ""] = role }
        for role in await items("roles") {
            snapshot.roles["\(role[path: "metadata", "namespace"]?.stringValue ?? "")/\(role[path: "metadata", "name"]?.stringValue ?? "")"] = role
        }
        snapshot.clusterRoleBindings = await items("clusterrolebindings")
        snapshot.roleBindings = await items("rolebindings")
        let authorizer = RBACAuthorizer(snapshot: snapshot)
        cached = authorizer
        return authorizer
    }

    /// Kubernetes' words for a refusal: `deployments.apps "web" is forbidden: User "…" cannot patch resource
    /// "deployments" in API group "apps" in the namespace "demo"`.
    static func forbiddenMessage(_ user: SandboxUser, _ attributes: RBACAuthorizer.Attributes) -> String {
        let qualified = attributes.group.isEmpty ? attributes.resource : "\(attributes.resource).\(attributes.group)"
        let subject = attributes.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        let combined = attributes.subresource.map { "\(attributes.resource)/\($0)" } ?? attributes.resource
        let scope = attributes.namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return "\(subject) is forbidden: User \"\(user.name)\" cannot \(attributes.verb) resource \"\(combined)\" in API group "
            + "\"\(attributes.group)\" \(scope)"
    }
}
