using System.Net;
using System.Text.Json;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Admin;

/// <summary>`GET /status` reports where each listener is bound: vmm redirects sandboxes to exactly those ports.</summary>
public sealed class AdminStatusTests
{
    [Fact]
    public async Task Status_ReportsTheBoundListeners_WithTheKernelsPorts()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(configure: config => config with
        {
            Listen = config.Listen with
            {
                TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                Dns = new IPEndPoint(IPAddress.Loopback, 0),
            },
        });
        using HttpClient admin = AdminHttp.Create(gateway.StateDir);

        using JsonDocument status = JsonDocument.Parse(await admin.GetStringAsync("/status"));

        JsonElement listeners = status.RootElement.GetProperty("listeners");
        Assert.Equal($"127.0.0.1:{gateway.Port}", listeners.GetProperty("forward").GetString());
        Assert.Equal($"127.0.0.1:{gateway.PortOf(ListenerKind.TransparentTls)}", listeners.GetProperty("transparentTls").GetString());
        Assert.Equal(gateway.Services.GetRequiredService<DnsServer>().EndPoint!.ToString(), listeners.GetProperty("dns").GetString());
        Assert.Equal($"127.0.0.1:{gateway.MetricsPort}", listeners.GetProperty("metrics").GetString());
        Assert.Equal(JsonValueKind.Null, listeners.GetProperty("transparentHttp").ValueKind);
        Assert.NotEqual(0, gateway.PortOf(ListenerKind.TransparentTls));
    }
}
