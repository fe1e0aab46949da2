using Gateway.Interception;
using Gateway.Interception.Forwarding;
using Gateway.Metrics;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Compilation;

namespace Gateway.Decisions;

/// <summary>
/// Per request on a terminated connection (DESIGN.md: "per request: Decisions again"): the
/// request must be well formed, name the host the connection was decided for (invariant 4),
/// and pass the host's L7 rules. The connection's verdict is where each request's starts from.
/// </summary>
internal sealed partial class EgressDecider
{
    /// <summary>
    /// Decides one intercepted request. On a refusal <paramref name="problem"/> says why, for the
    /// response body; <paramref name="rule"/> is the L7 rule that decided, when one did.
    /// </summary>
    public EgressVerdict DecideRequest(
        in EgressVerdict connection, HttpContext context, string rawTarget, long started, out string? problem, out HttpRuleEntry? rule)
    {
        rule = null;
        InterceptionPlan plan = connection.Plan.Interception!;
        EgressVerdict request = connection with { Started = started, Status = 200 };
        if (RequestFields.Malformed(context) is { } malformed)
        {
            problem = $"Refused: {malformed}; the request to {plan.Host} was not sent.\n";
            return RefuseRequest(in request, EgressReason.Malformed, 400, "malformed-request", ErrorKind.MalformedRequest);
        }

        if (!AuthorityAgrees(context.Request.Host, plan))
        {
            problem = $"This connection was decided for {plan.Authority}; every request on it must name that host (Host / :authority), not \"{context.Request.Host}\".\n";
            return RefuseRequest(in request, EgressReason.Misdirected, 421, "authority", ErrorKind.MalformedRequest);
        }

        problem = null;
        if (plan.Rules.Count == 0)
        {
            return request;
        }

        if (RequestPath.TryNormalize(rawTarget, out string? pathProblem) is not { } path)
        {
            problem = $"Refused: {pathProblem}; L7 rules apply to {plan.Host}, so the path must be unambiguous.\n";
            return RefuseRequest(in request, EgressReason.Malformed, 400, "invalid-path", ErrorKind.MalformedRequest);
        }

        bool ruleAllows = HttpRuleMatcher.Decide(plan.Rules, RequestMethods.Of(context.Request), path, out rule, out string method);
        string ruleId = rule?.Id ?? Decision.NoMatchRuleId;
        if (!ruleAllows && !enforcement.Reports)
        {
            problem = rule is null
                ? $"Blocked by the egress gateway: no network.rules entry of this sandbox's kits allows {method} {path} on {plan.Host}.\n"
                : $"Blocked by the egress gateway: {method} {path} on {plan.Host} is denied by {rule.Id}.\n";
            return RefuseRequest(in request, EgressReason.L7Rule, 403, ruleId, error: null) with { Rule = rule?.Source ?? connection.Rule };
        }

        // Report mode: a connection the policy denied keeps naming that rule (it would never have
        // been opened); otherwise the L7 rule that decided, or that would have refused.
        if (!connection.Decision.IsAllowed)
        {
            return request;
        }

        if (!ruleAllows)
        {
            metrics.RecordWouldBlock(ProxyKindOf(connection.Listener));
        }

        return request with { Reason = EgressReason.L7Rule, Rule = rule?.Source ?? connection.Rule, RuleId = ruleId, WouldBlock = !ruleAllows };
    }

    /// <summary>
    /// An intercepted request refused after its verdict (a placeholder toward the wrong host, a
    /// credential that could not be had, a form that cannot be re-signed): <paramref name="ruleId"/>
    /// names what refused it; the connection's rule when null.
    /// </summary>
    public EgressVerdict RefuseRequest(in EgressVerdict request, string reason, int status, string? ruleId, ErrorKind? error)
    {
        if (error is { } kind)
        {
            metrics.RecordError(kind);
        }

        bool named = ruleId is not null && reason is not (EgressReason.CredentialUnavailable or EgressReason.Malformed or EgressReason.Misdirected);
        return request with
        {
            Reason = reason,
            Status = status,
            LetsThrough = false,
            WouldBlock = false,
            Rule = named ? ruleId! : request.Rule,
            RuleId = ruleId ?? request.RuleId,
        };
    }

    // RFC 9110 §7.4: a request for another origin on this connection is misdirected. A missing
    // port means the scheme's default (443); the name compares after canonicalisation.
    private static bool AuthorityAgrees(HostString header, InterceptionPlan plan)
    {
        if (!header.HasValue || (header.Port ?? 443) != plan.Port)
        {
            return false;
        }

        string host = header.Host;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return string.Equals(PolicyCompiler.Hosts.HostCanonicalizer.Canonicalize(host, out _, out _), plan.Host, StringComparison.Ordinal);
    }
}
