import Foundation

/// Injected failures for reliability tests: the next N requests matching a verb and resource fail with a
/// chosen status or are delayed, before they are served or after their write has committed; or a share of
/// all requests fails at random (``chaos(rate:seed:)``).
public actor FaultInjector {
    /// When a fault strikes.
    public enum Moment: Sendable {
        /// Before the request is served: nothing happened.
        case beforeServing
        /// After the request was served and its write committed: the client sees an error (or a late answer)
        /// for a change that happened, as with a lost response.
        case afterCommit
    }

    /// One rule; `nil` fields match anything.
    public struct Rule: Sendable {
        public var verb: String?
        public var plural: String?
        public var subresource: String?
        public var code: Int
        public var remaining: Int
        public var delay: Duration
        public var moment: Moment
        /// Only requests whose `User-Agent` contains this (one client among several).
        public var client: String?

        public init(
            verb: String? = nil, plural: String? = nil, subresource: String? = nil, code: Int, count: Int = 1, delay: Duration = .zero,
            moment: Moment = .beforeServing, client: String? = nil
        ) {
            self.client = client
            self.verb = verb
            self.plural = plural
            self.subresource = subresource
            self.code = code
            self.remaining = count
            self.delay = delay
            self.moment = moment
        }

        func matches(verb: String, plural: String, subresource: String?, userAgent: String) -> Bool {
            (client.map { userAgent.contains($0) } ?? true) && (self.verb == nil || self.verb == verb)
                && (self.plural == nil || self.plural == plural)
                && (self.subresource == nil || self.subresource == subresource)
        }
    }

    /// Random faults: the share of requests that fail, and the generator deciding which.
    struct Chaos {
        var rate: Double
        var generator: SplitMix
        var injected = 0
    }

    private var rules: [Rule] = []
    private var chaos: Chaos?

    public init() {}

    /// Makes the next `count` matching requests fail with `code` (409, 429 with `Retry-After: 1`, 500, …).
    public func fail(
        verb: String? = nil, plural: String? = nil, subresource: String? = nil, code: Int, count: Int = 1,
        moment: Moment = .beforeServing
    ) {
        rules.append(Rule(verb: verb, plural: plural, subresource: subresource, code: code, count: count, moment: moment))
    }

    /// Delays the next `count` matching requests by `delay`: before they are served, or after (a slow answer
    /// to a request that has already taken effect).
    public func delay(
        verb: String? = nil, plural: String? = nil, by delay: Duration, count: Int = 1, moment: Moment = .beforeServing,
        client: String? = nil
    ) {
        rules.append(Rule(verb: verb, plural: plural, code: 0, count: count, delay: delay, moment: moment, client: client))
    }

    /// Adds a rule as it is.
    public func add(_ rule: Rule) { rules.append(rule) }

    /// Makes a share `rate` (0…1) of all requests fail at random, reproducibly from `seed`: reads with 429,
    /// 500 or 503; writes with 409, 429, 500 or 503, half of them after the write committed; watches with
    /// `410 Gone` (an expired resourceVersion: the client must relist). `rate` 0 turns it off.
    public func chaos(rate: Double, seed: UInt64 = 1) {
        chaos = rate > 0 ? Chaos(rate: min(rate, 1), generator: SplitMix(seed: seed)) : nil
    }

    /// How many random faults were injected so far.
    public var chaosInjected: Int { chaos?.injected ?? 0 }

    /// Removes every rule and turns random faults off.
    public func reset() {
        rules.removeAll()
        chaos = nil
    }

    /// The fault for a request (applied before it is served, or after its write committed), consuming one
    /// use of the first matching rule.
    func take(verb: String, plural: String, subresource: String?, userAgent: String = "") -> Rule? {
        if let index = rules.firstIndex(where: { $0.matches(verb: verb, plural: plural, subresource: subresource, userAgent: userAgent) }) {
            let rule = rules[index]
            rules[index].remaining -= 1
            if rules[index].remaining <= 0 { rules.remove(at: index) }
            return rule
        }
        return randomFault(verb: verb)
    }

    private func randomFault(verb: String) -> Rule? {
        guard var current = chaos else { return nil }
        defer { chaos = current }
        guard Double.random(in: 0..<1, using: &current.generator) < current.rate else { return nil }
        current.injected += 1
        if verb == "watch" { return Rule(code: 410) }
        let isWrite = ["create", "update", "patch", "delete", "deletecollection"].contains(verb)
        let codes = isWrite ? [409, 429, 500, 503] : [429, 500, 503]
        let moment: Moment = isWrite && Bool.random(using: &current.generator) ? .afterCommit : .beforeServing
        return Rule(code: codes.randomElement(using: &current.generator) ?? 500, moment: moment)
    }
}
