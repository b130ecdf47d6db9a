import Foundation
import NIOSSL

/// PEM data from a kubeconfig: inline base64 (`…-data`) or a file path, remembered with its key for errors.
struct PEMSource {
    var bytes: [UInt8]
    var file: String
    var key: String

    /// Reads the data key if set, else the path key; `nil` when neither is set.
    static func load(
        data: String?, dataKey: String, path: String?, pathKey: String, file: String
    )
        throws(KubeconfigError) -> PEMSource?
    {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else {
                throw KubeconfigError(file: file, key: dataKey, reason: "not valid base64")
            }
            return PEMSource(bytes: Array(decoded), file: file, key: dataKey)
        }
        if let path, !path.isEmpty {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw KubeconfigError(file: file, key: pathKey, reason: "cannot read \(path)")
            }
            return PEMSource(bytes: Array(contents), file: file, key: pathKey)
        }
        return nil
    }

    func certificates() throws(KubeconfigError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw KubeconfigError(file: file, key: key, reason: "not a PEM certificate: \(error)")
        }
        guard !certificates.isEmpty else {
            throw KubeconfigError(file: file, key: key, reason: "no PEM certificate found")
        }
        return certificates
    }

    func privateKey() throws(KubeconfigError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw KubeconfigError(file: file, key: key, reason: "not a PEM private key (RSA or EC): \(error)")
        }
    }
}
