import CanaryAPI
import KubeClient
import KubeCore

extension ActingError {
    /// For a routing object the API server refused as invalid (422), the Canary fields its refused fields are
    /// copied from (`RoutingFieldMap`), as " (from the Canary's spec.service.hosts[1])"; empty when none is known.
    var canaryFieldsNote: String {
        guard let error = cause as? KubeAPIError, error.reason == .invalid, let kind = error.status.details?.kind else { return "" }
        var fields: [String] = []
        for cause in error.causes {
            guard let field = cause.field.flatMap({ RoutingFieldMap.canaryField(kind: kind, field: $0) }), !fields.contains(field) else { continue }
            fields.append(field)
        }
        return fields.isEmpty ? "" : " (from the Canary's \(fields.joined(separator: ", ")))"
    }
}
