using PolicyCompiler.Patterns;

namespace PolicyCompiler.Tests.Patterns;

public class PatternParserTests
{
    private static readonly string s_label63 = new('a', 63);

    [Theory]
    [InlineData("example.com", PatternKind.Exact, "example.com", 0, "example.com")]
    [InlineData("Example.COM.", PatternKind.Exact, "example.com", 0, "example.com")]
    [InlineData("example.com:443", PatternKind.Exact, "example.com", 443, "example.com:443")]
    [InlineData("example.com:1", PatternKind.Exact, "example.com", 1, "example.com:1")]
    [InlineData("example.com:65535", PatternKind.Exact, "example.com", 65535, "example.com:65535")]
    [InlineData("_acme.example.com", PatternKind.Exact, "_acme.example.com", 0, "_acme.example.com")]
    [InlineData("co.uk", PatternKind.Exact, "co.uk", 0, "co.uk")]
    [InlineData("*.example.com", PatternKind.Wildcard, "example.com", 0, "*.example.com")]
    [InlineData("*.EXAMPLE.test.", PatternKind.Wildcard, "example.test", 0, "*.example.test")]
    [InlineData("*.example.com:8443", PatternKind.Wildcard, "example.com", 8443, "*.example.com:8443")]
    [InlineData("*.example.co.uk", PatternKind.Wildcard, "example.co.uk", 0, "*.example.co.uk")]
    [InlineData("*.city.kawasaki.jp", PatternKind.Wildcard, "city.kawasaki.jp", 0, "*.city.kawasaki.jp")]   // a PSL exception
    [InlineData("**", PatternKind.Everything, "**", 0, "**")]
    [InlineData("**:443", PatternKind.Everything, "**", 443, "**:443")]
    [InlineData("192.0.2.1", PatternKind.Address, "192.0.2.1", 0, "192.0.2.1")]
    [InlineData("127.0.0.1:8080", PatternKind.Address, "127.0.0.1", 8080, "127.0.0.1:8080")]
    [InlineData("127.0.0.1.", PatternKind.Address, "127.0.0.1", 0, "127.0.0.1")]
    [InlineData("[::1]", PatternKind.Address, "::1", 0, "[::1]")]
    [InlineData("[::1]:443", PatternKind.Address, "::1", 443, "[::1]:443")]
    [InlineData("[2001:DB8:0::1]:8443", PatternKind.Address, "2001:db8::1", 8443, "[2001:db8::1]:8443")]
    [InlineData("[::ffff:192.0.2.1]", PatternKind.Address, "192.0.2.1", 0, "192.0.2.1")]
    [InlineData("localhost", PatternKind.Exact, "localhost", 0, "localhost")]
    [InlineData("LOCALHOST.", PatternKind.Exact, "localhost", 0, "localhost")]
    [InlineData("localhost:5432", PatternKind.Exact, "localhost", 5432, "localhost:5432")]
    [InlineData("bücher.example", PatternKind.Exact, "xn--bcher-kva.example", 0, "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example:443", PatternKind.Exact, "xn--bcher-kva.example", 443, "xn--bcher-kva.example:443")]
    [InlineData("xn--bcher-kva.example", PatternKind.Exact, "xn--bcher-kva.example", 0, "xn--bcher-kva.example")]
    [InlineData("*.bücher.example", PatternKind.Wildcard, "xn--bcher-kva.example", 0, "*.xn--bcher-kva.example")]
    [InlineData("example\uFF0Ecom", PatternKind.Exact, "example.com", 0, "example.com")]
    [InlineData("*.example\u3002com", PatternKind.Wildcard, "example.com", 0, "*.example.com")]
    public void TryParse_ValidPattern_GivesItsCanonicalForm(string text, PatternKind kind, string host, int port, string canonical)
    {
        Assert.True(PatternParser.TryParse(text, out RulePattern? pattern, out string? error), error);

        Assert.Null(error);
        Assert.Equal(kind, pattern!.Kind);
        Assert.Equal(host, pattern.Host);
        Assert.Equal(port, pattern.Port);
        Assert.Equal(canonical, pattern.Text);
    }

    [Fact]
    public void TryParse_CanonicalText_ParsesBackToAnEqualPattern()
    {
        RulePattern first = TestRules.Pattern("*.Bücher.Example:443");

        RulePattern again = TestRules.Pattern(first.Text);

        Assert.Equal(first, again);
        Assert.Equal(first.GetHashCode(), again.GetHashCode());
    }

    public static TheoryData<string, string> RefusedPatterns => new()
    {
        // Empty labels.
        { "a..com", "remove the extra dot" },
        { ".example.com", "remove the extra dot" },
        { "example.com..", "remove the extra dot" },
        { "*..example.com", "remove the extra dot" },

        // Wildcards that match more than they say.
        { "*", "use \"**\" to match every host" },
        { "*:443", "use \"**\" to match every host" },
        { "*.", "a wildcard needs a domain under it" },
        { "*.com", "wildcard directly over the public suffix \"com\"" },
        { "*.test", "wildcard directly over the public suffix \"test\"" },
        { "*.co.uk", "wildcard directly over the public suffix \"co.uk\"" },
        { "*.foo.ck", "wildcard directly over the public suffix \"foo.ck\"" },      // covered by the PSL rule "*.ck"
        { "*.kawasaki.jp", "every name directly under \"kawasaki.jp\" is a public suffix" },
        { "*.localhost", "wildcard directly over the public suffix \"localhost\"" },
        { "a.*.example.com", "a wildcard may only be the first label; use \"*.example.com\"" },
        { "*.*.example.com", "a wildcard may only be the first label; use \"*.example.com\"" },
        { "example.*", "a wildcard may only be the first label" },
        { "foo*.example.com", "a wildcard must be a whole label; use \"*.example.com\"" },
        { "*foo.example.com", "a wildcard must be a whole label; use \"*.example.com\"" },
        { "**.example.com", "\"**\" may only stand alone as a whole rule" },
        { "a.**", "\"**\" may only stand alone as a whole rule" },
        { "*.127.0.0.1", "a wildcard cannot apply to an IP address" },

        // Ports.
        { "example.com:0", "use a number from 1 to 65535" },
        { "example.com:65536", "use a number from 1 to 65535" },
        { "example.com:99999", "use a number from 1 to 65535" },
        { "example.com:123456", "use a number from 1 to 65535" },
        { "example.com:abc", "use a number from 1 to 65535" },
        { "example.com:", "port \"\" is not a port" },
        { "example.com:-1", "use a number from 1 to 65535" },
        { "example.com:+443", "use a number from 1 to 65535" },
        { "example.com:0443", "has a leading zero; write \"443\"" },
        { "example.com:00", "use a number from 1 to 65535" },
        { "[::1]:", "port \"\" is not a port" },
        { "[::1]:0", "use a number from 1 to 65535" },

        // IP literals in any but the strict forms.
        { "2130706433", "not a canonical IPv4 address" },
        { "0x7f.0.0.1", "not a canonical IPv4 address" },
        { "0177.0.0.1", "not a canonical IPv4 address" },
        { "127.1", "not a canonical IPv4 address" },
        { "127.0.0.01", "not a canonical IPv4 address" },
        { "256.0.0.1", "not a canonical IPv4 address" },
        { "::1", "an IPv6 literal must be written in brackets" },
        { "2001:db8::1", "an IPv6 literal must be written in brackets" },
        { "2001:db8::1:443", "an IPv6 literal must be written in brackets" },
        { "[::1", "missing its closing \"]\"" },
        { "[::1]443", "unexpected text after the IPv6 literal" },
        { "[fe80::1%25eth0]", "without a zone" },
        { "[1:2:3:4:5:6:7:8:9]", "not a valid IPv6 address" },
        { "[example.com]", "not a valid IPv6 address" },

        // Whitespace and control characters anywhere.
        { " example.com", "contains whitespace or a control character" },
        { "example.com ", "contains whitespace or a control character" },
        { "exa mple.com", "contains whitespace or a control character" },
        { "example.com\t", "contains whitespace or a control character" },
        { "example.com\nevil.example.org", "contains whitespace or a control character" },
        { "example.com\r", "contains whitespace or a control character" },
        { "exa\0mple.com", "contains whitespace or a control character" },
        { "example.com\u00A0", "contains whitespace or a control character" },

        // Not a host name.
        { "intranet", "single-label name" },
        { "com", "single-label name" },
        { "INTRANET.", "single-label name" },
        { "-example.com", "a label starts or ends with '-'" },
        { "example.com/path", "a character no host name may have" },
        { "user@example.com", "a character no host name may have" },
        { s_label63 + "a.example.com", "longer than 63 characters" },
        { string.Join('.', Enumerable.Repeat(s_label63, 4)), "longer than 253 characters" },
        { string.Join('.', Enumerable.Repeat("a", 200)) + ".example.com", "longer than 253 characters" },
        { "bücher..example", "not a valid internationalised name" },
    };

    [Theory]
    [MemberData(nameof(RefusedPatterns))]
    public void TryParse_RefusedPattern_NamesThePatternAndTheFix(string text, string hint)
    {
        Assert.False(PatternParser.TryParse(text, out RulePattern? pattern, out string? error));

        Assert.Null(pattern);
        string printable = string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        Assert.Contains($"pattern \"{printable}\": ", error, StringComparison.Ordinal);
        Assert.Contains(hint, error, StringComparison.Ordinal);
        Assert.DoesNotContain(error!, char.IsControl);
    }

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("https://example.com/path")]
    public void TryParse_Url_IsRefusedWithAHostOnlyHint(string text)
    {
        Assert.False(PatternParser.TryParse(text, out _, out string? error));

        Assert.Equal($"pattern \"{text}\": looks like a URL; write the host only, without scheme or path, e.g. \"example.com\" or \"example.com:8443\"", error);
    }

    [Fact]
    public void TryParse_EmptyPattern_IsRefusedWithAnExample()
    {
        Assert.False(PatternParser.TryParse("", out RulePattern? pattern, out string? error));

        Assert.Null(pattern);
        Assert.Equal("empty pattern; name a host such as \"example.com\"", error);
    }

    [Fact]
    public void TryParseList_CommaSeparatedPatterns_ParseInOrder()
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.True(PatternParser.TryParseList("a.com, *.b.com,c.com:443", patterns, errors));

        Assert.Empty(errors);
        Assert.Equal(["a.com", "*.b.com", "c.com:443"], patterns.Select(p => p.Text));
        Assert.Equal([PatternKind.Exact, PatternKind.Wildcard, PatternKind.Exact], patterns.Select(p => p.Kind));
    }

    [Fact]
    public void TryParseList_OnePattern_IsAListOfOne()
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.True(PatternParser.TryParseList("example.com", patterns, errors));

        Assert.Equal("example.com", Assert.Single(patterns).Text);
    }

    [Fact]
    public void TryParseList_DuplicatesAfterCanonicalisation_AreKeptOnce()
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.True(PatternParser.TryParseList("a.example.com, A.Example.COM., a.example.com:443", patterns, errors));

        Assert.Equal(["a.example.com", "a.example.com:443"], patterns.Select(p => p.Text));
    }

    [Theory]
    [InlineData("a.example.com,,b.example.com")]
    [InlineData("a.example.com,")]
    [InlineData(",a.example.com")]
    [InlineData("a.example.com, ,b.example.com")]
    public void TryParseList_EmptyEntry_IsRefused(string list)
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.False(PatternParser.TryParseList(list, patterns, errors));

        string error = Assert.Single(errors);
        Assert.Contains($"empty entry in \"{list}\"", error, StringComparison.Ordinal);
        Assert.Contains("remove the extra comma", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void TryParseList_NothingAtAll_IsRefusedAsAnEmptyPattern(string list)
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.False(PatternParser.TryParseList(list, patterns, errors));

        Assert.Equal("empty pattern; name a host such as \"example.com\"", Assert.Single(errors));
        Assert.Empty(patterns);
    }

    [Fact]
    public void TryParseList_SeveralBadEntries_AreAllReported()
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();

        Assert.False(PatternParser.TryParseList("a..example.com, *, ok.example.com, *.com,,example.com:0", patterns, errors));

        Assert.Collection(
            errors,
            e => Assert.StartsWith("pattern \"a..example.com\": ", e, StringComparison.Ordinal),
            e => Assert.StartsWith("pattern \"*\": ", e, StringComparison.Ordinal),
            e => Assert.StartsWith("pattern \"*.com\": ", e, StringComparison.Ordinal),
            e => Assert.StartsWith("empty entry in ", e, StringComparison.Ordinal),
            e => Assert.StartsWith("pattern \"example.com:0\": ", e, StringComparison.Ordinal));
        Assert.Equal("ok.example.com", Assert.Single(patterns).Text);
    }

    [Fact]
    public void TryParseList_ErrorsOfAnEarlierList_DoNotFailTheNextOne()
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string> { "an error from an earlier call" };

        Assert.True(PatternParser.TryParseList("example.org", patterns, errors));
    }
}
