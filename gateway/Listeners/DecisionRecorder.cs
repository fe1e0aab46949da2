using System.Diagnostics;
using Gateway.Audit;
using Gateway.Dialing;
using Gateway.Policy;
using PolicyCompiler.Compilation;

namespace Gateway.Listeners;

/// <summary>
/// Turns one decision and its outcome into the one audit event DESIGN.md asks for. Blocked by
/// the egress guard is reported as blocked with rule <c>egress-guard</c>, whatever the policy said.
/// A denial that report mode let through is <c>allowed</c> (it was) with <c>wouldBlock</c> and
/// the rule that would have blocked it.
/// </summary>
internal sealed class DecisionRecorder(AuditWriter audit, TimeProvider time, PolicyEnforcement enforcement)
{
    /// <summary>The rule reported for a request refused as a suspected placeholder leak.</summary>
    public const string PlaceholderLeakRuleId = "placeholder-leak";

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
        // Callers refuse a denial themselves unless report mode lets it through, so a denial
        // recorded here under report mode is one that went on.
        bool wouldBlock = !guarded && enforcement.WouldBlock(in decision);
        var e = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Proxy = proxy,
            Rule = guarded ? EgressErrors.GuardRuleId : decision.Source,
            RuleId = guarded ? EgressErrors.GuardRuleId : decision.RuleId,
            Decision = (decision.IsAllowed || wouldBlock) && !guarded ? AuditEvent.Allowed : AuditEvent.Blocked,
            WouldBlock = wouldBlock,
            Status = status,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            DurationMs = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
            Upstream = viaSocks5 ? AuditEvent.Socks5Upstream : null,
        };

        // Not the connection's token: a client that hangs up must not cancel its own audit record.
        return audit.WriteAsync(e, CancellationToken.None);
    }

    /// <summary>Writes the event of a request refused because it carried a placeholder where it has no business (a suspected leak).</summary>
    public ValueTask RecordPlaceholderLeakAsync(string sandbox, string host, int port, string proxy, long startedTimestamp)
    {
        var e = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Proxy = proxy,
            Rule = PlaceholderLeakRuleId,
            RuleId = PlaceholderLeakRuleId,
            Decision = AuditEvent.Blocked,
            Status = 403,
            DurationMs = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
        };
        return audit.WriteAsync(e, CancellationToken.None);
    }

    /// <summary>
    /// Writes the event of a connection or request refused by its sandbox's budget: blocked, with
    /// <c>budget:&lt;name&gt;</c> as rule and rule id (DESIGN.md's audit reason) and the status the
    /// client got (429; 0 where the connection was only closed).
    /// </summary>
    public ValueTask RecordBudgetAsync(string sandbox, string host, int port, string proxy, string reason, int status, long startedTimestamp)
    {
        var e = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Proxy = proxy,
            Rule = reason,
            RuleId = reason,
            Decision = AuditEvent.Blocked,
            Status = status,
            DurationMs = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
        };
        return audit.WriteAsync(e, CancellationToken.None);
    }
}
