import CanaryAPI
import KubeCore

extension CanaryStateMachine {
    /// The session-affinity cookies of a status (Flagger's `sessionAffinityCookie` and
    /// `previousSessionAffinityCookie`): a cookie for this analysis once traffic reaches the canary; when
    /// traffic is back on the primary, it becomes the previous cookie, which the router expires
    /// (`Max-Age=-1`) on the browsers that carry it.
    ///
    /// The value is derived from the Canary's uid and revision, not drawn at random, so that a decision
    /// taken again after a crash pins the same cookie.
    static func withSessionAffinity(_ status: CanaryStatus, canary: Canary) -> CanaryStatus {
        guard let affinity = canary.spec.analysis?.sessionAffinity, let name = affinity.cookieName, !name.isEmpty else { return status }
        var status = status
        if (status.canaryWeight ?? 0) > 0 {
            if status.sessionAffinityCookie == nil {
                status.sessionAffinityCookie = "\(name)=\(cookieValue(canary, revision: status.lastAppliedSpec ?? ""))"
            }
        } else if let cookie = status.sessionAffinityCookie {
            status.previousSessionAffinityCookie = cookie
            status.sessionAffinityCookie = nil
        }
        return status
    }

    /// Ten letters from the Canary's uid and the revision under analysis.
    static func cookieValue(_ canary: Canary, revision: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let seed: JSONValue = ["uid": .string(canary.metadata.uid ?? ""), "name": .string(canary.dottedName), "revision": .string(revision)]
        let digits = Array(seed.stableHash + String(seed.stableHash.reversed()))
        return String((0..<10).map { index in letters[(Int(String(digits[index]), radix: 16) ?? 0) * 3 % 52 + (index % 2)] })
    }
}
