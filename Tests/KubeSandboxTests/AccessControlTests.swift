import Foundation
@testable import KubeAPIServer
import KubeCore
import LocalCluster
import SerinTesting
import Testing
@testable import KubeSandbox

@Suite struct RBACAuthorizerTests {
    let alice = SandboxUser(name: "alice", uid: "", groups: ["dev", "system:authenticated"])
    let robot = SandboxUser.serviceAccount(namespace: "ops", name: "robot", uid: "1")

    var authorizer: RBACAuthorizer {
        var snapshot = RBACAuthorizer.Snapshot()
        snapshot.clusterRoles["scaler"] = ["rules": [["apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["patch"]]]]
        snapshot.clusterRoles["viewer"] = [
            "rules": [
                [
                    "apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"],
                    "resourceNames": ["settings"],
                ]
            ]
        ]
        snapshot.roles["ops/status"] = ["rules": [["apiGroups": ["flagger.app"], "resources": ["canaries/status"], "verbs": ["*"]]]]
        snapshot.clusterRoleBindings = [["roleRef": ["kind": "ClusterRole", "name": "scaler"], "subjects": [["kind": "Group", "name": "dev"]]]]
        snapshot.roleBindings = [
            [
                "metadata": ["namespace": "ops"], "roleRef": ["kind": "ClusterRole", "name": "viewer"],
                "subjects": [["kind": "ServiceAccount", "name": "robot"]],
            ],
            [
                "metadata": ["namespace": "ops"], "roleRef": ["kind": "Role", "name": "status"],
                "subjects": [["kind": "User", "name": "alice"]],
            ],
        ]
        return RBACAuthorizer(snapshot: snapshot)
    }

    func attributes(
        _ verb: String, _ group: String, _ resource: String, _ subresource: String? = nil, name: String? = nil,
        namespace: String? = "ops"
    ) -> RBACAuthorizer.Attributes {
        .init(verb: verb, group: group, resource: resource, subresource: subresource, name: name, namespace: namespace)
    }

    @Test func aClusterRoleBindingGrantsEverywhereThroughAGroupAndStarSubresourceMatchesOnlySubresources() {
        #expect(authorizer.allows(alice, attributes("patch", "apps", "deployments", "scale", name: "web", namespace: "any")))
        #expect(!authorizer.allows(alice, attributes("patch", "apps", "deployments", name: "web")))
        #expect(!authorizer.allows(alice, attributes("patch", "", "deployments", "scale", name: "web")), "the API group must match")
    }

    @Test func aRoleBindingGrantsItsRoleOrClusterRoleInItsNamespaceOnly() {
        #expect(authorizer.allows(alice, attributes("update", "flagger.app", "canaries", "status", name: "web")))
        #expect(!authorizer.allows(alice, attributes("update", "flagger.app", "canaries", "status", name: "web", namespace: "demo")))
        #expect(!authorizer.allows(alice, attributes("update", "flagger.app", "canaries", name: "web")), "status is not the object")
    }

    @Test func resourceNamesLimitARuleToThoseObjectsAndNeverMatchAList() {
        #expect(authorizer.allows(robot, attributes("get", "", "configmaps", name: "settings")))
        #expect(!authorizer.allows(robot, attributes("get", "", "configmaps", name: "other")))
        #expect(!authorizer.allows(robot, attributes("list", "", "configmaps")))
        #expect(
            !authorizer.allows(
                SandboxUser.serviceAccount(namespace: "demo", name: "robot", uid: ""),
                attributes("get", "", "configmaps", name: "settings")), "a ServiceAccount of another namespace")
    }

    @Test func systemMastersMayDoAnythingAndTheRefusalReadsAsKubernetesWritesIt() {
        #expect(authorizer.allows(.admin, attributes("delete", "", "nodes", name: "sandbox", namespace: nil)))
        #expect(
            AccessControl.forbiddenMessage(robot, attributes("delete", "apps", "deployments", name: "web", namespace: "demo"))
                == #"deployments.apps "web" is forbidden: User "system:serviceaccount:ops:robot" cannot delete resource "deployments" in API group "apps" in the namespace "demo""#
        )
        #expect(
            AccessControl.forbiddenMessage(robot, attributes("list", "", "nodes", namespace: nil))
                == #"nodes is forbidden: User "system:serviceaccount:ops:robot" cannot list resource "nodes" in API group "" at the cluster scope"#)
    }
}

@Suite(.serialized) struct AccessControlTests {
    @Test func kubectlAuthenticatesWithTokensAndIsAuthorizedByRBAC() async throws {
        var options = Sandbox.Options()
        options.authorization = true
        try await Sandbox.with(options) { sandbox in
            let admin = Kubectl(sandbox)
            #expect(sandbox.url.scheme == "https", "kubectl sends a bearer token only over TLS")
            try await admin.succeed(["create", "namespace", "test"])
            try await admin.succeed(["create", "serviceaccount", "robot", "-n", "test"])
            try await admin.succeed(["create", "role", "reader", "-n", "test", "--verb=get,list,watch", "--resource=configmaps"])
            try await admin.succeed(["create", "rolebinding", "reader", "-n", "test", "--role=reader", "--serviceaccount=test:robot"])
            #expect(try await admin.succeed(["auth", "whoami"]).contains("sandbox-admin"))
            let token = try await admin.succeed(["create", "token", "robot", "-n", "test"]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!token.isEmpty)
            let kubeconfig = NSTemporaryDirectory() + "robot-\(UUID().uuidString).kubeconfig"
            try await sandbox.writeKubeconfig(serviceAccount: "robot", namespace: "test", to: kubeconfig)
            let robot = Kubectl(kubeconfig: kubeconfig)
            #expect(try await robot.succeed(["auth", "whoami"]).contains("system:serviceaccount:test:robot"))
            #expect(try await robot.run(["get", "configmaps", "-n", "test"]).status == 0)
            #expect(
                try await robot.run(["auth", "can-i", "list", "configmaps", "-n", "test"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "yes")
            #expect(
                try await robot.run(["auth", "can-i", "delete", "configmaps", "-n", "test"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "no")
            let refused = try await robot.run(["create", "configmap", "x", "-n", "test"])
            #expect(
                refused.status != 0
                    && refused.stderr.contains(
                        #"configmaps is forbidden: User "system:serviceaccount:test:robot" cannot create resource "configmaps" in API group "" in the namespace "test""#
                    ),
                "\(refused)")
            #expect(await sandbox.access?.denials.count == 1)
            try await admin.succeed(["delete", "serviceaccount", "robot", "-n", "test"])
            let orphaned = try await robot.run(["get", "configmaps", "-n", "test"])
            #expect(orphaned.stderr.contains("Unauthorized"), "a deleted ServiceAccount's token no longer works: \(orphaned)")
            try? FileManager.default.removeItem(atPath: kubeconfig)
        }
    }
}
