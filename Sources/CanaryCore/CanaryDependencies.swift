import CanaryAPI

/// A Canary another one depends on (`spec.dependsOn`), as a decision sees it.
public struct DependencyState: Sendable, Equatable {
    /// `namespace/name`.
    public var key: String
    public var standing: Standing
    /// Its phase.
    public var phase: CanaryPhase?
    /// The release its primary runs (``CanaryAPI/ReleaseTag``), `nil` when it carries none.
    public var promotedRelease: String?
    /// Whether its target has a revision it has not promoted yet.
    public var pending = false

    /// Whether the dependency could be looked at.
    public enum Standing: Sendable, Equatable {
        case found
        case missing
        /// It exists but cannot be looked at (why).
        case unreadable(String)
    }

    public init(key: String, standing: Standing = .found, phase: CanaryPhase? = nil, promotedRelease: String? = nil, pending: Bool = false) {
        self.key = key
        self.standing = standing
        self.phase = phase
        self.promotedRelease = promotedRelease
        self.pending = pending
    }
}

/// Ordered releases (`spec.dependsOn`), as pure functions: what a new revision still waits for, and the cycles
/// that are refused.
public enum CanaryDependencies {
    /// One message per dependency not met for a revision shipping `release` (`nil`: it carries no tag), in the
    /// order given; empty when the revision may start.
    ///
    /// Met: a dependency that is not in the middle of a rollout and has promoted `release` or a newer one —
    /// or, when either side carries no release tag, has nothing left to promote.
    public static func unmet(_ dependencies: [DependencyState], release: String?) -> [String] {
        dependencies.compactMap { dependency in
            let key = dependency.key
            switch dependency.standing {
            case .missing: return "\(key) not found"
            case .unreadable(let why): return "\(key) cannot be read (\(why))"
            case .found: break
            }
            let phase = dependency.phase.map { " (\($0.rawValue))" } ?? ""
            if CanaryStateMachine.isAnalysing(dependency.phase) { return "\(key) is rolling out\(phase)" }
            if let release, let promoted = dependency.promotedRelease {
                return ReleaseTag.satisfies(promoted, wanted: release) ? nil : "\(key) runs release \(promoted), not \(release) or newer\(phase)"
            }
            return dependency.pending ? "\(key) has a revision to promote\(phase)" : nil
        }
    }

    /// A cycle of dependencies through `start`, as the keys along it (first and last are `start`); `nil` when
    /// there is none. `edges` gives what a Canary depends on.
    public static func cycle(from start: String, edges: (String) -> [String]) -> [String]? {
        var visited: Set<String> = []
        func walk(_ key: String, path: [String]) -> [String]? {
            for next in edges(key) {
                if next == start { return path + [next] }
                guard visited.insert(next).inserted else { continue }
                if let found = walk(next, path: path + [next]) { return found }
            }
            return nil
        }
        return walk(start, path: [start])
    }
}
