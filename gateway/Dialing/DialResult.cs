using System.Net;
using System.Net.Sockets;

namespace Gateway.Dialing;

/// <summary>
/// The outcome of <see cref="Dialer.ConnectAsync(string, int, DialPermissions, CancellationToken)"/>: a connected socket, or why there is none.
/// On success the caller owns <see cref="Socket"/> and must dispose it.
/// </summary>
internal readonly struct DialResult
{
    /// <summary>The connected socket (NoDelay set); null unless <see cref="Error"/> is <see cref="EgressError.None"/>.</summary>
    public Socket? Socket { get; init; }

    /// <summary>Why there is no socket, or <see cref="EgressError.None"/>.</summary>
    public EgressError Error { get; init; }

    /// <summary>
    /// The address and port connected to; for <see cref="EgressError.RefusedAddress"/> the
    /// first refused address, for the audit log. Null otherwise.
    /// </summary>
    public IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>For <see cref="EgressError.RefusedAddress"/>: the class of <see cref="RemoteEndPoint"/>.</summary>
    public AddressClass RefusedClass { get; init; }

    /// <summary>Time from the call to the outcome, resolution included, in <see cref="TimeProvider.TimestampFrequency"/> ticks.</summary>
    public long ConnectTicks { get; init; }

    /// <summary>
    /// The SOCKS5 proxy the dial went through (successfully or not), or null for a direct dial
    /// and for a dial refused before the proxy was contacted. Names the proxy in error bodies
    /// (<see cref="EgressErrors.Reason(EgressError, DnsEndPoint?)"/>) and the audit log's <c>upstream</c>.
    /// </summary>
    public DnsEndPoint? Socks5Proxy { get; init; }

    /// <summary>True when <see cref="Socket"/> is connected.</summary>
    public bool IsConnected => Error == EgressError.None && Socket is not null;
}
