import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import Routers
import SerinTesting
import Testing

/// Every YAML example in `docs/` is applied to the sandbox (with Serin's CRDs and every simulated mesh's), and
/// every Canary among them passes Serin's own validation, so no example can rot. A block that is only part of
/// an object, or another tool's, is marked `<!-- fragment -->` (or `<!-- fragment: why -->`) on the line before it
/// and skipped.
@Suite struct DocsExamplesTests {
    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var text: String
        var description: String { "\(file):\(line)" }
    }

    static let marker = "<!-- fragment -->"

    /// The ```yaml blocks of the Markdown files under `docs/`, without those marked as fragments.
    static func blocks() throws -> (examples: [Block], fragments: Int) {
        let docs = SerinBinary.repository.appendingPathComponent("docs")
        let files = (FileManager.default.enumerator(at: docs, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
        var examples: [Block] = [], fragments = 0
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            var index = 0
            while index < lines.count {
                guard lines[index].trimmingCharacters(in: .whitespaces) == "```yaml" else {
                    index += 1
                    continue
                }
                let start = index
                let indent = lines[index].prefix { $0 == " " }.count
                var body: [String] = []
                index += 1
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                    body.append(String(lines[index].dropFirst(min(indent, lines[index].prefix { $0 == " " }.count))))
                    index += 1
                }
                let before = lines[..<start].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
                if before.trimmingCharacters(in: .whitespaces).hasPrefix(marker.dropLast(4)) {
                    fragments += 1
                } else {
                    examples.append(
                        Block(
                            file: file.path.replacingOccurrences(of: docs.path + "/", with: "docs/"), line: start + 1,
                            text: body.joined(separator: "\n")))
                }
                index += 1
            }
        }
        return (examples, fragments)
    }

    @Test func everyYAMLExampleInTheDocsIsAcceptedAndEveryCanaryInThemIsValid() async throws {
        let (examples, fragments) = try Self.blocks()
        #expect(examples.count >= 20, "\(examples.count) examples, \(fragments) fragments")
        var options = Sandbox.Options()
        options.simulateTraffic = false
        options.meshes = SimulatedMesh.all
        try await Sandbox.with(options) { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let context = RouterRegistry.validationContext(routers: RouterRegistry.implemented, targets: Set(TargetKind.allCases))
            var canaries = 0
            // Every namespace the examples use, made in one call.
            let namespaces = try examples.reduce(into: Set<String>()) { $0.formUnion(try Self.namespaces(in: $1.text)) }
            try await kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: namespaces.sorted().map { "apiVersion: v1\nkind: Namespace\nmetadata: {name: \($0)}" }.joined(separator: "\n---\n"))
            for block in examples {
                #expect(block.text.contains("apiVersion:") && block.text.contains("kind:"), "\(block): not an object; mark it \(Self.marker)")
                let applied = try await kubectl.run(["apply", "-o", "json", "-f", "-"], stdin: block.text)
                #expect(applied.status == 0, "\(block) is refused: \(applied.stderr)")
                guard applied.status == 0 else { continue }
                let output = try JSONValue(parsing: applied.stdout)
                for object in output["items"]?.arrayValue ?? [output] where object["kind"] == "Canary" {
                    canaries += 1
                    let canary = try object.decode(as: Canary.self)
                    let issues = canary.validate(context) + Canary.refusedFields(in: object["spec"] ?? [:])
                    #expect(issues.isEmpty, "\(block): the Canary \(canary.namespace)/\(canary.metadata.name ?? ""): \(issues)")
                }
            }
            #expect(canaries >= 10, "the docs' Canaries: \(canaries)")
        }
    }

    /// The namespaces a block's objects live in, to create before applying it.
    static func namespaces(in text: String) throws -> Set<String> {
        let expression = try NSRegularExpression(pattern: #"namespace: ([a-z0-9-]+)"#)
        let range = NSRange(text.startIndex..., in: text)
        return Set(expression.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }
}
