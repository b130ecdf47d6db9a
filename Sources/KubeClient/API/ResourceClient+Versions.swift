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
        let response = try await client.perform(request)
        let bytes = response.body.readableBytesView
        if let version = ResourceVersionScanner.resourceVersion(in: bytes) {
            client.observed(ObjectWrite(resource: resource, namespace: namespace, name: name, resourceVersion: version))
            return version
        }
        do {
            // An answer the scanner is not sure of (never the API server's in practice): parsed in full.
            let json = try JSONValue(parsing: bytes)
            client.observed(write: json, of: resource)
            return json[path: "metadata", "resourceVersion"]?.stringValue
        } catch {
            throw KubeClientError.decoding("\(request.verb) \(client.url(request))", error)
        }
    }
}
