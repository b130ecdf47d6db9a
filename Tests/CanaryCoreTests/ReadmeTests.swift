import Foundation
import Testing

/// The README's comparison with Flagger and Argo Rollouts cannot drift from the compatibility page: every
/// name the Serin column cites is on it.
@Suite struct ReadmeTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: CanaryFieldsTests.repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// The rows of the table under `heading`, split into cells (header and separator left out).
    static func table(under heading: String, in text: String) -> [[String]] {
        guard let start = text.range(of: heading) else { return [] }
        let section = String(text[start.upperBound...]).components(separatedBy: "\n## ").first ?? ""
        return section.split(separator: "\n").filter { $0.hasPrefix("| ") }.dropFirst(2).map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The names in backticks of a cell.
    static func cited(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }

    @Test func everyNameTheComparisonCitesForSerinIsOnTheCompatibilityPage() throws {
        let readme = try Self.read("README.md"), compatibility = try Self.read("docs/compatibility.md")
        let rows = Self.table(under: "## Serin, Flagger and Argo Rollouts", in: readme)
        #expect(rows.count >= 8, "the comparison table: \(rows.count) rows")
        for row in rows {
            #expect(row.count == 4, "a row for Serin, Flagger and Argo Rollouts: \(row)")
            let names = Self.cited(row.count > 1 ? row[1] : "")
            for name in names {
                #expect(
                    compatibility.contains(name),
                    "README cites `\(name)` for Serin (\(row.first ?? "")), which docs/compatibility.md does not mention")
            }
        }
        #expect(rows.contains { !Self.cited($0.count > 1 ? $0[1] : "").isEmpty }, "the Serin column cites what it claims")
    }

    @Test func theReadmeOpensWithTheTwoCommands() throws {
        let readme = try Self.read("README.md")
        let firstBlock = readme.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first ?? ""
        #expect(firstBlock.hasPrefix("make demo") && firstBlock.contains("\nmake test"), "\(firstBlock)")
    }
}
