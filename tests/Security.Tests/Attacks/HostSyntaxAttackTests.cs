using System.Collections.Immutable;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Security.Tests.Attacks;

/// <summary>
/// Names that try to look like an allowed host, or to make a pattern match more than it
/// says: trailing dots, case, IDN homographs and broken punycode, suffix confusion and
/// wildcard over-match. Each row asserts the decision and the rule that made it.
/// </summary>
public sealed class HostSyntaxAttackTests
{
    private static readonly PolicySnapshot s_policy = SnapshotCompiler.Compile(
    [
        Rule("allow-api", RuleDecision.Allow, "api.example.test"),
        Rule("allow-sub", RuleDecision.Allow, "*.corp.example.com"),
        Rule("allow-port", RuleDecision.Allow, "git.example.org:443"),
        Rule("allow-ip", RuleDecision.Allow, "127.0.0.1:8080"),
        Rule("deny-ads", RuleDecision.Deny, "ads.corp.example.com"),
        Rule("allow-idn", RuleDecision.Allow, "bücher.example"),
    ]);

    /// <summary>host, port, expected rule id (null: nothing matches, blocked).</summary>
    public static TheoryData<string, int, string?> Decisions => new()
    {
        // Canonical spellings of an allowed host match it.
        { "api.example.test", 443, "allow-api" },
        { "API.Example.TEST", 443, "allow-api" },
        { "api.example.test.", 443, "allow-api" },
        { "ＡＰＩ.example.test", 443, "allow-api" },           // full-width letters fold (UTS 46)
        { "\u200Bapi.example.test", 443, "allow-api" },      // UTS 46 deletes a zero-width space: the same name, dialled as such
        // Look-alikes do not.
        { "api.example.test.evil.test", 443, null },          // suffix confusion
        { "evil-api.example.test", 443, null },
        { "apiexample.test", 443, null },
        { "api-example.test", 443, null },
        { "xapi.example.test", 443, null },
        { "api.example.tes", 443, null },
        { "api.example.test.example.test", 443, null },
        { "аpi.example.test", 443, null },                    // Cyrillic а: a homograph, another name in punycode
        { "xn--pi-7kc.example.test", 443, null },             // the same homograph, already punycode
        { "api.exаmple.test", 443, null },
        // Wildcards: any depth below, never the root, never a sibling suffix.
        { "a.corp.example.com", 443, "allow-sub" },
        { "a.b.c.corp.example.com", 443, "allow-sub" },
        { "corp.example.com", 443, null },
        { "evilcorp.example.com", 443, null },
        { "a.corp.example.com.evil.test", 443, null },
        { "corp.example.com.evil.test", 443, null },
        { "a.corp-example.com", 443, null },
        { "a.corp.example.co", 443, null },
        // Deny beats allow, in every spelling.
        { "ads.corp.example.com", 443, "deny-ads" },
        { "ADS.corp.EXAMPLE.com.", 80, "deny-ads" },
        { "x.ads.corp.example.com", 443, "allow-sub" },       // the deny names that host only
        // Ports.
        { "git.example.org", 443, "allow-port" },
        { "git.example.org", 22, null },
        { "git.example.org", 4430, null },
        // IP literals: a domain pattern never matches one, an IP rule only its address and port.
        { "127.0.0.1", 8080, "allow-ip" },
        { "127.0.0.1", 8081, null },
        { "[::ffff:127.0.0.1]", 8080, "allow-ip" },           // the same address, mapped
        { "127.0.0.2", 8080, null },
        // IDN: Unicode and its punycode are one name.
        { "bücher.example", 443, "allow-idn" },
        { "BÜCHER.example", 443, "allow-idn" },
        { "xn--bcher-kva.example", 443, "allow-idn" },
        { "bucher.example", 443, null },
    };

    /// <summary>Hosts that are no host at all: refused before any lookup (400 on the wire).</summary>
    public static TheoryData<string> Invalid =>
    [
        "", ".", "..", "api.example.test..", ".api.example.test", "api..example.test",
        "api.example.test\0", "api.example.test\r\nX: y", "api example.test", "api.example.test/", "user@api.example.test",
        "api.example.test%00", "api.example.test\t", "-api.example.test", "api-.example.test",
        new string('a', 64) + ".example.test", string.Join('.', Enumerable.Repeat("abcdefgh", 32)),
        "xn--", "xn--zz-", "xn--.example.test", "a.xn--ls8h-.example", "xn--80ak6aa92e.xn--zzzzzzzzzzzzzz-",
        "\uFFFD.example", "a\u202Eb.example",
    ];

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Decision_MatchesTheRuleItSays_AndNoOther(string host, int port, string? rule)
    {
        Decision decision = s_policy.Decide(host.AsSpan(), port, KitSet.None);

        Assert.NotEqual(DecisionReason.InvalidHost, decision.Reason);
        if (rule is null)
        {
            Assert.False(decision.IsAllowed, $"{host}:{port} allowed by {decision.RuleId}");
        }
        else
        {
            Assert.Equal("local:" + rule, decision.RuleId);
            Assert.Equal(!rule.StartsWith("deny", StringComparison.Ordinal), decision.IsAllowed);
        }
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidHost_IsRefusedWithAReason_NeverLookedUp(string host)
    {
        Decision decision = s_policy.Decide(host.AsSpan(), 443, KitSet.None);

        Assert.False(decision.IsAllowed);
        Assert.Equal(DecisionReason.InvalidHost, decision.Reason);
        Assert.NotEqual(HostError.None, decision.HostError);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("*.com")]
    [InlineData("*.co.uk")]
    [InlineData("*.*.example.com")]
    [InlineData("api.*.example.com")]
    [InlineData("exa*mple.com")]
    [InlineData("**.example.com")]
    [InlineData("*example.com")]
    [InlineData("example.*")]
    [InlineData("example.com:0")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:044")]
    [InlineData("example.com:")]
    [InlineData("2130706433")]
    [InlineData("0x7f.1")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("user@example.com")]
    [InlineData("example.com/path")]
    [InlineData("example.com\n")]
    [InlineData("*.xn--")]
    public void PatternThatMatchesTooMuchOrNothing_IsRefusedWithAHint(string text)
    {
        bool parsed = PatternParser.TryParse(text, out RulePattern? pattern, out string? error);

        Assert.False(parsed, $"{text} parsed as {pattern}");
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void AllowAll_NeverMatchesAnInvalidHost()
    {
        PolicySnapshot all = SnapshotCompiler.Compile([Rule("all", RuleDecision.Allow, "**")]);
        foreach (string host in new[] { "a\0b", "a b", "2130706433", "127.1", "[::1%25lo]", "a..b" })
        {
            Assert.Equal(DecisionReason.InvalidHost, all.Decide(host.AsSpan(), 443, KitSet.None).Reason);
        }
    }

    private static PolicyRule Rule(string id, RuleDecision decision, params string[] patterns)
    {
        var parsed = ImmutableArray.CreateBuilder<RulePattern>();
        foreach (string text in patterns)
        {
            Assert.True(PatternParser.TryParse(text, out RulePattern? pattern, out string? error), error);
            parsed.Add(pattern!);
        }

        return new PolicyRule(id, decision, parsed.ToImmutable(), RuleSource.Local);
    }
}
