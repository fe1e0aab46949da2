using LoadDriver.Suite.Report;
using LoadDriver.Suite.Results;

namespace LoadDriver.Tests.Suite;

public class BudgetsTests
{
    [Fact]
    public void RateBudget_InAVariantWhereEverySubjectIsWithinTenPercentOfDirect_IsOriginBound_NotMeetsOrBehind()
    {
        List<Aggregate> all = Aggregate.From(
        [
            Rate("S3", "max (closed loop)", "direct", 5000),
            Rate("S3", "max (closed loop)", "gateway", 4700, cpu: 150),
            Rate("S3", "max (closed loop)", "squid", 4600, cpu: 300),
            Rate("S3", "max (closed loop)", "tinyproxy", 4900, cpu: 140),
        ]);

        Assert.True(OriginBound.Is(all, "S3", "max (closed loop)"));
        (string _, string measured, string verdict) = Row(all, "S3 new CONNECT tunnels/s ≥ 1.5× Squid");
        Assert.StartsWith("1.02×", measured, StringComparison.Ordinal); // 4700 / 4600: would be "behind" by rate
        Assert.StartsWith("origin-bound", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void RateBudget_WhenOneSubjectIsWellBelowDirect_IsJudgedByRate()
    {
        List<Aggregate> all = Aggregate.From(
        [
            Rate("S3", "max (closed loop)", "direct", 5000),
            Rate("S3", "max (closed loop)", "gateway", 4800),
            Rate("S3", "max (closed loop)", "squid", 2400),
        ]);

        Assert.False(OriginBound.Is(all, "S3", "max (closed loop)"));
        Assert.Equal("meets", Row(all, "S3 new CONNECT tunnels/s ≥ 1.5× Squid").Verdict);
    }

    [Fact]
    public void InterceptionAgainstDirect_IsNeverOriginBound_AndNeedsNinetyPercentWarm()
    {
        List<Aggregate> all = Aggregate.From(
        [
            Rate("S6", "warm (100 hosts)", "direct", 1000),
            Rate("S6", "warm (100 hosts)", "gateway", 850),
            Rate("S6", "warm (100 hosts)", "mitmproxy", 80),
        ]);

        Assert.Equal("**behind**", Row(all, "S6 intercepted HTTPS with injection, warm").Verdict);
        Assert.Equal("meets", Row(all, "S6 intercepted HTTPS with injection ≥ 10× mitmproxy with an add-header addon (warm)").Verdict);
    }

    [Fact]
    public void Socks_IsJudgedByTheGatewaysOwnCpuPerTunnel_NotByRateAgainstDanteAlone()
    {
        List<Aggregate> all = Aggregate.From(
        [
            Rate("S2", "tunnel per request", "direct", 9000),
            Rate("S2", "tunnel per request", "dante", 3000, cpu: 200),
            Rate("S2", "tunnel per request", "gateway", 5000, cpu: 150),
            Rate("S2", "tunnel per request", "gateway→dante", 1000, cpu: 190),
        ]);

        (string _, string measured, string verdict) = Row(all, "S2 SOCKS5 upstream");
        Assert.Equal("+40.0 µs (190.0 vs 150.0 CPU-µs per tunnel)", measured);
        Assert.Equal("meets", verdict);

        all = Aggregate.From([Rate("S2", "tunnel per request", "gateway", 5000, cpu: 150), Rate("S2", "tunnel per request", "gateway→dante", 1000, cpu: 201)]);
        Assert.Equal("**behind**", Row(all, "S2 SOCKS5 upstream").Verdict);
    }

    [Fact]
    public void CpuAgainstHaproxyAndNginx_CoversOnlyTheL4Scenarios_AndTheOtherRowTheRest()
    {
        List<Aggregate> all = Aggregate.From(
        [
            Rate("S3", "max (closed loop)", "gateway", 5000, cpu: 150),
            Rate("S3", "max (closed loop)", "haproxy", 6000, cpu: 120),
            Rate("S3", "max (closed loop)", "tinyproxy", 5000, cpu: 160),
            Rate("S4", "max (closed loop)", "gateway", 30000, cpu: 20),
            Rate("S4", "max (closed loop)", "nginx", 30000, cpu: 21),
            Rate("S6", "warm (100 hosts)", "gateway", 800, cpu: 900),
            Rate("S6", "warm (100 hosts)", "mitmproxy", 80, cpu: 9000),
            Rate("S2", "tunnel per request", "gateway→dante", 1000, cpu: 10),
        ]);

        (string _, string measured, string verdict) = Row(all, "CPU-µs per request ≤ HAProxy's and nginx's");
        Assert.Equal("1 of 2 comparisons at or below the peer", measured);
        Assert.Equal("**behind**: S3 max haproxy 150.0 vs 120.0", verdict);

        // tinyproxy (S3) and mitmproxy (S6); never another gateway subject.
        Assert.Equal("2 of 2 comparisons at or below the peer", Row(all, "CPU-µs per request ≤ every other peer's").Measured);
    }

    [Fact]
    public void IdleMemory_MustBeWithinSixteenKibAndNoMoreThanHaproxy()
    {
        List<Aggregate> all = Aggregate.From([Idle("gateway", 11.8), Idle("haproxy", 7.7)]);
        Assert.Equal("**behind**", Row(all, "S7 idle plain tunnel").Verdict);

        all = Aggregate.From([Idle("gateway", 7.5), Idle("haproxy", 7.7)]);
        Assert.Equal("meets", Row(all, "S7 idle plain tunnel").Verdict);
    }

    [Fact]
    public void EveryBudget_NotMeasured_SaysNotRun_NeverMeets()
    {
        foreach ((string budget, string measured, string verdict) in Budgets.Check([]))
        {
            Assert.True(verdict.StartsWith("not run", StringComparison.Ordinal), budget + ": " + verdict);
            Assert.Equal("—", measured);
        }
    }

    private static (string Budget, string Measured, string Verdict) Row(List<Aggregate> all, string prefix)
    {
        foreach ((string budget, string measured, string verdict) in Budgets.Check(all))
        {
            if (budget.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (budget, measured, verdict);
            }
        }

        throw new InvalidOperationException("no budget row starts with " + prefix);
    }

    private static Measurement Rate(string scenario, string variant, string subject, double value, double? cpu = null) => new()
    {
        Scenario = scenario,
        Variant = variant,
        Subject = subject,
        Repetition = 1,
        Unit = "req/s",
        Value = value,
        CpuUsPerRequest = cpu,
    };

    private static Measurement Idle(string subject, double kib) => new()
    {
        Scenario = "S7",
        Variant = "1000 idle tunnels",
        Subject = subject,
        Repetition = 1,
        Unit = "KiB/tunnel",
        Value = kib,
    };
}
