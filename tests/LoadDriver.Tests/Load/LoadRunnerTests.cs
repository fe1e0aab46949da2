using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadDriver.Load;
using LoadDriver.Origin;

namespace LoadDriver.Tests.Load;

/// <summary>The driver against the real origin on loopback (and against servers that answer wrongly).</summary>
public sealed class LoadRunnerTests : IAsyncLifetime, IDisposable
{
    private readonly string _certs = Directory.CreateTempSubdirectory("loaddriver-tests").FullName;
    private OriginServer? _origin;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _ca;

    public Task InitializeAsync()
    {
        (var leaf, _ca) = OriginCertificates.Create(_certs);
        _origin = OriginServer.Start(0, 0, 0, leaf, _ca);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _origin!.DisposeAsync();

    public void Dispose()
    {
        _ca?.Dispose();
        Directory.Delete(_certs, recursive: true);
    }

    [Fact]
    public async Task ClosedLoop_ThroughKeepAlive_CountsVerifiedRequests()
    {
        RunResult result = await LoadRunner.ClosedLoopAsync(Spec(Direct(_origin!.HttpPort), tunnelPerRequest: false), 4, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300));
        Assert.True(result.Ok > 0);
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(result.Ok, result.Latency.Count);
    }

    [Fact]
    public async Task ClosedLoop_OverTls_WithANewConnectionEachTime_Verifies()
    {
        var route = new Route(RouteKind.Direct, Loopback(_origin!.TlsPort), _origin.TlsPort, _ca);
        RunResult result = await LoadRunner.ClosedLoopAsync(Spec(route, tunnelPerRequest: true), 2, TimeSpan.Zero, TimeSpan.FromMilliseconds(300));
        Assert.True(result.Ok > 0, result.FirstError);
        Assert.Equal(0, result.ErrorCount);
    }

    [Fact]
    public async Task Tls_AgainstAnotherRoot_IsAnError()
    {
        string other = Directory.CreateTempSubdirectory("loaddriver-other").FullName;
        try
        {
            (var leaf, var otherCa) = OriginCertificates.Create(other);
            leaf.Dispose();
            var route = new Route(RouteKind.Direct, Loopback(_origin!.TlsPort), _origin.TlsPort, otherCa);
            RunResult result = await LoadRunner.ClosedLoopAsync(Spec(route, tunnelPerRequest: true), 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
            Assert.Equal(0, result.Ok);
            Assert.True(result.Errors.ContainsKey("tls"), string.Join(",", result.Errors.Keys));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public async Task OpenLoop_SendsExactlyTheScheduledRequests()
    {
        RunResult result = await LoadRunner.OpenLoopAsync(Spec(Direct(_origin!.HttpPort), tunnelPerRequest: true), 200, 8, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(100, result.Ok);
        Assert.Equal(100, result.Latency.Count);
    }

    [Fact]
    public async Task Counted_RunsExactlyTheRequestsAsked_AcrossWorkers()
    {
        RunResult result = await LoadRunner.CountedAsync(Spec(Direct(_origin!.HttpPort), tunnelPerRequest: false), 4, 1001, TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(1001, result.Ok);
        Assert.Equal(1001, result.Latency.Count);
    }

    [Fact]
    public async Task Counted_PastItsDeadline_LeavesTheRestUnsent()
    {
        RunResult result = await LoadRunner.CountedAsync(Spec(Direct(_origin!.HttpPort), tunnelPerRequest: false), 2, long.MaxValue, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, result.ErrorCount);
        Assert.InRange(result.Ok, 1, long.MaxValue - 1);
    }

    [Fact]
    public async Task WrongBody_CountsAsAnError_NotASuccess()
    {
        // Answers every request with a body of the right length and the wrong bytes.
        byte[] wrong = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 128\r\n\r\n" + new string('x', 128));
        await using var server = await CannedServer.StartAsync(wrong);
        RunResult result = await LoadRunner.ClosedLoopAsync(Spec(Direct(server.Port), tunnelPerRequest: true), 2, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, result.Ok);
        Assert.True(result.Errors.GetValueOrDefault("verify-BadBody") > 0, string.Join(",", result.Errors.Keys));
    }

    [Fact]
    public async Task ProxyRefusingConnect_IsAProxyError()
    {
        await using var proxy = await CannedServer.StartAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        var route = new Route(RouteKind.HttpConnect, Loopback(proxy.Port), _origin!.HttpPort);
        RunResult result = await LoadRunner.ClosedLoopAsync(Spec(route, tunnelPerRequest: true), 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, result.Ok);
        Assert.True(result.Errors.GetValueOrDefault("proxy") > 0, string.Join(",", result.Errors.Keys));
    }

    [Fact]
    public async Task Bulk_CountsBytesInTheWindow()
    {
        RunResult result = await BulkRunner.RunAsync(Direct(_origin!.BulkPort), "127.0.0.1", 2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(2, result.Ok);
        Assert.True(result.Bytes > 1_000_000, result.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task IdleTunnels_StayOpenUntilDisposed()
    {
        await using IdleTunnels tunnels = await IdleTunnels.OpenAsync(Spec(Direct(_origin!.HttpPort), tunnelPerRequest: false), 50, 8, TimeSpan.FromSeconds(30));
        Assert.Equal(50, tunnels.Count);
        Assert.Equal(0, tunnels.Failures.ErrorCount);
    }

    [Fact]
    public async Task ARouteWithASource_LeavesFromThatAddress()
    {
        // One address per sandbox (perf/budgets.sh): the origin must see 127.0.0.9, not the spread 127.0.1.x.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var route = new Route(RouteKind.Direct, Loopback(((IPEndPoint)listener.LocalEndPoint!).Port), 0) { Source = IPAddress.Parse("127.0.0.9") };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task<Socket> accepted = listener.AcceptAsync(cancel.Token).AsTask();

        await using Stream stream = await TunnelDialer.OpenAsync(route, "origin.example.test", cancel.Token);
        using Socket server = await accepted.WaitAsync(cancel.Token);

        Assert.Equal(IPAddress.Parse("127.0.0.9"), ((IPEndPoint)server.RemoteEndPoint!).Address);
    }

    private static LoadSpec Spec(Route route, bool tunnelPerRequest) =>
        new(route, HostSet.Single("origin.example.test"), tunnelPerRequest, 128, null, TimeSpan.FromSeconds(5));

    private static Route Direct(int port) => new(RouteKind.Direct, Loopback(port), port);

    private static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    /// <summary>A server that answers every request head with the same bytes, then closes.</summary>
    private sealed class CannedServer : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly Task _loop;

        private CannedServer(Socket listener, byte[] answer)
        {
            _listener = listener;
            _loop = LoopAsync(answer);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public static Task<CannedServer> StartAsync(byte[] answer)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(64);
            return Task.FromResult(new CannedServer(listener, answer));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _loop;
        }

        private async Task LoopAsync(byte[] answer)
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = AnswerAsync(client, answer);
            }
        }

        private static async Task AnswerAsync(Socket client, byte[] answer)
        {
            using (client)
            {
                var buffer = new byte[4096];
                int length = 0;
                try
                {
                    while (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0 && length < buffer.Length)
                    {
                        int read = await client.ReceiveAsync(buffer.AsMemory(length));
                        if (read == 0)
                        {
                            return;
                        }

                        length += read;
                    }

                    await client.SendAsync(answer);
                    client.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                    // The driver gave up first.
                }
            }
        }
    }
}
