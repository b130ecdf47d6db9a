import Foundation
import KubeClient
import KubeCore
import Testing

let deploymentJSON =
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"demo","resourceVersion":"7"},"spec":{"replicas":3,"x-unknown":{"kept":1.25}}}"#

@Suite struct ResourceClientTests {
    @Test func getBuildsTheURLAndDecodesLosslessly() async throws {
        try await withTestServer(handler: { _ in .json(deploymentJSON) }) { server in
            let object = try await using(server.client()) { client in
                try await client.resource(.deployments).get("web", namespace: "demo")
            }
            #expect(object.json == (try JSONValue(parsing: deploymentJSON)))
            let request = try #require(await server.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/apis/apps/v1/namespaces/demo/deployments/web")
            #expect(request.headers["accept"] == "application/json")
            #expect(request.headers["user-agent"]?.hasPrefix("serin/") == true)
        }
    }

    @Test func listSendsSelectorsAndPagingAndFollowsContinueTokens() async throws {
        try await withTestServer(handler: { request in
            let page = request.parameters["continue"] == nil ? 1 : 2
            let next = page == 1 ? #","continue":"tok en/2""# : ""
            return .json(#"{"kind":"DeploymentList","metadata":{"resourceVersion":"9"\#(next)},"items":[{"metadata":{"name":"p\#(page)"}}]}"#)
        }) { server in
            let list = try await using(server.client()) { client in
                try await client.resource(.deployments).listAll(
                    namespace: "demo",
                    options: ListOptions(labelSelector: "app in (a,b),!legacy", fieldSelector: "metadata.name=wéb~x", limit: 1))
            }
            #expect(list.items.map(\.name) == ["p1", "p2"])
            #expect(list.metadata.resourceVersion == "9")
            let requests = await server.requests
            #expect(requests.count == 2)
            #expect(requests[0].parameters == ["labelSelector": "app in (a,b),!legacy", "fieldSelector": "metadata.name=wéb~x", "limit": "1"])
            #expect(requests[0].query.contains("labelSelector=app%20in%20%28a%2Cb%29%2C%21legacy"))
            #expect(
                requests[0].query.contains("fieldSelector=metadata.name%3Dw%C3%A9b~x"),
                "UTF-8 bytes encoded, unreserved ones kept: \(requests[0].query)")
            #expect(requests[1].parameters["continue"] == "tok en/2")
        }
    }

    @Test(arguments: [
        (Patch.merge(["spec": ["replicas": 2]]), "application/merge-patch+json", [String: String]()),
        (
            Patch.json([
                JSONPatchOperation(.test, path: "/metadata/finalizers/0", value: "x"), JSONPatchOperation(.remove, path: "/metadata/finalizers/0"),
            ]),
            "application/json-patch+json", [:]
        ),
        (
            Patch.strategicMerge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": "v2"]]]]]]),
            "application/strategic-merge-patch+json", [:]
        ),
        (
            Patch.apply(["apiVersion": "apps/v1", "kind": "Deployment"], fieldManager: "serin", force: true), "application/apply-patch+yaml",
            ["fieldManager": "serin", "force": "true"]
        ),
    ])
    func patchesSendTheirContentTypeAndBody(patch: Patch, contentType: String, query: [String: String]) async throws {
        try await withTestServer(handler: { _ in .json(deploymentJSON) }) { server in
            _ = try await using(server.client()) { client in
                try await client.resource(.deployments).patch("web", namespace: "demo", patch: patch)
            }
            let request = try #require(await server.requests.first)
            #expect(request.method == "PATCH")
            #expect(request.headers["content-type"] == contentType)
            #expect(request.parameters == query)
            let body = try JSONValue(parsing: request.body)
            switch patch {
            case .json(let operations): #expect(body == .array(operations.map(\.json)))
            case .merge(let value), .strategicMerge(let value), .apply(let value, _, _): #expect(body == value)
            }
        }
    }

    @Test func createUpdateStatusAndDeleteUseTheirVerbsAndPaths() async throws {
        try await withTestServer(handler: { request in
            request.method == "DELETE" ? .json(#"{"kind":"Status","status":"Success"}"#) : .json(deploymentJSON)
        }) { server in
            let object = DynamicObject(json: try JSONValue(parsing: deploymentJSON))
            let deleted: DynamicObject? = try await using(server.client()) { client in
                let deployments = client.resource(.deployments)
                _ = try await deployments.create(object, namespace: "demo")
                _ = try await deployments.update(object, name: "web", namespace: "demo")
                _ = try await deployments.updateStatus(object, name: "web", namespace: "demo")
                return try await deployments.delete(
                    "web", namespace: "demo",
                    options: DeleteOptions(propagationPolicy: .foreground, preconditionResourceVersion: "7"))
            }
            #expect(deleted == nil)
            let requests = await server.requests
            #expect(requests.map(\.method) == ["POST", "PUT", "PUT", "DELETE"])
            #expect(
                requests.map(\.path) == [
                    "/apis/apps/v1/namespaces/demo/deployments", "/apis/apps/v1/namespaces/demo/deployments/web",
                    "/apis/apps/v1/namespaces/demo/deployments/web/status", "/apis/apps/v1/namespaces/demo/deployments/web",
                ])
            #expect(try JSONValue(parsing: requests[0].body) == object.json, "the body keeps every field")
            let options = try JSONValue(parsing: requests[3].body)
            #expect(options["propagationPolicy"] == "Foreground")
            #expect(options[path: "preconditions", "resourceVersion"] == "7")
        }
    }

    @Test func typedObjectsDecodeThroughCodable() async throws {
        struct Deployment: KubeObject {
            var metadata: ObjectMeta
            var spec: Spec
            struct Spec: Codable, Sendable { var replicas: Int }
        }
        try await withTestServer(handler: { _ in .json(deploymentJSON) }) { server in
            let deployment = try await using(server.client()) { client in
                try await client.resource(.deployments, as: Deployment.self).get("web", namespace: "demo")
            }
            #expect(deployment.spec.replicas == 3 && deployment.metadata.resourceVersion == "7")
        }
    }
}
