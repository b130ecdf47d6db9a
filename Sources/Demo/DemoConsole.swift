import Foundation

/// The demo's terminal output: lines written at once, colours and bars only when the terminal supports them.
public struct DemoConsole: Sendable {
    public let color: Bool
    let write: @Sendable (String) -> Void

    public init(color: Bool, write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.color = color
        self.write = write
    }

    func line(_ text: String = "") { write(text) }

    /// An act's title.
    func act(_ number: Int, _ title: String) {
        line()
        line(style("== \(number). \(title)", "1;36"))
    }

    func note(_ text: String) { line(style("   \(text)", "2")) }

    func ok(_ text: String) { line("   " + style(color ? "✓" : "ok", "32") + " " + text) }

    func warn(_ text: String) { line("   " + style(color ? "✗" : "!!", "31") + " " + style(text, "33")) }

    func fail(_ text: String) { line(style("demo: \(text)", "1;31")) }

    /// A weight bar: `[██████░░░░░░░░░░░░░░]  30%`.
    func bar(_ weight: Int, width: Int = 20) -> String {
        let filled = max(0, min(width, (weight * width + 50) / 100))
        let (full, empty) = color ? ("█", "░") : ("#", ".")
        let bar = String(repeating: full, count: filled) + String(repeating: empty, count: width - filled)
        return "[" + style(bar, "32") + "] " + String(repeating: " ", count: max(0, 3 - String(weight).count)) + "\(weight)%"
    }

    func style(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}
