namespace Gateway.Tests.Listeners;

/// <summary>Invariant 5 end to end: an allowed name resolving to a refused range is still refused.</summary>
public sealed class EgressGuardEndToEndTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Theory]
    [InlineData("api.example.test")]      // resolve.hosts → 127.0.0.1
    [InlineData("metadata.example.test")] // resolve.hosts → 169.254.169.254
    [InlineData("127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task AllowEverything_DoesNotOpenRefusedRanges(string host)
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]], openLoopback: false);

        (int status, string head, string body) = await ResponseTableTests.ConnectAsync(gateway, host, _upstream.HttpPort);

        Assert.Equal(403, status);
        Assert.Contains("X-Gateway-Decision: blocked", head, StringComparison.Ordinal);
        Assert.Contains("egress-guard", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARuleNamingTheExactAddress_OpensIt()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "127.0.0.1"]], openLoopback: false);

        (int status, _, _) = await ResponseTableTests.ConnectAsync(gateway, "127.0.0.1", _upstream.HttpPort);

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task ALocalhostRule_OpensLoopbackForLocalhostOnly()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "allow-all"], ["policy", "allow", "network", "localhost"]], openLoopback: false);

        (int viaLocalhost, _, _) = await ResponseTableTests.ConnectAsync(gateway, "localhost", _upstream.HttpPort);
        (int viaName, _, _) = await ResponseTableTests.ConnectAsync(gateway, "api.example.test", _upstream.HttpPort);

        Assert.Equal((200, 403), (viaLocalhost, viaName));
    }
}
