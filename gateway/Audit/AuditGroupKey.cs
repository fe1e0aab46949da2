namespace Gateway.Audit;

/// <summary>
/// What <c>policy log</c> groups events by: one row per sandbox, type, host, proxy, rule source and decision,
/// with denials report mode let through (<c>wouldBlock</c>) apart from what the policy allowed.
/// </summary>
internal readonly record struct AuditGroupKey(string Sandbox, string Type, string Host, string Proxy, string Rule, string Decision, bool WouldBlock)
{
    /// <summary>The key of <paramref name="e"/>.</summary>
    public static AuditGroupKey Of(in AuditEvent e) => new(e.Sandbox, e.Type, e.Host, e.Proxy, e.Rule, e.Decision, e.WouldBlock);
}
