/// Where an AlertProvider posts: `AlertProvider.spec.type`, Flagger's CRD enum.
///
/// No notifier is implemented yet, so every Canary naming an alert is refused (`spec.analysis.alerts`);
/// the notifier registry says which types can post once they are.
public enum AlertProviderType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case slack, msteams, discord, rocket, gchat

    public init(parsing text: String) throws(UnknownValueError) {
        guard let type = AlertProviderType(rawValue: text) else {
            throw UnknownValueError(value: text, known: AlertProviderType.allCases.map(\.rawValue))
        }
        self = type
    }

    public var description: String { rawValue }
}
