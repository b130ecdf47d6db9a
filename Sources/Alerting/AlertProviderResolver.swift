import CanaryAPI
import KubeClient
import KubeCore
import Notifiers

/// Builds the notifier of an AlertProvider as Flagger does at each alert: the provider read from the API,
/// its Secret (in the provider's namespace) read too, the Secret's `address` replacing `spec.address`, its
/// `token` sent as a Bearer token, its `signingSecret` signing the robots' posts.
public struct AlertProviderResolver: Sendable {
    let providers: ResourceClient<JSONValue>
    let secrets: ResourceClient<JSONValue>

    public init(client: KubeClient) {
        providers = client.resource(AlertProvider.resource, as: JSONValue.self)
        secrets = client.resource(.secrets, as: JSONValue.self)
    }

    /// Why a provider cannot be posted to; never holds its address or secret.
    struct ResolveError: Error, CustomStringConvertible {
        var description: String
    }

    /// The notifier of the AlertProvider `namespace/name`.
    func notifier(namespace: String, name: String) async throws(ResolveError) -> any Notifier {
        let object: AlertProvider
        do { object = try await providers.get(name, namespace: namespace).decode(as: AlertProvider.self) } catch {
            throw ResolveError(description: "failed to read AlertProvider \(namespace)/\(name): \(error)")
        }
        return try await AlertProviderResolver.notifier(object, namespace: namespace) { secret throws(ResolveError) in
            do { return try await secrets.secretData(secret, namespace: namespace) } catch {
                throw ResolveError(description: "failed to read Secret \(namespace)/\(secret) of AlertProvider \(namespace)/\(name): \(error)")
            }
        }
    }

    /// The notifier of `provider`, reading its Secret with `secretData`.
    static func notifier(
        _ provider: AlertProvider, namespace: String,
        secretData: (String) async throws(ResolveError) -> [String: String]
    ) async throws(ResolveError) -> any Notifier {
        let name = "AlertProvider \(namespace)/\(provider.metadata.name ?? "")"
        if let refused = AlertProvider.refusedFields(in: provider.spec).first { throw ResolveError(description: "\(name): \(refused)") }
        let settings: AlertProvider.Settings
        do { settings = try provider.settings() } catch { throw ResolveError(description: "\(name): \(error)") }
        var config = NotifierConfig(address: settings.address ?? "", channel: settings.channel, username: settings.username, proxy: settings.proxy)
        if let secret = settings.secretName {
            let data = try await secretData(secret)
            guard let address = data["address"] else {
                throw ResolveError(description: "\(name): Secret \(namespace)/\(secret) does not contain an address")
            }
            config.address = address
            config.token = data["token"]
            config.signingSecret = data["signingSecret"].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let registration = NotifierRegistry.registration(for: settings.type) else {
            throw ResolveError(description: "\(name): type \(settings.type) cannot post yet")
        }
        do { return try registration.make(config) } catch { throw ResolveError(description: "\(name): \(error)") }
    }
}
