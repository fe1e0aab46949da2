namespace Gateway.Dialing;

/// <summary>
/// The expected outcomes of a dial, as values (YARP's <c>ForwarderError</c> is the model):
/// each maps to one status code and one audit reason through <see cref="EgressErrors"/>.
/// </summary>
internal enum EgressError : byte
{
    /// <summary>Connected.</summary>
    None,

    /// <summary>The name has no address (NXDOMAIN, no data, resolver failure). 502.</summary>
    NameNotResolved,

    /// <summary>Every address the name resolved to is in a refused range (rule <c>egress-guard</c>). 403.</summary>
    RefusedAddress,

    /// <summary>The upstream answered with a reset: nothing listens on that port. 502.</summary>
    ConnectionRefused,

    /// <summary>No route, host down, or the address family is not available here. 502.</summary>
    Unreachable,

    /// <summary>Resolving and connecting took longer than <c>limits.connectTimeout</c>. 504.</summary>
    Timeout,

    /// <summary>The gateway is at <c>limits.maxConnections</c>. 503.</summary>
    TooManyConnections,

    /// <summary>
    /// The gateway could not open a socket: its open-file limit (<c>LimitNOFILE</c>), the
    /// system's file table, socket memory or the local port range is exhausted. 503: the fault
    /// is the gateway's capacity, not the upstream's.
    /// </summary>
    OutOfSockets,

    /// <summary>The SOCKS5 proxy itself could not be reached (refused, no route, its name does not resolve). 502.</summary>
    Socks5Unreachable,

    /// <summary>The proxy accepts none of the methods offered (it wants a password and none is configured, or the reverse). 502.</summary>
    Socks5NoAcceptableMethod,

    /// <summary>The proxy rejected the username/password (RFC 1929 status not 0). 502.</summary>
    Socks5AuthenticationFailed,

    /// <summary>The configured credential source has no usable value (unset, unreadable, empty, over 255 bytes). 502.</summary>
    Socks5CredentialUnavailable,

    /// <summary>The proxy broke the protocol or closed the connection during the handshake. 502.</summary>
    Socks5ProtocolError,

    /// <summary>REP 1, general SOCKS server failure. 502.</summary>
    Socks5GeneralFailure,

    /// <summary>REP 2, connection not allowed by the proxy's ruleset. 502.</summary>
    Socks5NotAllowed,

    /// <summary>REP 3, network unreachable from the proxy. 502.</summary>
    Socks5NetworkUnreachable,

    /// <summary>REP 4, host unreachable from the proxy (also: the proxy could not resolve the name). 502.</summary>
    Socks5HostUnreachable,

    /// <summary>REP 5, the upstream refused the proxy's connection. 502.</summary>
    Socks5ConnectionRefused,

    /// <summary>REP 6, TTL expired: the proxy's connect timed out. 504.</summary>
    Socks5TtlExpired,

    /// <summary>REP 7, command not supported (the proxy does not do CONNECT). 502.</summary>
    Socks5CommandNotSupported,

    /// <summary>REP 8, address type not supported (e.g. no IPv6, or no domain names). 502.</summary>
    Socks5AddressTypeNotSupported,
}
