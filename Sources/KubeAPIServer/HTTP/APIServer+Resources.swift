import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import NIOCore

extension APIServer {
    func resource(_ path: RequestTarget.ResourcePath, request: Request, query: QueryParameters, body: [UInt8]) async throws -> Response {
        guard let type = await store.registryLookup(group: path.group, version: path.version, plural: path.plural) else {
            throw APIError.pageNotFound(request.uri.path)
        }
        if let sub = path.subresource, !type.subresources.contains(sub) { throw APIError.pageNotFound(request.uri.path) }
        let verb = APIServer.verb(request.method, path: path, watch: query.flag("watch"))
        try await authorize(verb, type, path)
        if let answer = try await review(verb, type, path, body: body) { return answer }
        let fault = await faults.take(verb: verb, plural: path.plural, subresource: path.subresource, userAgent: request.headers[.userAgent] ?? "")
        if let fault, fault.moment == .beforeServing { try await APIServer.strike(fault, type: type, name: path.name ?? "") }
        let response = try await serve(verb, type: type, path: path, request: request, query: query, body: body)
        if let audit, APIServer.writeVerbs.contains(verb), response.status.code < 300 {
            let name = path.name ?? (try? APIServer.parse(body))?[path: "metadata", "name"]?.stringValue ?? ""
            let stored = try? await store.get(type, namespace: path.namespace, name: name)
            await audit.record(
                verb: verb, plural: path.plural, namespace: path.namespace, name: name, subresource: path.subresource,
                userAgent: request.headers[.userAgent] ?? "", object: stored ?? .null)
        }
        if let fault, fault.moment == .afterCommit { try await APIServer.strike(fault, type: type, name: path.name ?? "") }
        return response
    }

    static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]

    /// An injected fault: its delay, then its error (if it has a code).
    static func strike(_ fault: FaultInjector.Rule, type: ResourceType, name: String) async throws {
        if fault.delay > .zero { try await Task.sleep(for: fault.delay) }
        if fault.code > 0 { throw APIServer.injected(fault.code, type: type, name: name) }
    }

    private func serve(
        _ verb: String, type: ResourceType, path: RequestTarget.ResourcePath, request: Request, query: QueryParameters,
        body: [UInt8]
    ) async throws -> Response {
        let wantsTable = request.headers[.accept]?.contains("as=Table") ?? false
        switch verb {
        case "watch": return try await watch(type, path: path, query: query, table: wantsTable)
        case "list": return try await list(type, path: path, query: query, table: wantsTable)
        case "get":
            let name = path.name ?? ""
            if path.subresource == "scale" { return APIServer.json(try await store.scale(type, namespace: path.namespace, name: name)) }
            let object = output(type, try await store.get(type, namespace: path.namespace, name: name))
            guard wantsTable else { return APIServer.json(object) }
            return APIServer.json(
                TableConverter.table(
                    type, objects: [object], resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue,
                    includeObject: query["includeObject"], now: Date()))
        case "create":
            let object = try await store.create(
                type, namespace: path.namespace, object: type.stored(try APIServer.parse(body), current: nil),
                fields: .update(APIServer.manager(request, query)))
            return APIServer.json(output(type, object), status: 201)
        case "update":
            let name = path.name ?? ""
            if path.subresource == "scale" {
                return APIServer.json(
                    try await store.updateScale(
                        type, namespace: path.namespace, name: name, scale: try APIServer.parse(body),
                        manager: APIServer.manager(request, query)))
            }
            var proposed = try APIServer.parse(body)
            if type.conversion != nil {
                proposed = type.stored(proposed, current: try await store.get(type, namespace: path.namespace, name: name))
            }
            let object = try await store.update(
                type, namespace: path.namespace, name: name, object: proposed, subresource: path.subresource,
                manager: APIServer.manager(request, query))
            return APIServer.json(output(type, object))
        case "patch": return try await patch(type, path: path, request: request, query: query, body: body)
        case "delete":
            let options = ObjectStore.DeleteRequest(body: body.isEmpty ? nil : try APIServer.parse(body))
            var merged = options
            merged.propagationPolicy = options.propagationPolicy ?? query["propagationPolicy"]
            let kept = try await store.delete(type, namespace: path.namespace, name: path.name ?? "", options: merged)
            if let kept { return APIServer.json(output(type, kept)) }
            return APIServer.json([
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": ["name": .string(path.name ?? ""), "group": .string(type.resource.group), "kind": .string(type.resource.plural)],
            ])
        case "deletecollection":
            let page = try await store.list(type, namespace: path.namespace, labelSelector: try labels(query))
            for object in page.items {
                _ = try? await store.delete(
                    type, namespace: object[path: "metadata", "namespace"]?.stringValue,
                    name: object[path: "metadata", "name"]?.stringValue ?? "")
            }
            return APIServer.json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success"])
        default:
            throw APIError.methodNotAllowed("\(request.method.rawValue) is not supported on \(request.uri.path)")
        }
    }

    static func verb(_ method: HTTPRequest.Method, path: RequestTarget.ResourcePath, watch: Bool) -> String {
        switch (method, path.name == nil) {
        case (.get, true): return watch ? "watch" : "list"
        case (.get, false): return "get"
        case (.post, true): return "create"
        case (.post, false) where path.subresource != nil: return "create"  // serviceaccounts/NAME/token
        case (.put, false): return "update"
        case (.patch, false): return "patch"
        case (.delete, false): return "delete"
        case (.delete, true): return "deletecollection"
        default: return "unsupported"
        }
    }

    /// An object as served through `type`: the requested version's `apiVersion`.
    func output(_ type: ResourceType, _ object: JSONValue) -> JSONValue { type.served(object) }

    private func list(_ type: ResourceType, path: RequestTarget.ResourcePath, query: QueryParameters, table: Bool) async throws -> Response {
        let page = try await store.list(
            type, namespace: path.namespace, labelSelector: try labels(query), fieldSelector: try fields(query),
            limit: query["limit"].flatMap(Int.init), continue: query["continue"])
        let items = page.items.map { output(type, $0) }
        if table {
            var result = TableConverter.table(
                type, objects: items, resourceVersion: page.resourceVersion,
                includeObject: query["includeObject"], now: Date())
            result[path: "metadata", "continue"] = page.continue.map(JSONValue.string)
            return APIServer.json(result)
        }
        var metadata: JSONValue = ["resourceVersion": .string(page.resourceVersion)]
        metadata["continue"] = page.continue.map(JSONValue.string)
        metadata["remainingItemCount"] = page.remainingItemCount.map { JSONValue.int($0) }
        return APIServer.json([
            "apiVersion": .string(type.resource.apiVersion), "kind": .string("\(type.resource.kind)List"),
            "metadata": metadata, "items": .array(items),
        ])
    }

    private func patch(
        _ type: ResourceType, path: RequestTarget.ResourcePath, request: Request, query: QueryParameters, body: [UInt8]
    )
        async throws -> Response
    {
        let contentType =
            (request.headers[.contentType] ?? "").split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let format = PatchFormat(rawValue: contentType) else {
            throw APIError.unsupportedMediaType(
                "the body of the request was in an unknown format (\(contentType)); accepted: "
                    + "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
            )
        }
        let object = try await store.patch(
            type, namespace: path.namespace, name: path.name ?? "", format: format, body: body, subresource: path.subresource,
            fieldManager: APIServer.manager(request, query), force: query.flag("force"))
        return APIServer.json(path.subresource == "scale" ? object : output(type, object))
    }

    /// The field manager of a write: `fieldManager`, or the `User-Agent` up to its first `/`, as the API server defaults it.
    static func manager(_ request: Request, _ query: QueryParameters) -> String {
        if let manager = query["fieldManager"] { return manager }
        let agent = request.headers[.userAgent] ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return prefix.isEmpty ? "unknown" : prefix
    }

    func labels(_ query: QueryParameters) throws(APIError) -> LabelSelectorQuery? {
        guard let text = query["labelSelector"] else { return nil }
        do { return try LabelSelectorQuery(text) } catch { throw APIError.badRequest(error.description) }
    }

    func fields(_ query: QueryParameters) throws(APIError) -> FieldSelector? {
        guard let text = query["fieldSelector"] else { return nil }
        do { return try FieldSelector(text) } catch { throw APIError.badRequest(error.description) }
    }

    /// The deepest nesting the sandbox stores. Deeper than a client's default parser accepts, as the real
    /// API server (10,000) is: so that tests can send what a real cluster would hand the operator.
    static let maximumDepth = 1_000

    static func parse(_ body: [UInt8]) throws(APIError) -> JSONValue {
        do {
            return try JSONValue(parsing: body, maximumDepth: maximumDepth)
        } catch {
            do {
                if let document = try YAMLBridge.documents(String(decoding: body, as: UTF8.self)).first { return document }
            } catch {}
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    static func injected(_ code: Int, type: ResourceType, name: String) -> APIError {
        switch code {
        case 409: return APIError.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again")
        case 410: return APIError.gone("injected fault: resource version expired")
        case 429:
            return APIError(
                status: KubeStatus(
                    code: 429, reason: "TooManyRequests", message: "injected fault: too many requests",
                    details: .init(retryAfterSeconds: 1)))
        default: return APIError(status: KubeStatus(code: code, reason: "InternalError", message: "injected fault (\(code))"))
        }
    }
}
