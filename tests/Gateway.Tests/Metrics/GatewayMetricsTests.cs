using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Dialing;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Relay;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Metrics;

public sealed partial class GatewayMetricsTests
{
    /// <summary>The names of DESIGN.md "Metrics" (with the prefix), plus the reload-failure counter of issue 5, the CA expiry gauge the alert rules watch, the report-mode counter, the budget counter of issue 21 and the pending approvals of issue 20.</summary>
    public static readonly ImmutableArray<(string Name, string Type)> DesignMetrics =
    [
        ("gateway_connections_active", "gauge"),
        ("gateway_connections_total", "counter"),
        ("gateway_decisions_total", "counter"),
        ("gateway_dlp_hits_total", "counter"),
        ("gateway_decision_duration_seconds", "histogram"),
        ("gateway_upstream_connect_duration_seconds", "histogram"),
        ("gateway_bytes_total", "counter"),
        ("gateway_injections_total", "counter"),
        ("gateway_audit_queue_depth", "gauge"),
        ("gateway_audit_dropped_total", "counter"),
        ("gateway_audit_suppressed_total", "counter"),
        ("gateway_audit_rotated_events_total", "counter"),
        ("gateway_audit_retention_seconds", "gauge"),
        ("gateway_policy_rules", "gauge"),
        ("gateway_policy_reloads_total", "counter"),
        ("gateway_policy_reload_failures_total", "counter"),
        ("gateway_errors_total", "counter"),
        ("gateway_ca_expiry_timestamp_seconds", "gauge"),
        ("gateway_would_block_total", "counter"),
        ("gateway_credential_fetches_total", "counter"),
        ("gateway_upstream_requests_active", "gauge"),
        ("gateway_upstream_requests_queued_total", "counter"),
        ("gateway_budget_exceeded_total", "counter"),
        ("gateway_approvals_pending", "gauge"),
    ];

    [Fact]
    public async Task EveryDesignMetric_IsPublished_WithItsTypeAndHelp_BeforeAnythingHappens()
    {
        Scrape scrape = await Scrape.OfAsync(new GatewayMetrics());

        foreach ((string name, string type) in DesignMetrics)
        {
            Assert.True(scrape.Families.TryGetValue(name, out PrometheusFamily? family), $"{name} missing");
            Assert.Equal(type, family.Type);
            Assert.False(string.IsNullOrWhiteSpace(family.Help), $"{name} has no HELP");
            Assert.NotEmpty(family.Samples);
        }

        Assert.Equal(DesignMetrics.Select(m => m.Name).Order(), scrape.Families.Keys.Order());
        Assert.All(scrape.Samples, s => Assert.Equal(0, s.Value));
    }

    [Fact]
    public async Task EveryLabelledChild_IsPublishedAtZero_SoRatesAndAlertsSeeIt()
    {
        Scrape scrape = await Scrape.OfAsync(new GatewayMetrics());

        Assert.Equal(MetricLabels.Proxies.Length * 2, scrape.Families["gateway_decisions_total"].Samples.Count);
        Assert.Equal(MetricLabels.Proxies.Length, scrape.Families["gateway_would_block_total"].Samples.Count);
        Assert.Equal(MetricLabels.Errors.Length, scrape.Families["gateway_errors_total"].Samples.Count);
        Assert.Equal(Enum.GetValues<ErrorKind>().Length, MetricLabels.Errors.Length);
        Assert.Equal(Enum.GetValues<ProxyKind>().Length, MetricLabels.Proxies.Length);
        Assert.Equal(Enum.GetValues<InjectionSource>().Length, MetricLabels.InjectionSources.Length);
        Assert.Equal(Enum.GetValues<PolicyCompiler.Rules.RuleSourceKind>().Length, MetricLabels.RuleSources.Length);
        Assert.Equal(0, scrape.Value("gateway_errors_total", ("kind", "upstream_timeout")));
        Assert.Equal(0, scrape.Value("gateway_policy_rules", ("source", "kit")));
        Assert.Equal(Enum.GetValues<Gateway.Sandboxes.BudgetKind>().Length - 1, scrape.Families["gateway_budget_exceeded_total"].Samples.Count);
        Assert.Equal(0, scrape.Value("gateway_budget_exceeded_total", ("budget", "uploadBytesPerHour")));
    }

    [Fact]
    public async Task RecordDecision_CountsByDecisionAndProxy_AndObservesTheDuration()
    {
        var metrics = new GatewayMetrics();

        metrics.RecordDecision(allowed: true, ProxyKind.Forward, TicksOf(TimeSpan.FromTicks(1))); // 100 ns
        metrics.RecordDecision(allowed: true, ProxyKind.Forward, TicksOf(TimeSpan.FromTicks(1)));
        metrics.RecordDecision(allowed: false, ProxyKind.Transparent, TicksOf(TimeSpan.FromMilliseconds(1)));
        metrics.RecordDecision(allowed: false, ProxyKind.Dns, 0);

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(2, scrape.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "forward")));
        Assert.Equal(0, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
        Assert.Equal(1, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "transparent")));
        Assert.Equal(1, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "dns")));
        Assert.Equal(4, scrape.Value("gateway_decision_duration_seconds_count"));
        Assert.Equal(0.0010002, scrape.Value("gateway_decision_duration_seconds_sum"), 9);
        Assert.Equal(1, Bucket(scrape, "gateway_decision_duration_seconds", 2.5e-8)); // the 0 s one
        Assert.Equal(3, Bucket(scrape, "gateway_decision_duration_seconds", 1e-7 + 1e-9));
        Assert.Equal(3, Bucket(scrape, "gateway_decision_duration_seconds", 1.024e-4)); // 1 ms is past the last bound
        Assert.Equal(4, Bucket(scrape, "gateway_decision_duration_seconds", double.PositiveInfinity));
    }

    [Fact]
    public void Buckets_SpanNanosecondsForDecisions_AndMillisecondsToSecondsForConnects()
    {
        Assert.Equal(25e-9, GatewayMetrics.DecisionBuckets[0], 15);
        Assert.InRange(GatewayMetrics.DecisionBuckets[^1], 90e-6, 110e-6);
        Assert.Equal(0.0005, GatewayMetrics.UpstreamConnectBuckets[0]);
        Assert.Equal(10, GatewayMetrics.UpstreamConnectBuckets[^1]);
        Assert.Equal(GatewayMetrics.DecisionBuckets.Order(), GatewayMetrics.DecisionBuckets);
        Assert.Equal(GatewayMetrics.UpstreamConnectBuckets.Order(), GatewayMetrics.UpstreamConnectBuckets);
    }

    [Fact]
    public async Task UpstreamConnects_Bytes_Injections_AndErrors_Move()
    {
        var metrics = new GatewayMetrics();

        metrics.RecordUpstreamConnect(TimeSpan.FromMilliseconds(3));
        metrics.AddBytes(fromClient: 100, toClient: 5000);
        metrics.AddBytes(fromClient: 20, toClient: 0);
        metrics.RecordInjection(InjectionSource.ServiceAuth);
        metrics.RecordError(ErrorKind.HeaderTimeout);
        metrics.RecordError(ErrorKind.HeaderTimeout);

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(1, scrape.Value("gateway_upstream_connect_duration_seconds_count"));
        Assert.Equal(0, Bucket(scrape, "gateway_upstream_connect_duration_seconds", 0.0025));
        Assert.Equal(1, Bucket(scrape, "gateway_upstream_connect_duration_seconds", 0.005));
        Assert.Equal(120, scrape.Value("gateway_bytes_total", ("direction", "from_client")));
        Assert.Equal(5000, scrape.Value("gateway_bytes_total", ("direction", "to_client")));
        Assert.Equal(1, scrape.Value("gateway_injections_total", ("source", "service_auth")));
        Assert.Equal(0, scrape.Value("gateway_injections_total", ("source", "placeholder")));
        Assert.Equal(2, scrape.Value("gateway_errors_total", ("kind", "header_timeout")));
    }

    [Fact]
    public async Task ConnectionOpened_CountsByListener_AndRefusesListenersNoSandboxUses()
    {
        var metrics = new GatewayMetrics();

        metrics.ConnectionOpened(ListenerKind.Forward);
        metrics.ConnectionOpened(ListenerKind.TransparentTls);
        metrics.ConnectionOpened(new string(ListenerKind.Forward.AsSpan())); // equal, not the interned constant

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(2, scrape.Value("gateway_connections_total", ("listener", "forward")));
        Assert.Equal(1, scrape.Value("gateway_connections_total", ("listener", "transparentTls")));
        Assert.Equal(0, scrape.Value("gateway_connections_total", ("listener", "transparentHttp")));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.ConnectionOpened(ListenerKind.Admin));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.ConnectionOpened("api.example.test"));
    }

    [Theory]
    [InlineData((int)EgressError.NameNotResolved, "name_not_resolved")]
    [InlineData((int)EgressError.RefusedAddress, "egress_guard")]
    [InlineData((int)EgressError.ConnectionRefused, "upstream_refused")]
    [InlineData((int)EgressError.Unreachable, "upstream_unreachable")]
    [InlineData((int)EgressError.Timeout, "upstream_timeout")]
    [InlineData((int)EgressError.TooManyConnections, "too_many_connections")]
    public async Task RecordDial_CountsAFailedDialAsItsErrorKind(int error, string kind)
    {
        var metrics = new GatewayMetrics();

        metrics.RecordDial(new DialResult { Error = (EgressError)error, ConnectTicks = TicksOf(TimeSpan.FromSeconds(1)) });

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", kind)));
        Assert.Equal(1, scrape.Families["gateway_errors_total"].Samples.Sum(s => s.Value));
        Assert.Equal(0, scrape.Value("gateway_upstream_connect_duration_seconds_count"));
    }

    [Fact]
    public async Task RecordDial_ObservesTheConnectTimeOfASuccessfulDial()
    {
        var metrics = new GatewayMetrics();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);

        metrics.RecordDial(new DialResult { Socket = socket, ConnectTicks = TicksOf(TimeSpan.FromMilliseconds(40)) });

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(0.04, scrape.Value("gateway_upstream_connect_duration_seconds_sum"), 6);
        Assert.Equal(1, Bucket(scrape, "gateway_upstream_connect_duration_seconds", 0.05));
        Assert.Equal(0, scrape.Families["gateway_errors_total"].Samples.Sum(s => s.Value));
    }

    [Theory]
    [InlineData((int)RelayEnd.Completed, null)]
    [InlineData((int)RelayEnd.Cancelled, null)]
    [InlineData((int)RelayEnd.ClientReset, "client_reset")]
    [InlineData((int)RelayEnd.UpstreamReset, "upstream_reset")]
    [InlineData((int)RelayEnd.IdleTimeout, "idle_timeout")]
    public async Task RecordRelay_AddsBytes_AndCountsAnUncleanEnd(int end, string? kind)
    {
        var metrics = new GatewayMetrics();

        metrics.RecordRelay(new RelayResult(7, 11, (RelayEnd)end));

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(7, scrape.Value("gateway_bytes_total", ("direction", "from_client")));
        Assert.Equal(11, scrape.Value("gateway_bytes_total", ("direction", "to_client")));
        Assert.Equal(kind is null ? 0 : 1, scrape.Families["gateway_errors_total"].Samples.Sum(s => s.Value));
        if (kind is not null)
        {
            Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", kind)));
        }
    }

    [Fact]
    public async Task Sources_AreReadAtEachScrape()
    {
        int open = 3;
        int depth = 5;
        long dropped = 0;
        long reloads = 2;
        long failures = 1;
        var metrics = new GatewayMetrics
        {
            Sources = new MetricSources
            {
                ActiveConnections = () => open,
                AuditQueueDepth = () => depth,
                AuditDropped = () => dropped,
                PolicyReloads = () => reloads,
                PolicyReloadFailures = () => failures,
            },
        };

        Scrape first = await Scrape.OfAsync(metrics);
        (open, depth, dropped, reloads, failures) = (1, 0, 4, 3, 1);
        Scrape second = await Scrape.OfAsync(metrics);

        Assert.Equal([3, 5, 0, 2, 1], Pulled(first));
        Assert.Equal([1, 0, 4, 3, 1], Pulled(second));
    }

    [Fact]
    public async Task PulledCounters_NeverGoBack_EvenIfTheirSourceDoes()
    {
        long reloads = 5;
        var metrics = new GatewayMetrics { Sources = new MetricSources { PolicyReloads = () => reloads } };

        await Scrape.OfAsync(metrics);
        reloads = 1;
        Scrape scrape = await Scrape.OfAsync(metrics);

        Assert.Equal(5, scrape.Value("gateway_policy_reloads_total"));
    }

    [Fact]
    public async Task PolicyRules_AreCountedBySourceKind_AndFollowTheLiveSnapshot()
    {
        string stateDir = Directory.CreateTempSubdirectory("gw-metrics-").FullName;
        try
        {
            PolicySnapshot balanced = Snapshot(stateDir);
            Assert.Equal(0, GatewayCliRun(stateDir, "policy", "allow", "network", "api.example.test"));
            Assert.Equal(0, GatewayCliRun(stateDir, "policy", "deny", "network", "ads.example.test"));
            PolicySnapshot withLocal = Snapshot(stateDir);
            PolicySnapshot current = balanced;
            var metrics = new GatewayMetrics { Sources = new MetricSources { Policy = () => current } };

            Scrape before = await Scrape.OfAsync(metrics);
            current = withLocal;
            Scrape after = await Scrape.OfAsync(metrics);

            int builtIn = balanced.Rules.Count;
            Assert.True(builtIn > 0);
            Assert.Equal(builtIn, before.Value("gateway_policy_rules", ("source", "builtin")));
            Assert.Equal(0, before.Value("gateway_policy_rules", ("source", "local")));
            Assert.Equal(builtIn, after.Value("gateway_policy_rules", ("source", "builtin")));
            Assert.Equal(2, after.Value("gateway_policy_rules", ("source", "local")));
            Assert.Equal(0, after.Value("gateway_policy_rules", ("source", "kit")));
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
        }
    }

    [Fact]
    public async Task TwoInstances_HaveSeparateRegistries()
    {
        var one = new GatewayMetrics();
        var two = new GatewayMetrics();

        one.RecordError(ErrorKind.PolicyError);

        Assert.NotSame(one.Registry, two.Registry);
        Assert.NotSame(Prometheus.Metrics.DefaultRegistry, one.Registry);
        Assert.Equal(1, (await Scrape.OfAsync(one)).Value("gateway_errors_total", ("kind", "policy_error")));
        Assert.Equal(0, (await Scrape.OfAsync(two)).Value("gateway_errors_total", ("kind", "policy_error")));
    }

    [Fact]
    public void RecordDecision_AllocatesNothing_AfterWarmUp()
    {
        var metrics = new GatewayMetrics();
        using var activity = new Activity("a-request-with-a-trace").Start(); // exemplars would read it
        for (int i = 0; i < 1000; i++)
        {
            metrics.RecordDecision(allowed: (i & 1) == 0, (ProxyKind)(i % 4), i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            metrics.RecordDecision(allowed: (i & 1) == 0, (ProxyKind)(i % 4), i, wouldBlock: (i & 2) == 0);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void OtherHotPathRecording_AllocatesNothing_AfterWarmUp()
    {
        var metrics = new GatewayMetrics();
        var relay = new RelayResult(10, 20, RelayEnd.ClientReset);
        var dial = new DialResult { Error = EgressError.Timeout };
        void RecordAll(int i)
        {
            metrics.ConnectionOpened(ListenerKind.Forward);
            metrics.RecordUpstreamConnect(TimeSpan.FromTicks(i));
            metrics.AddBytes(i, i);
            metrics.RecordRelay(relay);
            metrics.RecordDial(dial);
            metrics.RecordInjection(InjectionSource.Placeholder);
            metrics.RecordError(ErrorKind.MalformedRequest);
        }

        for (int i = 0; i < 1000; i++)
        {
            RecordAll(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 10_000; i++)
        {
            RecordAll(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double[] Pulled(Scrape scrape) =>
    [
        scrape.Value("gateway_connections_active"),
        scrape.Value("gateway_audit_queue_depth"),
        scrape.Value("gateway_audit_dropped_total"),
        scrape.Value("gateway_policy_reloads_total"),
        scrape.Value("gateway_policy_reload_failures_total"),
    ];

    private static double Bucket(Scrape scrape, string histogram, double le) =>
        scrape.Families[histogram].Samples
            .Where(s => s.Name == histogram + "_bucket" && PrometheusText.ParseValue(s.Label("le")) >= le)
            .MinBy(s => PrometheusText.ParseValue(s.Label("le")))!.Value;

    private static long TicksOf(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

    private static PolicySnapshot Snapshot(string stateDir)
    {
        var errors = new List<string>();
        using var policy = Gateway.Policy.LivePolicy.Create(
            Gateway.Configuration.GatewayConfig.CreateDefault(stateDir),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Gateway.Policy.LivePolicy>.Instance,
            errors);
        Assert.True(policy is not null, string.Join("\n", errors));
        return policy.Current;
    }

    private static int GatewayCliRun(string stateDir, params string[] args) =>
        Gateway.Cli.GatewayCli.Run(["--state-dir", stateDir, .. args], new Gateway.Cli.CliContext
        {
            Out = TextWriter.Null,
            Error = TextWriter.Null,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = Gateway.Configuration.ConfigLoader.NoEnvironment,
        });
}
