using System.Diagnostics;
using Gateway.Audit;
using Gateway.Dialing;
using PolicyCompiler.Compilation;

namespace Gateway.Listeners;

/// <summary>
/// Turns one decision and its outcome into the one audit event DESIGN.md asks for. Blocked by
/// the egress guard is reported as blocked with rule <c>egress-guard</c>, whatever the policy said.
/// </summary>
internal sealed class DecisionRecorder(AuditWriter audit, TimeProvider time)
{
    /// <summary>
    /// Writes the event; waits (bounded) when the audit queue is full rather than losing it.
    /// <paramref name="viaSocks5"/> is true when the dial went through the SOCKS5 proxy
    /// (<see cref="DialResult.Socks5Proxy"/> set), recorded as <c>upstream: socks5</c>.
    /// </summary>
    public ValueTask RecordAsync(
        string sandbox, string host, int port, string proxy, in Decision decision, EgressError dialError, int status,
        long bytesIn, long bytesOut, long startedTimestamp, bool viaSocks5 = false)
    {
        bool guarded = dialError == EgressError.RefusedAddress;
        var e = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Proxy = proxy,
            Rule = guarded ? EgressErrors.GuardRuleId : decision.Source,
            RuleId = guarded ? EgressErrors.GuardRuleId : decision.RuleId,
            Decision = decision.IsAllowed && !guarded ? AuditEvent.Allowed : AuditEvent.Blocked,
            Status = status,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            DurationMs = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
            Upstream = viaSocks5 ? AuditEvent.Socks5Upstream : null,
        };

        // Not the connection's token: a client that hangs up must not cancel its own audit record.
        return audit.WriteAsync(e, CancellationToken.None);
    }
}
