import KubeCore
import NIOCore
import NIOHTTP1

extension ResourceClient {
    /// Patches an object, or a subresource of it, and reads the server's answer for its new `resourceVersion`
    /// only (``ResourceVersionScanner``), where ``patch(_:namespace:patch:subresource:)`` builds and decodes the
    /// whole object: for the controller's writes whose answer is not needed (a status, a route, a scale).
    /// Write observers are told of it as of any write. `nil` when the answer has no `resourceVersion`.
    @discardableResult
    public func patchReadingVersion(_ name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil) async throws -> String? {
        let request = KubeRequest(
            method: .PATCH, verb: "PATCH", path: resource.path(namespace: namespace, name: name, subresource: subresource),
            query: patch.query, body: patch.body.serialized(), contentType: patch.contentType)
        return try await readingVersion(request, namespace: namespace, name: name)
    }

    /// The `resourceVersion` of a write's answer, scanned for it alone; an answer the scanner is not sure
    /// of (never the API server's in practice), or one whose object the request did not name, is parsed in full.
    func readingVersion(_ request: KubeRequest, namespace: String?, name: String?) async throws -> String? {
        let response = try await client.perform(request)
        let bytes = response.body.readableBytesView
        if let name, let version = ResourceVersionScanner.resourceVersion(in: bytes) {
            client.observed(ObjectWrite(resource: resource, namespace: namespace, name: name, resourceVersion: version))
            return version
        }
        do {
            let json = try JSONValue(parsing: bytes)
            client.observed(write: json, of: resource)
            return json[path: "metadata", "resourceVersion"]?.stringValue
        } catch {
            throw KubeClientError.decoding("\(request.verb) \(client.url(request))", error)
        }
    }
}

extension ResourceClient where Object == JSONValue {
    /// Creates an object and reads the server's answer for its `resourceVersion` only, where
    /// ``create(_:namespace:)`` builds and decodes the whole object: for writes whose answer is not needed
    /// (an Event, an object the cache will show). Write observers are told of it as of any write.
    @discardableResult
    public func createReadingVersion(_ object: JSONValue, namespace: String? = nil) async throws -> String? {
        let request = KubeRequest(method: .POST, verb: "CREATE", path: resource.path(namespace: namespace), body: object.serialized())
        let name = object[path: "metadata", "generateName"] == nil ? object[path: "metadata", "name"]?.stringValue : nil
        return try await readingVersion(request, namespace: namespace ?? object[path: "metadata", "namespace"]?.stringValue, name: name)
    }
}
