using Gateway.Interception;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 6: path normalisation (refusals included) and prefix / glob matching.</summary>
public sealed class HttpRuleMatcherTests
{
    [Theory]
    [InlineData("/repos/a/b?x=1", "/repos/a/b")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("https://api.example.test:443/v1/x?q", "/v1/x")]
    [InlineData("https://api.example.test", "/")]
    [InlineData("/", "/")]
    public void Normalize_DecodesThePath(string target, string expected) =>
        Assert.Equal(expected, RequestPath.TryNormalize(target, out _));

    [Theory]
    [InlineData("/a/../admin", "\".\" or \"..\"")]
    [InlineData("/a/%2e%2e/admin", "\".\" or \"..\"")]
    [InlineData("/a/./b", "\".\" or \"..\"")]
    [InlineData("/a/..", "\".\" or \"..\"")]
    [InlineData("/a%2Fb", "encoded slash")]
    [InlineData("/a%2fb", "encoded slash")]
    [InlineData("/a%5Cb", "encoded slash")]
    [InlineData("/a%00b", "control character")]
    [InlineData("/a\\b", "backslash")]
    [InlineData("/a%zz", "malformed percent escape")]
    [InlineData("/a%4", "malformed percent escape")]
    [InlineData("/a%C3", "not UTF-8")]
    public void Normalize_RefusesAmbiguousPaths(string target, string reason)
    {
        Assert.Null(RequestPath.TryNormalize(target, out string? problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/repos", "/repos", true)]
    [InlineData("/repos", "/repos/a", true)]
    [InlineData("/repos", "/repository", false)]
    [InlineData("/repos/", "/repos/a", true)]
    [InlineData("/repos/", "/repos", false)]
    [InlineData("/repos/*/keys", "/repos/a/keys", true)]
    [InlineData("/repos/*/keys", "/repos/a/b/keys", true)]
    [InlineData("/repos/*/keys", "/repos/a/keys/1", false)]
    [InlineData("/v1/*", "/v1/", true)]
    [InlineData("*", "/anything", true)]
    [InlineData("/a*b*c", "/axxbyyc", true)]
    [InlineData("/a*b*c", "/axxbyy", false)]
    public void PathMatches_PrefixAtASegmentBoundary_OrGlob(string pattern, string path, bool expected) =>
        Assert.Equal(expected, HttpRuleMatcher.PathMatches(pattern, path));
}
