using Gateway.Interception.Forwarding;
using System.Net;
using Gateway.Dialing;
using Gateway.Interception;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Interception;

/// <summary>
/// Upstream connection pools are shared by every sandbox whose requests would be dialled the same
/// way, and by no request that would be dialled another way (another route, or openings its own
/// decision does not carry).
/// </summary>
public sealed class UpstreamHttpClientTests
{
    [Fact]
    public async Task Pools_AreSharedOnlyByRequestsDialledTheSameWay()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync();
        UpstreamHttpClient clients = gateway.Services.GetRequiredService<UpstreamHttpClient>();
        var proxy = new KitProxy("socks.example.test", 1080, null);
        var localhost = new DialPermissions(null, localhostRule: true);
        var literal = new DialPermissions(IPAddress.Parse("10.0.0.1"), localhostRule: false);

        Assert.Same(clients.For(null, DialPermissions.None), clients.For(null, DialPermissions.None));
        Assert.Same(clients.For(null, literal), clients.For(null, new DialPermissions(IPAddress.Parse("10.0.0.1"), localhostRule: false)));
        Assert.Same(clients.For(proxy, localhost), clients.For(new KitProxy("socks.example.test", 1080, null), localhost));

        Assert.NotSame(clients.For(null, DialPermissions.None), clients.For(null, localhost));
        Assert.NotSame(clients.For(null, DialPermissions.None), clients.For(null, literal));
        Assert.NotSame(clients.For(null, localhost), clients.For(null, literal));
        Assert.NotSame(clients.For(null, literal), clients.For(null, new DialPermissions(IPAddress.Parse("10.0.0.2"), localhostRule: false)));
        Assert.NotSame(clients.For(proxy, DialPermissions.None), clients.For(null, DialPermissions.None));
        Assert.NotSame(clients.For(proxy, localhost), clients.For(proxy, DialPermissions.None));
    }
}
