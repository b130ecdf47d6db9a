import KubeCore

extension ObjectDefaults {
    /// The spec fields of a StatefulSet an update may change; any other change (`volumeClaimTemplates`,
    /// `selector`, `serviceName`, `podManagementPolicy`) is refused with the API server's own message.
    static let statefulSetUpdatable: Set<String> = [
        "replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
    ]

    static func checkStatefulSetUpdate(_ type: ResourceType, _ object: JSONValue, old: JSONValue) throws(APIError) {
        var proposed = object["spec"]?.objectValue ?? [:], current = old["spec"]?.objectValue ?? [:]
        for field in statefulSetUpdatable {
            proposed[field] = nil
            current[field] = nil
        }
        guard proposed != current else { return }
        let message =
            "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
            + "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
        throw APIError.invalid(
            type, old[path: "metadata", "name"]?.stringValue ?? "",
            causes: [KubeStatus.Cause(reason: "FieldValueForbidden", message: message, field: "spec")])
    }
}
