using PolicyCompiler.Kits;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Tests;

public sealed class SandboxEnvironmentTests
{
    private static readonly GatewayPorts s_ports = new(15080, 15443, 5353, 3128);

    [Fact]
    public void ProxyVariables_NameTheHostEnd_InBothSpellings_WithTheToken()
    {
        Dictionary<string, string> environment = SandboxEnvironment.Build("10.209.0.1", s_ports, "dev", "0123456789abcdef", [], null, []);

        foreach (string variable in (string[])["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"])
        {
            Assert.Equal("http://dev:0123456789abcdef@10.209.0.1:3128", environment[variable]);
        }

        Assert.Equal("localhost,127.0.0.1,::1", environment["NO_PROXY"]);
    }

    [Fact]
    public void NoReachableForwardProxy_SetsNoProxyVariables()
    {
        Dictionary<string, string> environment = SandboxEnvironment.Build("10.209.0.1", s_ports with { Forward = null }, "dev", null, [], null, []);

        Assert.DoesNotContain(environment.Keys, name => name.Contains("proxy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ForwardProxyOnOneHostAddress_IsNamedByTheProxyVariables()
    {
        Dictionary<string, string> environment = SandboxEnvironment.Build("10.209.0.5", s_ports with { ForwardAddress = "10.209.0.1" }, "dev", null, [], null, []);

        Assert.Equal("http://10.209.0.1:3128", environment["https_proxy"]);
    }

    [Fact]
    public void EveryCaVariable_NamesTheSandboxBundle()
    {
        Dictionary<string, string> environment = SandboxEnvironment.Build("10.209.0.1", s_ports, "dev", null, [], null, []);

        foreach (string variable in (string[])["SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "AWS_CA_BUNDLE"])
        {
            Assert.Equal("/etc/ssl/certs/ca-certificates.crt", environment[variable]);
        }
    }

    [Fact]
    public void WithPorts_ReplacesOnlyTheProxyVariables()
    {
        Dictionary<string, string> before = SandboxEnvironment.Build("10.209.0.1", s_ports, "dev", "t0k", [], null, []);
        before["KIT_REGION"] = "eu";

        Dictionary<string, string> after = SandboxEnvironment.WithPorts(before, "10.209.0.1", s_ports with { Forward = 3999 }, "dev", "t0k");

        Assert.Equal("http://dev:t0k@10.209.0.1:3999", after["HTTP_PROXY"]);
        Assert.Equal("eu", after["KIT_REGION"]);
        Assert.Equal(before["SSL_CERT_FILE"], after["SSL_CERT_FILE"]);
        Assert.False(SandboxEnvironment.WithPorts(before, "10.209.0.1", s_ports with { Forward = null }, "dev", null).ContainsKey("https_proxy"));
    }

    [Fact]
    public void KitVariables_TheGatewaysCopyWinning_AndPlaceholders_AreSet_AndAMissingPlaceholderIsNoted()
    {
        KitSpec kit = Kit("""
            schemaVersion: "1"
            kind: mixin
            name: k
            credentials:
              sources:
                s:
                  env: [A_KEY, B_KEY]
            environment:
              variables:
                REGION: eu
              proxyManaged: [A_KEY, B_KEY]
            """);
        var notes = new List<string>();

        Dictionary<string, string> environment = SandboxEnvironment.Build(
            "10.209.0.1", s_ports with { Forward = null }, "dev", null, [kit], new GatewayEnvironment(new() { ["REGION"] = "us" }, new() { ["A_KEY"] = "gw-placeholder-a" }), notes);

        Assert.Equal("us", environment["REGION"]);
        Assert.Equal("gw-placeholder-a", environment["A_KEY"]);
        Assert.False(environment.ContainsKey("B_KEY"));
        Assert.Equal("kit \"k\": the gateway gave no placeholder for B_KEY, so it is not set in the sandbox", Assert.Single(notes));
    }

    private static KitSpec Kit(string yaml)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(yaml, "spec.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }
}
