import Foundation
import KubeCore

/// Every write the sandbox served, in order: what tests check a controller's writes against (each route
/// change once, in order, and from which client), and what `serin sandbox --audit-log FILE` writes out.
///
/// Off unless asked for (``Sandbox/Options/auditLog``): it keeps each written object.
public actor AuditLog {
    /// One write that took effect.
    public struct Entry: Sendable {
        /// Position in the log, from 1.
        public var sequence: Int
        public var time: Date
        /// `create`, `update`, `patch`, `delete`.
        public var verb: String
        public var plural: String
        public var namespace: String?
        public var name: String
        public var subresource: String?
        /// The client's `User-Agent`.
        public var userAgent: String
        /// The object as stored after the write (for a delete, as it was).
        public var object: JSONValue

        /// The entry as one JSON line.
        public var json: JSONValue {
            var line: JSONValue = [
                "sequence": .int(sequence), "time": .string(KubeTime(time, precision: .microseconds).description), "verb": .string(verb),
                "resource": .string(plural), "name": .string(name), "userAgent": .string(userAgent), "object": object,
            ]
            line["namespace"] = namespace.map(JSONValue.string)
            line["subresource"] = subresource.map(JSONValue.string)
            return line
        }
    }

    private var entries: [Entry] = []
    private let file: FileHandle?

    /// - Parameter path: also append each entry to this file as a JSON line.
    public init(path: String? = nil) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw SandboxError(step: "open the audit log", reason: "cannot write \(path)")
            }
            file = handle
        } else {
            file = nil
        }
    }

    func record(verb: String, plural: String, namespace: String?, name: String, subresource: String?, userAgent: String, object: JSONValue) {
        let entry = Entry(
            sequence: entries.count + 1, time: Date(), verb: verb, plural: plural, namespace: namespace, name: name,
            subresource: subresource, userAgent: userAgent, object: object)
        entries.append(entry)
        file?.write(Data(entry.json.serialized() + [UInt8(ascii: "\n")]))
    }

    /// The writes so far, optionally of one resource (`virtualservices`).
    public func writes(of plural: String? = nil) -> [Entry] {
        plural.map { plural in entries.filter { $0.plural == plural } } ?? entries
    }
}
