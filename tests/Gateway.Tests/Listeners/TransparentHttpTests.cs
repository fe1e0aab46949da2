using System.Net;
using System.Text.Json;
using Gateway.Listeners;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 6 item 3 and 4: redirected plain HTTP decided by Host; anything not HTTP closed and audited.</summary>
public sealed class TransparentHttpTests : IAsyncLifetime
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
                Listen = config.Listen with { TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) },

                // Not redirected by nftables here, so no original destination: the configured port is dialled.
                Transparent = config.Transparent with { DialHttpPort = _upstream.HttpPort },
            });
        _port = _gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task AllowedHost_IsForwarded_ToTheNameInHost()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("--resolve", $"api.example.test:{_port}:127.0.0.1", $"http://api.example.test:{_port}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
    }

    [Fact]
    public async Task BlockedHost_Gets403_AndIsAuditedAsTransparent()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-i", "--resolve", $"other.example.test:{_port}:127.0.0.1", $"http://other.example.test:{_port}/");
        await _gateway.StopAsync();

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("X-Gateway-Decision: blocked", stdout, StringComparison.OrdinalIgnoreCase);
        JsonElement audited = JsonDocument.Parse(File.ReadLines(Path.Combine(_gateway.StateDir, "audit.jsonl")).Last()).RootElement;
        Assert.Equal(("other.example.test", "transparent", "blocked"), (audited.GetProperty("host").GetString(), audited.GetProperty("proxy").GetString(), audited.GetProperty("decision").GetString()));
    }

    [Fact]
    public async Task NonHttpClient_IsClosed_AndAuditedAsNetworkBlocked()
    {
        using RawClient client = await RawClient.ConnectAsync(_port);
        await client.SendAsync("\u0003\u0000\u0000\u0013binary-protocol");

        string answer = await client.ReadToEndAsync();
        await _gateway.StopAsync();

        Assert.Equal(string.Empty, answer);
        JsonElement audited = JsonDocument.Parse(File.ReadLines(Path.Combine(_gateway.StateDir, "audit.jsonl")).Last()).RootElement;
        Assert.Equal(("network", "blocked"), (audited.GetProperty("proxy").GetString(), audited.GetProperty("decision").GetString()));
    }
}
