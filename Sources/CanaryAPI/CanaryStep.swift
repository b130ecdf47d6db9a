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
    /// Not implemented yet: decoded only to be refused by name.
    public var setHeaderRoute: JSONValue?
    public var setMirrorRoute: JSONValue?
    /// Checks that run only while this step is under way, besides the analysis's.
    public var analysis: StepAnalysis?

    public struct Pause: Codable, Sendable, Equatable {
        /// A Go duration (`10m`); none: until released.
        public var duration: String?

        public init(duration: String? = nil) { self.duration = duration }
    }

    public init(setWeight: Int? = nil, pause: Pause? = nil, setCanaryScale: CanaryScale? = nil, analysis: StepAnalysis? = nil) {
        self.setWeight = setWeight
        self.pause = pause
        self.setCanaryScale = setCanaryScale
        self.analysis = analysis
    }

    /// What a valid step does.
    public enum Action: Sendable, Equatable {
        case setWeight(Int)
        /// `nil`: until released.
        case pause(Duration?)
        case setCanaryScale(CanaryScale)
    }

    /// The step's action; `nil` for a step validation refuses (none or several fields set, a bad duration).
    public var action: Action? {
        switch (setWeight, pause, setCanaryScale) {
        case (let weight?, nil, nil): return (0...100).contains(weight) ? .setWeight(weight) : nil
        case (nil, let pause?, nil):
            guard let text = pause.duration else { return .pause(nil) }
            do { return .pause(try GoDuration(parsing: text).duration) } catch { return nil }
        case (nil, nil, let scale?): return scale.replicas(primary: 1, trafficWeight: 0) == nil ? nil : .setCanaryScale(scale)
        default: return nil
        }
    }

    /// `setWeight 20`, `pause 10m`, `pause until promoted`: how status and Events name it.
    public var summary: String {
        if let setWeight { return "setWeight \(setWeight)" }
        if let setCanaryScale { return "setCanaryScale \(setCanaryScale.summary)" }
        if let duration = pause?.duration { return "pause \(duration)" }
        return "pause until promoted"
    }
}
