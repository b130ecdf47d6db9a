/// Which commands the load tester runs: anything through a shell (Flagger's behaviour, the default), or only
/// allowed programs run directly (`--allow hey,curl`).
///
/// With an allowlist, a command is split into words (single and double quotes and backslashes as in a
/// shell), must not use shell syntax (pipes, redirections, `;`, `&`, `$`, backquotes, parentheses) and its
/// first word must name an allowed program; it then runs without a shell.
public struct CommandPolicy: Sendable, Equatable {
    /// The allowed program names; `nil` allows anything through `sh -c`.
    public var allowed: Set<String>?

    public init(allowed: Set<String>? = nil) { self.allowed = allowed }

    /// How to run a command.
    public struct Invocation: Sendable, Equatable {
        public var executable: String
        public var arguments: [String]
    }

    /// The refusal of a command, worded for the webhook's answer.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The invocation of `command` with `shell` (`sh` for cmd tasks, `bash` for bash tasks), or why not.
    public func invocation(of command: String, shell: String) -> Result<Invocation, Refusal> {
        guard let allowed else { return .success(Invocation(executable: shell, arguments: ["-c", command])) }
        let words: [String]
        switch CommandPolicy.split(command) {
        case .success(let split): words = split
        case .failure(let refusal): return .failure(refusal)
        }
        guard let program = words.first else { return .failure(Refusal(description: "empty command")) }
        let name = program.split(separator: "/").last.map(String.init) ?? program
        guard allowed.contains(name) else {
            return .failure(Refusal(description: "program \"\(name)\" is not allowed (--allow \(allowed.sorted().joined(separator: ",")))"))
        }
        return .success(Invocation(executable: program, arguments: Array(words.dropFirst())))
    }

    /// Shell-like word splitting that refuses shell syntax outside quotes.
    static func split(_ command: String) -> Result<[String], Refusal> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in command {
            if escaped { current.append(character); escaped = false; continue }
            if let open = quote {
                if character == open { quote = nil } else if character == "\\" && open == "\"" { escaped = true } else { current.append(character) }
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "'", "\"": quote = character; inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "|", ";", "&", "$", "`", "<", ">", "(", ")":
                return .failure(Refusal(description: "shell syntax \"\(character)\" is not allowed when --allow is set"))
            default: current.append(character); inWord = true
            }
        }
        if quote != nil { return .failure(Refusal(description: "unterminated quote")) }
        if inWord { words.append(current) }
        return .success(words)
    }
}
