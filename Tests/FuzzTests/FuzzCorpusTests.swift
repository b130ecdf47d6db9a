import Foundation
import FuzzTargets
import Testing

/// Every input in `Fuzz/corpus/<target>/` (seeds, and inputs that once crashed a target) runs through its
/// target on every test run: a fixed crash stays fixed. `scripts/fuzz.sh` looks for new ones.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func everyCommittedInputRunsThroughItsTargetWithoutBreakingAProperty(target: FuzzTarget) throws {
        let directory = FuzzCorpusTests.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!files.isEmpty, "Fuzz/corpus/\(target.rawValue) has inputs")
        for file in files {
            let problems = target.run(Array(try Data(contentsOf: directory.appendingPathComponent(file))))
            #expect(problems.isEmpty, "\(target.rawValue)/\(file): \(problems)")
        }
    }
}
