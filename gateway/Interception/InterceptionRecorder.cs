using System.Diagnostics;
using Gateway.Audit;

namespace Gateway.Interception;

/// <summary>One audit event per intercepted request: the connection's decision, or the L7 rule that refused it, and which credentials went out (names only).</summary>
internal sealed class InterceptionRecorder(AuditWriter audit, TimeProvider time)
{
    /// <summary>Writes the event for a request that was decided by the connection's policy decision.</summary>
    public ValueTask RecordAsync(InterceptionSession session, string rule, string ruleId, bool allowed, int status, long bytesIn, long bytesOut, string? injected, long started, bool viaSocks5 = false)
    {
        var e = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Sandbox = session.Sandbox,
            Host = session.Plan.Host,
            Port = session.Plan.Port,
            Proxy = session.Proxy,
            Rule = rule,
            RuleId = ruleId,
            Decision = allowed ? AuditEvent.Allowed : AuditEvent.Blocked,
            Status = status,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Injected = injected,
            Upstream = viaSocks5 ? AuditEvent.Socks5Upstream : null,
        };
        return audit.WriteAsync(e, CancellationToken.None);
    }
}
