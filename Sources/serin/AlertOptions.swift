import ArgumentParser
import CanaryAPI
import Foundation
import KubeCore
import Notifiers

/// `serin operator`'s alerting flags: the global providers (Flagger's Slack and MS Teams flags, and
/// Serin's for WeCom, DingTalk and Feishu), each with its environment variable, and the cluster's name.
struct AlertOptions: ParsableArguments {
    @Option(help: "The cluster's name, the \"Cluster\" field of every alert.")
    var clusterName = ""

    @Option(help: "Slack incoming-webhook URL for the alerts of Canaries without analysis.alerts (env SLACK_URL).")
    var slackURL = ""

    @Option(help: "Slack bot token, sent as Authorization: Bearer (env SLACK_TOKEN).")
    var slackToken = ""

    @Option(help: "Proxy for posting to Slack (env SLACK_PROXY_URL).")
    var slackProxyURL = ""

    @Option(help: "Slack user name of the alerts.")
    var slackUser = "flagger"

    @Option(help: "Slack channel of the alerts.")
    var slackChannel = ""

    @Option(help: "MS Teams incoming-webhook URL for the alerts, instead of Slack (env MSTEAMS_URL).")
    var msteamsURL = ""

    @Option(help: "Proxy for posting to MS Teams (env MSTEAMS_PROXY_URL).")
    var msteamsProxyURL = ""

    @Option(help: "WeCom group robot webhook URL for the alerts (env WECOM_URL).")
    var wecomURL = ""

    @Option(help: "DingTalk robot webhook URL for the alerts (env DINGTALK_URL).")
    var dingtalkURL = ""

    @Option(help: "DingTalk robot signing secret (env DINGTALK_SIGNING_SECRET).")
    var dingtalkSigningSecret = ""

    @Option(help: "Feishu/Lark custom bot webhook URL for the alerts (env FEISHU_URL).")
    var feishuURL = ""

    @Option(help: "Feishu/Lark custom bot signing secret (env FEISHU_SIGNING_SECRET).")
    var feishuSigningSecret = ""

    @Option(help: "Alert once more when an approval gate has held a Canary this long, as a Go duration (0 = never).")
    var alertStuckGateAfter = "1h"

    /// The stuck-gate reminder's delay; `nil` when off.
    func stuckGateAfter() throws -> Duration? {
        let duration: Duration
        do { duration = try GoDuration(parsing: alertStuckGateAfter).duration } catch {
            throw ValidationError("--alert-stuck-gate-after: \(error)")
        }
        return duration > .zero ? duration : nil
    }

    /// The global providers: Flagger's (MS Teams when its URL is set, else Slack when its URL is set),
    /// then WeCom, DingTalk and Feishu when theirs are. One that cannot be built is refused at start-up,
    /// naming the flag but not the URL.
    func providers(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [(type: AlertProviderType, config: NotifierConfig)]
    {
        func value(_ flag: String, _ variable: String) -> String { flag.isEmpty ? environment[variable] ?? "" : flag }
        var providers: [(type: AlertProviderType, config: NotifierConfig, flag: String)] = []
        let teams = value(msteamsURL, "MSTEAMS_URL"), slack = value(slackURL, "SLACK_URL")
        if !teams.isEmpty {
            providers.append((.msteams, NotifierConfig(address: teams, proxy: value(msteamsProxyURL, "MSTEAMS_PROXY_URL")), "--msteams-url"))
        } else if !slack.isEmpty {
            providers.append(
                (
                    .slack,
                    NotifierConfig(
                        address: slack, channel: slackChannel, username: slackUser, proxy: value(slackProxyURL, "SLACK_PROXY_URL"),
                        token: value(slackToken, "SLACK_TOKEN")), "--slack-url"
                ))
        }
        let wecom = value(wecomURL, "WECOM_URL"), dingtalk = value(dingtalkURL, "DINGTALK_URL"), feishu = value(feishuURL, "FEISHU_URL")
        if !wecom.isEmpty { providers.append((.wecom, NotifierConfig(address: wecom), "--wecom-url")) }
        if !dingtalk.isEmpty {
            providers.append(
                (
                    .dingtalk, NotifierConfig(address: dingtalk, signingSecret: value(dingtalkSigningSecret, "DINGTALK_SIGNING_SECRET")),
                    "--dingtalk-url"
                ))
        }
        if !feishu.isEmpty {
            providers.append(
                (.feishu, NotifierConfig(address: feishu, signingSecret: value(feishuSigningSecret, "FEISHU_SIGNING_SECRET")), "--feishu-url"))
        }
        for provider in providers {
            do { _ = try NotifierRegistry.registration(for: provider.type)?.make(provider.config) } catch {
                throw ValidationError("\(provider.flag): \(error)")
            }
        }
        return providers.map { ($0.type, $0.config) }
    }
}
