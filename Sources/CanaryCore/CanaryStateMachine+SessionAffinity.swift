import CanaryAPI
import KubeCore

extension CanaryStateMachine {
    /// The session-affinity cookies of a status (Flagger's `sessionAffinityCookie` and
    /// `previousSessionAffinityCookie`): a cookie for this analysis once traffic reaches the canary; when
    /// traffic is back on the primary, it becomes the previous cookie, which the router expires
    /// (`Max-Age=-1`) on the browsers that carry it. With `primaryCookieName`, users who reached the primary
    /// during the analysis get `primarySessionAffinityCookie`, which keeps them on the primary.
    ///
    /// The value is derived from the Canary's uid and revision, not drawn at random, so that a decision
    /// taken again after a crash pins the same cookie.
    static func withSessionAffinity(_ status: CanaryStatus, canary: Canary) -> CanaryStatus {
        guard let affinity = canary.spec.analysis?.sessionAffinity, let name = affinity.cookieName, !name.isEmpty else { return status }
        var status = status
        if (status.canaryWeight ?? 0) > 0 {
            let revision = status.lastAppliedSpec ?? ""
            if status.sessionAffinityCookie == nil {
                status.sessionAffinityCookie = "\(name)=\(cookieValue(canary, revision: revision))"
            }
            if let primary = affinity.primaryCookieName, !primary.isEmpty, status.primarySessionAffinityCookie == nil {
                status.primarySessionAffinityCookie = "\(primary)=\(cookieValue(canary, revision: revision + "/primary"))"
            }
        } else {
            if let cookie = status.sessionAffinityCookie {
                status.previousSessionAffinityCookie = cookie
                status.sessionAffinityCookie = nil
            }
            // The primary cookie lives one interval on the browser; the next analysis derives its own.
            status.primarySessionAffinityCookie = nil
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
