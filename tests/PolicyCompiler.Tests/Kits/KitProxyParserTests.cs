using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace PolicyCompiler.Tests.Kits;

/// <summary><c>network.proxy</c> (reference 004): parsed into a <see cref="KitProxy"/>, carried into the snapshot, every mistake named.</summary>
public class KitProxyParserTests
{
    private const string Header = "schemaVersion: \"1\"\nkind: mixin\nname: inline\n";

    [Theory]
    [InlineData("{type: socks5, address: \"proxy.example.com:1080\", credentialRef: corp-proxy}", "proxy.example.com", 1080, "corp-proxy")]
    [InlineData("{type: socks5, address: \"proxy.example.com:1080\"}", "proxy.example.com", 1080, null)]
    [InlineData("{type: socks5, address: \"proxy.example.com:1080\", credentialRef: \"\"}", "proxy.example.com", 1080, null)]
    [InlineData("{type: socks5, address: \"socks5://Proxy.Example.COM.:1080\"}", "proxy.example.com", 1080, null)]
    [InlineData("{type: socks5, address: \"10.0.0.5:1080\"}", "10.0.0.5", 1080, null)]
    [InlineData("{type: socks5, address: \"[fd00::5]:1080\"}", "fd00::5", 1080, null)]
    public void Proxy_IsParsed(string proxy, string host, int port, string? credentialRef)
    {
        var errors = new List<KitError>();

        Assert.True(KitParser.TryParse(Header + "network:\n  proxy: " + proxy + "\n", "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));

        Assert.Equal(new KitProxy(host, port, credentialRef), kit.Network.Proxy);
        Assert.Equal(kit.Network.Proxy, kit.ToRules().Proxy);
    }

    [Fact]
    public void NoProxy_IsNull() =>
        Assert.Null(Parse("network:\n  allowedDomains: [example.com]\n").Network.Proxy);

    [Theory]
    [InlineData("{address: \"proxy.example.com:1080\"}", "t.yaml:5: network.proxy: missing required key \"type\"; write \"type: socks5\"")]
    [InlineData("{type: http, address: \"proxy.example.com:1080\"}", "t.yaml:5: network.proxy.type: \"http\" is not a proxy type; only \"socks5\" is supported (HTTP proxies, UDP, QUIC and VPN tunnels are not)")]
    [InlineData("{type: socks5}", "t.yaml:5: network.proxy: missing required key \"address\"; name the proxy, e.g. \"address: proxy.example.com:1080\"")]
    [InlineData("{type: socks5, address: \"proxy.example.com\"}", "t.yaml:5: network.proxy.address: \"proxy.example.com\" needs a port; write e.g. \"proxy.example.com:1080\"")]
    [InlineData("{type: socks5, address: \"*.example.com:1080\"}", "t.yaml:5: network.proxy.address: \"*.example.com:1080\" is a pattern; name one proxy, e.g. \"proxy.example.com:1080\"")]
    [InlineData("{type: socks5, address: \"user:pw@proxy.example.com:1080\"}", "t.yaml:5: network.proxy.address: the proxy address carries no credentials; name a username/password source with credentialRef")]
    [InlineData("{type: socks5, address: \"proxy.example.com:99999\"}", "t.yaml:5: network.proxy.address: \"proxy.example.com:99999\" is not a proxy address: ")]
    [InlineData("{type: socks5, address: \"proxy.example.com:1080\", credentialRef: \"corp proxy\"}", "t.yaml:5: network.proxy.credentialRef: source id \"corp proxy\" may hold only letters, digits, \"-\", \"_\" and \".\"")]
    [InlineData("{type: socks5, address: \"proxy.example.com:1080\", credentials: corp}", "t.yaml:5: network.proxy.credentials: unknown key")]
    public void BadProxy_IsRefused_NamingTheKeyAndTheFix(string proxy, string expected)
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryParse(Header + "network:\n  proxy: " + proxy + "\n", "t.yaml", out _, errors));

        Assert.Contains(errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Snapshot_GivesASandboxTheProxyOfItsFirstKitThatDeclaresOne()
    {
        KitSpec plain = Parse("network:\n  allowedDomains: [example.com]\n", "plain");
        KitSpec first = Parse("network:\n  proxy: {type: socks5, address: \"one.example.com:1080\"}\n", "first");
        KitSpec second = Parse("network:\n  proxy: {type: socks5, address: \"two.example.com:1080\"}\n", "second");

        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [plain.ToRules(), first.ToRules(), second.ToRules()]);

        Assert.Equal("one.example.com", snapshot.ProxyFor(["plain", "first", "second"])?.Host);
        Assert.Equal("two.example.com", snapshot.ProxyFor(["second", "first"])?.Host);
        Assert.Null(snapshot.ProxyFor(["plain", "unknown"]));
        Assert.Null(snapshot.ProxyFor([]));
    }

    private static KitSpec Parse(string body, string name = "inline")
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Header.Replace("inline", name, StringComparison.Ordinal) + body, "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }
}
