import KubeCore

/// A ConfigMap or Secret a pod template uses.
public struct ConfigReference: Hashable, Sendable {
    public enum Kind: String, Sendable { case configMap = "configmap", secret }

    public var kind: Kind
    public var name: String
    /// Not marked `optional: true` where it is used: pods cannot start without it.
    public var required: Bool

    /// Flagger's key in `status.trackedConfigs`: `configmap/<name>` or `secret/<name>`.
    public var key: String { "\(kind.rawValue)/\(name)" }
}

/// Where a pod spec names ConfigMaps and Secrets: volumes (`configMap`, `secret`, `projected` sources) and,
/// in every container and init container, `env[].valueFrom` and `envFrom`. Pure.
public enum PodConfigReferences {
    /// Every ConfigMap and Secret `podSpec` uses, in the order first named, each once (required when any use is).
    public static func references(in podSpec: JSONValue) -> [ConfigReference] {
        var found: [ConfigReference] = []
        visit(podSpec) { kind, name, optional in
            if let index = found.firstIndex(where: { $0.kind == kind && $0.name == name }) {
                found[index].required = found[index].required || !optional
            } else {
                found.append(ConfigReference(kind: kind, name: name, required: !optional))
            }
            return nil
        }
        return found
    }

    /// `podSpec` with every use of a tracked config (`keys`, as in ``ConfigReference/key``) pointing at its
    /// `-primary` copy.
    public static func primary(_ podSpec: JSONValue, tracked keys: Set<String>) -> JSONValue {
        var spec = podSpec
        visit(&spec) { kind, name, _ in keys.contains("\(kind.rawValue)/\(name)") ? "\(name)-primary" : nil }
        return spec
    }

    /// `podSpec` with the uses of the configs in `names` (by ``ConfigReference/key``) renamed to the name given.
    public static func renamed(_ podSpec: JSONValue, _ names: [String: String]) -> JSONValue {
        var spec = podSpec
        visit(&spec) { kind, name, _ in names["\(kind.rawValue)/\(name)"] }
        return spec
    }

    /// Calls `body` with each reference (kind, name, optional); a non-nil answer renames it.
    private static func visit(_ podSpec: JSONValue, _ body: (ConfigReference.Kind, String, Bool) -> String?) {
        var copy = podSpec
        visit(&copy, body)
    }

    private static func visit(_ spec: inout JSONValue, _ body: (ConfigReference.Kind, String, Bool) -> String?) {
        /// The reference at `path` in `object` (its name in `nameField`), renamed when `body` says so.
        func use(_ object: inout JSONValue, _ path: String..., kind: ConfigReference.Kind, nameField: String = "name") {
            guard var reference = object[pathComponents: path[...]], let name = reference[nameField]?.stringValue, !name.isEmpty else { return }
            guard let renamed = body(kind, name, reference["optional"]?.boolValue == true) else { return }
            reference[nameField] = .string(renamed)
            object[pathComponents: path[...]] = reference
        }
        func each(_ object: inout JSONValue, _ path: String..., change: (inout JSONValue) -> Void) {
            guard var items = object[pathComponents: path[...]]?.arrayValue else { return }
            for index in items.indices { change(&items[index]) }
            object[pathComponents: path[...]] = .array(items)
        }
        each(&spec, "volumes") { volume in
            use(&volume, "configMap", kind: .configMap)
            use(&volume, "secret", kind: .secret, nameField: "secretName")
            each(&volume, "projected", "sources") { source in
                use(&source, "configMap", kind: .configMap)
                use(&source, "secret", kind: .secret)
            }
        }
        for list in ["initContainers", "containers"] {
            each(&spec, list) { container in
                each(&container, "env") { variable in
                    use(&variable, "valueFrom", "configMapKeyRef", kind: .configMap)
                    use(&variable, "valueFrom", "secretKeyRef", kind: .secret)
                }
                each(&container, "envFrom") { source in
                    use(&source, "configMapRef", kind: .configMap)
                    use(&source, "secretRef", kind: .secret)
                }
            }
        }
    }
}
