import KubeCore

/// A `flagger.app/v1beta1` MetricTemplate: a query and the provider that answers it.
public struct MetricTemplate: KubeObject, Equatable {
    public static let resource = KubeResource(
        group: "flagger.app", version: "v1beta1", kind: "MetricTemplate", plural: "metrictemplates", namespaced: true)

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Codable, Sendable, Equatable {
        public var provider: Provider
        /// A template: `{{ namespace }}`, `{{ target }}`, `{{ name }}`, `{{ service }}`, `{{ interval }}`, `{{ variables.x }}`.
        public var query: String
    }

    public struct Provider: Codable, Sendable, Equatable {
        public var type: String
        public var address: String?
        public var secretRef: SecretReference?
        public var headers: [String: [String]]?
        public var insecureSkipVerify: Bool?
        /// CloudWatch's region (refused: CloudWatch is not supported yet).
        public var region: String?
    }

    public struct SecretReference: Codable, Sendable, Equatable {
        public var name: String
    }
}
