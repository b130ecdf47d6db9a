import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import Logging
import NIOCore

/// The Kubernetes REST API over HTTP, backed by an ``ObjectStore``.
///
/// Serves discovery, CRUD, patch, watch (with bookmarks and 410 Gone), Table output for `kubectl get`, and
/// the `status` and `scale` subresources; consults a ``FaultInjector`` before each resource request.
public struct APIServer: Sendable {
    public let store: ObjectStore
    public let faults: FaultInjector
    /// Every write served, when kept.
    public let audit: AuditLog?
    /// How often watches that asked for bookmarks get one.
    public var bookmarkInterval: Duration
    /// Authentication and RBAC, when on.
    public let access: AccessControl?
    let logger: Logger

    /// kube-apiserver's limit on a write's body (`MaxRequestBodyBytes`, 3 MiB: twice etcd's, for JSON's overhead).
    public static let defaultMaximumRequestBytes = 3 << 20
    /// The largest request body served; a larger one gets 413 RequestEntityTooLarge.
    public let maximumRequestBytes: Int
    /// API groups served by other code (`/apis/<group>/…`), as aggregated APIs are.
    public let aggregated: [any AggregatedAPI]

    public init(
        store: ObjectStore, faults: FaultInjector = FaultInjector(), audit: AuditLog? = nil, bookmarkInterval: Duration = .seconds(5),
        access: AccessControl? = nil, maximumRequestBytes: Int = APIServer.defaultMaximumRequestBytes, aggregated: [any AggregatedAPI] = [],
        logger: Logger
    ) {
        self.store = store
        self.aggregated = aggregated
        self.maximumRequestBytes = maximumRequestBytes
        self.access = access
        self.faults = faults
        self.audit = audit
        self.bookmarkInterval = bookmarkInterval
        self.logger = logger
    }

    /// A Hummingbird responder for this server.
    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, context in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: self.maximumRequestBytes)
            } catch is NIOTooManyBytesError {
                return APIServer.status(APIServer.tooLarge(limit: self.maximumRequestBytes))
            }
            let protobufOnly = ProtobufCodec.wantsProtobufOnly(accept: request.headers[.accept])
            let (user, refusal) = await self.authenticate(request)
            if let refusal { return refusal }
            let validation = QueryParameters(request.uri.query ?? "")["fieldValidation"] ?? "Warn"
            let warnings = SchemaValidator.WarningCollector()
            var response = await APIServer.$answersProtobuf.withValue(protobufOnly) {
                await APIServer.$requestUser.withValue(user) {
                    await SchemaValidator.$fieldValidation.withValue(validation) {
                        await SchemaValidator.$warnings.withValue(warnings) { await self.respond(request, body: Array(buffer: body)) }
                    }
                }
            }
            for warning in warnings.all {
                response.headers.append(
                    HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
            }
            return response
        }
    }

    /// kube-apiserver's answer to a body over its limit (`limitedReadBody`).
    static func tooLarge(limit: Int) -> APIError {
        APIError(status: KubeStatus(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)"))
    }

    /// Whether the request being answered accepts only protobuf: built-in kinds are then answered in it.
    @TaskLocal static var answersProtobuf = false

    /// A protobuf request body as the JSON the rest of the server reads (kubectl's generators send built-in kinds so).
    static func jsonBody(_ request: Request, _ body: [UInt8]) throws(APIError) -> [UInt8] {
        guard let type = request.headers[.contentType], type.hasPrefix(ProtobufCodec.mediaType) else { return body }
        return try ProtobufCodec.object(fromBody: body).serialized()
    }

    func respond(_ request: Request, body: [UInt8]) async -> Response {
        if let answer = await aggregatedAnswer(request) { return answer }
        let target = RequestTarget(path: request.uri.path)
        let query = QueryParameters(request.uri.query ?? "")
        do {
            switch target {
            case .version: return APIServer.json(Discovery.version())
            case .health: return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
            case .coreVersions:
                return APIServer.json(Discovery.coreVersions(serverAddress: request.head.authority ?? "127.0.0.1"))
            case .groups: return APIServer.json(Discovery.groupList(await store.registryGroups))
            case .group(let group):
                guard let entry = await store.registryGroups.first(where: { $0.group == group }) else {
                    throw APIError.pageNotFound(request.uri.path)
                }
                return APIServer.json(Discovery.groupDocument(entry))
            case .groupVersion(let group, let version):
                let types = await store.registryTypes(group: group, version: version)
                guard !types.isEmpty || (group.isEmpty && version == "v1") else { throw APIError.pageNotFound(request.uri.path) }
                return APIServer.json(Discovery.resourceList(groupVersion: group.isEmpty ? version : "\(group)/\(version)", types: types))
            case .openAPIV2: return OpenAPIV2.response(accept: request.headers[.accept])
            case .openAPIRoot: return APIServer.json(OpenAPI.root(await store.registryGroups))
            case .openAPIGroupVersion(let group, let version):
                return APIServer.json(OpenAPI.groupVersion(await store.registryTypes(group: group, version: version)))
            case .resource(let path):
                return try await resource(path, request: request, query: query, body: try APIServer.jsonBody(request, body))
            case .unknown:
                throw APIError.pageNotFound(request.uri.path)
            }
        } catch let error as APIError {
            return APIServer.status(error)
        } catch {
            return APIServer.status(APIError(status: KubeStatus(code: 500, reason: "InternalError", message: "\(error)")))
        }
    }

    /// The answer of the aggregated API whose group the request's path names, if one does (GET only).
    private func aggregatedAnswer(_ request: Request) async -> Response? {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        guard segments.count >= 2, segments[0] == "apis", let api = aggregated.first(where: { $0.group == segments[1] }) else { return nil }
        guard request.method == .get else {
            return APIServer.status(
                APIError(status: KubeStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method")))
        }
        let path = Array(segments.dropFirst(2))
        if let access, let user = APIServer.requestUser, path.count == 4, path[1] == "namespaces" {
            // A namespaced list of the aggregated group, authorized as kube-apiserver does before it proxies.
            let attributes = RBACAuthorizer.Attributes(verb: "list", group: api.group, resource: path[3], namespace: path[2])
            guard await access.authorize(user, attributes) else {
                return APIServer.status(
                    APIError(status: KubeStatus(code: 403, reason: "Forbidden", message: AccessControl.forbiddenMessage(user, attributes))))
            }
        }
        let (status, answer) = await api.get(path, parameters: QueryParameters(request.uri.query ?? "").all)
        return APIServer.json(answer, status: status)
    }

    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        if answersProtobuf {
            do {
                if let bytes = try ProtobufCodec.body(for: value) {
                    fields[.contentType] = ProtobufCodec.mediaType
                    return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
                }
            } catch {
                return json(
                    [
                        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 500, "reason": "InternalError",
                        "message": .string("\(error)"),
                    ], status: 500)
            }
        }
        fields[.contentType] = "application/json"
        var bytes = value.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func status(_ error: APIError) -> Response {
        var headers = HTTPFields()
        if error.code == 429 { headers[HTTPField.Name("Retry-After")!] = "1" }
        let body = (try? JSONValue(encoding: error.status)) ?? .null
        return json(body, status: error.code, headers: headers)
    }
}

/// Decoded query parameters.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Every parameter, decoded.
    var all: [String: String] { values }

    init(_ query: String) {
        var components = URLComponents()
        components.percentEncodedQuery = query.replacingOccurrences(of: "+", with: "%20")
        for item in components.queryItems ?? [] { values[item.name] = item.value ?? "" }
    }

    subscript(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }

    func flag(_ name: String) -> Bool { ["true", "1"].contains(values[name] ?? "") }
}
