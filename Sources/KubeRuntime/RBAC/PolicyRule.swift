import KubeCore

/// One RBAC rule (`rbac.authorization.k8s.io/v1` `PolicyRule`): verbs on resources of API groups.
///
/// Components declare the rules their requests need next to the code that makes them (a router's
/// registration, the operator's core), so that a chart's Role can be checked against them.
/// ``permissions(of:)`` flattens rules into single (group, resource, verb) grants, the unit two rule lists
/// are compared in: Kubernetes grants the union, however the rules are grouped.
public struct PolicyRule: Sendable, Hashable, CustomStringConvertible {
    public var apiGroups: [String]
    /// Plural resources, `resource/subresource` for a subresource (`canaries/status`).
    public var resources: [String]
    public var verbs: [String]

    public init(apiGroups: [String], resources: [String], verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
    }

    /// `verbs` on `resource` (or its `subresource`).
    public init(_ resource: KubeResource, subresource: String? = nil, verbs: [String]) {
        self.init(apiGroups: [resource.group], resources: [subresource.map { "\(resource.plural)/\($0)" } ?? resource.plural], verbs: verbs)
    }

    /// What a reflector needs: `list` and `watch`.
    public static let readVerbs = ["list", "watch"]
    /// What ``OwnedObjectApplier`` needs: `create`, and `patch` to correct or adopt.
    public static let writeVerbs = ["create", "patch"]

    /// The rule a cache of `watched` needs: list and watch, plus create and patch when the component owns
    /// objects of it (it creates them through an ``OwnedObjectApplier``, which also corrects and adopts).
    public static func rule(for watched: WatchedResource) -> PolicyRule {
        PolicyRule(watched.resource, verbs: readVerbs + (watched.owned ? writeVerbs : []))
    }

    /// One grant: a verb on a resource (or `resource/subresource`) of an API group.
    public struct Permission: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var group: String
        public var resource: String
        public var verb: String

        public init(group: String, resource: String, verb: String) {
            self.group = group
            self.resource = resource
            self.verb = verb
        }

        public var description: String { "\(verb) \(group.isEmpty ? resource : "\(resource).\(group)")" }

        public static func < (lhs: Permission, rhs: Permission) -> Bool {
            (lhs.group, lhs.resource, lhs.verb) < (rhs.group, rhs.resource, rhs.verb)
        }
    }

    /// Every single grant `rules` make together.
    public static func permissions(of rules: [PolicyRule]) -> Set<Permission> {
        var all = Set<Permission>()
        for rule in rules {
            for group in rule.apiGroups {
                for resource in rule.resources {
                    for verb in rule.verbs { all.insert(Permission(group: group, resource: resource, verb: verb)) }
                }
            }
        }
        return all
    }

    /// The rule as a Role's YAML flow mapping: `{apiGroups: [apps], resources: [deployments], verbs: [list, watch]}`.
    public var description: String {
        func list(_ items: [String]) -> String { "[" + items.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ", ") + "]" }
        return "{apiGroups: \(list(apiGroups)), resources: \(list(resources)), verbs: \(list(verbs))}"
    }
}

extension PolicyRule {
    /// What ``EventRecorder`` writes: new Events, and count increments of repeated ones.
    public static let eventRecording = PolicyRule(.events, verbs: ["create", "patch"])
    /// What ``LeaderElector`` and ``ShardedLeadership`` do with their Leases (in one namespace).
    public static let leaderElection = PolicyRule(.leases, verbs: ["get", "create", "update"])
}
