import ChildProcesses
import CanaryAPI
import Foundation
import Hummingbird
import KubeSandbox
@testable import LocalCluster
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// The `graphite` provider against a real graphite-web (Debian's `graphite-carbon` and `graphite-web`, started
/// by `GraphiteServer`): the answers Graphite itself writes, not a stand-in's.
@Suite struct RealGraphiteTests {
    @Test func theProviderReadsWhatARealGraphiteAnswers() async throws {
        let stopped = try await GraphiteServer.with { graphite in
            try await Self.checkAnswers(of: graphite)
            return graphite
        }
        // SIGTERM ended both programs, not the SIGKILL that ProcessGroup sends when SIGTERM is ignored.
        for process in [stopped.carbon, stopped.web] {
            #expect(!process.isRunning && process.terminationStatus != SIGKILL)
        }
    }

    static func checkAnswers(of graphite: GraphiteServer) async throws {
        // Three seconds of a workload answering 5 requests a second, half of them errors; one huge point.
        let now = Int(Date().timeIntervalSince1970)
        let points = (1...3).flatMap { ago in
            [
                GraphiteServer.Point(path: "app.requests.total", value: 5, timestamp: now - ago),
                GraphiteServer.Point(path: "app.requests.errors", value: 2.5, timestamp: now - ago),
            ]
        }
        try await graphite.write(points + [GraphiteServer.Point(path: "app.huge", value: 1e308, timestamp: now - 1)])
        let paths = ["app.requests.total", "app.requests.errors", "app.huge"]
        let readable = try await eventually(timeout: .seconds(30)) {
            for path in paths where try await !graphite.hasSeries(path) { return false }
            return true
        }
        try #require(readable, "carbon made the series' files")

        let provider = try GraphiteProvider(config: MetricProviderConfig(address: graphite.url, http: OutboundHTTP(proxies: ProxySettings())))
        #expect(await provider.isOnline())
        #expect(try await provider.query("target=app.requests.total&from=-1min") == 5)
        // Flagger's template shape, with its line breaks and spaces.
        let successRate = """
            target=summarize(
              asPercent(
                diffSeries(sumSeries(app.requests.total), sumSeries(app.requests.errors)),
                sumSeries(app.requests.total)
              ),
              '10s',
              'avg'
            )&from=-1min
            """
        #expect(try await provider.query(successRate) == 50)
        // As a series the window replaces the query's `from` (Unix seconds): the three points, nulls dropped.
        let series = try await provider.series("target=app.requests.total&from=-1s", window: .seconds(60), resolution: .seconds(1))
        #expect(series == [5, 5, 5])
        let summarized = try await provider.series("target=summarize(app.requests.errors,'1s','sum')", window: .seconds(60), resolution: .seconds(1))
        #expect(summarized == [2.5, 2.5, 2.5], "`{{ interval }}` renders as `1s`, a step graphite-web reads")
        await #expect(throws: MetricError.noValues) { try await provider.query("target=app.nothing&from=-1min") }
        // graphite-web writes the overflow as `1e9999`.
        await #expect(throws: MetricError.notFinite("inf")) { try await provider.query("target=scale(app.huge,10)&from=-1min") }
        // Graphite's minute is `min`: `'1m'` (a Go duration) fails in graphite-web, and the check says so.
        let minute = await #expect(throws: MetricError.self) { try await provider.query("target=summarize(app.huge,'1m','avg')&from=-1min") }
        #expect(minute?.kind == .query && minute?.message.hasPrefix("graphite: 500") == true, "\(String(describing: minute))")
    }

    /// A program that does not come up fails the start at once, named, with the end of its output.
    @Test func aCarbonThatCannotTakeItsPortIsNamedWithTheEndOfItsOutput() async throws {
        let responder = CallbackResponder<BasicRequestContext> { _, _ in Response(status: .ok) }
        try await StubServer.serve(responder) { taken in
            let ports = GraphiteServer.Ports(line: taken, query: try FreePort.next(), web: try FreePort.next())
            let started = ContinuousClock.now
            // On given ports there is no second try (``GraphiteServer/start()`` takes three new ones).
            let failure = await #expect(throws: GraphiteServer.ProgramExited.self) {
                await (try await GraphiteServer.start(ports: ports)).stopAndWait()
            }
            let text = failure?.description ?? ""
            #expect(text.hasPrefix("failed to start carbon-cache: it exited") && text.contains("Address already in use"), "\(text)")
            #expect(ContinuousClock.now - started < GraphiteServer.startTimeout / 2, "not a timeout")
        }
    }
}
