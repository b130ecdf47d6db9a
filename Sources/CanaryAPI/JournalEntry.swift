/// One analysis step as `status.journal` keeps it: what was checked, what came back, and what was decided.
/// The operator keeps the last ``JournalEntry/kept`` steps, each rendered query once (``Swift/Array/compacted``);
/// `kubectl serin explain` reads them.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// How many steps the status keeps.
    public static let kept = 10

    /// One metric's check: the query as sent, the value, the threshold and the verdict.
    public struct Metric: Codable, Sendable, Equatable {
        public var name: String
        /// The rendered query, as sent to the provider.
        public var query: String?
        public var value: Double?
        /// `>= 99`, `<= 500`, `>= 1 and <= 5`.
        public var threshold: String?
        public var passed: Bool
        /// Why it failed, in Flagger's words.
        public var message: String?
        /// Serin: a dry-run metric, shown and never deciding.
        public var dryRun: Bool?
        /// Serin: the canary compared with the baseline (or the primary), for a compared metric.
        public var comparison: Comparison?
        /// Serin: the query is this metric's query of the step before (kept once: ``Swift/Array/compacted``).
        public var sameQuery: Bool?

        public init(name: String, query: String?, value: Double?, threshold: String?, passed: Bool, message: String?) {
            self.name = name
            self.query = query
            self.value = value
            self.threshold = threshold
            self.passed = passed
            self.message = message
        }
    }

    /// A compared metric's statistics, as `kubectl serin explain` shows them.
    public struct Comparison: Codable, Sendable, Equatable {
        /// `baseline` or `primary`: what the canary was compared with.
        public var against: String
        /// `pass`, `high`, `low`, `nodata` or `inconclusive`.
        public var classification: String
        public var baselineCount: Int
        public var canaryCount: Int
        public var baselineMedian: Double?
        public var canaryMedian: Double?
        /// The Hodges-Lehmann shift (canary − baseline) and its interval, in the metric's unit (error rates:
        /// percentage points).
        public var shift: Double?
        public var shiftLow: Double?
        public var shiftHigh: Double?
        /// The same as a percentage of the baseline's median, when it is not zero.
        public var relativeShift: Double?
        public var relativeLow: Double?
        public var relativeHigh: Double?
        /// The test's p-value in the bad direction; the interval's confidence.
        public var p: Double?
        public var confidence: Double?
        /// The metric's share of the score, and whether it fails the step alone.
        public var weight: Double?
        public var critical: Bool?
        /// Error counts compared as counts: the medians are error rates in percent, the shift in points.
        public var errorCounts: Bool?
        /// Why the class is what it is.
        public var reason: String

        public init(against: String, classification: String, baselineCount: Int, canaryCount: Int, reason: String) {
            self.against = against
            self.classification = classification
            self.baselineCount = baselineCount
            self.canaryCount = canaryCount
            self.reason = reason
        }
    }

    /// One webhook's outcome.
    public struct Webhook: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var passed: Bool
        public var message: String?

        public init(name: String, type: String, passed: Bool, message: String?) {
            self.name = name
            self.type = type
            self.passed = passed
            self.message = message
        }
    }

    /// When the step was taken (RFC 3339).
    public var time: String
    /// The phase and canary weight before and after the step.
    public var from: String
    public var to: String
    public var metrics: [Metric]?
    public var webhooks: [Webhook]?
    /// The events the step recorded: the decision in Flagger's words.
    public var decision: [String]
    /// Serin: the step's verdict over its compared metrics: `pass`, `inconclusive` or `fail`, with the score.
    public var verdict: String?
    public var score: Double?

    public init(time: String, from: String, to: String, metrics: [Metric]?, webhooks: [Webhook]?, decision: [String]) {
        self.time = time
        self.from = from
        self.to = to
        self.metrics = metrics
        self.webhooks = webhooks
        self.decision = decision
    }
}
