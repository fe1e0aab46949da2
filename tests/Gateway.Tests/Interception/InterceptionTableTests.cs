using Gateway.Interception;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 2: only (sandbox kits, host) pairs with a binding or an L7 rule are planned for interception.</summary>
public sealed class InterceptionTableTests
{
    private const string Bound = """
        schemaVersion: "1"
        kind: mixin
        name: bound
        network:
          allowedDomains: [api.example.test, "*.svc.example.test", other.example.test]
          serviceDomains:
            api.example.test: exact
            "*.svc.example.test": wild
          serviceAuth:
            exact: {headerName: X-Api-Key, valueFormat: "%s"}
            wild: {headerName: Authorization, valueFormat: "Bearer %s"}
        credentials:
          sources:
            exact: {env: [EXACT_KEY]}
            wild: {env: [WILD_KEY]}
        environment:
          proxyManaged: [WILD_KEY]
        """;

    private const string Ruled = """
        schemaVersion: "1"
        kind: mixin
        name: ruled
        network:
          allowedDomains: ["*.code.example.test"]
          rules:
            - {host: "*.code.example.test", methods: [GET], decision: allow}
        """;

    private const string Plain = """
        schemaVersion: "1"
        kind: mixin
        name: plain
        network:
          allowedDomains: [api.example.test]
        """;

    [Theory]
    [InlineData("bound", "api.example.test", 443, "exact")]
    [InlineData("bound", "a.svc.example.test", 443, "wild")]
    [InlineData("bound", "a.b.svc.example.test", 8443, "wild")]
    [InlineData("bound", "svc.example.test", 443, null)]
    [InlineData("bound", "other.example.test", 443, null)]
    [InlineData("bound", "xapi.example.test", 443, null)]
    [InlineData("plain", "api.example.test", 443, null)]
    [InlineData("ruled", "api.example.test", 443, null)]
    public void Find_PlansOnlyHostsAKitOfTheSandboxBinds(string kit, string host, int port, string? source)
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();

        InterceptionPlan? plan = table.Find(Kits(snapshot, kit), host, port);

        Assert.Equal(source, plan is null ? null : Assert.Single(plan.Injections).Source.Name);
    }

    [Fact]
    public void Find_ForAHostWithL7Rules_PlansTheRulesWithoutInjection()
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();

        InterceptionPlan plan = table.Find(Kits(snapshot, "ruled"), "git.code.example.test", 443)!;

        Assert.Empty(plan.Injections);
        Assert.Equal("kit:ruled/rules[0]", Assert.Single(plan.Rules).Id);
    }

    [Fact]
    public void Find_BindsAPlaceholderVariable_OnlyToTheHostsOfTheSourceThatReadsIt()
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();
        KitSet kits = Kits(snapshot, "bound");

        Assert.Equal(["WILD_KEY"], table.Find(kits, "x.svc.example.test", 443)!.BoundVariables);
        Assert.Empty(table.Find(kits, "api.example.test", 443)!.BoundVariables);
    }

    [Fact]
    public void EmptyTable_PlansNothing_AndDoesNotAllocate()
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Plain, "plain.yaml", out KitSpec? plain, errors));
        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [plain.ToRules()]);
        InterceptionTable table = InterceptionTable.Build(snapshot, [plain]);
        KitSet kits = Kits(snapshot, "plain");
        Assert.True(table.IsEmpty);
        Assert.Null(table.Find(kits, "api.example.test", 443));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = table.Find(kits, "api.example.test", 443);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void UnboundHost_OfAnInterceptingTable_IsAnsweredWithoutAllocating()
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();
        KitSet kits = Kits(snapshot, "bound");
        _ = table.Find(kits, "deep.name.other.example.test", 443);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = table.Find(kits, "deep.name.other.example.test", 443);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static (InterceptionTable Table, PolicySnapshot Snapshot) Build()
    {
        var errors = new List<KitError>();
        var kits = new List<KitSpec>();
        foreach ((string name, string text) in (ReadOnlySpan<(string, string)>)[("bound", Bound), ("ruled", Ruled), ("plain", Plain)])
        {
            Assert.True(KitParser.TryParse(text, name + ".yaml", out KitSpec? kit, errors), string.Join("\n", errors));
            kits.Add(kit);
        }

        PolicySnapshot snapshot = SnapshotCompiler.Compile([], kits.ConvertAll(k => k.ToRules()));
        return (InterceptionTable.Build(snapshot, kits), snapshot);
    }

    private static KitSet Kits(PolicySnapshot snapshot, string kit)
    {
        Assert.True(snapshot.TryGetKitIndex(kit, out int index));
        return KitSet.None.With(index);
    }
}
