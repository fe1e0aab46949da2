using PolicyCompiler.Yaml;

namespace PolicyCompiler.Tests.Yaml;

/// <summary>The one "did you mean" for configuration files, kits and environment overrides.</summary>
public class KeySuggestionTests
{
    private static readonly string[] s_listen = ["forward", "transparentHttp", "transparentTls", "dns", "metrics", "admin"];

    [Theory]
    [InlineData("forwrd", "forward")]
    [InlineData("fowrard", "forward")]
    [InlineData("FORWARD", "forward")]
    [InlineData("metric", "metrics")]
    [InlineData("transparenttls", "transparentTls")]
    [InlineData("zzz", null)]
    [InlineData("listen", null)]
    [InlineData("oauth", null)]
    public void Nearest_IsTheCloseOneOrNone(string text, string? expected) =>
        Assert.Equal(expected, KeySuggestion.Nearest(text, s_listen));

    [Theory]
    [InlineData("netwrok", "network", 1)]
    [InlineData("network", "network", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_CountsEditsAndAdjacentSwapsAsOne(string a, string b, int expected) =>
        Assert.Equal(expected, KeySuggestion.Distance(a, b));

    [Theory]
    [InlineData("forwrd", "unknown key; did you mean \"forward\"?")]
    [InlineData("zzz", "unknown key; valid keys are forward, transparentHttp, transparentTls, dns, metrics, admin")]
    public void UnknownKey_SuggestsTheNearestKeyOrListsThem(string key, string expected) =>
        Assert.Equal(expected, KeySuggestion.UnknownKey(Entry(key, ConfigOrigin.Yaml("t.yaml", 2, 3, "listen." + key)), s_listen));

    [Fact]
    public void UnknownKey_FromTheEnvironment_SuggestsTheVariableToSet()
    {
        ConfigEntry entry = Entry("FORWRD", ConfigOrigin.Environment("GATEWAY__LISTEN__FORWRD", "LISTEN.FORWRD"));

        Assert.Equal("unknown key; did you mean GATEWAY__LISTEN__FORWARD?", KeySuggestion.UnknownKey(entry, s_listen));
    }

    [Theory]
    [InlineData("oauth", "unknown key; an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)")]
    [InlineData("allowedDomains", "unknown key; \"allowedDomains\" goes under network")]
    [InlineData("listn", "unknown key; did you mean \"listen\"?")]
    public void UnknownKey_AtTheTopLevel_SaysWhereASectionBelongs_WhenItIsNoTypo(string key, string expected)
    {
        string[] topLevel = ["listen", "network", "credentials"];

        Assert.Equal(expected, KeySuggestion.UnknownKey(Entry(key, ConfigOrigin.Yaml("t.yaml", 1, 1, key)), topLevel, SectionHints.ForTopLevel));
    }

    private static ConfigEntry Entry(string key, ConfigOrigin origin) => new(key, origin, ConfigNode.Scalar("x", origin));
}
