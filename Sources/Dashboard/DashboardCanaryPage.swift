import CanaryAPI
import Foundation
import KubeCore

/// The live part of a Canary's page: where it stands, its charts, the decision journal, its webhooks and gates,
/// its Events and the objects Serin owns for it. Pure: what it shows was read with the user's own client.
struct DashboardCanaryPage {
    var canary: JSONValue
    /// The Canary's Events, or why they could not be read (the API server's message).
    var events: Result<[JSONValue], DashboardReadError>
    /// The objects Serin owns for it: kind and name, and their live state or why it could not be read.
    var objects: [(kind: String, name: String, state: String)]
    /// When it is shown (a timed pause's time left).
    var now = Date()

    func render() -> String {
        [summary(), charts(), lastChecks(), webhooks(), journal(), eventTable(), objectTable()].joined(separator: "\n")
    }

    var status: JSONValue { canary["status"] ?? [:] }
    var journalEntries: [JSONValue] { status["journal"]?.arrayValue ?? [] }

    func summary() -> String {
        let weight = status["canaryWeight"]?.intValue ?? 0
        let threshold = canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0
        let holds = CanaryHoldsText.of(canary)
        let conditions = (status["conditions"]?.arrayValue ?? []).map { condition in
            "<li>\(HTML.escape(condition["type"]?.stringValue ?? "")) \(HTML.escape(condition["status"]?.stringValue ?? "")): "
                + "\(HTML.escape(condition["message"]?.stringValue ?? ""))</li>"
        }.joined()
        return """
            <section aria-labelledby="summary-h"><h2 id="summary-h">Where it stands</h2><dl class="summary">\
            <dt>Phase</dt><dd id="phase">\(HTML.escape(status["phase"]?.stringValue ?? "Initializing"))</dd>\
            <dt>Canary weight</dt><dd><progress max="100" value="\(weight)" aria-label="canary weight">\(weight)%</progress> <span id="weight">\(weight)%</span></dd>\
            <dt>Failed checks</dt><dd id="failed">\(status["failedChecks"]?.intValue ?? 0) of \(threshold)</dd>\
            <dt>Holds</dt><dd id="holds">\(HTML.escape(holds))</dd>\
            \(scriptStep())\
            <dt>In this phase since</dt><dd>\(HTML.escape(status["lastTransitionTime"]?.stringValue ?? "-"))</dd>\
            <dt>Revision</dt><dd>\(HTML.escape(status["lastAppliedSpec"]?.stringValue ?? "-"))</dd></dl>\
            <ul class="conditions">\(conditions)</ul></section>
            """
    }

    /// The `analysis.steps` step under way and the script's routes in force; empty without a script.
    func scriptStep() -> String {
        // Display only: a Canary that cannot be read as one shows no step.
        guard let decoded = try? canary.decode(as: Canary.self), let progress = decoded.scriptProgress(now: now) else { return "" }
        let routes = decoded.scriptRoutesInForce.map { "<dt>Routes in force</dt><dd id=\"step-routes\">\(HTML.escape($0))</dd>" } ?? ""
        return "<dt>Step</dt><dd id=\"step\">\(HTML.escape(progress))</dd>\(routes)"
    }

    func charts() -> String {
        var parts = [
            DashboardCharts.svg(id: "weights", title: "Canary weight per step (%)", points: DashboardCharts.weights(journalEntries), unit: "%")
        ]
        for (index, metric) in DashboardCharts.metrics(journalEntries).enumerated() {
            parts.append(
                DashboardCharts.svg(
                    id: "metric-\(index)", title: "\(metric.name) per step\(metric.threshold.map { " (threshold \($0))" } ?? "")",
                    points: metric.points,
                    limits: DashboardCharts.bounds(metric.threshold)))
        }
        let svgs = parts.compactMap { $0 }
        let body = svgs.isEmpty ? "<p>No step yet.</p>" : svgs.map { "<figure>\($0)</figure>" }.joined()
        return "<section aria-labelledby=\"charts-h\"><h2 id=\"charts-h\">Steps</h2>\(body)</section>"
    }

    /// Each metric's last value, its threshold and verdict (compared metrics: the canary against the baseline).
    func lastChecks() -> String {
        var last: [String: JSONValue] = [:]
        var order: [String] = []
        for entry in journalEntries {
            for metric in entry["metrics"]?.arrayValue ?? [] {
                guard let name = metric["name"]?.stringValue else { continue }
                if last[name] == nil { order.append(name) }
                last[name] = metric
            }
        }
        guard !order.isEmpty else { return "" }
        let rows = order.map { name in
            let metric = last[name] ?? [:]
            let value = metric["value"]?.doubleValue.map(HTML.number) ?? "no value"
            let compared =
                metric["comparison"].map { comparison in
                    " (canary \(comparison["canaryMedian"]?.doubleValue.map(HTML.number) ?? "-") against \(HTML.escape(comparison["against"]?.stringValue ?? "baseline")) \(comparison["baselineMedian"]?.doubleValue.map(HTML.number) ?? "-"))"
                } ?? ""
            let verdict = metric["passed"]?.boolValue == true ? "passed" : "failed"
            return
                "<tr><th scope=\"row\">\(HTML.escape(name))</th><td class=\"metric-value\" data-metric=\"\(HTML.escape(name))\">\(HTML.escape(value))</td>"
                + "<td>\(HTML.escape(metric["threshold"]?.stringValue ?? compared))</td><td>\(verdict)\(metric["dryRun"]?.boolValue == true ? " (dry run)" : "")</td>"
                + "<td>\(HTML.escape(metric["message"]?.stringValue ?? ""))</td></tr>"
        }.joined()
        return """
            <section aria-labelledby="checks-h"><h2 id="checks-h">Last checks</h2><table><thead><tr><th scope="col">Metric</th>\
            <th scope="col">Value</th><th scope="col">Threshold</th><th scope="col">Verdict</th><th scope="col">Message</th></tr></thead>\
            <tbody>\(rows)</tbody></table></section>
            """
    }

    /// The webhooks and gates the spec declares, with the last answer each gave in the journal.
    func webhooks() -> String {
        let declared = canary[path: "spec", "analysis", "webhooks"]?.arrayValue ?? []
        guard !declared.isEmpty else { return "" }
        var answers: [String: JSONValue] = [:]
        for entry in journalEntries { for hook in entry["webhooks"]?.arrayValue ?? [] { answers[hook["name"]?.stringValue ?? ""] = hook } }
        let rows = declared.map { hook in
            let name = hook["name"]?.stringValue ?? ""
            let answer =
                answers[name].map { ($0["passed"]?.boolValue == true ? "passed" : "failed") + " " + ($0["message"]?.stringValue ?? "") }
                ?? "not asked yet"
            return
                "<tr><th scope=\"row\">\(HTML.escape(name))</th><td>\(HTML.escape(hook["type"]?.stringValue ?? "rollout"))</td><td>\(HTML.escape(answer))</td></tr>"
        }.joined()
        return """
            <section aria-labelledby="hooks-h"><h2 id="hooks-h">Webhooks and gates</h2><table><thead><tr><th scope="col">Name</th>\
            <th scope="col">Type</th><th scope="col">Last answer</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }

    func journal() -> String {
        let rows = journalEntries.reversed().map { entry in
            let metrics = (entry["metrics"]?.arrayValue ?? []).map { metric in
                "\(metric["name"]?.stringValue ?? "") \(metric["value"]?.doubleValue.map(HTML.number) ?? "none") \(metric["passed"]?.boolValue == true ? "✓" : "✗")"
            }.joined(separator: "; ")
            let decision = (entry["decision"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; ")
            return "<tr><td>\(HTML.escape(entry["time"]?.stringValue ?? ""))</td><td>\(HTML.escape(entry["from"]?.stringValue ?? "")) → "
                + "\(HTML.escape(entry["to"]?.stringValue ?? ""))</td><td>\(HTML.escape(metrics))</td><td>\(HTML.escape(decision))</td></tr>"
        }.joined()
        return """
            <section aria-labelledby="journal-h"><h2 id="journal-h">Decision journal</h2><table><thead><tr><th scope="col">Time</th>\
            <th scope="col">Step</th><th scope="col">Checks</th><th scope="col">Decision</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }

    func eventTable() -> String {
        let body: String
        switch events {
        case .failure(let error): body = "<p class=\"error\">Events could not be read: \(HTML.escape(error.message))</p>"
        case .success(let list):
            let rows = list.suffix(20).reversed().map { event in
                "<tr><td>\(HTML.escape(event["type"]?.stringValue ?? ""))</td><td>\(HTML.escape(event["message"]?.stringValue ?? ""))</td>"
                    + "<td>\(event["count"]?.intValue ?? 1)</td><td>\(HTML.escape(event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue ?? ""))</td></tr>"
            }.joined()
            body = """
                <table><thead><tr><th scope="col">Type</th><th scope="col">Message</th><th scope="col">Count</th><th scope="col">Last seen</th></tr></thead>\
                <tbody>\(rows)</tbody></table>
                """
        }
        return "<section aria-labelledby=\"events-h\"><h2 id=\"events-h\">Events</h2>\(body)</section>"
    }

    func objectTable() -> String {
        let rows = objects.map { "<tr><td>\(HTML.escape($0.kind))</td><td>\(HTML.escape($0.name))</td><td>\(HTML.escape($0.state))</td></tr>" }
            .joined()
        return """
            <section aria-labelledby="objects-h"><h2 id="objects-h">Objects Serin owns</h2><table><thead><tr><th scope="col">Kind</th>\
            <th scope="col">Name</th><th scope="col">Live state</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }
}

/// What the user's client could not read, as the API server said it.
struct DashboardReadError: Error {
    var message: String
}

/// A Canary's holds as one text.
enum CanaryHoldsText {
    static func of(_ canary: JSONValue) -> String {
        let holds = CanaryHolds.of(canary)
        return holds.isEmpty ? "none" : holds.joined(separator: ", ")
    }
}
