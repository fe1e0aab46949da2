using PolicyCompiler.Budgets;
using PolicyCompiler.Kits;

namespace PolicyCompiler.Tests.Kits;

/// <summary><c>network.budgets</c>: parsed into <see cref="BudgetLimits"/>, each key optional, every mistake named with file:line.</summary>
public class KitBudgetsParserTests
{
    private const string Header = "schemaVersion: \"1\"\nkind: mixin\nname: inline\n";

    [Fact]
    public void AllFourBudgets_AreParsed()
    {
        KitSpec kit = Parse("network:\n  budgets: { connections: 200, connectionsPerSecond: 50, requestsPerSecond: 100, uploadBytesPerHour: 1GiB }\n");

        Assert.Equal(new BudgetLimits(200, 50, 100, 1L << 30), kit.Network.Budgets);
    }

    [Fact]
    public void EachBudget_IsOptional() =>
        Assert.Equal(new BudgetLimits(null, null, 7, null), Parse("network:\n  budgets:\n    requestsPerSecond: 7\n").Network.Budgets);

    [Fact]
    public void NoBudgets_IsNull() =>
        Assert.Null(Parse("network:\n  allowedDomains: [example.com]\n").Network.Budgets);

    [Theory]
    [InlineData("connections: 0", "t.yaml:6: network.budgets.connections: 0 is out of range; use 1-10000000 (leave connections out for no bound)")]
    [InlineData("connections: -3", "t.yaml:6: network.budgets.connections: \"-3\" is not a whole number; write e.g. connections: 200")]
    [InlineData("connectionsPerSecond: fast", "t.yaml:6: network.budgets.connectionsPerSecond: \"fast\" is not a whole number; write e.g. connectionsPerSecond: 50")]
    [InlineData("requestsPerSecond: 1.5", "t.yaml:6: network.budgets.requestsPerSecond: \"1.5\" is not a whole number; write e.g. requestsPerSecond: 100")]
    [InlineData("uploadBytesPerHour: 1 GiB", "t.yaml:6: network.budgets.uploadBytesPerHour: \"1 GiB\" is not a size; write e.g. uploadBytesPerHour: 1GiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)")]
    [InlineData("uploadBytesPerHour: 100", "t.yaml:6: network.budgets.uploadBytesPerHour: \"100\" is out of range; use 1KiB-2047GiB (leave uploadBytesPerHour out for no bound)")]
    [InlineData("uploadBytesPerHour: 3TiB", "t.yaml:6: network.budgets.uploadBytesPerHour: \"3TiB\" is out of range; use 1KiB-2047GiB (leave uploadBytesPerHour out for no bound)")]
    [InlineData("uploadsPerHour: 1GiB", "t.yaml:6: network.budgets.uploadsPerHour: unknown key; did you mean \"uploadBytesPerHour\"?")]
    public void BadBudget_IsExplained(string line, string expected)
    {
        var errors = new List<KitError>();

        bool parsed = KitParser.TryParse(Header + "network:\n  budgets:\n" + "    " + line + "\n", "t.yaml", out _, errors);

        Assert.False(parsed);
        Assert.Equal(expected, Assert.Single(errors).ToString());
    }

    private static KitSpec Parse(string body)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryParse(Header + body, "t.yaml", out KitSpec? kit, errors), string.Join("\n", errors));
        return kit;
    }
}
