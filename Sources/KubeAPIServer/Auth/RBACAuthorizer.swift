import KubeCore

/// Kubernetes' RBAC authorizer over a snapshot of Roles, ClusterRoles and their bindings.
///
/// A pure function: the same request and snapshot always give the same decision. It follows
/// `k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac`: a ClusterRoleBinding grants its ClusterRole's rules
/// everywhere; a RoleBinding grants its Role's (or ClusterRole's) rules in its own namespace; a rule matches on
/// verbs, API groups, resources (`*`, `resource/subresource`, `*/subresource`) and resource names; members of
/// `system:masters` may do anything.
///
/// Caveats: aggregated ClusterRoles (`aggregationRule`) are not expanded; non-resource URLs are decided
/// by the caller (every authenticated user may read discovery, as `system:discovery` grants).
struct RBACAuthorizer: Sendable {
    /// What a request asks to do.
    struct Attributes: Sendable, Equatable {
        var verb: String
        var group: String
        var resource: String
        var subresource: String?
        var name: String?
        var namespace: String?
    }

    /// The RBAC objects in the store.
    struct Snapshot: Sendable {
        var clusterRoles: [String: JSONValue] = [:]
        var roles: [String: JSONValue] = [:]  // "namespace/name"
        var clusterRoleBindings: [JSONValue] = []
        var roleBindings: [JSONValue] = []
    }

    let snapshot: Snapshot

    func allows(_ user: SandboxUser, _ attributes: Attributes) -> Bool {
        if user.groups.contains("system:masters") { return true }
        return rules(for: user, namespace: attributes.namespace).contains { RBACAuthorizer.matches($0, attributes) }
    }

    /// Every rule granted to `user` in `namespace` (cluster-wide ones included; `nil`: cluster-wide only).
    func rules(for user: SandboxUser, namespace: String?) -> [JSONValue] {
        var rules: [JSONValue] = []
        for binding in snapshot.clusterRoleBindings where RBACAuthorizer.binds(binding, user) {
            rules += snapshot.clusterRoles[binding[path: "roleRef", "name"]?.stringValue ?? ""]?["rules"]?.arrayValue ?? []
        }
        guard let namespace else { return rules }
        for binding in snapshot.roleBindings
        where binding[path: "metadata", "namespace"]?.stringValue == namespace && RBACAuthorizer.binds(binding, user) {
            let name = binding[path: "roleRef", "name"]?.stringValue ?? ""
            let role = binding[path: "roleRef", "kind"] == "ClusterRole" ? snapshot.clusterRoles[name] : snapshot.roles["\(namespace)/\(name)"]
            rules += role?["rules"]?.arrayValue ?? []
        }
        return rules
    }

    static func binds(_ binding: JSONValue, _ user: SandboxUser) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": return name == user.name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                guard let account = user.serviceAccount else { return false }
                let namespace = subject["namespace"]?.stringValue ?? binding[path: "metadata", "namespace"]?.stringValue ?? ""
                return account.name == name && account.namespace == namespace
            default: return false
            }
        }
    }

    static func matches(_ rule: JSONValue, _ attributes: Attributes) -> Bool {
        func list(_ key: String) -> [String] { (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        let verbs = list("verbs"), groups = list("apiGroups"), resources = list("resources"), names = list("resourceNames")
        guard verbs.contains("*") || verbs.contains(attributes.verb) else { return false }
        guard groups.contains("*") || groups.contains(attributes.group) else { return false }
        let combined = attributes.subresource.map { "\(attributes.resource)/\($0)" } ?? attributes.resource
        let resourceMatches = resources.contains { resource in
            if resource == "*" || resource == combined { return true }
            guard let subresource = attributes.subresource else { return false }
            return resource == "*/\(subresource)"
        }
        guard resourceMatches else { return false }
        return names.isEmpty || names.contains(attributes.name ?? "\u{0}")
    }
}
