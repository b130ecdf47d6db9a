import AsyncHTTPClient
import ChildProcesses
import Foundation
import KubeCore
import NIOCore
import NIOHTTP1

/// A real headless Chromium (Debian's `chromium`), driven over the W3C WebDriver protocol by `chromedriver`
/// (Debian's `chromium-driver`), for the dashboard's browser tests: open a page, read and click elements as a
/// user would, accept a confirmation, take a screenshot.
public final class HeadlessBrowser: Sendable {
    private let process: SpawnedProcess
    private let base: String
    private let session: String
    private let folder: String

    /// Starts chromedriver on a free port and a session with a headless Chromium (1280×900).
    ///
    /// - Throws: ``SetupFailure`` naming what is missing (`scripts/install-deps.sh chromium chromedriver`)
    ///   or what chromedriver answered.
    public static func start() async throws -> HeadlessBrowser {
        for program in ["chromium", "chromedriver"] where !FileManager.default.isExecutableFile(atPath: "/usr/bin/\(program)") {
            throw SetupFailure(description: "/usr/bin/\(program) is missing: run scripts/install-deps.sh chromium chromedriver")
        }
        let port = try PrometheusServer.freePort()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serin-browser-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = folder + "/chromedriver.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let null = try FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
        defer { for handle in [output, null] { try? handle.close() } }
        let process = try SpawnedProcess(
            path: "/usr/bin/chromedriver", arguments: ["--port=\(port)"], environment: ProcessInfo.processInfo.environment,
            standardInput: null.fileDescriptor, standardOutput: output.fileDescriptor, standardError: output.fileDescriptor)
        let base = "http://127.0.0.1:\(port)"
        do {
            try await waitForDriver(base, process: process)
            let capabilities: JSONValue = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": "/usr/bin/chromium",
                            "args": [
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                                .string("--user-data-dir=\(folder)/profile"),
                            ],
                        ],
                    ]
                ]
            ]
            let created = try await call(base, .POST, "/session", capabilities)
            guard let session = created[path: "value", "sessionId"]?.stringValue else {
                throw SetupFailure(description: "chromedriver started no session: \(created)")
            }
            return HeadlessBrowser(process: process, base: base, session: session, folder: folder)
        } catch {
            await ProcessGroup.stop(process)
            throw error
        }
    }

    private init(process: SpawnedProcess, base: String, session: String, folder: String) {
        self.process = process
        self.base = base
        self.session = session
        self.folder = folder
    }

    /// Navigates to `url` and waits for the page to load.
    public func open(_ url: String) async throws { _ = try await command(.POST, "/url", ["url": .string(url)]) }

    /// The text of the first element matching `css` (trimmed), `nil` when there is none; read in one step, so
    /// a page redrawing the element meanwhile cannot make it stale.
    public func text(_ css: String) async throws -> String? {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;"
        return try await command(.POST, "/execute/sync", ["script": .string(script), "args": [.string(css)]])["value"]?.stringValue
    }

    /// Clicks the first element matching `css`.
    public func click(_ css: String) async throws {
        guard let element = try await find(css) else { throw SetupFailure(description: "no element matches \(css)") }
        _ = try await command(.POST, "/element/\(element)/click", [:])
    }

    /// Accepts the page's `confirm()` (or alert); its text.
    public func acceptPrompt() async throws -> String? {
        let text = try await command(.GET, "/alert/text")["value"]?.stringValue
        _ = try await command(.POST, "/alert/accept", [:])
        return text
    }

    /// Runs `script` in the page; its result.
    public func run(_ script: String) async throws -> JSONValue {
        try await command(.POST, "/execute/sync", ["script": .string(script), "args": []])["value"] ?? .null
    }

    /// The page as PNG.
    public func screenshot() async throws -> Data {
        guard let text = try await command(.GET, "/screenshot")["value"]?.stringValue, let data = Data(base64Encoded: text) else {
            throw SetupFailure(description: "chromedriver returned no screenshot")
        }
        return data
    }

    /// Ends the session and chromedriver.
    public func quit() async {
        _ = try? await HeadlessBrowser.call(base, .DELETE, "/session/\(session)", nil)
        await ProcessGroup.stop(process)
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func find(_ css: String) async throws -> String? {
        let answer = try await command(.POST, "/element", ["using": "css selector", "value": .string(css)], allowing: [404])
        return answer[path: "value", "element-6066-11e4-a52e-4f735466cecf"]?.stringValue
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, allowing: Set<Int> = []) async throws -> JSONValue {
        try await HeadlessBrowser.call(base, method, "/session/\(session)\(path)", body, allowing: allowing)
    }

    private static func call(
        _ base: String, _ method: HTTPMethod, _ path: String, _ body: JSONValue?, allowing: Set<Int> = []
    ) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let json = try JSONValue(parsing: Array(buffer: try await response.body.collect(upTo: 32 << 20)))
        guard response.status.code == 200 || allowing.contains(Int(response.status.code)) else {
            throw SetupFailure(
                description: "WebDriver \(method) \(path): \(response.status.code) \(json[path: "value", "message"]?.stringValue ?? "")")
        }
        return json
    }

    private static func waitForDriver(_ base: String, process: SpawnedProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if let status = try? await call(base, .GET, "/status", nil), status[path: "value", "ready"] == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SetupFailure(description: "chromedriver did not get ready on \(base)")
    }
}
