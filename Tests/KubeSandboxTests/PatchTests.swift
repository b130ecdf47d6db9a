@testable import KubeAPIServer
import KubeCore
import SerinTesting
import Testing
@testable import KubeSandbox

@Suite struct MergePatchTests {
    @Test func mergesObjectsRemovesNullsAndReplacesArrays() {
        let original: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "list": [1, 2]]
        let patched = original.applyingMergePatch(["b": ["c": .null, "e": 4], "list": [3], "z": true])
        #expect(patched == ["a": 1, "b": ["d": 3, "e": 4], "list": [3], "z": true])
    }

    @Test func theDiffOfTwoDocumentsPatchesOneIntoTheOther() {
        let before: JSONValue = ["a": 1, "b": ["c": 2, "gone": 1], "same": "x"]
        let after: JSONValue = ["a": 2, "b": ["c": 2, "new": [1]], "same": "x"]
        let patch = before.mergePatch(to: after)
        #expect(patch == ["a": 2, "b": ["gone": .null, "new": [1]]])
        #expect(before.applyingMergePatch(patch!) == after)
        #expect(after.mergePatch(to: after) == nil)
    }
}

@Suite struct JSONPatchTests {
    let document: JSONValue = ["metadata": ["finalizers": ["a", "b"], "labels": ["x~y/z": "1"]]]

    @Test func everyOperation() throws {
        let patch: JSONValue = [
            ["op": "test", "path": "/metadata/finalizers/0", "value": "a"],
            ["op": "remove", "path": "/metadata/finalizers/0"],
            ["op": "add", "path": "/metadata/finalizers/-", "value": "c"],
            ["op": "replace", "path": "/metadata/labels/x~0y~1z", "value": "2"],
            ["op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"],
            ["op": "move", "from": "/metadata/finalizers/0", "path": "/metadata/first"],
        ]
        let result = try JSONPatchApplier.apply(patch, to: document)
        #expect(result == ["metadata": ["finalizers": ["c"], "labels": ["x~y/z": "2"], "annotations": ["x~y/z": "2"], "first": "b"]])
    }

    @Test func aFailedTestLeavesTheDocumentUntouched() {
        let patch: JSONValue = [
            ["op": "test", "path": "/metadata/finalizers/0", "value": "someone-else"],
            ["op": "remove", "path": "/metadata/finalizers/0"],
        ]
        #expect(throws: JSONPatchApplier.Failure.self) { try JSONPatchApplier.apply(patch, to: document) }
    }

    @Test func missingPathsAreErrors() {
        #expect(throws: JSONPatchApplier.Failure.self) {
            try JSONPatchApplier.apply([["op": "replace", "path": "/nope", "value": 1]], to: document)
        }
        #expect(throws: JSONPatchApplier.Failure.self) {
            try JSONPatchApplier.apply([["op": "remove", "path": "/metadata/finalizers/5"]], to: document)
        }
    }
}

@Suite struct StrategicMergePatchTests {
    let deployment: JSONValue = [
        "spec": [
            "template": [
                "spec": [
                    "containers": [
                        [
                            "name": "app", "image": "app:1", "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]],
                            "ports": [["containerPort": 80, "protocol": "TCP"]],
                        ],
                        ["name": "sidecar", "image": "proxy:1"],
                    ]
                ]
            ]
        ],
        "metadata": ["finalizers": ["x"]],
    ]

    func containers(_ value: JSONValue) -> [JSONValue] { value[path: "spec", "template", "spec", "containers"]?.arrayValue ?? [] }

    @Test func containersMergeByNameAndKeepTheirOtherFields() {
        let patched = StrategicMergePatch.apply(
            ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "app:2", "env": [["name": "B", "value": "3"]]]]]]]],
            to: deployment)
        let list = containers(patched)
        #expect(list.count == 2)
        #expect(list[0]["image"] == "app:2")
        #expect(list[0]["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "3"]])
        #expect(list[0]["ports"] == [["containerPort": 80, "protocol": "TCP"]])
        #expect(list[1]["image"] == "proxy:1")
    }

    @Test func directivesDeleteReplaceAndReorder() {
        let deleted = StrategicMergePatch.apply(
            ["spec": ["template": ["spec": ["containers": [["name": "sidecar", "$patch": "delete"]]]]]], to: deployment)
        #expect(containers(deleted).compactMap { $0["name"]?.stringValue } == ["app"])

        let replaced = StrategicMergePatch.apply(
            ["spec": ["template": ["spec": ["containers": [["name": "only", "image": "x"], ["$patch": "replace"]]]]]], to: deployment)
        #expect(containers(replaced) == [["name": "only", "image": "x"]])

        let reordered = StrategicMergePatch.apply(
            ["spec": ["template": ["spec": ["$setElementOrder/containers": [["name": "sidecar"], ["name": "app"]]]]]], to: deployment)
        #expect(containers(reordered).compactMap { $0["name"]?.stringValue } == ["sidecar", "app"])

        let retained = StrategicMergePatch.apply(
            ["spec": ["$retainKeys": ["type"], "type": "Recreate"]],
            to: ["spec": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1]]])
        #expect(retained == ["spec": ["type": "Recreate"]])
    }

    @Test func finalizersMergeAsASetAndCanBeRemoved() {
        let added = StrategicMergePatch.apply(["metadata": ["finalizers": ["y", "x"]]], to: deployment)
        #expect(added[path: "metadata", "finalizers"] == ["x", "y"])
        let removed = StrategicMergePatch.apply(["metadata": ["$deleteFromPrimitiveList/finalizers": ["x"]]], to: added)
        #expect(removed[path: "metadata", "finalizers"] == ["y"])
    }

    @Test func listsWithoutAMergeKeyReplace() {
        let patched = StrategicMergePatch.apply(["spec": ["args": ["b"]]], to: ["spec": ["args": ["a"]]])
        #expect(patched == ["spec": ["args": ["b"]]])
    }
}

@Suite struct SelectorAndPathTests {
    @Test func fieldSelectorsMatchAnyDottedPath() throws {
        let event: JSONValue = ["involvedObject": ["kind": "Canary", "name": "web"], "metadata": ["name": "e1"]]
        #expect(try FieldSelector("involvedObject.kind=Canary,involvedObject.name==web").matches(event))
        #expect(try !FieldSelector("involvedObject.kind!=Canary").matches(event))
        #expect(try FieldSelector("spec.missing=").matches(event))
    }

    @Test func printerColumnPathsReadNestedValuesAndLists() {
        let object: JSONValue = [
            "status": ["phase": "Progressing", "conditions": [["type": "Promoted"], ["type": "Ready"]]],
            "spec": ["hosts": ["a", "b"]],
        ]
        #expect(SimpleJSONPath.evaluate(".status.phase", in: object) == "Progressing")
        #expect(SimpleJSONPath.evaluate(".status.conditions[1].type", in: object) == "Ready")
        #expect(SimpleJSONPath.evaluate(".status.conditions[*].type", in: object) == "Promoted,Ready")
        #expect(SimpleJSONPath.evaluate("{.spec.hosts}", in: object) == ["a", "b"])
        #expect(SimpleJSONPath.evaluate(".status.missing", in: object) == nil)
    }

    @Test func requestPathsAreParsedLikeTheAPIServer() {
        typealias Path = RequestTarget.ResourcePath
        #expect(
            RequestTarget(path: "/api/v1/namespaces/demo/services/web")
                == .resource(Path(group: "", version: "v1", plural: "services", namespace: "demo", name: "web")))
        #expect(RequestTarget(path: "/api/v1/namespaces/demo") == .resource(Path(group: "", version: "v1", plural: "namespaces", name: "demo")))
        #expect(
            RequestTarget(path: "/api/v1/namespaces/demo/status")
                == .resource(Path(group: "", version: "v1", plural: "namespaces", name: "demo", subresource: "status")))
        #expect(
            RequestTarget(path: "/apis/apps/v1/namespaces/x/deployments/y/scale")
                == .resource(Path(group: "apps", version: "v1", plural: "deployments", namespace: "x", name: "y", subresource: "scale")))
        #expect(RequestTarget(path: "/apis/apps/v1/deployments") == .resource(Path(group: "apps", version: "v1", plural: "deployments")))
        #expect(RequestTarget(path: "/apis/apps/v1") == .groupVersion("apps", "v1"))
        #expect(RequestTarget(path: "/openapi/v3/apis/apps/v1") == .openAPIGroupVersion("apps", "v1"))
        #expect(RequestTarget(path: "/nope") == .unknown)
    }

    @Test func humanDurationsMatchKubernetes() {
        #expect(BuiltinResources.humanDuration(45) == "45s")
        #expect(BuiltinResources.humanDuration(150) == "2m30s")
        #expect(BuiltinResources.humanDuration(14 * 60) == "14m")
        #expect(BuiltinResources.humanDuration(3 * 3600 + 20 * 60) == "3h20m")
        #expect(BuiltinResources.humanDuration(51 * 3600) == "2d3h")
    }
}
