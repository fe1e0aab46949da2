using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Tests.Listeners;

public sealed class ConnectTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync(
        [
            ["policy", "set-default", "deny-all"],
            ["policy", "allow", "network", "api.example.test"],
        ]);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Connect_ToAnAllowedTlsUpstream_RelaysTheResponse()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
    }

    [Fact]
    public async Task Connect_ToABlockedHost_Gets403WithTheRuleAndTheFix()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        await client.SendAsync($"CONNECT other.example.test:{_upstream.HttpsPort} HTTP/1.1\r\nHost: other.example.test:{_upstream.HttpsPort}\r\n\r\n");

        (int status, string head, string body) = await client.ReadResponseAsync();

        Assert.Equal(403, status);
        Assert.Contains("X-Gateway-Decision: blocked", head, StringComparison.Ordinal);
        Assert.Contains($"other.example.test:{_upstream.HttpsPort}", body, StringComparison.Ordinal);
        Assert.Contains("Rule: no-match (source: default)", body, StringComparison.Ordinal);
        Assert.Contains("gateway policy allow network other.example.test", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_BlockedThroughCurl_FailsTheTunnelWith403()
    {
        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://other.example.test:{_upstream.HttpsPort}/");

        Assert.Equal(56, exit); // CURLE_RECV_ERROR: the proxy refused the tunnel
        Assert.Contains("403", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_HeadSplitByteByByte_StillOpensTheTunnel()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        foreach (char c in $"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\nHost: api.example.test:{_upstream.HttpPort}\r\n\r\n")
        {
            await client.SendAsync(c.ToString());
        }

        (int status, _, _) = await client.ReadResponseAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n");
        (int inner, _, string body) = await client.ReadResponseAsync();

        Assert.Equal(200, status);
        Assert.Equal(200, inner);
        Assert.Equal("hello from api.example.test", body);
    }

    [Fact]
    public async Task Connect_BytesSentWithTheHead_AreRelayedToo()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        await client.SendAsync(
            $"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\nHost: api.example.test:{_upstream.HttpPort}\r\n\r\n"
            + "GET / HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n");

        (int status, _, _) = await client.ReadResponseAsync();
        (int inner, _, string body) = await client.ReadResponseAsync();

        Assert.Equal((200, 200), (status, inner));
        Assert.Equal("hello from api.example.test", body);
    }

    [Fact]
    public async Task Connect_100MiBDownload_ArrivesIntact()
    {
        const long Size = 100L * 1024 * 1024;
        string file = Path.Combine(_gateway.StateDir, "download.bin");

        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, "-o", file, $"https://api.example.test:{_upstream.HttpsPort}/bytes/{Size}");

        Assert.True(exit == 0, stderr);
        await using FileStream actual = File.OpenRead(file);
        Assert.Equal(Size, actual.Length);
        Assert.Equal(TestUpstream.PatternSha256(Size), Convert.ToHexString(await SHA256.HashDataAsync(actual)));
    }

    [Fact]
    public async Task Connect_ClientHalfClose_ReachesTheUpstreamWhichCanStillAnswer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task upstream = Task.Run(async () =>
        {
            using Socket accepted = await listener.AcceptSocketAsync();
            byte[] buffer = new byte[1024];
            int total = 0;
            int n;
            while ((n = await accepted.ReceiveAsync(buffer)) > 0)
            {
                total += n;
            }

            // EOF seen: the client's half-close crossed the tunnel; answer on the open half.
            await accepted.SendAsync(Encoding.ASCII.GetBytes($"got {total} bytes"));
            accepted.Shutdown(SocketShutdown.Both);
        });

        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        await client.SendAsync($"CONNECT api.example.test:{port} HTTP/1.1\r\nHost: api.example.test:{port}\r\n\r\n");
        (int status, _, _) = await client.ReadResponseAsync();
        await client.SendAsync("twelve bytes");
        client.Socket.Shutdown(SocketShutdown.Send);

        string answer = await client.ReadToEndAsync();

        Assert.Equal(200, status);
        Assert.Equal("got 12 bytes", answer);
        await upstream.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
