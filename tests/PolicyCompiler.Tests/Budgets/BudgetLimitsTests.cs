using PolicyCompiler.Budgets;

namespace PolicyCompiler.Tests.Budgets;

/// <summary>Where the config and kits both set budgets, the tighter value of each key wins.</summary>
public class BudgetLimitsTests
{
    [Fact]
    public void Tighten_TakesTheSmallerOfEachKey_AndAnUnsetKeyNeverLoosens()
    {
        var config = new BudgetLimits(200, null, 100, 1L << 30);
        var kit = new BudgetLimits(500, 20, null, 1L << 20);

        Assert.Equal(new BudgetLimits(200, 20, 100, 1L << 20), config.Tighten(kit));
        Assert.Equal(config.Tighten(kit), kit.Tighten(config));
    }

    [Fact]
    public void Tighten_WithNone_IsUnchanged()
    {
        var config = new BudgetLimits(1, 2, 3, 4096);

        Assert.Same(config, config.Tighten(BudgetLimits.None));
        Assert.Same(config, config.Tighten(null));
        Assert.True(BudgetLimits.None.IsNone);
        Assert.False(config.IsNone);
    }

    [Theory]
    [InlineData("1KiB", 1024L)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2048", 2048L)]
    [InlineData("2047GiB", 2047L << 30)]
    [InlineData("2TiB", -1L)]
    public void UploadSizes_ParseInIecAndSiUnits(string text, long expected)
    {
        long? bytes = BudgetSyntax.ParseBytes("uploadBytesPerHour", text, out string? error);

        if (expected < 0)
        {
            Assert.NotNull(error); // past what the window's KiB count can hold
        }
        else
        {
            Assert.Equal((expected, null), (bytes, error));
        }
    }
}
