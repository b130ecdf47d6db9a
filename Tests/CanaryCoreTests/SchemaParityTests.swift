import Foundation
import Testing
import Yams

/// Serin's CRDs refuse what Flagger's refuse: every constraint of Flagger's schemas (`Reference/`, its
/// published `crd.yaml`) — `required`, `enum`, `oneOf`, `anyOf`, `pattern`, bounds, `format`, `type` — holds
/// at the same place in `crds/`.
@Suite struct SchemaParityTests {
    static let constraints = ["required", "enum", "oneOf", "anyOf", "pattern", "minimum", "maximum", "format", "type"]

    /// Each CRD's constraints by `(schema path, keyword)`, as canonical text (`required` as a sorted set).
    static func constraints(in text: String) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for document in try Yams.load_all(yaml: text) {
            guard let crd = document as? [String: Any], crd["kind"] as? String == "CustomResourceDefinition",
                let name = (crd["metadata"] as? [String: Any])?["name"] as? String,
                let version = ((crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]])?.first,
                let schema = (version["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any]
            else { continue }
            var found: [String: String] = [:]
            walk(schema, "", into: &found)
            result[name] = found
        }
        return result
    }

    static func walk(_ node: [String: Any], _ path: String, into found: inout [String: String]) {
        for keyword in constraints {
            guard let value = node[keyword] else { continue }
            let text = keyword == "required" ? ((value as? [String]) ?? []).sorted().joined(separator: ",") : canonical(value)
            found["\(path) \(keyword)"] = text
        }
        for (key, child) in (node["properties"] as? [String: Any]) ?? [:] {
            if let child = child as? [String: Any] { walk(child, "\(path).\(key)", into: &found) }
        }
        if let items = node["items"] as? [String: Any] { walk(items, "\(path)[]", into: &found) }
        if let values = node["additionalProperties"] as? [String: Any] { walk(values, "\(path){}", into: &found) }
    }

    static func canonical(_ value: Any) -> String {
        switch value {
        case let map as [String: Any]: return "{" + map.keys.sorted().map { "\($0):\(canonical(map[$0]!))" }.joined(separator: ",") + "}"
        case let list as [Any]: return "[" + list.map(canonical).joined(separator: ",") + "]"
        default: return "\(value)"
        }
    }

    /// Whether our constraint holds theirs: the same, or for an `enum` a superset (every value Flagger
    /// accepts is accepted; AlertProvider `type` adds Serin's chat robots).
    static func holds(_ ours: String?, _ theirs: String, enumeration: Bool, alternatives: Bool = false) -> Bool {
        guard let ours else { return false }
        if alternatives {
            // A `oneOf` may gain a branch (Serin's `analysis.steps`) but keeps each of Flagger's.
            return theirs.dropFirst().dropLast().components(separatedBy: "},{").allSatisfy { branch in
                ours.contains(branch.hasPrefix("{") ? branch : "{" + branch)
            }
        }
        guard enumeration else { return ours == theirs }
        func values(_ text: String) -> Set<String> {
            Set(text.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
        return values(theirs).isSubset(of: values(ours))
    }

    @Test func aOneOfMayGainABranchButNeverLoseOne() {
        let flaggers = "[{required:[interval,iterations]},{required:[interval,stepWeight]}]"
        #expect(
            Self.holds(
                "[{required:[interval,iterations]},{required:[interval,stepWeight]},{required:[interval,steps]}]", flaggers, enumeration: false,
                alternatives: true))
        #expect(!Self.holds("[{required:[interval,iterations]},{required:[interval,steps]}]", flaggers, enumeration: false, alternatives: true))
    }

    @Test func anEnumMayGrowButNeverLoseAValue() {
        #expect(Self.holds("[slack,msteams,wecom]", "[slack,msteams]", enumeration: true))
        #expect(!Self.holds("[slack,wecom]", "[slack,msteams]", enumeration: true))
        #expect(!Self.holds("[slack,msteams,wecom]", "[slack,msteams]", enumeration: false))
    }

    @Test func everyConstraintOfFlaggersSchemasHoldsInSerinsCRDs() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let flagger = try Self.constraints(in: try String(contentsOf: here.appendingPathComponent("Reference/flagger-crds.yaml"), encoding: .utf8))
        #expect(flagger.count == 3 && (flagger["canaries.flagger.app"]?.count ?? 0) > 400)
        for (name, theirs) in flagger {
            let ours =
                try Self.constraints(
                    in: try String(contentsOf: CanaryFieldsTests.repository.appendingPathComponent("crds/\(name).yaml"), encoding: .utf8))[name]
                ?? [:]
            let missing = theirs.filter {
                !Self.holds(ours[$0.key], $0.value, enumeration: $0.key.hasSuffix(" enum"), alternatives: $0.key.hasSuffix(" oneOf"))
            }.keys.sorted()
            #expect(missing.isEmpty, "\(name): \(missing.count) constraints of Flagger's schema differ or are missing: \(missing.prefix(20))")
        }
    }
}
