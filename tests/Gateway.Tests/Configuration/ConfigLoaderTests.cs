using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using PolicyCompiler.Groups;

namespace Gateway.Tests.Configuration;

public class ConfigLoaderTests
{
    private static readonly string s_example = Path.Combine(AppContext.BaseDirectory, "testdata", "gateway.example.yaml");

    [Fact]
    public void NoFile_GivesTheEmbeddedDefault()
    {
        var errors = new List<string>();
        Assert.True(ConfigLoader.TryLoad(null, ConfigLoader.NoEnvironment, ConfigTestLoader.Options, out GatewayConfig config, errors));
        Assert.Empty(errors);
        AssertDefaults(config);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    [InlineData("listen:\npolicy: null\n")]
    public void EmptyFile_GivesTheEmbeddedDefault(string yaml) => AssertDefaults(ConfigTestLoader.LoadValid(yaml));

    [Fact]
    public void CreateDefault_IsWhatTheLoaderGivesWithNoFile()
    {
        GatewayConfig config = GatewayConfig.CreateDefault(ConfigTestLoader.StateDir);
        AssertDefaults(config);
    }

    [Fact]
    public void ExampleFile_LoadsEveryKey()
    {
        var errors = new List<string>();
        bool ok = ConfigLoader.TryLoad(s_example, ConfigLoader.NoEnvironment, ConfigTestLoader.Options with { StateDirOption = null }, out GatewayConfig c, errors);
        Assert.Empty(errors);
        Assert.True(ok);

        Assert.Equal("/var/lib/egress-gateway", c.StateDir);
        Assert.Equal("127.0.0.1:3128", c.Listen.Forward!.ToString());
        Assert.Equal("10.209.0.1:15080", c.Listen.TransparentHttp!.ToString());
        Assert.Equal("10.209.0.1:15443", c.Listen.TransparentTls!.ToString());
        Assert.Equal("10.209.0.1:53", c.Listen.Dns!.ToString());
        Assert.Equal("127.0.0.1:9090", c.Listen.Metrics!.ToString());
        Assert.Equal("/var/lib/egress-gateway/admin.sock", c.Listen.Admin.ToString());
        Assert.Equal(new TransparentConfig(443, 80), c.Transparent);
        Assert.Equal(new PolicyConfig(DefaultPolicy.Balanced, PolicyMode.Enforce), c.Policy);
        Assert.Equal(IPAddress.Loopback, c.Resolve.Hosts["api.example.test"]);
        Assert.Equal(IPAddress.IPv6Loopback, c.Resolve.Hosts["mirror.example.test"]);
        Assert.Equal(["10.210.0.0/16", "fd00:1::/64"], c.Egress.AllowCidrs.Select(n => n.ToString()));
        Assert.Equal<string>(["/etc/egress-gateway/ca/corp-root.pem"], c.Trust.ExtraRootCAs);
        Assert.Equal(new DnsEndPoint("proxy.example.test", 1080), c.Upstream.Socks5);
        Assert.Equal("corp-proxy", c.Upstream.Socks5Credential);

        Assert.Equal<string>(["MY_SERVICE_API_KEY"], c.Credentials.Sources["my-service"].Secret!.Environment);
        CredentialValueConfig registry = c.Credentials.Sources["registry-token"].Secret!;
        Assert.Equal<string>(["REGISTRY_TOKEN"], registry.Environment);
        Assert.Equal("/var/lib/egress-gateway/secrets/registry-token", registry.File);
        CredentialSourceConfig proxy = c.Credentials.Sources["corp-proxy"];
        Assert.True(proxy.IsUsernamePassword);
        Assert.Equal("svc-gateway", proxy.Username!.Literal);
        Assert.Equal("/etc/egress-gateway/secrets/proxy-password", proxy.Password!.File);

        Assert.Equal<string>(["/etc/egress-gateway/kits/*/spec.yaml"], c.Kits);
        Assert.Equal(["dev", "ci-runner"], c.Sandboxes.Select(s => s.Name));
        Assert.Equal<IPAddress>([IPAddress.Loopback], c.Sandboxes[0].Addresses);
        Assert.Equal<string>(["my-kit"], c.Sandboxes[0].Kits);
        Assert.Null(c.Sandboxes[0].Token);
        Assert.Equal<IPAddress>([IPAddress.Parse("10.209.0.6"), IPAddress.Parse("fd00::6")], c.Sandboxes[1].Addresses);
        Assert.Equal("0123456789abcdef0123456789abcdef", c.Sandboxes[1].Token);
        Assert.Equal(new LimitsConfig(50000, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), c.Limits);
        Assert.Equal(new AuditConfig("/var/lib/egress-gateway/audit.jsonl", 100L << 20, 10), c.Audit);
    }

    [Fact]
    public void EveryPrefixOfTheExample_LoadsOrReports_NeverThrows()
    {
        // A file cut short (a half-written deploy, a truncated ConfigMap) must give errors, not a crash.
        string text = File.ReadAllText(s_example);
        for (int length = 0; length <= text.Length; length++)
        {
            (_, List<string> errors) = ConfigTestLoader.Load(text[..length]);
            Assert.All(errors, e => Assert.StartsWith("gateway.yaml", e, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void MissingFile_IsOneClearError()
    {
        var errors = new List<string>();
        Assert.False(ConfigLoader.TryLoad("/nonexistent.example.test/gateway.yaml", ConfigLoader.NoEnvironment, ConfigTestLoader.Options, out _, errors));
        Assert.Equal(["/nonexistent.example.test/gateway.yaml: configuration file not found; check --config"], errors);
    }

    [Fact]
    public void File_RelativePathsAreRelativeToTheFile()
    {
        string directory = Directory.CreateTempSubdirectory("gateway-config-").FullName;
        try
        {
            string file = Path.Combine(directory, "gateway.yaml");
            File.WriteAllText(file, "kits: [kits/*/spec.yaml]\nlisten:\n  forwrd: 1\n");
            var errors = new List<string>();
            ConfigLoader.TryLoad(file, ConfigLoader.NoEnvironment, ConfigTestLoader.Options, out GatewayConfig config, errors);
            Assert.Equal([$"{file}:3: listen.forwrd: unknown key; did you mean \"forward\"?"], errors);
            Assert.Equal<string>([Path.Combine(directory, "kits/*/spec.yaml")], config.Kits);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void UnknownTopLevelSections_AreErrors_NamingFileLineKeyAndWhereTheyBelong()
    {
        string directory = Directory.CreateTempSubdirectory("gateway-config-").FullName;
        try
        {
            string file = Path.Combine(directory, "gateway.yaml");
            File.WriteAllText(file, "listen:\n  forward: 127.0.0.1:3128\noauth:\n  tokenUrl: https://auth.example.test/token\ncredential:\n  sources: {}\nnetwork:\n  allowedDomains: [a.example.test]\n");
            var errors = new List<string>();

            Assert.False(ConfigLoader.TryLoad(file, ConfigLoader.NoEnvironment, ConfigTestLoader.Options, out _, errors));

            Assert.Equal(
                [
                    $"{file}:3: oauth: unknown key; an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)",
                    $"{file}:5: credential: unknown key; did you mean \"credentials\"?",
                    $"{file}:7: network: unknown key; \"network\" is a kit section; write it in a kit's spec.yaml and list that file under kits",
                ],
                errors);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SeveralProblems_AreAllReported_InOrder()
    {
        (_, List<string> errors) = ConfigTestLoader.Load(
            """
            listen:
              forwrd: 127.0.0.1:3128
              metrics: 0.0.0.0:9090
            limits:
              headerTimeout: soon
              maxConnections: 0
            sandboxes:
              - { name: Dev, addresses: [10.0.0] }
            """,
            ("GATEWAY__LIMITS__IDLETIMEOUT", "forever"));
        Assert.Equal(
            [
                "gateway.yaml:2: listen.forwrd: unknown key; did you mean \"forward\"?",
                "gateway.yaml:3: listen.metrics: \"0.0.0.0:9090\" is reachable from other hosts; metrics listen on loopback or a unix socket, e.g. 127.0.0.1:9090, unless listen.metricsAllowRemote: true is set (then no sandbox may reach that address)",
                "gateway.yaml:8: sandboxes[0].name: \"Dev\" is not a sandbox name; use lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters",
                "gateway.yaml:8: sandboxes[0].addresses[0]: \"10.0.0\" is not an IP address; write a literal such as 10.209.0.2 or fd00::2",
                "gateway.yaml:6: limits.maxConnections: 0 is out of range; use 1-10000000",
                "gateway.yaml:5: limits.headerTimeout: \"soon\" is not a duration; use e.g. 10s, 500ms, 5m",
                "GATEWAY__LIMITS__IDLETIMEOUT: \"forever\" is not a duration; use e.g. 10s, 500ms, 5m",
            ],
            errors);
    }

    [Fact]
    public void UpstreamAndHttp2Limits_AreRead_AndOutOfRangeValuesNamed()
    {
        LimitsConfig limits = ConfigTestLoader.LoadValid("limits:\n  upstreamRequestsPerConnection: 4\n  http2ControlFramesPerSecond: 250\n").Limits;
        Assert.Equal(4, limits.UpstreamRequestsPerConnection);
        Assert.Equal(250, limits.Http2ControlFramesPerSecond);

        (_, List<string> errors) = ConfigTestLoader.Load("limits:\n  upstreamRequestsPerConnection: 0\n  http2ControlFramesPerSecond: 5\n");
        Assert.Equal(
            [
                "gateway.yaml:2: limits.upstreamRequestsPerConnection: 0 is out of range; use 1-1000",
                "gateway.yaml:3: limits.http2ControlFramesPerSecond: 5 is out of range; use 10-1000000",
            ],
            errors);
    }

    [Theory]
    [InlineData("listen:\n  admin: unix:{stateDir}/a.sock\n", "/srv/gateway-state/a.sock")]
    [InlineData("listen:\n  admin: unix:/run/{stateDir}.sock\n", "/run/srv/gateway-state.sock")]
    [InlineData("listen:\n  admin: unix:relative.sock\n", "/work/cwd/relative.sock")]
    public void AdminSocket_ExpandsStateDir(string yaml, string expected) =>
        Assert.Equal(expected, ConfigTestLoader.LoadValid(yaml).Listen.Admin.ToString());

    [Theory]
    [InlineData("kits: [\"{stateDir}/kits/*.yaml\"]\n", "/srv/gateway-state/kits/*.yaml")]
    [InlineData("kits: [\"/etc/kits/{a,b}/spec.yaml\"]\n", "/etc/kits/{a,b}/spec.yaml")]
    [InlineData("kits: [\"{stateDir}/{x,y}/{stateDir}\"]\n", "/srv/gateway-state/{x,y}/srv/gateway-state")]
    [InlineData("kits: [local/spec.yaml]\n", "/work/cwd/local/spec.yaml")]
    public void Paths_ExpandStateDir_AndLeaveGlobBracesAlone(string yaml, string expected) =>
        Assert.Equal<string>([expected], ConfigTestLoader.LoadValid(yaml).Kits);

    [Fact]
    public void StateDirPlaceholder_FollowsTheResolvedStateDir()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid(
            "stateDir: /srv/ignored\naudit:\n  file: \"{stateDir}/log/audit.jsonl\"\n",
            ("GATEWAY_STATE_DIR", "/srv/from-env"));

        // --state-dir (the loader option) wins over GATEWAY_STATE_DIR, which wins over the file.
        Assert.Equal(ConfigTestLoader.StateDir, config.StateDir);
        Assert.Equal("/srv/gateway-state/log/audit.jsonl", config.Audit.File);
        Assert.Equal("/srv/gateway-state/admin.sock", config.Listen.Admin.ToString());
    }

    [Fact]
    public void SandboxToken_IsNeverPrinted()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid(
            "sandboxes:\n  - { name: ci, addresses: [10.209.0.6], token: 0123456789abcdef0123 }\n");
        string text = config.Sandboxes[0].ToString();
        Assert.DoesNotContain("0123456789abcdef0123", text, StringComparison.Ordinal);
        Assert.Contains("Token = ***", text, StringComparison.Ordinal);
    }

    private static void AssertDefaults(GatewayConfig c)
    {
        Assert.Equal(ConfigTestLoader.StateDir, c.StateDir);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3128), c.Listen.Forward);
        Assert.Null(c.Listen.TransparentHttp);
        Assert.Null(c.Listen.TransparentTls);
        Assert.Null(c.Listen.Dns);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9090), c.Listen.Metrics);
        Assert.False(c.Listen.MetricsAllowRemote);
        Assert.IsType<UnixDomainSocketEndPoint>(c.Listen.Admin);
        Assert.Equal("/srv/gateway-state/admin.sock", c.Listen.Admin.ToString());
        Assert.Equal(new TransparentConfig(443, 80), c.Transparent);
        Assert.Equal(new PolicyConfig(DefaultPolicy.Balanced, PolicyMode.Enforce), c.Policy);
        Assert.Empty(c.Resolve.Hosts);
        Assert.Empty(c.Egress.AllowCidrs);
        Assert.Empty(c.Trust.ExtraRootCAs);
        Assert.Equal(new UpstreamConfig(null, null), c.Upstream);
        Assert.Empty(c.Credentials.Sources);
        Assert.Empty(c.Kits);
        Assert.Empty(c.Sandboxes);
        Assert.Equal(new LimitsConfig(50000, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), c.Limits);
        Assert.Equal(new AuditConfig("/srv/gateway-state/audit.jsonl", 100L << 20, 10), c.Audit);
    }
}
