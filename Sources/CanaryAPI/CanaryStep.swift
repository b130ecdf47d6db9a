import KubeCore

/// Serin: one step of `analysis.steps`, a rollout written as a script (the Argo Rollouts way, on Flagger's
/// API). Exactly one of its fields is set; the analysis's checks run every `interval` whatever the step.
public struct CanaryStep: Codable, Sendable, Equatable {
    /// Route this share (0–100) to the canary; the step lasts one interval.
    public var setWeight: Int?
    /// Hold at the current weight: for `duration`, or until released (`kubectl serin promote`, or passing
    /// `confirm-promotion` webhooks) without one.
    public var pause: Pause?
    /// Size the canary apart from its traffic; the step lasts one interval.
    public var setCanaryScale: CanaryScale?
    /// Send the requests matching a header to the canary from this step on (``HeaderRoute``), kept as
    /// written so that each field is checked by name.
    public var setHeaderRoute: JSONValue?
    /// Copy matching requests to the canary from this step on (``MirrorRoute``), kept as written.
    public var setMirrorRoute: JSONValue?
    /// Checks that run only while this step is under way, besides the analysis's.
    public var analysis: StepAnalysis?

    public struct Pause: Codable, Sendable, Equatable {
        /// A Go duration (`10m`); none: until released.
        public var duration: String?

        public init(duration: String? = nil) { self.duration = duration }
    }

    public init(
        setWeight: Int? = nil, pause: Pause? = nil, setCanaryScale: CanaryScale? = nil, setHeaderRoute: JSONValue? = nil,
        setMirrorRoute: JSONValue? = nil, analysis: StepAnalysis? = nil
    ) {
        self.setWeight = setWeight
        self.pause = pause
        self.setCanaryScale = setCanaryScale
        self.setHeaderRoute = setHeaderRoute
        self.setMirrorRoute = setMirrorRoute
        self.analysis = analysis
    }

    /// What a valid step does.
    public enum Action: Sendable, Equatable {
        case setWeight(Int)
        /// `nil`: until released.
        case pause(Duration?)
        case setCanaryScale(CanaryScale)
        case setHeaderRoute(HeaderRoute)
        case setMirrorRoute(MirrorRoute)
    }

    /// How many of the step's actions are set (a valid step sets exactly one).
    var actionsSet: Int {
        [setWeight != nil, pause != nil, setCanaryScale != nil, setHeaderRoute != nil, setMirrorRoute != nil].filter { $0 }.count
    }

    /// The step's action; `nil` for a step validation refuses (none or several fields set, a bad duration).
    public var action: Action? {
        guard actionsSet == 1 else { return nil }
        var ignored = ValidationIssues()
        if let weight = setWeight { return (0...100).contains(weight) ? .setWeight(weight) : nil }
        if let pause {
            guard let text = pause.duration else { return .pause(nil) }
            do { return .pause(try GoDuration(parsing: text).duration) } catch { return nil }
        }
        if let scale = setCanaryScale { return scale.replicas(primary: 1, trafficWeight: 0) == nil ? nil : .setCanaryScale(scale) }
        if let route = setHeaderRoute { return HeaderRoute.parse(route, "", into: &ignored).map(Action.setHeaderRoute) }
        return setMirrorRoute.flatMap { MirrorRoute.parse($0, "", into: &ignored) }.map(Action.setMirrorRoute)
    }

    /// `setWeight 20`, `pause 10m`, `pause until promoted`: how status and Events name it.
    public var summary: String {
        switch action {
        case .setHeaderRoute(let route): return "setHeaderRoute \(route.summary)"
        case .setMirrorRoute(let route): return "setMirrorRoute \(route.summary)"
        default: break
        }
        if let setWeight { return "setWeight \(setWeight)" }
        if let setCanaryScale { return "setCanaryScale \(setCanaryScale.summary)" }
        if let duration = pause?.duration { return "pause \(duration)" }
        return "pause until promoted"
    }
}

extension [CanaryStep] {
    /// The header and mirror routes in force once step `index` has started: each in the order the script
    /// first set it, replaced by a later step of the same name, gone after a step removing it.
    public func routes(through index: Int) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        var header: [HeaderRoute] = [], mirror: [MirrorRoute] = []
        for step in prefix(Swift.max(0, Swift.min(index + 1, count))) {
            switch step.action {
            case .setHeaderRoute(let route): header.setting(route)
            case .setMirrorRoute(let route): mirror.setting(route)
            default: continue
            }
        }
        return (header, mirror)
    }
}

extension Canary {
    /// The names of the HTTP routes Serin puts ahead of the weighted one on Istio: the script's header and
    /// mirror routes (``HeaderRoute``, ``MirrorRoute``) and Flagger's session-affinity routes. The weighted
    /// route is the first route after them.
    public var leadingRouteNames: Set<String> {
        var names: Set<String> = ["sticky-route", "sticky-primary-route"]
        for step in spec.analysis?.steps ?? [] {
            switch step.action {
            case .setHeaderRoute(let route): names.insert(route.name)
            case .setMirrorRoute(let route): names.insert(route.name)
            default: continue
            }
        }
        return names
    }
}

/// A route a step sets, replaces or removes by name.
protocol NamedStepRoute {
    var name: String { get }
    /// Whether the step removes the route (it names no match).
    var removes: Bool { get }
}

extension HeaderRoute: NamedStepRoute { var removes: Bool { match == nil } }
extension MirrorRoute: NamedStepRoute { var removes: Bool { match == nil } }

extension Array where Element: NamedStepRoute {
    /// Replaces the route of the same name in place, appends it, or removes the one it names.
    fileprivate mutating func setting(_ route: Element) {
        let index = firstIndex { $0.name == route.name }
        switch (index, route.removes) {
        case (let index?, false): self[index] = route
        case (let index?, true): remove(at: index)
        case (nil, false): append(route)
        case (nil, true): break
        }
    }
}
