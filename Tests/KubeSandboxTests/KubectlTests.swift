import ChildProcesses
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

let manifest = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: demo}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: demo, labels: {app: web}}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata:
          labels: {app: web}
          annotations: {sandbox.serin.dev/ready-after: 100ms}
        spec:
          containers:
          - name: web
            image: web:1
            ports: [{containerPort: 80}]
            env: [{name: MODE, value: a}, {name: KEEP, value: k}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: demo}
    spec:
      selector: {app: web}
      ports: [{port: 8000, targetPort: 80}]
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: demo}
    data: {a: "1"}
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
      versions:
      - name: v1
        served: true
        storage: true
        schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        subresources: {status: {}}
        additionalPrinterColumns:
        - {name: Size, type: string, jsonPath: .spec.size}
        - {name: Phase, type: string, jsonPath: .status.phase}
    """

let widget = """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w1, namespace: demo}
    spec: {size: large, extra: {kept: true}}
    """

@Suite(.serialized) struct KubectlTests {
    @Test func applyAMultiDocumentManifestThenACustomResource() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            let applied = try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            for line in [
                "namespace/demo created", "deployment.apps/web created", "service/web created", "configmap/settings created",
                "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created",
            ] {
                #expect(applied.contains(line), "\(applied)")
            }
            #expect(try await kubectl.succeed(["apply", "-f", "-"], stdin: widget).contains("widget.example.com/w1 created"))
            let table = try await kubectl.succeed(["get", "wd", "-n", "demo"])
            #expect(table.contains("NAME") && table.contains("SIZE") && table.contains("PHASE"), "the CRD's printer columns: \(table)")
            #expect(table.contains("w1") && table.contains("large"))
            let json = try JSONValue(parsing: try await kubectl.succeed(["get", "widget", "w1", "-n", "demo", "-o", "json"]))
            #expect(json[path: "spec", "extra", "kept"] == true, "unknown fields are kept")
            let yaml = try await kubectl.succeed(["get", "svc", "web", "-n", "demo", "-o", "yaml"])
            #expect(yaml.contains("clusterIP: 10.96.") && yaml.contains("targetPort: 80"))
            #expect(try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest).contains("deployment.apps/web unchanged"))
        }
    }

    @Test func explainDescribesBuiltinKindsAndCustomResources() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            let deployment = try await kubectl.succeed(["explain", "deployment"])
            #expect(deployment.contains("KIND:       Deployment") && deployment.contains("spec\t<Object>"), "\(deployment)")
            let virtualService = try await kubectl.succeed(["explain", "virtualservices"])
            #expect(virtualService.contains("GROUP:      networking.istio.io") && virtualService.contains("spec\t<Object>"), "\(virtualService)")
        }
    }

    @Test func reapplyingAChangedManifestPatchesOnlyWhatChanged() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            try await kubectl.succeed(["label", "deploy", "web", "-n", "demo", "owner=someone-else"])
            let changed = manifest.replacingOccurrences(of: "{name: MODE, value: a}", with: "{name: MODE, value: b}")
            #expect(try await kubectl.succeed(["apply", "-f", "-"], stdin: changed).contains("deployment.apps/web configured"))
            let object = try JSONValue(parsing: try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "json"]))
            let env = object[path: "spec", "template", "spec", "containers"]?[0]?["env"]
            #expect(env == [["name": "MODE", "value": "b"], ["name": "KEEP", "value": "k"]])
            #expect(object[path: "metadata", "labels", "owner"] == "someone-else", "a label set outside the manifest survives")
            #expect(object[path: "metadata", "generation"] == 2)
        }
    }

    @Test func patchScaleSetImageLabelAndAnnotate() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            try await kubectl.succeed(["patch", "deploy", "web", "-n", "demo", "--type", "merge", "-p", #"{"metadata":{"labels":{"m":"1"}}}"#])
            try await kubectl.succeed([
                "patch", "deploy", "web", "-n", "demo", "--type", "json", "-p",
                #"[{"op":"add","path":"/metadata/labels/j","value":"2"}]"#,
            ])
            try await kubectl.succeed([
                "patch", "deploy", "web", "-n", "demo", "-p",
                #"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"web:2"}]}}}}"#,
            ])
            try await kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=web:3"])
            try await kubectl.succeed(["scale", "deploy/web", "-n", "demo", "--replicas=4"])
            try await kubectl.succeed(["label", "deploy", "web", "-n", "demo", "tier=front"])
            try await kubectl.succeed(["annotate", "deploy", "web", "-n", "demo", "note=hello"])
            let object = try JSONValue(parsing: try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "json"]))
            #expect(object[path: "metadata", "labels"] == ["app": "web", "m": "1", "j": "2", "tier": "front"])
            #expect(object[path: "metadata", "annotations", "note"] == "hello")
            #expect(object[path: "spec", "replicas"] == 4)
            let containers = object[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
            #expect(containers.count == 1 && containers[0]["image"] == "web:3", "strategic merge keeps one container")
            #expect(containers[0]["env"]?.arrayValue?.count == 2, "and its env")
            #expect(object[path: "metadata", "generation"] == 4, "image, image and replicas changed the spec; labels did not")
        }
    }

    @Test func rolloutStatusWaitsForTheSimulatedRollout() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            let status = try await kubectl.succeed(["rollout", "status", "deploy/web", "-n", "demo", "--timeout=20s"])
            #expect(status.contains("successfully rolled out"))
            try await kubectl.succeed([
                "patch", "deploy", "web", "-n", "demo", "-p",
                #"{"spec":{"progressDeadlineSeconds":1,"template":{"metadata":{"annotations":{"sandbox.serin.dev/never-ready":"true"}}}}}"#,
            ])
            let stuck = try await kubectl.run(["rollout", "status", "deploy/web", "-n", "demo", "--timeout=20s"])
            #expect(stuck.status != 0)
            #expect(stuck.stderr.contains("exceeded its progress deadline"), "\(stuck)")
        }
    }

    @Test func getWatchObservesAnUpdate() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: widget)
            let (process, output) = try kubectl.start(["get", "widgets", "-n", "demo", "-w"])
            defer { ProcessGroup.stopInBackground(process) }
            try await Task.sleep(for: .milliseconds(700))
            try await kubectl.succeed([
                "patch", "widget", "w1", "-n", "demo", "--subresource", "status", "--type", "merge", "-p",
                #"{"status":{"phase":"Ready"}}"#,
            ])
            try await Task.sleep(for: .milliseconds(700))
            await ProcessGroup.stop(process)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let lines = text.split(separator: "\n")
            #expect(lines.first?.contains("PHASE") == true, "\(text)")
            #expect(lines.last?.contains("Ready") == true, "the update shows up: \(text)")
        }
    }

    @Test func describeShowsTheObjectAndItsEvents() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: widget)
            let uid = try await kubectl.succeed(["get", "widget", "w1", "-n", "demo", "-o", "jsonpath={.metadata.uid}"])
            let event = """
                apiVersion: v1
                kind: Event
                metadata: {name: w1.1, namespace: demo}
                involvedObject: {apiVersion: example.com/v1, kind: Widget, name: w1, namespace: demo, uid: "\(uid)"}
                reason: Synced
                message: widget w1 is in sync
                type: Normal
                count: 1
                source: {component: test}
                """
            try await kubectl.succeed(["create", "-f", "-"], stdin: event)
            let described = try await kubectl.succeed(["describe", "widget", "w1", "-n", "demo"])
            let lines = described.split(separator: "\n")
            #expect(lines.contains { $0.contains("Name:") && $0.contains("w1") }, "\(described)")
            #expect(lines.contains { $0.contains("Size:") && $0.contains("large") }, "\(described)")
            #expect(described.contains("Synced") && described.contains("widget w1 is in sync"), "\(described)")
            let deployment = try await kubectl.succeed(["describe", "deploy", "web", "-n", "demo"])
            #expect(deployment.contains("Image:      web:1"), "\(deployment)")
        }
    }

    @Test func deleteHonoursFinalizersOwnersAndNamespaces() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            let uid = try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.uid}"])
            try await kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: owned
                      namespace: demo
                      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: "\(uid)", controller: true}]
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: held, namespace: demo, finalizers: [example.com/hold]}
                    """)
            try await kubectl.succeed(["delete", "cm", "held", "-n", "demo", "--wait=false"])
            let stamp = try await kubectl.succeed(["get", "cm", "held", "-n", "demo", "-o", "jsonpath={.metadata.deletionTimestamp}"])
            #expect(!stamp.isEmpty, "a finalizer keeps the object, marked for deletion")
            try await kubectl.succeed([
                "patch", "cm", "held", "-n", "demo", "--type", "json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#,
            ])
            #expect(try await kubectl.run(["get", "cm", "held", "-n", "demo"]).stderr.contains("NotFound"))

            try await kubectl.succeed(["delete", "deploy", "web", "-n", "demo", "--cascade=orphan"])
            #expect(try await kubectl.run(["get", "cm", "owned", "-n", "demo"]).status == 0, "orphaned dependents stay")
            try await kubectl.succeed(["delete", "ns", "demo", "--timeout=10s"])
            #expect(try await kubectl.run(["get", "ns", "demo"]).stderr.contains("NotFound"))
            #expect(try await kubectl.run(["get", "cm", "owned", "-n", "demo"]).status != 0)
        }
    }

    @Test func backgroundCascadeDeletesDependents() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            let uid = try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.uid}"])
            try await kubectl.succeed(
                ["create", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: owned
                      namespace: demo
                      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: "\(uid)"}]
                    """)
            try await kubectl.succeed(["delete", "deploy", "web", "-n", "demo"])
            #expect(try await eventually { try await kubectl.run(["get", "cm", "owned", "-n", "demo"]).status != 0 })
            // Created after its owner went (a controller's stale cache): collected as Kubernetes' collector does.
            try await kubectl.succeed(
                ["create", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: late
                      namespace: demo
                      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: "\(uid)"}]
                    """)
            #expect(try await eventually { try await kubectl.run(["get", "cm", "late", "-n", "demo"]).status != 0 })
        }
    }
}
