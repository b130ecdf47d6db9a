import Foundation
import KubeAPIServer
import KubeCore

/// How Knative's ingress (Kourier's Envoy) sends a Knative Service's requests: to the revisions of its
/// `status.traffic`, by percent, each ready revision answering as its template's `sandbox.serin.dev/`
/// annotations say. Each request is counted by the gateway's Envoy in the cluster `<namespace>/<revision>`
/// (`envoy_cluster_upstream_rq{envoy_cluster_name="test/podinfo-00002"}`, what Flagger's Knative queries read).
extension ServiceResolver {
    func knative(_ plural: String, namespace: String? = nil) async -> [JSONValue] {
        guard let type = await type(plural, group: KnativeCRDs.group), let page = try? await store.list(type, namespace: namespace) else {
            return []
        }
        return page.items
    }

    /// How a Knative Service's traffic is split now (by its status, what Knative applied).
    func routing(ofKnativeService service: JSONValue) async -> Routing {
        let namespace = service[path: "metadata", "namespace"]?.stringValue ?? "default"
        let name = service[path: "metadata", "name"]?.stringValue ?? ""
        let revisions = await knative("revisions", namespace: namespace)
        var destinations: [Destination] = []
        for entry in service[path: "status", "traffic"]?.arrayValue ?? [] {
            guard let revisionName = entry["revisionName"]?.stringValue else { continue }
            let revision = revisions.first { $0[path: "metadata", "name"]?.stringValue == revisionName }
            let backends = revision.map { revision -> [Backend] in
                guard KnativeSimulator.isReady(revision) else { return [] }
                let template: JSONValue = ["spec": ["template": ["metadata": ["annotations": revision[path: "metadata", "annotations"] ?? [:]]]]]
                return [Backend(workload: revisionName, namespace: namespace, serviceName: name, behaviour: WorkloadBehaviour(workload: template))]
            }
            destinations.append(
                Destination(weight: entry["percent"]?.doubleValue ?? 0, backends: backends ?? [], via: .envoyCluster("\(namespace)/\(revisionName)")))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// The routing of a request for `name` in `namespace` when a Knative Service has that name, else `nil`.
    func knativeRouting(service name: String, namespace: String) async -> Routing? {
        guard let type = await type("services", group: KnativeCRDs.group), let service = try? await store.get(type, namespace: namespace, name: name)
        else { return nil }
        return await routing(ofKnativeService: service)
    }
}
