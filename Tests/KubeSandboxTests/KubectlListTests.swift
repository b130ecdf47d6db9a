import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `kubectl apply -f` of a `kind: List`: kubectl validates a List on the client from `/openapi/v2`.
@Suite(.serialized) struct KubectlListTests {
    static let list = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: one, namespace: default}
          data: {a: "1"}
        - apiVersion: v1
          kind: Service
          metadata: {name: two, namespace: default}
          spec: {ports: [{port: 80}]}
        """

    @Test func applyOfAListCreatesEveryItemThenLeavesThemUnchanged() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            let created = try await kubectl.succeed(["apply", "-f", "-"], stdin: KubectlListTests.list)
            #expect(created.contains("configmap/one created") && created.contains("service/two created"), "\(created)")
            let again = try await kubectl.succeed(["apply", "-f", "-"], stdin: KubectlListTests.list)
            #expect(again.contains("configmap/one unchanged") && again.contains("service/two unchanged"), "\(again)")
            let object = try JSONValue(parsing: try await kubectl.succeed(["get", "configmap", "one", "-o", "json"]))
            #expect(object["data"] == ["a": "1"])
        }
    }
}
