using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Audit;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 item 6: the audit figures are what crossed the gateway. Bytes are the bytes relayed
/// (a chunked upload or download has no Content-Length to copy; an upload cut short is not its
/// declared length), and <c>injected</c> and <c>gateway_injections_total</c> count a credential
/// only when a request carrying it went out (a refused dial or a failed upstream handshake sends
/// nothing). Real curl, real sockets, the gateway's own audit stream.
/// </summary>
public sealed class AuditFigureAttackTests(AuditFigureAttackTests.Fixture fixture) : IClassFixture<AuditFigureAttackTests.Fixture>
{
    private const string Secret = "audit-figures-secret-0d4a";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task ChunkedUpload_IsAuditedWithTheBytesRelayed(string version)
    {
        const int Size = 3 * 1024 * 1024;
        string file = Path.Combine(Path.GetTempPath(), "gw-upload-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, new byte[Size]);
        try
        {
            using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
            // "Transfer-Encoding: chunked" makes curl send no Content-Length: chunked under HTTP/1.1, bare DATA frames under HTTP/2.
            (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync(
                "api.example.test", "/sink", "-sS", version, "--data-binary", "@" + file, "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream");

            Assert.True(exit == 0, stderr);
            Assert.Equal("read " + Size.ToString(CultureInfo.InvariantCulture), stdout);
            AuditEvent e = await NextAsync(audit, "api.example.test");
            Assert.Equal((200, Size, "svc"), (e.Status, e.BytesIn, e.Injected));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task ChunkedDownload_IsAuditedWithTheBytesRelayed(string version)
    {
        const int Size = 1_000_000;
        using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("api.example.test", "/chunked/" + Size.ToString(CultureInfo.InvariantCulture), "-sS", version, "-o", "/dev/null", "-w", "%{size_download}");

        Assert.True(exit == 0, stderr);
        Assert.Equal(Size.ToString(CultureInfo.InvariantCulture), stdout);
        AuditEvent e = await NextAsync(audit, "api.example.test");
        Assert.Equal((200, Size, "svc"), (e.Status, e.BytesOut, e.Injected));
    }

    [Fact]
    public async Task RefusedDial_IsAuditedWithNoInjection_AndNotCounted()
    {
        int closed = ClosedPort();
        double before = await InjectionsAsync();
        using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "--cacert", fixture.Env.GatewayCaPath, "-x", fixture.Env.Gateway.ProxyUrl, "--suppress-connect-headers", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
            $"https://api.example.test:{closed}/never");

        Assert.True(exit == 0, stderr);
        Assert.Equal("502", stdout);
        AuditEvent e = await NextAsync(audit, "api.example.test");
        Assert.Equal((502, (string?)null), (e.Status, e.Injected));
        Assert.Equal(before, await InjectionsAsync());
    }

    [Fact]
    public async Task FailedUpstreamHandshake_IsAuditedWithNoInjection_AndNotCounted()
    {
        using var garbage = new TcpListener(IPAddress.Loopback, 0);
        garbage.Start();
        int port = ((IPEndPoint)garbage.LocalEndpoint).Port;
        Task serving = ServeGarbageAsync(garbage);
        double before = await InjectionsAsync();
        using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "--cacert", fixture.Env.GatewayCaPath, "-x", fixture.Env.Gateway.ProxyUrl, "--suppress-connect-headers", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
            $"https://api.example.test:{port}/never");
        garbage.Stop();
        await serving.WaitAsync(s_wait);

        Assert.True(exit == 0, stderr);
        Assert.Equal("502", stdout);
        AuditEvent e = await NextAsync(audit, "api.example.test");
        Assert.Equal((502, (string?)null), (e.Status, e.Injected));
        Assert.Equal(before, await InjectionsAsync());
    }

    [Fact]
    public async Task ClientGoneWhileTheUpstreamHandshakeHangs_IsAuditedWithNoInjection_AndNotCounted()
    {
        // An upstream that accepts and never answers the ClientHello: the request waits for its
        // connection until the client gives up (curl's own timeout), so nothing was ever written.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        double before = await InjectionsAsync();
        using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        (int exit, _, _) = await Curl.RunAsync(
            "--cacert", fixture.Env.GatewayCaPath, "-x", fixture.Env.Gateway.ProxyUrl, "--suppress-connect-headers", "-sS", "-o", "/dev/null", "--max-time", "3",
            $"https://api.example.test:{port}/never");
        AuditEvent e = await NextAsync(audit, "api.example.test");
        silent.Stop();

        Assert.Equal(28, exit); // curl: operation timed out
        Assert.Null(e.Injected);
        Assert.Equal(before, await InjectionsAsync());
    }

    [Fact]
    public async Task AnsweredRequest_IsAuditedAsInjected_AndCounted()
    {
        double before = await InjectionsAsync();
        using AuditSubscription audit = fixture.Env.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        (int exit, _, string stderr) = await fixture.Env.CurlAsync("api.example.test", "/counted", "-sS", "-o", "/dev/null");

        Assert.True(exit == 0, stderr);
        AuditEvent e = await NextAsync(audit, "api.example.test");
        Assert.Equal((200, "svc"), (e.Status, e.Injected));
        Assert.Equal(before + 1, await InjectionsAsync());
    }

    [Fact]
    public async Task AbsoluteForm_ChunkedUploadAndDownload_AreAuditedWithTheBytesRelayed()
    {
        const int Size = 3 * 1024 * 1024;
        using AuditSubscription audit = fixture.Plain.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        using RawClient client = await RawClient.ConnectAsync(fixture.Plain.Gateway.Port);
        string url = $"http://api.example.test:{fixture.Plain.Upstream.HttpPort}";
        await client.SendAsync($"POST {url}/sink HTTP/1.1\r\nHost: api.example.test:{fixture.Plain.Upstream.HttpPort}\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] chunk = new byte[64 * 1024];
        for (int sent = 0; sent < Size; sent += chunk.Length)
        {
            await client.Socket.SendAsync(Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            await client.Socket.SendAsync(chunk);
            await client.Socket.SendAsync("\r\n"u8.ToArray());
        }

        await client.SendAsync("0\r\n\r\n");
        (int status, string head, string body) = await client.ReadResponseAsync();
        Assert.True(status == 200, head);
        AuditEvent upload = await NextAsync(audit, "api.example.test");
        (int exit, string stdout, string stderr) = await Curl.RunAsync("-x", fixture.Plain.Gateway.ProxyUrl, "-sS", "-o", "/dev/null", "-w", "%{size_download}", $"{url}/chunked/1000000");
        AuditEvent download = await NextAsync(audit, "api.example.test");

        Assert.Contains("read " + Size.ToString(CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        Assert.Equal(Size, upload.BytesIn);
        Assert.True(exit == 0, stderr);
        Assert.Equal("1000000", stdout);
        Assert.Equal(1_000_000, download.BytesOut);
    }

    [Fact]
    public async Task AbsoluteForm_UploadCutShort_IsAuditedWithWhatArrived_NotTheDeclaredLength()
    {
        // Under Kestrel's 30 MB request body limit, which the absolute-form path keeps (a larger
        // declared length is refused before a byte is read, and then 0 is the right figure).
        const long Declared = 25L * 1024 * 1024;
        const int Sent = 5 * 1024 * 1024;
        using AuditSubscription audit = fixture.Plain.Gateway.Services.GetRequiredService<AuditWriter>().Subscribe();
        using (RawClient client = await RawClient.ConnectAsync(fixture.Plain.Gateway.Port))
        {
            await client.SendAsync($"POST http://api.example.test:{fixture.Plain.Upstream.HttpPort}/sink HTTP/1.1\r\nHost: api.example.test:{fixture.Plain.Upstream.HttpPort}\r\nContent-Length: {Declared}\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            try
            {
                for (int sent = 0; sent < Sent; sent += chunk.Length)
                {
                    await client.Socket.SendAsync(chunk);
                }
            }
            catch (SocketException)
            {
                // The gateway may give up on the upload first: what it read is still the figure.
            }

            client.Socket.Close(0);
        }

        AuditEvent e = await NextAsync(audit, "api.example.test");

        Assert.InRange(e.BytesIn, 1, Sent);
    }

    private static async Task<AuditEvent> NextAsync(AuditSubscription audit, string host)
    {
        using var cts = new CancellationTokenSource(s_wait);
        while (true)
        {
            AuditEvent e = await audit.Events.ReadAsync(cts.Token);
            if (e.Host == host)
            {
                return e;
            }
        }
    }

    private async Task<double> InjectionsAsync()
    {
        using var http = new HttpClient { Timeout = s_wait };
        string text = await http.GetStringAsync(fixture.Env.Gateway.MetricsUrl + "/metrics");
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("gateway_injections_total{source=\"service_auth\"}", StringComparison.Ordinal))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    // Accepts one connection and answers its ClientHello with bytes that are no TLS record.
    private static async Task ServeGarbageAsync(TcpListener listener)
    {
        try
        {
            using Socket socket = await listener.AcceptSocketAsync().WaitAsync(s_wait);
            byte[] buffer = new byte[4096];
            await socket.ReceiveAsync(buffer).WaitAsync(s_wait);
            await socket.SendAsync("HTTP/1.1 400 Not TLS\r\n\r\n"u8.ToArray());
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
        {
        }
    }

    /// <summary>An interception gateway binding <see cref="Secret"/> to api.example.test, and a plain gateway for absolute-form requests.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal InterceptedGateway Env { get; private set; } = null!;

        internal PlainGateway Plain { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Env = await InterceptedGateway.StartAsync(Secret);
            TestUpstream upstream = await TestUpstream.StartAsync();
            GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
            Plain = new PlainGateway(gateway, upstream);
        }

        public async Task DisposeAsync()
        {
            await Env.DisposeAsync();
            await Plain.Gateway.DisposeAsync();
            await Plain.Upstream.DisposeAsync();
        }
    }

    /// <summary>A gateway without interception and its plain upstream.</summary>
    internal sealed record PlainGateway(GatewayUnderTest Gateway, TestUpstream Upstream);
}
