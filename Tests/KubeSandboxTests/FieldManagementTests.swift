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
        #expect(fields.paths == [
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
        #expect(management("serin").afterUpdate(old: scaled, new: scaled, subresource: nil) == scaled[path: "metadata", "managedFields"],
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
            #expect(conflict.message == """
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
