using Vmm.Admin;
using Vmm.Cli;
using Vmm.Sandboxes;

namespace Vmm.Tests;

public sealed class GatewayPortsReaderTests
{
    [Fact]
    public void WildcardListeners_GiveTheirPorts()
    {
        var notes = new List<string>();

        GatewayPorts ports = GatewayPortsReader.Read(Status(forward: "0.0.0.0:3128"), notes);

        Assert.Equal(new GatewayPorts(15080, 15443, 5353, 3128), ports);
        Assert.Empty(notes);
    }

    [Fact]
    public void ALoopbackForwardProxy_IsLeftOut_WithANote()
    {
        var notes = new List<string>();

        GatewayPorts ports = GatewayPortsReader.Read(Status(forward: "127.0.0.1:3128"), notes);

        Assert.Null(ports.Forward);
        Assert.Contains("set listen.forward: 0.0.0.0:3128", Assert.Single(notes), StringComparison.Ordinal);
    }

    [Fact]
    public void AForwardProxyOnOneHostAddress_IsOfferedAtThatAddress()
    {
        var notes = new List<string>();

        GatewayPorts ports = GatewayPortsReader.Read(Status(forward: "10.209.0.1:3128"), notes);

        Assert.Equal(new GatewayPorts(15080, 15443, 5353, 3128, "10.209.0.1"), ports);
        Assert.Empty(notes);
    }

    [Fact]
    public void MissingOrSingleAddressListeners_AreEachNamed()
    {
        var status = new GatewayStatus(new GatewayListeners("0.0.0.0:3128", null, "10.209.0.1:15443", "0.0.0.0:5353", null));

        VmmException e = Assert.Throws<VmmException>(() => GatewayPortsReader.Read(status, []));

        Assert.Contains("the gateway has no listen.transparentHttp listener; sandboxes need it: set listen.transparentHttp: 0.0.0.0:15080", e.Message, StringComparison.Ordinal);
        Assert.Contains("the gateway's listen.transparentTls is 10.209.0.1:15443;", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("listen.dns", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IPv6Wildcard_CountsAsEveryAddress()
    {
        var status = new GatewayStatus(new GatewayListeners(null, "[::]:15080", "[::]:15443", "[::]:5353", null));

        Assert.Equal(15443, GatewayPortsReader.Read(status, []).TransparentTls);
    }

    private static GatewayStatus Status(string forward) =>
        new(new GatewayListeners(forward, "0.0.0.0:15080", "0.0.0.0:15443", "0.0.0.0:5353", "127.0.0.1:9090"));
}
