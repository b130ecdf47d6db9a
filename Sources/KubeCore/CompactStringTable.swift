import Synchronization

/// The strings of a ``CompactJSONCodec``: entered once, never changed or removed, so reads need no lock.
///
/// Entries live in storage allocated once for `capacity` strings; an entry is written before the count
/// that covers it is published (release), and a reader reads only below the count it loaded (acquire).
final class CompactStringTable: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<String>
    private let capacity: Int
    private let published = Atomic<Int>(0)
    private let ids = Mutex<[String: UInt32]>([:])

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: published.load(ordering: .acquiring))
        storage.deallocate()
    }

    var count: Int { published.load(ordering: .acquiring) }

    /// The strings entered so far; valid as long as the table lives.
    var snapshot: UnsafeBufferPointer<String> { UnsafeBufferPointer(start: storage, count: count) }

    /// `string`'s number, entered now if it is new and the table is not full.
    func id(of string: String) -> UInt32? {
        ids.withLock { ids in
            if let id = ids[string] { return id }
            let next = ids.count
            guard next < capacity else { return nil }
            (storage + next).initialize(to: string)
            ids[string] = UInt32(next)
            published.store(next + 1, ordering: .releasing)
            return UInt32(next)
        }
    }
}
