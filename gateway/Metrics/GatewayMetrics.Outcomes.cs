using System.Diagnostics;
using Gateway.Dialing;
using Gateway.Relay;

namespace Gateway.Metrics;

/// <summary>Recording straight from the values the dialer and the relay return, so callers map nothing.</summary>
internal sealed partial class GatewayMetrics
{
    /// <summary>
    /// A dial's outcome: the connect time when it connected, otherwise one error of the
    /// matching kind. <see cref="DialResult.ConnectTicks"/> are read as <see cref="Stopwatch"/>
    /// ticks, which they are with the system <see cref="TimeProvider"/>.
    /// </summary>
    public void RecordDial(in DialResult dial)
    {
        if (dial.Error == EgressError.None)
        {
            _upstreamConnectDuration.Observe(dial.ConnectTicks * s_secondsPerTimestamp);
            return;
        }

        RecordError(ErrorOf(dial.Error));
    }

    /// <summary>A finished tunnel: its bytes both ways, and an error when it did not end cleanly.</summary>
    public void RecordRelay(in RelayResult relay)
    {
        AddBytes(relay.BytesFromClient, relay.BytesToClient);
        switch (relay.End)
        {
            case RelayEnd.ClientReset:
                RecordError(ErrorKind.ClientReset);
                break;
            case RelayEnd.UpstreamReset:
                RecordError(ErrorKind.UpstreamReset);
                break;
            case RelayEnd.IdleTimeout:
                RecordError(ErrorKind.IdleTimeout);
                break;
            default:
                break; // Completed, or cancelled by shutdown: nothing went wrong
        }
    }

    /// <summary>The error kind a dial failure is counted as.</summary>
    public static ErrorKind ErrorOf(EgressError error) => error switch
    {
        EgressError.NameNotResolved => ErrorKind.NameNotResolved,
        EgressError.RefusedAddress => ErrorKind.EgressGuard,
        EgressError.ConnectionRefused or EgressError.Socks5ConnectionRefused => ErrorKind.UpstreamRefused,
        EgressError.Unreachable or EgressError.Socks5NetworkUnreachable or EgressError.Socks5HostUnreachable => ErrorKind.UpstreamUnreachable,
        EgressError.Timeout or EgressError.Socks5TtlExpired => ErrorKind.UpstreamTimeout,
        EgressError.Socks5Unreachable or EgressError.Socks5NoAcceptableMethod or EgressError.Socks5AuthenticationFailed
            or EgressError.Socks5CredentialUnavailable or EgressError.Socks5ProtocolError or EgressError.Socks5GeneralFailure
            or EgressError.Socks5NotAllowed or EgressError.Socks5CommandNotSupported
            or EgressError.Socks5AddressTypeNotSupported => ErrorKind.Socks5,
        EgressError.TooManyConnections => ErrorKind.TooManyConnections,
        EgressError.OutOfSockets => ErrorKind.OutOfSockets,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not a failure"),
    };
}
