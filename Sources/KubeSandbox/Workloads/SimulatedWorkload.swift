import Foundation
import KubeCore

/// One workload kind the sandbox runs as its controller would: which objects it is, how many pods one
/// wants, and the status that says how many are ready.
///
/// ``SimulatedWorkload/all`` lists them; the workload simulator moves their status, and the service
/// resolver sends traffic to their ready pods. A new target kind's simulation is a file here and a line there.
public struct SimulatedWorkload: Sendable, CustomStringConvertible {
    /// The status a workload reports: `desired` pods, `ready` of them ready, at `date`; `progressing` is the
    /// `Progressing` condition (used by the kinds that report one).
    typealias Status = @Sendable (_ object: JSONValue, _ desired: Int, _ ready: Int, _ date: Date, _ progressing: JSONValue) -> JSONValue

    public let kind: String
    public let group: String
    public let plural: String
    /// The status field that counts ready pods (`readyReplicas`, `numberReady`).
    let readyField: String
    /// How many pods an object wants.
    let desiredReplicas: @Sendable (JSONValue) -> Int
    let status: Status

    public var description: String { kind }

    /// Every simulated workload kind.
    public static let all: [SimulatedWorkload] = [deployment, daemonSet]

    /// The simulated kind of `object`, by its `kind`.
    static func of(_ object: JSONValue) -> SimulatedWorkload? {
        let kind = object["kind"]?.stringValue
        return all.first { $0.kind == kind }
    }

    /// Whether objects of `plural` in `group` are a simulated workload.
    static func simulates(group: String, plural: String) -> Bool { all.contains { $0.group == group && $0.plural == plural } }
}
