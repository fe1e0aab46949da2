using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Security.Tests.Harness;

/// <summary>
/// The gateway's real <see cref="Dialer"/> with two test seams: DNS answers the test scripts
/// (so a name can change its answer between lookups), and a connect step that records every
/// endpoint the gateway tried to reach and refuses any that is not loopback, so a guard bug
/// shows up as a recorded endpoint instead of a packet leaving the machine.
/// </summary>
internal sealed class DialRecorder
{
    private readonly ConcurrentQueue<IPEndPoint> _attempts = new();
    private readonly Func<string, int, IPAddress[]>? _dns;
    private int _lookups;

    /// <param name="dns">Answers by name and lookup number (0-based); null: no name resolves.</param>
    public DialRecorder(Func<string, int, IPAddress[]>? dns = null) => _dns = dns;

    /// <summary>Every endpoint a connect was attempted to, in order.</summary>
    public IReadOnlyList<IPEndPoint> Attempts => [.. _attempts];

    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>Registers the recording dialer in a gateway under test (loopback opened when <paramref name="openLoopback"/>).</summary>
    public Action<IServiceCollection> Install(bool openLoopback = false, IReadOnlyDictionary<string, IPAddress>? hosts = null) => services =>
        services.AddSingleton(new Dialer(
            new ResolveConfig((hosts ?? GatewayUnderTest.TestHosts).ToDictionary().ToFrozenDictionary()),
            new EgressConfig(openLoopback ? [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")] : ImmutableArray<IPNetwork>.Empty),
            TimeSpan.FromSeconds(10),
            resolver: ResolveAsync,
            connect: ConnectAsync));

    private Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
    {
        int lookup = Interlocked.Increment(ref _lookups) - 1;
        IPAddress[]? answer = _dns?.Invoke(host, lookup);
        return answer is { Length: > 0 }
            ? Task.FromResult(answer)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    private ValueTask ConnectAsync(Socket socket, IPEndPoint endPoint, CancellationToken cancellation)
    {
        _attempts.Enqueue(endPoint);
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return IPAddress.IsLoopback(address)
            ? socket.ConnectAsync(endPoint, cancellation)
            : ValueTask.FromException(new SocketException((int)SocketError.NetworkUnreachable));
    }
}
