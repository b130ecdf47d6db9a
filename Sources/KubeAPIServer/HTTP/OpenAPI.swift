import KubeCore

/// A minimal OpenAPI v3: enough for kubectl to see that every kind's PATCH accepts `fieldValidation` (so it
/// relies on server-side validation instead of downloading schemas), and for `kubectl explain` to find a
/// schema per kind: a CRD's own `openAPIV3Schema`, or a top-level outline for a built-in kind.
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
            let path =
                resource.namespaced
                ? "\(resource.groupVersionPath)/namespaces/{namespace}/\(resource.plural)/{name}"
                : "\(resource.groupVersionPath)/\(resource.plural)/{name}"
            paths[path] = [
                "patch": [
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": [
                        "group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind),
                    ],
                    "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string"]]],
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        }
        var schemas = JSONObject()
        for type in types {
            let resource = type.resource
            var schema = type.schema ?? outline(type)
            schema["x-kubernetes-group-version-kind"] = [
                [
                    "group": .string(resource.group), "version": .string(resource.version),
                    "kind": .string(resource.kind),
                ]
            ]
            let prefix = resource.group.isEmpty ? "io.k8s.api.core" : resource.group.split(separator: ".").reversed().joined(separator: ".")
            schemas["\(prefix).\(resource.version).\(resource.kind)"] = schema
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes (serin sandbox)", "version": "v1.32.0"], "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    /// The top level of a built-in kind's schema (the sandbox does not carry Kubernetes' full schemas).
    private static func outline(_ type: ResourceType) -> JSONValue {
        let kind = type.resource.kind
        return [
            "type": "object",
            "description": .string("\(kind) (serin sandbox: only the top-level fields are described)."),
            "properties": [
                "apiVersion": ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."],
                "kind": ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."],
                "metadata": ["type": "object", "description": "Standard object's metadata."],
                "spec": ["type": "object", "description": .string("The desired state of the \(kind).")],
                "status": ["type": "object", "description": .string("The most recently observed state of the \(kind).")],
            ],
        ]
    }
}
