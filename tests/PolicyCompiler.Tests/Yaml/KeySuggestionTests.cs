using PolicyCompiler.Yaml;

namespace PolicyCompiler.Tests.Yaml;

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
}
