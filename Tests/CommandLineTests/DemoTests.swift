import Foundation
import Testing

/// Runs the real `serin demo` binary, as `make demo` does, without a terminal (plain output).
@Suite struct DemoTests {
    @Test func theDemoPromotesTheGoodReleaseAndRollsBackTheBadOne() async throws {
        let (status, text) = try await SerinBinary.run(["demo"], environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(text)")
        #expect(!text.contains("\u{1B}["), "no colour codes without a terminal")
        for expected in [
            "get canaries -n demo -w", "describe canary httpbin -n demo", "deploy/httpbin-primary",
            "Advance httpbin.demo canary weight 60", "Promotion completed! Scaling down httpbin.demo",
            "Rolling back httpbin.demo failed checks threshold reached 3", "promoted in", "rolled back in",
            "primary now runs      kennethreitz/httpbin:v2", "The story happened as expected.",
            "** alert [info] httpbin.demo: New revision detected, progressing canary analysis.",
            "** alert [info] httpbin.demo: Canary analysis completed successfully, promotion finished.",
            "** alert [error] httpbin.demo: Failed checks threshold reached 3",
            "the P99 check passed every step", "the judge: mean-latency vs baseline: canary +", "→ high",
            "slower release (v4)   rolled back by the judge",
        ] {
            #expect(text.contains(expected), "missing \"\(expected)\" in:\n\(text)")
        }
        #expect(text.contains("[####################] 100%"), "a weight bar reached 100%")
    }
}
