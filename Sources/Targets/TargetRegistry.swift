import CanaryAPI
import KubeClient
import KubeRuntime

/// How to build one kind's target, and what it must have watched.
public struct TargetRegistration: Sendable {
    public var kind: TargetKind
    /// The target kind's resource: watched, its changes reconcile the Canaries targeting them, and the
    /// primaries of it are owned by their Canary.
    public var resource: WatchedResource
    public var make: @Sendable (KubeClient, ObjectCaches, _ selectorLabels: [String]) -> any CanaryTarget

    public init(kind: TargetKind, resource: WatchedResource,
                make: @escaping @Sendable (KubeClient, ObjectCaches, [String]) -> any CanaryTarget) {
        self.kind = kind
        self.resource = resource
        self.make = make
    }
}

/// The target kinds Serin ships. Adding one is a file with a ``CanaryTarget`` and its registration here.
public enum TargetRegistry {
    public static let registrations: [TargetRegistration] = [DeploymentTarget.registration]

    public static func registration(for kind: TargetKind) -> TargetRegistration? { registrations.first { $0.kind == kind } }

    /// The kinds Serin ships.
    public static var implemented: Set<TargetKind> { Set(registrations.map(\.kind)) }
}
