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
}
