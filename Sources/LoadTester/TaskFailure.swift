/// Why a task that started did not succeed, worded for the webhook's answer and the log.
struct TaskFailure: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
