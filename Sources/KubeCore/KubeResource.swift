import Foundation

/// A description of a Kubernetes resource: what the client needs to build its URLs.
///
/// The client is generic over this description rather than over generated types, so any built-in kind or
/// custom resource can be used: `KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary",
/// plural: "canaries", namespaced: true)`.
public struct KubeResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    public var version: String
    public var kind: String
    /// The lower-case plural used in URLs, such as `deployments`.
    public var plural: String
    /// Whether objects live in namespaces.
    public var namespaced: Bool

    public init(group: String, version: String, kind: String, plural: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The URL path of the API group version: `/api/v1` or `/apis/{group}/{version}`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The URL path of a collection or of one object (and optionally a subresource).
    ///
    /// A `nil` namespace on a namespaced resource means "across all namespaces" (list and watch only).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPath
        if namespaced, let namespace { path += "/namespaces/\(KubeResource.escape(namespace))" }
        path += "/\(plural)"
        if let name { path += "/\(KubeResource.escape(name))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    private static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: pathSegmentCharacters) ?? segment
    }

    private static let pathSegmentCharacters: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/")
        return set
    }()
}

extension KubeResource {
    public static let namespaces = KubeResource(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)
    public static let services = KubeResource(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true)
    public static let endpoints = KubeResource(group: "", version: "v1", kind: "Endpoints", plural: "endpoints", namespaced: true)
    public static let configMaps = KubeResource(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)
    public static let secrets = KubeResource(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true)
    public static let serviceAccounts = KubeResource(
        group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true)
    public static let events = KubeResource(group: "", version: "v1", kind: "Event", plural: "events", namespaced: true)
    public static let pods = KubeResource(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true)
    public static let deployments = KubeResource(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    public static let daemonSets = KubeResource(group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true)
    public static let statefulSets = KubeResource(
        group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true)
    public static let horizontalPodAutoscalers = KubeResource(
        group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", namespaced: true)
    public static let leases = KubeResource(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true)
    public static let customResourceDefinitions = KubeResource(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
        namespaced: false)
}
