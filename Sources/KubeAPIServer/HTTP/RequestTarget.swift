import Foundation
/// What a request path names.
enum RequestTarget: Equatable {
    case version
    case health(String)
    case coreVersions  // /api
    case groups  // /apis
    case group(String)  // /apis/{group}
    case groupVersion(String, String)  // /api/v1, /apis/{group}/{version}
    case resource(ResourcePath)
    case openAPIV2  // /openapi/v2
    case openAPIRoot  // /openapi/v3
    case openAPIGroupVersion(String, String)  // /openapi/v3/api/v1, /openapi/v3/apis/{group}/{version}
    case unknown

    /// A path under a group version that names a collection, an object or a subresource.
    struct ResourcePath: Equatable {
        var group: String
        var version: String
        var plural: String
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    init(path: String) {
        // Most segments hold no escape: only those that do go through Foundation's decoding.
        let parts = path.split(separator: "/").map { $0.utf8.contains(UInt8(ascii: "%")) ? $0.removingPercentEncoding ?? String($0) : String($0) }
        switch parts.first {
        case "version": self = .version
        case "healthz", "readyz", "livez": self = .health(parts[0])
        case "openapi" where parts.count == 2 && parts[1] == "v2": self = .openAPIV2
        case "openapi" where parts.count > 1 && parts[1] == "v3":
            let rest = Array(parts.dropFirst(2))
            switch (rest.first, rest.count) {
            case (nil, _): self = .openAPIRoot
            case ("api", 2): self = .openAPIGroupVersion("", rest[1])
            case ("apis", 3): self = .openAPIGroupVersion(rest[1], rest[2])
            default: self = .unknown
            }
        case "api":
            if parts.count == 1 { self = .coreVersions; return }
            if parts.count == 2 { self = .groupVersion("", parts[1]); return }
            self = RequestTarget.resource(group: "", version: parts[1], rest: Array(parts.dropFirst(2)))
        case "apis":
            switch parts.count {
            case 1: self = .groups
            case 2: self = .group(parts[1])
            case 3: self = .groupVersion(parts[1], parts[2])
            default: self = RequestTarget.resource(group: parts[1], version: parts[2], rest: Array(parts.dropFirst(3)))
            }
        default: self = .unknown
        }
    }

    private static func resource(group: String, version: String, rest: [String]) -> RequestTarget {
        var path = ResourcePath(group: group, version: version, plural: "")
        if rest.count >= 3, rest[0] == "namespaces", !["status", "finalize"].contains(rest[2]) {
            guard rest.count <= 5 else { return .unknown }
            path.namespace = rest[1]
            path.plural = rest[2]
            path.name = rest.count > 3 ? rest[3] : nil
            path.subresource = rest.count > 4 ? rest[4] : nil
        } else {
            guard (1...3).contains(rest.count) else { return .unknown }
            path.plural = rest[0]
            path.name = rest.count > 1 ? rest[1] : nil
            path.subresource = rest.count > 2 ? rest[2] : nil
        }
        return .resource(path)
    }
}
