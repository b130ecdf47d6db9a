import Foundation
import Yams

/// Loads kubeconfig files the way kubectl does.
///
/// ## Expected flow
/// 1. The files: an explicit path (`--kubeconfig`), else every file named in `KUBECONFIG` (colon-separated;
///    missing files are skipped), else `~/.kube/config`.
/// 2. Each file is parsed; relative paths in it (`certificate-authority`, `client-certificate`, `client-key`,
///    `tokenFile`, an exec `command` containing `/`) are resolved against that file's folder.
/// 3. Files are merged as kubectl merges them: the first file that defines a cluster, user or context name
///    wins, and the first file that sets `current-context` wins.
/// 4. ``configuration(context:)`` picks a context and turns it into a ``ClientConfiguration``.
///
/// ## Errors
/// Every failure is a ``KubeconfigError`` naming the file and the key at fault.
public struct KubeconfigLoader: Sendable {
    /// A named entry and where it was defined.
    struct Sourced<Value: Sendable>: Sendable {
        var value: Value
        var file: String
        /// The key path of the entry in its file, for example `users[2].user`.
        var key: String
    }

    var files: [String]
    var currentContext: Sourced<String>?
    var clusters: [String: Sourced<Cluster>] = [:]
    var users: [String: Sourced<User>] = [:]
    var contexts: [String: Sourced<Context>] = [:]

    /// Loads and merges the given files, in order.
    public init(files: [String]) throws(KubeconfigError) {
        self.files = files
        for file in files {
            let parsed = try KubeconfigLoader.parse(file: file)
            merge(parsed, from: file)
        }
    }

    /// Loads the kubeconfig kubectl would use: `explicitPath`, else `KUBECONFIG`, else `~/.kube/config`.
    ///
    /// - Parameter environment: the process environment (injected for tests).
    public init(
        explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(KubeconfigError)
    {
        try self.init(files: KubeconfigLoader.files(explicitPath: explicitPath, environment: environment))
    }

    /// The files kubectl would read, in merge order.
    public static func files(explicitPath: String?, environment: [String: String]) throws(KubeconfigError) -> [String] {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeconfigError(file: explicitPath, key: nil, reason: "no such file")
            }
            return [explicitPath]
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let existing = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
            guard !existing.isEmpty else {
                throw KubeconfigError(file: nil, key: nil, reason: "none of the files in KUBECONFIG=\(list) exists")
            }
            return existing
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = (home as NSString).appendingPathComponent(".kube/config")
        guard FileManager.default.fileExists(atPath: path) else {
            throw KubeconfigError(file: path, key: nil, reason: "no such file (set --kubeconfig or KUBECONFIG)")
        }
        return [path]
    }

    private mutating func merge(_ file: KubeconfigFile, from path: String) {
        if currentContext == nil, let name = file.currentContext, !name.isEmpty {
            currentContext = Sourced(value: name, file: path, key: "current-context")
        }
        for (index, entry) in (file.clusters ?? []).enumerated() where clusters[entry.name] == nil {
            clusters[entry.name] = Sourced(value: entry.cluster, file: path, key: "clusters[\(index)].cluster")
        }
        for (index, entry) in (file.users ?? []).enumerated() where users[entry.name] == nil {
            users[entry.name] = Sourced(value: entry.user, file: path, key: "users[\(index)].user")
        }
        for (index, entry) in (file.contexts ?? []).enumerated() where contexts[entry.name] == nil {
            contexts[entry.name] = Sourced(value: entry.context, file: path, key: "contexts[\(index)].context")
        }
    }

    /// The name of the context that would be used when none is given.
    public var currentContextName: String? { currentContext?.value }

    /// The names of every context, sorted.
    public var contextNames: [String] { contexts.keys.sorted() }
}

// MARK: - Parsing one file

extension KubeconfigLoader {
    static func parse(file: String) throws(KubeconfigError) -> KubeconfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw KubeconfigError(file: file, key: nil, reason: "cannot read the file: \(error.localizedDescription)")
        }
        if text.allSatisfy(\.isWhitespace) { return KubeconfigFile() }
        var parsed: KubeconfigFile
        do {
            let parser = try Parser(yaml: text, resolver: yamlResolver(for: text))
            // The nodes hold anchors weakly: the parser keeps them alive while the file is decoded.
            parsed = try withExtendedLifetime(parser) {
                try YAMLDecoder().decode(KubeconfigFile.self, from: try parser.singleRoot() ?? "")
            }
        } catch let error as DecodingError {
            throw decodingError(error, file: file)
        } catch {
            throw KubeconfigError(file: file, key: nil, reason: "not valid YAML: \(error)")
        }
        let folder = (file as NSString).deletingLastPathComponent
        parsed.resolvePaths(relativeTo: folder)
        return parsed
    }

    /// The resolver of YAML merge keys (`<<`) that Yams's decoder uses, for a file that has `<<` somewhere,
    /// and otherwise none: the rule is a regular expression, and compiling it on first use loads ICU's
    /// Unicode property tables (about 0.2 MiB resident for the process's life) into an operator that
    /// reads one small file at start. A file without `<<` cannot hold a merge key, so nothing else changes.
    static func yamlResolver(for text: String) -> Resolver { text.contains("<<") ? Resolver.basic.appending(.merge) : .basic }

    static func decodingError(_ error: DecodingError, file: String) -> KubeconfigError {
        switch error {
        case .typeMismatch(let type, let context):
            return KubeconfigError(file: file, key: keyPath(context.codingPath), reason: "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return KubeconfigError(file: file, key: keyPath(context.codingPath), reason: "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return KubeconfigError(file: file, key: keyPath(context.codingPath + [key]), reason: "required key is missing")
        case .dataCorrupted(let context):
            return KubeconfigError(file: file, key: keyPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return KubeconfigError(file: file, key: nil, reason: "\(error)")
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String? {
        guard !path.isEmpty else { return nil }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = "\(type)"
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type: return "a number"
        default: return name.contains("Sequence") || name.hasPrefix("Array") ? "a list" : "a mapping"
        }
    }
}

extension KubeconfigFile {
    /// Makes every relative path absolute against `folder`, as kubectl does for each file it loads.
    mutating func resolvePaths(relativeTo folder: String) {
        func resolve(_ path: String?) -> String? {
            guard let path, !path.isEmpty, !path.hasPrefix("/") else { return path }
            return (folder as NSString).appendingPathComponent(path)
        }
        for index in (clusters ?? []).indices {
            clusters![index].cluster.certificateAuthority = resolve(clusters![index].cluster.certificateAuthority)
        }
        for index in (users ?? []).indices {
            users![index].user.clientCertificate = resolve(users![index].user.clientCertificate)
            users![index].user.clientKey = resolve(users![index].user.clientKey)
            users![index].user.tokenFile = resolve(users![index].user.tokenFile)
            if let command = users![index].user.exec?.command, command.contains("/") {
                users![index].user.exec?.command = resolve(command) ?? command
            }
        }
    }
}
