import CanaryAPI
import Foundation
import KubeCore

/// The dashboard's pages, rendered on the server from the Canaries' JSON. Pure.
enum DashboardPages {
    /// One Canary as the overview lists it (the page's script keeps a map of these, updated by the stream).
    static func row(_ canary: JSONValue) -> JSONValue {
        let status = canary["status"] ?? [:]
        var holds = CanaryHolds.of(canary)
        if ["Waiting", "WaitingPromotion"].contains(status["phase"]?.stringValue ?? "") { holds.append("waiting for a gate") }
        return [
            "key": .string("\(canary[path: "metadata", "namespace"]?.stringValue ?? "")/\(canary[path: "metadata", "name"]?.stringValue ?? "")"),
            "namespace": canary[path: "metadata", "namespace"] ?? "", "name": canary[path: "metadata", "name"] ?? "",
            "phase": status["phase"] ?? "Initializing", "weight": .int(status["canaryWeight"]?.intValue ?? 0),
            "failed": .int(status["failedChecks"]?.intValue ?? 0), "threshold": .int(canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0),
            "holds": .array(holds.map { .string($0) }), "since": status["lastTransitionTime"] ?? "",
        ]
    }

    /// The head every page shares: the stylesheet, the script, the session token.
    static func head(_ title: String, token: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        <meta name="serin-token" content="\(HTML.escape(token))"><title>\(HTML.escape(title))</title>\
        <link rel="stylesheet" href="/static/dashboard.css"><script src="/static/dashboard.js" defer></script></head>
        """
    }

    /// Every Canary the user may list: a table the script virtualises and keeps live; without script, the
    /// same table in full.
    static func overview(_ canaries: [JSONValue], namespace: String?, token: String) -> String {
        let rows = canaries.map(row).sorted { ($0["key"]?.stringValue ?? "") < ($1["key"]?.stringValue ?? "") }
        let scope = namespace.map { "namespace \($0)" } ?? "all namespaces"
        let plain = rows.map { row in
            let key = row["key"]?.stringValue ?? ""
            return "<tr><td>\(HTML.escape(row["namespace"]?.stringValue ?? ""))</td><td><a href=\"/canary/\(HTML.escape(key))\">"
                + "\(HTML.escape(row["name"]?.stringValue ?? ""))</a></td><td>\(HTML.escape(row["phase"]?.stringValue ?? ""))</td>"
                + "<td>\(row["weight"]?.intValue ?? 0)%</td></tr>"
        }.joined()
        return head("Serin: canaries", token: token) + """
            <body data-page="overview"><header><h1>Canaries <span class="scope">(\(HTML.escape(scope)))</span></h1>\
            <label>Filter <input id="filter" type="search" placeholder="namespace or name" autocomplete="off"></label>\
            <span id="count" role="status" aria-live="polite">\(rows.count) canaries</span></header>
            <main><div id="list" class="list" aria-label="Canaries"><table><thead><tr><th scope="col">Namespace</th><th scope="col">Name</th>\
            <th scope="col">Phase</th><th scope="col">Weight</th><th scope="col">Failed checks</th><th scope="col">Holds</th>\
            <th scope="col">In phase</th></tr></thead><tbody id="rows"></tbody></table></div>
            <noscript><table><tbody>\(plain)</tbody></table></noscript></main>
            <script type="application/json" id="initial">\(HTML.scriptJSON(JSONValue.array(rows).jsonString))</script></body></html>
            """
    }

    /// One Canary: its actions, and the live part (``DashboardCanaryPage``) the script refreshes on each change.
    static func canary(namespace: String, name: String, live: String, token: String) -> String {
        let key = "\(namespace)/\(name)"
        let buttons = ["promote", "abort", "retry", "undo", "pause", "resume"].map { action in
            "<button type=\"button\" data-action=\"\(action)\">\(action.prefix(1).uppercased() + action.dropFirst())</button>"
        }.joined(separator: " ")
        return head("Serin: \(key)", token: token) + """
            <body data-page="canary" data-canary="\(HTML.escape(key))"><header><a href="/">All canaries</a>\
            <h1>Canary \(HTML.escape(key))</h1></header>
            <main><section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2><p>\(buttons)</p>\
            <p id="result" role="status" aria-live="polite"></p></section>
            <div id="live" aria-live="off">\(live)</div></main></body></html>
            """
    }
}
