using System.Globalization;

namespace LoadDriver.Suite.Report;

/// <summary>
/// The side-by-side budgets of DESIGN.md ("Performance budgets"), in its wording, checked against
/// this run's medians. A rate budget in an origin-bound variant (<see cref="OriginBound"/>) is not
/// judged by its rate.
/// </summary>
internal static class Budgets
{
    /// <summary>The L4 scenarios whose CPU per request must be at or below HAProxy's and nginx's.</summary>
    private static readonly string[] s_l4 = ["S3", "S4", "S5"];

    /// <summary>One row per budget: what it asks, what was measured, and the verdict.</summary>
    public static List<(string Budget, string Measured, string Verdict)> Check(IReadOnlyList<Aggregate> all)
    {
        var rows = new List<(string, string, string)>();
        foreach (string variant in (string[])["1 stream", "8 streams"])
        {
            rows.Add(Ratio(all, $"S1 bulk through a CONNECT tunnel ≥ 1.0× HAProxy in TCP mode ({variant})", "S1", variant, "haproxy", 1.0));
        }

        rows.Add(Ratio(all, "S3 new CONNECT tunnels/s ≥ 1.5× Squid", "S3", "max (closed loop)", "squid", 1.5));
        rows.Add(Ratio(all, "S3 new CONNECT tunnels/s ≥ 1.0× tinyproxy", "S3", "max (closed loop)", "tinyproxy", 1.0));
        rows.Add(AddedP99(all));
        rows.Add(Cpu(all, "CPU-µs per request ≤ HAProxy's and nginx's on every L4 scenario (S3 new tunnels, S4 requests in long tunnels, S5 SNI routing)", s_l4, ["haproxy", "nginx"]));
        rows.Add(Cpu(all, "CPU-µs per request ≤ every other peer's", null, null));
        foreach ((string variant, string label, double needed) in (ReadOnlySpan<(string, string, double)>)[("warm", "warm", 0.9), ("cold", "cold (a new host per request)", 0.6)])
        {
            rows.Add(Ratio(all, $"S6 intercepted HTTPS with injection, {label} ≥ {needed:F1}× of direct TLS to the origin", "S6", variant, "direct", needed));
        }

        foreach (string variant in (string[])["warm", "cold"])
        {
            rows.Add(Ratio(all, $"S6 intercepted HTTPS with injection ≥ 10× mitmproxy with an add-header addon ({variant})", "S6", variant, "mitmproxy", 10));
        }

        rows.Add(Socks(all));
        rows.Add(Idle(all));
        return rows;
    }

    private static (string, string, string) Ratio(IReadOnlyList<Aggregate> all, string budget, string scenario, string variantPrefix, string peerName, double needed)
    {
        Aggregate? gateway = Find(all, scenario, variantPrefix, "gateway");
        Aggregate? peer = Find(all, scenario, variantPrefix, peerName);
        if (gateway is null || peer is null || peer.Median == 0)
        {
            return (budget, "—", "not run (" + (gateway is null ? "gateway" : peerName) + " not measured)");
        }

        double ratio = gateway.Median / peer.Median;
        string measured = string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}× ({Format.Number(gateway.Median)} vs {Format.Number(peer.Median)} {gateway.Unit})");
        if (peerName != Scenarios.Subject.Direct && OriginBound.Is(all, scenario, gateway.Variant) && Find(all, scenario, variantPrefix, Scenarios.Subject.Direct) is { } direct)
        {
            return (budget, measured, OriginBound.Verdict(direct));
        }

        return (budget, measured, ratio >= needed ? "meets" : "**behind**");
    }

    private static (string, string, string) AddedP99(IReadOnlyList<Aggregate> all)
    {
        const string Budget = "S3 added p99 ≤ 1 ms at 70 % of the gateway's own maximum (open loop, no coordinated omission)";
        Aggregate? gateway = Find(all, "S3", "open loop", "gateway");
        Aggregate? direct = Find(all, "S3", "open loop", Scenarios.Subject.Direct);
        if (gateway?.P99 is not { } g || direct?.P99 is not { } d)
        {
            return (Budget, "—", "not run");
        }

        double added = (g - d) / 1000;
        string verdict = added < 0 ? "inconclusive: direct's own p99 was worse (noise from other load)" : added <= 1 ? "meets" : "**behind**";
        return (Budget, string.Create(CultureInfo.InvariantCulture, $"{added:F2} ms (p99 {g / 1000:F2} ms vs direct {d / 1000:F2} ms)"), verdict);
    }

    /// <summary>
    /// The gateway's CPU per request against <paramref name="peerNames"/> (null: every peer not
    /// named by the HAProxy/nginx row) in <paramref name="scenarios"/> (null: all), same variant.
    /// </summary>
    private static (string, string, string) Cpu(IReadOnlyList<Aggregate> all, string budget, string[]? scenarios, string[]? peerNames)
    {
        var behind = new List<string>();
        int compared = 0;
        foreach (Aggregate gateway in all)
        {
            if (gateway.Subject != "gateway" || gateway.CpuUs is not { } own || (scenarios is not null && Array.IndexOf(scenarios, gateway.Scenario) < 0))
            {
                continue;
            }

            foreach (Aggregate peer in all)
            {
                bool named = peerNames is null
                    ? peer.Subject is not ("haproxy" or "nginx") || Array.IndexOf(s_l4, peer.Scenario) < 0
                    : Array.IndexOf(peerNames, peer.Subject) >= 0;
                if (peer.Scenario != gateway.Scenario || peer.Variant != gateway.Variant || !named || peer.Subject == Scenarios.Subject.Direct
                    || peer.Subject.StartsWith("gateway", StringComparison.Ordinal) || peer.CpuUs is not { } theirs)
                {
                    continue;
                }

                compared++;
                if (own > theirs)
                {
                    behind.Add(string.Create(CultureInfo.InvariantCulture, $"{gateway.Scenario} {Short(gateway.Variant)} {peer.Subject} {own:F1} vs {theirs:F1}"));
                }
            }
        }

        string measured = compared == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{compared - behind.Count} of {compared} comparisons at or below the peer");
        string verdict = compared == 0 ? "not run" : behind.Count == 0 ? "meets" : "**behind**: " + string.Join("; ", behind);
        return (budget, measured, verdict);
    }

    /// <summary>DESIGN.md: the chain shares one core with Dante, so S2 is judged by the gateway's own CPU, not by a rate against Dante alone.</summary>
    private static (string, string, string) Socks(IReadOnlyList<Aggregate> all)
    {
        const string Budget = "S2 SOCKS5 upstream: the gateway's own CPU per tunnel through Dante ≤ its CPU per direct CONNECT tunnel + 50 µs";
        Aggregate? chained = Find(all, "S2", null, "gateway→dante");
        Aggregate? direct = Find(all, "S2", null, "gateway");
        if (chained?.CpuUs is not { } via || direct?.CpuUs is not { } own)
        {
            return (Budget, "—", "not run (" + (chained is null ? "gateway→dante" : "gateway") + " not measured)");
        }

        double added = via - own;
        string measured = string.Create(CultureInfo.InvariantCulture, $"+{added:F1} µs ({via:F1} vs {own:F1} CPU-µs per tunnel)");
        return (Budget, measured, added <= 50 ? "meets" : "**behind**");
    }

    /// <summary>DESIGN.md's relay budget (≤ 16 KiB per idle plain tunnel all told), and issue 22's bar: no more than HAProxy.</summary>
    private static (string, string, string) Idle(IReadOnlyList<Aggregate> all)
    {
        const string Budget = "S7 idle plain tunnel ≤ 16 KiB all told (RSS + kernel), and ≤ HAProxy's";
        Aggregate? gateway = Find(all, "S7", "1000 idle", "gateway");
        if (gateway is null)
        {
            return (Budget, "—", "not run (gateway not measured)");
        }

        Aggregate? haproxy = Find(all, "S7", "1000 idle", "haproxy");
        string measured = haproxy is null
            ? string.Create(CultureInfo.InvariantCulture, $"{gateway.Median:F1} KiB per tunnel (HAProxy not measured)")
            : string.Create(CultureInfo.InvariantCulture, $"{gateway.Median:F1} vs HAProxy {haproxy.Median:F1} KiB per tunnel (1,000 tunnels)");
        bool meets = gateway.Median <= 16 && (haproxy is null || gateway.Median <= haproxy.Median);
        return (Budget, measured, meets ? "meets" : "**behind**");
    }

    private static string Short(string variant)
    {
        int space = variant.IndexOf(" (", StringComparison.Ordinal);
        return space < 0 ? variant : variant[..space];
    }

    private static Aggregate? Find(IReadOnlyList<Aggregate> all, string scenario, string? variantPrefix, string subject)
    {
        foreach (Aggregate a in all)
        {
            if (a.Scenario == scenario && a.Subject == subject && (variantPrefix is null || a.Variant.StartsWith(variantPrefix, StringComparison.Ordinal)))
            {
                return a;
            }
        }

        return null;
    }
}
