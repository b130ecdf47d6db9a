import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// Config tracking, as Flagger does it: the ConfigMaps and Secrets a target's pod template uses are part of
/// its revision, and the primary runs on `-primary` copies that only promotion updates, so a config edit
/// goes through the analysis like a template change.
///
/// Guarantees
/// - A tracked config's checksum is Flagger's (SHA-256 of Go's JSON of `data`, first 8 bytes in hex), so
///   `status.trackedConfigs` written by Flagger reads the same here.
/// - The copies are owned by the Canary (they go with it) and written only at initialization and promotion.
/// - Secret values are never logged or put in events.
///
/// Caveats
/// - A config that does not exist (yet) is not tracked: the target's pods cannot start without a required
///   one, so its analysis fails on readiness; once created it is a new revision.
/// - Secrets of other types than `Opaque`, `kubernetes.io/basic-auth`, `kubernetes.io/ssh-auth` and
///   `kubernetes.io/tls` (registry credentials, service-account tokens) are not tracked, as in Flagger.
public struct ConfigTracker: Sendable {
    /// Flagger's opt-out annotation: a value starting with `disable` leaves the object untracked.
    public static let optOutAnnotation = "flagger.app/config-tracking"
    static let trackedSecretTypes: Set<String> = ["Opaque", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth", "kubernetes.io/tls"]

    let configMaps: ObjectCache<DynamicObject>
    let secrets: ObjectCache<DynamicObject>
    let configMapApplier: OwnedObjectApplier
    let secretApplier: OwnedObjectApplier
    let labels: LabelCopier

    public init(client: KubeClient, configMaps: ObjectCache<DynamicObject>, secrets: ObjectCache<DynamicObject>, labels: LabelCopier) {
        self.configMaps = configMaps
        self.secrets = secrets
        self.configMapApplier = OwnedObjectApplier(client: client.resource(.configMaps, as: JSONValue.self), cache: configMaps)
        self.secretApplier = OwnedObjectApplier(client: client.resource(.secrets, as: JSONValue.self), cache: secrets)
        self.labels = labels
    }

    /// The tracked configs of a pod spec in `namespace`: ``ConfigReference/key`` → checksum.
    public func checksums(of podSpec: JSONValue, namespace: String) -> [String: String] {
        var result: [String: String] = [:]
        for reference in PodConfigReferences.references(in: podSpec) {
            if let object = trackable(reference, namespace: namespace) { result[reference.key] = ConfigTracker.checksum(object) }
        }
        return result
    }

    /// The object behind a reference when it exists and is tracked.
    func trackable(_ reference: ConfigReference, namespace: String) -> JSONValue? {
        let cache = reference.kind == .configMap ? configMaps : secrets
        guard let object = cache.get(namespace: namespace, name: reference.name)?.json else { return nil }
        if (object[path: "metadata", "annotations", ConfigTracker.optOutAnnotation]?.stringValue ?? "").hasPrefix("disable") { return nil }
        if reference.kind == .secret, !ConfigTracker.trackedSecretTypes.contains(object["type"]?.stringValue ?? "Opaque") { return nil }
        return object
    }

    /// Flagger's checksum of a ConfigMap's or Secret's `data`; a ConfigMap's `binaryData`, which Flagger
    /// ignores, counts too when present.
    public static func checksum(_ object: JSONValue) -> String {
        var text = GoJSON.encode(stringMap: object["data"])
        if let binary = object["binaryData"]?.objectValue, !binary.isEmpty { text += GoJSON.encode(stringMap: object["binaryData"]) }
        return SHA256.hex(SHA256.hash(Array(text.utf8)).prefix(8))
    }

    /// A target's revision: its template hash, combined with its tracked configs' checksums when it has any
    /// (so a target without configs keeps the revision it had before tracking).
    public static func revision(templateHash: String, configs: [String: String]) -> String {
        guard !configs.isEmpty else { return templateHash }
        let basis: JSONValue = [
            "template": .string(templateHash), "configs": .object(JSONObject(uniqueKeysWithValues: configs.map { ($0.key, .string($0.value)) })),
        ]
        return basis.stableHash
    }

    /// Writes `<name>-primary` for every tracked config of `podSpec`, with the source's data, owned by the
    /// Canary; returns the keys copied.
    public func syncPrimaryConfigs(_ canary: Canary, podSpec: JSONValue, owner: OwnerReference) async throws -> Set<String> {
        var copied = Set<String>()
        for reference in PodConfigReferences.references(in: podSpec) {
            guard let source = trackable(reference, namespace: canary.namespace) else { continue }
            let applier = reference.kind == .configMap ? configMapApplier : secretApplier
            try await applier.apply(namespace: canary.namespace, name: "\(reference.name)-primary", owner: owner) { live in
                ConfigTracker.desiredCopy(source, kind: reference.kind, live: live, labels: labels)
            }
            copied.insert(reference.key)
        }
        return copied
    }

    /// The `-primary` copy of a ConfigMap or Secret: its data, type and the labels the operator copies. Pure.
    /// (Not `immutable`: the copy must take the next promotion's data.)
    public static func desiredCopy(_ source: JSONValue, kind: ConfigReference.Kind, live: JSONValue?, labels: LabelCopier) -> JSONValue {
        var copy: JSONValue = live ?? ["apiVersion": "v1", "kind": kind == .configMap ? "ConfigMap" : "Secret"]
        copy[path: "metadata", "labels"] = .object(labels.included(source[path: "metadata", "labels"]?.objectValue ?? [:]))
        for field in kind == .configMap ? ["data", "binaryData"] : ["data", "type"] { copy[field] = source[field] }
        return copy
    }
}
