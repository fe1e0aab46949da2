namespace Gateway.Tests.Listeners;

public sealed class PolicyChangeTests
{
    [Fact]
    public async Task DenyThroughTheCli_AppliesToTheNextConnection_WithoutRestart()
    {
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "allow-all"]]);
        (int before, _, _) = await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort);

        (int exit, string output) = gateway.Cli("policy", "deny", "network", "api.example.test");
        (int after, _, string body) = await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort);

        Assert.True(exit == 0, output);
        Assert.Equal((200, 403), (before, after));
        Assert.Contains("(source: local)", body, StringComparison.Ordinal);

        (exit, output) = gateway.Cli("policy", "rm", "network", "--resource", "api.example.test");
        (int restored, _, _) = await ResponseTableTests.ConnectAsync(gateway, "api.example.test", upstream.HttpPort);

        Assert.True(exit == 0, output);
        Assert.Equal(200, restored);
    }
}
