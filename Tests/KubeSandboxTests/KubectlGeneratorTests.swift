import Foundation
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// kubectl's generators (`create namespace`, `create deployment`, `autoscale`…) send built-in kinds as protobuf
/// through typed clients; the sandbox must store what a real API server would.
@Suite(.serialized) struct KubectlGeneratorTests {
    @Test func kubectlsCreateCommandsSendProtobufAndTheSandboxStoresWhatTheyMeant() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            let commands: [[String]] = [
                ["create", "namespace", "test"],
                ["create", "configmap", "settings", "-n", "test", "--from-literal=a=1", "--from-literal=b=two"],
                ["create", "secret", "generic", "login", "-n", "test", "--from-literal=password=hunter2"],
                ["create", "serviceaccount", "robot", "-n", "test"],
                ["create", "deployment", "web", "-n", "test", "--image=nginx:1.27", "--replicas=0", "--port=80"],
                ["create", "service", "clusterip", "web", "-n", "test", "--tcp=8080:80"],
                ["create", "role", "reader", "-n", "test", "--verb=get,list", "--resource=pods,configmaps"],
                ["create", "rolebinding", "reader", "-n", "test", "--role=reader", "--serviceaccount=test:robot"],
                ["create", "clusterrole", "node-reader", "--verb=get", "--resource=nodes"],
                ["create", "job", "once", "-n", "test", "--image=busybox", "--", "echo", "hi"],
                ["create", "cronjob", "nightly", "-n", "test", "--image=busybox", "--schedule=0 3 * * *"],
                ["create", "ingress", "front", "-n", "test", "--rule=foo.example.com/bar=web:8080"],
                ["create", "poddisruptionbudget", "web", "-n", "test", "--selector=app=web", "--min-available=1"],
                ["autoscale", "deployment", "web", "-n", "test", "--min=1", "--max=3", "--cpu-percent=80"],
            ]
            for command in commands {
                let result = try await kubectl.run(command)
                #expect(result.status == 0, "kubectl \(command.joined(separator: " ")): \(result)")
            }
            func object(_ arguments: String...) async throws -> JSONValue {
                try JSONValue(parsing: try await kubectl.succeed(["get"] + arguments + ["-n", "test", "-o", "json"]))
            }
            #expect(try await object("namespace", "test")[path: "status", "phase"] == "Active")
            #expect(try await object("configmap", "settings")["data"] == ["a": "1", "b": "two"])
            #expect(try await object("secret", "login")["data"] == ["password": .string(Data("hunter2".utf8).base64EncodedString())])
            #expect(try await object("secret", "login")["type"] == "Opaque")
            let deployment = try await object("deployment", "web")
            #expect(deployment[path: "spec", "replicas"] == 0, "a pointer's zero is kept: \(deployment)")
            #expect(deployment[path: "spec", "selector", "matchLabels"] == ["app": "web"])
            let container = deployment[path: "spec", "template", "spec", "containers"]?[0]
            #expect(container?["image"] == "nginx:1.27" && container?["ports"] == [["containerPort": 80, "protocol": "TCP"]])
            #expect(deployment[path: "spec", "strategy", "type"] == "RollingUpdate", "an empty strategy is defaulted")
            let service = try await object("service", "web")
            #expect(service[path: "spec", "ports"]?[0]?["targetPort"] == 80, "an IntOrString int: \(service)")
            #expect(
                try await object("role", "reader")["rules"] == [["apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list"]]])
            let binding = try await object("rolebinding", "reader")
            #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "robot", "namespace": "test"]])
            #expect(try await object("job", "once")[path: "spec", "template", "spec", "containers"]?[0]?["command"] == ["echo", "hi"])
            #expect(try await object("cronjob", "nightly")[path: "spec", "schedule"] == "0 3 * * *")
            let ingress = try await object("ingress", "front")
            #expect(ingress[path: "spec", "rules"]?[0]?["host"] == "foo.example.com")
            #expect(ingress[path: "spec", "rules"]?[0]?[path: "http", "paths"]?[0]?[path: "backend", "service", "port", "number"] == 8080)
            #expect(try await object("pdb", "web")[path: "spec", "minAvailable"] == 1)
            let hpa = try await object("hpa", "web")
            #expect(hpa["apiVersion"] == "autoscaling/v2")
            #expect(
                hpa[path: "spec", "metrics"] == [
                    ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]
                ],
                "autoscaling/v1's target CPU is v2's CPU utilization metric: \(hpa)")
            let nodes = try await kubectl.succeed(["get", "nodes"])
            #expect(nodes.contains("sandbox") && nodes.contains("Ready"), "\(nodes)")
        }
    }

    @Test func aHorizontalPodAutoscalerReadsAndPatchesThroughAutoscalingV1() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["create", "deployment", "web", "--image=nginx"])
            try await kubectl.succeed(["autoscale", "deployment", "web", "--max=5", "--cpu-percent=60"])
            let v1 = "horizontalpodautoscalers.v1.autoscaling"
            try await kubectl.succeed(["patch", v1, "web", "--type=merge", "-p", #"{"spec":{"targetCPUUtilizationPercentage":40}}"#])
            let read = try JSONValue(parsing: try await kubectl.succeed(["get", v1, "web", "-o", "json"]))
            #expect(read["apiVersion"] == "autoscaling/v1" && read[path: "spec", "targetCPUUtilizationPercentage"] == 40, "\(read)")
            #expect(read[path: "spec", "metrics"] == nil)
            let stored = try JSONValue(parsing: try await kubectl.succeed(["get", "horizontalpodautoscalers.v2.autoscaling", "web", "-o", "json"]))
            #expect(stored[path: "spec", "metrics"]?[0]?[path: "resource", "target", "averageUtilization"] == 40, "\(stored)")
        }
    }
}
