@testable import KubeAPIServer
import KubeCore
import Testing
@testable import KubeSandbox

@Suite struct FieldManagementTests {
    let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": ["replicas": 2, "template": ["spec": ["containers": [["name": "web", "image": "web:1", "args": ["-v"]]]]]],
    ]

    func management(_ manager: String) -> FieldManagement {
        FieldManagement(manager: manager, apiVersion: "apps/v1", time: "2026-12-02T00:00:00Z", associativeLists: true)
    }

    func owners(_ object: JSONValue) -> [String: FieldSet] {
        Dictionary(FieldManagement.entries(of: object).map { ("\($0.manager)/\($0.operation)", $0.fields) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func fieldsAreTrackedPerLeafAndPerListItemAsKubernetesWritesThem() {
        let fields = FieldSet(of: deployment, associativeLists: true)
        #expect(
            fields.paths == [
                ["f:metadata", "f:labels", "f:app"], ["f:spec", "f:replicas"],
                ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#],
                ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "f:name"],
                ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "f:image"],
                ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "f:args"],
            ])
        #expect(fields.fieldsV1[path: "f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "."] == [:])
        #expect(FieldSet(fieldsV1: fields.fieldsV1) == fields, "fieldsV1 reads back to the same set")
    }

    @Test func anUpdateTakesTheFieldsItChangesFromTheirOwner() {
        var created = deployment
        created[path: "metadata", "managedFields"] = management("kubectl-create").afterUpdate(old: nil, new: deployment, subresource: nil)
        var scaled = created
        scaled[path: "spec", "replicas"] = 0
        scaled[path: "metadata", "managedFields"] = management("serin").afterUpdate(old: created, new: scaled, subresource: nil)
        let owned = owners(scaled)
        #expect(owned["serin/Update"]?.paths == [["f:spec", "f:replicas"]])
        #expect(owned["kubectl-create/Update"]?.contains(["f:spec", "f:replicas"]) == false)
        #expect(
            management("serin").afterUpdate(old: scaled, new: scaled, subresource: nil) == scaled[path: "metadata", "managedFields"],
            "an unchanged write changes no ownership")
    }

    @Test func anApplyConflictsNamesEveryFieldAndForceTakesThemOver() throws {
        let applied = try management("flux").apply(deployment, to: nil, force: false) { $1 }.get()
        var live = applied
        live[path: "spec", "replicas"] = 0
        live[path: "spec", "template", "spec", "containers"] = [["name": "web", "image": "web:2", "args": ["-v"]]]
        live[path: "metadata", "managedFields"] = management("serin").afterUpdate(old: applied, new: live, subresource: nil)
        let merge: (JSONValue, JSONValue) -> JSONValue = { StrategicMergePatch.apply($1, to: $0) }
        switch management("flux").apply(deployment, to: live, force: false, merge: merge) {
        case .success: Issue.record("two fields another manager owns with other values must conflict")
        case .failure(let conflict):
            #expect(
                conflict.message == """
                    Apply failed with 2 conflicts: conflicts with "serin" using apps/v1:
                    - .spec.replicas
                    - .spec.template.spec.containers[name="web"].image
                    """)
        }
        let forced = try management("flux").apply(deployment, to: live, force: true, merge: merge).get()
        #expect(forced[path: "spec", "replicas"] == 2)
        #expect(owners(forced)["serin/Update"] == nil, "forcing took every field the applier sets")
    }

    @Test func aFieldTheApplierDropsIsRemovedUnlessSomeoneElseOwnsIt() throws {
        let merge: (JSONValue, JSONValue) -> JSONValue = { StrategicMergePatch.apply($1, to: $0) }
        var first = deployment
        first[path: "metadata", "annotations"] = ["team": "a"]
        let applied = try management("flux").apply(first, to: nil, force: false, merge: merge).get()
        var labelled = applied
        labelled[path: "metadata", "labels", "owner"] = "ops"
        labelled[path: "metadata", "managedFields"] = management("kubectl-label").afterUpdate(old: applied, new: labelled, subresource: nil)
        var second = deployment
        second[path: "metadata", "labels"] = nil
        let reapplied = try management("flux").apply(second, to: labelled, force: false, merge: merge).get()
        #expect(reapplied[path: "metadata", "annotations"] == nil, "dropped and owned by nobody else: removed")
        #expect(reapplied[path: "metadata", "labels"] == ["owner": "ops"], "another manager's label stays")
    }
}

@Suite struct FieldSetDifferingTests {
    let base: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "uid": "u1", "resourceVersion": "7", "labels": ["app": "web", "tier": "front"], "finalizers": ["a", "b"]],
        "spec": [
            "replicas": 2, "paused": false, "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": ["annotations": ["x": "1"]],
                "spec": [
                    "containers": [
                        ["name": "web", "image": "web:1", "args": ["-v"], "ports": [["containerPort": 80]]],
                        ["name": "side", "image": "side:1"],
                    ]
                ],
            ],
        ],
        "status": ["replicas": 2, "conditions": [["type": "Available", "status": "True"]], "observedGeneration": 1],
    ]

    /// Edits at the places a write changes: leaves, whole members, list items, metadata the server owns.
    let edits: [(String, (inout JSONValue) -> Void)] = [
        ("a leaf", { $0[path: "spec", "replicas"] = 3 }),
        (
            "a leaf in a list item",
            {
                $0[path: "spec", "template", "spec", "containers"] = [
                    ["name": "web", "image": "web:2", "args": ["-v"], "ports": [["containerPort": 80]]], ["name": "side", "image": "side:1"],
                ]
            }
        ),
        (
            "a removed item",
            {
                $0[path: "spec", "template", "spec", "containers"] = [
                    ["name": "web", "image": "web:1", "args": ["-v"], "ports": [["containerPort": 80]]]
                ]
            }
        ),
        (
            "an added item",
            {
                $0[path: "spec", "template", "spec", "containers"] = [
                    ["name": "web", "image": "web:1", "args": ["-v"], "ports": [["containerPort": 80]]], ["name": "side", "image": "side:1"],
                    ["name": "new", "image": "n:1"],
                ]
            }
        ),
        ("a removed member", { $0[path: "spec", "paused"] = nil }),
        ("an emptied object", { $0[path: "spec", "template", "metadata", "annotations"] = [:] }),
        ("an object replaced by a leaf", { $0[path: "spec", "selector"] = "app=web" }),
        ("a new nested member", { $0[path: "spec", "strategy"] = ["type": "Recreate", "rollingUpdate": ["maxSurge": 1]] }),
        ("a label", { $0[path: "metadata", "labels", "tier"] = "back" }),
        ("the labels removed", { $0[path: "metadata", "labels"] = nil }),
        ("a finalizer", { $0[path: "metadata", "finalizers"] = ["a"] }),
        (
            "server metadata only",
            {
                $0[path: "metadata", "resourceVersion"] = "8"; $0[path: "metadata", "uid"] = "u2"
            }
        ),
        ("all metadata", { $0["metadata"] = ["name": "web"] }),
        (
            "the status",
            {
                $0[path: "status", "replicas"] = 3; $0[path: "status", "conditions"] = []
            }
        ),
        ("the spec removed", { $0["spec"] = nil }),
    ]

    @Test func theFieldsUnderWhatDiffersGiveTheSameChangesAsEveryField() {
        var pairs: [(String, JSONValue, JSONValue)] = []
        for (name, edit) in edits {
            var new = base
            edit(&new)
            pairs.append((name, base, new))
            pairs.append((name + ", undone", new, base))
            for (other, second) in edits where other != name {
                var both = new
                second(&both)
                pairs.append((name + " and " + other, base, both))
            }
        }
        for (name, old, new) in pairs {
            for associative in [true, false] {
                for status in [false, true] {
                    let full = (
                        FieldSet(of: old, associativeLists: associative, status: status),
                        FieldSet(of: new, associativeLists: associative, status: status)
                    )
                    let differing = FieldSet.differing(old, new, associativeLists: associative, status: status)
                    #expect(differing.before.paths.isSubset(of: full.0.paths) && differing.after.paths.isSubset(of: full.1.paths), "\(name)")
                    let expected = FieldManagement.changes(from: old, to: new, before: full.0, after: full.1)
                    let found = FieldManagement.changes(from: old, to: new, before: differing.before, after: differing.after)
                    #expect(found.changed == expected.changed, "changed, \(name), associative \(associative), status \(status)")
                    #expect(found.removed == expected.removed, "removed, \(name), associative \(associative), status \(status)")
                }
            }
        }
        let same = FieldSet.differing(base, base, associativeLists: true, status: false)
        #expect(same.before.isEmpty && same.after.isEmpty, "equal objects differ nowhere")
    }
}
