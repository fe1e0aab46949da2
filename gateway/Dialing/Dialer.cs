using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Configuration;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;

namespace Gateway.Dialing;

/// <summary>
/// The one place that turns a decided name into a connected socket: resolve (IP literal,
/// <c>resolve.hosts</c>, <c>localhost</c>, DNS), pass every address through the
/// <see cref="EgressGuard"/>, then race the survivors (RFC 8305, Happy Eyeballs v2, lite) —
/// or, with <c>upstream.socks5</c> or a kit's <c>network.proxy</c>, hand the name to the
/// customer's SOCKS5 proxy (<c>Dialer.Socks5.cs</c>).
/// The addresses checked are the addresses dialled: nothing is resolved twice, so a DNS
/// answer that changes between check and connect (rebinding) cannot slip through.
/// Expected failures are <see cref="EgressError"/> values, never exceptions.
/// </summary>
internal sealed partial class Dialer
{
    /// <summary>The name that always means this host (RFC 6761 §6.3) and is never sent to DNS.</summary>
    public const string Localhost = "localhost";

    private readonly ResolveConfig _resolve;
    private readonly EgressGuard _guard;
    private readonly TimeSpan _connectTimeout;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolver;
    private readonly Func<Socket, IPEndPoint, CancellationToken, ValueTask> _connect;
    private readonly TimeProvider _timeProvider;
    private readonly Socks5Route? _socks5;
    private readonly CredentialsConfig? _credentials;

    /// <summary>Creates a dialer.</summary>
    /// <param name="resolve">Static answers consulted before DNS.</param>
    /// <param name="egress">Ranges opened beyond public addresses.</param>
    /// <param name="connectTimeout"><c>limits.connectTimeout</c>: resolution and connect together.</param>
    /// <param name="resolver">Name to addresses; <see cref="System.Net.Dns.GetHostAddressesAsync(string, CancellationToken)"/> by default. Tests simulate DNS with it.</param>
    /// <param name="connect">Connects a fresh socket; <see cref="Socket.ConnectAsync(EndPoint, CancellationToken)"/> by default. Tests simulate slow networks with it.</param>
    /// <param name="timeProvider">Clock for the connect timeout and the attempt delay.</param>
    /// <param name="upstream"><c>upstream</c>: the SOCKS5 proxy every dial goes through, if any.</param>
    /// <param name="credentials"><c>credentials.sources</c>, where SOCKS5 usernames and passwords are read from.</param>
    public Dialer(
        ResolveConfig resolve,
        EgressConfig egress,
        TimeSpan connectTimeout,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask>? connect = null,
        TimeProvider? timeProvider = null,
        UpstreamConfig? upstream = null,
        CredentialsConfig? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectTimeout, TimeSpan.Zero);
        _resolve = resolve;
        _guard = new EgressGuard(egress);
        _connectTimeout = connectTimeout;
        _resolver = resolver ?? System.Net.Dns.GetHostAddressesAsync;
        _connect = connect ?? (static (socket, endPoint, cancellationToken) => socket.ConnectAsync(endPoint, cancellationToken));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _credentials = credentials;
        _socks5 = upstream?.Socks5 is { } proxy ? RouteOf(proxy, upstream.Socks5Credential) : null;
    }

    /// <summary>The guard every resolved address goes through.</summary>
    public EgressGuard Guard => _guard;

    /// <summary>
    /// True for an endpoint that is the gateway itself; such an endpoint is never dialled, whatever
    /// is open (set by the host once its listeners are known; tests may leave it unset).
    /// </summary>
    public Func<IPEndPoint, bool>? IsGatewayEndPoint { get; set; }

    /// <summary>
    /// Resolves <paramref name="host"/> and connects to one of its permitted addresses within
    /// <c>limits.connectTimeout</c> — or, with <c>upstream.socks5</c> set, completes a SOCKS5
    /// CONNECT for it through the proxy within the same time (<see cref="DialResult.Socks5Proxy"/>
    /// then names the proxy). Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> (the client went away) is cancelled.
    /// </summary>
    /// <param name="host">A canonical host name or IP literal (brackets optional), as decided.</param>
    /// <param name="port">1-65535.</param>
    /// <param name="permissions">What the deciding rule opens (<see cref="DialPermissions.FromDecision"/>).</param>
    /// <param name="cancellationToken">Cancelled when the caller no longer wants the connection.</param>
    public ValueTask<DialResult> ConnectAsync(string host, int port, DialPermissions permissions, CancellationToken cancellationToken) =>
        ConnectAsync(host, port, permissions, kitProxy: null, cancellationToken);

    /// <summary>
    /// As <see cref="ConnectAsync(string, int, DialPermissions, CancellationToken)"/>, for a sandbox
    /// whose kit routes through its own SOCKS5 proxy: <paramref name="kitProxy"/> (from
    /// <see cref="PolicySnapshot.ProxyFor"/> over the sandbox's kits) overrides <c>upstream.socks5</c>.
    /// </summary>
    /// <param name="host">A canonical host name or IP literal (brackets optional), as decided.</param>
    /// <param name="port">1-65535.</param>
    /// <param name="permissions">What the deciding rule opens (<see cref="DialPermissions.FromDecision"/>).</param>
    /// <param name="kitProxy">The sandbox's kit proxy, or null for the gateway's own route.</param>
    /// <param name="cancellationToken">Cancelled when the caller no longer wants the connection.</param>
    public async ValueTask<DialResult> ConnectAsync(
        string host, int port, DialPermissions permissions, KitProxy? kitProxy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        long started = _timeProvider.GetTimestamp();

        using var deadline = new CancellationTokenSource(_connectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        IPAddress? literal = TryParseLiteral(host);

        // A permission belongs to the host it was decided for: an IP rule can only ever open
        // the literal it matched, a localhost rule only the name localhost.
        permissions = new DialPermissions(
            literal is null ? null : permissions.ExactAddressRule,
            literal is null && permissions.LocalhostRule && string.Equals(host, Localhost, StringComparison.Ordinal));

        Socks5Route? route = kitProxy is null ? _socks5 : RouteOf(kitProxy);
        if (route is not null && !permissions.LocalhostRule)
        {
            return await ConnectThroughSocks5Async(route, host, literal, port, permissions, linked.Token, cancellationToken, started).ConfigureAwait(false);
        }

        IPAddress[] addresses;
        if (literal is not null)
        {
            addresses = [literal];
        }
        else
        {
            (IPAddress[]? resolved, EgressError resolveError) = await ResolveAsync(host, linked.Token).ConfigureAwait(false);
            if (resolved is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return Fail(resolveError, started);
            }

            addresses = resolved;
        }

        List<IPEndPoint> endPoints = Admit(addresses, port, permissions, out IPEndPoint? refused, out AddressClass refusedClass);
        if (endPoints.Count == 0)
        {
            return refused is null
                ? Fail(EgressError.NameNotResolved, started)
                : new DialResult
                {
                    Error = EgressError.RefusedAddress,
                    RemoteEndPoint = refused,
                    RefusedClass = refusedClass,
                    ConnectTicks = _timeProvider.GetTimestamp() - started,
                };
        }

        return endPoints.Count == 1
            ? await ConnectOneAsync(endPoints[0], linked.Token, cancellationToken, started).ConfigureAwait(false)
            : await RaceAsync(Interleave(endPoints), linked.Token, cancellationToken, started).ConfigureAwait(false);
    }

    private async ValueTask<(IPAddress[]? Addresses, EgressError Error)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (_resolve.Hosts.TryGetValue(host, out IPAddress? pinned))
        {
            return ([pinned], EgressError.None);
        }

        if (string.Equals(host, Localhost, StringComparison.Ordinal))
        {
            return ([IPAddress.Loopback, IPAddress.IPv6Loopback], EgressError.None);
        }

        if (!IsResolvableName(host))
        {
            return (null, EgressError.NameNotResolved);
        }

        try
        {
            // WaitAsync bounds a resolver that ignores its token (getaddrinfo is not always cancellable).
            IPAddress[] addresses = await _resolver(host, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return addresses is { Length: > 0 } ? (addresses, EgressError.None) : (null, EgressError.NameNotResolved);
        }
        catch (SocketException)
        {
            return (null, EgressError.NameNotResolved);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, EgressError.Timeout);
        }
        catch (ArgumentException)
        {
            return (null, EgressError.NameNotResolved);
        }
    }

    /// <summary>
    /// Guards every address; keeps the admitted ones (IPv4-mapped folded to IPv4, duplicates
    /// dropped) and reports the first refused one.
    /// </summary>
    private List<IPEndPoint> Admit(
        IPAddress[] addresses, int port, DialPermissions permissions, out IPEndPoint? refused, out AddressClass refusedClass)
    {
        var admitted = new List<IPEndPoint>(addresses.Length);
        refused = null;
        refusedClass = AddressClass.Public;
        foreach (IPAddress? candidate in addresses)
        {
            if (candidate is null
                || candidate.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                continue;
            }

            IPAddress address = candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate;
            EgressError verdict = _guard.Check(address, permissions, out AddressClass addressClass);
            if (verdict == EgressError.None && IsGatewayEndPoint is { } isGateway && isGateway(new IPEndPoint(address, port)))
            {
                verdict = EgressError.RefusedAddress;
                addressClass = AddressClass.Gateway;
            }

            if (verdict != EgressError.None)
            {
                if (refused is null)
                {
                    refused = new IPEndPoint(address, port);
                    refusedClass = addressClass;
                }

                continue;
            }

            if (!Contains(admitted, address))
            {
                admitted.Add(new IPEndPoint(address, port));
            }
        }

        return admitted;
    }

    /// <summary>
    /// RFC 8305 §4: alternate address families, starting with the family of the resolver's
    /// first answer, so one broken family costs one attempt delay, not a whole timeout.
    /// </summary>
    private static List<IPEndPoint> Interleave(List<IPEndPoint> endPoints)
    {
        AddressFamily first = endPoints[0].AddressFamily;
        var ordered = new List<IPEndPoint>(endPoints.Count);
        int nextPreferred = 0;
        int nextOther = 0;
        while (ordered.Count < endPoints.Count)
        {
            if (TryTakeNext(endPoints, ref nextPreferred, first, sameFamily: true, out IPEndPoint? preferred))
            {
                ordered.Add(preferred);
            }

            if (TryTakeNext(endPoints, ref nextOther, first, sameFamily: false, out IPEndPoint? other))
            {
                ordered.Add(other);
            }
        }

        return ordered;
    }

    private static bool TryTakeNext(
        List<IPEndPoint> endPoints, ref int index, AddressFamily family, bool sameFamily, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        while (index < endPoints.Count)
        {
            endPoint = endPoints[index++];
            if ((endPoint.AddressFamily == family) == sameFamily)
            {
                return true;
            }
        }

        endPoint = null;
        return false;
    }

    private static bool Contains(List<IPEndPoint> endPoints, IPAddress address)
    {
        foreach (IPEndPoint endPoint in endPoints)
        {
            if (endPoint.Address.Equals(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A strict IP literal (dotted quad, RFC 4291 text, optionally in brackets) or null.
    /// Strict on purpose: "127.1" is no literal here and is not handed to DNS either.
    /// </summary>
    internal static IPAddress? TryParseLiteral(string host)
    {
        ReadOnlySpan<char> text = host.AsSpan();
        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        Span<byte> bytes = stackalloc byte[64];
        if (text.Length > bytes.Length || !Ascii.IsValid(text))
        {
            return null;
        }

        int length = Encoding.ASCII.GetBytes(text, bytes);
        ReadOnlySpan<byte> ascii = bytes[..length];
        if (IpLiteral.TryParseIPv4(ascii, out uint v4))
        {
            return DialPermissions.ToIPAddress(IpLiteral.MapIPv4(v4));
        }

        return IpLiteral.TryParseIPv6(ascii, out UInt128 v6) ? DialPermissions.ToIPAddress(v6) : null;
    }

    /// <summary>
    /// False for text DNS must not see: getaddrinfo reads "127.1", "0x7f.1" or "2130706433"
    /// as IPv4 (inet_aton), and no top-level domain starts with a digit, so a last label that
    /// does is an address in disguise. Colons are IPv6 that failed strict parsing.
    /// </summary>
    private static bool IsResolvableName(string host)
    {
        ReadOnlySpan<char> name = host.AsSpan().TrimEnd('.');
        if (name.ContainsAny(':', '['))
        {
            return false;
        }

        ReadOnlySpan<char> last = name[(name.LastIndexOf('.') + 1)..];
        return !last.IsEmpty && !char.IsAsciiDigit(last[0]);
    }

    private DialResult Fail(EgressError error, long started) =>
        new() { Error = error, ConnectTicks = _timeProvider.GetTimestamp() - started };
}
