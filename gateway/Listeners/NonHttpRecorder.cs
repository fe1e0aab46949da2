using System.Diagnostics;
using System.Net;
using Gateway.Audit;
using Gateway.Metrics;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners;

/// <summary>Audits a connection that reached a transparent listener with neither TLS nor HTTP: always blocked.</summary>
internal sealed class NonHttpRecorder(AuditWriter audit, TimeProvider time, GatewayMetrics metrics)
{
    public const string RuleId = "non-http";

    public ValueTask RecordAsync(ConnectionContext connection, SandboxRegistry sandboxes, string listener)
    {
        long started = Stopwatch.GetTimestamp();
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var local = connection.LocalEndPoint as IPEndPoint;
        Sandbox? sandbox = sandboxes.Identify(remote?.Address);
        metrics.RecordDecision(allowed: false, ProxyKind.Network, 0);
        int port = connection.Items.TryGetValue(OriginalDestination.ItemKey, out object? original) && original is int p ? p : local?.Port ?? 0;
        return audit.WriteAsync(
            new AuditEvent
            {
                Time = time.GetUtcNow(),
                Sandbox = sandbox?.Name ?? "unknown",
                Host = local?.Address.ToString() ?? "unknown",
                Port = port,
                Proxy = AuditEvent.NetworkProxy,
                Rule = RuleId,
                RuleId = RuleId + ":" + listener,
                Decision = AuditEvent.Blocked,
                DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            },
            CancellationToken.None);
    }
}
