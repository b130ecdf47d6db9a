import KubeCore

/// A `flagger.app/v1beta1` AlertProvider: where a Canary's `analysis.alerts` post.
public struct AlertProvider: KubeObject, Equatable {
    public static let resource = KubeResource(
        group: "flagger.app", version: "v1beta1", kind: "AlertProvider", plural: "alertproviders", namespaced: true)

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// Raw, so that refused fields can be named; ``settings()`` reads it.
    public var spec: JSONValue

    /// The provider's settings, with Flagger's defaults (channel `general`, username `flagger`).
    public struct Settings: Sendable, Equatable {
        public var type: AlertProviderType
        public var channel: String
        public var username: String
        public var address: String?
        public var proxy: String?
        /// The Secret (in the provider's namespace) whose `address` replaces ``address``, with an optional
        /// `token` and `signingSecret`.
        public var secretName: String?
    }

    /// A spec that cannot be posted with: the field and why.
    public struct SpecError: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "spec.\(field): \(reason)" }
    }

    /// The typed settings of ``spec``; throws naming the field that is missing or wrong.
    public func settings() throws(SpecError) -> Settings {
        func text(_ field: String) throws(SpecError) -> String? {
            guard let value = spec[field], value != .null else { return nil }
            guard let text = value.stringValue else { throw SpecError(field: field, reason: "is not a string") }
            return text.isEmpty ? nil : text
        }
        guard let typeName = try text("type") else { throw SpecError(field: "type", reason: "is required") }
        let type: AlertProviderType
        do { type = try AlertProviderType(parsing: typeName) } catch { throw SpecError(field: "type", reason: error.description) }
        var secretName: String?
        if let reference = spec["secretRef"], reference != .null {
            guard let name = reference["name"]?.stringValue, !name.isEmpty else { throw SpecError(field: "secretRef.name", reason: "is required") }
            secretName = name
        }
        let address = try text("address")
        if address == nil && secretName == nil { throw SpecError(field: "address", reason: "is required without a secretRef") }
        return Settings(
            type: type, channel: try text("channel") ?? "general", username: try text("username") ?? "flagger",
            address: address, proxy: try text("proxy"), secretName: secretName)
    }
}
