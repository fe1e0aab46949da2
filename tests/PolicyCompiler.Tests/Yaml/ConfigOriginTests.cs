using PolicyCompiler.Yaml;

namespace PolicyCompiler.Tests.Yaml;

/// <summary>One way of writing where a problem is, for configuration files, kits and the environment.</summary>
public class ConfigOriginTests
{
    public static TheoryData<ConfigOrigin, string, string> Cases => new()
    {
        { ConfigOrigin.Yaml("gateway.yaml", 3, 5, "listen.forward"), "listen.forward", "gateway.yaml:3: listen.forward: bad" },
        { ConfigOrigin.Yaml("gateway.yaml", 3, 5, ""), "", "gateway.yaml:3: bad" },
        { ConfigOrigin.Yaml("gateway.yaml", 0, 0, ""), "", "gateway.yaml: bad" },
        { ConfigOrigin.Environment("GATEWAY__LISTEN__FORWARD", "LISTEN.FORWARD"), "listen.forward", "GATEWAY__LISTEN__FORWARD: bad" },
        { ConfigOrigin.Default, "listen.forward", "listen.forward: bad" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_NamesThePlaceToFix(ConfigOrigin origin, string keyPath, string expected) =>
        Assert.Equal(expected, origin.Format(keyPath, "bad"));

    [Theory]
    [InlineData("", "network", "network")]
    [InlineData("network", "allowedDomains", "network.allowedDomains")]
    [InlineData("network.serviceDomains", "api.example.com", "network.serviceDomains[\"api.example.com\"]")]
    [InlineData("credentials.sources", "my-source_2", "credentials.sources.my-source_2")]
    public void KeyPaths_BracketNamesThatAreNotPlainWords(string path, string key, string expected) =>
        Assert.Equal(expected, YamlKeyPath.Child(path, key));
}
