using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Configuration;
using PolicyCompiler.Kits;

namespace Gateway.Dialing;

internal sealed partial class Dialer
{
    /// <summary>
    /// Dials through the customer's SOCKS5 proxy (reference 004). The policy has already said yes;
    /// the proxy's network is the customer's, so a name is not resolved here but handed to the
    /// proxy (ATYP 3) and the guard applies only to IP literals the sandbox named. Names that are
    /// loopback by definition (RFC 6761 §6.3) are refused unless a <c>localhost</c> rule opened
    /// them, in which case the caller dials them directly (host services are this host's). The
    /// proxy's own address is operator configuration: it is resolved here and never guarded.
    /// </summary>
    private async ValueTask<DialResult> ConnectThroughSocks5Async(
        Socks5Route route, string host, IPAddress? literal, int port, DialPermissions permissions,
        CancellationToken deadline, CancellationToken callerToken, long started)
    {
        if (literal is not null)
        {
            literal = literal.IsIPv4MappedToIPv6 ? literal.MapToIPv4() : literal;
            if (_guard.Check(literal, permissions, out AddressClass refusedClass) != EgressError.None)
            {
                return Refused(new IPEndPoint(literal, port), refusedClass, started);
            }
        }
        else if (IsLocalhostName(host))
        {
            return Refused(new IPEndPoint(IPAddress.Loopback, port), AddressClass.Loopback, started);
        }
        else if (!IsResolvableName(host))
        {
            return Fail(EgressError.NameNotResolved, started);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Socks5Client.BufferSize);
        int authLength = 0;
        Socket? socket = null;
        try
        {
            // Read before connecting: a credential that cannot be read never costs the proxy a connection.
            if (route.CredentialName is not null
                && (route.Credential is null || !Socks5Credential.TryWriteRequest(route.Credential, buffer.AsSpan(Socks5Client.AuthOffset), out authLength)))
            {
                return Socks5Failure(EgressError.Socks5CredentialUnavailable, route, started);
            }

            DialResult proxy = await ConnectToProxyAsync(route.Proxy, deadline, callerToken, started).ConfigureAwait(false);
            if (proxy.Socket is null)
            {
                return Socks5Failure(proxy.Error is EgressError.Timeout or EgressError.OutOfSockets ? proxy.Error : EgressError.Socks5Unreachable, route, started);
            }

            socket = proxy.Socket;
            EgressError error;
            try
            {
                error = await Socks5Client.HandshakeAsync(socket, buffer, authLength, host, literal, port, deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                callerToken.ThrowIfCancellationRequested();
                error = EgressError.Timeout;
            }

            if (error != EgressError.None)
            {
                return Socks5Failure(error, route, started);
            }

            Socket connected = socket;
            socket = null;
            return new DialResult
            {
                Socket = connected,
                RemoteEndPoint = proxy.RemoteEndPoint,
                Socks5Proxy = route.Proxy,
                ConnectTicks = _timeProvider.GetTimestamp() - started,
            };
        }
        finally
        {
            socket?.Dispose();
            CryptographicOperations.ZeroMemory(buffer.AsSpan(Socks5Client.AuthOffset, authLength));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<DialResult> ConnectToProxyAsync(DnsEndPoint proxy, CancellationToken deadline, CancellationToken callerToken, long started)
    {
        IPAddress[] addresses;
        if (TryParseLiteral(proxy.Host) is { } address)
        {
            addresses = [address];
        }
        else
        {
            (IPAddress[]? resolved, EgressError error) = await ResolveAsync(proxy.Host, deadline).ConfigureAwait(false);
            if (resolved is null)
            {
                callerToken.ThrowIfCancellationRequested();
                return Fail(error, started);
            }

            addresses = resolved;
        }

        var endPoints = new List<IPEndPoint>(addresses.Length);
        foreach (IPAddress candidate in addresses)
        {
            if (candidate.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
                && !Contains(endPoints, candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate))
            {
                endPoints.Add(new IPEndPoint(candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate, proxy.Port));
            }
        }

        return endPoints.Count == 0
            ? Fail(EgressError.NameNotResolved, started)
            : await RaceAsync(Interleave(endPoints), deadline, callerToken, started).ConfigureAwait(false);
    }

    /// <summary>
    /// True when a dial of <paramref name="host"/> with these arguments goes through a SOCKS5
    /// proxy: for the audit of requests an L7 path sent over a pooled connection it did not dial.
    /// </summary>
    public bool RoutesThroughSocks5(string host, DialPermissions permissions, KitProxy? kitProxy) =>
        (kitProxy is not null || _socks5 is not null)
        && !(permissions.LocalhostRule && string.Equals(host, Localhost, StringComparison.Ordinal));

    private Socks5Route RouteOf(KitProxy proxy) => RouteOf(new DnsEndPoint(proxy.Host, proxy.Port), proxy.CredentialRef);

    // A name with no username/password source behind it stays in the route, so the dial fails closed.
    private Socks5Route RouteOf(DnsEndPoint proxy, string? credentialName)
    {
        CredentialSourceConfig? credential = credentialName is not null
            && _credentials?.Sources.GetValueOrDefault(credentialName) is { IsUsernamePassword: true } source
            ? source
            : null;
        return new Socks5Route(proxy, credential, credentialName);
    }

    // "localhost" and every name under it are loopback (RFC 6761 §6.3), whatever the proxy's
    // resolver says: on a proxy running on this host they would reach the gateway's own ports.
    private static bool IsLocalhostName(string host) =>
        string.Equals(host, Localhost, StringComparison.Ordinal)
        || host.EndsWith(".localhost", StringComparison.Ordinal)
        || host.EndsWith(".localhost.", StringComparison.Ordinal);

    private DialResult Refused(IPEndPoint endPoint, AddressClass addressClass, long started) => new()
    {
        Error = EgressError.RefusedAddress,
        RemoteEndPoint = endPoint,
        RefusedClass = addressClass,
        ConnectTicks = _timeProvider.GetTimestamp() - started,
    };

    private DialResult Socks5Failure(EgressError error, Socks5Route route, long started) =>
        new() { Error = error, Socks5Proxy = route.Proxy, ConnectTicks = _timeProvider.GetTimestamp() - started };
}
