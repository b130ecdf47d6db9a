import KubeCore

/// Every field of the MetricTemplate and AlertProvider CRDs and what Serin does with it; the tests walk
/// `crds/` as they do for ``Canary/fields``, and `docs/compatibility.md` shows both tables.
extension MetricTemplate {
    public static let fields: [(path: String, support: FieldSupport)] = [
        ("spec.provider", .implemented), ("spec.provider.type", .checked), ("spec.provider.address", .implemented),
        ("spec.provider.headers", .implemented), ("spec.provider.secretRef", .implemented), ("spec.provider.secretRef.name", .implemented),
        ("spec.provider.insecureSkipVerify", .implemented), ("spec.provider.region", .implemented),
        ("spec.query", .implemented),
    ]

    /// The refused fields `spec` (a MetricTemplate's raw spec) sets.
    public static func refusedFields(in spec: JSONValue) -> [ValidationIssue] { FieldSupport.refusedFields(in: spec, of: fields) }
}

extension AlertProvider {
    /// Every field is read when an alert is posted (``AlertProvider/settings()``).
    public static let fields: [(path: String, support: FieldSupport)] = [
        ("spec.type", .checked), ("spec.channel", .implemented), ("spec.username", .implemented), ("spec.address", .implemented),
        ("spec.proxy", .implemented), ("spec.secretRef", .implemented), ("spec.secretRef.name", .implemented),
    ]

    /// The refused fields `spec` (an AlertProvider's raw spec) sets.
    public static func refusedFields(in spec: JSONValue) -> [ValidationIssue] { FieldSupport.refusedFields(in: spec, of: fields) }
}
