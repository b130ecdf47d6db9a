import HTTPTypes
import Hummingbird
import KubeCore
import NIOCore

/// `/openapi/v2`: a Swagger 2.0 document with no definitions.
///
/// kubectl validates on the client, from this document, what the OpenAPI v3 document does not show the server
/// validating: a `kind: List` (no `List` path takes `fieldValidation`), so `kubectl apply -f` of a List fails
/// without it. kubectl asks for gnostic's protobuf (`openapi_v2.Document`) and skips validation of any kind
/// the document does not define: with none defined, the sandbox validates each item as it is written
/// (custom resources against their CRD's schema), as for any other apply.
enum OpenAPIV2 {
    /// What kube-openapi answers kubectl's `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` with:
    /// without the `@`, which Go's media type parser (and so client-go) refuses.
    static let protobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    static let title = "Kubernetes (serin sandbox)"
    static let version = "v1.32.0"

    static func response(accept: String?) -> Response {
        guard accept?.contains("application/com.github.proto-openapi.spec.v2") == true else {
            return APIServer.json(["swagger": "2.0", "info": ["title": .string(title), "version": .string(version)], "paths": [:]])
        }
        return Response(
            status: .ok, headers: [.contentType: protobufMediaType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: protobufDocument)))
    }

    /// `openapi.v2.Document{swagger: "2.0", info: {title, version}, paths: {}}`.
    static var protobufDocument: [UInt8] {
        var info = ProtobufWire.Writer()
        info.bytes(1, Array(title.utf8))
        info.bytes(2, Array(version.utf8))
        var document = ProtobufWire.Writer()
        document.bytes(1, Array("2.0".utf8))
        document.bytes(2, info.bytes)
        document.bytes(8, [])
        return document.bytes
    }
}
