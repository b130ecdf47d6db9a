import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Testing

/// The one way owned objects are written, against the sandbox: create owned, patch only what changed,
/// adopt a user's object recording its original, refuse another controller's.
@Suite struct OwnedObjectApplierTests {
    let owner = OwnerReference(apiVersion: "example.dev/v1", kind: "Widget", name: "w", uid: "uid-1", controller: true, blockOwnerDeletion: true)

    /// The builder under test: sets `data.color`, keeps everything else.
    static func desired(_ live: JSONValue?, color: String) -> JSONValue {
        var object = live ?? ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["labels": ["made-by": "applier"]]]
        object[path: "data", "color"] = .string(color)
        return object
    }

    func withApplier(_ body: (OwnedObjectApplier, ResourceClient<JSONValue>, ObjectCache<DynamicObject>) async throws -> Void) async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps, as: JSONValue.self)
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                try await body(OwnedObjectApplier(client: maps, cache: reflector.cache), maps, reflector.cache)
            }
        }
    }

    func cached(_ cache: ObjectCache<DynamicObject>, _ name: String, version: String? = nil) async -> Bool {
        await eventually { cache.get(namespace: "default", name: name).map { version == nil || $0.resourceVersion == version } ?? false }
    }

    @Test func aMissingObjectIsCreatedWithTheControllerOwnerReferenceThenPatchedOnlyWhenItDiffers() async throws {
        try await withApplier { applier, maps, cache in
            #expect(try await applier.apply(namespace: "default", name: "made", owner: owner) { Self.desired($0, color: "blue") } == .created)
            let created = try await maps.get("made", namespace: "default")
            #expect(created[path: "metadata", "ownerReferences"] == [owner.json])
            #expect(created[path: "metadata", "labels"] == ["made-by": "applier"])
            #expect(await cached(cache, "made", version: created[path: "metadata", "resourceVersion"]?.stringValue))
            #expect(try await applier.apply(namespace: "default", name: "made", owner: owner) { Self.desired($0, color: "blue") } == .unchanged)
            #expect(
                try await maps.get("made", namespace: "default")[path: "metadata", "resourceVersion"] == created[path: "metadata", "resourceVersion"],
                "no write when nothing differs")
            _ = try await maps.patch("made", namespace: "default", patch: .merge(["data": ["size": "xl"]]))
            #expect(await eventually { cache.get(namespace: "default", name: "made")?.json[path: "data", "size"] == "xl" })
            #expect(try await applier.apply(namespace: "default", name: "made", owner: owner) { Self.desired($0, color: "red") } == .patched)
            let patched = try await maps.get("made", namespace: "default")
            #expect(patched["data"] == ["color": "red", "size": "xl"], "a field the builder does not own survives")
        }
    }

    @Test func withoutAdoptionAUsersObjectIsRefusedAndOnlyOwnedObjectsAreDeleted() async throws {
        try await withApplier { applier, maps, cache in
            _ = try await maps.create(
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "mine"], "data": ["color": "green"]], namespace: "default")
            #expect(await cached(cache, "mine"))
            await #expect(throws: OwnershipError.self) {
                try await applier.apply(namespace: "default", name: "mine", owner: owner, adopting: false) { Self.desired($0, color: "blue") }
            }
            #expect(try await applier.deleteOwned(namespace: "default", name: "mine", ownerUID: owner.uid) == false, "a user's object stays")
            #expect(try await maps.get("mine", namespace: "default")["data"] == ["color": "green"])
            #expect(
                try await applier.apply(namespace: "default", name: "made", owner: owner, adopting: false) { Self.desired($0, color: "blue") }
                    == .created)
            #expect(await cached(cache, "made"))
            #expect(try await applier.deleteOwned(namespace: "default", name: "made", ownerUID: owner.uid))
            #expect(await eventually { cache.get(namespace: "default", name: "made") == nil }, "deleted")
        }
    }

    @Test func aUsersObjectIsAdoptedWithItsOriginalRecordedAndItsMetadataKept() async throws {
        try await withApplier { applier, maps, cache in
            let users: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "mine", "labels": ["team": "web"],
                    "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}"],
                ],
                "data": ["color": "green"],
            ]
            let stored = try await maps.create(users, namespace: "default")
            #expect(await cached(cache, "mine", version: stored[path: "metadata", "resourceVersion"]?.stringValue))
            #expect(try await applier.apply(namespace: "default", name: "mine", owner: owner) { Self.desired($0, color: "blue") } == .adopted)
            let adopted = try await maps.get("mine", namespace: "default")
            #expect(adopted[path: "data", "color"] == "blue")
            #expect(adopted[path: "metadata", "ownerReferences"] == nil, "deleting the owner never deletes a user's object")
            #expect(adopted[path: "metadata", "labels"] == ["team": "web"], "not the builder's labels")
            let original = try JSONValue(parsing: adopted[path: "metadata", "annotations", applier.originalAnnotation]?.stringValue ?? "")
            let expected: JSONValue = [
                "apiVersion": "v1", "data": ["color": "green"], "kind": "ConfigMap",
                "metadata": ["labels": ["team": "web"], "name": "mine", "namespace": "default"],
            ]
            #expect(original.canonical == expected.canonical, "no uid, resourceVersion or kubectl's last-applied annotation")

            #expect(await cached(cache, "mine", version: adopted[path: "metadata", "resourceVersion"]?.stringValue))
            #expect(try await applier.apply(namespace: "default", name: "mine", owner: owner) { Self.desired($0, color: "red") } == .adopted)
            let again = try await maps.get("mine", namespace: "default")
            #expect(
                again[path: "metadata", "annotations", applier.originalAnnotation]
                    == adopted[path: "metadata", "annotations", applier.originalAnnotation],
                "the original is recorded once, not overwritten by Serin's own changes")
        }
    }

    /// Flux's markers (what routers pass) on every object written: created, patched and adopted; an adopted
    /// object restored gets its own annotations back, without them.
    @Test func markersAreWrittenOnEveryObjectAndGoWhenAnAdoptedOneIsRestored() async throws {
        try await withApplier { plain, maps, cache in
            let applier = OwnedObjectApplier(client: maps, cache: cache, markers: OwnedObjectApplier.fluxMarkers)
            func annotations(_ name: String) async throws -> JSONValue? {
                try await maps.get(name, namespace: "default")[path: "metadata", "annotations"]
            }
            #expect(try await applier.apply(namespace: "default", name: "made", owner: owner) { Self.desired($0, color: "blue") } == .created)
            #expect(try await annotations("made")?["kustomize.toolkit.fluxcd.io/reconcile"] == "disabled")
            #expect(try await annotations("made")?["helm.toolkit.fluxcd.io/driftDetection"] == "disabled")
            #expect(await cached(cache, "made"))
            #expect(try await applier.apply(namespace: "default", name: "made", owner: owner) { Self.desired($0, color: "blue") } == .unchanged)

            let users: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "mine", "annotations": ["owner": "team-web"]],
                "data": ["color": "green"],
            ]
            let stored = try await maps.create(users, namespace: "default")
            #expect(await cached(cache, "mine", version: stored[path: "metadata", "resourceVersion"]?.stringValue))
            #expect(try await applier.apply(namespace: "default", name: "mine", owner: owner) { Self.desired($0, color: "blue") } == .adopted)
            let adopted = try await annotations("mine")
            #expect(adopted?["kustomize.toolkit.fluxcd.io/reconcile"] == "disabled", "Flux must skip an adopted object")
            #expect(adopted?["owner"] == "team-web")
            let original = try JSONValue(parsing: adopted?[plain.originalAnnotation]?.stringValue ?? "")
            #expect(original[path: "metadata", "annotations"] == ["owner": "team-web"], "the original is the user's, without the markers")

            #expect(await eventually { cache.get(namespace: "default", name: "mine")?.json[path: "metadata", "annotations"] == adopted })
            #expect(try await applier.restore(namespace: "default", name: "mine"))
            #expect(try await annotations("mine") == ["owner": "team-web"], "restored: Flux reconciles the user's object again")
            #expect(try await maps.get("mine", namespace: "default")[path: "data", "color"] == "green")
        }
    }

    @Test func anObjectAnotherControllerOwnsIsRefusedByName() async throws {
        try await withApplier { applier, maps, cache in
            let other = OwnerReference(apiVersion: "example.dev/v1", kind: "Widget", name: "other", uid: "uid-2", controller: true)
            let stored = try await maps.create(
                ["metadata": ["name": "theirs", "ownerReferences": [other.json]], "data": ["color": "green"]],
                namespace: "default")
            #expect(await cached(cache, "theirs", version: stored[path: "metadata", "resourceVersion"]?.stringValue))
            let error = await #expect(throws: OwnershipError.self) {
                try await applier.apply(namespace: "default", name: "theirs", owner: owner) { Self.desired($0, color: "blue") }
            }
            #expect(
                error?.description == "failed to take over ConfigMap default/theirs: it is controlled by Widget other; delete it or let that owner go"
            )
            #expect(try await maps.get("theirs", namespace: "default")[path: "data", "color"] == "green")
        }
    }
}
