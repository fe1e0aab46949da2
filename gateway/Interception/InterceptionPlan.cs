using Gateway.Interception.Forwarding;

namespace Gateway.Interception;

/// <summary>
/// Why one (sandbox, host) connection is terminated rather than relayed: the credentials to set,
/// the per-request rules to apply, and the proxy-managed variables whose placeholders may be
/// replaced for this host. Built per intercepted connection; never for a relayed one.
/// </summary>
/// <param name="Host">The decided, canonical host: every request on the connection must name it.</param>
/// <param name="Port">The decided port.</param>
/// <param name="Injections">Bindings whose header is set on every request (most specific pattern per kit).</param>
/// <param name="Rules">Every L7 rule whose host pattern matches, from every kit of the sandbox.</param>
/// <param name="BoundVariables">Proxy-managed variables read by a source bound to this host.</param>
internal sealed record InterceptionPlan(
    string Host, int Port, IReadOnlyList<ServiceBinding> Injections, IReadOnlyList<HttpRuleEntry> Rules, IReadOnlyList<string> BoundVariables)
{
    /// <summary>The bound variables whose source says <c>body: true</c>: their placeholders are replaced in request bodies too.</summary>
    public IReadOnlyList<string> BodyVariables { get; init; } = [];

    /// <summary>The request authority the upstream is addressed with: "host:port", IPv6 literals bracketed.</summary>
    public string Authority { get; } = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>True when every kit that intercepts this host says <c>network.dlp: report</c>: a DLP hit is audited, not refused.</summary>
    public bool DlpReports { get; init; }
}
