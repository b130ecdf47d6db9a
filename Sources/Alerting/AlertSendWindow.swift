import Foundation

/// At most ``limit`` posts to one provider in any ``period`` (WeCom's and DingTalk's robots take 20 a
/// minute and refuse the rest): how long the next post waits. Pure.
struct AlertSendWindow: Sendable {
    var limit = 20
    var period: TimeInterval = 60
    /// When the last posts went (or will go), oldest first, at most ``limit``.
    private(set) var sent: [Date] = []

    /// Seconds to wait before a post at `now` (0: at once); the post is counted at that time.
    mutating func delay(at now: Date) -> TimeInterval {
        var at = now
        if sent.count >= limit, let oldest = sent.first { at = max(now, oldest.addingTimeInterval(period)) }
        sent.append(at)
        if sent.count > limit { sent.removeFirst(sent.count - limit) }
        return at.timeIntervalSince(now)
    }
}
