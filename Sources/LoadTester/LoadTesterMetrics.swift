import KubeRuntime
import Prometheus
import Synchronization

/// What `serin loadtester` serves on `/metrics`, in Prometheus' text format, through the same library and
/// process readings as the operator's `/metrics`: tasks by type (started, succeeded, failed), answers by
/// route and status, and at scrape time the tasks running, the gates open and the process's memory and CPU.
///
/// Flagger's load tester serves Go's default registry there (`go_*` and `process_*` only); dashboards built on
/// those keep `process_resident_memory_bytes` and `process_cpu_seconds_total`.
public final class LoadTesterMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// The CPU time counted so far, so that the counter grows by what was used since.
    private let countedCPU = Mutex<Double>(0)
    /// Blocking tasks (`bash`, `kubectl`, `helm`, `concord`) running now, by type.
    private let blocking = Mutex<[String: Int]>([:])

    /// The task types, each with its counters from the start so that they read 0 rather than nothing.
    static let taskTypes = ["cmd", "bash", "kubectl", "helm", "concord", "ngrinder"]

    public init() {
        for type in Self.taskTypes {
            _ = counter("serin_loadtester_tasks_started_total", "Tasks started, by type", type)
            _ = counter("serin_loadtester_tasks_succeeded_total", "Tasks that ran to success, by type", type)
            _ = counter("serin_loadtester_tasks_failed_total", "Tasks that failed or timed out, by type", type)
        }
    }

    func started(_ type: String) { counter("serin_loadtester_tasks_started_total", "Tasks started, by type", type).increment() }
    func succeeded(_ type: String) { counter("serin_loadtester_tasks_succeeded_total", "Tasks that ran to success, by type", type).increment() }
    func failed(_ type: String) { counter("serin_loadtester_tasks_failed_total", "Tasks that failed or timed out, by type", type).increment() }

    /// A blocking task started (`1`) or ended (`-1`).
    func running(_ type: String, _ delta: Int) { blocking.withLock { $0[type, default: 0] += delta } }

    /// One answer: its route (one of the known paths, or `other`) and status code.
    func answered(path: String, status: Int) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "serin_loadtester_requests_total", helpText: "Requests answered, by path and status code"),
            labels: [("path", LoadTesterMetrics.routes.contains(path) ? path : "other"), ("code", "\(status)")]
        ).increment()
    }

    static let routes: Set<String> = [
        "/", "/healthz", "/metrics", "/gate/check", "/gate/open", "/gate/close", "/gate/approve", "/gate/halt", "/rollback/check",
        "/rollback/open", "/rollback/close",
    ]

    /// The exposition, with the readings of now: `running` background tasks by type (blocking ones are counted
    /// here), `gates` open by kind (`gate`,
    /// `rollback`).
    func exposition(running: [String: Int], gates: [String: Int]) -> String {
        let blocking = blocking.withLock { $0 }
        for type in Self.taskTypes {
            let count = (running[type] ?? 0) + (blocking[type] ?? 0)
            gauge("serin_loadtester_tasks_running", "Tasks running now, by type", [("type", type)]).set(Double(count))
        }
        for kind in ["gate", "rollback"] {
            gauge("serin_loadtester_gates_open", "Manual gates open now, by kind", [("kind", kind)]).set(Double(gates[kind] ?? 0))
        }
        gauge("process_resident_memory_bytes", "Resident memory size in bytes", []).set(Double(ProcessStats.residentMemory() ?? 0))
        let cpu = ProcessStats.cpuSeconds() ?? 0
        let used = countedCPU.withLock { counted in
            defer { counted = max(counted, cpu) }
            return max(cpu - counted, 0)
        }
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "process_cpu_seconds_total", helpText: "Total user and system CPU time spent in seconds")
        ).increment(by: used)
        return registry.emitToString()
    }

    private func counter(_ name: String, _ help: String, _ type: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, helpText: help), labels: [("type", type)])
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, helpText: help), labels: labels)
    }
}
