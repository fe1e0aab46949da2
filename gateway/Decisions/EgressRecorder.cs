using System.Diagnostics;
using Gateway.Audit;
using Gateway.Dialing;

namespace Gateway.Decisions;

/// <summary>
/// Turns a verdict and its outcome into the one audit event DESIGN.md asks for ("Audit log").
/// Blocked by the egress guard is reported as blocked with rule and reason <c>egress-guard</c>,
/// whatever the policy said. A denial report mode let through is <c>allowed</c> (it was) with
/// <c>wouldBlock</c> and the rule that would have blocked it. Events go through the
/// <see cref="AuditWriter"/>, whose per-sandbox refusal rate applies to every refusal alike.
/// </summary>
internal sealed class EgressRecorder(AuditWriter audit, TimeProvider time)
{
    /// <summary>Writes the event; waits (bounded) when the audit queue is full rather than losing it.</summary>
    public ValueTask RecordAsync(in EgressVerdict verdict, in EgressOutcome outcome)
    {
        AuditEvent e = ToEvent(in verdict, in outcome, time.GetUtcNow());

        // Not the connection's token: a client that hangs up must not cancel its own audit record.
        return audit.WriteAsync(e, CancellationToken.None);
    }

    /// <summary>The event <see cref="RecordAsync"/> writes, at <paramref name="now"/>.</summary>
    public static AuditEvent ToEvent(in EgressVerdict verdict, in EgressOutcome outcome, DateTimeOffset now)
    {
        bool guarded = outcome.DialError == EgressError.RefusedAddress;
        return new AuditEvent
        {
            Time = now,
            Sandbox = verdict.Sandbox.Name,
            Host = verdict.Host,
            Port = verdict.Port,
            Proxy = verdict.Proxy,
            Listener = verdict.Listener,
            Rule = guarded ? EgressErrors.GuardRuleId : verdict.Rule,
            RuleId = guarded ? EgressErrors.GuardRuleId : verdict.RuleId,
            Reason = guarded ? EgressReason.EgressGuard : verdict.Reason,
            Decision = verdict.LetsThrough && !guarded ? AuditEvent.Allowed : AuditEvent.Blocked,
            WouldBlock = verdict.WouldBlock && !guarded,
            Status = outcome.Status,
            BytesIn = outcome.BytesIn,
            BytesOut = outcome.BytesOut,
            DurationMs = verdict.Started == 0 ? 0 : (long)Stopwatch.GetElapsedTime(verdict.Started).TotalMilliseconds,
            Injected = outcome.Injected,
            Upstream = outcome.ViaSocks5 ? AuditEvent.Socks5Upstream : null,
            Method = outcome.Method,
            Path = outcome.Path,
        };
    }
}
