import CanaryAPI
import Foundation
import Testing

/// `docs/troubleshooting.md` names every condition reason and Event reason the code writes: a new one cannot
/// go undocumented.
@Suite struct TroubleshootingTests {
    /// Every Swift source of the operator's code.
    static func sources() throws -> String {
        let root = CanaryFieldsTests.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" && !$0.path.contains("/KubeSandbox/") && !$0.path.contains("/SerinTesting/") }
            .map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    /// The first capture group of each match of `pattern`.
    static func captures(_ pattern: String, in text: String) throws -> Set<String> {
        let expression = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(expression.matches(in: text, range: range).compactMap { match in Range(match.range(at: 1), in: text).map { String(text[$0]) } })
    }

    @Test func everyConditionAndEventReasonIsExplained() throws {
        let code = try Self.sources()
        let page = try String(contentsOf: CanaryFieldsTests.repository.appendingPathComponent("docs/troubleshooting.md"), encoding: .utf8)
        let valid = try Self.captures(#"InvalidCanary\(reason: "([A-Za-z]+)""#, in: code)
            .union(Self.captures(#"markInvalid\([^)]*reason: "([A-Za-z]+)""#, in: code))
        let slots = try Self.captures(#"\.slot\(status: "[A-Za-z]+", reason: "([A-Za-z]+)""#, in: code)
        let bake = try Self.captures(#"\("(?:True|False)", "([A-Za-z]+)"\)"#, in: code)
        let events = try Self.captures(#"record(?:Once)?\([^)]*reason: "([A-Za-z]+)""#, in: code)
        let phases = Set(CanaryPhase.allCases.map(\.rawValue))
        #expect(valid.count >= 5 && slots.count >= 4 && bake.count >= 4 && events.contains("Synced"), "the scan finds the reasons")
        for reason in valid.union(slots).union(bake).union(events).union(phases).sorted() {
            #expect(page.contains("`\(reason)`"), "docs/troubleshooting.md does not explain the reason \(reason)")
        }
    }
}
