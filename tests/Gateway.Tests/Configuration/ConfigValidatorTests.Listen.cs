using System.Net;
using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public partial class ConfigValidatorTests
{
    [Theory]
    [InlineData("listen:\n  forward: localhost:3128\n", "gateway.yaml:2: listen.forward: \"localhost:3128\" is not an endpoint; use IPv4:port or [IPv6]:port, e.g. 127.0.0.1:3128")]
    [InlineData("listen:\n  forward: \"::1:3128\"\n", "gateway.yaml:2: listen.forward: \"::1:3128\" is not an endpoint; use IPv4:port or [IPv6]:port, e.g. 127.0.0.1:3128")]
    [InlineData("listen:\n  forward: 127.1:3128\n", "gateway.yaml:2: listen.forward: \"127.1:3128\" is not an endpoint; use IPv4:port or [IPv6]:port, e.g. 127.0.0.1:3128")]
    [InlineData("listen:\n  forward: 127.0.0.1\n", "gateway.yaml:2: listen.forward: \"127.0.0.1\" is not an endpoint; use IPv4:port or [IPv6]:port, e.g. 127.0.0.1:3128")]
    [InlineData("listen:\n  dns: 10.209.0.1:0\n", "gateway.yaml:2: listen.dns: \"10.209.0.1:0\": the port must be 1-65535")]
    [InlineData("listen:\n  transparentTls: \"[fd00::1]:70000\"\n", "gateway.yaml:2: listen.transparentTls: \"[fd00::1]:70000\": the port must be 1-65535")]
    [InlineData("listen:\n  transparentHttp: unix:/run/gw.sock\n", "gateway.yaml:2: listen.transparentHttp: \"unix:/run/gw.sock\" is a unix socket; sandboxes reach this listener over TCP: use IPv4:port or [IPv6]:port")]
    [InlineData("listen:\n  metrics: 0.0.0.0:9090\n", "gateway.yaml:2: listen.metrics: \"0.0.0.0:9090\" is reachable from other hosts; metrics listen on loopback or a unix socket, e.g. 127.0.0.1:9090, unless listen.metricsAllowRemote: true is set (then no sandbox may reach that address)")]
    [InlineData("listen:\n  metrics: 10.209.0.1:9090\n", "gateway.yaml:2: listen.metrics: \"10.209.0.1:9090\" is reachable from other hosts; metrics listen on loopback or a unix socket, e.g. 127.0.0.1:9090, unless listen.metricsAllowRemote: true is set (then no sandbox may reach that address)")]
    [InlineData("listen:\n  admin: 127.0.0.1:9091\n", "gateway.yaml:2: listen.admin: \"127.0.0.1:9091\" is not a unix socket; the admin API listens only on one, e.g. unix:{stateDir}/admin.sock")]
    [InlineData("listen:\n  admin: null\n", "gateway.yaml:2: listen.admin: cannot be turned off; the CLI and vmm reach the daemon through it")]
    [InlineData("listen:\n  forward: null\n", "gateway.yaml:2: listen.forward: no listener serves sandboxes; set listen.forward, listen.transparentHttp or listen.transparentTls")]
    [InlineData("listen:\n  forward: 127.0.0.1:9090\n", "gateway.yaml:2: listen.forward: 127.0.0.1:9090 is also listen.metrics; give each listener its own address")]
    [InlineData("listen:\n  transparentTls: 0.0.0.0:3128\n", "gateway.yaml:2: listen.transparentTls: 0.0.0.0:3128 is also listen.forward; give each listener its own address")]
    [InlineData("listen:\n  metrics: unix:{stateDir}/admin.sock\n", "gateway.yaml:2: listen.metrics: unix:/srv/gateway-state/admin.sock is also listen.admin; give each listener its own address")]
    [InlineData("listen:\n  transport: sockets\n", "gateway.yaml:2: listen.transport: \"sockets\" is not a transport; use gateway or kestrel")]
    public void BadListener_IsExplained(string yaml, string expected) => AssertOneError(yaml, expected);

    [Theory]
    [InlineData("", "Kestrel")]
    [InlineData("listen:\n  transport: gateway\n", "Gateway")]
    [InlineData("listen:\n  transport: kestrel\n", "Kestrel")]
    public void Transport_DefaultsToKestrels_AndTheGatewaysOwnIsSelectable(string yaml, string expected) =>
        Assert.Equal(expected, ConfigTestLoader.LoadValid(yaml).Listen.Transport.ToString());

    [Fact]
    public void UnixSocketPath_LongerThanSunPath_IsRefused()
    {
        string directory = "/srv/" + new string('d', 100);
        (_, List<string> errors) = ConfigTestLoader.Load("", ConfigTestLoader.Options with { StateDirOption = directory });
        Assert.Equal(
            [$"listen.admin: unix socket path \"{directory}/admin.sock\" is 116 bytes; the limit is 107, choose a shorter path or stateDir"],
            errors);
    }

    [Fact]
    public void Listeners_AcceptIPv6AndTurningOff()
    {
        var config = ConfigTestLoader.LoadValid(
            "listen:\n  forward: \"[::1]:3128\"\n  transparentTls: 0.0.0.0:15443\n  metrics: null\n  admin: unix:/run/gw/admin.sock\n");
        Assert.Equal("[::1]:3128", config.Listen.Forward!.ToString());
        Assert.Equal("0.0.0.0:15443", config.Listen.TransparentTls!.ToString());
        Assert.Null(config.Listen.Metrics);
        Assert.Equal("/run/gw/admin.sock", config.Listen.Admin.ToString());
    }

    [Fact]
    public void ForwardOff_IsFine_WhenATransparentListenerServes()
    {
        var config = ConfigTestLoader.LoadValid("listen:\n  forward: null\n  transparentHttp: 10.209.0.1:15080\n");
        Assert.Null(config.Listen.Forward);
    }
}

public partial class ConfigValidatorTests
{
    [Theory]
    [InlineData("listen:\n  metrics: \"[::]:9090\"\n", "gateway.yaml:2: listen.metrics: \"[::]:9090\" is reachable from other hosts; metrics listen on loopback or a unix socket, e.g. 127.0.0.1:9090, unless listen.metricsAllowRemote: true is set (then no sandbox may reach that address)")]
    [InlineData("listen:\n  metricsAllowRemote: false\n  metrics: 0.0.0.0:9090\n", "gateway.yaml:3: listen.metrics: \"0.0.0.0:9090\" is reachable from other hosts; metrics listen on loopback or a unix socket, e.g. 127.0.0.1:9090, unless listen.metricsAllowRemote: true is set (then no sandbox may reach that address)")]
    [InlineData("listen:\n  metricsAllowRemote: yes\n", "gateway.yaml:2: listen.metricsAllowRemote: \"yes\" is not a flag; use true or false")]
    [InlineData("listen:\n  metricsAllowRemote: 1\n", "gateway.yaml:2: listen.metricsAllowRemote: \"1\" is not a flag; use true or false")]
    [InlineData("listen:\n  metricsAllowRemote: [true]\n", "gateway.yaml:2: listen.metricsAllowRemote: expected a single value, found a list")]
    [InlineData("listen:\n  metricsallowremote: true\n", "gateway.yaml:2: listen.metricsallowremote: unknown key; did you mean \"metricsAllowRemote\"?")]
    public void MetricsAllowRemote_BadValues_AreExplained(string yaml, string expected) => AssertOneError(yaml, expected);

    [Fact]
    public void MetricsAllowRemote_IsOffByDefault() =>
        Assert.False(ConfigTestLoader.LoadValid("").Listen.MetricsAllowRemote);

    [Theory]
    [InlineData("0.0.0.0:9090")]
    [InlineData("10.0.0.5:9100")]
    [InlineData("\"[::]:9090\"")]
    public void MetricsAllowRemote_True_AcceptsAnyAddress(string address)
    {
        GatewayConfig config = ConfigTestLoader.LoadValid($"listen:\n  metrics: {address}\n  metricsAllowRemote: true\n");
        Assert.True(config.Listen.MetricsAllowRemote);
        Assert.False(IPAddress.IsLoopback(((IPEndPoint)config.Listen.Metrics!).Address));
    }

    [Fact]
    public void MetricsAllowRemote_CanBeSetFromTheEnvironment()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid(
            "listen:\n  metrics: 0.0.0.0:9090\n", ("GATEWAY__LISTEN__METRICSALLOWREMOTE", "true"));
        Assert.True(config.Listen.MetricsAllowRemote);
        Assert.Equal("0.0.0.0:9090", config.Listen.Metrics!.ToString());
    }

    [Fact]
    public void MetricsAllowRemote_NullOrLoopback_IsFine()
    {
        Assert.False(ConfigTestLoader.LoadValid("listen:\n  metricsAllowRemote: null\n").Listen.MetricsAllowRemote);
        GatewayConfig config = ConfigTestLoader.LoadValid("listen:\n  metricsAllowRemote: true\n");
        Assert.True(config.Listen.MetricsAllowRemote);
        Assert.Equal("127.0.0.1:9090", config.Listen.Metrics!.ToString());
    }

    [Fact]
    public void MetricsAllowRemote_StillCollidesWithOtherListeners()
    {
        (_, List<string> errors) = ConfigTestLoader.Load("listen:\n  metricsAllowRemote: true\n  metrics: 0.0.0.0:3128\n");
        Assert.Equal(["gateway.yaml:3: listen.metrics: 0.0.0.0:3128 is also listen.forward; give each listener its own address"], errors);
    }
}
