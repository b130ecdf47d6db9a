import KubeCore

/// The Slack-compatible message Flagger posts to Slack, Discord (`/slack`) and Rocket.Chat: one attachment
/// authored by `<canary>.<namespace>`, the message as markdown text, the fields as long fields, members in
/// the order of Flagger's structs (Go marshals empty strings too). Pure.
enum SlackPayload {
    static func build(_ alert: Alert, channel: String, username: String, color: String) -> JSONValue {
        let fields: [JSONValue] = alert.fields.map { ["title": .string($0.name), "value": .string($0.value), "short": false] }
        let attachment: JSONValue = [
            "color": .string(color), "author_name": .string("\(alert.canary).\(alert.namespace)"), "text": .string(alert.message),
            "mrkdwn_in": ["text"], "fields": .array(fields),
        ]
        return ["channel": .string(channel), "username": .string(username), "icon_url": "", "icon_emoji": ":rocket:", "attachments": [attachment]]
    }
}
