import Analysis
import CanaryAPI
import CanaryCore
import MetricProviders
import Notifiers
import Routers
import Targets
import Testing

@Suite struct BuiltinQueriesTests {
    let template = QueryTemplate(values: ["namespace": "demo", "target": "httpbin", "interval": "1m"])

    @Test func theIstioRouterCarriesFlaggersIstioPromQL() throws {
        let rate = try template.render(IstioRouter.queries.successRate)
        #expect(
            rate
                == #"sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="demo",destination_workload=~"httpbin",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="demo",destination_workload=~"httpbin"}[1m])) * 100"#
        )
        let duration = try template.render(IstioRouter.queries.requestDuration)
        #expect(
            duration
                == #"histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="demo",destination_workload=~"httpbin"}[1m])) by (le))"#
        )
        #expect(IstioRouter.queries.durationToMilliseconds == 1)
    }

    @Test func theKubernetesProviderQueriesTheApplicationsHistogramInSeconds() throws {
        let rate = try template.render(NoMeshRouter.queries.successRate)
        #expect(
            rate
                == #"sum(rate(http_request_duration_seconds_count{kubernetes_namespace="demo",kubernetes_pod_name=~"httpbin-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",status!~"5.*"}[1m])) / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="demo",kubernetes_pod_name=~"httpbin-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[1m])) * 100"#
        )
        #expect(NoMeshRouter.queries.durationToMilliseconds == 1000)
        #expect(NoMeshRouter.queries.query(for: "request-duration") == NoMeshRouter.queries.requestDuration)
        #expect(NoMeshRouter.queries.query(for: "my-metric") == nil)
    }

    @Test func everyRegisteredRouterDeclaresTheCRDsOfWhatItWatches() {
        #expect(
            RouterRegistry.implemented == [
                .istio, .kubernetes, .gatewayAPIV1, .gatewayAPIV1beta1, .nginx, .linkerd, .osm, .smiV1alpha1, .smiV1alpha2, .smiV1alpha3,
                .contour, .traefik, .apisix, .gloo, .skipper, .kuma, .knative,
            ])
        #expect(RouterRegistry.registration(for: .linkerd)?.resources.compactMap(\.crd) == ["trafficsplits.split.smi-spec.io"])
        #expect(RouterRegistry.registration(for: .nginx)?.resources.map(\.crd) == [nil], "Ingress is built in")
        #expect(
            RouterRegistry.registration(for: .gatewayAPIV1)?.resources.compactMap(\.crd)
                == ["httproutes.gateway.networking.k8s.io", "grpcroutes.gateway.networking.k8s.io"])
        #expect(
            RouterRegistry.registration(for: .gatewayAPIV1beta1)?.resources.compactMap(\.crd) == ["httproutes.gateway.networking.k8s.io"],
            "GRPCRoute has no v1beta1")
        let istio = RouterRegistry.registration(for: .istio)?.resources.compactMap(\.crd) ?? []
        #expect(istio == ["virtualservices.networking.istio.io", "destinationrules.networking.istio.io"])
        #expect(RouterRegistry.registration(for: .kubernetes)?.resources.isEmpty == true)
        #expect(RouterRegistry.registration(for: .appmesh) == nil)
        #expect(RouterRegistry.enabled(meshProvider: .kubernetes).map(\.provider) == [.kubernetes])
        #expect(RouterRegistry.enabled(meshProvider: .istio).map(\.provider) == [.istio, .kubernetes])
    }
}

@Suite struct RegistryTests {
    @Test func theRegistriesSayWhatSerinImplements() {
        #expect(
            MetricProviderRegistry.implemented == [
                .prometheus, .datadog, .newrelic, .dynatrace, .graphite, .influxdb, .cloudwatch, .stackdriver, .externalmetrics, .keptn, .web, .job,
                .splunk,
            ])
        #expect(TargetRegistry.implemented == [.deployment, .daemonSet, .service, .knativeService, .statefulSet])
        #expect(
            NotifierRegistry.implemented == [.slack, .discord, .rocket, .msteams, .gchat, .wecom, .dingtalk, .feishu, .lark, .webhook],
            "Flagger's five and Serin's")
        #expect(Set(AlertProviderType.allCases) == NotifierRegistry.implemented, "every type of the CRD has its notifier")
    }

    @Test func everyProviderTypeOfTheCRDIsQueriedAndAProviderRefusesWhatItCannotUse() {
        #expect(MetricProviderRegistry.implemented == Set(MetricProviderType.allCases), "no provider type is refused any more")
        #expect(throws: MetricError.configuration("splunk endpoint is not set")) {
            try MetricProviderRegistry.make(.splunk, MetricProviderConfig(address: "", secret: ["sf_token_key": "t"]))
        }
        #expect(throws: MetricError.configuration("the secret has neither token nor username and password")) {
            try MetricProviderRegistry.make(.prometheus, MetricProviderConfig(address: "http://prometheus:9090", secret: ["user": "x"]))
        }
    }
}
