import Foundation

/// Injected failures for reliability tests: the next N requests matching a verb and resource fail with a
/// chosen status, or are delayed.
public actor FaultInjector {
    /// One rule; `nil` fields match anything.
    public struct Rule: Sendable {
        public var verb: String?
        public var plural: String?
        public var subresource: String?
        public var code: Int
        public var remaining: Int
        public var delay: Duration

        public init(verb: String? = nil, plural: String? = nil, subresource: String? = nil, code: Int, count: Int = 1, delay: Duration = .zero) {
            self.verb = verb
            self.plural = plural
            self.subresource = subresource
            self.code = code
            self.remaining = count
            self.delay = delay
        }
    }

    private var rules: [Rule] = []

    public init() {}

    /// Makes the next `count` matching requests fail with `code` (409, 429 with `Retry-After: 1`, 500, …).
    public func fail(verb: String? = nil, plural: String? = nil, subresource: String? = nil, code: Int, count: Int = 1) {
        rules.append(Rule(verb: verb, plural: plural, subresource: subresource, code: code, count: count))
    }

    /// Delays the next `count` matching requests by `delay` before they are served normally.
    public func delay(verb: String? = nil, plural: String? = nil, by delay: Duration, count: Int = 1) {
        rules.append(Rule(verb: verb, plural: plural, code: 0, count: count, delay: delay))
    }

    /// Removes every rule.
    public func reset() { rules.removeAll() }

    /// The fault for a request, consuming one use of the first matching rule.
    func take(verb: String, plural: String, subresource: String?) -> Rule? {
        guard let index = rules.firstIndex(where: { rule in
            (rule.verb == nil || rule.verb == verb) && (rule.plural == nil || rule.plural == plural)
                && (rule.subresource == nil || rule.subresource == subresource)
        }) else { return nil }
        let rule = rules[index]
        rules[index].remaining -= 1
        if rules[index].remaining <= 0 { rules.remove(at: index) }
        return rule
    }
}
