using System.Net;

namespace Gateway.Tests.Configuration;

public class EnvironmentOverridesTests
{
    private const string File =
        """
        listen:
          forward: 127.0.0.1:3128
        limits:
          headerTimeout: 10s
        kits: [/etc/kits/a.yaml, /etc/kits/b.yaml]
        sandboxes:
          - { name: dev, addresses: [10.209.0.2] }
        resolve:
          hosts: { api.example.test: 127.0.0.1 }
        """;

    [Fact]
    public void Variables_WinOverTheFile()
    {
        var config = ConfigTestLoader.LoadValid(File,
            ("GATEWAY__LISTEN__FORWARD", "127.0.0.1:3129"),
            ("GATEWAY__LIMITS__HEADERTIMEOUT", "5s"),
            ("GATEWAY__POLICY__MODE", "report"));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3129), config.Listen.Forward);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Limits.HeaderTimeout);
        Assert.Equal(Gateway.Configuration.PolicyMode.Report, config.Policy.Mode);
    }

    [Fact]
    public void Keys_AreCaseInsensitive()
    {
        var config = ConfigTestLoader.LoadValid(File, ("gateway__Limits__headertimeout", "250ms"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.Limits.HeaderTimeout);
    }

    [Fact]
    public void ListItems_MergeByIndex_AndAppend()
    {
        var config = ConfigTestLoader.LoadValid(File, ("GATEWAY__KITS__0", "/etc/kits/x.yaml"), ("GATEWAY__KITS__2", "/etc/kits/c.yaml"));
        Assert.Equal<string>(["/etc/kits/x.yaml", "/etc/kits/b.yaml", "/etc/kits/c.yaml"], config.Kits);
    }

    [Fact]
    public void EmptyVariable_ClearsAList_BeforeIndexedOnesRefillIt()
    {
        Assert.Empty(ConfigTestLoader.LoadValid(File, ("GATEWAY__KITS", "")).Kits);
        Assert.Equal<string>(["/etc/kits/z.yaml"], ConfigTestLoader.LoadValid(File, ("GATEWAY__KITS", ""), ("GATEWAY__KITS__0", "/etc/kits/z.yaml")).Kits);
    }

    [Fact]
    public void NestedOverride_AddsAKeyToAFileListItem()
    {
        var config = ConfigTestLoader.LoadValid(File, ("GATEWAY__SANDBOXES__0__TOKEN", "0123456789abcdef0123"));
        Assert.Equal("dev", config.Sandboxes[0].Name);
        Assert.Equal("0123456789abcdef0123", config.Sandboxes[0].Token);
    }

    [Fact]
    public void Overrides_BuildSectionsTheFileDoesNotHave()
    {
        var config = ConfigTestLoader.LoadValid("",
            ("GATEWAY__SANDBOXES__0__NAME", "ci"),
            ("GATEWAY__SANDBOXES__0__ADDRESSES__0", "10.209.0.6"),
            ("GATEWAY__LISTEN__TRANSPARENTHTTP", "10.209.0.1:15080"),
            ("GATEWAY__LISTEN__FORWARD", ""));
        Assert.Equal("ci", config.Sandboxes[0].Name);
        Assert.Equal<IPAddress>([IPAddress.Parse("10.209.0.6")], config.Sandboxes[0].Addresses);
        Assert.Null(config.Listen.Forward);
        Assert.NotNull(config.Listen.TransparentHttp);
    }

    [Fact]
    public void HostOverride_MatchesTheFileKeyAfterCanonicalisation()
    {
        var config = ConfigTestLoader.LoadValid(File, ("GATEWAY__RESOLVE__HOSTS__API.EXAMPLE.TEST", "127.0.0.2"));
        Assert.Equal("127.0.0.2", Assert.Single(config.Resolve.Hosts).Value.ToString());
    }

    [Fact]
    public void UnrelatedVariables_AreIgnored()
    {
        ConfigTestLoader.LoadValid(File, ("GATEWAY_STATE_DIR", "/srv/x"), ("GATEWAYX__LISTEN", "x"), ("PATH", "/usr/bin"));
    }

    [Theory]
    [InlineData("GATEWAY__LISTEN__FORWRD", "127.0.0.1:3129", "GATEWAY__LISTEN__FORWRD: unknown key; did you mean GATEWAY__LISTEN__FORWARD?")]
    [InlineData("GATEWAY__FROBNICATE", "1", "GATEWAY__FROBNICATE: unknown key; valid keys are stateDir, listen, transparent, policy, resolve, egress, trust, upstream, credentials, kits, sandboxes, limits, audit, dns")]
    [InlineData("GATEWAY__LIMITS__HEADERTIMEOUT", "soon", "GATEWAY__LIMITS__HEADERTIMEOUT: \"soon\" is not a duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("GATEWAY__LISTEN__ADMIN", "127.0.0.1:9091", "GATEWAY__LISTEN__ADMIN: \"127.0.0.1:9091\" is not a unix socket; the admin API listens only on one, e.g. unix:{stateDir}/admin.sock")]
    [InlineData("GATEWAY__KITS__3", "/etc/kits/d.yaml", "GATEWAY__KITS__3: index 3 skips index 2; number list items from 0 without gaps")]
    [InlineData("GATEWAY__KITS__FIRST", "/etc/kits/d.yaml", "GATEWAY__KITS__FIRST: \"FIRST\" is not a list index; number list items from 0, e.g. GATEWAY__KITS__0")]
    [InlineData("GATEWAY____LISTEN", "x", "GATEWAY____LISTEN: empty key; write GATEWAY__SECTION__KEY, e.g. GATEWAY__LISTEN__FORWARD")]
    [InlineData("GATEWAY__", "x", "GATEWAY__: empty key; write GATEWAY__SECTION__KEY, e.g. GATEWAY__LISTEN__FORWARD")]
    [InlineData("GATEWAY__SANDBOXES__0__NAME", "Dev", "GATEWAY__SANDBOXES__0__NAME: \"Dev\" is not a sandbox name; use lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters")]
    [InlineData("GATEWAY__SANDBOXES__0__ADDRESSES", "10.209.0.9", "GATEWAY__SANDBOXES__0__ADDRESSES: expected a list, found a value; set GATEWAY__SANDBOXES__0__ADDRESSES__0=10.209.0.9 and so on")]
    [InlineData("GATEWAY__LIMITS", "fast", "GATEWAY__LIMITS: expected a section (maxConnections, headerTimeout, idleTimeout, connectTimeout, upstreamRequestsPerConnection, http2ControlFramesPerSecond), found a value")]
    public void BadVariable_IsNamed(string name, string value, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load(File, (name, value));
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void ValueAndChildren_OnOneKey_IsReported()
    {
        (_, List<string> errors) = ConfigTestLoader.Load(File, ("GATEWAY__LISTEN", "x"), ("GATEWAY__LISTEN__FORWARD", "127.0.0.1:3129"));
        Assert.Equal(["GATEWAY__LISTEN: set both as a value and through GATEWAY__LISTEN__FORWARD; keep one"], errors);
    }

    [Fact]
    public void SameKeyInTwoSpellings_IsReported()
    {
        (_, List<string> errors) = ConfigTestLoader.Load(File, ("GATEWAY__LIMITS__IDLETIMEOUT", "1m"), ("gateway__limits__idletimeout", "2m"));
        Assert.Equal(["gateway__limits__idletimeout: also set as GATEWAY__LIMITS__IDLETIMEOUT; keep one"], errors);
    }
}
