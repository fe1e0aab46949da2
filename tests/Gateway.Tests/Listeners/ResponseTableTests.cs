using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;

namespace Gateway.Tests.Listeners;

/// <summary>Every row of DESIGN.md "What a client sees", forward-proxy column.</summary>
public sealed class ResponseTableTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Theory]
    [InlineData("CONNECT user@api.example.test:443 HTTP/1.1\r\n\r\n", 400)]
    [InlineData("CONNECT api.example.test HTTP/1.1\r\n\r\n", 400)]
    [InlineData("CONNECT api.example.test:0 HTTP/1.1\r\n\r\n", 400)]
    [InlineData("CONNECT api.example.test:443 HTTP/1.1\nHost: x\n\n", 400)]
    [InlineData("CONNECT api..example.test:443 HTTP/1.1\r\n\r\n", 400)]
    [InlineData("CONNECT 2130706433:443 HTTP/1.1\r\n\r\n", 400)]
    public async Task MalformedConnect_Gets400(string request, int expected)
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]]);
        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync(request);

        (int status, _, _) = await client.ReadResponseAsync();

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task OversizedConnectHead_Gets431()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]]);
        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync("CONNECT api.example.test:443 HTTP/1.1\r\nX-Filler: " + new string('a', 9000) + "\r\n\r\n");

        (int status, _, _) = await client.ReadResponseAsync();

        Assert.Equal(431, status);
    }

    [Fact]
    public async Task NameThatDoesNotResolve_Gets502()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]]);

        (int status, _, string body) = await ConnectAsync(gateway, "nowhere.example.test", 443);

        Assert.Equal(502, status);
        Assert.Contains("nowhere.example.test", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamRefusingTheConnection_Gets502()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]]);

        (int status, _, _) = await ConnectAsync(gateway, "api.example.test", ClosedPort());

        Assert.Equal(502, status);
    }

    [Fact]
    public async Task UpstreamNotAnsweringWithinConnectTimeout_Gets504()
    {
        using var blackHole = new Gateway.Tests.Dialing.BlackHoleListener(IPAddress.Loopback);
        await blackHole.FillAsync();
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "allow-all"]],
            config => config with { Limits = config.Limits with { ConnectTimeout = TimeSpan.FromMilliseconds(500) } });

        (int status, _, string body) = await ConnectAsync(gateway, "api.example.test", blackHole.EndPoint.Port);

        Assert.Equal(504, status);
        Assert.Contains("api.example.test", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminSocket_IsOwnerOnly()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync();

        UnixFileMode mode = File.GetUnixFileMode(Path.Combine(gateway.StateDir, "admin.sock"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task OverMaxConnections_Gets503()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "allow-all"]],
            config => config with { Limits = config.Limits with { MaxConnections = 1 } });
        using RawClient first = await RawClient.ConnectAsync(gateway.Port);
        await first.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n\r\n");
        (int opened, _, _) = await first.ReadResponseAsync();

        (int status, _, _) = await ConnectAsync(gateway, "api.example.test", _upstream.HttpPort);

        Assert.Equal((200, 503), (opened, status));
    }

    [Fact]
    public async Task SlowClient_NotSendingTheHeadInTime_Gets408AndIsClosed()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "allow-all"]],
            config => config with { Limits = config.Limits with { HeaderTimeout = TimeSpan.FromMilliseconds(500) } });
        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync("CONNECT api.example.test:443 HTTP/1.1\r\n");

        (int status, _, _) = await client.ReadResponseAsync();
        string rest = await client.ReadToEndAsync();

        Assert.Equal(408, status);
        Assert.Equal(string.Empty, rest);
    }

    internal static async Task<(int Status, string Head, string Body)> ConnectAsync(GatewayUnderTest gateway, string host, int port)
    {
        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync($"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
