import Foundation
import KubeCore

extension ServiceResolver {
    /// How synthetic traffic (no path, no headers) goes through each routing object of each installed mesh
    /// (``SimulatedMesh/syntheticRoutings``), in the meshes' order.
    func syntheticRoutings() async -> [Routing] {
        var routings: [Routing] = []
        for mesh in meshes {
            if let routes = mesh.syntheticRoutings { routings += await routes(self) }
        }
        return routings
    }
}
