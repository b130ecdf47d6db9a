import CanaryAPI
import KubeCore
import KubeRuntime
import MetricProviders

/// Who controls what when a Canary uses a MetricTemplate, possibly another namespace's: the template's owner
/// chooses the query, the provider, the address and the credentials; the Canary's author chooses only the
/// values of `templateVariables`, and those fill places in the query without changing its structure.
extension MetricAnalysis {
    /// Why a template's query cannot be sent where it would go.
    struct AddressRefusal: Error, Equatable {
        var message: String
    }

    /// Where a template's query goes. Pure.
    ///
    /// The template's `provider.address` when it has one. Without one, its provider's ``AddressPolicy``:
    /// a SaaS vendor's public API, none, or (Prometheus) `spec.metricsServer`, else the operator's
    /// `--metrics-server` — but a template with credentials (`provider.secretRef` or `provider.headers`)
    /// never goes to an address the Canary chose, or any Canary author could collect another namespace's
    /// credentials by pointing `spec.metricsServer` at a server of their own.
    static func address(of template: MetricTemplate, canary: Canary, metricsServer: String) -> Result<String, AddressRefusal> {
        if let own = template.spec.provider.address, !own.isEmpty { return .success(own) }
        let type = MetricProviderType(rawValue: template.spec.provider.type)
        switch type.flatMap(MetricProviderRegistry.registration(of:))?.address ?? .metricsServer {
        case .vendorDefault(let address): return .success(address)
        case .unused: return .success("")
        case .required:
            return .failure(AddressRefusal(message: "has no provider.address, which the \(template.spec.provider.type) provider requires"))
        case .metricsServer: break
        }
        guard let chosen = canary.spec.metricsServer, !chosen.isEmpty else { return .success(metricsServer) }
        let credentials = [
            template.spec.provider.secretRef != nil ? "provider.secretRef" : nil,
            (template.spec.provider.headers ?? [:]).isEmpty ? nil : "provider.headers",
        ].compactMap { $0 }
        guard credentials.isEmpty else {
            return .failure(
                AddressRefusal(
                    message: "has credentials (\(credentials.joined(separator: ", "))) and no provider.address: "
                        + "they are sent only to the template's own address or the operator's --metrics-server, never to the Canary's "
                        + "spec.metricsServer (\(Redaction.url(chosen))); set provider.address on the template, or remove spec.metricsServer"))
        }
        return .success(chosen)
    }

    /// The first of a metric's `templateVariables` whose value would change its template's query structure,
    /// with why. Pure.
    static func unsafeVariable(_ metric: CanaryMetric, template: MetricTemplate, canary: Canary) -> (key: String, message: String)? {
        let rendering = QueryTemplate(values: placeholderValues(canary, metric: metric), variables: metric.templateVariables ?? [:])
        do {
            _ = try rendering.render(template.spec.query)
            return nil
        } catch {
            guard let key = error.variable else { return nil }  // other render errors fail the check, as in Flagger
            return (key, error.message)
        }
    }

    /// The Canary's templates that turn TLS verification off (`provider.insecureSkipVerify`), each as the
    /// Warning Serin records for it: honoured, and said out loud. Pure, from the cache.
    public func unverifiedTLS(_ canary: Canary) -> [String] {
        (canary.spec.analysis?.metrics ?? []).compactMap { metric in
            guard let reference = metric.templateRef else { return nil }
            let namespace = reference.namespace ?? canary.namespace
            guard let object = templates.get(namespace: namespace, name: reference.name),
                let template = try? object.json.decode(as: MetricTemplate.self), template.spec.provider.insecureSkipVerify == true
            else { return nil }
            let address = (try? MetricAnalysis.address(of: template, canary: canary, metricsServer: metricsServer).get()) ?? ""
            return "metric template \(reference.name).\(namespace) sets provider.insecureSkipVerify: the TLS certificate of "
                + "\(Redaction.url(address)) is not verified, so anyone on the path can answer its queries"
        }
    }
}
