/// Where an AlertProvider posts: `AlertProvider.spec.type`. Flagger's CRD enum (the first five) and the
/// chat robots Flagger lacks: a superset, so Flagger's objects still validate.
public enum AlertProviderType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case slack, msteams, discord, rocket, gchat
    case wecom, dingtalk, feishu, lark, webhook

    public init(parsing text: String) throws(UnknownValueError) {
        guard let type = AlertProviderType(rawValue: text) else {
            throw UnknownValueError(value: text, known: AlertProviderType.allCases.map(\.rawValue))
        }
        self = type
    }

    public var description: String { rawValue }
}
