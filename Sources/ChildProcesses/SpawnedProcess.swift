import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What ``ProcessGroup`` needs of a running child: Foundation's `Process`, or a ``SpawnedProcess``.
public protocol ChildProcess: AnyObject, Sendable {
    var processIdentifier: Int32 { get }
    var isRunning: Bool { get }
    var terminationStatus: Int32 { get }
    /// The program and its arguments, for messages.
    var commandLine: String { get }
}

extension Process: ChildProcess {
    public var commandLine: String { ([executableURL?.lastPathComponent ?? "?"] + (arguments ?? [])).joined(separator: " ") }
}

/// A child started with `posix_spawn` as the leader of a process group of its own, with every signal unblocked
/// and at its default disposition. Foundation's `Process.run()` on Linux scans `/proc/self/fd` with a 256-byte
/// copy of each directory entry, which reads past glibc's buffer and crashes a process with many open files
/// (swift-corelibs-foundation#5472, fixed after Swift 6.3): short-lived programs (kubectl, Python checks) are
/// started this way instead.
public final class SpawnedProcess: ChildProcess, @unchecked Sendable {
    public let processIdentifier: Int32
    public let commandLine: String
    private let lock = NSLock()
    private var status: Int32?
    private var signalled = false

    /// Starts `path` with `arguments` (the program's name is added as `argv[0]`), `environment` as its whole
    /// environment, and the given descriptors as its standard input, output and error.
    public init(
        path: String, arguments: [String], environment: [String: String], standardInput: Int32, standardOutput: Int32, standardError: Int32
    )
        throws
    {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        for (descriptor, target) in [(standardInput, Int32(0)), (standardOutput, 1), (standardError, 2)] {
            posix_spawn_file_actions_adddup2(&actions, descriptor, target)
        }
        // Only those three: a descriptor of this process inherited by a child (another child's stdin pipe, a
        // server's socket) stays open as long as the child lives, so a pipe never reaches EOF and a closed
        // listener keeps its port (a parallel test's kubectl waited on its stdin for two minutes).
        // glibc 2.34 and later; Swift's Glibc module does not import it. Without it (an older glibc) children
        // inherit what is not close-on-exec, as before.
        if let closeFrom = SpawnedProcess.addCloseFrom { _ = closeFrom(&actions, 3) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CocoaError(
                .executableLoad,
                userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "failed to start \(path): \(String(cString: strerror(result)))"])
        }
        processIdentifier = pid
        commandLine = ([URL(fileURLWithPath: path).lastPathComponent] + arguments).joined(separator: " ")
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, looked up once.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Whether it still runs; reaps it (once) when it has exited.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard status == nil else { return false }
        var raw: Int32 = 0
        let reaped = waitpid(processIdentifier, &raw, WNOHANG)
        guard reaped == processIdentifier || reaped == -1 else { return true }
        // Exited: its code; killed by a signal: the signal's number, as Foundation reports an uncaught signal.
        let signal = raw & 0x7f
        status = reaped == -1 ? -1 : (signal == 0 ? (raw >> 8) & 0xff : signal)
        signalled = reaped != -1 && signal != 0
        return false
    }

    /// Asks it to stop (`SIGTERM`), as Foundation's `Process.terminate()`.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    /// Whether a signal ended it (``terminationStatus`` is then the signal's number); meaningful once
    /// ``isRunning`` is false.
    public var terminatedBySignal: Bool {
        lock.lock()
        defer { lock.unlock() }
        return signalled
    }

    /// The exit code (or the signal that ended it); meaningful once ``isRunning`` is false.
    public var terminationStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        return status ?? -1
    }
}
