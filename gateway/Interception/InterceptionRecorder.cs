using System.Diagnostics;
using Gateway.Audit;

namespace Gateway.Interception;

/// <summary>
/// One audit event per intercepted request: the connection's decision, or the L7 rule that refused it, and which
/// credentials went out (names only). A request that went on although the connection's decision or an L7 rule
/// denied it (report mode) is <c>allowed</c> with <c>wouldBlock</c>.
/// </summary>
internal sealed class InterceptionRecorder(AuditWriter audit, TimeProvider time)
{
    /// <summary>
    /// Writes the event for a request that was decided by the connection's policy decision;
    /// <paramref name="wouldBlock"/> when an L7 rule denied it and report mode let it through;
    /// <paramref name="request"/> gives the method and path (without its query) of a request, null for the connection.
    /// </summary>
    public ValueTask RecordAsync(
        InterceptionSession session, string rule, string ruleId, bool allowed, int status, long bytesIn, long bytesOut, string? injected, long started,
        bool viaSocks5 = false, bool wouldBlock = false, Microsoft.AspNetCore.Http.HttpRequest? request = null)
    {
        // A session is opened only for a connection that went on, so a denied decision in one
        // is a denial report mode let through: every request of it would have been blocked.
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
            WouldBlock = allowed && (wouldBlock || !session.Decision.IsAllowed),
            Status = status,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Injected = injected,
            Upstream = viaSocks5 ? AuditEvent.Socks5Upstream : null,
            Method = request?.Method,
            Path = request is null ? null : request.PathBase.Add(request.Path) is { HasValue: true } path ? path.Value : "/",
        };
        return audit.WriteAsync(e, CancellationToken.None);
    }
}
