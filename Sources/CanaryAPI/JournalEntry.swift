/// One analysis step as `status.journal` keeps it: what was checked, what came back, and what was decided.
/// The operator keeps the last ``JournalEntry/kept`` steps; `kubectl serin explain` reads them.
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

        public init(name: String, query: String?, value: Double?, threshold: String?, passed: Bool, message: String?) {
            self.name = name
            self.query = query
            self.value = value
            self.threshold = threshold
            self.passed = passed
            self.message = message
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

    public init(time: String, from: String, to: String, metrics: [Metric]?, webhooks: [Webhook]?, decision: [String]) {
        self.time = time
        self.from = from
        self.to = to
        self.metrics = metrics
        self.webhooks = webhooks
        self.decision = decision
    }
}
