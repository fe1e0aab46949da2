using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;

namespace PolicyCompiler.Tests.Compilation;

public class SmokeTests
{
    [Fact]
    public void Balanced_AllowsGithub()
    {
        PolicySnapshot s = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.Balanced));
        Decision d = s.Decide("api.github.com", 443, KitSet.None);
        Assert.True(d.IsAllowed);
        Assert.Equal("default-code-and-containers", d.RuleId);
        Assert.Equal("*.github.com", d.Pattern!.Text);
        Assert.False(s.Decide("evil.example.com", 443, KitSet.None).IsAllowed);
    }
}
