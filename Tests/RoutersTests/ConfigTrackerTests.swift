import CanaryAPI
import KubeCore
import Targets
import Testing

/// The pure half of config tracking: which configs a pod spec uses, their checksums, the primary's spec.
@Suite struct ConfigTrackerTests {
    static let spec: JSONValue = [
        "volumes": [
            ["name": "a", "configMap": ["name": "settings"]],
            ["name": "b", "projected": ["sources": [["configMap": ["name": "extra", "optional": true]], ["secret": ["name": "keys"]]]]],
            ["name": "c", "emptyDir": [:]],
        ],
        "initContainers": [["name": "init", "envFrom": [["configMapRef": ["name": "settings"]]]]],
        "containers": [
            [
                "name": "app",
                "env": [["name": "A", "value": "1"], ["name": "B", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]]],
                "envFrom": [["secretRef": ["name": "keys"]]],
            ]
        ],
    ]

    @Test func everyConfigAPodSpecUsesIsFoundOnceWithWhetherItIsRequired() {
        let found = PodConfigReferences.references(in: Self.spec)
        #expect(found.map(\.key) == ["configmap/settings", "configmap/extra", "secret/keys", "secret/db"])
        #expect(found.first { $0.name == "extra" }?.required == false && found.first { $0.name == "keys" }?.required == true)
    }

    @Test func thePrimarySpecNamesTheCopiesOfTrackedConfigsOnly() throws {
        let primary = PodConfigReferences.primary(Self.spec, tracked: ["configmap/settings", "secret/keys"])
        #expect(primary["volumes"]?[0]?[path: "configMap", "name"] == "settings-primary")
        #expect(primary["volumes"]?[1]?[path: "projected", "sources"]?[0]?[path: "configMap", "name"] == "extra")
        #expect(primary["volumes"]?[1]?[path: "projected", "sources"]?[1]?[path: "secret", "name"] == "keys-primary")
        #expect(primary["initContainers"]?[0]?["envFrom"]?[0]?[path: "configMapRef", "name"] == "settings-primary")
        #expect(primary["containers"]?[0]?["envFrom"]?[0]?[path: "secretRef", "name"] == "keys-primary")
        #expect(primary["containers"]?[0]?["env"]?[1]?[path: "valueFrom", "secretKeyRef", "name"] == "db")
        #expect(primary["containers"]?[0]?["env"]?[0] == ["name": "A", "value": "1"] && primary["volumes"]?[2] == Self.spec["volumes"]?[2])
        #expect(PodConfigReferences.primary(Self.spec, tracked: []) == Self.spec)
    }

    @Test func theChecksumIsFlaggersAndTheRevisionKeepsTheTemplateHashWithoutConfigs() {
        // sha256 of Go's json.Marshal(map[string]string{...}), first 8 bytes in hex.
        #expect(ConfigTracker.checksum(["data": ["ui.properties": "color=blue", "game.properties": "lives=3"]]) == "08b8a87b9582d7e3")
        #expect(ConfigTracker.checksum(["metadata": ["name": "empty"]]) == "74234e98afe7498f", "no data: json null")
        #expect(ConfigTracker.checksum(["data": ["a": "1"], "binaryData": ["b": "AA=="]]) != ConfigTracker.checksum(["data": ["a": "1"]]))
        #expect(ConfigTracker.revision(templateHash: "abc", configs: [:]) == "abc")
        let one = ConfigTracker.revision(templateHash: "abc", configs: ["configmap/a": "1"])
        #expect(one != "abc" && one != ConfigTracker.revision(templateHash: "abc", configs: ["configmap/a": "2"]))
    }

    @Test func aCopyHasTheSourcesDataTypeAndIncludedLabelsButNeverImmutability() throws {
        let source: JSONValue = [
            "metadata": ["name": "keys", "labels": ["team": "web", "other": "x", "kustomize.toolkit.fluxcd.io/name": "app"]],
            "type": "kubernetes.io/tls", "data": ["tls.crt": "Y2VydA=="], "immutable": true,
        ]
        let copy = ConfigTracker.desiredCopy(source, kind: .secret, live: nil, labels: LabelCopier(flag: "team, kustomize"))
        #expect(
            copy == [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["labels": ["team": "web"]], "data": ["tls.crt": "Y2VydA=="],
                "type": "kubernetes.io/tls",
            ])
        #expect(LabelCopier(flag: "*").included(["a": "1", "kustomize.toolkit.fluxcd.io/name": "x"]) == ["a": "1"])
        #expect(LabelCopier(flag: "").included(["a": "1"]).isEmpty)
    }

    @Test func primaryScalerQueriesReplaceTheTriggersQueriesByName() throws {
        var canary = try JSONValue(
            parsing:
                #"{"metadata":{"name":"podinfo","namespace":"demo"},"spec":{"targetRef":{"kind":"Deployment","name":"podinfo"},"autoscalerRef":{"kind":"ScaledObject","name":"so","primaryScalerQueries":{"requests":"vector(1)"},"primaryScalerReplicas":{"maxReplicas":3}}}}"#
        ).decode(as: Canary.self)
        let source: JSONValue = [
            "metadata": ["name": "so", "annotations": ["autoscaling.keda.sh/paused-replicas": "0", "team": "web"]],
            "spec": [
                "scaleTargetRef": ["name": "podinfo"], "maxReplicaCount": 10,
                "triggers": [
                    ["name": "requests", "type": "prometheus", "metadata": ["query": "sum(podinfo)"]],
                    ["name": "cpu", "type": "cpu", "metadata": ["value": "80"]],
                ],
            ],
        ]
        let primary = ScaledObjectScaler.desiredPrimary(canary, source: source)
        try Golden.check(primary, "scaledobject-primary")
        #expect(primary[path: "spec", "triggers"]?[0]?[path: "metadata", "query"] == "vector(1)")
        #expect(primary[path: "spec", "maxReplicaCount"] == 3 && primary[path: "metadata", "annotations"] == ["team": "web"], "not paused")
        canary.spec.autoscalerRef?.primaryScalerQueries = nil
        #expect(
            ScaledObjectScaler.desiredPrimary(canary, source: source)[path: "spec", "triggers"]?[0]?[path: "metadata", "query"]
                == "sum(podinfo-primary)")
    }

    @Test func aPrimaryAnotherOperatorPromotedIsRecognisedByItsTemplate() {
        let target: JSONValue = [
            "metadata": ["labels": ["app": "podinfo"]],
            "spec": [
                "volumes": [["name": "c", "configMap": ["name": "cfg"]]],
                "containers": [["name": "app", "image": "podinfo:1"]],
            ],
        ]
        var flaggers = WorkloadTemplate.primary(target, key: "app", value: "podinfo", id: "a-uuid-flagger-chose", configs: ["configmap/cfg"])
        #expect(WorkloadTemplate.runs(primary: flaggers, target: target, key: "app", value: "podinfo", configs: ["configmap/cfg"]))
        #expect(!WorkloadTemplate.runs(primary: flaggers, target: target, key: "app", value: "podinfo", configs: []), "copies named differently")
        flaggers[path: "spec", "containers"] = [["name": "app", "image": "podinfo:0"]]
        #expect(!WorkloadTemplate.runs(primary: flaggers, target: target, key: "app", value: "podinfo", configs: ["configmap/cfg"]))
    }
}
