using PolicyCompiler.Compilation;
using PolicyCompiler.Rules;

namespace Gateway.Metrics;

/// <summary>Scrape-time values: read from <see cref="Sources"/> just before the registry is collected.</summary>
internal sealed partial class GatewayMetrics
{
    // Counting rules walks the snapshot; a snapshot is immutable, so count each one once.
    private PolicySnapshot? _countedSnapshot;

    private void PullSources()
    {
        MetricSources sources = Sources;
        if (sources.ActiveConnections is { } active)
        {
            _connectionsActive.Set(active());
        }

        if (sources.AuditQueueDepth is { } depth)
        {
            _auditQueueDepth.Set(depth());
        }

        // IncTo never goes back, so a source that restarts from zero cannot make a counter decrease.
        if (sources.AuditDropped is { } dropped)
        {
            _auditDropped.IncTo(dropped());
        }

        if (sources.AuditSuppressed is { } suppressed)
        {
            _auditSuppressed.IncTo(suppressed());
        }

        if (sources.AuditRotatedEvents is { } rotated)
        {
            _auditRotatedEvents.IncTo(rotated());
        }

        if (sources.AuditRetention?.Invoke() is { } retention)
        {
            _auditRetention.Set(retention.TotalSeconds);
        }

        if (sources.PolicyReloads is { } reloads)
        {
            _policyReloads.IncTo(reloads());
        }

        if (sources.PolicyReloadFailures is { } failures)
        {
            _policyReloadFailures.IncTo(failures());
        }

        if (sources.CaNotAfter is { } notAfter)
        {
            _caExpiry.Set(notAfter().ToUnixTimeSeconds());
        }

        if (sources.Policy is { } policy)
        {
            CountRules(policy());
        }
    }

    private void CountRules(PolicySnapshot snapshot)
    {
        if (ReferenceEquals(Volatile.Read(ref _countedSnapshot), snapshot))
        {
            return;
        }

        Span<int> counts = stackalloc int[MetricLabels.RuleSources.Length];
        IReadOnlyList<PolicyRule> rules = snapshot.Rules;
        for (int i = 0; i < rules.Count; i++)
        {
            counts[(int)rules[i].Source.Kind]++;
        }

        for (int i = 0; i < counts.Length; i++)
        {
            _policyRules[i].Set(counts[i]);
        }

        Volatile.Write(ref _countedSnapshot, snapshot);
    }
}
