import Crypto
import Foundation

/// The signatures the chat robots check when "signature verification" (加签) is on. Pure.
public enum RobotSignature {
    /// DingTalk: `base64(HMAC-SHA256(key: secret, message: "<timestamp ms>\n<secret>"))`, sent as the
    /// `timestamp` and `sign` query parameters; DingTalk refuses a timestamp more than an hour off.
    public static func dingTalk(timestampMilliseconds: Int64, secret: String) -> String {
        let code = HMAC<Crypto.SHA256>.authenticationCode(
            for: Data("\(timestampMilliseconds)\n\(secret)".utf8),
            using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Feishu/Lark: `base64(HMAC-SHA256(key: "<timestamp s>\n<secret>", message: empty))`, sent as the
    /// body's `timestamp` and `sign`; Feishu refuses a timestamp more than an hour off.
    public static func feishu(timestampSeconds: Int64, secret: String) -> String {
        let code = HMAC<Crypto.SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(timestampSeconds)\n\(secret)".utf8)))
        return Data(code).base64EncodedString()
    }
}
