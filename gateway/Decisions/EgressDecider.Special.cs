using Gateway.Audit;
using Gateway.Metrics;
using Gateway.Sandboxes;

namespace Gateway.Decisions;

/// <summary>Verdicts that no policy lookup makes but that are recorded like every other one.</summary>
internal sealed partial class EgressDecider
{
    /// <summary>The rule of a connection to a transparent listener that spoke neither TLS nor HTTP.</summary>
    public const string NonHttpRule = "non-http";

    /// <summary>The rule of root queries, which the resolver answers itself (SOA/NS) or refuses.</summary>
    public const string DnsRootRule = "dns-root";

    /// <summary>The rule of a DNS query that could not be read.</summary>
    public const string DnsMalformedRule = "dns-malformed";

    /// <summary>
    /// A connection to a transparent listener that is neither TLS nor HTTP (a database protocol, an
    /// SSH banner wait): always blocked, audited as <c>proxy: network</c> against the address it aimed at.
    /// </summary>
    public EgressVerdict NonHttp(scoped in EgressRequest request, string destination)
    {
        metrics.RecordDecision(allowed: false, ProxyKind.Network, 0);
        return new EgressVerdict
        {
            Sandbox = sandboxes.Identify(request.Remote) ?? Sandbox.Unknown,
            Host = destination,
            Port = request.Port,
            Listener = request.Listener,
            NonHttp = true,
            Reason = EgressReason.NonHttp,
            Status = 0,
            Rule = NonHttpRule,
            RuleId = NonHttpRule + ":" + request.Listener,
            Started = request.Started,
        };
    }

    /// <summary>
    /// A query for the root (".") from a known sandbox: answered with the resolver's own SOA/NS
    /// when <paramref name="answered"/>, refused otherwise; no policy applies to it (an unknown source is refused).
    /// </summary>
    public EgressVerdict DnsRoot(scoped in EgressRequest request, bool answered)
    {
        if (sandboxes.Identify(request.Remote) is not { } sandbox)
        {
            return Refusal(Sandbox.Unknown, in request, EgressReason.UnknownSandbox, 0, ErrorKind.UnknownSandbox) with { Host = "." };
        }

        return new EgressVerdict
        {
            Sandbox = sandbox,
            Host = ".",
            Port = 0,
            Listener = request.Listener,
            Reason = answered ? EgressReason.Rule : EgressReason.NoMatch,
            LetsThrough = answered,
            Status = 0,
            Rule = DnsRootRule,
            RuleId = DnsRootRule,
            Started = request.Started,
        };
    }

    /// <summary>A DNS packet not worth an answer (a response, a fragment shorter than an id): counted, not audited.</summary>
    public void CountUnreadable() => metrics.RecordError(ErrorKind.MalformedRequest);

    /// <summary>A DNS query refused before its name could be decided (unreadable, an EDNS version not spoken).</summary>
    public EgressVerdict DnsMalformed(scoped in EgressRequest request)
    {
        EgressVerdict verdict = Refuse(in request, EgressReason.Malformed, 0, ErrorKind.MalformedRequest);
        return verdict with { Rule = DnsMalformedRule, RuleId = DnsMalformedRule };
    }
}
