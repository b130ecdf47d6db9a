import Foundation
import Hummingbird
import KubeCore

extension APIServer {
    /// The user of the request being answered (`nil` when access control is off).
    @TaskLocal static var requestUser: SandboxUser?

    /// Paths anyone may read, as `system:public-info-viewer` grants.
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/livez", "/version"]

    /// Authenticates a request; `nil` to go on, or the `401` to answer.
    func authenticate(_ request: Request) async -> (SandboxUser?, Response?) {
        guard let access else { return (nil, nil) }
        if let user = await access.authenticate(request.headers[.authorization]) { return (user, nil) }
        if APIServer.publicPaths.contains(request.uri.path) { return (nil, nil) }
        return (nil, APIServer.status(APIError(status: KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized"))))
    }

    /// Refuses a resource request its user may not make (`403`, Kubernetes' message).
    func authorize(_ verb: String, _ type: ResourceType, _ path: RequestTarget.ResourcePath) async throws(APIError) {
        guard let access, let user = APIServer.requestUser else { return }
        var attributes = RBACAuthorizer.Attributes(
            verb: verb, group: type.resource.group, resource: type.resource.plural, subresource: path.subresource, name: path.name,
            namespace: path.namespace)
        if type.resource.plural == "namespaces" { attributes.namespace = path.name }  // as the API server's request info does
        if APIServer.selfReviews.contains(type.resource.plural) && verb == "create" { return }  // system:basic-user
        guard await access.authorize(user, attributes) else {
            throw APIError(
                status: KubeStatus(
                    code: 403, reason: "Forbidden", message: AccessControl.forbiddenMessage(user, attributes),
                    details: .init(name: path.name, group: type.resource.group, kind: type.resource.plural)))
        }
    }

    /// Reviews every authenticated user may create about themselves.
    static let selfReviews: Set<String> = ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]
    /// Kinds that are answered, never stored.
    static let reviews: Set<String> = selfReviews.union(["subjectaccessreviews", "tokenreviews"])

    /// Answers a review or a TokenRequest; `nil` for any other request.
    func review(_ verb: String, _ type: ResourceType, _ path: RequestTarget.ResourcePath, body: [UInt8]) async throws(APIError) -> Response? {
        let isTokenRequest = type.resource.plural == "serviceaccounts" && path.subresource == "token"
        guard verb == "create", APIServer.reviews.contains(type.resource.plural) || isTokenRequest else { return nil }
        var object = try APIServer.parse(body)
        let user = APIServer.requestUser ?? .admin
        let authorizer = await access?.authorizer() ?? RBACAuthorizer(snapshot: .init())
        switch type.resource.plural {
        case "selfsubjectaccessreviews", "subjectaccessreviews":
            let subject = type.resource.plural == "subjectaccessreviews" ? APIServer.subject(of: object) : user
            object["status"] = APIServer.accessReview(object, subject: subject, authorizer: authorizer)
        case "selfsubjectrulesreviews":
            object["status"] = APIServer.rulesReview(
                user: user, namespace: object[path: "spec", "namespace"]?.stringValue,
                authorizer: authorizer)
        case "selfsubjectreviews": object["status"] = ["userInfo": APIServer.userInfo(user)]
        case "tokenreviews":
            let reviewed = await access?.authenticate("Bearer " + (object[path: "spec", "token"]?.stringValue ?? ""))
            object["status"] = reviewed.map { ["authenticated": true, "user": APIServer.userInfo($0)] } ?? ["authenticated": false]
        default:
            guard let access else { throw APIError.methodNotAllowed("ServiceAccount tokens are issued only with access control on") }
            let token: String
            do { token = try await access.issueToken(serviceAccount: path.name ?? "", namespace: path.namespace ?? "") } catch {
                throw (error as? APIError) ?? APIError.badRequest("\(error)")
            }
            let seconds = object[path: "spec", "expirationSeconds"]?.intValue ?? 3600
            object["apiVersion"] = "authentication.k8s.io/v1"
            object["kind"] = "TokenRequest"
            object["status"] = [
                "token": .string(token), "expirationTimestamp": .string(KubeTime(Date().addingTimeInterval(Double(seconds))).description),
            ]
        }
        object[path: "metadata", "creationTimestamp"] = .null
        return APIServer.json(object, status: 201)
    }

    static func accessReview(_ review: JSONValue, subject: SandboxUser, authorizer: RBACAuthorizer) -> JSONValue {
        guard let resource = review[path: "spec", "resourceAttributes"] else {
            return ["allowed": .bool(subject.groups.contains("system:authenticated"))]  // non-resource URLs: discovery
        }
        func text(_ key: String) -> String? { resource[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        let attributes = RBACAuthorizer.Attributes(
            verb: text("verb") ?? "", group: text("group") ?? "", resource: text("resource") ?? "", subresource: text("subresource"),
            name: text("name"), namespace: text("namespace"))
        if authorizer.allows(subject, attributes) { return ["allowed": true, "reason": "allowed by RBAC"] }
        return ["allowed": false]
    }

    static func rulesReview(user: SandboxUser, namespace: String?, authorizer: RBACAuthorizer) -> JSONValue {
        let rules: [JSONValue] =
            user.groups.contains("system:masters")
            ? [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]]
            : authorizer.rules(for: user, namespace: namespace)
        return [
            "resourceRules": .array(
                rules.map { rule in
                    var kept: JSONObject = [:]
                    for key in ["verbs", "apiGroups", "resources", "resourceNames"] { kept[key] = rule[key] }
                    return .object(kept)
                }),
            "nonResourceRules": [
                [
                    "verbs": ["get"],
                    "nonResourceURLs": [
                        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                        "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
                    ],
                ]
            ],
            "incomplete": false,
        ]
    }

    static func subject(of review: JSONValue) -> SandboxUser {
        SandboxUser(
            name: review[path: "spec", "user"]?.stringValue ?? "", uid: review[path: "spec", "uid"]?.stringValue ?? "",
            groups: (review[path: "spec", "groups"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    static func userInfo(_ user: SandboxUser) -> JSONValue {
        var info: JSONValue = ["username": .string(user.name), "groups": .array(user.groups.map(JSONValue.string))]
        if !user.uid.isEmpty { info["uid"] = .string(user.uid) }
        return info
    }
}
