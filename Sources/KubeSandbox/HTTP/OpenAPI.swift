import KubeCore

/// A minimal OpenAPI v3: enough for kubectl to see that every kind's PATCH accepts `fieldValidation`, so it
/// relies on server-side validation instead of downloading schemas.
///
/// Caveat: the sandbox does not validate fields against schemas; unknown fields are kept, not rejected.
enum OpenAPI {
    static func root(_ groups: [(group: String, versions: [String])]) -> JSONValue {
        var paths = JSONObject()
        paths["api/v1"] = ["serverRelativeURL": "/openapi/v3/api/v1"]
        for (group, versions) in groups {
            for version in versions { paths["apis/\(group)/\(version)"] = ["serverRelativeURL": .string("/openapi/v3/apis/\(group)/\(version)")] }
        }
        return ["paths": .object(paths)]
    }

    static func groupVersion(_ types: [ResourceType]) -> JSONValue {
        var paths = JSONObject()
        for type in types {
            let resource = type.resource
            let path = resource.namespaced
                ? "\(resource.groupVersionPath)/namespaces/{namespace}/\(resource.plural)/{name}"
                : "\(resource.groupVersionPath)/\(resource.plural)/{name}"
            paths[path] = [
                "patch": [
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": ["group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind)],
                    "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string"]]],
                    "responses": ["200": ["description": "OK"]],
                ],
            ]
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes (serin sandbox)", "version": "v1.32.0"], "paths": .object(paths)]
    }
}
