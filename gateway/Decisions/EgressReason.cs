namespace Gateway.Decisions;

/// <summary>
/// The audit log's <c>reason</c>: why an outcome came out as it did, from a closed set that the
/// README documents and tools may match on. A value is one of the constants here, or one of the
/// prefixed forms (<see cref="BudgetPrefix"/>, <see cref="DlpPrefix"/>) followed by a name the
/// configuration gives. New reasons are added here, and to the README, never made up at a call site.
/// </summary>
internal static class EgressReason
{
    /// <summary>A rule decided: an allow rule let it through, or a deny rule refused it.</summary>
    public const string Rule = "rule";

    /// <summary>No rule matched: blocked (everything not allowed is).</summary>
    public const string NoMatch = "no-match";

    /// <summary>The name was allowed but every address it resolved to is in a refused range (invariant 5).</summary>
    public const string EgressGuard = "egress-guard";

    /// <summary>The source address belongs to no sandbox.</summary>
    public const string UnknownSandbox = "unknown-sandbox";

    /// <summary>The sandbox has a proxy token and the request carried none or another (407).</summary>
    public const string ProxyAuth = "proxy-auth";

    /// <summary>The host is not a valid host name or IP literal (or, for an SNI, not a name).</summary>
    public const string InvalidHost = "invalid-host";

    /// <summary>The request head, ClientHello, DNS query or request could not be read as its protocol says.</summary>
    public const string Malformed = "malformed";

    /// <summary>The head did not arrive within <c>limits.headerTimeout</c> (408).</summary>
    public const string HeaderTimeout = "header-timeout";

    /// <summary>Refused at <c>limits.maxConnections</c> (503).</summary>
    public const string ConnectionLimit = "connection-limit";

    /// <summary>An intercepted request decided by the host's L7 rules (<c>network.rules</c>).</summary>
    public const string L7Rule = "l7-rule";

    /// <summary>A credential placeholder was sent where it has no business (a suspected leak).</summary>
    public const string PlaceholderLeak = "placeholder-leak";

    /// <summary>Deciding failed: refused, whatever the policy would have said (fail closed).</summary>
    public const string PolicyError = "policy-error";

    /// <summary>A connection to a transparent listener that spoke neither TLS nor HTTP.</summary>
    public const string NonHttp = "non-http";

    /// <summary>An intercepted request naming another host than the connection was decided for (invariant 4, 421).</summary>
    public const string Misdirected = "misdirected";

    /// <summary>An intercepted request whose credential could not be had or applied (502): nothing was sent.</summary>
    public const string CredentialUnavailable = "credential-unavailable";

    /// <summary>A request held for approval (<c>policy.ask</c>) that nobody approved in time.</summary>
    public const string ApprovalTimeout = "approval-timeout";

    /// <summary>A request held for approval that an operator approved (<c>policy approve</c>): it went on under the new rule.</summary>
    public const string Approved = "approved";

    /// <summary>A request held for approval that an operator rejected (<c>policy reject</c>): 403.</summary>
    public const string Rejected = "rejected";

    /// <summary>Prefix of <c>budget:&lt;name&gt;</c>: a per-sandbox budget was exceeded.</summary>
    public const string BudgetPrefix = "budget:";

    /// <summary>Prefix of <c>dlp:&lt;pattern&gt;</c>: an outgoing request carried a secret of that pattern.</summary>
    public const string DlpPrefix = "dlp:";

    private static readonly string[] s_fixed =
    [
        Rule, NoMatch, EgressGuard, UnknownSandbox, ProxyAuth, InvalidHost, Malformed, HeaderTimeout, ConnectionLimit,
        L7Rule, PlaceholderLeak, PolicyError, NonHttp, Misdirected, CredentialUnavailable, ApprovalTimeout, Approved, Rejected,
    ];

    /// <summary>Every reason without a name part, in the order the README lists them.</summary>
    public static ReadOnlySpan<string> Fixed => s_fixed;

    /// <summary>True when <paramref name="reason"/> belongs to the closed set.</summary>
    public static bool IsKnown(string reason)
    {
        if (Array.IndexOf(s_fixed, reason) >= 0)
        {
            return true;
        }

        return (reason.StartsWith(BudgetPrefix, StringComparison.Ordinal) && reason.Length > BudgetPrefix.Length)
            || (reason.StartsWith(DlpPrefix, StringComparison.Ordinal) && reason.Length > DlpPrefix.Length);
    }
}
