using System.Diagnostics;
using System.Runtime.CompilerServices;
using Prometheus;

namespace Gateway.Metrics;

/// <summary>
/// Every metric of DESIGN.md "Metrics", created once on a registry of its own (never the
/// process-wide default, so several gateways can run in one test process). Labelled children
/// are resolved when this is built and kept in arrays indexed by enums: recording on the data
/// path is an array index and an interlocked add, and allocates nothing. Values that other
/// components already keep (open connections, audit queue, policy) are pulled from
/// <see cref="Sources"/> just before each scrape.
/// </summary>
internal sealed partial class GatewayMetrics
{
    /// <summary>Decisions take tens of nanoseconds: 25 ns doubling up to ~100 µs (13 buckets).</summary>
    public static readonly double[] DecisionBuckets = Histogram.ExponentialBuckets(25e-9, 2, 13);

    /// <summary>Upstream connects (DNS included), 0.5 ms to the default <c>limits.connectTimeout</c> of 10 s.</summary>
    public static readonly double[] UpstreamConnectBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly double s_secondsPerTimestamp = 1.0 / Stopwatch.Frequency;

    private readonly Gauge _connectionsActive;
    private readonly Counter.Child[] _connections;
    private readonly Counter.Child[] _decisions;
    private readonly Counter.Child[] _wouldBlock;
    private readonly Histogram _decisionDuration;
    private readonly Histogram _upstreamConnectDuration;
    private readonly Counter.Child _bytesFromClient;
    private readonly Counter.Child _bytesToClient;
    private readonly Counter.Child[] _injections;
    private readonly Gauge _auditQueueDepth;
    private readonly Counter _auditDropped;
    private readonly Counter _auditSuppressed;
    private readonly Counter _auditRotatedEvents;
    private readonly Gauge _auditRetention;
    private readonly Gauge.Child[] _policyRules;
    private readonly Counter _policyReloads;
    private readonly Counter _policyReloadFailures;
    private readonly Counter.Child[] _errors;
    private readonly Gauge _caExpiry;
    private MetricSources _sources = new();

    /// <summary>Creates every metric on a fresh registry.</summary>
    public GatewayMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        IMetricFactory factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        // Exemplars would read Activity.Current on every observation and allocate when one is set.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };

        _connectionsActive = factory.CreateGauge(
            "gateway_connections_active", "Client connections open now on the sandbox-facing listeners.");
        _connections = Children(factory.CreateCounter(
            "gateway_connections_total", "Client connections accepted, by listener.", ["listener"]), MetricLabels.Listeners);

        Counter decisions = factory.CreateCounter(
            "gateway_decisions_total", "Policy decisions, by decision (allowed|blocked) and proxy path.", ["decision", "proxy"]);
        _decisions = new Counter.Child[MetricLabels.Proxies.Length * MetricLabels.Decisions.Length];
        for (int proxy = 0; proxy < MetricLabels.Proxies.Length; proxy++)
        {
            for (int decision = 0; decision < MetricLabels.Decisions.Length; decision++)
            {
                _decisions[DecisionIndex(proxy, decision)] =
                    decisions.WithLabels(MetricLabels.Decisions[decision], MetricLabels.Proxies[proxy]);
            }
        }

        _wouldBlock = Children(factory.CreateCounter(
            "gateway_would_block_total",
            "Denials let through because policy.mode is report (audited as wouldBlock), by proxy path: connection decisions (counted as allowed in gateway_decisions_total) and L7 rule decisions on intercepted hosts. Always 0 in enforce mode.",
            ["proxy"]), MetricLabels.Proxies);

        _decisionDuration = factory.CreateHistogram(
            "gateway_decision_duration_seconds", "Time to decide one host against the policy snapshot.",
            new HistogramConfiguration { Buckets = DecisionBuckets });
        _upstreamConnectDuration = factory.CreateHistogram(
            "gateway_upstream_connect_duration_seconds", "Time to resolve and connect to an upstream that accepted.",
            new HistogramConfiguration { Buckets = UpstreamConnectBuckets });

        Counter bytes = factory.CreateCounter(
            "gateway_bytes_total", "Bytes relayed, by direction (from_client: to the upstream; to_client: from it).", ["direction"]);
        _bytesFromClient = bytes.WithLabels(MetricLabels.Directions[0]);
        _bytesToClient = bytes.WithLabels(MetricLabels.Directions[1]);

        _injections = Children(factory.CreateCounter(
            "gateway_injections_total", "Credentials injected into requests, by mechanism.", ["source"]), MetricLabels.InjectionSources);
        _credentialFetches = CreateCredentialFetches(factory);
        CreateUpstreamMetrics(factory);
        _budgetExceeded = CreateBudgetExceeded(factory);
        _dlpHits = CreateDlpHits(factory);
        CreateApprovalMetrics(factory);
        _auditQueueDepth = factory.CreateGauge(
            "gateway_audit_queue_depth", "Audit events waiting for the writer.");
        _auditDropped = factory.CreateCounter(
            "gateway_audit_dropped_total", "Audit events lost because the queue was full; anything but 0 deserves an alert.");
        _auditSuppressed = factory.CreateCounter(
            "gateway_audit_suppressed_total", "Refusals and DNS queries past a sandbox's audit.refusalsPerSecond, written as one summary line per sandbox instead of one line each (policy log still counts them).");
        _auditRotatedEvents = factory.CreateCounter(
            "gateway_audit_rotated_events_total", "Audit events deleted from disk by rotation (past audit.keep); ship them before that happens.");
        _auditRetention = factory.CreateGauge(
            "gateway_audit_retention_seconds", "How long the events deleted by the last rotation had been on disk; 0 before the first deletion.");
        _policyRules = Children(factory.CreateGauge(
            "gateway_policy_rules", "Rules in the live policy snapshot, by source kind.", ["source"]), MetricLabels.RuleSources);
        _policyReloads = factory.CreateCounter(
            "gateway_policy_reloads_total", "Policy reloads that took effect.");
        _policyReloadFailures = factory.CreateCounter(
            "gateway_policy_reload_failures_total", "Policy reloads refused because the new policy was invalid; the last good one stayed.");
        _errors = Children(factory.CreateCounter(
            "gateway_errors_total", "Connections and requests that ended in an error, by kind.", ["kind"]), MetricLabels.Errors);

        _caExpiry = factory.CreateGauge(
            "gateway_ca_expiry_timestamp_seconds", "When the interception CA stops being valid (Unix time); rotate with `gateway ca rotate` before then.");

        Registry.AddBeforeCollectCallback(PullSources);
    }

    /// <summary>The registry every metric lives in; scrape it, never <c>Metrics.DefaultRegistry</c>.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Where scrape-time values come from; replace it (with <c>with</c>) to add a source.</summary>
    public MetricSources Sources
    {
        get => Volatile.Read(ref _sources);
        set => Volatile.Write(ref _sources, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>One decision: counts it and observes how long it took.</summary>
    /// <param name="allowed">The verdict.</param>
    /// <param name="proxy">The path the connection came by.</param>
    /// <param name="elapsedTimestamp">Duration in <see cref="Stopwatch"/> ticks: <c>Stopwatch.GetTimestamp()</c> after minus before.</param>
    /// <param name="wouldBlock">A denial report mode let through: pass <paramref name="allowed"/> true, since it was.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordDecision(bool allowed, ProxyKind proxy, long elapsedTimestamp, bool wouldBlock = false)
    {
        _decisions[DecisionIndex((int)proxy, allowed ? 0 : 1)].Inc();
        _decisionDuration.Observe(elapsedTimestamp * s_secondsPerTimestamp);
        if (wouldBlock)
        {
            _wouldBlock[(int)proxy].Inc();
        }
    }

    /// <summary>
    /// How long a decision took, for one whose count waits (ask mode holds it): see <see cref="CountDecision"/>.
    /// </summary>
    public void ObserveDecisionDuration(long elapsedTimestamp) => _decisionDuration.Observe(elapsedTimestamp * s_secondsPerTimestamp);

    /// <summary>Counts a decision whose duration was observed when it was made (a held request, once its hold ends).</summary>
    public void CountDecision(bool allowed, ProxyKind proxy) => _decisions[DecisionIndex((int)proxy, allowed ? 0 : 1)].Inc();

    /// <summary>A request an L7 rule denied and report mode let through (L7 verdicts are not in <c>gateway_decisions_total</c>).</summary>
    public void RecordWouldBlock(ProxyKind proxy) => _wouldBlock[(int)proxy].Inc();

    /// <summary>An upstream connection that succeeded, resolution included.</summary>
    public void RecordUpstreamConnect(TimeSpan elapsed) => _upstreamConnectDuration.Observe(elapsed.TotalSeconds);

    /// <summary>Bytes a tunnel or forwarded request moved; call once when it ends, not per read.</summary>
    public void AddBytes(long fromClient, long toClient)
    {
        if (fromClient > 0)
        {
            _bytesFromClient.Inc(fromClient);
        }

        if (toClient > 0)
        {
            _bytesToClient.Inc(toClient);
        }
    }

    /// <summary>A client connection accepted on <paramref name="listener"/>, one of <see cref="MetricLabels.Listeners"/>.</summary>
    /// <param name="listener">A <see cref="Listeners.ListenerKind"/> constant of a sandbox-facing listener.</param>
    public void ConnectionOpened(string listener)
    {
        string[] listeners = MetricLabels.Listeners;
        for (int i = 0; i < listeners.Length; i++)
        {
            // The constants are interned: the reference test almost always decides.
            if (ReferenceEquals(listeners[i], listener) || string.Equals(listeners[i], listener, StringComparison.Ordinal))
            {
                _connections[i].Inc();
                return;
            }
        }

        ThrowUnknownListener(listener);
    }

    /// <summary>A credential put on a request.</summary>
    public void RecordInjection(InjectionSource source) => _injections[(int)source].Inc();

    /// <summary>An error an operator may alert on.</summary>
    public void RecordError(ErrorKind kind) => _errors[(int)kind].Inc();

    private static int DecisionIndex(int proxy, int decision) => (proxy * 2) + decision;

    private static Counter.Child[] Children(Counter counter, string[] labels)
    {
        var children = new Counter.Child[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            children[i] = counter.WithLabels(labels[i]);
        }

        return children;
    }

    private static Gauge.Child[] Children(Gauge gauge, string[] labels)
    {
        var children = new Gauge.Child[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            children[i] = gauge.WithLabels(labels[i]);
        }

        return children;
    }

    [StackTraceHidden]
    private static void ThrowUnknownListener(string listener) =>
        throw new ArgumentOutOfRangeException(nameof(listener), listener, "not a sandbox-facing listener kind");
}
