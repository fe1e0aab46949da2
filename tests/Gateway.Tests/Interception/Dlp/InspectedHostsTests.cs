using Gateway.Interception;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// Issue 21 point 1: <c>network.inspect</c> hosts are intercepted with no credential (so L7 rules and DLP apply);
/// every other host without a credential stays end-to-end; <c>network.dlp: report</c> only when every kit
/// intercepting the host says so.
/// </summary>
public sealed class InspectedHostsTests
{
    private const string Inspecting = """
        schemaVersion: "1"
        kind: mixin
        name: inspecting
        network:
          allowedDomains: [paste.example.test, "*.chat.example.test", plain.example.test]
          inspect: [paste.example.test, "*.chat.example.test"]
        """;

    private const string Reporting = """
        schemaVersion: "1"
        kind: mixin
        name: reporting
        network:
          allowedDomains: [paste.example.test, notes.example.test]
          inspect: [paste.example.test, notes.example.test]
          dlp: report
        """;

    [Theory]
    [InlineData("inspecting", "paste.example.test", true)]
    [InlineData("inspecting", "hooks.chat.example.test", true)]
    [InlineData("inspecting", "chat.example.test", false)]
    [InlineData("inspecting", "plain.example.test", false)]
    [InlineData("reporting", "notes.example.test", true)]
    [InlineData("reporting", "hooks.chat.example.test", false)]
    public void InspectedHosts_AreIntercepted_AndNoOthers(string kit, string host, bool intercepted)
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();

        InterceptionPlan? plan = table.Find(Kits(snapshot, kit), host, 443);

        Assert.Equal(intercepted, plan is not null);
        Assert.Empty(plan?.Injections ?? []);
    }

    [Fact]
    public void DlpReports_OnlyWhenEveryInterceptingKitSaysReport()
    {
        (InterceptionTable table, PolicySnapshot snapshot) = Build();

        Assert.False(table.Find(Kits(snapshot, "inspecting"), "paste.example.test", 443)!.DlpReports);
        Assert.True(table.Find(Kits(snapshot, "reporting"), "paste.example.test", 443)!.DlpReports);
        Assert.False(table.Find(Kits(snapshot, "inspecting", "reporting"), "paste.example.test", 443)!.DlpReports);
        Assert.True(table.Find(Kits(snapshot, "inspecting", "reporting"), "notes.example.test", 443)!.DlpReports);
    }

    private static (InterceptionTable Table, PolicySnapshot Snapshot) Build()
    {
        var errors = new List<KitError>();
        var kits = new List<KitSpec>();
        foreach ((string name, string text) in (ReadOnlySpan<(string, string)>)[("inspecting", Inspecting), ("reporting", Reporting)])
        {
            Assert.True(KitParser.TryParse(text, name + ".yaml", out KitSpec? kit, errors), string.Join("\n", errors));
            kits.Add(kit);
        }

        PolicySnapshot snapshot = SnapshotCompiler.Compile([], kits.ConvertAll(k => k.ToRules()));
        return (InterceptionTable.Build(snapshot, kits), snapshot);
    }

    private static KitSet Kits(PolicySnapshot snapshot, params string[] names)
    {
        KitSet set = KitSet.None;
        foreach (string name in names)
        {
            Assert.True(snapshot.TryGetKitIndex(name, out int index));
            set = set.With(index);
        }

        return set;
    }
}
