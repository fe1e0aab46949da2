using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Listeners;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 6 items 1, 2, 4 and 6: SNI decides, the SNI name is dialled, the upstream's certificate is what the client sees.</summary>
public sealed class TransparentTlsTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with
            {
                Listen = config.Listen with { TransparentTls = new IPEndPoint(IPAddress.Loopback, 0) },

                // Not redirected by nftables here, so no original destination: the configured port is dialled.
                Transparent = config.Transparent with { DialTlsPort = _upstream.HttpsPort },
            });
        _port = _gateway.PortOf(ListenerKind.TransparentTls)!.Value;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task AllowedSni_IsRelayedEndToEnd()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-k", "--resolve", $"api.example.test:{_port}:127.0.0.1", $"https://api.example.test:{_port}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
    }

    [Fact]
    public async Task TheCertificateTheClientSees_IsTheUpstreams()
    {
        string output = await OpenSslAsync("-servername", "api.example.test");

        Assert.Contains("CN = api.example.test", output, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 18 (self-signed certificate)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockedSni_GetsAnAccessDeniedAlert_AndIsAuditedAsTransparent()
    {
        string output = await OpenSslAsync("-servername", "other.example.test");
        await _gateway.StopAsync();

        Assert.Contains("alert access denied", output, StringComparison.Ordinal);
        JsonElement audited = JsonDocument.Parse(File.ReadLines(Path.Combine(_gateway.StateDir, "audit.jsonl")).Last()).RootElement;
        Assert.Equal(("other.example.test", "transparent", "blocked"), (audited.GetProperty("host").GetString(), audited.GetProperty("proxy").GetString(), audited.GetProperty("decision").GetString()));
    }

    [Fact]
    public async Task HelloWithoutSni_IsRefused()
    {
        string output = await OpenSslAsync("-noservername");

        Assert.Contains("alert access denied", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientHelloWrittenOneBytePerSegment_StillReachesTheUpstream()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port));
        await using var tls = new SslStream(new OneBytePerWriteStream(socket), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "api.example.test" }, timeout.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n"), timeout.Token);
        string response = await new StreamReader(tls).ReadToEndAsync(timeout.Token);

        Assert.Equal("api.example.test", tls.RemoteCertificate!.Subject["CN=".Length..]);
        Assert.EndsWith("hello from api.example.test", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonTlsClient_IsClosed_AndAuditedAsNetwork()
    {
        using RawClient client = await RawClient.ConnectAsync(_port);
        await client.SendAsync("SSH-2.0-OpenSSH_9.2\r\n");

        string answer = await client.ReadToEndAsync();
        await _gateway.StopAsync();

        Assert.Equal(string.Empty, answer);
        JsonElement audited = JsonDocument.Parse(File.ReadLines(Path.Combine(_gateway.StateDir, "audit.jsonl")).Last()).RootElement;
        Assert.Equal(("network", "blocked"), (audited.GetProperty("proxy").GetString(), audited.GetProperty("decision").GetString()));
    }

    private async Task<string> OpenSslAsync(params string[] args)
    {
        var (_, stdout, stderr) = await ProcessRunner.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{_port}", .. args]);
        return stdout + stderr;
    }
}
