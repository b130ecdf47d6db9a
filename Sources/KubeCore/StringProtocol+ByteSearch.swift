extension StringProtocol {
    /// Whether `needle`'s UTF-8 bytes occur in this string's.
    ///
    /// A byte comparison: Foundation's `contains` goes through `NSString`, and the standard library's
    /// generic collection search is not specialised for UTF-8 views; either costs tens of thousands of
    /// instructions on a pod template where this costs its length.
    public func containsBytes(_ needle: some StringProtocol) -> Bool {
        let found = utf8.withContiguousStorageIfAvailable { haystack in
            needle.utf8.withContiguousStorageIfAvailable { needle in StringByteSearch.contains(haystack, needle) }
        }
        if let found, let found { return found }
        return StringByteSearch.contains(Array(utf8), Array(needle.utf8))
    }
}

enum StringByteSearch {
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        let last = haystack.count - needle.count
        var index = 0
        while index <= last {
            if haystack[index] == first, memcmp(haystack, index, needle) { return true }
            index += 1
        }
        return false
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { haystack in needle.withUnsafeBufferPointer { contains(haystack, $0) } }
    }

    private static func memcmp(_ haystack: UnsafeBufferPointer<UInt8>, _ start: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 1
        while offset < needle.count {
            guard haystack[start + offset] == needle[offset] else { return false }
            offset += 1
        }
        return true
    }
}
