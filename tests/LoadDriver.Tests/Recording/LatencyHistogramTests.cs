using LoadDriver.Recording;

namespace LoadDriver.Tests.Recording;

public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_OfUniformValues_AreWithinTheHistogramsPrecision()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 10_000; us++)
        {
            histogram.Record(us * 1000);
        }

        Assert.Equal(10_000, histogram.Count);
        AssertClose(5_000_000, histogram.ValueAtPercentile(50));
        AssertClose(9_900_000, histogram.ValueAtPercentile(99));
        AssertClose(9_990_000, histogram.ValueAtPercentile(99.9));
        Assert.Equal(10_000_000, histogram.ValueAtPercentile(100));
        Assert.Equal(10_000_000, histogram.Max);
        Assert.Equal(1000, histogram.Min);
    }

    [Fact]
    public void Percentile_OfOneOutlier_IsReportedAtTheTopOnly()
    {
        var histogram = new LatencyHistogram();
        for (int i = 0; i < 999; i++)
        {
            histogram.Record(50_000);
        }

        histogram.Record(2_000_000_000);
        AssertClose(50_000, histogram.ValueAtPercentile(99.9));
        Assert.Equal(2_000_000_000, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void SmallValues_AreRecordedExactly()
    {
        var histogram = new LatencyHistogram();
        foreach (long value in (long[])[0, 1, 7, 1023])
        {
            histogram.Record(value);
        }

        Assert.Equal(0, histogram.ValueAtPercentile(25));
        Assert.Equal(1, histogram.ValueAtPercentile(50));
        Assert.Equal(7, histogram.ValueAtPercentile(75));
        Assert.Equal(1023, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Buckets_CoverEveryValue_Contiguously_WithinTwoTenthsOfAPercent()
    {
        long previousHighest = -1;
        for (int index = 0; index < 20_000 && LatencyHistogram.HighestEquivalent(index) < (1L << 40); index++)
        {
            long highest = LatencyHistogram.HighestEquivalent(index);
            long lowest = previousHighest + 1;
            Assert.Equal(index, LatencyHistogram.IndexOf(lowest));
            Assert.Equal(index, LatencyHistogram.IndexOf(highest));
            Assert.True(highest - lowest <= Math.Max(1, highest / 500), $"bucket {index} spans {lowest}..{highest}");
            previousHighest = highest;
        }
    }

    [Fact]
    public void Add_MergesCountsAndExtremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(1000);
        b.Record(3000);
        b.Record(5000);
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(1000, a.Min);
        Assert.Equal(5000, a.Max);
        AssertClose(3000, a.ValueAtPercentile(50));
        Assert.Equal(3000, a.Sum / a.Count);
    }

    [Fact]
    public void Empty_ReportsZero()
    {
        var summary = LatencySummary.From(new LatencyHistogram());
        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.P99Us);
        Assert.Equal(0, summary.MaxUs);
    }

    [Fact]
    public void Negative_ValuesCountAsZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.ValueAtPercentile(100));
    }

    private static void AssertClose(long expected, long actual) =>
        Assert.True(Math.Abs(actual - expected) <= expected / 400, $"expected {expected} ± 0.25 %, got {actual}");
}
