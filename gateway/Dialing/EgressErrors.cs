namespace Gateway.Dialing;

/// <summary>What a client and an operator are told about an <see cref="EgressError"/> ("What a client sees" in DESIGN.md).</summary>
internal static class EgressErrors
{
    /// <summary>The rule reported (audit log, 403 body) when the egress guard refused every address.</summary>
    public const string GuardRuleId = "egress-guard";

    /// <summary>The HTTP status a forward-proxy client gets for <paramref name="error"/>.</summary>
    public static int StatusCode(EgressError error) => error switch
    {
        EgressError.None => 200,
        EgressError.RefusedAddress => 403,
        EgressError.NameNotResolved or EgressError.ConnectionRefused or EgressError.Unreachable => 502,
        EgressError.TooManyConnections => 503,
        EgressError.Timeout => 504,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    /// <summary>A short, operator-facing reason for the audit log and the error body.</summary>
    public static string Reason(EgressError error) => error switch
    {
        EgressError.None => "connected",
        EgressError.NameNotResolved => "name does not resolve",
        EgressError.RefusedAddress => "destination is in a refused address range; list it in egress.allowCidrs or allow that exact IP",
        EgressError.ConnectionRefused => "upstream refused the connection",
        EgressError.Unreachable => "upstream unreachable",
        EgressError.Timeout => "upstream connect timed out",
        EgressError.TooManyConnections => "too many connections",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
