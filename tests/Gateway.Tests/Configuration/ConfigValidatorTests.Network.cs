namespace Gateway.Tests.Configuration;

public partial class ConfigValidatorTests
{
    [Theory]
    [InlineData("resolve:\n  hosts:\n    \"bad host.example.test\": 127.0.0.1\n", "gateway.yaml:3: resolve.hosts[\"bad host.example.test\"]: \"bad host.example.test\": contains a character no host name may have; use letters, digits, '-', '_' and '.' only")]
    [InlineData("resolve:\n  hosts:\n    \"*.example.test\": 127.0.0.1\n", "gateway.yaml:3: resolve.hosts[\"*.example.test\"]: \"*.example.test\": contains a character no host name may have; use letters, digits, '-', '_' and '.' only")]
    [InlineData("resolve:\n  hosts:\n    127.0.0.1: 127.0.0.2\n", "gateway.yaml:3: resolve.hosts[\"127.0.0.1\"]: \"127.0.0.1\" is an IP address; resolve.hosts maps host names to addresses")]
    [InlineData("resolve:\n  hosts:\n    api.example.test: localhost\n", "gateway.yaml:3: resolve.hosts[\"api.example.test\"]: \"localhost\" is not an IP address; write a literal such as 127.0.0.1 or ::1")]
    [InlineData("resolve:\n  hosts:\n    api.example.test: 0x7f.1\n", "gateway.yaml:3: resolve.hosts[\"api.example.test\"]: \"0x7f.1\" is not an IP address; write a literal such as 127.0.0.1 or ::1")]
    [InlineData("resolve:\n  hosts:\n    api.example.test:\n", "gateway.yaml:3: resolve.hosts[\"api.example.test\"]: needs an address, e.g. 127.0.0.1")]
    [InlineData("resolve:\n  hosts:\n    api.example.test: 127.0.0.1\n    API.Example.Test.: 127.0.0.2\n", "gateway.yaml:4: resolve.hosts[\"API.Example.Test.\"]: \"API.Example.Test.\" is the same host as \"api.example.test\"; write it once")]
    [InlineData("egress:\n  allowCidrs: [10.0.0.0]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"10.0.0.0\" is not a CIDR range; write address/prefix, e.g. 10.0.0.0/8 or fd00::/8")]
    [InlineData("egress:\n  allowCidrs: [10/8]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"10/8\" is not a CIDR range; write address/prefix, e.g. 10.0.0.0/8 or fd00::/8")]
    [InlineData("egress:\n  allowCidrs: [10.0.0.0/33]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"10.0.0.0/33\": the prefix must be 0-32")]
    [InlineData("egress:\n  allowCidrs: [\"fd00::/129\"]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"fd00::/129\": the prefix must be 0-128")]
    [InlineData("egress:\n  allowCidrs: [10.0.0.1/8]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"10.0.0.1/8\" has bits set after the prefix; write 10.0.0.0/8")]
    [InlineData("egress:\n  allowCidrs: [\"fd00::1/64\"]\n", "gateway.yaml:2: egress.allowCidrs[0]: \"fd00::1/64\" has bits set after the prefix; write fd00::/64")]
    [InlineData("upstream:\n  socks5: http://proxy.example.test:1080\n", "gateway.yaml:2: upstream.socks5: \"http://proxy.example.test:1080\" is not a SOCKS5 URL; use socks5://host:port, e.g. socks5://127.0.0.1:1080")]
    [InlineData("upstream:\n  socks5: socks5://proxy.example.test\n", "gateway.yaml:2: upstream.socks5: \"socks5://proxy.example.test\" is not a SOCKS5 URL; use socks5://host:port, e.g. socks5://127.0.0.1:1080")]
    [InlineData("upstream:\n  socks5: socks5://proxy.example.test:1080/path\n", "gateway.yaml:2: upstream.socks5: \"socks5://proxy.example.test:1080/path\" is not a SOCKS5 URL; use socks5://host:port, e.g. socks5://127.0.0.1:1080")]
    [InlineData("upstream:\n  socks5: socks5://proxy.example.test:0\n", "gateway.yaml:2: upstream.socks5: \"socks5://proxy.example.test:0\": the port must be 1-65535")]
    [InlineData("upstream:\n  socks5: socks5://user:secret@proxy.example.test:1080\n", "gateway.yaml:2: upstream.socks5: a SOCKS5 URL carries no credentials; name a credential source in upstream.socks5Credential")]
    [InlineData("upstream:\n  socks5: socks5://-bad.example.test:1080\n", "gateway.yaml:2: upstream.socks5: \"socks5://-bad.example.test:1080\": a label starts or ends with '-'; host name labels may not")]
    [InlineData("upstream:\n  socks5: socks5://proxy.example.test:1080\n  socks5Credential: corp\n", "gateway.yaml:3: upstream.socks5Credential: \"corp\" is not a credential source; define it under credentials.sources")]
    [InlineData("upstream:\n  socks5: socks5://proxy.example.test:1080\n  socks5Credential: key\ncredentials:\n  sources:\n    key: { env: [KEY] }\n", "gateway.yaml:3: upstream.socks5Credential: credential source \"key\" is not a username/password pair, which SOCKS5 (RFC 1929) needs")]
    [InlineData("upstream:\n  socks5Credential: corp\ncredentials:\n  sources:\n    corp: { username: u, password: { env: [P] } }\n", "gateway.yaml:2: upstream.socks5Credential: is set but upstream.socks5 is not; set the proxy it is for")]
    public void BadNetworkValue_IsExplained(string yaml, string expected) => AssertOneError(yaml, expected);

    [Fact]
    public void SecretInASocksUrl_IsNeverEchoed()
    {
        (_, List<string> errors) = ConfigTestLoader.Load("upstream:\n  socks5: socks5://user:hunter2@proxy.example.test:1080\n");
        Assert.DoesNotContain("hunter2", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Network_ValuesAreCanonical()
    {
        var config = ConfigTestLoader.LoadValid(
            "resolve:\n  hosts:\n    API.Example.Test.: \"::ffff:127.0.0.1\"\n    b.example.test: \"[fd00::1]\"\n"
            + "upstream:\n  socks5: SOCKS5://[FD00::2]:1080/\n");
        Assert.Equal("127.0.0.1", config.Resolve.Hosts["api.example.test"].ToString());
        Assert.Equal("fd00::1", config.Resolve.Hosts["b.example.test"].ToString());
        Assert.Equal("fd00::2", config.Upstream.Socks5!.Host);
        Assert.Equal(1080, config.Upstream.Socks5.Port);
    }
}
