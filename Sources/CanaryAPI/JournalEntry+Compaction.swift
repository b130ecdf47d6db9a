/// The journal keeps each rendered query once: a step whose metric sent the same query as that metric's step
/// before it records `sameQuery` instead of the text (queries are most of a journal's bytes, and a query rarely
/// changes between steps). ``compacted`` writes it so, ``expanded`` reads it back. Pure.
extension Array where Element == JournalEntry {
    /// The entries with each query that repeats its metric's previous one replaced by `sameQuery`.
    public var compacted: [JournalEntry] {
        var last: [String: String] = [:]
        return map { entry in
            var entry = entry
            entry.metrics = entry.metrics?.map { metric in
                var metric = metric
                guard let query = metric.query else { return metric }
                if last[metric.name] == query {
                    (metric.query, metric.sameQuery) = (nil, true)
                } else {
                    last[metric.name] = query
                }
                return metric
            }
            return entry
        }
    }

    /// The entries with every `sameQuery` replaced by the query it repeats (a journal written by an earlier
    /// Serin, without `sameQuery`, comes back as it is).
    public var expanded: [JournalEntry] {
        var last: [String: String] = [:]
        return map { entry in
            var entry = entry
            entry.metrics = entry.metrics?.map { metric in
                var metric = metric
                if metric.sameQuery == true, let query = last[metric.name] {
                    (metric.query, metric.sameQuery) = (query, nil)
                } else if let query = metric.query {
                    last[metric.name] = query
                }
                return metric
            }
            return entry
        }
    }
}
