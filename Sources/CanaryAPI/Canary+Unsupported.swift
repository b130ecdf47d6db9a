/// Fields of Flagger's API that Serin does not implement yet: each, when used, is refused by name
/// (`Valid=False` and a Warning), never a quiet no-op. An entry leaves this list when its issue lands.
extension Canary {
    /// The unsupported fields this Canary uses.
    func unsupportedFields(into issues: inout ValidationIssues) {
        func refuse(_ field: String, _ what: String) { issues.add(field, "\(what) is not supported yet") }
        if spec.service?.delegation == true { refuse("spec.service.delegation", "VirtualService delegation") }
        if spec.service?.portDiscovery == true { refuse("spec.service.portDiscovery", "port discovery") }
        if spec.service?.appProtocol?.lowercased() == "tcp" { refuse("spec.service.appProtocol", "TCP routing (appProtocol: tcp)") }
        guard let analysis = spec.analysis else { return }
        if analysis.sessionAffinity != nil { refuse("spec.analysis.sessionAffinity", "session affinity") }
        if analysis.mirror == true { refuse("spec.analysis.mirror", "traffic mirroring") }
        if (analysis.mirrorWeight ?? 0) > 0 { refuse("spec.analysis.mirrorWeight", "traffic mirroring") }
        if !(analysis.match ?? []).isEmpty, (analysis.iterations ?? 0) == 0 { refuse("spec.analysis.match", "A/B testing (match)") }
        for (index, webhook) in (analysis.webhooks ?? []).enumerated() {
            if webhook.muteAlert == true { refuse("spec.analysis.webhooks[\(index)].muteAlert", "muteAlert (alerts)") }
            if webhook.disableTLS == true { refuse("spec.analysis.webhooks[\(index)].disableTLS", "disableTLS (webhook TLS verification is always on)") }
        }
    }
}
