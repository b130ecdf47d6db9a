import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// Config tracking for a StatefulSet: its pods read the ConfigMaps and Secrets themselves, so an edit is made a
/// new revision of the set (its checksum on the pod template), which the partition then releases pod by pod.
extension StatefulSetTarget {
    /// The checksum of the configs the set's pods use; `nil` with config tracking off or no config used.
    func configChecksum(_ target: JSONValue, namespace: String) -> String? {
        guard let configs, let podSpec = target[path: "spec", "template", "spec"] else { return nil }
        let checksums = configs.checksums(of: podSpec, namespace: namespace)
        return checksums.isEmpty ? nil : String(ConfigTracker.revision(templateHash: "", configs: checksums).prefix(16))
    }

    /// Writes the configs' checksum on the pod template when it differs from the one the pods were made with
    /// (``CanaryAPI/StatefulSetRollout/recordedConfigs``): the StatefulSet controller makes a new revision, held
    /// by the partition like a template change. Nothing is written for a set without tracked configs.
    func trackConfigs(_ canary: Canary, target: JSONValue, rollout: StatefulSetRollout) async throws {
        guard let checksum = configChecksum(target, namespace: canary.namespace), checksum != rollout.recordedConfigs else { return }
        let annotation = JSONValue.object([.init(StatefulSetRollout.configChecksumAnnotation): .string(checksum)])
        let patch: JSONValue = [
            "metadata": ["annotations": annotation], "spec": ["template": ["metadata": ["annotations": annotation]]],
        ]
        try await self.patch(canary, patch)
    }
}
