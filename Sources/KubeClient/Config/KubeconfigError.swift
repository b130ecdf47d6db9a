/// A kubeconfig or in-cluster configuration that cannot be used, naming the file and the key at fault.
///
/// The message reads `failed to load kubeconfig /home/me/.kube/config: users[0].user.client-key-data: not valid base64`.
public struct KubeconfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file at fault, when one is.
    public var file: String?
    /// The key at fault, as a path (`contexts[1].context.cluster`), when one is.
    public var key: String?
    /// What is wrong.
    public var reason: String

    public init(file: String?, key: String?, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        var text = "failed to load kubeconfig"
        if let file { text += " \(file)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + reason
    }
}
