using LoadDriver.Load;

namespace LoadDriver.Tests.Load;

public class OpenLoopScheduleTests
{
    [Fact]
    public void IntendedTimes_AreEvenlySpacedFromTheStart()
    {
        var schedule = new OpenLoopSchedule(startTimestamp: 1_000, ratePerSecond: 1000, TimeSpan.FromSeconds(2), timestampFrequency: 1_000_000_000);
        Assert.Equal(2000, schedule.Count);
        Assert.Equal(1_000, schedule.IntendedAt(0));
        Assert.Equal(1_001_000, schedule.IntendedAt(1));
        Assert.Equal(1_000_000_000 + 1_000, schedule.IntendedAt(1000));
    }

    [Fact]
    public void IntendedTimes_DoNotDrift_WhenThePeriodIsNotWholeTicks()
    {
        // 3 requests a second on a 10 MHz clock: 3,333,333.3 ticks apart; rounding per request must not accumulate.
        var schedule = new OpenLoopSchedule(0, 3, TimeSpan.FromSeconds(1000), 10_000_000);
        Assert.Equal(3000, schedule.Count);
        Assert.Equal(10_000_000_000, schedule.IntendedAt(3000));
        Assert.Equal(3_333_333, schedule.IntendedAt(1));
        Assert.Equal(6_666_667, schedule.IntendedAt(2));
    }

    [Fact]
    public void IntendedTimes_DoNotDependOnWhenEarlierRequestsFinished()
    {
        // The schedule is a pure function of the index: a stalled request cannot push later ones back.
        var schedule = new OpenLoopSchedule(500, 250, TimeSpan.FromSeconds(4), 1_000_000);
        long[] first = Enumerable.Range(0, (int)schedule.Count).Select(i => schedule.IntendedAt(i)).ToArray();
        long[] again = Enumerable.Range(0, (int)schedule.Count).Reverse().Select(i => schedule.IntendedAt(i)).Reverse().ToArray();
        Assert.Equal(first, again);
        Assert.All(first.Zip(first.Skip(1)), pair => Assert.Equal(4000, pair.Second - pair.First));
    }

    [Fact]
    public void Count_IsRateTimesDuration_RoundedDown()
    {
        Assert.Equal(699, new OpenLoopSchedule(0, 999, TimeSpan.FromSeconds(0.7), 1_000_000_000).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpenLoopSchedule(0, 0, TimeSpan.FromSeconds(1), 1_000));
    }
}
