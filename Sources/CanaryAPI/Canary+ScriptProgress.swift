import Foundation
import KubeCore

extension Canary {
    /// `step 2 of 5: pause 10m, 6m12s left`: the `analysis.steps` step under way, as `kubectl serin status` and
    /// the dashboard show it; `nil` without one.
    public func scriptProgress(now: Date) -> String? {
        guard let steps = spec.analysis?.steps, let index = status?.currentStep, steps.indices.contains(index) else { return nil }
        let step = steps[index]
        var text = "step \(index + 1) of \(steps.count): \(step.summary)"
        if case .pause(let duration?) = step.action, let started = status?.stepStarted.flatMap({ KubeTime(rfc3339: $0)?.date }) {
            let left = max(0, (duration.seconds - now.timeIntervalSince(started)).rounded(.up))
            text += ", \(GoDuration(.seconds(Int64(saturating: left)))) left"
        }
        return text
    }

    /// `header insiders (x-canary = insider), mirror copy 50% (method = GET)`: the script's routes in force
    /// at the step under way; `nil` without any.
    public var scriptRoutesInForce: String? {
        guard let steps = spec.analysis?.steps, let index = status?.currentStep else { return nil }
        let (header, mirror) = steps.routes(through: index)
        let all = header.map { "header \($0.summary)" } + mirror.map { "mirror \($0.summary)" }
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }
}
