import AsyncHTTPClient
import KubeCore
import NIOCore
import NIOHTTP1

/// The verbs of one resource, objects decoded as `Object`.
///
/// For a namespaced resource, `namespace: nil` on ``list(namespace:options:)`` and
/// ``watch(namespace:options:)`` means every namespace; the other verbs need a namespace.
public struct ResourceClient<Object: Codable & Sendable>: Sendable {
    public let client: KubeClient
    public let resource: KubeResource

    /// Reads one object.
    public func get(_ name: String, namespace: String? = nil) async throws -> Object {
        let request = KubeRequest(method: .GET, verb: "GET", path: resource.path(namespace: namespace, name: name))
        return try await decode(request)
    }

    /// Reads one page of objects.
    public func list(namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        let request = KubeRequest(method: .GET, verb: "LIST", path: resource.path(namespace: namespace), query: options.query)
        let response = try await client.perform(request)
        do {
            return try KubeCodec.decodeList(Object.self, from: response.body.readableBytesView, withoutManagedFields: options.withoutManagedFields)
        } catch {
            throw KubeClientError.decoding("LIST \(client.url(request))", error)
        }
    }

    /// Reads every page (following `continue` tokens) and returns all objects with the last list metadata.
    public func listAll(namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        var options = options
        var page = try await list(namespace: namespace, options: options)
        var items = page.items
        while let token = page.metadata.continue, !token.isEmpty {
            options.continue = token
            page = try await list(namespace: namespace, options: options)
            items.append(contentsOf: page.items)
        }
        page.items = items
        return page
    }

    /// Creates an object; with `generateName` the server picks the name.
    public func create(_ object: Object, namespace: String? = nil) async throws -> Object {
        let request = try KubeRequest(
            method: .POST, verb: "CREATE", path: resource.path(namespace: namespace), body: encode(object, verb: "CREATE"))
        return try await decode(request)
    }

    /// Replaces an object; the server rejects it with a conflict if its `resourceVersion` is stale.
    public func update(_ object: Object, name: String, namespace: String? = nil) async throws -> Object {
        let request = try KubeRequest(
            method: .PUT, verb: "UPDATE", path: resource.path(namespace: namespace, name: name), body: encode(object, verb: "UPDATE"))
        return try await decode(request)
    }

    /// Replaces the `status` subresource of an object.
    public func updateStatus(_ object: Object, name: String, namespace: String? = nil) async throws -> Object {
        let request = try KubeRequest(
            method: .PUT, verb: "UPDATE", path: resource.path(namespace: namespace, name: name, subresource: "status"),
            body: encode(object, verb: "UPDATE status"))
        return try await decode(request)
    }

    /// Patches an object, or a subresource of it (`status`, `scale`).
    public func patch(_ name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil) async throws -> Object {
        let request = KubeRequest(
            method: .PATCH, verb: "PATCH", path: resource.path(namespace: namespace, name: name, subresource: subresource),
            query: patch.query, body: patch.body.serialized(), contentType: patch.contentType)
        return try await decode(request)
    }

    /// Deletes an object. Returns the object when it is kept (finalizers, foreground deletion), else `nil`.
    @discardableResult
    public func delete(_ name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws -> Object? {
        let request = KubeRequest(
            method: .DELETE, verb: "DELETE", path: resource.path(namespace: namespace, name: name),
            body: options.body.serialized())
        let response = try await client.perform(request)
        do {
            let json = try JSONValue(parsing: response.body.readableBytesView)
            if json["kind"]?.stringValue == "Status" { return nil }
            return try KubeCodec.decode(Object.self, from: json)
        } catch {
            throw KubeClientError.decoding("DELETE \(client.url(request))", error)
        }
    }

    /// Starts a watch. The returned sequence yields events until the server ends the watch; an `ERROR`
    /// event is thrown as a ``KubeAPIError`` (`.gone` when the resource version is too old).
    public func watch(namespace: String? = nil, options: WatchOptions = WatchOptions()) async throws -> WatchStream<Object> {
        // No request deadline beyond the server-side timeout: a watch is long-lived by design.
        let timeout: Duration = options.timeoutSeconds.map { .seconds($0 + 30) } ?? .seconds(365 * 24 * 3600)
        let request = KubeRequest(
            method: .GET, verb: "WATCH", path: resource.path(namespace: namespace), query: options.query, timeout: timeout)
        let url = client.url(request)
        let response = try await client.open(request, url: url)
        return WatchStream(body: response.body, url: url, withoutManagedFields: options.withoutManagedFields)
    }

    private func encode(_ object: Object, verb: String) throws -> [UInt8] {
        do {
            return try KubeCodec.encode(object)
        } catch {
            throw KubeClientError.encoding("\(verb) \(resource)", error)
        }
    }

    private func decode(_ request: KubeRequest) async throws -> Object {
        let response = try await client.perform(request)
        do {
            let json = try JSONValue(parsing: response.body.readableBytesView)
            if request.method != .GET { client.observed(write: json, of: resource) }
            return try KubeCodec.decode(Object.self, from: json)
        } catch {
            throw KubeClientError.decoding("\(request.verb) \(client.url(request))", error)
        }
    }
}
