import Analysis
import CanaryAPI
import Foundation
import Hummingbird
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Testing

/// Every MetricTemplate of Flagger's metrics guide (`FlaggerTemplates/`, copied verbatim with the commit they
/// come from) is read by Serin unchanged — no field refused, its type queried — and reaches a value through its
/// provider: its own address swapped for the vendor's stand-in (or a loopback server speaking the same API),
/// everything else as published.
@Suite struct FlaggerTemplatesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FlaggerTemplates")
    static let value = 99.5

    /// One published template with its Secret, as the docs print it.
    struct Published {
        var file: String
        var object: JSONValue
        var spec: JSONValue
        /// The Secret's data; the docs put plain text under `data:`, which an API server refuses (not base64):
        /// read here as `stringData`.
        var secret: [String: String]?
        var plainTextUnderData: [String]
    }

    static func published(_ file: String) throws -> Published {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let documents = try YAMLBridge.documents(text)
        let template = try #require(documents.first { $0["kind"] == "MetricTemplate" })
        var secret: [String: String]?
        var plain: [String] = []
        if let object = documents.first(where: { $0["kind"] == "Secret" }) {
            var data: [String: String] = [:]
            for (key, value) in object["stringData"]?.objectValue ?? [:] { data[key] = value.stringValue }
            for (key, value) in object["data"]?.objectValue ?? [:] {
                let text = value.stringValue ?? ""
                if let decoded = Data(base64Encoded: text).flatMap({ String(data: $0, encoding: .utf8) }) {
                    data[key] = decoded
                } else {
                    plain.append(key)
                    data[key] = text
                }
            }
            secret = data
        }
        return Published(file: file, object: template, spec: template["spec"] ?? [:], secret: secret, plainTextUnderData: plain)
    }

    /// The guide's Canary for a template with `{{ variables.x }}` sets them in `templateVariables`.
    static let variables = ["prometheus-custom.yaml": ["direction": "inbound"]]

    /// The query as Serin renders it for a Canary `podinfo` in `test`.
    static func rendered(_ published: Published, template: MetricTemplate, type: MetricProviderType) throws -> String {
        let values = [
            "name": "podinfo", "namespace": "test", "target": "podinfo", "service": "podinfo", "interval": "1m", "ingress": "podinfo",
            "route": "podinfo",
        ]
        let document = MetricProviderRegistry.registration(of: type)?.queryIsDocument ?? false
        return try QueryTemplate(values: values, variables: variables[published.file] ?? [:]).render(
            template.spec.query, collapsingWhitespace: !document)
    }

    @Test(arguments: try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted())
    func aPublishedTemplateIsReadUnchangedAndReachesAValue(_ file: String) async throws {
        let published = try Self.published(file)
        #expect(MetricTemplate.refusedFields(in: published.spec).isEmpty, "\(file): \(MetricTemplate.refusedFields(in: published.spec))")
        guard published.spec["query"] != nil else {
            // A fragment showing authentication only: Flagger's CRD requires `spec.query`, so a cluster refuses it as
            // printed, and so does Serin's reading of it.
            #expect(throws: DecodingError.self) { try published.object.decode(as: MetricTemplate.self) }
            #expect(Self.fragments.contains(file), "\(file) has no query")
            return
        }
        let template = try published.object.decode(as: MetricTemplate.self)
        let type = try MetricProviderType(parsing: template.spec.provider.type)
        #expect(MetricProviderRegistry.implemented.contains(type))
        let query = try Self.rendered(published, template: template, type: type)
        let value = try await Self.query(type, query: query, published: published, template: template)
        #expect(value == Self.value, "\(file)")
    }

    /// The guide's templates that show only how to authenticate, without a query.
    static let fragments: Set<String> = ["prometheus-basic-auth.yaml", "prometheus-bearer.yaml", "graphite-basic-auth.yaml"]

    @Test func theGuidesSecretsPutPlainTextUnderData() throws {
        let plain = try ["datadog.yaml", "newrelic.yaml", "dynatrace.yaml", "splunk.yaml", "prometheus-basic-auth.yaml"].map {
            try Self.published($0).plainTextUnderData
        }
        #expect(plain.allSatisfy { !$0.isEmpty }, "an API server refuses these Secrets as published: \(plain)")
    }
}
