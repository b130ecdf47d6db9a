import KubeCore

/// Serin: a `setCanaryScale` step: the canary's size apart from its traffic. Exactly one field is set. Keys it
/// does not know are kept to be refused by name, never dropped.
public struct CanaryScale: Codable, Sendable, Equatable {
    /// This many replicas.
    public var replicas: Int?
    /// This share (0–100) of the primary's replicas, rounded up.
    public var weight: Int?
    /// From now on, the share of the primary's replicas the canary's traffic weight is, at each `setWeight`.
    public var matchTrafficWeight: Bool?
    /// Keys other than those three (not encoded).
    public var unknownFields: [String] = []

    public init(replicas: Int? = nil, weight: Int? = nil, matchTrafficWeight: Bool? = nil) {
        self.replicas = replicas
        self.weight = weight
        self.matchTrafficWeight = matchTrafficWeight
    }

    enum CodingKeys: String, CodingKey { case replicas, weight, matchTrafficWeight }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        replicas = try container.decodeIfPresent(Int.self, forKey: .replicas)
        weight = try container.decodeIfPresent(Int.self, forKey: .weight)
        matchTrafficWeight = try container.decodeIfPresent(Bool.self, forKey: .matchTrafficWeight)
        unknownFields = try UnknownKeys.of(decoder, known: ["replicas", "weight", "matchTrafficWeight"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(replicas, forKey: .replicas)
        try container.encodeIfPresent(weight, forKey: .weight)
        try container.encodeIfPresent(matchTrafficWeight, forKey: .matchTrafficWeight)
    }

    /// The canary's replicas for a primary of `primary` replicas at traffic `weight`; `nil` when the scale is
    /// not valid (validation refuses it).
    public func replicas(primary: Int, trafficWeight: Int) -> Int? {
        func share(_ percent: Int) -> Int {
            let primary = min(max(primary, 0), Int(Int32.max))
            return (primary * min(max(percent, 0), 100) + 99) / 100
        }
        switch (replicas, weight, matchTrafficWeight) {
        case (let count?, nil, nil): return min(max(count, 0), Int(Int32.max))
        case (nil, let percent?, nil): return share(percent)
        case (nil, nil, true?): return share(trafficWeight)
        default: return nil
        }
    }

    /// `replicas 2`, `weight 25`, `matching the traffic weight`.
    public var summary: String {
        if let replicas { return "replicas \(replicas)" }
        if let weight { return "weight \(weight)" }
        return "matching the traffic weight"
    }
}
