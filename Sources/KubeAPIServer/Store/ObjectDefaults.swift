import Foundation
import KubeCore

/// What the API server's per-kind strategies do that clients rely on: name rules, defaults and the few
/// validations controllers and kubectl expect (a Deployment's selector must match its template).
enum ObjectDefaults {
    static func validateName(_ type: ResourceType, _ name: String) throws(APIError) {
        guard !name.isEmpty else {
            throw APIError.invalid(
                type, name, causes: [.init(reason: "FieldValueRequired", message: "name or generateName is required", field: "metadata.name")])
        }
        let label = ["namespaces", "services"].contains(type.resource.plural)
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || (!label && $0 == ".") }
        let edges = name.first.map { $0.isLetter || $0.isNumber } == true && name.last.map { $0.isLetter || $0.isNumber } == true
        guard allowed, edges, name.count <= (label ? 63 : 253) else {
            let rule =
                label
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            throw APIError.invalid(
                type, name, causes: [.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(rule)", field: "metadata.name")])
        }
    }

    /// Whether a new object's defaults depend on what is stored (a Service's ClusterIP is allocated).
    static func needsStore(_ type: ResourceType) -> Bool { type.resource.group.isEmpty && type.resource.plural == "services" }

    /// A new object's defaults; `clusterIP` is the next free one when ``needsStore(_:)``.
    static func prepareCreate(_ type: ResourceType, _ object: inout JSONValue, clusterIP: String?) throws(APIError) {
        switch (type.resource.group, type.resource.plural) {
        case ("", "namespaces"): object[path: "status", "phase"] = "Active"
        case ("", "services"): defaultService(&object, clusterIP: clusterIP ?? "None")
        case ("apps", "deployments"): try defaultDeployment(type, &object)
        case ("", "secrets"): defaultSecret(&object)
        case ("apiextensions.k8s.io", "customresourcedefinitions"): establish(&object)
        default: break
        }
    }

    static func prepareUpdate(_ type: ResourceType, _ object: inout JSONValue, old: JSONValue) throws(APIError) {
        switch (type.resource.group, type.resource.plural) {
        case ("", "services"):
            defaultService(&object, clusterIP: old[path: "spec", "clusterIP"]?.stringValue ?? "None")
        case ("apps", "deployments"): try defaultDeployment(type, &object)
        case ("apps", "statefulsets"): try checkStatefulSetUpdate(type, object, old: old)
        case ("", "secrets"): defaultSecret(&object)
        case ("", "namespaces"): object["status"] = old["status"]
        default: break
        }
    }

    /// A Secret's `stringData` is merged into `data` (base64) and not stored; `type` defaults to `Opaque`.
    private static func defaultSecret(_ object: inout JSONValue) {
        if object["type"] == nil { object["type"] = "Opaque" }
        guard let strings = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in strings { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    private static func defaultService(_ object: inout JSONValue, clusterIP: String) {
        if object[path: "spec", "type"] == nil { object[path: "spec", "type"] = "ClusterIP" }
        if object[path: "spec", "clusterIP"] == nil, object[path: "spec", "type"]?.stringValue != "ExternalName" {
            object[path: "spec", "clusterIP"] = .string(clusterIP)
        }
        if object[path: "spec", "sessionAffinity"] == nil { object[path: "spec", "sessionAffinity"] = "None" }
        let ports = (object[path: "spec", "ports"]?.arrayValue ?? []).map { port -> JSONValue in
            var port = port
            if port["protocol"] == nil { port["protocol"] = "TCP" }
            if port["targetPort"] == nil { port["targetPort"] = port["port"] ?? .null }
            return port
        }
        if !ports.isEmpty { object[path: "spec", "ports"] = .array(ports) }
    }

    private static func defaultDeployment(_ type: ResourceType, _ object: inout JSONValue) throws(APIError) {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        guard let selector = object[path: "spec", "selector"], selector.objectValue != nil else {
            throw APIError.invalid(type, name, causes: [.init(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")])
        }
        let labels = DynamicObject(json: ["metadata": object[path: "spec", "template", "metadata"] ?? [:]]).labels
        let parsed = (try? selector.decode(as: LabelSelector.self)) ?? LabelSelector()
        guard !parsed.requirements.isEmpty, parsed.matches(labels) else {
            throw APIError.invalid(
                type, name,
                causes: [
                    .init(
                        reason: "FieldValueInvalid", message: "Invalid value: `selector` does not match template `labels`",
                        field: "spec.template.metadata.labels")
                ])
        }
        let defaults: [(String, JSONValue)] = [
            ("replicas", 1), ("revisionHistoryLimit", 10), ("progressDeadlineSeconds", 600),
            ("strategy", ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]),
        ]
        for (field, value) in defaults where object[path: "spec", field] == nil || object[path: "spec", field] == [:] {
            object[path: "spec", field] = value
        }
        if let containers = object[path: "spec", "template", "spec", "containers"]?.arrayValue {
            object[path: "spec", "template", "spec", "containers"] = .array(containers.map(defaultContainer))
        }
    }

    private static func defaultContainer(_ container: JSONValue) -> JSONValue {
        var container = container
        if let ports = container["ports"]?.arrayValue {
            container["ports"] = .array(
                ports.map { port in
                    var port = port
                    if port["protocol"] == nil { port["protocol"] = "TCP" }
                    return port
                })
        }
        return container
    }

    private static func establish(_ object: inout JSONValue) {
        let conditions: JSONValue = [
            ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"],
            ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"],
        ]
        let versions = (object[path: "spec", "versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
        object["status"] = ["conditions": conditions, "acceptedNames": object[path: "spec", "names"] ?? [:], "storedVersions": .array(versions)]
    }
}

extension ObjectStore {
    /// The next ClusterIP from 10.96.0.0/12, as the service IP allocator would hand out.
    func nextClusterIP() -> String {
        let count = (collections[StorageKey(group: "", plural: "services")]?.count ?? 0) + 10
        return "10.96.\(count / 250).\(count % 250 + 1)"
    }
}
