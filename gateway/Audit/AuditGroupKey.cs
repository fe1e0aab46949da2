namespace Gateway.Audit;

/// <summary>
/// What <c>policy log</c> groups events by: one row per sandbox, type, host, proxy, listener (so TLS and
/// HTTP transparent traffic to one host are rows apart), rule source and decision, with denials report
/// mode let through (<c>wouldBlock</c>) apart from what the policy allowed.
/// </summary>
internal readonly record struct AuditGroupKey(string Sandbox, string Type, string Host, string Proxy, string Listener, string Rule, string Decision, bool WouldBlock)
{
    /// <summary>The key of <paramref name="e"/>.</summary>
    public static AuditGroupKey Of(in AuditEvent e) => new(e.Sandbox, e.Type, e.Host, e.Proxy, AuditListener.Of(in e), e.Rule, e.Decision, e.WouldBlock);
}
