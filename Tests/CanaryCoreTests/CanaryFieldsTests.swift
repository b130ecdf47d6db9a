import CanaryAPI
import Foundation
import KubeCore
import Testing
import Yams

/// No field accepted in silence: every field of the Canary CRD is implemented, checked, or refused by name,
/// and `docs/compatibility.md` says which.
@Suite struct CanaryFieldsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every property path under `spec` in the CRD's schema (`[]` for list elements).
    static func schemaPaths(_ crd: String = "canaries.flagger.app") throws -> [String] {
        let text = try String(contentsOf: repository.appendingPathComponent("crds/\(crd).yaml"), encoding: .utf8)
        let crd = try #require(try Yams.load(yaml: text) as? [String: Any])
        let versions = try #require((crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]])
        let schema = try #require((versions.first?["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])
        let spec = try #require((schema["properties"] as? [String: Any])?["spec"] as? [String: Any])
        var paths: [String] = []
        func walk(_ node: [String: Any], _ path: String) {
            for (key, value) in (node["properties"] as? [String: Any]) ?? [:] {
                guard let child = value as? [String: Any] else { continue }
                let childPath = "\(path).\(key)"
                paths.append(childPath)
                if Canary.wholeFields.contains(childPath) { continue }
                if child["type"] as? String == "array", let items = child["items"] as? [String: Any] {
                    walk(items, childPath + "[]")
                } else {
                    walk(child, childPath)
                }
            }
        }
        walk(spec, "spec")
        return paths.sorted()
    }

    @Test func everyFieldOfTheCRDIsImplementedCheckedOrRefused() throws {
        let known = Set(Canary.fields.map(\.path))
        let schema = try CanaryFieldsTests.schemaPaths()
        #expect(schema.count > 100)
        #expect(schema.filter { !known.contains($0) }.isEmpty, "fields with no entry in CanaryFields.swift")
        #expect(known.subtracting(schema).isEmpty, "entries for fields the CRD does not have")
        #expect(Canary.fields.count == known.count, "one entry per field")
    }

    @Test func everyRefusedFieldIsRefusedByNameWhenSet() {
        for (path, support) in Canary.fields {
            guard case .refused(let reason) = support else { continue }
            // The field set to `true`, inside one-element lists where the path goes through a list.
            var spec: JSONValue = true
            for part in path.split(separator: ".").dropFirst().reversed() {
                spec = part.hasSuffix("[]") ? [String(part.dropLast(2)): .array([spec])] : [String(part): spec]
            }
            let issues = Canary.refusedFields(in: spec)
            #expect(
                issues.contains { $0.message == reason && path.hasPrefix($0.field.replacingOccurrences(of: "[0]", with: "[]")) },
                "\(path) set: \(issues)")
        }
    }

    @Test func refusedFieldsLeftAtTheirZeroValueAreFine() {
        let spec: JSONValue = ["service": ["delegation": false, "mirror": [], "gatewayRefs": .null], "analysis": ["mirrorWeight": 0, "alerts": []]]
        #expect(Canary.refusedFields(in: spec).isEmpty)
    }

    @Test(arguments: [("metrictemplates.flagger.app", MetricTemplate.fields), ("alertproviders.flagger.app", AlertProvider.fields)])
    func everyFieldOfTheTemplateCRDsHasAnEntry(crd: String, fields: [(path: String, support: FieldSupport)]) throws {
        let schema = try CanaryFieldsTests.schemaPaths(crd)
        #expect(!schema.isEmpty)
        #expect(Set(schema) == Set(fields.map(\.path)), "\(crd): entries and schema differ")
        #expect(fields.count == schema.count, "one entry per field")
    }

    @Test func noMetricTemplateFieldIsRefused() {
        let spec: JSONValue = [
            "provider": ["type": "cloudwatch", "region": "eu-west-1", "insecureSkipVerify": true, "secretRef": ["name": "s"]], "query": "[]",
        ]
        #expect(MetricTemplate.refusedFields(in: spec).isEmpty)
        #expect(MetricTemplate.fields.allSatisfy { if case .refused = $0.support { false } else { true } })
    }

    /// The `enum` of a property under `spec` in a CRD's schema.
    static func schemaEnum(_ crd: String, _ path: [String]) throws -> [String] {
        let text = try String(contentsOf: repository.appendingPathComponent("crds/\(crd).yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let versions = try #require((document["spec"] as? [String: Any])?["versions"] as? [[String: Any]])
        var node = try #require((versions.first?["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])
        for key in ["spec"] + path { node = try #require((node["properties"] as? [String: Any])?[key] as? [String: Any]) }
        return try #require(node["enum"] as? [String])
    }

    @Test func everyProviderValueFlaggersCRDsAllowParsesAndNoOther() throws {
        #expect(Set(try Self.schemaEnum("canaries.flagger.app", ["provider"])) == Set(MeshProvider.allCases.map(\.rawValue)))
        #expect(Set(try Self.schemaEnum("metrictemplates.flagger.app", ["provider", "type"])) == Set(MetricProviderType.allCases.map(\.rawValue)))
        #expect(Set(try Self.schemaEnum("alertproviders.flagger.app", ["type"])) == Set(AlertProviderType.allCases.map(\.rawValue)))
        #expect(throws: UnknownValueError.self) { try MeshProvider(parsing: "Istio") }
        #expect(try MetricProviderType(parsing: "datadog") == .datadog)
    }

    @Test func theCompatibilityPageListsEveryField() throws {
        let page = try String(contentsOf: CanaryFieldsTests.repository.appendingPathComponent("docs/compatibility.md"), encoding: .utf8)
        for (path, support) in Canary.fields + MetricTemplate.fields + AlertProvider.fields {
            let state: String
            switch support {
            case .implemented: state = "implemented"
            case .checked: state = "implemented, some values refused"
            case .refused: state = "refused"
            }
            #expect(page.contains("| `\(path)` | \(state) |"), "docs/compatibility.md has no row for \(path) (\(state))")
        }
    }
}
