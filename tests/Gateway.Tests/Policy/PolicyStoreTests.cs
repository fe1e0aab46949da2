using Gateway.Policy;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Tests.Policy;

public sealed class PolicyStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("policy-store-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_OfAnEmptyDirectory_IsTheEmptyStore()
    {
        Assert.Same(StoredPolicy.Empty, new PolicyStore(Path.Combine(_directory, "absent")).Load());
    }

    [Fact]
    public void Update_PersistsRulesDefaultAndKitReferences()
    {
        var store = new PolicyStore(_directory);
        RulePattern pattern = Parse("api.example.test");

        store.Update(policy =>
        {
            (StoredPolicy next, _, _) = LocalRules.Add(policy, RuleDecision.Allow, [pattern], DateTimeOffset.UnixEpoch);
            return (next with { Default = "deny-all", Kits = [new KitReference("dev", "/etc/kits/dev/spec.yaml")] }, 0);
        });

        StoredPolicy loaded = new PolicyStore(_directory).Load();
        Assert.Equal("deny-all", loaded.Default);
        Assert.Equal(["api.example.test"], loaded.Rules.Single().Resources);
        Assert.Equal(new KitReference("dev", "/etc/kits/dev/spec.yaml"), loaded.Kits.Single());
    }

    [Fact]
    public void Load_OfACorruptFile_NamesTheFileAndTheWayOut()
    {
        File.WriteAllText(Path.Combine(_directory, "policy.json"), "{\"version\": 1, \"rules\": [");

        PolicyStoreException error = Assert.Throws<PolicyStoreException>(() => new PolicyStore(_directory).Load());

        Assert.Contains("policy.json is not a valid policy store", error.Message, StringComparison.Ordinal);
        Assert.Contains("gateway policy reset --force", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithAnUnknownField_IsRefusedRatherThanSilentlyDropped()
    {
        File.WriteAllText(Path.Combine(_directory, "policy.json"), "{\"version\":1,\"default\":null,\"rules\":[],\"kits\":[],\"extra\":1}");

        Assert.Throws<PolicyStoreException>(() => new PolicyStore(_directory).Load());
    }

    [Fact]
    public void RemoveResource_DropsRulesLeftEmpty_AndKeepsTheOthers()
    {
        StoredPolicy policy = StoredPolicy.Empty;
        (policy, _, _) = LocalRules.Add(policy, RuleDecision.Allow, [Parse("a.example.test"), Parse("b.example.test")], DateTimeOffset.UnixEpoch);
        (policy, _, _) = LocalRules.Add(policy, RuleDecision.Deny, [Parse("a.example.test")], DateTimeOffset.UnixEpoch);

        (StoredPolicy after, int removed) = LocalRules.RemoveResource(policy, Parse("a.example.test"), sandbox: null, DateTimeOffset.UnixEpoch);

        Assert.Equal(2, removed);
        Assert.Equal(["b.example.test"], after.Rules.Single().Resources);
    }

    private static RulePattern Parse(string text) =>
        PatternParser.TryParse(text, out RulePattern? pattern, out string? error) ? pattern! : throw new ArgumentException(error);
}
