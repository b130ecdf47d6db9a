import AsyncHTTPClient
import KubeCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The events of a watch, read from the streaming response body one JSON line at a time.
///
/// Lines may arrive split across any number of chunks, or several in one chunk. The sequence ends when the
/// server closes the stream (for example after `timeoutSeconds`); it throws ``KubeAPIError`` for an `ERROR`
/// event and ``KubeClientError`` for a broken connection or a line that is not JSON. An object that cannot
/// be decoded (nested too deep, a field that does not fit its type) is ``WatchEvent/skipped(_:deleted:)``,
/// named: it never stops the watch.
public struct WatchStream<Object: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>

    let body: HTTPClientResponse.Body
    let url: String
    /// ``WatchOptions/withoutManagedFields``.
    var withoutManagedFields = false

    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: body.makeAsyncIterator(), url: url, withoutManagedFields: withoutManagedFields)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        let url: String
        let withoutManagedFields: Bool
        /// Received bytes; those before `start` were handed out already (dropped when the next chunk comes,
        /// not once per line).
        var buffer: [UInt8] = []
        var start = 0
        /// Where the search for the next newline goes on: the bytes from `start` up to it hold none.
        var scanned = 0
        var finished = false

        public mutating func next() async throws -> WatchEvent<Object>? {
            while true {
                if let line = takeLine() {
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    return try WatchStream.decodeEvent(line, url: url, withoutManagedFields: withoutManagedFields)
                }
                if finished { return nil }
                let chunk: ByteBuffer?
                do {
                    chunk = try await chunks.next()
                } catch {
                    throw KubeClientError.transport("read WATCH \(url)", error)
                }
                if start > 0 {
                    buffer.removeSubrange(..<start)
                    (scanned, start) = (scanned - start, 0)
                }
                if let chunk {
                    buffer.append(contentsOf: chunk.readableBytesView)
                } else {
                    finished = true
                    if !buffer.isEmpty { buffer.append(UInt8(ascii: "\n")) }  // a last line without newline
                }
            }
        }

        /// The index of the first newline at or after `offset`, found by `memchr` (a watch event's line is
        /// kilobytes long, and a byte-by-byte search cost three instructions a byte).
        static func newline(in buffer: [UInt8], from offset: Int) -> Int? {
            buffer.withUnsafeBufferPointer { bytes in
                guard offset < bytes.count, let base = bytes.baseAddress,
                    let found = memchr(base + offset, Int32(UInt8(ascii: "\n")), bytes.count - offset)
                else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
        }

        /// The next complete line, without its newline.
        private mutating func takeLine() -> ArraySlice<UInt8>? {
            guard let newline = Self.newline(in: buffer, from: scanned) else {
                scanned = buffer.count
                return nil
            }
            let line = buffer[start..<newline]
            (start, scanned) = (newline + 1, newline + 1)
            return line
        }
    }

    static func decodeEvent(_ line: some Collection<UInt8>, url: String, withoutManagedFields: Bool = false) throws -> WatchEvent<Object> {
        let json: JSONValue
        do {
            json = try KubeCodec.parseTolerantly(line, withoutManagedFields: withoutManagedFields)
        } catch {
            throw KubeClientError.decoding("WATCH \(url)", error)
        }
        let object = json["object"] ?? .null
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "ADDED", "MODIFIED", "DELETED":
            switch KubeCodec.decodeOrSkip(Object.self, from: object) {
            case .success(let decoded):
                return type == "ADDED" ? .added(decoded) : type == "MODIFIED" ? .modified(decoded) : .deleted(decoded)
            case .failure(let skip):
                return .skipped(skip, deleted: type == "DELETED")
            }
        case "BOOKMARK":
            return .bookmark(resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue ?? "")
        case "ERROR":
            let status: KubeStatus
            do { status = try object.decode(as: KubeStatus.self) } catch { throw KubeClientError.decoding("WATCH \(url)", error) }
            throw KubeAPIError(status: status, verb: "WATCH", url: url)
        default:
            throw KubeClientError.decoding("WATCH \(url)", WatchEventTypeError(type: type))
        }
    }
}

/// A watch event whose `type` is not one the API defines.
struct WatchEventTypeError: Error, CustomStringConvertible {
    var type: String
    var description: String { "unknown watch event type \"\(type)\"" }
}
