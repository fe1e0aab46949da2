using System.Collections.Immutable;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception;
using Gateway.Policy;
using Gateway.Sandboxes;
using PolicyCompiler.Budgets;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Sandboxes;

/// <summary>Which limits a sandbox gets (config and kits, the tighter wins), and that its limiters are reused until those limits change.</summary>
public sealed class SandboxBudgetsTests
{
    private static readonly Sandbox s_dev = new("dev", [IPAddress.Parse("127.0.0.2")], ["tight-kit", "other-kit"], null, registered: false);

    [Fact]
    public void ASandbox_GetsItsConfigBudgets_TightenedByEachOfItsKits()
    {
        PolicyGeneration generation = Generation(("tight-kit", new BudgetLimits(500, 5, null, null)), ("other-kit", new BudgetLimits(null, 50, 20, null)));
        using var budgets = new SandboxBudgets([Config(new BudgetLimits(200, null, 100, 1L << 30))], () => generation, null);

        Assert.Equal(new BudgetLimits(200, 5, 20, 1L << 30), budgets.For(s_dev)?.Limits);
    }

    [Fact]
    public void ASandboxWithoutBudgets_GetsNoLimiters()
    {
        using var budgets = new SandboxBudgets([], () => Generation(), null);

        Assert.Null(budgets.For(s_dev));
        Assert.Null(budgets.For(Sandbox.Host));
    }

    [Fact]
    public void TheSameSet_IsReused_AndAReloadReplacesItOnlyWhenTheLimitsChange()
    {
        PolicyGeneration generation = Generation(("tight-kit", new BudgetLimits(3, null, null, null)));
        using var budgets = new SandboxBudgets([], () => generation, null);
        SandboxBudget? first = budgets.For(s_dev);

        Assert.Same(first, budgets.For(s_dev));
        generation = Generation(("tight-kit", new BudgetLimits(3, null, null, null)));
        Assert.Same(first, budgets.For(s_dev));
        generation = Generation(("tight-kit", new BudgetLimits(4, null, null, null)));
        SandboxBudget? replaced = budgets.For(s_dev);

        Assert.NotSame(first, replaced);
        Assert.Equal(4, replaced?.Limits.Connections);
    }

    private static SandboxConfig Config(BudgetLimits limits) => new("dev", [IPAddress.Parse("127.0.0.2")], ["tight-kit", "other-kit"], null) { Budgets = limits };

    private static PolicyGeneration Generation(params (string Kit, BudgetLimits Limits)[] kits)
    {
        var specs = new List<KitSpec>();
        foreach ((string name, BudgetLimits limits) in kits)
        {
            var errors = new List<KitError>();
            string yaml = $"schemaVersion: \"1\"\nkind: mixin\nname: {name}\nnetwork:\n  allowedDomains: [example.com]\n";
            Assert.True(KitParser.TryParse(yaml, "t.yaml", out KitSpec? spec, errors), string.Join("\n", errors));
            specs.Add(spec with { Network = spec.Network with { Budgets = limits } });
        }

        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [.. specs.Select(s => s.ToRules())]);
        return new PolicyGeneration(snapshot, InterceptionTable.Build(snapshot, specs)) { KitBudgets = KitBudgetTable.Build(specs) };
    }
}
