using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Tests.Groups;

public class DefaultPoliciesTests
{
    [Theory]
    [InlineData("example.com", 443)]
    [InlineData("a.b.example.org", 8080)]
    [InlineData("localhost", 5432)]
    [InlineData("bücher.example", 443)]
    [InlineData("192.0.2.1", 443)]
    [InlineData("127.0.0.1", 22)]
    [InlineData("[::1]", 443)]
    [InlineData("[2001:db8::1]", 65535)]
    public void AllowAll_AllowsAnyHostIncludingIpLiterals(string host, int port)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.AllowAll));

        Decision decision = snapshot.Decide(host, port, KitSet.None);

        Assert.Equal(DecisionVerdict.Allowed, decision.Verdict);
        Assert.Equal(DecisionReason.AllowRule, decision.Reason);
        Assert.Equal(DefaultPolicies.AllowAllGroup, decision.RuleId);
        Assert.Equal(DefaultPolicies.AllowAllGroup, decision.Source);
        Assert.Equal("**", decision.Pattern!.Text);
    }

    [Theory]
    [InlineData("api.anthropic.com")]
    [InlineData("github.com")]
    [InlineData("example.com")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void DenyAll_BlocksEverything(string host)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.DenyAll));

        Decision decision = snapshot.Decide(host, 443, KitSet.None);

        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.Equal(DecisionReason.NoMatchingRule, decision.Reason);
        Assert.Equal(Decision.NoMatchRuleId, decision.RuleId);
        Assert.Empty(DefaultPolicies.RulesFor(DefaultPolicy.DenyAll));
    }

    [Theory]
    [InlineData("api.anthropic.com", BuiltInGroups.AiServices, "*.anthropic.com")]
    [InlineData("anthropic.com", BuiltInGroups.AiServices, "anthropic.com")]
    [InlineData("api.openai.com", BuiltInGroups.AiServices, "*.openai.com")]
    [InlineData("generativelanguage.googleapis.com", BuiltInGroups.AiServices, "generativelanguage.googleapis.com")]
    [InlineData("huggingface.co", BuiltInGroups.AiServices, "huggingface.co")]
    [InlineData("pypi.org", BuiltInGroups.PackageManagers, "pypi.org")]
    [InlineData("files.pythonhosted.org", BuiltInGroups.PackageManagers, "*.pythonhosted.org")]
    [InlineData("crates.io", BuiltInGroups.PackageManagers, "crates.io")]
    [InlineData("static.crates.io", BuiltInGroups.PackageManagers, "*.crates.io")]
    [InlineData("proxy.golang.org", BuiltInGroups.PackageManagers, "proxy.golang.org")]
    [InlineData("rubygems.org", BuiltInGroups.PackageManagers, "rubygems.org")]
    [InlineData("github.com", BuiltInGroups.CodeAndContainers, "github.com")]
    [InlineData("api.github.com", BuiltInGroups.CodeAndContainers, "*.github.com")]
    [InlineData("objects.githubusercontent.com", BuiltInGroups.CodeAndContainers, "*.githubusercontent.com")]
    [InlineData("ghcr.io", BuiltInGroups.CodeAndContainers, "ghcr.io")]
    [InlineData("gitlab.com", BuiltInGroups.CodeAndContainers, "gitlab.com")]
    [InlineData("mcr.microsoft.com", BuiltInGroups.CodeAndContainers, "mcr.microsoft.com")]
    [InlineData("s3.amazonaws.com", BuiltInGroups.CloudInfrastructure, "*.amazonaws.com")]
    [InlineData("storage.googleapis.com", BuiltInGroups.CloudInfrastructure, "*.googleapis.com")]
    [InlineData("login.microsoftonline.com", BuiltInGroups.CloudInfrastructure, "login.microsoftonline.com")]
    [InlineData("archlinux.org", BuiltInGroups.OsPackages, "archlinux.org")]
    [InlineData("mirrors.fedoraproject.org", BuiltInGroups.OsPackages, "*.fedoraproject.org")]
    [InlineData("API.Anthropic.COM.", BuiltInGroups.AiServices, "*.anthropic.com")]
    public void Balanced_AllowsTheServicesAnAgentNeeds_ByTheirGroup(string host, string group, string pattern)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.Balanced));

        Decision decision = snapshot.Decide(host, 443, KitSet.None);

        Assert.Equal(DecisionVerdict.Allowed, decision.Verdict);
        Assert.Equal(DecisionReason.AllowRule, decision.Reason);
        Assert.Equal(group, decision.RuleId);
        Assert.Equal(group, decision.Source);
        Assert.Equal(pattern, decision.Pattern!.Text);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("api.example.test")]
    [InlineData("anthropic.com.example.org")]       // a covered name as a prefix of another
    [InlineData("evilgithub.com")]
    [InlineData("github.io")]                       // user content is left out on purpose
    [InlineData("google.com")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("[::1]")]
    public void Balanced_BlocksWhatNoGroupCovers(string host)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.Balanced));

        Decision decision = snapshot.Decide(host, 443, KitSet.None);

        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.Equal(DecisionReason.NoMatchingRule, decision.Reason);
        Assert.Equal(Decision.NoMatchRuleId, decision.RuleId);
    }

    [Fact]
    public void Balanced_ConsistsOfTheFiveBuiltInGroupsInListingOrder()
    {
        IReadOnlyList<PolicyRule> rules = DefaultPolicies.RulesFor(DefaultPolicy.Balanced);

        Assert.Equal(
            [BuiltInGroups.AiServices, BuiltInGroups.PackageManagers, BuiltInGroups.CodeAndContainers, BuiltInGroups.CloudInfrastructure, BuiltInGroups.OsPackages],
            rules.Select(r => r.Id));
        Assert.All(rules, r =>
        {
            Assert.Equal(RuleDecision.Allow, r.Decision);
            Assert.Equal(RuleSourceKind.BuiltIn, r.Source.Kind);
            Assert.Equal(r.Id, r.Source.Name);
            Assert.Equal(r.Id, r.DisplayId);
            Assert.NotEmpty(r.Resources);
        });
    }

    [Fact]
    public void BuiltInGroups_HaveNoDuplicatePatterns()
    {
        string[] patterns = [.. BuiltInGroups.All.SelectMany(r => r.Resources).Select(p => p.Text)];

        Assert.Equal(patterns.Length, patterns.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(BuiltInGroups.AiServices, true)]
    [InlineData(BuiltInGroups.OsPackages, true)]
    [InlineData(DefaultPolicies.AllowAllGroup, true)]
    [InlineData("local", false)]
    [InlineData("default-something-else", false)]
    public void IsBuiltIn_KnowsTheGroupsAndTheAllowAllRule(string id, bool expected)
    {
        Assert.Equal(expected, BuiltInGroups.IsBuiltIn(id));
    }

    [Theory]
    [InlineData("allow-all", DefaultPolicy.AllowAll)]
    [InlineData("balanced", DefaultPolicy.Balanced)]
    [InlineData("deny-all", DefaultPolicy.DenyAll)]
    public void TryParse_EveryName_RoundTripsThroughToName(string name, DefaultPolicy expected)
    {
        Assert.True(DefaultPolicies.TryParse(name, out DefaultPolicy policy));

        Assert.Equal(expected, policy);
        Assert.Equal(name, DefaultPolicies.ToName(policy));
        Assert.Contains(name, DefaultPolicies.Names);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Balanced")]
    [InlineData("allow_all")]
    [InlineData("open")]
    public void TryParse_UnknownName_IsRefused(string? name)
    {
        Assert.False(DefaultPolicies.TryParse(name, out _));
    }
}
