namespace Gateway.Tests.Listeners;

public sealed class AbsoluteFormTests : IAsyncLifetime
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
    public async Task AbsoluteForm_Allowed_IsForwardedWithoutProxyHeaders()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(
            "-x", _gateway.ProxyUrl, "--proxy-user", "sandbox:secret", "-H", "Proxy-Connection: keep-alive",
            $"http://api.example.test:{_upstream.HttpPort}/headers");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Host: api.example.test:{_upstream.HttpPort}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Proxy-Authorization", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Proxy-Connection", stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AbsoluteForm_ReachesTheUpstream_WithoutForwardingHeaders()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-x", _gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/headers");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Host: api.example.test:{_upstream.HttpPort}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Forwarded-", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\nVia:", "\n" + stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\nForwarded:", "\n" + stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AbsoluteForm_Blocked_Gets403WithTheDecisionHeader()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(
            "-x", _gateway.ProxyUrl, "-i", $"http://other.example.test:{_upstream.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("X-Gateway-Decision: blocked", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("gateway policy allow network other.example.test", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAliveConnection_CarryingTwoHosts_IsDecidedPerRequest()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        int port = _upstream.HttpPort;

        await client.SendAsync($"GET http://api.example.test:{port}/ HTTP/1.1\r\nHost: api.example.test:{port}\r\n\r\n");
        (int first, _, string firstBody) = await client.ReadResponseAsync();
        await client.SendAsync($"GET http://other.example.test:{port}/ HTTP/1.1\r\nHost: other.example.test:{port}\r\n\r\n");
        (int second, string secondHead, _) = await client.ReadResponseAsync();

        Assert.Equal(200, first);
        Assert.Equal("hello from api.example.test", firstBody);
        Assert.Equal(403, second);
        Assert.Contains("X-Gateway-Decision: blocked", secondHead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbsoluteForm_WithAHostHeaderNamingAnotherHost_IsRefused()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        int port = _upstream.HttpPort;

        await client.SendAsync($"GET http://api.example.test:{port}/ HTTP/1.1\r\nHost: other.example.test:{port}\r\n\r\n");
        (int status, _, _) = await client.ReadResponseAsync();

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task OriginFormRequest_ToTheProxyPort_Gets400SayingItIsAProxy()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-i", _gateway.ProxyUrl + "/");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 400", stdout, StringComparison.Ordinal);
        Assert.Contains("forward proxy", stdout, StringComparison.Ordinal);
    }
}
