import KubeCore

/// Kubernetes-shaped errors the sandbox answers with (a `Status` and its HTTP code).
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: KubeStatus

    public var description: String { status.description }

    var code: Int { status.code ?? 500 }

    static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            status: KubeStatus(
                code: 404, reason: "NotFound", message: "\(qualified(type)) \"\(name)\" not found",
                details: .init(name: name, group: type.resource.group, kind: type.resource.plural)))
    }

    static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            status: KubeStatus(
                code: 409, reason: "AlreadyExists", message: "\(qualified(type)) \"\(name)\" already exists",
                details: .init(name: name, group: type.resource.group, kind: type.resource.plural)))
    }

    static func conflict(_ type: ResourceType, _ name: String, _ why: String) -> APIError {
        APIError(
            status: KubeStatus(
                code: 409, reason: "Conflict",
                message: "Operation cannot be fulfilled on \(qualified(type)) \"\(name)\": \(why)",
                details: .init(name: name, group: type.resource.group, kind: type.resource.plural)))
    }

    static func invalid(_ type: ResourceType, _ name: String, causes: [KubeStatus.Cause]) -> APIError {
        let summary = causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: ", ")
        return APIError(
            status: KubeStatus(
                code: 422, reason: "Invalid", message: "\(type.resource.kind).\(type.resource.group) \"\(name)\" is invalid: \(summary)",
                details: .init(name: name, group: type.resource.group, kind: type.resource.kind, causes: causes)))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: KubeStatus(code: 400, reason: "BadRequest", message: message))
    }

    static func gone(_ message: String) -> APIError {
        APIError(status: KubeStatus(code: 410, reason: "Expired", message: message))
    }

    static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: KubeStatus(code: 415, reason: "UnsupportedMediaType", message: message))
    }

    static func methodNotAllowed(_ message: String) -> APIError {
        APIError(status: KubeStatus(code: 405, reason: "MethodNotAllowed", message: message))
    }

    static func pageNotFound(_ path: String) -> APIError {
        APIError(status: KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource (\(path))"))
    }

    private static func qualified(_ type: ResourceType) -> String {
        type.resource.group.isEmpty ? type.resource.plural : "\(type.resource.plural).\(type.resource.group)"
    }
}
