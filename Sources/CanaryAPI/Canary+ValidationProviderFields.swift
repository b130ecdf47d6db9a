extension Canary {
    /// Refuses, by name, each field of a router's ``RouterRules/fields`` this Canary sets when its own
    /// provider's rules do not list the field: "used only by the nginx provider".
    func refuseOtherProvidersFields(into issues: inout ValidationIssues, provider: MeshProvider, context: ValidationContext) {
        let own = Set((context.routerRules[provider]?.fields ?? []).map(\.field))
        var refused: Set<String> = []
        let others = context.routerRules.filter { $0.key != provider }.sorted { $0.key.rawValue < $1.key.rawValue }
        for entry in others.flatMap(\.value.fields) where !own.contains(entry.field) && !refused.contains(entry.field) && entry.isSet(self) {
            refused.insert(entry.field)
            issues.add(entry.field, "used only by \(entry.users); this Canary's provider is \(provider)")
        }
    }
}
