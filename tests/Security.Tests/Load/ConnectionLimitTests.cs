using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// The limits one sandbox could step around: the transparent HTTP listener counts against
/// <c>limits.maxConnections</c> like the others, one source cannot hold every DNS-over-TCP slot,
/// and an intercepted connection that never sends a request is closed after
/// <c>limits.headerTimeout</c>, not <c>limits.idleTimeout</c>.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class ConnectionLimitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TransparentHttpListener_CountsAgainstMaxConnections_AndAnswers503Beyond()
    {
        const int limit = 6;
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Listen = config.Listen with { TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) },
                Limits = config.Limits with { MaxConnections = limit, HeaderTimeout = TimeSpan.FromSeconds(30) },
            });
        int port = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        ConnectionGate gate = gateway.Services.GetRequiredService<ConnectionGate>();
        var held = new List<Socket>();
        try
        {
            // Idle connections: each waits in the probe for its first bytes, holding a slot.
            for (int i = 0; i < limit; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(s_wait);
            }

            Assert.Equal(limit, await Http2RapidResetTests.WaitForOpenAsync(gate, limit, s_wait));
            byte[] refused = await Survival.ExchangeAsync(port, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n"));
            string answer = Encoding.ASCII.GetString(refused);
            string metrics = await new HttpClient().GetStringAsync(gateway.MetricsUrl + "/metrics").WaitAsync(s_wait);
            output.WriteLine($"held {limit} of {limit}; next: {answer.Split("\r\n")[0]}");
            Assert.StartsWith("HTTP/1.1 503 ", answer, StringComparison.Ordinal);
            Assert.Contains($"gateway_connections_active {limit}", metrics, StringComparison.Ordinal);
        }
        finally
        {
            foreach (Socket socket in held)
            {
                socket.Dispose();
            }
        }

        Assert.Equal(0, await Http2RapidResetTests.WaitForOpenAsync(gate, 0, s_wait));
    }

    [Fact]
    public async Task OneSource_CannotHoldEveryDnsTcpSlot_AnotherSourceIsStillAnswered()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with
            {
                Listen = config.Listen with { Dns = new IPEndPoint(IPAddress.Loopback, 0) },
                Limits = config.Limits with { HeaderTimeout = TimeSpan.FromSeconds(30) },
            });
        int port = gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
        var flooder = IPAddress.Parse("127.0.0.2");
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < DnsTcpSlots.Total; i++)
            {
                held.Add(await ConnectFromAsync(flooder, port));
            }

            // The flooder's connections past its share are closed on accept: its share still answers.
            int served = 0;
            foreach (Socket socket in held)
            {
                served += await TryQueryAsync(socket) ? 1 : 0;
            }

            using Socket other = await ConnectFromAsync(IPAddress.Parse("127.0.0.3"), port);
            bool otherAnswered = await TryQueryAsync(other);
            output.WriteLine($"one source opened {held.Count} DNS-over-TCP connections, {served} were served; another source answered: {otherAnswered}");
            Assert.Equal(DnsTcpSlots.PerSource, served);
            Assert.True(otherAnswered);
        }
        finally
        {
            foreach (Socket socket in held)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task InterceptedConnection_ThatNeverSendsARequest_IsClosedAtTheHeaderTimeout()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "idle-secret",
            configure: c => c with { Limits = c.Limits with { HeaderTimeout = TimeSpan.FromSeconds(2), IdleTimeout = TimeSpan.FromMinutes(10) } });
        ConnectionGate gate = env.Gateway.Services.GetRequiredService<ConnectionGate>();
        foreach (SslApplicationProtocol alpn in new[] { SslApplicationProtocol.Http11, SslApplicationProtocol.Http2 })
        {
            using RawClient client = await RawClient.ConnectAsync(env.Gateway.Port);
            await client.SendAsync($"CONNECT api.example.test:{env.Upstream.Port} HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
            (int status, string head, _) = await client.ReadResponseAsync();
            Assert.True(status == 200, head);
            using X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(env.GatewayCaPath);
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.Add(ca);
            await using var tls = new SslStream(new NetworkStream(client.Socket, ownsSocket: false));
            using var bound = new CancellationTokenSource(s_wait);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = "api.example.test", CertificateChainPolicy = trust, ApplicationProtocols = [alpn] },
                bound.Token);

            // Nothing sent: the gateway closes well before the 10-minute idle timeout (the wait is bounded at 60 s).
            int read;
            try
            {
                read = await tls.ReadAsync(new byte[16], bound.Token);
            }
            catch (IOException)
            {
                read = 0;
            }

            output.WriteLine($"{alpn}: closed without a request (read {read})");
            Assert.Equal(0, read);
        }

        Assert.Equal(0, await Http2RapidResetTests.WaitForOpenAsync(gate, 0, s_wait));
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(s_wait);
        return socket;
    }

    // One A query over TCP (RFC 1035 §4.2.2); false when the server closed the connection instead.
    private static async Task<bool> TryQueryAsync(Socket socket)
    {
        byte[] query = DnsTestMessages.Query("api.example.test");
        byte[] framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await socket.SendAsync(framed, SocketFlags.None, bound.Token);
            byte[] length = new byte[2];
            return await socket.ReceiveAsync(length, SocketFlags.None, bound.Token) > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
