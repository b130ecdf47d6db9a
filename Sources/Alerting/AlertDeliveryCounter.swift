/// Counts what became of each alert (the operator's `serin_alerts_total`).
public protocol AlertDeliveryCounter: Sendable {
    /// One alert to `provider` was `sent`, `failed` after its retries, or `dropped` (its queue was full).
    func alert(provider: String, result: String)
}
