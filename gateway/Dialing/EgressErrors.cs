using System.Net;

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
        EgressError.TooManyConnections or EgressError.OutOfSockets => 503,
        EgressError.Timeout or EgressError.Socks5TtlExpired => 504,
        EgressError.Socks5Unreachable or EgressError.Socks5NoAcceptableMethod or EgressError.Socks5AuthenticationFailed
            or EgressError.Socks5CredentialUnavailable or EgressError.Socks5ProtocolError or EgressError.Socks5GeneralFailure
            or EgressError.Socks5NotAllowed or EgressError.Socks5NetworkUnreachable or EgressError.Socks5HostUnreachable
            or EgressError.Socks5ConnectionRefused or EgressError.Socks5CommandNotSupported
            or EgressError.Socks5AddressTypeNotSupported => 502,
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
        EgressError.OutOfSockets => "the gateway cannot open a socket (open-file limit, socket memory or local ports exhausted); see gateway_errors_total{kind=\"out_of_sockets\"}",
        _ => "SOCKS5 proxy: " + Socks5Reason(error),
    };

    /// <summary>
    /// The reason for a dial that went through the SOCKS5 proxy at <paramref name="socks5"/>
    /// (<see cref="DialResult.Socks5Proxy"/>), naming it as <c>socks5://host:port</c>: never with
    /// userinfo, since credentials live in a credential source and never in a message.
    /// </summary>
    public static string Reason(EgressError error, DnsEndPoint? socks5) => socks5 is null
        ? Reason(error)
        : error switch
        {
            EgressError.Timeout => $"upstream connect through SOCKS5 proxy {Socks5Url(socks5)} timed out",
            EgressError.None or EgressError.NameNotResolved or EgressError.RefusedAddress or EgressError.ConnectionRefused
                or EgressError.Unreachable or EgressError.TooManyConnections or EgressError.OutOfSockets => Reason(error),
            _ => $"SOCKS5 proxy {Socks5Url(socks5)}: {Socks5Reason(error)}",
        };

    /// <summary><c>socks5://host:port</c>, IPv6 in brackets.</summary>
    public static string Socks5Url(DnsEndPoint proxy) => proxy.Host.Contains(':', StringComparison.Ordinal)
        ? $"socks5://[{proxy.Host}]:{proxy.Port}"
        : $"socks5://{proxy.Host}:{proxy.Port}";

    /// <summary>The error a CONNECT reply code stands for; unassigned codes count as a general failure.</summary>
    public static EgressError FromReply(Socks5ReplyCode code) => code switch
    {
        Socks5ReplyCode.Succeeded => EgressError.None,
        Socks5ReplyCode.NotAllowed => EgressError.Socks5NotAllowed,
        Socks5ReplyCode.NetworkUnreachable => EgressError.Socks5NetworkUnreachable,
        Socks5ReplyCode.HostUnreachable => EgressError.Socks5HostUnreachable,
        Socks5ReplyCode.ConnectionRefused => EgressError.Socks5ConnectionRefused,
        Socks5ReplyCode.TtlExpired => EgressError.Socks5TtlExpired,
        Socks5ReplyCode.CommandNotSupported => EgressError.Socks5CommandNotSupported,
        Socks5ReplyCode.AddressTypeNotSupported => EgressError.Socks5AddressTypeNotSupported,
        _ => EgressError.Socks5GeneralFailure,
    };

    private static string Socks5Reason(EgressError error) => error switch
    {
        EgressError.Socks5Unreachable => "unreachable",
        EgressError.Socks5NoAcceptableMethod => "accepts none of the offered authentication methods; check upstream.socks5Credential (or the kit's credentialRef)",
        EgressError.Socks5AuthenticationFailed => "rejected the username/password",
        EgressError.Socks5CredentialUnavailable => "its credential source has no usable value; check credentials.sources",
        EgressError.Socks5ProtocolError => "broke the SOCKS5 protocol or closed the connection during the handshake",
        EgressError.Socks5GeneralFailure => "general failure",
        EgressError.Socks5NotAllowed => "connection not allowed by the proxy's ruleset",
        EgressError.Socks5NetworkUnreachable => "network unreachable",
        EgressError.Socks5HostUnreachable => "host unreachable",
        EgressError.Socks5ConnectionRefused => "upstream refused the connection",
        EgressError.Socks5TtlExpired => "TTL expired (the proxy's connect timed out)",
        EgressError.Socks5CommandNotSupported => "command not supported",
        EgressError.Socks5AddressTypeNotSupported => "address type not supported",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
