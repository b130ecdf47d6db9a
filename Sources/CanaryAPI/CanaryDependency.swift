import KubeCore

/// Serin's `spec.dependsOn` entry: a Canary whose release this Canary waits for before a new revision starts —
/// one by `name`, or every Canary a `selector` matches — in `namespace` (the Canary's own when unset).
///
/// A dependency is met when it has promoted the dependent's release (``ReleaseTag``) or a newer one; when either
/// side has no release tag, when it has promoted its target's current revision (nothing of it is still to ship).
public struct CanaryDependency: Codable, Sendable, Equatable {
    /// A Canary's name.
    public var name: String?
    /// The namespace of the Canaries named or selected; the Canary's own when unset.
    public var namespace: String?
    /// Every Canary whose labels it matches (the Canary itself excepted).
    public var selector: LabelSelector?

    /// The namespace it names or selects in, for a Canary in `namespace`.
    public func scope(in namespace: String) -> String { self.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? namespace }

    public init(name: String? = nil, namespace: String? = nil, selector: LabelSelector? = nil) {
        self.name = name
        self.namespace = namespace
        self.selector = selector
    }
}

/// The release a pod template ships: its `serin.dev/release` label or annotation, else its
/// `app.kubernetes.io/version` label. `dependsOn` compares these.
public enum ReleaseTag {
    public static let key = "serin.dev/release"
    public static let versionLabel = "app.kubernetes.io/version"

    /// The release of a workload (`spec.template.metadata`), `nil` when it carries none.
    public static func of(workload: JSONValue) -> String? {
        let metadata = workload[path: "spec", "template", "metadata"]
        let candidates = [metadata?[path: "labels", key], metadata?[path: "annotations", key], metadata?[path: "labels", versionLabel]]
        return candidates.lazy.compactMap { $0?.stringValue }.first { !$0.isEmpty }
    }

    /// Whether `promoted` is `wanted` or newer: equal strings, or both read as versions (`v1.4.0`, `2.0.1-rc.1`,
    /// `2026.12.06`) and `promoted` ranks at or above `wanted`. Tags that do not read as versions only match
    /// themselves.
    public static func satisfies(_ promoted: String, wanted: String) -> Bool {
        if promoted == wanted { return true }
        guard let have = Version(promoted), let want = Version(wanted) else { return false }
        return !(have < want)
    }

    /// A version read from a tag: its leading dotted numbers, then an optional pre-release after `-`.
    struct Version: Comparable {
        var numbers: [Int]
        var prerelease: String?

        init?(_ tag: String) {
            var text = Substring(tag)
            if text.first == "v" || text.first == "V" { text = text.dropFirst() }
            let core = text.prefix { $0 != "-" && $0 != "+" }
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            let numbers = parts.compactMap { Int($0) }
            guard !parts.isEmpty, numbers.count == parts.count, numbers.allSatisfy({ $0 >= 0 }) else { return nil }
            self.numbers = numbers
            let rest = text.dropFirst(core.count)
            prerelease = rest.first == "-" ? String(rest.dropFirst().prefix { $0 != "+" }) : nil
        }

        static func < (a: Version, b: Version) -> Bool {
            for index in 0..<max(a.numbers.count, b.numbers.count) {
                let (x, y) = (index < a.numbers.count ? a.numbers[index] : 0, index < b.numbers.count ? b.numbers[index] : 0)
                if x != y { return x < y }
            }
            switch (a.prerelease, b.prerelease) {
            case (nil, _): return false  // a release ranks above its pre-releases
            case (_, nil): return true
            case (let x?, let y?): return x < y
            }
        }
    }
}
