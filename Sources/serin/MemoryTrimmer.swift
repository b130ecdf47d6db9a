#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the allocator keeps after it was freed back to the system, every `period`.
///
/// A large fleet's caches are listed and each burst of watch events is decoded and dropped; glibc keeps
/// what was freed in its arenas, so resident memory stays near the high-water mark of start-up.
/// `malloc_trim` returns the free pages. Looked up at run time (glibc's `malloc.h` is not in Swift's
/// Glibc module); elsewhere than glibc this does nothing.
enum MemoryTrimmer {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        #if canImport(Glibc)
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(address, to: type)
        #else
        return nil
        #endif
    }

    /// Caps glibc's arenas (by default up to 8 per core, each holding freed memory apart) at 2.
    static func limitArenas() {
        _ = symbol("mallopt", as: Option.self)?(-8, 2)  // M_ARENA_MAX
    }

    /// Trims every `period` until cancelled.
    static func run(every period: Duration) async {
        guard let trim = symbol("malloc_trim", as: Trim.self) else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            _ = trim(0)
        }
    }
}
