import Foundation
import KubeCore

/// Flagger's `--include-label-prefix`: which of a target's labels and annotations reach its primary (and
/// the `-primary` copies of its configs). `*` includes all; Flux's `toolkit.fluxcd.io` keys never pass.
public struct LabelCopier: Sendable, Equatable {
    public var prefixes: [String]

    public init(prefixes: [String] = []) { self.prefixes = prefixes.filter { !$0.isEmpty } }

    /// Parses the flag's comma-separated list.
    public init(flag: String) { self.init(prefixes: flag.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

    /// The members of `metadata` whose keys have an included prefix. Pure.
    public func included(_ metadata: JSONObject) -> JSONObject {
        metadata.filter { key, _ in
            !key.containsBytes("toolkit.fluxcd.io") && prefixes.contains { $0 == "*" || key.hasPrefix($0) }
        }
    }
}
