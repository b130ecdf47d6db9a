import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// The journal keeps each rendered query once: a repeated query is written as `sameQuery` and read back whole,
/// the first kept step always carries the text, and the journal of ten steps with two metrics shrinks to the
/// size of its numbers.
@Suite struct JournalCompactionTests {
    static let successRate = String(repeating: "sum(rate(istio_requests_total{reporter=\"destination\",response_code!~\"5.*\"}[1m])) / ", count: 3)
    static let latency = String(repeating: "histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket[1m])) by (le)) ", count: 3)

    static func entry(_ step: Int, successQuery: String = successRate) -> JournalEntry {
        let metrics = [
            JournalEntry.Metric(name: "request-success-rate", query: successQuery, value: 99.5, threshold: ">= 99", passed: true, message: nil),
            JournalEntry.Metric(name: "request-duration", query: latency, value: 120, threshold: "<= 500", passed: true, message: nil),
        ]
        return JournalEntry(
            time: "2026-12-06T19:\(10 + step):00Z", from: "Progressing \(step * 10)%", to: "Progressing \(step * 10 + 10)%", metrics: metrics,
            webhooks: nil, decision: ["Advance podinfo.test canary weight \(step * 10 + 10)"])
    }

    @Test func repeatedQueriesAreWrittenOnceAndReadBackWhole() {
        var full = (0..<4).map { Self.entry($0) }
        full[2] = Self.entry(2, successQuery: "changed")
        let compact = full.compacted
        #expect(compact[0].metrics?.allSatisfy { $0.query != nil && $0.sameQuery == nil } == true, "the first step carries the text")
        #expect(compact[1].metrics?.allSatisfy { $0.query == nil && $0.sameQuery == true } == true)
        #expect(compact[2].metrics?[0].query == "changed" && compact[2].metrics?[1].sameQuery == true, "a changed query is written")
        #expect(compact[3].metrics?[0].query == Self.successRate, "and so is the one after it")
        #expect(compact.expanded == full, "read back whole")
        #expect(full.expanded == full, "a journal written before compaction reads as it is")
    }

    @Test func theOperatorsJournalKeepsTheTextInItsFirstKeptStep() throws {
        var canary = makeCanary(phase: .progressing, applied: "v2")
        canary.status?.journal = (0..<JournalEntry.kept).map { Self.entry($0) }.compacted
        var observation = observe(canary, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1))
        observation.now = Date().addingTimeInterval(3600)
        observation.checks = CheckResults(failures: [], records: Self.entry(11).metrics ?? [])
        let status = CanaryJournal.journaled(CanaryStateMachine.decide(observation), observation: observation)
        let journal = try #require(status.journal)
        #expect(journal.count == JournalEntry.kept)
        #expect(journal[0].metrics?.allSatisfy { $0.query != nil } == true, "the oldest kept step now carries the text")
        #expect(journal.dropFirst().allSatisfy { $0.metrics?.allSatisfy { $0.sameQuery == true } == true })
        #expect(journal.expanded.allSatisfy { $0.metrics?.allSatisfy { $0.query != nil } == true })
    }

    /// The figure docs/benchmarks.md quotes: the encoded size of ten steps with two metrics, whole and compacted.
    @Test func tenStepsWithTwoMetricsShrinkToTheirNumbers() throws {
        let full = (0..<JournalEntry.kept).map { Self.entry($0) }
        let (whole, compact) = (try JSONValue(encoding: full).serialized().count, try JSONValue(encoding: full.compacted).serialized().count)
        print("journal of 10 steps with 2 metrics: \(whole) bytes whole, \(compact) compacted")
        #expect(compact * 2 < whole, "\(compact) of \(whole) bytes")
    }
}
