import KubeCore

/// Discovery documents, in the legacy (non-aggregated) form kubectl falls back to.
enum Discovery {
    static func version() -> JSONValue {
        [
            "major": "1", "minor": "32", "gitVersion": "v1.32.0+serin-sandbox", "gitCommit": "", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "swift", "compiler": "swift", "platform": "linux/amd64",
        ]
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func groupList(_ groups: [(group: String, versions: [String])]) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupDocument))]
    }

    static func groupDocument(_ entry: (group: String, versions: [String])) -> JSONValue {
        let versions: [JSONValue] = entry.versions.map { version in
            ["groupVersion": .string("\(entry.group)/\(version)"), "version": .string(version)]
        }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(entry.group), "versions": .array(versions),
            "preferredVersion": versions.first ?? .null,
        ]
    }

    static func resourceList(groupVersion: String, types: [ResourceType]) -> JSONValue {
        var resources: [JSONValue] = []
        for type in types {
            var entry: JSONValue = [
                "name": .string(type.resource.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.resource.namespaced), "kind": .string(type.resource.kind),
                "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(entry)
            for subresource in type.subresources.sorted() {
                var sub: JSONValue = [
                    "name": .string("\(type.resource.plural)/\(subresource)"), "singularName": "",
                    "namespaced": .bool(type.resource.namespaced), "kind": .string(type.resource.kind),
                    "verbs": ["get", "patch", "update"],
                ]
                if subresource == "token" {
                    sub["kind"] = "TokenRequest"
                    sub["group"] = "authentication.k8s.io"
                    sub["version"] = "v1"
                    sub["verbs"] = ["create"]
                }
                if subresource == "scale" {
                    sub["kind"] = "Scale"
                    sub["group"] = "autoscaling"
                    sub["version"] = "v1"
                }
                resources.append(sub)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}
