import CanaryAPI
import Foundation
import KubeCore

/// `serin status`'s tree of one Canary, from what the API holds: the Canary, its target and primary, the
/// Services, the live routes, each metric against its threshold, each gate, the next step, the last events.
/// Pure: the command reads the objects, this renders them.
struct CanaryStatusTree {
    var canary: JSONValue
    var target: JSONValue?
    var primary: JSONValue?
    var services: [String]
    var virtualService: JSONValue?
    /// The Canary's events, oldest first.
    var events: [JSONValue]
    var now: Date

    /// The tree; with `color`, the phase coloured and a weight bar in the header (a terminal).
    func render(color: Bool = false) -> String {
        let name = canary[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = canary[path: "metadata", "namespace"]?.stringValue ?? ""
        let status = canary["status"] ?? [:]
        let threshold = canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0
        let phase = status["phase"]?.stringValue ?? "Initializing"
        let weight = status["canaryWeight"]?.intValue ?? 0
        var header = "Canary \(namespace)/\(name)  " + (color ? CanaryStatusTree.colored(phase) : phase)
        header += color ? "  \(CanaryStatusTree.bar(weight))" : "  weight \(weight)%"
        header += "  failed checks \(status["failedChecks"]?.intValue ?? 0)/\(threshold)"
        if let revision = status["lastAppliedSpec"]?.stringValue { header += "  revision \(revision)" }
        let set = target.flatMap { $0["kind"]?.stringValue == "StatefulSet" ? StatefulSetRollout($0) : nil }
        let lines: [(String, [String])] =
            (scriptStep().map { [("step", $0)] } ?? []) + [
                ("target", [set.map { CanaryStatusTree.pods($0, current: false) } ?? workload(target, role: "the new version")]),
                ("primary", [set.map { CanaryStatusTree.pods($0, current: true) } ?? workload(primary, role: "serving")]),
                ("services", [services.isEmpty ? "none yet" : services.joined(separator: ", ")]),
                ("routes", set.map { [CanaryStatusTree.partition($0)] } ?? routes()),
                ("metrics", metrics()), ("gates", gates()), ("next", [next()]), ("events", lastEvents()),
            ]
        var text = [header]
        for (index, (label, values)) in lines.enumerated() {
            let last = index == lines.count - 1
            // Values start in column 12.
            text.append("\(last ? "└─" : "├─") \(label.padding(toLength: 9, withPad: " ", startingAt: 0))\(values.first ?? "")")
            for value in values.dropFirst() { text.append((last ? " " : "│") + String(repeating: " ", count: 11) + value) }
        }
        return text.joined(separator: "\n")
    }

    /// A phase in its colour: green when done, red when failed, yellow while analysing.
    static func colored(_ phase: String) -> String {
        let code =
            switch phase {
            case "Succeeded", "Initialized": "32";
            case "Failed": "31";
            default: "33"
            }
        return "\u{1B}[1;\(code)m\(phase)\u{1B}[0m"
    }

    /// `[██████░░░░░░░░░░░░░░]  30%`.
    static func bar(_ weight: Int, width: Int = 20) -> String {
        let filled = max(0, min(width, (weight * width + 50) / 100))
        return "[\u{1B}[32m" + String(repeating: "█", count: filled) + "\u{1B}[0m" + String(repeating: "░", count: width - filled) + "] \(weight)%"
    }

    func workload(_ object: JSONValue?, role: String) -> String {
        guard let object else { return "not found" }
        let kind = object["kind"]?.stringValue ?? "Deployment"
        let ready = object[path: "status", "readyReplicas"]?.intValue ?? 0
        let wanted = object[path: "spec", "replicas"]?.intValue ?? 0
        let images = (object[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        return
            "\(kind) \(object[path: "metadata", "name"]?.stringValue ?? "")  \(ready)/\(wanted) ready  \(images.joined(separator: ", "))  (\(role))"
    }

    /// `step 2 of 5: pause 10m, 6m12s left`, then the script's routes in force: the `analysis.steps` step under
    /// way; `nil` without one.
    func scriptStep() -> [String]? {
        let steps = canary[path: "spec", "analysis", "steps"]?.arrayValue ?? []
        guard let index = canary[path: "status", "currentStep"]?.intValue, steps.indices.contains(index) else { return nil }
        let decoded: Canary
        do { decoded = try canary.decode(as: Canary.self) } catch { return ["step \(index + 1) of \(steps.count)"] }
        guard let progress = decoded.scriptProgress(now: now) else { return nil }
        return [progress] + (decoded.scriptRoutesInForce.map { ["routes in force: \($0)"] } ?? [])
    }

    /// A StatefulSet target's pods on one revision: the update revision (the new version) or the current one.
    static func pods(_ set: StatefulSetRollout, current: Bool) -> String {
        let revision = (current ? set.currentRevision : set.updateRevision) ?? "?"
        let count = current ? set.replicas - (set.hasNewRevision ? set.updatedReplicas : 0) : (set.hasNewRevision ? set.updatedReplicas : 0)
        let role = current ? "serving, \(set.readyReplicas)/\(set.replicas) ready" : "the new version"
        return "StatefulSet \(set.name)  \(count)/\(set.replicas) pods on \(revision)  (\(role))"
    }

    /// What a StatefulSet's partition lets through.
    static func partition(_ set: StatefulSetRollout) -> String {
        guard set.partition < set.replicas else { return "partition \(set.partition): held, every pod on the current revision" }
        let first = "\(set.name)-\(set.partition)", last = "\(set.name)-\(set.replicas - 1)"
        return "partition \(set.partition): \(first == last ? first : "\(first) to \(last)") on the new revision"
    }

    /// The live weights of the VirtualService's first HTTP route (Istio), or what routes without one.
    func routes() -> [String] {
        guard let service = virtualService else { return ["no VirtualService (the apex Service selects the primary)"] }
        // Display only: a Canary that cannot be read as one shows the first route.
        let leading = (try? canary.decode(as: Canary.self))?.leadingRouteNames ?? []
        let http = service[path: "spec", "http"]?.arrayValue ?? []
        let ahead = http.prefix { leading.contains($0["name"]?.stringValue ?? "") }
        let destinations = http.dropFirst(ahead.count).first?["route"]?.arrayValue ?? []
        let weights = destinations.map { "\($0[path: "destination", "host"]?.stringValue ?? "?") \($0["weight"]?.intValue ?? 0)%" }
        let named = ahead.compactMap { $0["name"]?.stringValue }.filter { !["sticky-route", "sticky-primary-route"].contains($0) }
        return ["VirtualService \(service[path: "metadata", "name"]?.stringValue ?? ""): " + weights.joined(separator: ", ")]
            + (named.isEmpty ? [] : ["routes ahead of it: " + named.joined(separator: ", ")])
    }

    /// Each metric with its last value against its threshold and the verdict, from the journal.
    func metrics() -> [String] {
        let metrics = canary[path: "spec", "analysis", "metrics"]?.arrayValue ?? []
        guard !metrics.isEmpty else { return ["none (webhooks only)"] }
        let checked = CanaryStatusTree.lastChecks(canary)
        return metrics.map { metric in
            let name = metric["name"]?.stringValue ?? "?"
            guard let last = checked[name] else { return "\(name): not checked yet" }
            return CanaryStatusTree.describe(last) + "  at \(CanaryStatusTree.age(last.time, now: now)) ago"
        }
    }

    /// The last check of each metric in the Canary's journal, by name. Pure.
    static func lastChecks(_ canary: JSONValue) -> [String: (record: JournalEntry.Metric, time: String)] {
        // Display only: an unreadable journal shows nothing.
        let journal = (try? (canary[path: "status", "journal"] ?? []).decode(as: [JournalEntry].self)) ?? []
        var last: [String: (record: JournalEntry.Metric, time: String)] = [:]
        for entry in journal { for record in entry.metrics ?? [] { last[record.name] = (record, entry.time) } }
        return last
    }

    /// `request-success-rate 99.83 (>= 99) ✓`, or the failure.
    static func describe(_ check: (record: JournalEntry.Metric, time: String)) -> String {
        let record = check.record
        let value = record.value.map { String(format: "%.4g", $0) } ?? "no value"
        let verdict = record.passed ? "✓" : "✗ \(record.message ?? "failed")"
        return "\(record.name) \(value) (\(record.threshold ?? "no threshold")) \(verdict)"
    }

    /// Each approval gate: open, closed, or not asked yet (from the last event naming it).
    func gates() -> [String] {
        let gateTypes = ["confirm-rollout", "confirm-traffic-increase", "confirm-promotion"]
        let hooks = (canary[path: "spec", "analysis", "webhooks"]?.arrayValue ?? []).filter { gateTypes.contains($0["type"]?.stringValue ?? "") }
        guard !hooks.isEmpty else { return ["none"] }
        let messages = events.compactMap { $0["message"]?.stringValue }
        return hooks.map { hook in
            let name = hook["name"]?.stringValue ?? ""
            let last = messages.last { $0.hasSuffix(" \(name)") || $0.contains("check \(name) passed") }
            let state = last.map { $0.contains("passed") ? "open" : "closed" } ?? "not asked yet"
            return "\(hook["type"]?.stringValue ?? "") \(name): \(state)"
        }
    }

    /// When the next analysis step is due.
    func next() -> String {
        let status = canary["status"] ?? [:]
        let phase = status["phase"]?.stringValue ?? "Initializing"
        if let by = pausedBy { return "paused by \(by): no step until `kubectl serin resume`" }
        if let steps = status["inconclusiveSteps"]?.intValue,
            steps >= (canary[path: "spec", "analysis", "inconclusiveLimit"]?.intValue ?? 3), ["Progressing", "WaitingPromotion"].contains(phase)
        {
            return "paused: \(steps) inconclusive steps in a row; `kubectl serin promote`, `abort` or `retry` decides"
        }
        if canary[path: "spec", "analysis", "onFailure"] == "freeze", let failed = status["failedChecks"]?.intValue,
            failed >= (canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0), ["Progressing", "WaitingPromotion"].contains(phase)
        {
            return "frozen: \(failed) failed checks (onFailure: freeze); `kubectl serin promote`, `abort` or `retry` decides"
        }
        if phase == "Finalising", let baking = bakeLine(status) { return baking }
        guard ["Progressing", "WaitingPromotion", "Waiting"].contains(phase) else { return "nothing due: waiting for a new revision" }
        let interval = (canary[path: "spec", "analysis", "interval"]?.stringValue).flatMap { try? GoDuration(parsing: $0) }?.seconds ?? 60
        guard let since = status["lastTransitionTime"]?.stringValue.flatMap({ KubeTime(rfc3339: $0)?.date }) else {
            return "a step every \(Int(interval)) s"
        }
        let due = since.addingTimeInterval(interval).timeIntervalSince(now)
        return due > 0 ? "next step in \(Int(due.rounded(.up))) s (every \(Int(interval)) s)" : "next step due now (every \(Int(interval)) s)"
    }

    /// A bake under way (`analysis.bake`): how long is left, the failed checks, whether a rollback is instant.
    func bakeLine(_ status: JSONValue) -> String? {
        guard let started = status["bakeStarted"]?.stringValue.flatMap({ KubeTime(rfc3339: $0)?.date }),
            let duration = (canary[path: "spec", "analysis", "bake", "duration"]?.stringValue).flatMap({ try? GoDuration(parsing: $0) })
        else { return nil }
        let left = max(Int(started.addingTimeInterval(duration.seconds).timeIntervalSince(now).rounded(.up)), 0)
        let failed = status["failedChecks"]?.intValue ?? 0
        let threshold = canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0
        let instant =
            canary[path: "spec", "analysis", "bake", "keepPrevious"]?.boolValue == true ? ", previous version kept for an instant rollback" : ""
        return "baking the new primary at full traffic: \(left) s left of \(duration), \(failed)/\(threshold) failed checks\(instant); "
            + "`kubectl serin promote` ends it, `abort` or `undo` rolls back"
    }

    var pausedBy: String? { ControlRequest.pausedBy(DynamicObject(json: canary).metadata.annotations) }

    func lastEvents() -> [String] {
        let recent = events.suffix(5).map { event in
            "\(event["type"]?.stringValue == "Warning" ? "!" : " ") \(event["message"]?.stringValue ?? "")"
                + ((event["count"]?.intValue ?? 1) > 1 ? " (x\(event["count"]?.intValue ?? 1))" : "")
        }
        return recent.isEmpty ? ["none"] : recent
    }

    static func number(_ value: JSONValue) -> String {
        guard let double = value.doubleValue else { return "\(value)" }
        return double == double.rounded() ? String(Int(double)) : String(double)
    }

    /// `3m12s` since an RFC 3339 time, `-` without one. Pure.
    static func age(_ time: String?, now: Date) -> String {
        guard let time, let date = KubeTime(rfc3339: time)?.date else { return "-" }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        return seconds < 86_400 ? "\(seconds / 3600)h\(seconds % 3600 / 60)m" : "\(seconds / 86_400)d"
    }

    /// Rows padded into columns three spaces apart. Pure.
    static func columns(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }
            .joined()
        }.joined(separator: "\n")
    }
}
