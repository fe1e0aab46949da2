using PolicyCompiler.Compilation;

namespace Gateway.Metrics;

/// <summary>
/// Values other components already keep, read when Prometheus scrapes rather than mirrored
/// on every change: nothing on the data path pays for them. A null source leaves its metric
/// at zero (e.g. no audit writer yet).
/// </summary>
internal sealed record MetricSources
{
    /// <summary>Client connections open now (<c>ConnectionGate.Open</c>) → <c>gateway_connections_active</c>.</summary>
    public Func<int>? ActiveConnections { get; init; }

    /// <summary>Events waiting for the audit writer → <c>gateway_audit_queue_depth</c>.</summary>
    public Func<int>? AuditQueueDepth { get; init; }

    /// <summary>Audit events dropped since start (monotonic) → <c>gateway_audit_dropped_total</c>.</summary>
    public Func<long>? AuditDropped { get; init; }

    /// <summary>Refusals and DNS queries kept out of the audit file by the per-sandbox rate (monotonic) → <c>gateway_audit_suppressed_total</c>.</summary>
    public Func<long>? AuditSuppressed { get; init; }

    /// <summary>Audit events deleted by rotation (monotonic) → <c>gateway_audit_rotated_events_total</c>.</summary>
    public Func<long>? AuditRotatedEvents { get; init; }

    /// <summary>How long the events the last rotation deleted had been kept; null before any → <c>gateway_audit_retention_seconds</c>.</summary>
    public Func<TimeSpan?>? AuditRetention { get; init; }

    /// <summary>The live snapshot → <c>gateway_policy_rules{source}</c>.</summary>
    public Func<PolicySnapshot>? Policy { get; init; }

    /// <summary>Successful reloads since start (monotonic) → <c>gateway_policy_reloads_total</c>.</summary>
    public Func<long>? PolicyReloads { get; init; }

    /// <summary>
    /// When the interception CA in use stops being valid → <c>gateway_ca_expiry_timestamp_seconds</c>
    /// (Unix seconds); read at scrape time so a rotation shows at once.
    /// </summary>
    public Func<DateTimeOffset>? CaNotAfter { get; init; }

    /// <summary>Refused reloads since start (monotonic) → <c>gateway_policy_reload_failures_total</c>.</summary>
    public Func<long>? PolicyReloadFailures { get; init; }
}
