import CanaryAPI
import KubeCore

/// A status's journal with every query written out (the operator writes a query that repeats its metric's
/// previous one as `sameQuery`).
func expandedJournal(_ journal: JSONValue?) throws -> [JSONValue] {
    try JSONValue(encoding: (journal ?? []).decode(as: [JournalEntry].self).expanded).arrayValue ?? []
}
