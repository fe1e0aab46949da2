using Gateway.Interception.Forwarding;

namespace Gateway.Tests.Interception.Forwarding;

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
    [InlineData("//user//keys", "/user/keys")]
    [InlineData("/user///keys/", "/user/keys/")]
    [InlineData("/a%20b/c", "/a b/c")]
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
    [InlineData("/user/keys;x", "\";\"")]
    [InlineData("/user;v=1/keys", "\";\"")]
    [InlineData("/user/keys%3B", "\";\"")]
    [InlineData("/user/keys.", "ending in")]
    [InlineData("/user/keys%2e", "ending in")]
    [InlineData("/user/keys%2E/", "ending in")]
    [InlineData("/user/keys%20", "ending in")]
    [InlineData("/user%20/keys", "ending in")]
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

    [Theory]
    [InlineData("/user/keys", "/USER/KEYS", true, true)]
    [InlineData("/user/keys", "/User/Keys/1", true, true)]
    [InlineData("/user/keys", "/USER/KEYS", false, false)]
    [InlineData("/repos/*/keys", "/REPOS/a/KEYS", true, true)]
    [InlineData("/repos/*/keys", "/REPOS/a/KEYS", false, false)]
    [InlineData("/user/keys", "/user/keysafe", true, false)]
    public void PathMatches_InAnyCase_OnlyWhenAsked(string pattern, string path, bool anyCase, bool expected) =>
        Assert.Equal(expected, HttpRuleMatcher.PathMatches(pattern, path, anyCase));

    [Theory]
    [InlineData("GET", null, "/user/keys", false, "kit:k/rules[1]")] // the deny rule
    [InlineData("GET", null, "/USER/Keys", false, "kit:k/rules[1]")] // deny in any case
    [InlineData("GET", null, "/Repos/a", false, null)] // allow only as written: no allow matched
    [InlineData("get", null, "/repos/a", true, "kit:k/rules[0]")] // methods in any case
    [InlineData("GET", "DELETE", "/repos/a", false, null)] // the override is decided too
    [InlineData("DELETE", "GET", "/repos/a", false, null)] // and so is the request's own method
    [InlineData("GET", "head", "/repos/a", true, "kit:k/rules[0]")]
    public void Decide_DeniesUnderAnyReading(string method, string? overridden, string path, bool allowed, string? ruleId)
    {
        Assert.True(PolicyCompiler.Patterns.PatternParser.TryParse("h.example.test", out PolicyCompiler.Patterns.RulePattern? host, out _));
        HttpRuleEntry[] rules =
        [
            new("k", 0, new PolicyCompiler.Kits.KitHttpRule(host!, ["GET", "HEAD"], ["/repos"], PolicyCompiler.Rules.RuleDecision.Allow)),
            new("k", 1, new PolicyCompiler.Kits.KitHttpRule(host!, [], ["/user/keys"], PolicyCompiler.Rules.RuleDecision.Deny)),
        ];
        var methods = new RequestMethods(method, overridden is null ? null : [overridden.ToUpperInvariant()]);

        bool result = HttpRuleMatcher.Decide(rules, methods, path, out HttpRuleEntry? rule, out _);

        Assert.Equal((allowed, ruleId), (result, rule?.Id));
    }
}
