import Foundation
import Testing

/// The reference pages (`docs/reference`) are generated from the commands and the CRDs: a flag, a command or
/// a CRD field added without regenerating them (`make reference`) fails here, so they cannot drift.
@Suite struct ReferencePagesTests {
    @Test(arguments: ["cli.md", "crds.md"])
    func theReferencePageIsUpToDate(_ page: String) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("serin-reference-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let crds = SerinBinary.repository.appendingPathComponent("crds").path
        let (status, log) = try await SerinBinary.run(["reference", "--output", output.path, "--crds", crds])
        #expect(status == 0, "\(log)")
        let generated = try String(contentsOf: output.appendingPathComponent(page), encoding: .utf8)
        let committed = try String(contentsOf: SerinBinary.repository.appendingPathComponent("docs/reference/\(page)"), encoding: .utf8)
        let line = zip(
            generated.split(separator: "\n", omittingEmptySubsequences: false), committed.split(separator: "\n", omittingEmptySubsequences: false)
        )
        .enumerated().first { $0.element.0 != $0.element.1 }
        #expect(
            generated == committed,
            "docs/reference/\(page) is out of date: run `make reference` (first difference at line \((line?.offset ?? 0) + 1): \(line.map { "\"\($0.element.1)\" instead of \"\($0.element.0)\"" } ?? "length"))"
        )
        #expect(generated.contains(page == "cli.md" ? "## serin operator" : "| `spec.analysis.steps[].setHeaderRoute` |"))
    }
}
