import KubeCore

/// Knative Serving's vocabulary as the `knative` provider and the Knative Service target share it.
public enum KnativeServing {
    /// The API version of a Knative Service target (`spec.targetRef.apiVersion`).
    public static let apiVersion = "serving.knative.dev/v1"

    /// `services.serving.knative.dev`: the target, and the object whose `spec.traffic` the router writes.
    public static let services = KubeResource(group: "serving.knative.dev", version: "v1", kind: "Service", plural: "services", namespaced: true)

    /// `revisions.serving.knative.dev`: the primary and canary revisions, read for their `Ready` condition.
    public static let revisions = KubeResource(
        group: "serving.knative.dev", version: "v1", kind: "Revision", plural: "revisions", namespaced: true)

    /// Flagger's annotation on the Knative Service naming the primary revision (the last one promoted).
    public static let primaryRevisionAnnotation = "flagger.app/primary-revision"

    /// The primary revision a Knative Service's annotation names; `nil` before initialization.
    public static func primaryRevision(of service: JSONValue) -> String? {
        guard let name = service[path: "metadata", "annotations", primaryRevisionAnnotation]?.stringValue, !name.isEmpty else { return nil }
        return name
    }

    /// The revision Knative created last (`status.latestCreatedRevisionName`): the canary; `nil` before the first.
    public static func latestCreatedRevision(of service: JSONValue) -> String? {
        guard let name = service[path: "status", "latestCreatedRevisionName"]?.stringValue, !name.isEmpty else { return nil }
        return name
    }
}
